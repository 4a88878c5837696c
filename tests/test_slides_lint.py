"""Slide lint (tools/slides_lint.py): every notebook passes, and each rule is shown to fire
on a small synthetic notebook."""

from __future__ import annotations

import base64
import re
import struct
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from tools import slides_lint
from tools.nbbuild import code, colab_badge, md, notes, rise_metadata, setup_cells
from tools.slides_lint import PNG_SIGNATURE, lint, main, png_size, slides

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


# --------------------------------------------------------------------------- the notebooks


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_slides(path: Path, capsys) -> None:
    status = main([str(path)])
    problems = capsys.readouterr().out
    assert status == 0, f"slide problems (python -m tools.slides_lint {path.name}):\n{problems}"


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


ALT = "Two curves over 10 epochs: the training loss falls below the validation loss."


def image_output(width: int = 900, height: int = 400, mime: str = "image/png",
                 alt: str | None = ALT, html_alt: str | None = None) -> dict:
    """A figure output as nbhelpers displays it (alt text in metadata, text/html, text/plain)."""
    data = base64.b64encode(png_bytes(width, height)).decode()
    bundle = {mime: data, "text/plain": alt or "<Figure size 900x400 with 1 Axes>"}
    if html_alt is not None or alt is not None:
        bundle["text/html"] = f'<img alt="{html_alt or alt}" src="data:{mime};base64,{data}">'
    metadata = {} if alt is None else {mime: {"alt": alt}}
    return nbformat.v4.new_output("display_data", data=bundle, metadata=metadata)


def _widget_image(alt: str | None):
    """A stored Output widget holding one figure."""
    def mutate(nb) -> None:
        nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
            "version_major": 2, "version_minor": 0, "state": {"abcdef0123456789": {
                "model_name": "OutputModel", "model_module": "@jupyter-widgets/output",
                "model_module_version": "1.0.0",
                "state": {"outputs": [image_output(alt=alt)]}}}}}
    return mutate


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
    "image-alt: none": ("image-alt", _outputs(6, [image_output(alt=None)])),
    "image-alt: the file name": ("image-alt", _outputs(6, [image_output(alt="fig-3.png")])),
    "image-alt: Figure repr": ("image-alt", _outputs(6, [image_output(
        alt="<Figure size 900x400 with 1 Axes>")])),
    "image-alt: too short": ("image-alt", _outputs(6, [image_output(alt="Loss curves")])),
    "image-alt: html differs": ("image-alt", _outputs(6, [image_output(html_alt="Other")])),
    "image-alt: in a widget": ("image-alt", _widget_image(alt=None)),
    "image-alt: markdown": ("image-alt", _source(2, "## A slide\n\n![](pic.png)")),
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
    "assert-slide": ("assert-slide", _source(3, "import math\nassert math.pi > 3")),
    "slide-count": ("slide-count", lambda nb: nb.cells.extend(
        md(f"## Extra {i}", "slide") for i in range(28))),
    "title: no cells at all": ("title", lambda nb: nb.cells.clear()),
    "hidden-name": ("hidden-name", lambda nb: _hide_then_use(nb, "secret = 2", "print(secret)")),
    "hidden-name: a hidden def": (
        "hidden-name", lambda nb: _hide_then_use(nb, "def helper():\n    return 2", "helper()")),
    "image-format: attachment": ("image-format", _set(
        2, attachments={"fig.gif": {"image/gif": base64.b64encode(b"GIF89a").decode()}})),
}


def _hide_then_use(nb, hidden: str, shown: str) -> None:
    """A skip cell assigns a name before the slide cell 3, which uses it."""
    nb.cells.insert(3, _executed(code(hidden, "skip"), 2))
    nb.cells[4].source = shown


@pytest.mark.parametrize("hidden, shown", [
    ("import math as m", "print(m.pi)"),               # imports are plumbing: allowed
    ("secret = 2", "secret = 3\nprint(secret)"),      # assigned on the slide itself
    ("x = 5", "print(x)"),                             # x was assigned on a slide before
])
def test_hidden_name_allows(hidden: str, shown: str) -> None:
    nb = good_notebook()
    nb.cells.insert(4, _executed(code(hidden, "skip"), 3))
    nb.cells.insert(5, _executed(code(shown, "fragment"), 3))
    assert not [p for p in lint(nb, NAME) if ": hidden-name: " in p]


def test_every_documented_rule_is_shown_to_fire() -> None:
    doc = slides_lint.__doc__.split("The rules", 1)[1]
    documented = set(re.findall(r"^([a-z*-]+)  ", doc, flags=re.M))
    documented = (documented - {"budget-*"}) | {f"budget-{what}" for what in slides_lint.BUDGETS}
    assert documented == {rule for rule, _ in BAD.values()}


def test_good_notebook_passes() -> None:
    assert lint(good_notebook(), NAME) == []


@pytest.mark.parametrize("case", list(BAD))
def test_lint_detects(case: str) -> None:
    rule, mutate = BAD[case]
    nb = good_notebook()
    mutate(nb)
    problems = lint(nb, NAME)
    assert any(f": {rule}: " in p for p in problems), f"{case}: not detected; got {problems}"
    assert all(p.startswith(f"notebooks/{NAME}") for p in problems)


def test_messages_name_notebook_cell_and_rule() -> None:
    nb = good_notebook()
    _source(3, "\n".join(f"x{i} = {i}" for i in range(16)))(nb)
    (message,) = lint(nb, NAME)
    assert message.startswith(f"notebooks/{NAME}: cell 2: budget-code: "), message


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


def test_command_line_reports_each_problem_and_fails(tmp_path: Path, capsys) -> None:
    good, bad = tmp_path / NAME, tmp_path / "bad" / NAME
    nbformat.write(good_notebook(), good)
    nb = good_notebook()
    _source(3, "\n".join(f"x{i} = {i}" for i in range(16)))(nb)
    _set(6, execution_count=1)(nb)
    bad.parent.mkdir()
    nbformat.write(nb, bad)

    assert main([str(good)]) == 0
    assert capsys.readouterr().out.startswith("ok: 1 notebook(s)")
    assert main([str(good), str(bad)]) == 1
    out = capsys.readouterr()
    assert out.out.splitlines() == [line for line in lint(nb, NAME)]
    assert [line.split(": ")[:3] for line in out.out.splitlines()] == [
        [f"notebooks/{NAME}", "cell 2", "budget-code"],
        [f"notebooks/{NAME}", "cell 6", "execution-order"],
    ]
    assert "2 slide problem(s) in 2 notebook(s)" in out.err


def test_command_line_names_a_missing_notebook(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["notebooks/no_such.ipynb"])
    assert exit_.value.code == 2
    assert "no such notebook: notebooks/no_such.ipynb" in capsys.readouterr().err


def test_a_described_figure_in_a_widget_passes() -> None:
    nb = good_notebook()
    _widget_image(alt=ALT)(nb)
    assert lint(nb, NAME) == []
