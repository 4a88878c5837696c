"""tools/export_slides.py: what the static decks leave out (a widget that needs a kernel)."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from nbhelpers.display import KERNEL_ONLY_WIDGETS  # noqa: E402
from tools import export_slides  # noqa: E402


def _model(module: str, name: str, **state) -> dict:
    return {"model_module": module, "model_name": name, "model_module_version": "*",
            "state": state}


def _view(model_id: str) -> nbformat.NotebookNode:
    return new_output("display_data", data={
        export_slides.WIDGET_VIEW: {"model_id": model_id, "version_major": 2, "version_minor": 0},
        "text/plain": "LiveDemo(...)"})


def _notebook() -> nbformat.NotebookNode:
    state = {
        "canvas": _model(next(iter(KERNEL_ONLY_WIDGETS)), "CanvasModel"),
        "button": _model("@jupyter-widgets/controls", "ButtonModel"),
        "row": _model("@jupyter-widgets/controls", "HBoxModel",
                      children=["IPY_MODEL_canvas", "IPY_MODEL_button"]),
        "pad": _model("@jupyter-widgets/controls", "VBoxModel", children=["IPY_MODEL_row"]),
        "slider": _model("@jupyter-widgets/controls", "FloatSliderModel"),
    }
    nb = new_notebook(cells=[new_code_cell("pad", outputs=[_view("pad")]),
                             new_code_cell("slider", outputs=[_view("slider")])])
    nb.metadata.widgets = {export_slides.WIDGET_STATE: {"state": state, "version_major": 2,
                                                        "version_minor": 0}}
    return nb


def test_a_canvas_and_its_containers_become_a_sentence_other_widgets_stay():
    nb = _notebook()
    assert export_slides.kernel_only_widgets_as_text(nb) == 1
    state = nb.metadata.widgets[export_slides.WIDGET_STATE]["state"]
    assert set(state) == {"button", "slider"}           # the canvas, its row and pad are gone
    pad, slider = (cell.outputs[0]["data"] for cell in nb.cells)
    assert set(pad) == {"text/html", "text/plain"} and "running notebook" in pad["text/plain"]
    assert slider[export_slides.WIDGET_VIEW]["model_id"] == "slider"


def test_a_notebook_without_widgets_is_left_alone():
    nb = new_notebook(cells=[new_code_cell("1 + 1")])
    assert export_slides.kernel_only_widgets_as_text(nb) == 0 and "widgets" not in nb.metadata
