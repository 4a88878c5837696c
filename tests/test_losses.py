"""nbhelpers.losses (lecture 04): every loss and its autograd gradient against closed forms."""

from __future__ import annotations

import pytest
import torch

from nbhelpers.losses import LOSSES_BY_TASK, loss_and_grad

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


def test_every_task_gives_every_loss_of_its_table():
    for task, table in LOSSES_BY_TASK.items():
        out = loss_and_grad(task=task, prediction=torch.zeros(2, 3), target=1.0)
        assert list(out) == list(table)
        assert all(v.shape == g.shape == (2, 3) for v, g in out.values())


def test_bad_task_and_target_are_rejected():
    with pytest.raises(ValueError, match="task must be one of"):
        loss_and_grad(task="ranking", prediction=1.0, target=0.0)
    with pytest.raises(ValueError, match="0 or 1"):
        loss_and_grad(task="binary", prediction=1.0, target=0.5)


