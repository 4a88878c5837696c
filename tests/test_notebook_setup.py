"""Every notebook starts the same way: title + Colab badge, then the standard setup cell,
which installs nbhelpers on Colab only, seeds everything and picks the device."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tools import nbbuild  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("source, needed", [
    ("import nbhelpers.widgets.draw_digit", True),
    ("from nbhelpers.widgets import digits as d, draw_digit as draw_demo", True),
    ("from nbhelpers.widgets.draw_digit import draw_digit_widget", True),
    ("from nbhelpers.widgets import digits", False),
    ("x = 1  # draw_digit is mentioned in a comment only", False),
])
def test_custom_widget_imports_are_found_in_every_form(source, needed):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    assert nbbuild.needs_custom_widgets(nb) is needed


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_setup_cell_is_the_standard_one(path):
    nb = nbformat.read(path, as_version=4)
    setup = nb.cells[1]
    want = nbbuild.SETUP_CUSTOM_WIDGETS if nbbuild.needs_custom_widgets(nb) else nbbuild.SETUP
    assert setup.cell_type == "code" and setup.source == want, (
        f"{path.name}: cell 1 must be the standard setup cell from tools/nbbuild.py "
        "(SETUP_CUSTOM_WIDGETS where a third-party widget is used)"
    )
    assert f"notebooks/{path.name}" in nb.cells[0].source, "Colab badge must link this notebook"
    assert 'if "google.colab" in sys.modules:' in setup.source  # installs only on Colab
