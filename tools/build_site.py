"""The course website from the executed notebooks (stored outputs, never re-run): make site.

    python tools/build_site.py [--out DIR (default build/site)] [--handouts DIR (default
                               build/handouts)] [--no-solutions]

The site is the student's edition (student/, tools/student_copies.py): exercises blank, no
stored verdicts. Under each blank answer a "Show a solution" block, closed until a student opens
it, holds the lecturer's worked answer, and the lecturer's handout is linked under the title;
``--no-solutions`` (``make site SOLUTIONS=no``) leaves both out, for graded use.

Sphinx + MyST-NB + sphinx-book-theme (configuration in site/): one page per lecture with its
outputs, figures, maths (MathJax) and stored widgets, navigation by lecture, full-text search,
a Colab launch button (``nbhelpers.REPO_URL``, branch main) and a download (.ipynb) button; the
index lists the lectures by their first heading. The student's edition is copied into
``<out>-src`` (build/site-src) with the solution blocks and one change to the first cell: the
remote Colab badge image becomes a text link and the links to the lecture's static slides and
PDF handouts are added. The static slides of the student's edition are exported into
``<out>/slides/`` (tools/export_slides.py) and the handouts (``make handouts``) copied into
``<out>/handouts/``. Everything the pages load is in ``<out>``: it views offline, from disk or
any static web server. Sphinx warnings fail the build (``-W``).

A build replaces ``<out>`` and ``<out>-src`` only if they are missing, empty or hold the marker
file (``.built-by-build_site``) that it writes into both: ``--out .`` or any folder of your own
is refused before anything is deleted.
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
from tools import export_slides, handouts, student_copies  # noqa: E402

SITE = ROOT / "site"
DEFAULT_OUT = ROOT / "build" / "site"
DEFAULT_HANDOUTS = ROOT / "build" / "handouts"
#: Written into every folder a build makes (<out>, <out>-src): the next build may replace it.
MARKER = ".built-by-build_site"


SOLUTION = """<details class="nn-solution">
<summary>Show a solution</summary>

````python
{code}
````

</details>"""


def handout_names(stem: str, *, solutions: bool) -> list[str]:
    """The handouts the site links for one lecture (names from tools/handouts.py)."""
    names = handouts.handout_names(stem)
    return [names["slides"], names["notes"], *([names["lecturer"]] if solutions else [])]


def check_handouts(*, notebooks: list[Path], handouts: Path, solutions: bool) -> None:
    missing = [name for nb in notebooks for name in handout_names(nb.stem, solutions=solutions)
               if not (handouts / name).is_file()]
    if missing:
        raise SystemExit(f"build_site: {len(missing)} handout PDF(s) missing in {handouts} "
                         f"(first: {missing[0]}): run make handouts first")


def links_html(stem: str, *, solutions: bool) -> str:
    """The line under a lecture's title: its static slides and handouts (paths in <out>)."""
    pdf, notes, *lecturer = handout_names(stem, solutions=solutions)
    html = (f'<p class="nn-links">Slides: <a href="slides/{stem}.slides.html">static slides'
            f'</a> Handouts: <a href="handouts/{pdf}">PDF</a> '
            f'<a href="handouts/{notes}">PDF with speaker notes</a>')
    if lecturer:
        html += f' <a href="handouts/{lecturer[0]}">lecturer\'s PDF (with the solutions)</a>'
    return html + "</p>"


def with_solutions(edition: nbformat.NotebookNode,
                   lecture: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``edition`` (the student's) with a closed "Show a solution" block after each blank
    answer, holding the answer cell of ``lecture`` (the lecturer's edition)."""
    cells = []
    for mine, theirs in zip(edition.cells, lecture.cells, strict=True):
        cells.append(mine)
        if student_copies.is_answer(theirs):
            block = nbformat.v4.new_markdown_cell(SOLUTION.format(code=theirs.source.rstrip()))
            block.id = f"{theirs.id}-solution"[:64]
            block.metadata["slideshow"] = {"slide_type": "skip"}
            cells.append(block)
    edition.cells = cells
    return edition


def page(*, notebook: Path, solutions: bool = True) -> nbformat.NotebookNode:
    """The student's edition of ``notebook`` as the site shows it: its solutions in closed
    blocks (unless ``solutions`` is False), first cell without the remote badge, plus links; a
    widget that needs a kernel (the drawing canvas) is a sentence, as in the static decks."""
    nb = nbformat.read(student_copies.STUDENT / notebook.name, as_version=4)
    if solutions:
        nb = with_solutions(nb, nbformat.read(notebook, as_version=4))
    export_slides.kernel_only_widgets_as_text(nb)
    first = nb.cells[0]
    if first.cell_type != "markdown" or not first.source.lstrip().startswith("# "):
        raise SystemExit(f"build_site: {notebook.name} must start with a markdown cell "
                         "holding the lecture title (# Title)")
    first.source = (export_slides.BADGE.sub(r"[Open in Colab](\1)", first.source)
                    + "\n\n" + links_html(notebook.stem, solutions=solutions))
    return nb


def check_replaceable(folder: Path) -> None:
    """Refuse (SystemExit) to replace ``folder`` unless it is missing, empty or was made by
    this tool (holds ``MARKER``)."""
    if not folder.exists():
        return
    if not folder.is_dir():
        raise SystemExit(f"build_site: {folder} is a file, not a folder: choose another --out")
    if any(folder.iterdir()) and not (folder / MARKER).is_file():
        raise SystemExit(f"build_site: {folder} is not empty and was not made by build_site "
                         f"(no {MARKER} in it), and a build replaces it: choose an empty or new "
                         "folder for --out (its <out>-src too), or delete this one yourself")


def prepare_source(*, notebooks: list[Path], src: Path, solutions: bool) -> None:
    """``src``: site/ + the lecture pages + the local JavaScript under _static/vendor."""
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(SITE, src, ignore=shutil.ignore_patterns("__pycache__"))
    (src / MARKER).touch()
    for notebook in notebooks:
        nbformat.write(page(notebook=notebook, solutions=solutions), src / notebook.name)
    export_slides.copy_vendor(export_slides.npm_install(), src / "_static")


def build(*, out: Path, handouts: Path, solutions: bool = True) -> None:
    src = out.parent / f"{out.name}-src"  # one per output folder: builds do not collide
    check_replaceable(out)
    check_replaceable(src)
    notebooks = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    stale = student_copies.out_of_date()
    if stale:
        raise SystemExit(f"build_site: student/ is out of date ({', '.join(stale)}): "
                         "run make student first")
    check_handouts(notebooks=notebooks, handouts=handouts, solutions=solutions)
    prepare_source(notebooks=notebooks, src=src, solutions=solutions)
    # Sphinx writes into <out>-src/_build/html (myst-nb puts its image folder next to
    # it, in _build/jupyter_execute), then the pages move to <out>.
    html = src / "_build" / "html"
    status = build_main(["-b", "html", "-E", "-W", "--keep-going", "-j", "auto",
                         "-d", str(src / "_build" / "doctrees"), str(src), str(html)])
    if status != 0:
        raise SystemExit(f"build_site: Sphinx failed (exit {status}); see the warnings above")
    shutil.rmtree(out, ignore_errors=True)
    shutil.move(html, out)
    (out / MARKER).touch()
    editions = [student_copies.STUDENT / notebook.name for notebook in notebooks]
    for edition in editions:  # the download button serves the committed student's edition
        shutil.copy2(edition, out / "_sources" / edition.name)
    export_slides.export(editions, out / "slides")
    (out / "handouts").mkdir()
    for notebook in notebooks:
        for name in handout_names(notebook.stem, solutions=solutions):
            shutil.copy2(handouts / name, out / "handouts" / name)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default: build/site")
    parser.add_argument("--handouts", type=Path, default=DEFAULT_HANDOUTS,
                        help="default: build/handouts (make handouts)")
    parser.add_argument("--no-solutions", action="store_true",
                        help="no solution blocks and no lecturer's handout (for graded use)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    build(out=args.out.resolve(), handouts=args.handouts.resolve(),
          solutions=not args.no_solutions)
    print(f"site built in {time.perf_counter() - start:.0f} s: open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
