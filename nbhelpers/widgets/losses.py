"""Lecture 04 demo: move one prediction and watch each loss and its gradient.

Two tasks share one figure:

* ``"regression"``: the prediction ŷ is a number, compared with the target y by MSE, L1 and
  Huber;
* ``"binary"``: the prediction is a logit z (a score; the probability is σ(z)) for a label
  y ∈ {0, 1}, scored by binary cross-entropy on the logit, the hinge loss (label t = 2y − 1)
  and the squared error of the probability σ(z).

``loss_explorer_figure`` draws one state (the static fallback), ``loss_explorer_widget`` puts
task, prediction and target on controls.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w
import matplotlib as mpl
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from nbhelpers.plotting import PALETTE, SLIDE_RC
from nbhelpers.widgets import LiveDemo, live, slider

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

#: Element-wise losses of a prediction ŷ and target y (same shapes).
REGRESSION_LOSSES: dict[str, LossFn] = {
    "MSE": lambda p, y: F.mse_loss(p, y, reduction="none"),
    "L1": lambda p, y: F.l1_loss(p, y, reduction="none"),
    "Huber (δ=1)": lambda p, y: F.huber_loss(p, y, reduction="none", delta=1.0),
}

#: Element-wise losses of a logit z and a label y ∈ {0, 1} (same shapes).
BINARY_LOSSES: dict[str, LossFn] = {
    "BCE on logit": lambda z, y: F.binary_cross_entropy_with_logits(z, y, reduction="none"),
    "hinge": lambda z, y: F.relu(1 - (2 * y - 1) * z),
    "MSE on σ(z)": lambda z, y: (torch.sigmoid(z) - y) ** 2,
}

TASKS = {"regression": REGRESSION_LOSSES, "binary": BINARY_LOSSES}


def _losses_for(task: str, target: float) -> dict[str, LossFn]:
    if task not in TASKS:
        raise ValueError(f"task must be one of {sorted(TASKS)}, got {task!r}")
    if task == "binary" and target not in (0, 1):
        raise ValueError(f"a binary target must be 0 or 1, got {target!r}")
    return TASKS[task]


def loss_and_grad(
    *, task: str, prediction: torch.Tensor | float, target: float
) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Each loss of ``task`` at ``prediction`` (any shape, float64) against the scalar
    ``target``, with its derivative with respect to the prediction (autograd).

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


def loss_explorer_figure(
    *,
    task: str = "regression",
    prediction: float = 1.5,
    target: float = 0.0,
    xlim: tuple[float, float] = (-4.0, 4.0),
) -> Figure:
    """Every loss of ``task`` as a function of the prediction (left) and its derivative
    (right), with a dot at ``prediction``; the legend lists the values there."""
    if not xlim[0] <= prediction <= xlim[1]:
        raise ValueError(f"prediction {prediction} is outside xlim {xlim}")
    grid = torch.linspace(*xlim, 401, dtype=torch.float64)
    curves = loss_and_grad(task=task, prediction=grid, target=target)
    here = loss_and_grad(task=task, prediction=torch.tensor([float(prediction)]), target=target)
    xname = "prediction ŷ" if task == "regression" else "logit z  (probability σ(z))"
    with mpl.rc_context(SLIDE_RC):
        fig, (ax, ax_g) = plt.subplots(1, 2, figsize=(10.5, 3.9))
        for i, (name, (loss, grad)) in enumerate(curves.items()):
            c = PALETTE[i % len(PALETTE)]
            v, g = here[name][0].item(), here[name][1].item()
            ax.plot(grid, loss, color=c, label=f"{name}: {v:.3g}")
            ax_g.plot(grid, grad, color=c, label=f"{name}: {g:+.3g}")
            ax.plot([prediction], [v], "o", color=c, ms=10, mec="k", zorder=4)
            ax_g.plot([prediction], [g], "o", color=c, ms=10, mec="k", zorder=4)
        for a in (ax, ax_g):
            a.axvline(prediction, color="0.5", lw=1, ls="--")
            a.axhline(0, color="0.4", lw=1, zorder=0)
            a.set_xlim(*xlim)
            a.set_xlabel(xname)
            a.legend(fontsize=11, loc="upper center" if task == "regression" else "best")
        ax.set_ylim(-0.2, 6)
        ax.set_title(f"loss (target {target:g})")
        ax_g.set_ylim(-2.5, 2.5) if task == "binary" else ax_g.set_ylim(-5, 5)
        ax_g.set_title("gradient d loss / d prediction")
    return fig


def loss_explorer_widget() -> LiveDemo:
    """Task, prediction and target on controls over :func:`loss_explorer_figure`."""
    controls = {
        "task": w.Dropdown(options=list(TASKS), value="regression", description="task"),
        "prediction": slider("prediction", 1.5, -4.0, 4.0, 0.1),
        "target": w.ToggleButtons(options=[0.0, 1.0], value=0.0, description="target"),
    }
    return live(
        lambda task, prediction, target: loss_explorer_figure(
            task=task, prediction=prediction, target=target
        ),
        controls,
    )
