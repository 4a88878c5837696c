"""Slide lint: every notebook in notebooks/ is a deck that fits a 1280×720 projector.

Fast (no kernel, no browser). Each rule has a name; a failure names the notebook, the cell
index and the rule, e.g. ``notebooks/03_x.ipynb cell 12 [budget-code] ...``. The rules
(see also README "Presenting"):

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
unexecuted        no code cell with source is left unexecuted
execution-order   cells were run top to bottom in one fresh kernel (``make notebooks``)
error-output      no error output unless the cell is tagged ``raises-exception``
absolute-path     no machine paths (/work/, /tmp/, /root/, /home/, /Users/, C:\\) in sources
                  or outputs
metadata          notebook has a kernelspec and exactly the RISE block of tools/nbbuild.py
widget-fallback   a cell tagged ``widget`` has a static figure (an image output) on its own
                  slide or on the slide before it
"""

from __future__ import annotations

import base64
import re
import struct
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from tools.nbbuild import (
    REPO_URL,
    SLIDE_TYPES,
    code,
    colab_badge,
    md,
    notes,
    rise_metadata,
    setup_cells,
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

MAX_CODE_LINES = 15
MAX_MARKDOWN_LINES = 12
MAX_OUTPUT_LINES = 10
MAX_IMAGES = 1
MAX_IMAGE_WIDTH = 1150
MAX_IMAGE_HEIGHT = 450

SHOWN = {"slide", "subslide", "fragment", "-"}  # cell types that appear on a slide
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


# --------------------------------------------------------------------------- helpers


def slide_type(cell) -> str | None:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def slides(nb) -> list[list[int]]:
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


def output_text_lines(output) -> int:
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


def image_mimes(output) -> list[str]:
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


def notebook_title(nb) -> str | None:
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        return None
    first = _text(nb.cells[0].source).strip().splitlines()
    if first and first[0].startswith("# "):
        return first[0][2:].strip()
    return None


# --------------------------------------------------------------------------- the lint


def lint(nb, name: str) -> list[str]:
    """All problems of notebook ``nb`` stored as ``notebooks/<name>``, one message each."""
    where = f"notebooks/{name}"
    problems: list[str] = []

    def bad(cell: int | None, rule: str, message: str) -> None:
        at = f" cell {cell}" if cell is not None else ""
        problems.append(f"{where}{at} [{rule}] {message}")

    cells = nb.cells
    if not cells:
        bad(None, "title", "the notebook has no cells")
        return problems

    # slide-type
    for i, cell in enumerate(cells):
        kind = slide_type(cell)
        if kind not in SLIDE_TYPES:
            bad(i, "slide-type", f"metadata.slideshow.slide_type is {kind!r}; set one of "
                f"{sorted(SLIDE_TYPES)} (Property Inspector, or tools/nbbuild.py)")

    # title
    first = cells[0]
    title = notebook_title(nb)
    if first.cell_type != "markdown" or slide_type(first) != "slide" or title is None:
        bad(0, "title", "the first cell must be a markdown 'slide' whose first line is "
            "'# <lecture title>' (tools/nbbuild.py setup_cells)")
    links = list(COLAB_LINK.finditer(_text(first.source)))
    stem = Path(name).stem
    slug = REPO_URL.removeprefix("https://github.com/")
    if not links or "colab-badge" not in _text(first.source):
        bad(0, "title", f"the first cell must hold the Open in Colab badge: {colab_badge(stem)}")
    else:
        for link in links:
            if link["path"] != f"notebooks/{name}" or link["slug"] != slug:
                bad(0, "title", f"the Colab badge points at {link['slug']}/.../{link['path']}, "
                    f"not at this notebook: use {colab_badge(stem)}")

    # setup
    setup = cells[1] if len(cells) > 1 else None
    if (
        setup is None
        or setup.cell_type != "code"
        or "nbhelpers.setup(" not in _text(setup.source)
        or slide_type(setup) != "skip"
    ):
        bad(1, "setup", "the second cell must be the standard setup cell "
            "(nbhelpers.setup(...), slide type skip; tools/nbbuild.py setup_cells)")

    # heading
    for i, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        lines = markdown_lines(_text(cell.source))
        nonempty = [(n, line) for n, line in enumerate(lines) if line.strip()]
        kind = slide_type(cell)
        for n, line in nonempty:
            level = len(line) - len(line.lstrip("#")) if line.startswith("#") else 0
            if not level or not line[level:level + 1].isspace():
                continue
            if level == 1 and i != 0:
                bad(i, "heading", f"'# ' is for the title slide only: {line.strip()!r} "
                    "(use '## ' for a slide, '### ' for a subslide)")
            elif level in (2, 3) and n != nonempty[0][0]:
                bad(i, "heading", f"heading {line.strip()!r} is not the first line of its "
                    "cell: split the cell so that the heading starts a new slide")
            elif level == 2 and kind != "slide":
                bad(i, "heading", f"a cell starting with '## ' must be a 'slide', not {kind!r}")
            elif level == 3 and kind != "subslide":
                bad(i, "heading", f"a cell starting with '### ' must be a 'subslide', "
                    f"not {kind!r}")

    # budgets
    for group in slides(nb):
        start, span = group[0], f"cells {group[0]}-{group[-1]}"
        code_lines = md_lines = out_lines = images = 0
        for i in group:
            cell = cells[i]
            source = _text(cell.source)
            if cell.cell_type == "code":
                code_lines += len(source.strip("\n").splitlines())
                for output in cell.get("outputs", []):
                    out_lines += output_text_lines(output)
                    images += bool(image_mimes(output))
            elif cell.cell_type == "markdown":
                md_lines += sum(1 for line in source.splitlines() if line.strip())
        for rule, value, limit, what in (
            ("budget-code", code_lines, MAX_CODE_LINES, "lines of code"),
            ("budget-markdown", md_lines, MAX_MARKDOWN_LINES, "non-empty markdown lines"),
            ("budget-output", out_lines, MAX_OUTPUT_LINES, "lines of text output"),
            ("budget-images", images, MAX_IMAGES, "images"),
        ):
            if value > limit:
                bad(start, rule, f"the slide ({span}) shows {value} {what}, more than {limit} "
                    "fit a 1280x720 slide: split it into subslides or trim it")

    # images
    for i, cell in enumerate(cells):
        for output in cell.get("outputs", []):
            for mime in image_mimes(output):
                if mime != "image/png":
                    bad(i, "image-format", f"output image is {mime}; store PNG figures only "
                        "(matplotlib inline default, no 'svg'/'retina' formats)")
                    continue
                try:
                    width, height = png_size(base64.b64decode(_text(output["data"][mime])))
                except ValueError as err:
                    bad(i, "image-format", f"image/png output is not a PNG ({err})")
                    continue
                if width > MAX_IMAGE_WIDTH or height > MAX_IMAGE_HEIGHT:
                    bad(i, "image-size", f"figure is {width}x{height} px, more than "
                        f"{MAX_IMAGE_WIDTH}x{MAX_IMAGE_HEIGHT}: use figsize <= (11, 4) at dpi 100")
        for fname, bundle in (cell.get("attachments") or {}).items():
            for mime in bundle:
                if mime.startswith("image/") and mime != "image/png":
                    bad(i, "image-format", f"attachment {fname} is {mime}; use PNG")

    # execution
    last = 0
    for i, cell in enumerate(cells):
        if cell.cell_type != "code":
            continue
        count = cell.get("execution_count")
        if count is None:
            if _text(cell.source).strip():
                bad(i, "unexecuted", "code cell was never run: run the notebook "
                    "(make notebooks) and store its outputs")
            continue
        if count <= last:
            bad(i, "execution-order", f"execution count {count} after {last}: re-run the "
                "notebook top to bottom in a fresh kernel (make notebooks)")
        last = count
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and "raises-exception" not in tags(cell):
                bad(i, "error-output", f"cell raised {output.get('ename')}: "
                    f"{output.get('evalue')} (tag the cell 'raises-exception' if intended)")

    # absolute paths
    for i, cell in enumerate(cells):
        texts = [("source", _text(cell.source))]
        for output in cell.get("outputs", []):
            texts.append(("output", _text(output.get("text", ""))))
            texts.append(("output", "\n".join(output.get("traceback", []))))
            for mime in TEXT_MIMES:
                if mime in output.get("data", {}):
                    texts.append(("output", _text(output["data"][mime])))
        for what, text in texts:
            match = ABSOLUTE_PATH.search(text)
            if match:
                line = text[: match.start()].count("\n")
                snippet = text.splitlines()[line].strip()[:80] if text.splitlines() else ""
                bad(i, "absolute-path", f"machine path {match.group(1)!r} in the {what}: "
                    f"{snippet!r} (use relative paths / tempfile, print no paths)")

    # metadata
    meta = nb.get("metadata", {})
    if not meta.get("kernelspec", {}).get("name"):
        bad(None, "metadata", "notebook metadata has no kernelspec")
    if title is not None and meta.get("rise") != rise_metadata(title):
        bad(None, "metadata", f"notebook metadata 'rise' is {meta.get('rise')!r}, expected "
            f"{rise_metadata(title)!r}: rebuild with tools/nbbuild.py notebook()")

    # widget-fallback
    groups = slides(nb)
    group_of = {i: g for g, group in enumerate(groups) for i in group}
    for i, cell in enumerate(cells):
        if "widget" not in tags(cell):
            continue
        if cell.cell_type != "code" or i not in group_of:
            bad(i, "widget-fallback", "a cell tagged 'widget' must be a code cell shown on a "
                "slide (fragment, -, slide or subslide)")
            continue
        g = group_of[i]
        before = [j for j in groups[g] if j < i] + (groups[g - 1] if g else [])
        if not any(image_mimes(o) for j in before for o in cells[j].get("outputs", [])):
            bad(i, "widget-fallback", "a widget needs a static figure (an image output) "
                "before it on the same slide or on the previous slide, for GitHub, nbval, "
                "static slides and wherever widgets do not render")
    return problems


# --------------------------------------------------------------------------- the notebooks


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_slides(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    problems = lint(nb, path.name)
    assert not problems, f"{len(problems)} slide problem(s):\n" + "\n".join(problems)


def test_rise_css_is_next_to_the_notebooks() -> None:
    """jupyterlab-rise loads `rise.css` from the notebook's folder."""
    css = (ROOT / "notebooks" / "rise.css").read_text()
    assert ".reveal" in css and "--jp-code-font-size" in css


# --------------------------------------------------------------------------- the lint itself

NAME = "99_lint_probe.ipynb"


def png_bytes(width: int, height: int) -> bytes:
    """A PNG header (signature + IHDR) of the given size: enough for png_size()."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return PNG_SIGNATURE + struct.pack(">I", 13) + b"IHDR" + ihdr + b"\0\0\0\0"


def image_output(width: int = 900, height: int = 400, mime: str = "image/png") -> dict:
    data = base64.b64encode(png_bytes(width, height)).decode()
    return nbformat.v4.new_output(
        "display_data", data={mime: data, "text/plain": "<Figure size 900x400 with 1 Axes>"}
    )


def stream(text: str) -> dict:
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def good_notebook():
    """A small notebook that passes every rule."""
    title = "Lint probe"
    cells = setup_cells(Path(NAME).stem, title, "A probe.")
    cells += [
        md("## A slide\n\nSome text.", "slide"),
        code("x = 1\nprint(x)", "fragment"),
        notes("Speaker notes."),
        md("### A subslide", "subslide"),
        code("fig = draw()", "-"),
        code("demo()", "fragment", tags=["widget"]),
        code("assert x == 1", "skip"),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "rise": rise_metadata(title),
    }
    outputs = {1: [stream("seed 0\n")], 3: [stream("1\n")], 6: [image_output()],
               7: [stream("LiveDemo(...)\n")]}
    count = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            cell.outputs = outputs.get(i, [])
    return nb


def _set(i: int, **changes) -> Callable:
    def mutate(nb):
        for key, value in changes.items():
            nb.cells[i][key] = value
    return mutate


def _slide(i: int, kind: str | None) -> Callable:
    def mutate(nb):
        if kind is None:
            nb.cells[i].metadata.pop("slideshow")
        else:
            nb.cells[i].metadata["slideshow"] = {"slide_type": kind}
    return mutate


def _insert(i: int, *cells) -> Callable:
    def mutate(nb):
        nb.cells[i:i] = list(cells)
    return mutate


def _outputs(i: int, outputs: list) -> Callable:
    def mutate(nb):
        nb.cells[i].outputs = outputs
    return mutate


def _meta(key: str, value) -> Callable:
    def mutate(nb):
        if value is None:
            nb.metadata.pop(key)
        else:
            nb.metadata[key] = value
    return mutate


def _source(i: int, text: str) -> Callable:
    return _set(i, source=text)


def _executed(cell, count: int = 99, outputs: list | None = None):
    cell.execution_count = count
    cell.outputs = outputs or []
    return cell


BAD = {
    "slide-type: missing": ("slide-type", _slide(3, None)),
    "slide-type: unknown": ("slide-type", _slide(3, "appendix")),
    "title: not a # heading": ("title", _source(0, "## Lint probe\n\n" + colab_badge("x"))),
    "title: no badge": ("title", _source(0, "# Lint probe\n\nno badge")),
    "title: badge of another notebook": (
        "title", _source(0, "# Lint probe\n\n" + colab_badge("01_other"))),
    "title: a code cell first": ("title", _insert(0, code("x = 1", "slide"))),
    "setup: missing": ("setup", lambda nb: nb.cells.pop(1)),
    "setup: shown on a slide": ("setup", _slide(1, "fragment")),
    "heading: ## on a fragment": ("heading", _slide(2, "fragment")),
    "heading: ### on a slide": ("heading", _slide(5, "slide")),
    "heading: # after the title": ("heading", _source(2, "# Another title")),
    "heading: heading inside a cell": ("heading", _source(2, "## A slide\n\ntext\n\n## B")),
    "budget-code": ("budget-code", _source(3, "\n".join(f"x{i} = {i}" for i in range(16)))),
    "budget-code over cells": (
        "budget-code", _insert(4, _executed(code("\n".join(["y = 2"] * 14), "-"), 3))),
    "budget-markdown": ("budget-markdown", _source(2, "## A slide\n" + "line\n" * 12)),
    "budget-output": ("budget-output", _outputs(3, [stream("a\n" * 11)])),
    "budget-output: text/plain": ("budget-output", _outputs(3, [nbformat.v4.new_output(
        "execute_result", data={"text/plain": "r\n" * 11}, execution_count=2)])),
    "budget-images": ("budget-images", _outputs(6, [image_output(), image_output()])),
    "image-format: svg": ("image-format", _outputs(6, [image_output(mime="image/svg+xml")])),
    "image-format: jpeg": ("image-format", _outputs(6, [image_output(mime="image/jpeg")])),
    "image-size: too wide": ("image-size", _outputs(6, [image_output(1200, 300)])),
    "image-size: too tall": ("image-size", _outputs(6, [image_output(900, 500)])),
    "unexecuted": ("unexecuted", _set(3, execution_count=None)),
    "execution-order": ("execution-order", _set(6, execution_count=1)),
    "error-output": ("error-output", _outputs(3, [nbformat.v4.new_output(
        "error", ename="ValueError", evalue="boom", traceback=["ValueError: boom"])])),
    "absolute-path: source": ("absolute-path", _source(3, "open('/work/main/x.txt')")),
    "absolute-path: output": ("absolute-path", _outputs(3, [stream("saved /tmp/abc/x.pt\n")])),
    "absolute-path: home": ("absolute-path", _outputs(3, [stream("at /home/me/data\n")])),
    "absolute-path: windows": ("absolute-path", _outputs(3, [stream("C:\\Users\\me\n")])),
    "metadata: no kernelspec": ("metadata", _meta("kernelspec", None)),
    "metadata: no rise": ("metadata", _meta("rise", None)),
    "metadata: other rise": ("metadata", _meta("rise", {**rise_metadata("Lint probe"),
                                                         "scroll": False})),
    "widget-fallback: no figure": ("widget-fallback", _outputs(6, [stream("no figure\n")])),
    "widget-fallback: figure two slides back": (
        "widget-fallback", _insert(7, md("## B", "slide"), md("## C", "slide"))),
    "widget-fallback: widget skipped": ("widget-fallback", _slide(7, "skip")),
}


def test_good_notebook_passes() -> None:
    assert lint(good_notebook(), NAME) == []


@pytest.mark.parametrize("case", list(BAD))
def test_lint_detects(case: str) -> None:
    rule, mutate = BAD[case]
    nb = good_notebook()
    mutate(nb)
    problems = lint(nb, NAME)
    assert any(f"[{rule}]" in p for p in problems), f"{case}: not detected; got {problems}"
    assert all(p.startswith(f"notebooks/{NAME}") for p in problems)


def test_messages_name_notebook_cell_and_rule() -> None:
    nb = good_notebook()
    _source(3, "\n".join(f"x{i} = {i}" for i in range(16)))(nb)
    (message,) = lint(nb, NAME)
    assert message.startswith(f"notebooks/{NAME} cell 2 [budget-code]"), message


def test_budget_ignores_skip_and_notes_cells() -> None:
    nb = good_notebook()
    nb.cells[8].source = "\n".join(["assert True"] * 30)  # a long skip cell
    nb.cells[4].source = "\n".join(["note"] * 30)  # long speaker notes
    assert lint(nb, NAME) == []


def test_slides_grouping() -> None:
    nb = good_notebook()
    assert slides(nb) == [[0], [2, 3], [5, 6, 7]]


def test_png_size_reads_the_header() -> None:
    assert png_size(png_bytes(1150, 450)) == (1150, 450)
    with pytest.raises(ValueError):
        png_size(b"GIF89a" + b"\0" * 30)
