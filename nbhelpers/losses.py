"""The losses of lecture 04 as tables, and each loss with its gradient at a prediction.

Two tasks:

* ``"regression"`` (:data:`REGRESSION_LOSSES`): the prediction ŷ is a number, compared with
  the target y by MSE, L1 and Huber;
* ``"binary"`` (:data:`BINARY_LOSSES`): the prediction is a logit z (a score; the probability
  is σ(z)) for a label y ∈ {0, 1}, scored by binary cross-entropy on the logit, the hinge
  loss (label t = 2y − 1) and the squared error of the probability σ(z).

:func:`loss_and_grad` gives every loss of a task and its derivative by autograd; the loss
explorer (:mod:`nbhelpers.widgets.losses`) draws them.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

__all__ = ["BINARY_LOSSES", "LOSSES_BY_TASK", "REGRESSION_LOSSES", "ElementwiseLoss",
           "loss_and_grad"]

#: An element-wise loss: (prediction, target), same shapes -> loss of that shape.
ElementwiseLoss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

#: Element-wise losses of a prediction ŷ and target y (same shapes).
REGRESSION_LOSSES: dict[str, ElementwiseLoss] = {
    "MSE": lambda p, y: F.mse_loss(p, y, reduction="none"),
    "L1": lambda p, y: F.l1_loss(p, y, reduction="none"),
    "Huber (δ=1)": lambda p, y: F.huber_loss(p, y, reduction="none", delta=1.0),
}

#: Element-wise losses of a logit z and a label y ∈ {0, 1} (same shapes).
BINARY_LOSSES: dict[str, ElementwiseLoss] = {
    "BCE on logit": lambda z, y: F.binary_cross_entropy_with_logits(z, y, reduction="none"),
    "hinge": lambda z, y: F.relu(1 - (2 * y - 1) * z),
    "MSE on σ(z)": lambda z, y: (torch.sigmoid(z) - y) ** 2,
}

#: Task name -> its table of losses.
LOSSES_BY_TASK: dict[str, dict[str, ElementwiseLoss]] = {
    "regression": REGRESSION_LOSSES,
    "binary": BINARY_LOSSES,
}


def _losses_for(task: str, target: float) -> dict[str, ElementwiseLoss]:
    if task not in LOSSES_BY_TASK:
        raise ValueError(f"task must be one of {sorted(LOSSES_BY_TASK)}, got {task!r}")
    if task == "binary" and target not in (0, 1):
        raise ValueError(f"a binary target must be 0 or 1, got {target!r}")
    return LOSSES_BY_TASK[task]


def loss_and_grad(
    *, task: str, prediction: torch.Tensor | float, target: float
) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Each loss of ``task`` at ``prediction`` (any shape, computed in float64) against the
    scalar ``target``, with its derivative with respect to the prediction (autograd).

    Returns ``{name: (loss, dloss/dprediction)}``, both of the prediction's shape.
    """
    fns = _losses_for(task, target)
    p = torch.as_tensor(prediction, dtype=torch.float64)
    out = {}
    for name, fn in fns.items():
        x = p.detach().clone().requires_grad_(True)
        loss = fn(x, torch.full_like(x, float(target)))
        (grad,) = torch.autograd.grad(loss.sum(), x)
        out[name] = (loss.detach(), grad)
    return out
