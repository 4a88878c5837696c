"""Sphinx configuration of the course website (``make site``, tools/build_site.py).

tools/build_site.py copies this folder into build/site-src, adds the lecture notebooks (with
their stored outputs: nothing is executed) and the JavaScript it serves locally under
_static/vendor/ (MathJax 2, require.js and the ipywidgets HTML manager, from the npm packages
pinned for the static slides), then runs Sphinx here. Nothing is loaded from a CDN.
"""

from __future__ import annotations

import nbhelpers

project = "Neural networks, from the neuron to the CNN"
author = "The lecturers"
copyright = "the lecturers"  # noqa: A001 (Sphinx's name)

extensions = ["myst_nb"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# --- notebooks: stored outputs only, never executed
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
# stored ipywidgets state renders with the local require.js + html-manager (ipywidgets 7)
nb_ipywidgets_js = {"vendor/require.js": {}, "vendor/html-manager/embed-amd.js": {}}

# --- maths: MathJax 2 from _static (Sphinx's default mathjax_path is a CDN)
mathjax_path = "vendor/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
# myst marks the page tex2jax_ignore and Sphinx's maths elements class "math" (myst-parser's
# update_mathjax only writes the MathJax 3 form of this setting)
mathjax2_config = {
    "tex2jax": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]],
                "processClass": "tex2jax_process|mathjax_process|math|output_area",
                "processRefs": False, "processEnvironments": False},
}

# --- HTML
html_theme = "sphinx_book_theme"
html_title = project
html_static_path = ["_static"]
# _templates/search-button-field.html: the theme's search button, named by its
# visible text (WCAG 2.5.3; tests/test_accessibility.py runs axe-core on every page)
templates_path = ["_templates"]
html_css_files = ["nn-site.css"]
# a stored widget that has not rendered 30 s after the page loaded shows a sentence instead
# of an empty box (tools/slides/nn-widgets.js, shared with the static decks)
html_js_files = [("vendor/nn-widgets.js", {"data-settle": "on-load"})]
html_sourcelink_suffix = ""  # _sources/NN_name.ipynb: the download button's file
html_show_sphinx = False
html_theme_options = {
    "repository_url": nbhelpers.REPO_URL,
    "repository_branch": "main",
    "path_to_docs": "student",  # the launch buttons open the student's edition
    "launch_buttons": {"colab_url": "https://colab.research.google.com"},
    "use_download_button": True,
    "use_repository_button": True,
    "show_toc_level": 2,
}
