"""Lecture 05 demo: gradient descent on a loss surface with a learning-rate control.

``descent_figure`` draws one run (path on the surface, loss per step); ``descent_grid_figure``
compares a few learning rates side by side (the static fallback); ``descent_widget`` puts
surface, learning rate and number of steps on controls.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as w
import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure
from torch import Tensor

from nbhelpers.descent import (
    draw_path,
    draw_surface,
    get_surface,
    gradient_descent,
    max_stable_lr,
    path_losses,
    plot_paths,
    verdict,
)
from nbhelpers.display import PALETTE, describe, slide_figure
from nbhelpers.widgets import LiveDemo, live, num


def _title(surface: str, lr: float, steps: int) -> tuple[str, Tensor]:
    s = get_surface(surface)
    path = gradient_descent(s, lr=lr, steps=steps)
    limit = f" (2/λ = {max_stable_lr(s.curvature):g})" if s.curvature else ""
    return f"lr = {lr:.3g}{limit}: {verdict(s, path, steps)}", path


def _gap(value: float) -> str:
    return "below 1e-12" if value < 1e-12 else num(value)


def _run_words(surface: str, lr: float, steps: int) -> str:
    """One run in words: the verdict and the loss gap L(w) − L_min at the start and the end."""
    s = get_surface(surface)
    path = gradient_descent(s, lr=lr, steps=steps)
    floor = s(torch.tensor(s.minimum)).item()
    gap = (path_losses(s, path) - floor).tolist()
    taken = len(path) - 1
    stop = "" if taken == steps else f" and the run stops after {taken} of {steps} steps"
    how = "grows" if gap[-1] > gap[0] else "falls"
    return (f"Learning rate {num(lr, 3)}: {verdict(s, path, steps)}; the loss gap "
            f"L(w) − L_min {how} from {_gap(gap[0])} to {_gap(gap[-1])} in {taken} "
            f"step{'s' * (taken != 1)}{stop}")


def _surface_words(surface: str) -> str:
    s = get_surface(surface)
    formula = s.formula.strip("$").replace("\\frac{1}{2}", "½").replace("\\,", " ")
    limit = (f", curvature λ = {num(s.curvature, 3)} so the learning rate must stay below "
             f"2/λ = {num(max_stable_lr(s.curvature), 3)}" if s.curvature else "")
    return f"the {s.name} surface {formula}{limit}"


@slide_figure
def descent_figure(*, surface: str = "parabola", lr: float = 0.1, steps: int = 20) -> Figure:
    """``steps`` steps of gradient descent with learning rate ``lr`` on ``surface`` (see
    :data:`nbhelpers.descent.SURFACES`): the path over the surface (left) and the loss gap
    per step (right), titled with how the run went."""
    title, path = _title(surface, lr, steps)
    fig = plot_paths(surface, {f"lr = {lr:.3g}": path}, title=title)
    return describe(fig, (
        f"Gradient descent for {steps} steps on {_surface_words(surface)}. Left: the path of "
        f"the parameters over the surface; right: the loss gap per step, log scale. "
        f"{_run_words(surface, lr, steps)}."))


@slide_figure
def descent_grid_figure(
    *, surface: str = "parabola", lrs: Sequence[float] = (0.05, 0.4, 1.02), steps: int = 12
) -> Figure:
    """One panel per learning rate in ``lrs`` (at most 4; four share the 11 in slide width):
    the gradient-descent path on ``surface``, titled with the learning rate and how the run
    went."""
    if not 1 <= len(lrs) <= 4:
        raise ValueError(f"give 1 to 4 learning rates, got {len(lrs)}")
    s = get_surface(surface)
    n = len(lrs)
    fig, axes = plt.subplots(1, n, figsize=(min(11.0, 3.5 * n), 3.6), squeeze=False)
    for i, (ax, lr) in enumerate(zip(axes[0], lrs, strict=True)):
        path = gradient_descent(s, lr=lr, steps=steps)
        draw_surface(ax, s)
        draw_path(ax, s, path, color=PALETTE[i % len(PALETTE)])
        ax.set_title(f"lr = {lr:g}\n{verdict(s, path, steps)}", fontsize=14 if n < 4 else 13)
        if i:
            ax.set_ylabel("")
    if s.curvature:
        fig.suptitle(f"{s.formula}: curvature λ = {s.curvature:g}, so lr must stay below "
                     f"2/λ = {max_stable_lr(s.curvature):g}", fontsize=14)
    runs = ". ".join(_run_words(surface, lr, steps) for lr in lrs)
    return describe(fig, (
        f"{n} panel{'s' * (n > 1)}, one per learning rate, each the path of {steps} steps of "
        f"gradient descent on {_surface_words(surface)}. {runs}."))


def descent_widget() -> LiveDemo:
    """Surface, learning rate (log scale) and number of steps on controls over
    :func:`descent_figure`."""
    controls = {
        "surface": w.Dropdown(options=["parabola", "double well", "ravine", "rosenbrock"],
                              value="parabola", description="surface"),
        "lr": w.FloatLogSlider(value=0.1, base=10, min=-4, max=0.3, step=0.05,
                               description="learning rate", readout_format=".3g",
                               style={"description_width": "initial"},
                               layout=w.Layout(width="320px")),
        "steps": w.IntSlider(value=20, min=1, max=200, description="steps",
                             style={"description_width": "initial"}),
    }
    return live(lambda surface, lr, steps: descent_figure(surface=surface, lr=lr, steps=steps),
                controls)
