"""Authoring helper: build a lecture notebook from a list of cells with slide metadata.

Usage (in a throwaway script)::

    from tools.nbbuild import md, code, notebook, setup_cells
    cells = setup_cells("01_neuron_and_perceptron", "The neuron and the perceptron", "...")
    cells += [md("## A slide", "slide"), code("x = 1", "fragment")]
    notebook("01_neuron_and_perceptron", "The neuron and the perceptron", cells)

Then run ``make notebooks`` (or ``python tools/run_notebooks.py notebooks/NAME.ipynb``) to
execute it in a fresh kernel and store the outputs.
"""

from __future__ import annotations

import html
import re
import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from nbhelpers import REPO_URL  # the one definition (make set-repo rewrites it)
from nbhelpers.display import KERNEL_ONLY_WIDGETS, SLIDE_HEIGHT, SLIDE_WIDTH

ROOT = Path(__file__).resolve().parents[1]
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}


def _meta(slide: str, tags: list[str] | None = None) -> dict:
    if slide not in SLIDE_TYPES:
        raise ValueError(f"slide type {slide!r} not in {sorted(SLIDE_TYPES)}")
    meta: dict = {"slideshow": {"slide_type": slide}}
    if tags:
        meta["tags"] = tags
    return meta


def md(text: str, slide: str = "slide") -> nbformat.NotebookNode:
    """A markdown cell; ``text`` is dedented and stripped."""
    return new_markdown_cell(textwrap.dedent(text).strip(), metadata=_meta(slide))


def code(src: str, slide: str = "-", tags: list[str] | None = None) -> nbformat.NotebookNode:
    """A code cell; ``src`` is dedented and stripped."""
    return new_code_cell(textwrap.dedent(src).strip(), metadata=_meta(slide, tags))


def notes(text: str) -> nbformat.NotebookNode:
    """Speaker notes (shown in RISE's speaker view, not on the slide)."""
    return md(text, "notes")


def colab_badge(name: str) -> str:
    slug = REPO_URL.removeprefix("https://github.com/")
    url = f"https://colab.research.google.com/github/{slug}/blob/main/notebooks/{name}.ipynb"
    return f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({url})"


SETUP = f'''\
# Setup: install nbhelpers on Colab only, seed everything, pick the device.
import sys
if "google.colab" in sys.modules:
    %pip install -q "nbhelpers @ git+{REPO_URL}"
import nbhelpers
device = nbhelpers.setup(seed=0)'''
#: The setup cell of a lecture with a third-party widget (KERNEL_ONLY_WIDGETS): on Colab it also
#: turns on Colab's custom widget manager, without which only ipywidgets' own widgets render.
SETUP_CUSTOM_WIDGETS = SETUP.replace("setup(seed=0)", "setup(seed=0, custom_widgets=True)")


def needs_custom_widgets(nb: nbformat.NotebookNode) -> bool:
    """Whether a notebook imports a demo of :data:`nbhelpers.display.KERNEL_ONLY_WIDGETS`, in
    any import form (``import nbhelpers.widgets.draw_digit``, ``from nbhelpers.widgets import
    digits, draw_digit``, ``from nbhelpers.widgets.draw_digit import ...``)."""
    names = "|".join(m for demos in KERNEL_ONLY_WIDGETS.values() for m in demos)
    pattern = re.compile(rf"^\s*(from|import)\s[^#\n]*\b({names})\b", re.MULTILINE)
    return any(c.cell_type == "code" and pattern.search(c.source) for c in nb.cells)


def setup_cells(name: str, title: str, subtitle: str = "") -> list[nbformat.NotebookNode]:
    """Title slide (title, badge, subtitle) and the standard setup cell."""
    head = f"# {title}\n\n{colab_badge(name)}"
    if subtitle:
        head += f"\n\n{textwrap.dedent(subtitle).strip()}"
    return [md(head, "slide"), code(SETUP, "skip")]


def rise_metadata(title: str) -> dict:
    """Notebook-level RISE settings: open at the first slide, ready for a projector
    (``SLIDE_WIDTH`` x ``SLIDE_HEIGHT``, nbhelpers.display).

    Slides are top-aligned (``center: False``) so that running a cell live does not make the
    slide jump; ``scroll`` lets an over-long slide scroll instead of being cut off (the tests
    still fail on it); the footer shows the lecture title. notebooks/rise.css styles them.
    tools/slides_lint.py checks every notebook carries exactly this block.
    """
    return {
        "theme": "simple",
        "transition": "none",
        "scroll": True,
        "center": False,
        "slideNumber": True,
        "start_slideshow_at": "beginning",
        "enable_chalkboard": False,
        "footer": f"<p class='rise-footer'>{html.escape(title)}</p>",
        "width": SLIDE_WIDTH,
        "height": SLIDE_HEIGHT,
    }


def notebook(name: str, title: str, cells: list, *, folder: Path | None = None) -> Path:
    """Write ``notebooks/<name>.ipynb`` (unexecuted) with kernel and RISE metadata."""
    nb = new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "colab": {"provenance": [], "toc_visible": True},
        "rise": rise_metadata(title),
    }
    path = (folder or ROOT / "notebooks") / f"{name}.ipynb"
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return path
