"""Loss surfaces and optimiser paths for the gradient-descent lecture (05).

A :class:`Surface` is a loss ``L(w)`` of one or two parameters. It takes ``w`` of shape
``(..., d)`` (``d`` = 1 or 2) and returns the loss of shape ``(...)``, so the same function
serves one point (for autograd) and a whole grid (for contour plots).

* :func:`gradient_descent` is plain gradient descent written out: ``w ← w − lr · ∇L(w)``;
* :func:`trajectory` runs any ``torch.optim`` optimiser on a surface;
* :func:`path_losses`, :func:`gradient` and :func:`verdict` read a path: the loss at each
  step, the gradient at a point, and whether the run converged;
* :func:`draw_surface` and :func:`draw_path` draw on a given axis (the lecture's widget uses
  them); :func:`plot_paths` draws several paths on one surface, with the loss per step beside it;
* :func:`spirals` is a small 2-D classification set for comparing optimisers on a network.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from nbhelpers.display import PALETTE, describe, slide_figure
from nbhelpers.plotting._common import LINESTYLES, MARKERS, num, series_style, words_list

#: A path is abandoned (the run diverged) once a parameter's size exceeds this.
DIVERGED = 1e6


@dataclass(frozen=True)
class Surface:
    """A loss surface ``L(w)`` with what is needed to draw it.

    ``f`` maps ``w`` of shape ``(..., dim)`` to ``(...)``. ``curvature`` is the largest
    eigenvalue λ of the Hessian when it is constant (a quadratic: gradient descent
    converges for lr < 2/λ), else None. ``xlim``/``ylim`` is the drawing window
    (for ``dim == 1``, ``ylim`` is the loss axis).
    """

    name: str
    formula: str
    f: Callable[[torch.Tensor], torch.Tensor]
    dim: int
    start: tuple[float, ...]
    minimum: tuple[float, ...]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    curvature: float | None = None

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        w = torch.as_tensor(w, dtype=torch.float64)
        if w.ndim == 0 or w.shape[-1] != self.dim:
            raise ValueError(
                f"surface {self.name!r} takes parameters of shape (..., {self.dim}), "
                f"got {tuple(w.shape)}"
            )
        return self.f(w)


SURFACES: dict[str, Surface] = {
    s.name: s
    for s in [
        Surface("parabola", "$L(w) = w^2$", lambda w: w[..., 0] ** 2, 1, (-2.0,), (0.0,),
                (-3.0, 3.0), (-0.5, 9.0), curvature=2.0),
        Surface("double well", "$L(w) = w^4 - 2w^2 + w/2$",
                lambda w: w[..., 0] ** 4 - 2 * w[..., 0] ** 2 + 0.5 * w[..., 0], 1, (1.8,),
                (-1.0574538,), (-2.0, 2.0), (-2.0, 6.0)),
        Surface("ravine", r"$L(w) = \frac{1}{2}(w_1^2 + 100\,w_2^2)$",
                lambda w: 0.5 * (w[..., 0] ** 2 + 100 * w[..., 1] ** 2), 2, (-4.0, 1.0),
                (0.0, 0.0), (-4.5, 1.5), (-1.5, 1.5), curvature=100.0),
        Surface("rosenbrock", "$L(w) = (1 - w_1)^2 + 100\\,(w_2 - w_1^2)^2$",
                lambda w: (1 - w[..., 0]) ** 2 + 100 * (w[..., 1] - w[..., 0] ** 2) ** 2, 2,
                (-1.5, 2.0), (1.0, 1.0), (-2.0, 2.0), (-1.0, 3.0)),
    ]
}


def get_surface(surface: str | Surface) -> Surface:
    """A :class:`Surface` by name (``parabola``, ``double well``, ``ravine``, ``rosenbrock``)."""
    if isinstance(surface, Surface):
        return surface
    if surface not in SURFACES:
        raise ValueError(f"unknown surface {surface!r}; choose one of {sorted(SURFACES)}")
    return SURFACES[surface]


def _start(surface: Surface, start: Sequence[float] | None) -> torch.Tensor:
    w = torch.tensor(surface.start if start is None else start, dtype=torch.float64).reshape(-1)
    if w.shape != (surface.dim,):
        raise ValueError(f"start must have {surface.dim} value(s) for {surface.name!r}")
    return w


def _check_steps(steps: int) -> None:
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 0:
        raise ValueError(f"steps must be an int >= 0, got {steps!r}")


def gradient_descent(
    surface: str | Surface, *, lr: float, steps: int, start: Sequence[float] | None = None
) -> torch.Tensor:
    """Plain gradient descent ``w ← w − lr · ∇L(w)`` (gradients by autograd, float64).

    Returns the path, shape ``(steps + 1, dim)``: the start and every iterate. A run that
    diverges (a parameter beyond :data:`DIVERGED` in size, or not finite) stops there, so
    the path is then shorter.
    """
    s = get_surface(surface)
    _check_steps(steps)
    if not lr > 0:
        raise ValueError(f"lr must be > 0, got {lr!r}")
    w = _start(s, start)
    path = [w.clone()]
    for _ in range(steps):
        w = w.detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(s(w), w)
        w = (w - lr * grad).detach()
        path.append(w.clone())
        if not bool(torch.isfinite(w).all()) or w.abs().max() > DIVERGED:
            break
    return torch.stack(path)


def trajectory(
    surface: str | Surface,
    optimizer: type[torch.optim.Optimizer],
    *,
    steps: int,
    start: Sequence[float] | None = None,
    **settings,
) -> torch.Tensor:
    """The path of ``optimizer(params, **settings)`` (e.g. ``torch.optim.Adam, lr=0.1``) on
    ``surface``, shape ``(steps + 1, dim)``, float64; stops early like
    :func:`gradient_descent` when the run diverges."""
    s = get_surface(surface)
    _check_steps(steps)
    if not (isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer)):
        raise TypeError(f"optimizer must be a torch.optim class such as torch.optim.SGD, "
                        f"got {optimizer!r}")
    w = _start(s, start).requires_grad_(True)
    opt = optimizer([w], **settings)
    path = [w.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        s(w).backward()
        opt.step()
        path.append(w.detach().clone())
        if not bool(torch.isfinite(w).all()) or w.abs().max() > DIVERGED:
            break
    return torch.stack(path)


def path_losses(surface: str | Surface, path: torch.Tensor) -> torch.Tensor:
    """The loss at every point of a path ``(T, dim)``: shape ``(T,)``."""
    return get_surface(surface)(path).detach()


def gradient(surface: str | Surface, w: torch.Tensor) -> torch.Tensor:
    """``∇L(w)`` at one point ``w`` of shape ``(dim,)`` (autograd, float64)."""
    s = get_surface(surface)
    w = torch.as_tensor(w, dtype=torch.float64).detach().requires_grad_(True)
    (g,) = torch.autograd.grad(s(w), w)
    return g


def verdict(surface: str | Surface, path: torch.Tensor, steps: int) -> str:
    """How a run of ``steps`` steps went: "diverges" (it stopped early or the loss grew),
    "converges" (the loss gap to the global minimum shrank below 0.1 % of the start's),
    "stuck in a local minimum" (the gradient vanished, |∇L| < 1e-3, with the gap still
    larger) or "slow" (none of these yet)."""
    s = get_surface(surface)
    loss = path_losses(s, path)
    if len(path) < steps + 1 or not bool(torch.isfinite(loss).all()) or loss[-1] > loss[0]:
        return "diverges"
    floor = s(torch.tensor(s.minimum)).item()
    if loss[-1].item() - floor <= 1e-3 * (loss[0].item() - floor):
        return "converges"
    if gradient(s, path[-1]).norm() < 1e-3:
        return "stuck in a local minimum"
    return "slow"


# ------------------------------------------------------------------------------ drawing


def draw_surface(ax: Axes, surface: str | Surface) -> None:
    """The loss curve (1-D) or log-spaced contours (2-D) of ``surface`` on ``ax``."""
    s = get_surface(surface)
    if s.dim == 1:
        w = torch.linspace(*s.xlim, 400, dtype=torch.float64)
        ax.plot(w.numpy(), s(w[:, None]).numpy(), color="0.35", lw=2, zorder=1)
        ax.set_ylim(*s.ylim)
        ax.set_xlabel("$w$")
        ax.set_ylabel("$L(w)$")
    else:
        g1 = torch.linspace(*s.xlim, 300, dtype=torch.float64)
        g2 = torch.linspace(*s.ylim, 300, dtype=torch.float64)
        w1, w2 = torch.meshgrid(g1, g2, indexing="xy")
        z = s(torch.stack([w1, w2], dim=-1)).numpy()
        floor = s(torch.tensor(s.minimum)).item()
        z = z - floor + 1e-3
        levels = np.geomspace(max(z.min(), 1e-3), z.max(), 14)
        ax.contour(w1.numpy(), w2.numpy(), z, levels=levels, colors="0.55",
                   linewidths=1, zorder=1)
        ax.plot(*s.minimum, marker="*", color="k", ms=14, zorder=4)
        ax.set_xlim(*s.xlim)
        ax.set_ylim(*s.ylim)
        ax.set_xlabel("$w_1$")
        ax.set_ylabel("$w_2$", labelpad=-2)
        ax.grid(False)


def draw_path(ax: Axes, surface: str | Surface, path: torch.Tensor, *, color: str,
              label: str | None = None, ls: str = "-", marker: str = "o") -> None:
    """A path ``(T, dim)`` as connected dots over :func:`draw_surface` (clipped to the window);
    ``ls`` and ``marker`` tell paths apart beside their colour."""
    s = get_surface(surface)
    p = path.detach().double()
    if s.dim == 1:
        x, y = p[:, 0].numpy(), s(p).numpy()
    else:
        x, y = p[:, 0].numpy(), p[:, 1].numpy()
    ax.plot(x, y, ls=ls, marker=marker, color=color, ms=4, lw=1.5, label=label, zorder=3,
            clip_on=True)
    ax.plot(x[:1], y[:1], marker=marker, ls="none", color=color, ms=9, mec="k", zorder=5)


@slide_figure
def plot_paths(surface: str | Surface, paths: Mapping[str, torch.Tensor], *,
               title: str | None = None) -> Figure:
    """Several paths on one surface (left) and their loss per step, log scale (right).

    ``paths`` maps a label to a path of shape ``(T, dim)``, e.g. from :func:`trajectory`.
    """
    s = get_surface(surface)
    if not paths:
        raise ValueError("paths is empty: pass {label: path}, e.g. from trajectory()")
    fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=(10.5, 4.0), width_ratios=[1.35, 1])
    draw_surface(ax, s)
    floor = s(torch.tensor(s.minimum)).item()
    ends = []
    for i, (label, path) in enumerate(paths.items()):
        color = PALETTE[i % len(PALETTE)]
        ls, marker = LINESTYLES[i % len(LINESTYLES)], MARKERS[i % len(MARKERS)]
        draw_path(ax, s, path, color=color, label=label, ls=ls, marker=marker)
        gap = (path_losses(s, path) - floor).clamp_min(1e-20).numpy()
        ax_loss.semilogy(np.arange(len(gap)), gap, color=color, label=label,
                         **series_style(i, points=len(gap)))
        ends.append(f"{label} ends {num(gap[-1])} above it after {len(gap) - 1} steps")
    ax.set_title(title or s.formula, fontsize=14)
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("$L(w) - L_{min}$")
    ax_loss.legend(fontsize=11, loc="best")
    ax_loss.set_title("loss per step")
    start = ", ".join(num(v) for v in next(iter(paths.values()))[0].tolist())
    where = (f"on the curve of the {s.name} loss, {plain_formula(s.formula)}, minimum at "
             f"w = {num(s.minimum[0])}" if s.dim == 1 else
             f"on contour lines of the {s.name} loss, {plain_formula(s.formula)}, for w1 from "
             f"{num(s.xlim[0])} to {num(s.xlim[1])} and w2 from {num(s.ylim[0])} to "
             f"{num(s.ylim[1])}, minimum (star) at ({', '.join(num(v) for v in s.minimum)})")
    alt = (f"{f'{title}. ' if title else ''}Left: the paths of {words_list(list(paths))} "
           f"{where}, starting (large dot) at ({start}). Right: the loss above the minimum "
           f"per step, log scale: {'; '.join(ends)}.")
    return describe(fig, alt)


def plain_formula(formula: str) -> str:
    """A surface's LaTeX formula as text a screen reader reads: ``L(w) = 1/2 (w1² + ...)``."""
    text = formula.strip("$")
    for tex, plain in ((r"\frac{1}{2}", "1/2 "), (r"\,", " "), ("^2", "²"), ("^4", "⁴"),
                       ("_1", "1"), ("_2", "2"), ("{", ""), ("}", "")):
        text = text.replace(tex, plain)
    return " ".join(text.split())


def max_stable_lr(curvature: float) -> float:
    """``2 / curvature``: gradient descent on a quadratic with largest Hessian eigenvalue
    ``curvature`` converges for any lr below this and diverges above it."""
    if not (isinstance(curvature, int | float) and math.isfinite(curvature) and curvature > 0):
        raise ValueError(f"curvature must be a positive number, got {curvature!r}")
    return 2.0 / curvature


def spirals(
    *, n: int = 200, classes: int = 3, noise: float = 0.15, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """``classes`` interleaved spiral arms of ``n`` points each in the plane (radius 0.1 to 1).

    Returns ``x`` of shape ``(n * classes, 2)`` float32 and labels ``y`` of shape
    ``(n * classes,)`` int64 (arm k has label k); ``noise`` jitters the angle.
    """
    if n < 1 or classes < 2:
        raise ValueError(f"need n >= 1 points and classes >= 2 arms, got n={n}, "
                         f"classes={classes}")
    g = torch.Generator().manual_seed(seed)
    r = torch.linspace(0.1, 1.0, n).repeat(classes)
    y = torch.arange(classes).repeat_interleave(n)
    theta = 4 * r + y * (2 * math.pi / classes) + noise * torch.randn(n * classes, generator=g)
    return torch.stack([r * torch.cos(theta), r * torch.sin(theta)], dim=1), y


#: excess losses below this are drawn at it (float32 rounding of a loss near 0.25 is ~1e-8)
EXCESS_FLOOR = 1e-7


@slide_figure
def batch_size_figure(results: Mapping) -> Figure:
    """Lecture 05's stored batch-size sweep (``measured.load("05/batch-size")``): for each
    batch size at its tuned learning rate, the training loss's excess over least squares
    (loss / least-squares loss − 1, log scale) against epochs (left) and against time
    (right), in units of one full-batch step: steps × the batch size's median measured time
    per step / full batch's. A band spans the seeds (smallest to largest), the line is their
    median; excesses below :data:`EXCESS_FLOOR` are drawn at it."""
    fig, (ax_e, ax_t) = plt.subplots(1, 2, figsize=(10.5, 3.6), sharey=True)
    n, full = results["n"], results["median_step_seconds"][str(results["n"])]
    ends = []
    for i, m in enumerate(str(b) for b in results["batch_sizes"]):
        curves = torch.tensor(results["curves"][m], dtype=torch.float64) - 1
        curves = curves.clamp_min(EXCESS_FLOOR)
        lo, mid, hi = curves.min(0).values, curves.median(0).values, curves.max(0).values
        steps = torch.arange(curves.shape[1], dtype=torch.float64) * results["keep_every"][m]
        epochs = steps * int(m) / n
        cost = steps * results["median_step_seconds"][m] / full
        label = f"m = {m}, η = {results['best_lr'][m]:.3g}"
        for ax, x, k in ((ax_e, epochs, 0), (ax_t, cost, 1)):   # log time axis: no step 0
            ax.fill_between(x[k:].numpy(), lo[k:].numpy(), hi[k:].numpy(),
                            color=PALETTE[i], alpha=0.3, lw=0)
            ax.plot(x[k:].numpy(), mid[k:].numpy(), color=PALETTE[i], label=label,
                    **series_style(i))
        level = (f"at the floor, {num(EXCESS_FLOOR)}" if mid[-1].item() <= EXCESS_FLOOR
                 else f"at {num(mid[-1].item())}")
        ends.append(f"m = {m} ends {level} after {num(epochs[-1].item())} "
                    f"epochs, {num(cost[-1].item())} full-batch steps of time")
    ax_e.set(yscale="log", xlabel="epoch", ylabel="loss / least squares − 1")
    ax_t.set(xscale="log", xlabel="time, in full-batch steps (measured)")
    ax_e.legend(fontsize=11)
    sizes = words_list([str(b) for b in results["batch_sizes"]])
    return describe(fig, (
        f"Training loss above least squares (loss / least squares − 1, log scale) for batch "
        f"sizes {sizes}, each at its tuned learning rate, median over the seeds with a band "
        f"from the lowest to the highest, against epochs (left) and against measured time "
        f"in full-batch steps (right). Median at the end: {'; '.join(ends)}."))
