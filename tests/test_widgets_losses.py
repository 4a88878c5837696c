from __future__ import annotations

import ipywidgets as w
import matplotlib.pyplot as plt
import pytest
import torch

from nbhelpers.widgets.losses import (
    BINARY_LOSSES,
    REGRESSION_LOSSES,
    loss_and_grad,
    loss_explorer_figure,
    loss_explorer_widget,
)

P = torch.linspace(-3, 3, 61, dtype=torch.float64)


def test_regression_losses_and_gradients_match_closed_forms():
    out = loss_and_grad(task="regression", prediction=P, target=0.5)
    r = P - 0.5
    loss, grad = out["MSE"]
    assert torch.allclose(loss, r**2) and torch.allclose(grad, 2 * r)
    loss, grad = out["L1"]
    assert torch.allclose(loss, r.abs()) and torch.allclose(grad, r.sign())
    huber = torch.where(r.abs() <= 1, 0.5 * r**2, r.abs() - 0.5)
    loss, grad = out["Huber (δ=1)"]
    assert torch.allclose(loss, huber) and torch.allclose(grad, r.clamp(-1, 1))


@pytest.mark.parametrize("y", [0.0, 1.0])
def test_binary_losses_and_gradients_match_closed_forms(y):
    out = loss_and_grad(task="binary", prediction=P, target=y)
    s, t = torch.sigmoid(P), 2 * y - 1
    loss, grad = out["BCE on logit"]
    want = -(y * torch.log(s) + (1 - y) * torch.log(1 - s))
    assert torch.allclose(loss, want) and torch.allclose(grad, s - y)
    loss, grad = out["hinge"]
    margin = t * P
    assert torch.allclose(loss, (1 - margin).clamp(min=0))
    away = (margin - 1).abs() > 1e-9  # the kink
    assert torch.allclose(grad[away], torch.where(margin < 1, -t, 0.0)[away].double())
    loss, grad = out["MSE on σ(z)"]
    assert torch.allclose(loss, (s - y) ** 2) and torch.allclose(grad, 2 * (s - y) * s * (1 - s))


def test_loss_tables_are_the_documented_ones():
    assert set(REGRESSION_LOSSES) == {"MSE", "L1", "Huber (δ=1)"}
    assert set(BINARY_LOSSES) == {"BCE on logit", "hinge", "MSE on σ(z)"}


def test_bad_task_and_target_are_rejected():
    with pytest.raises(ValueError, match="task must be one of"):
        loss_and_grad(task="ranking", prediction=1.0, target=0.0)
    with pytest.raises(ValueError, match="0 or 1"):
        loss_and_grad(task="binary", prediction=1.0, target=0.5)
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
