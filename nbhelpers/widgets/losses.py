"""Lecture 04 demo: move one prediction and watch each loss and its gradient.

The two tasks (``"regression"``: MSE, L1, Huber; ``"binary"``: BCE on the logit, hinge,
squared error of σ(z)) and :func:`~nbhelpers.losses.loss_and_grad` are in
:mod:`nbhelpers.losses`.

``loss_explorer_figure`` draws one state (the static fallback), ``loss_explorer_widget`` puts
task, prediction and target on controls.
"""

from __future__ import annotations

import ipywidgets as w
import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from nbhelpers.display import PALETTE, describe, slide_figure
from nbhelpers.losses import LOSSES_BY_TASK, loss_and_grad
from nbhelpers.widgets import LiveDemo, listing, live, num, series_style, slider


@slide_figure
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
    fig, (ax, ax_g) = plt.subplots(1, 2, figsize=(10.5, 3.9))
    for i, (name, (loss, grad)) in enumerate(curves.items()):
        c = PALETTE[i % len(PALETTE)]
        v, g = here[name][0].item(), here[name][1].item()
        ax.plot(grid, loss, color=c, label=f"{name}: {v:.3g}", **series_style(i, len(grid)))
        ax_g.plot(grid, grad, color=c, label=f"{name}: {g:+.3g}", **series_style(i, len(grid)))
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
    ax_g.set_ylim(*((-2.5, 2.5) if task == "binary" else (-5, 5)))
    ax_g.set_title("gradient d loss / d prediction")
    values = listing(f"{name} {num(here[name][0].item(), 3)} "
                     f"(gradient {num(here[name][1].item(), 3)})"
                     for name in curves)
    what = "prediction ŷ" if task == "regression" else "logit z"
    return describe(fig, (
        f"Left: each {task} loss ({listing(curves)}) against the {what} from {num(xlim[0])} "
        f"to {num(xlim[1])}, target {num(target)}; right: its derivative with respect to the "
        f"{what}. At {what} = {num(prediction, 3)}, marked by dots, the values are {values}."))


def loss_explorer_widget() -> LiveDemo:
    """Task, prediction and target on controls over :func:`loss_explorer_figure`."""
    controls = {
        "task": w.Dropdown(options=list(LOSSES_BY_TASK), value="regression", description="task"),
        "prediction": slider("prediction", 1.5, -4.0, 4.0, 0.1),
        "target": w.ToggleButtons(options=[0.0, 1.0], value=0.0, description="target"),
    }
    return live(
        lambda task, prediction, target: loss_explorer_figure(
            task=task, prediction=prediction, target=target
        ),
        controls,
    )
