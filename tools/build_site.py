"""The course website from the executed notebooks (stored outputs, never re-run): make site.

    python tools/build_site.py [--out DIR (default build/site)] [--handouts DIR (default
                               build/handouts)]

Sphinx + MyST-NB + sphinx-book-theme (configuration in site/): one page per lecture with its
outputs, figures, maths (MathJax) and stored widgets, navigation by lecture, full-text search,
a Colab launch button (``nbhelpers.REPO_URL``, branch main) and a download (.ipynb) button; the
index lists the lectures by their first heading. The notebooks are copied into ``<out>-src``
(build/site-src) with one change to their first cell: the remote Colab badge image becomes a text link and the
links to the lecture's static slides and PDF handouts are added. The static slides are exported
into ``<out>/slides/`` (tools/export_slides.py) and the handouts (``make handouts``) copied into
``<out>/handouts/``. Everything the pages load is in ``<out>``: it views offline, from disk or
any static web server. Sphinx warnings fail the build (``-W``).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import nbformat
from sphinx.cmd.build import build_main

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # ``python tools/build_site.py`` as well as ``from tools import``
from tools import export_slides  # noqa: E402

SITE = ROOT / "site"
DEFAULT_OUT = ROOT / "build" / "site"
DEFAULT_HANDOUTS = ROOT / "build" / "handouts"


def handout_names(stem: str) -> list[str]:
    """The handout files of one lecture (naming contract with tools/handouts.py)."""
    return [f"{stem}.pdf", f"{stem}-notes.pdf"]


def check_handouts(*, notebooks: list[Path], handouts: Path) -> None:
    missing = [name for nb in notebooks for name in handout_names(nb.stem)
               if not (handouts / name).is_file()]
    if missing:
        raise SystemExit(f"build_site: {len(missing)} handout PDF(s) missing in {handouts} "
                         f"(first: {missing[0]}): run make handouts first")


def links_html(stem: str) -> str:
    """The line under a lecture's title: its static slides and handouts (paths in <out>)."""
    pdf, notes = handout_names(stem)
    return (f'<p class="nn-links">Slides: <a href="slides/{stem}.slides.html">static slides'
            f'</a> Handouts: <a href="handouts/{pdf}">PDF</a> '
            f'<a href="handouts/{notes}">PDF with speaker notes</a></p>')


def page(*, notebook: Path) -> nbformat.NotebookNode:
    """The notebook as the site shows it: first cell without the remote badge, plus links;
    a widget that needs a kernel (the drawing canvas) is a sentence, as in the static decks."""
    nb = nbformat.read(notebook, as_version=4)
    export_slides.kernel_only_widgets_as_text(nb)
    first = nb.cells[0]
    if first.cell_type != "markdown" or not first.source.lstrip().startswith("# "):
        raise SystemExit(f"build_site: {notebook.name} must start with a markdown cell "
                         "holding the lecture title (# Title)")
    first.source = (export_slides.BADGE.sub(r"[Open in Colab](\1)", first.source)
                    + "\n\n" + links_html(notebook.stem))
    return nb


def prepare_source(*, notebooks: list[Path], src: Path) -> None:
    """``src``: site/ + the notebooks + the local JavaScript under _static/vendor."""
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(SITE, src, ignore=shutil.ignore_patterns("__pycache__"))
    for notebook in notebooks:
        nbformat.write(page(notebook=notebook), src / notebook.name)
    export_slides.copy_vendor(export_slides.npm_install(), src / "_static")


def build(*, out: Path, handouts: Path) -> None:
    notebooks = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    check_handouts(notebooks=notebooks, handouts=handouts)
    src = out.parent / f"{out.name}-src"  # one per output folder: builds do not collide
    prepare_source(notebooks=notebooks, src=src)
    # Sphinx writes into <out>-src/_build/html (myst-nb puts its image folder next to
    # it, in _build/jupyter_execute), then the pages move to <out>.
    html = src / "_build" / "html"
    status = build_main(["-b", "html", "-E", "-W", "--keep-going", "-j", "auto",
                         "-d", str(src / "_build" / "doctrees"), str(src), str(html)])
    if status != 0:
        raise SystemExit(f"build_site: Sphinx failed (exit {status}); see the warnings above")
    shutil.rmtree(out, ignore_errors=True)
    shutil.move(html, out)
    for notebook in notebooks:  # the download button serves the committed notebook
        shutil.copy2(notebook, out / "_sources" / notebook.name)
    export_slides.export(notebooks, out / "slides")
    (out / "handouts").mkdir()
    for notebook in notebooks:
        for name in handout_names(notebook.stem):
            shutil.copy2(handouts / name, out / "handouts" / name)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default: build/site")
    parser.add_argument("--handouts", type=Path, default=DEFAULT_HANDOUTS,
                        help="default: build/handouts (make handouts)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    build(out=args.out.resolve(), handouts=args.handouts.resolve())
    print(f"site built in {time.perf_counter() - start:.0f} s: open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
