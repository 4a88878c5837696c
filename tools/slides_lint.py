"""Slide lint: every notebook in notebooks/ is a deck that fits a 1280×720 projector.

    python -m tools.slides_lint                          # every notebook in notebooks/
    python -m tools.slides_lint notebooks/04_loss_functions.ipynb [...]

Fast (no kernel, no browser). Prints one line per broken rule, naming the notebook, the cell
index and the rule, e.g. ``notebooks/03_x.ipynb: cell 12: budget-code: ...``; exit status 1
if any rule is broken, else 0 and one "ok" line. tests/test_slides_lint.py runs it on every
notebook. The rules (see also README "Presenting"):

slide-type        every cell has ``metadata.slideshow.slide_type`` (slide, subslide, fragment,
                  -, skip, notes)
title             cell 0 is a markdown ``slide`` whose first line is ``# Title`` and that holds
                  the "Open in Colab" badge for this notebook's own path
setup             cell 1 is the standard setup cell (``nbhelpers.setup(...)``, slide type skip)
heading           ``## `` starts a ``slide`` cell, ``### `` a ``subslide`` cell, ``# `` only in
                  cell 0, and a heading is always the first line of its cell
budget-*          per slide (a slide/subslide cell plus its fragment/"-" cells; skip and notes
                  cells do not show): <= 15 code lines, <= 12 non-empty markdown lines,
                  <= 10 lines of text output, <= 1 image
image-format      images are PNG (no SVG/JPEG/GIF)
image-size        PNG pixel size <= 1150 wide and <= 450 tall
image-alt         every figure says what it shows: an image output (in a cell, or in a stored
                  widget's output) carries alt text in its metadata ``{"image/png": {"alt"}}``
                  that ``nbhelpers.display.alt_problem`` accepts (not empty, not a file name,
                  not ``<Figure ...>``, at least 6 words) and a ``text/html`` ``<img>`` with the
                  same alt (``describe(fig, ...)``/``show(fig, alt=...)``, README
                  "Accessibility"); a markdown image has alt text
unexecuted        no code cell with source is left unexecuted
execution-order   cells were run top to bottom in one fresh kernel (``make notebooks``)
error-output      no error output unless the cell is tagged ``raises-exception``
absolute-path     no machine paths (/work/, /tmp/, /root/, /home/, /Users/, C:\\) in sources
                  or outputs
metadata          notebook has a kernelspec and exactly the RISE block of tools/nbbuild.py
assert-slide      a code cell that only asserts (plus imports) is a ``skip`` cell: slides show the
                  idea and its result, never test code
widget-fallback   a cell tagged ``widget`` has a static figure (an image output) on its own
                  slide or on the slide before it
slide-count       at most 28 slides (slide and subslide cells, the title included): a lecture
                  fits a 50-minute session; split a longer topic into two lectures
hidden-name       a code cell on a slide uses no name that only hidden (skip or notes) cells
                  assign: what the audience reads must not depend on code it never sees
                  (imports and the setup cell are exempt: plumbing, not the idea)
"""

from __future__ import annotations

import argparse
import ast
import base64
import html
import re
import struct
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import nbformat
from nbformat import NotebookNode

from nbhelpers.display import SLIDE_HEIGHT, SLIDE_WIDTH, alt_problem
from tools.nbbuild import REPO_URL, SLIDE_TYPES, colab_badge, rise_metadata

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

MAX_CODE_LINES = 15
MAX_MARKDOWN_LINES = 12
MAX_OUTPUT_LINES = 10
MAX_IMAGES = 1
MAX_IMAGE_WIDTH = 1150
MAX_IMAGE_HEIGHT = 450
MAX_SLIDES = 28

SHOWN = {"slide", "subslide", "fragment", "-"}  # slide types that appear on a slide
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TEXT_MIMES = ("text/plain", "text/html", "text/markdown", "text/latex", "application/json")
ABSOLUTE_PATH = re.compile(
    r"(?:^|(?<=[\s'\"(=\[,:]))(/work/|/tmp/|/root/|/home/|/Users/|[A-Za-z]:\\)"
)
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
COLAB_LINK = re.compile(
    r"\(https://colab\.research\.google\.com/github/(?P<slug>[^)\s]+?)/blob/[^/)\s]+/"
    r"(?P<path>[^)\s]+\.ipynb)\)"
)


class Problem(NamedTuple):
    """One broken rule: ``cell`` is None for a rule about the whole notebook."""

    cell: int | None
    rule: str
    message: str


Rule = Callable[[NotebookNode, str], Iterator[Problem]]


# --------------------------------------------------------------------------- reading cells


def slide_type(cell: NotebookNode) -> str | None:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")


def tags(cell: NotebookNode) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _text(value: str | list[str]) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def slides(nb: NotebookNode) -> list[list[int]]:
    """Cell indices grouped by slide: each group is a slide/subslide cell (or the first cell)
    plus the fragment/"-" cells after it. skip and notes cells belong to no group."""
    groups: list[list[int]] = []
    for i, cell in enumerate(nb.cells):
        kind = slide_type(cell) or "-"
        if kind not in SHOWN:
            continue
        if kind in ("slide", "subslide") or not groups:
            groups.append([i])
        else:
            groups[-1].append(i)
    return groups


def output_text_lines(output: NotebookNode) -> int:
    """Lines a text output takes on a slide (0 for an output shown as an image)."""
    kind = output.get("output_type")
    if kind == "stream":
        return len(_text(output.get("text", "")).rstrip("\n").splitlines())
    if kind == "error":
        return len(ANSI.sub("", "\n".join(output.get("traceback", []))).splitlines())
    data = output.get("data", {})
    if any(m.startswith("image/") for m in data):
        return 0
    if "text/plain" in data:
        return len(_text(data["text/plain"]).rstrip("\n").splitlines())
    return 0


def image_mimes(output: NotebookNode) -> list[str]:
    return [m for m in output.get("data", {}) if m.startswith("image/")]


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk; ValueError if it is not a PNG."""
    if len(data) < 24 or data[:8] != PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    return struct.unpack(">II", data[16:24])


def markdown_lines(source: str) -> list[str]:
    """Markdown lines outside fenced code blocks."""
    lines, fenced = [], False
    for line in source.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(line)
    return lines


def notebook_title(nb: NotebookNode) -> str | None:
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        return None
    first = _text(nb.cells[0].source).strip().splitlines()
    if first and first[0].startswith("# "):
        return first[0][2:].strip()
    return None


# --------------------------------------------------------------------------- the rules


def check_slide_types(nb: NotebookNode, name: str) -> Iterator[Problem]:
    for i, cell in enumerate(nb.cells):
        kind = slide_type(cell)
        if kind not in SLIDE_TYPES:
            yield Problem(i, "slide-type", f"metadata.slideshow.slide_type is {kind!r}; set one "
                          f"of {sorted(SLIDE_TYPES)} (Property Inspector, or tools/nbbuild.py)")


def check_title(nb: NotebookNode, name: str) -> Iterator[Problem]:
    first = nb.cells[0]
    if first.cell_type != "markdown" or slide_type(first) != "slide" or notebook_title(nb) is None:
        yield Problem(0, "title", "the first cell must be a markdown 'slide' whose first line "
                      "is '# <lecture title>' (tools/nbbuild.py setup_cells)")
    source, badge = _text(first.source), colab_badge(Path(name).stem)
    links = list(COLAB_LINK.finditer(source))
    if not links or "colab-badge" not in source:
        yield Problem(0, "title", f"the first cell must hold the Open in Colab badge: {badge}")
        return
    slug = REPO_URL.removeprefix("https://github.com/")
    for link in links:
        if link["path"] != f"notebooks/{name}" or link["slug"] != slug:
            yield Problem(0, "title", f"the Colab badge points at {link['slug']}/.../"
                          f"{link['path']}, not at this notebook: use {badge}")


def check_setup(nb: NotebookNode, name: str) -> Iterator[Problem]:
    setup = nb.cells[1] if len(nb.cells) > 1 else None
    if (
        setup is None
        or setup.cell_type != "code"
        or "nbhelpers.setup(" not in _text(setup.source)
        or slide_type(setup) != "skip"
    ):
        yield Problem(1, "setup", "the second cell must be the standard setup cell "
                      "(nbhelpers.setup(...), slide type skip; tools/nbbuild.py setup_cells)")


def _heading_problem(i: int, kind: str | None, line: str, first: bool) -> str | None:
    """What is wrong with heading ``line`` in cell ``i`` of slide type ``kind``, if anything;
    ``first`` says whether it is the cell's first non-empty line."""
    level = len(line) - len(line.lstrip("#"))
    if not level or not line[level:level + 1].isspace():
        return None  # not a heading ("#hashtag", "####...x")
    if level == 1 and i != 0:
        return (f"'# ' is for the title slide only: {line.strip()!r} "
                "(use '## ' for a slide, '### ' for a subslide)")
    if level in (2, 3) and not first:
        return (f"heading {line.strip()!r} is not the first line of its cell: split the cell "
                "so that the heading starts a new slide")
    want = {2: ("## ", "slide"), 3: ("### ", "subslide")}.get(level)
    if want and kind != want[1]:
        return f"a cell starting with {want[0]!r} must be a {want[1]!r}, not {kind!r}"
    return None


def check_headings(nb: NotebookNode, name: str) -> Iterator[Problem]:
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        lines = [line for line in markdown_lines(_text(cell.source)) if line.strip()]
        for n, line in enumerate(lines):
            message = _heading_problem(i, slide_type(cell), line, first=n == 0)
            if message:
                yield Problem(i, "heading", message)


def _slide_counts(nb: NotebookNode, group: list[int]) -> dict[str, int]:
    """What one slide (a group of cell indices) shows: code, markdown, output lines, images."""
    counts = {"code": 0, "markdown": 0, "output": 0, "images": 0}
    for i in group:
        cell = nb.cells[i]
        source = _text(cell.source)
        if cell.cell_type == "code":
            counts["code"] += len(source.strip("\n").splitlines())
            for output in cell.get("outputs", []):
                counts["output"] += output_text_lines(output)
                counts["images"] += bool(image_mimes(output))
        elif cell.cell_type == "markdown":
            counts["markdown"] += sum(1 for line in source.splitlines() if line.strip())
    return counts


BUDGETS = {  # what -> (limit, description)
    "code": (MAX_CODE_LINES, "lines of code"),
    "markdown": (MAX_MARKDOWN_LINES, "non-empty markdown lines"),
    "output": (MAX_OUTPUT_LINES, "lines of text output"),
    "images": (MAX_IMAGES, "images"),
}


def check_budgets(nb: NotebookNode, name: str) -> Iterator[Problem]:
    for group in slides(nb):
        counts = _slide_counts(nb, group)
        for what, (limit, description) in BUDGETS.items():
            if counts[what] > limit:
                yield Problem(group[0], f"budget-{what}", f"the slide (cells {group[0]}-"
                              f"{group[-1]}) shows {counts[what]} {description}, more than "
                              f"{limit} fit a {SLIDE_WIDTH}x{SLIDE_HEIGHT} slide: split it into "
                              "subslides or trim it")


def _image_problem(output: NotebookNode, mime: str) -> tuple[str, str] | None:
    """(rule, message) for one image of an output, or None if it is a small enough PNG."""
    if mime != "image/png":
        return ("image-format", f"output image is {mime}; store PNG figures only "
                "(matplotlib inline default, no 'svg'/'retina' formats)")
    try:
        width, height = png_size(base64.b64decode(_text(output["data"][mime])))
    except ValueError as err:
        return "image-format", f"image/png output is not a PNG ({err})"
    if width > MAX_IMAGE_WIDTH or height > MAX_IMAGE_HEIGHT:
        return ("image-size", f"figure is {width}x{height} px, more than {MAX_IMAGE_WIDTH}x"
                f"{MAX_IMAGE_HEIGHT}: use figsize <= (11, 4) at dpi 100")
    return None


def check_images(nb: NotebookNode, name: str) -> Iterator[Problem]:
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            for mime in image_mimes(output):
                found = _image_problem(output, mime)
                if found:
                    yield Problem(i, *found)
        for fname, bundle in (cell.get("attachments") or {}).items():
            for mime in bundle:
                if mime.startswith("image/") and mime != "image/png":
                    yield Problem(i, "image-format", f"attachment {fname} is {mime}; use PNG")


_IMG_ALT = re.compile(r'<img alt="([^"]*)" src="data:image/png;base64,')
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(")


def _alt_problem(output: NotebookNode) -> str | None:
    """Why an image output does not carry its alt text (None if it does)."""
    alt = output.get("metadata", {}).get("image/png", {}).get("alt")
    problem = alt_problem(alt)
    if problem:
        return (f"figure without alt text ({problem}): describe(fig, '...what it shows...') "
                "before it is shown, or show(fig, alt=...) instead of plt.show()")
    found = _IMG_ALT.match(_text(output["data"].get("text/html", "")))
    if found is None or html.unescape(found[1]) != alt:
        return ("figure whose text/html form is not <img alt=...> with its alt text: display "
                "it through nbhelpers (nbhelpers.setup() registers the figure formatters)")
    return None


def _widget_outputs(nb: NotebookNode) -> Iterator[tuple[str, NotebookNode]]:
    """(model id, output) for every output stored in a widget's state (Output widgets)."""
    state = nb.metadata.get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}).get("state", {})
    for model_id, model in state.items():
        for output in model.get("state", {}).get("outputs", []) or []:
            yield model_id, nbformat.from_dict(output)


def check_alt_text(nb: NotebookNode, name: str) -> Iterator[Problem]:
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if image_mimes(output) and (problem := _alt_problem(output)):
                yield Problem(i, "image-alt", problem)
        if cell.cell_type == "markdown":
            for alt in _MD_IMAGE.findall(_text(cell.source)):
                if not alt.strip():
                    yield Problem(i, "image-alt", "markdown image without alt text: ![what it "
                                  "shows](...)")
    for model_id, output in _widget_outputs(nb):
        if image_mimes(output) and (problem := _alt_problem(output)):
            yield Problem(None, "image-alt", f"stored widget {model_id[:8]}: {problem}")


def check_execution(nb: NotebookNode, name: str) -> Iterator[Problem]:
    last = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        count = cell.get("execution_count")
        if count is None:
            if _text(cell.source).strip():
                yield Problem(i, "unexecuted", "code cell was never run: run the notebook "
                              "(make notebooks) and store its outputs")
            continue
        if count <= last:
            yield Problem(i, "execution-order", f"execution count {count} after {last}: "
                          "re-run the notebook top to bottom in a fresh kernel (make notebooks)")
        last = count
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and "raises-exception" not in tags(cell):
                yield Problem(i, "error-output", f"cell raised {output.get('ename')}: "
                              f"{output.get('evalue')} (tag the cell 'raises-exception' if "
                              "intended)")


def _texts(cell: NotebookNode) -> Iterator[tuple[str, str]]:
    """("source" | "output", text) for the source and every text output of a cell."""
    yield "source", _text(cell.source)
    for output in cell.get("outputs", []):
        yield "output", _text(output.get("text", ""))
        yield "output", "\n".join(output.get("traceback", []))
        for mime in TEXT_MIMES:
            if mime in output.get("data", {}):
                yield "output", _text(output["data"][mime])


def check_absolute_paths(nb: NotebookNode, name: str) -> Iterator[Problem]:
    for i, cell in enumerate(nb.cells):
        for what, text in _texts(cell):
            match = ABSOLUTE_PATH.search(text)
            if match:
                line = text[: match.start()].count("\n")
                snippet = text.splitlines()[line].strip()[:80]
                yield Problem(i, "absolute-path", f"machine path {match.group(1)!r} in the "
                              f"{what}: {snippet!r} (use relative paths / tempfile, print no "
                              "paths)")


def check_metadata(nb: NotebookNode, name: str) -> Iterator[Problem]:
    meta = nb.get("metadata", {})
    if not meta.get("kernelspec", {}).get("name"):
        yield Problem(None, "metadata", "notebook metadata has no kernelspec")
    title = notebook_title(nb)
    if title is not None and meta.get("rise") != rise_metadata(title):
        yield Problem(None, "metadata", f"notebook metadata 'rise' is {meta.get('rise')!r}, "
                      f"expected {rise_metadata(title)!r}: rebuild with tools/nbbuild.py "
                      "notebook()")


def check_widget_fallback(nb: NotebookNode, name: str) -> Iterator[Problem]:
    groups = slides(nb)
    group_of = {i: g for g, group in enumerate(groups) for i in group}
    for i, cell in enumerate(nb.cells):
        if "widget" not in tags(cell):
            continue
        if cell.cell_type != "code" or i not in group_of:
            yield Problem(i, "widget-fallback", "a cell tagged 'widget' must be a code cell "
                          "shown on a slide (fragment, -, slide or subslide)")
            continue
        g = group_of[i]
        before = [j for j in groups[g] if j < i] + (groups[g - 1] if g else [])
        if not any(image_mimes(o) for j in before for o in nb.cells[j].get("outputs", [])):
            yield Problem(i, "widget-fallback", "a widget needs a static figure (an image "
                          "output) before it on the same slide or on the previous slide, for "
                          "GitHub, nbval, static slides and wherever widgets do not render")


def _only_asserts(source: str) -> bool:
    try:
        body = ast.parse(source).body
    except SyntaxError:  # IPython magics: not plain assertions
        return False
    return any(isinstance(s, ast.Assert) for s in body) and all(
        isinstance(s, ast.Assert | ast.Import | ast.ImportFrom) for s in body)


def check_assert_slides(nb: NotebookNode, name: str) -> Iterator[Problem]:
    shown = {i for group in slides(nb) for i in group}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and i in shown and _only_asserts(_text(cell.source)):
            yield Problem(i, "assert-slide", "this cell only asserts: make it a skip cell "
                          "(test code does not go on a slide)")


def check_slide_count(nb: NotebookNode, name: str) -> Iterator[Problem]:
    count = sum(slide_type(cell) in ("slide", "subslide") for cell in nb.cells)
    if count > MAX_SLIDES:
        yield Problem(None, "slide-count", f"{count} slides, at most {MAX_SLIDES} fit a "
                      "50-minute lecture: merge or cut slides, or split the lecture in two")


MAGIC = re.compile(r"^\s*[%!].*$", re.M)   # IPython magics and shell lines: not Python


def _names(source: str) -> tuple[set[str], set[str], set[str]]:
    """(assigned, imported, used) names of a cell: names bound by assignment, ``for``,
    ``with``, ``def``, ``class``, a parameter or ``except ... as``; names bound by an import;
    names read."""
    try:
        tree = ast.parse(MAGIC.sub("", source))
    except SyntaxError:
        return set(), set(), set()
    assigned, imported, used = set(), set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (used if isinstance(node.ctx, ast.Load) else assigned).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            assigned.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            imported.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.arg):
            assigned.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            assigned.add(node.name)
    return assigned, imported, used


def check_hidden_names(nb: NotebookNode, name: str) -> Iterator[Problem]:
    shown = {i for group in slides(nb) for i in group}
    seen_on_slides: set[str] = set()   # assigned or imported where the audience can see it
    hidden_only: set[str] = set()      # assigned only in skip/notes cells so far
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        assigned, imported, used = _names(_text(cell.source))
        if i in shown:
            missing = sorted((used & hidden_only) - seen_on_slides - assigned)
            if missing:
                yield Problem(i, "hidden-name", f"this slide uses {', '.join(missing)}, "
                              "assigned only in hidden (skip) cells: assign it on a slide, or "
                              "move the code that uses it to a skip cell")
        if i in shown or i == 1:          # cell 1: the setup cell (device, seeds)
            seen_on_slides |= assigned | imported
        else:
            hidden_only |= assigned
            seen_on_slides |= imported


RULES: tuple[Rule, ...] = (
    check_slide_types, check_title, check_setup, check_headings, check_budgets,
    check_images, check_alt_text, check_execution, check_absolute_paths, check_metadata, check_widget_fallback,
    check_assert_slides, check_slide_count, check_hidden_names,
)


# --------------------------------------------------------------------------- running it


def lint(nb: NotebookNode, name: str) -> list[str]:
    """Every broken rule of notebook ``nb`` stored as ``notebooks/<name>``, one line each:
    ``notebooks/<name>: cell N: rule: message`` (no ``cell N:`` for notebook-wide rules)."""
    where = f"notebooks/{name}"
    if not nb.cells:
        return [f"{where}: title: the notebook has no cells"]
    lines = []
    for rule in RULES:
        for cell, rule_name, message in rule(nb, name):
            at = f" cell {cell}:" if cell is not None else ""
            lines.append(f"{where}:{at} {rule_name}: {message}")
    return lines


def lint_file(path: Path) -> list[str]:
    """:func:`lint` of the notebook file at ``path``."""
    return lint(nbformat.read(path, as_version=4), path.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.slides_lint",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb"))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    problems = [line for path in paths for line in lint_file(path)]
    for line in problems:
        print(line)
    if problems:
        print(f"{len(problems)} slide problem(s) in {len(paths)} notebook(s)", file=sys.stderr)
        return 1
    print(f"ok: {len(paths)} notebook(s) follow the slide rules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
