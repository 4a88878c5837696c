"""Static reveal.js slides for every lecture, for people without a kernel: ``make slides``.

    python tools/export_slides.py                      # every notebook -> build/slides/
    python tools/export_slides.py --out DIR nb.ipynb   # chosen notebooks -> DIR

Each notebook becomes ``<out>/<name>.slides.html`` (nbconvert's SlidesExporter, i.e.
``jupyter nbconvert --to slides``) showing the stored outputs. Nothing is loaded from a CDN:
reveal.js, require.js, jQuery, MathJax 2 and the ipywidgets HTML manager come from the npm
registry (pinned in tools/slides/package.json + package-lock.json, installed with ``npm ci``
into build/slides-npm/ once) and are copied to ``<out>/vendor/``; the exporter options
``SlidesExporter.reveal_url_prefix``, ``HTMLExporter.require_js_url``, ``jquery_url``,
``mathjax_url`` and ``widget_renderer_url`` point there. Widgets the HTML manager cannot
show without a kernel (a third-party library: lecture 12's drawing canvas, ipycanvas) are
replaced by a sentence saying where they work (:func:`kernel_only_widgets_as_text`); the
slide before shows their static figure. The template in
tools/slides/templates/nnslides drops the mermaid import (a CDN URL nbconvert does not let
you configure) and adds notebooks/rise.css and the lecture footer, so the slides look like
the RISE slideshow. The output folder is self-contained: zip it, open any HTML from disk.
Each deck's ``<title>`` is the lecture's first heading (:func:`heading_title`) + " slides", not
its file name; the template sizes the code prompts for "In [128]:" (JupyterLab cuts a prompt
wider than its column with an ellipsis).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from nbconvert import SlidesExporter
from traitlets.config import Config

from nbhelpers.display import KERNEL_ONLY_WIDGETS, SLIDE_HEIGHT, SLIDE_WIDTH

ROOT = Path(__file__).resolve().parents[1]
SLIDES = ROOT / "tools" / "slides"
NPM_DIR = ROOT / "build" / "slides-npm"
DEFAULT_OUT = ROOT / "build" / "slides"
THEME = "nn-simple"  # reveal's "simple" theme without its Google Fonts @import

# (path under node_modules, path under <out>/vendor); folders are copied without *.map
VENDOR_FILES = [
    ("reveal.js/dist", "reveal.js/dist"),
    ("reveal.js/plugin/notes", "reveal.js/plugin/notes"),
    ("requirejs/require.js", "require.js"),
    ("jquery/dist/jquery.min.js", "jquery.min.js"),
    ("@jupyter-widgets/html-manager/dist", "html-manager"),
    ("mathjax/MathJax.js", "mathjax/MathJax.js"),
    ("mathjax/config/TeX-AMS_CHTML-full.js", "mathjax/config/TeX-AMS_CHTML-full.js"),
    ("mathjax/config/Safe.js", "mathjax/config/Safe.js"),
    ("mathjax/extensions", "mathjax/extensions"),
    ("mathjax/jax/input/TeX", "mathjax/jax/input/TeX"),
    ("mathjax/jax/output/CommonHTML", "mathjax/jax/output/CommonHTML"),
    ("mathjax/jax/element", "mathjax/jax/element"),
    ("mathjax/fonts/HTML-CSS/TeX/woff", "mathjax/fonts/HTML-CSS/TeX/woff"),
    ("mathjax/fonts/HTML-CSS/TeX/otf", "mathjax/fonts/HTML-CSS/TeX/otf"),
]

URLS = {  # exporter option -> URL relative to the HTML files
    "reveal_url_prefix": "vendor/reveal.js",
    "require_js_url": "vendor/require.js",
    "jquery_url": "vendor/jquery.min.js",
    "mathjax_url": "vendor/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
    "widget_renderer_url": "vendor/html-manager/embed-amd.js",
}

UNPKG = re.compile(r"https://unpkg\.com/@jupyter-widgets/html-manager@[0-9.]+/dist/")
# The static decks leave out the models of KERNEL_ONLY_WIDGETS: without a kernel the canvas is
# a blank box (and the HTML manager would fetch its code from unpkg.com).
KERNEL_ONLY_NOTE = ("This demo needs a running notebook: open the lecture in JupyterLab or "
                    "Colab to use it. The slide before shows the same idea as a figure.")
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# The title slide's badge image lives on colab.research.google.com: keep the link, as text.
BADGE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\(([^)]+)\)")


def npm_install() -> Path:
    """``npm ci`` the pinned packages into build/slides-npm (skipped when up to date)."""
    lock = (SLIDES / "package-lock.json").read_bytes()
    stamp = NPM_DIR / ".lock-sha256"
    digest = hashlib.sha256(lock + (SLIDES / "package.json").read_bytes()).hexdigest()
    modules = NPM_DIR / "node_modules"
    if modules.is_dir() and stamp.is_file() and stamp.read_text() == digest:
        return modules
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("export_slides: npm not found; install Node.js (e.g. apt-get install "
                         "npm) to fetch reveal.js, require.js and the widget renderer")
    NPM_DIR.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy2(SLIDES / name, NPM_DIR / name)
    print(f"npm ci in {NPM_DIR.relative_to(ROOT)} ...", flush=True)
    subprocess.run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=NPM_DIR, check=True,
    )
    stamp.write_text(digest)
    return modules


def copy_vendor(modules: Path, out: Path) -> None:
    vendor = out / "vendor"
    if vendor.exists():
        shutil.rmtree(vendor)
    for src, dst in VENDOR_FILES:
        source, target = modules / src, vendor / dst
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.map"))
        else:
            shutil.copy2(source, target)
    # The widget renderer loads its icon fonts (ToggleButtons, lecture 10) from unpkg.com:
    # point that built-in address at the copy beside it.
    for js in (vendor / "html-manager").glob("*.js"):
        js.write_text(UNPKG.sub("vendor/html-manager/", js.read_text()))
    # Stored widgets: render, or a sentence, never an empty box (decks and site)
    shutil.copy2(SLIDES / "nn-widgets.js", vendor / "nn-widgets.js")
    theme = vendor / "reveal.js" / "dist" / "theme"
    simple = (theme / "simple.css").read_text()
    (theme / f"{THEME}.css").write_text(re.sub(r"@import url\([^)]*\);\s*", "", simple))


def kernel_only_widgets_as_text(nb: nbformat.NotebookNode) -> int:
    """Drop from ``nb`` (in place) the stored models of the libraries in
    :data:`nbhelpers.display.KERNEL_ONLY_WIDGETS` and every container holding one, and show
    :data:`KERNEL_ONLY_NOTE` instead of each dropped widget's view; return how many views were
    replaced."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    dropped = {k for k, m in state.items() if m.get("model_module") in KERNEL_ONLY_WIDGETS}
    while True:  # containers (VBox, HBox) of dropped models, up to the displayed one
        held = {k for k, m in state.items() if k not in dropped
                and any(f"IPY_MODEL_{d}" in json.dumps(m.get("state", {})) for d in dropped)}
        if not held:
            break
        dropped |= held
    for key in dropped:
        del state[key]
    replaced = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view and view.get("model_id") in dropped:
                output["data"] = {"text/html": f"<p><em>{KERNEL_ONLY_NOTE}</em></p>",
                                  "text/plain": KERNEL_ONLY_NOTE}
                replaced += 1
    return replaced


def lecture_title(notebook: Path) -> str:
    """The lecture's title: the notebook's ``title`` metadata if set, else its first level-1
    heading without Markdown marks, else the file's stem."""
    nb = nbformat.read(notebook, as_version=4)
    return nb.metadata.get("title") or heading_title(nb) or notebook.stem


def heading_title(nb: nbformat.NotebookNode) -> str | None:
    """The text of the notebook's first level-1 heading, without Markdown marks."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            heading = re.search(r"^#\s+(.+?)\s*#*\s*$", cell.source, re.MULTILINE)
            if heading:
                return re.sub(r"[*_`]", "", heading.group(1)).strip()
    return None


def exporter() -> SlidesExporter:
    c = Config()
    c.SlidesExporter.reveal_theme = THEME
    c.SlidesExporter.reveal_transition = "none"
    c.SlidesExporter.reveal_number = "c/t"
    c.SlidesExporter.reveal_width = str(SLIDE_WIDTH)
    c.SlidesExporter.reveal_height = str(SLIDE_HEIGHT)
    for option, url in URLS.items():
        setattr(c.SlidesExporter, option, url)
    c.SlidesExporter.extra_template_basedirs = [str(SLIDES / "templates")]
    c.SlidesExporter.template_name = "nnslides"
    return SlidesExporter(config=c)


def export(notebooks: list[Path], out: Path) -> list[Path]:
    """Write ``<out>/<name>.slides.html`` for each notebook, with vendor/ and rise.css."""
    out.mkdir(parents=True, exist_ok=True)
    copy_vendor(npm_install(), out)
    shutil.copy2(ROOT / "notebooks" / "rise.css", out / "rise.css")
    slides = exporter()
    written = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        kernel_only_widgets_as_text(nb)
        # <title> (the template adds " slides") and the handouts' PDF title: not a file name
        nb.metadata["title"] = nb.metadata.get("title") or heading_title(nb) or path.stem
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = BADGE.sub(r"[Open in Colab](\1)", cell.source)
        body, _ = slides.from_notebook_node(
            nb, resources={"metadata": {"name": path.stem, "path": str(path.parent)}}
        )
        target = out / f"{path.stem}.slides.html"
        target.write_text(body, encoding="utf-8")
        written.append(target)
        print(f"  {target}")
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default: build/slides")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    written = export(notebooks, args.out.resolve())
    print(f"{len(written)} slide decks in {args.out}; open one in a browser "
          "(arrow keys / Space to move, S for speaker notes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
