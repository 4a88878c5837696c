"""Every notebook has a text form with the same cells, and every text form has its notebook.

notebooks/jupytext.toml pairs ``notebooks/NAME.ipynb`` with ``notebooks/text/NAME.py``
(jupytext py:percent: a ``# %%`` line per cell holding its slide type and tags; no outputs).
The two must agree on every cell's type, source, slide type and tags; a failure names the
notebook and the command that fixes it (``make sync``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import jupytext
import nbformat
import pytest
from jupytext.config import load_jupytext_config
from jupytext.formats import long_form_multiple_formats
from jupytext.paired_paths import paired_paths
from nbformat import NotebookNode

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))
FIX = ("run `make sync` (the file saved last gives the cells; re-run the notebook with "
       "`make notebooks` if its code changed)")


def text_format(folder: Path) -> tuple[str, dict]:
    """The pairing jupytext applies in ``folder`` (from its jupytext.toml): the formats string
    and the text format, e.g. ``("ipynb,text//py:percent", {"prefix": "text/", ...})``."""
    config = load_jupytext_config(str(folder / "any.ipynb"))
    assert config is not None and len(config.formats) == 1, (
        f"{folder}: expected one jupytext pairing in {folder / 'jupytext.toml'}")
    (formats,) = config.formats
    ipynb, text = long_form_multiple_formats(formats)
    assert ipynb["extension"] == ".ipynb", formats
    return formats, text


def text_form(ipynb: Path) -> Path:
    """The text file paired with notebook ``ipynb``."""
    formats, text = text_format(ipynb.parent)
    pairs = paired_paths(str(ipynb), "ipynb", formats)
    return Path(next(path for path, fmt in pairs if fmt == text))


def notebook_of(text: Path, folder: Path) -> Path:
    """The notebook paired with text file ``text`` of notebook folder ``folder``."""
    formats, fmt = text_format(folder)
    pairs = paired_paths(str(text), fmt, formats)
    return Path(next(path for path, f in pairs if f["extension"] == ".ipynb"))


def unpaired(folder: Path) -> list[str]:
    """One message per notebook of ``folder`` without a text form and per text form without
    a notebook."""
    _, fmt = text_format(folder)
    notebooks = sorted(folder.glob("*.ipynb"))
    texts = sorted((folder / fmt.get("prefix", "")).glob(f"*{fmt['extension']}"))
    lonely = [f"{nb.name} has no text form {text_form(nb).relative_to(folder)}: {FIX}"
              for nb in notebooks if not text_form(nb).is_file()]
    lonely += [f"{text.relative_to(folder)} has no notebook {notebook_of(text, folder).name}: "
               f"{FIX}, or delete it" for text in texts if not notebook_of(text, folder).is_file()]
    return lonely


def cell_view(cell: NotebookNode) -> tuple[str, str, str | None, list[str]]:
    """What a pair must agree on: cell type, source, slide type, tags. Trailing newlines of
    a source do not count (py:percent drops one at the end of a code cell)."""
    meta = cell.get("metadata", {})
    return (cell.cell_type, cell.source.rstrip("\n"), meta.get("slideshow", {}).get("slide_type"),
            list(meta.get("tags", [])))


def differences(ipynb: Path, text: Path) -> list[str]:
    """How the cells of notebook ``ipynb`` and of its text form ``text`` differ (empty: agree)."""
    ours = [cell_view(c) for c in nbformat.read(ipynb, as_version=4).cells]
    theirs = [cell_view(c) for c in jupytext.read(text).cells]
    found = []
    if len(ours) != len(theirs):
        found.append(f"{len(ours)} cells in the notebook, {len(theirs)} in the text form")
    fields = ("cell type", "source", "slide type", "tags")
    # zip stops at the shorter list: a length mismatch is reported above
    for i, (a, b) in enumerate(zip(ours, theirs, strict=False)):
        for field, x, y in zip(fields, a, b, strict=True):
            if field == "source" and x != y:
                x, y, field = _first_different_line(x, y)
            if x != y:
                found.append(f"cell {i}: {field} {_short(x)} in the notebook, {_short(y)} in "
                             "the text form")
    return found


def _first_different_line(x: str, y: str) -> tuple[str | None, str | None, str]:
    """The first line where sources ``x`` and ``y`` differ, and "source line N" (the whole
    sources and "source" when they differ only in line endings)."""
    ours, theirs = x.splitlines(), y.splitlines()
    if ours == theirs:
        return x, y, "source"
    n = next((n for n, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b),
             min(len(ours), len(theirs)))
    a, b = (lines[n] if n < len(lines) else None for lines in (ours, theirs))
    return a, b, f"source line {n + 1}"


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 70 else text[:67] + "..."


def disagreement(ipynb: Path) -> str:
    """A test failure message for notebook ``ipynb``, or "" when it agrees with its pair."""
    text = text_form(ipynb)
    found = differences(ipynb, text)
    if not found:
        return ""
    shown = "\n  ".join(found[:5]) + (f"\n  ... {len(found) - 5} more" if len(found) > 5 else "")
    return (f"notebooks/{ipynb.name} and notebooks/{text.relative_to(ipynb.parent)} disagree:\n"
            f"  {shown}\n{FIX}")


# --------------------------------------------------------------------------- the notebooks


def test_every_notebook_has_a_text_form_and_back() -> None:
    assert NOTEBOOKS, "no notebooks found in notebooks/"
    lonely = unpaired(FOLDER)
    assert not lonely, "\n".join(lonely)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_and_text_form_agree(path: Path) -> None:
    if not text_form(path).is_file():
        pytest.skip("no text form (test_every_notebook_has_a_text_form_and_back fails)")
    message = disagreement(path)
    assert not message, message


# --------------------------------------------------------------------------- the check itself


@pytest.fixture
def pair(tmp_path: Path) -> Path:
    """A copy of one notebook, its text form and jupytext.toml; returns the copy's .ipynb."""
    folder = tmp_path / "notebooks"
    source = FOLDER / "00_start_here.ipynb"
    text = text_form(source)
    target = folder / text.relative_to(FOLDER)
    target.parent.mkdir(parents=True)
    shutil.copy2(FOLDER / "jupytext.toml", folder / "jupytext.toml")
    shutil.copy2(source, folder / source.name)
    shutil.copy2(text, target)
    return folder / source.name


def _edit_text_form(ipynb: Path, old: str, new: str) -> None:
    text = text_form(ipynb)
    content = text.read_text()
    assert old in content
    text.write_text(content.replace(old, new, 1))


def test_a_copied_pair_agrees(pair: Path) -> None:
    assert disagreement(pair) == "" and unpaired(pair.parent) == []


@pytest.mark.parametrize("old,new,field", [
    ("nbhelpers.setup(seed=0)", "nbhelpers.setup(seed=1)", "source"),
    ('slideshow={"slide_type": "skip"}', 'slideshow={"slide_type": "fragment"}', "slide type"),
    ("# %% [markdown] slideshow", "# %% slideshow", "cell type"),
])
def test_an_edited_text_form_is_caught(pair: Path, old: str, new: str, field: str) -> None:
    _edit_text_form(pair, old, new)
    message = disagreement(pair)
    assert message.startswith(f"notebooks/{pair.name} and notebooks/text/{pair.stem}.py "
                              "disagree:"), message
    assert f": {field} " in message and "make sync" in message, message
    if field == "source":
        assert "source line 6 'device = nbhelpers.setup(seed=0)' in the notebook, " in message


def test_changed_tags_are_caught(pair: Path) -> None:
    nb = nbformat.read(pair, as_version=4)
    nb.cells[1].metadata["tags"] = ["answer"]
    nbformat.write(nb, pair)
    assert "cell 1: tags ['answer'] in the notebook, [] in the text form" in disagreement(pair)


def test_a_dropped_cell_is_caught(pair: Path) -> None:
    nb = nbformat.read(pair, as_version=4)
    count = len(nb.cells)
    nb.cells.pop()
    nbformat.write(nb, pair)
    assert f"{count - 1} cells in the notebook, {count} in the text form" in disagreement(pair)


def test_outputs_are_not_compared(pair: Path) -> None:
    nb = nbformat.read(pair, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, pair)
    assert disagreement(pair) == ""


def test_a_missing_or_orphaned_text_form_is_caught(pair: Path) -> None:
    folder = pair.parent
    text = text_form(pair)
    text.rename(text.with_name("zz_renamed.py"))
    assert unpaired(folder) == [
        f"{pair.name} has no text form text/{pair.stem}.py: {FIX}",
        f"text/zz_renamed.py has no notebook zz_renamed.ipynb: {FIX}, or delete it",
    ]


def test_the_text_format_keeps_cell_types_slide_types_and_tags() -> None:
    """py:percent stores what a deck needs: markdown, raw and code cells, each with its slide
    type and tags, and magics; reading it back gives the same cells."""

    def meta(kind: str, *tags: str) -> dict:
        return {"slideshow": {"slide_type": kind}, **({"tags": list(tags)} if tags else {})}

    cells = [
        nbformat.v4.new_markdown_cell("# Title\n\n*text*", metadata=meta("slide")),
        nbformat.v4.new_code_cell("%pip install -q x\nimport sys", metadata=meta("skip")),
        nbformat.v4.new_raw_cell("raw <b>text</b>", metadata=meta("notes")),
        nbformat.v4.new_code_cell("answer = 42\n", metadata=meta("fragment", "answer")),
        nbformat.v4.new_markdown_cell("### Sub\n\n```python\nx = 1\n```",
                                      metadata=meta("subslide")),
        nbformat.v4.new_code_cell("demo()", metadata=meta("-", "widget", "raises-exception")),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    _, fmt = text_format(FOLDER)
    back = jupytext.reads(jupytext.writes(nb, fmt=fmt), fmt=fmt)
    assert [cell_view(c) for c in back.cells] == [cell_view(c) for c in cells]
