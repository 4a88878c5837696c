"""The package's figures do not depend on global matplotlib state: each one gives the same PNG
whether or not ``setup()`` applied the slide style, and keeps the slide fonts and lines under
any other global rc."""

from __future__ import annotations

from collections.abc import Callable

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.figure import Figure
from shared import small_graph

from nbhelpers import descent, display, plotting

plt.switch_backend("Agg")


FIGURES: dict[str, Callable[[], Figure]] = {
    "plot_functions": lambda: plotting.plot_functions({"tanh": torch.tanh}, derivative=True),
    "show_images": lambda: plotting.show_images(
        torch.linspace(0, 1, 6 * 64).reshape(6, 8, 8), true=[0, 1, 2, 0, 1, 2],
        pred=[0, 2, 2, 0, 1, 1]),
    "plot_confusion": lambda: plotting.plot_confusion([0, 0, 1, 2, 2], [0, 1, 1, 2, 0]),
    "plot_kernel": lambda: plotting.plot_kernel(torch.tensor([[1.0, 0, -1], [2, 0, -2],
                                                              [1, 0, -1]])),
    "draw_graph": small_graph,
    "plot_paths": lambda: descent.plot_paths(
        "ravine", {"gd": descent.gradient_descent("ravine", lr=0.015, steps=20)}),
}


def _png(make: Callable[[], Figure]) -> str:
    fig = make()
    try:
        return display.png_bundle(fig)[0]["image/png"]
    finally:
        plt.close(fig)


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_same_png_with_and_without_setup(name):
    with mpl.rc_context():
        mpl.rcdefaults()  # a fresh kernel: setup() never ran
        without = _png(FIGURES[name])
    with mpl.rc_context():
        mpl.rcdefaults()
        display.use_slide_style()  # what setup() does to the global rc
        with_setup = _png(FIGURES[name])
    assert without == with_setup


ODD_RC = {"font.size": 6, "axes.titlesize": 5, "xtick.labelsize": 4, "lines.linewidth": 0.3,
          "figure.dpi": 50, "axes.grid": False}


@pytest.mark.parametrize("name", ["plot_functions", "plot_confusion", "plot_paths"])
def test_slide_fonts_and_lines_under_another_global_rc(name):
    with mpl.rc_context(ODD_RC):
        fig = FIGURES[name]()
        fig.canvas.draw()  # ticks are made at draw time, still under the odd rc
    try:
        ax = fig.axes[0]
        assert fig.dpi == 100
        assert {t.get_fontsize() for t in ax.get_xticklabels()} == {
            display.SLIDE_RC["xtick.labelsize"]}
        assert ax.title.get_fontsize() >= 14
        widths = [line.get_linewidth() for line in ax.lines if not line.get_label().startswith("_")]
        assert all(w >= 1.5 for w in widths)
    finally:
        plt.close(fig)
