"""Where the course corrects its source lecture notes (../shared/seeds), the lecture says so on
a slide, in one form: a quoted box "**The source notes said:** ... **In fact:** ...". The skip
cells after those slides assert the fact; this test keeps the boxes from being lost in an edit."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
BOX = ("> **The source notes said:**", "**In fact:**")

# lecture -> words of the slip, found in the box
CORRECTIONS = {
    "02_activation_functions": "not differentiable",             # ReLU: only at 0
    "04_loss_functions": r"L = \log\frac{e^{x_y}}",              # cross-entropy's sign
    "10_convolution_filters": "(7 − 3)/1 + 1 = 4",               # stride-1 output size
    "12_mnist_cnn": "F.softmax(model(img),dim=1)",               # softmax before argmax
    "13_fashion_mnist_and_practical_issues": "num_test_samples",  # test-loss averaging
    "14_cnn_regression": "num_outputs=nparams",                  # Inception3's keywords, 299 px
}


def _visible_boxes(stem: str) -> list[str]:
    nb = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "markdown"
            and c.metadata.get("slideshow", {}).get("slide_type") not in ("skip", "notes")
            and all(part in c.source for part in BOX)]


@pytest.mark.parametrize(("stem", "slip"), CORRECTIONS.items())
def test_lecture_names_the_slip_it_corrects(stem: str, slip: str):
    boxes = _visible_boxes(stem)
    assert any(slip in box for box in boxes), f"{stem}: no 'source notes said' box with {slip!r}"


def test_reading_names_the_right_chapter():
    """The source notes cite "Chapter 8: sections 9.1 to 9.3": sections 9.x are chapter 9."""
    nb = nbformat.read(ROOT / "notebooks" / "10_convolution_filters.ipynb", as_version=4)
    reading = [c.source for c in nb.cells if c.source.startswith("## Reading")]
    assert reading and "chapter 9" in reading[0]
