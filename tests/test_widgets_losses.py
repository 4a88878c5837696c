"""nbhelpers.widgets.losses (lecture 04 loss explorer): figure and widget."""

from __future__ import annotations

import ipywidgets as w
import matplotlib.pyplot as plt
import pytest
import torch

from nbhelpers.losses import loss_and_grad
from nbhelpers.widgets.losses import loss_explorer_figure, loss_explorer_widget


def test_prediction_outside_the_plot_is_rejected():
    with pytest.raises(ValueError, match="outside xlim"):
        loss_explorer_figure(prediction=9.0)


@pytest.mark.parametrize("task", ["regression", "binary"])
def test_figure_marks_the_prediction(task):
    fig = loss_explorer_figure(task=task, prediction=-1.0, target=1.0)
    ax, ax_g = fig.axes
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    assert len(dots) == 3 and all(d.get_xdata()[0] == -1.0 for d in dots)
    values = loss_and_grad(task=task, prediction=torch.tensor([-1.0]), target=1.0)
    got = sorted(round(float(d.get_ydata()[0]), 6) for d in dots)
    assert got == sorted(round(v.item(), 6) for v, _ in values.values())
    w_in, h_in = fig.get_size_inches()
    assert w_in <= 11 and h_in <= 4
    # gradients of the binary losses lie in [-2, 2] here; MSE's slope 2(ŷ − y) needs more room
    assert ax_g.get_ylim() == ((-2.5, 2.5) if task == "binary" else (-5.0, 5.0))
    plt.close(fig)


def test_widget_redraws():
    demo = loss_explorer_widget()
    controls = [c for row in demo.children[:-1] for c in row.children]
    assert [type(c) for c in controls] == [w.Dropdown, w.FloatSlider, w.ToggleButtons]
    controls[0].value = "binary"
    controls[1].value = 2.0
    controls[2].value = 1.0
    assert "LiveDemo(controls: task, prediction, target)" in repr(demo)
    plt.close("all")
