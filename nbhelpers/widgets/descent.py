"""Lecture 05 demo: gradient descent on a loss surface with a learning-rate control.

``descent_figure`` draws one run (path on the surface, loss per step); ``descent_grid_figure``
compares a few learning rates side by side (the static fallback); ``descent_widget`` puts
surface, learning rate and number of steps on controls.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as w
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from torch import Tensor

from nbhelpers.descent import (
    draw_path,
    draw_surface,
    get_surface,
    gradient_descent,
    max_stable_lr,
    plot_paths,
    verdict,
)
from nbhelpers.display import PALETTE, slide_figure
from nbhelpers.widgets import LiveDemo, live


def _title(surface: str, lr: float, steps: int) -> tuple[str, Tensor]:
    s = get_surface(surface)
    path = gradient_descent(s, lr=lr, steps=steps)
    limit = f" (2/λ = {max_stable_lr(s.curvature):g})" if s.curvature else ""
    return f"lr = {lr:.3g}{limit}: {verdict(s, path, steps)}", path


@slide_figure
def descent_figure(*, surface: str = "parabola", lr: float = 0.1, steps: int = 20) -> Figure:
    """``steps`` steps of gradient descent with learning rate ``lr`` on ``surface`` (see
    :data:`nbhelpers.descent.SURFACES`): the path over the surface (left) and the loss gap
    per step (right), titled with how the run went."""
    title, path = _title(surface, lr, steps)
    return plot_paths(surface, {f"lr = {lr:.3g}": path}, title=title)


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
    return fig


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
