"""Functions of one variable, with their derivatives by autograd (lectures 02 and 04)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from nbhelpers.display import PALETTE, SLIDE_FIGSIZE, describe, slide_figure
from nbhelpers.plotting._common import describe_panel, num, series_style, words_list

__all__ = ["plot_functions"]


def _check_range(lim: Sequence[float], name: str) -> tuple[float, float]:
    if len(lim) != 2 or not lim[0] < lim[1]:
        raise ValueError(f"{name} must be (low, high) with low < high, got {lim!r}")
    return float(lim[0]), float(lim[1])


def _call(f: Callable, x: torch.Tensor) -> tuple[torch.Tensor, bool]:
    """``(f(x), True)`` for a function on tensors; a function that fails on tensors but works
    on NumPy arrays gets ``x.numpy()`` and returns ``(result, False)``."""
    try:
        return torch.as_tensor(f(x)), True
    except (TypeError, RuntimeError) as err:
        try:
            y = f(x.detach().numpy())
        except Exception:
            raise err from None
        return torch.as_tensor(np.asarray(y, dtype=np.float64)), False


def _values_and_slope(
    f: Callable, x: torch.Tensor, *, derivative: bool
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """f(x) and, if asked, df/dx by autograd (finite differences for NumPy-only functions)."""
    xg = x.clone().requires_grad_(derivative)
    y, on_tensors = _call(f, xg)
    if y.shape != x.shape:
        raise ValueError(
            f"a function must work element-wise: for x of shape {tuple(x.shape)} it returned "
            f"shape {tuple(y.shape)}"
        )
    if not derivative:
        return y.detach().float(), None
    if on_tensors and y.requires_grad:
        (dy,) = torch.autograd.grad(y.sum(), xg, allow_unused=True)
        dy = torch.zeros_like(x) if dy is None else dy
    elif on_tensors:  # no graph: y does not depend on x differentiably (e.g. a step)
        dy = torch.zeros_like(x)
    else:
        dy = torch.as_tensor(np.gradient(y.numpy(), x.numpy(), edge_order=2))
    return y.detach().float(), dy.detach().float()


def _labelled(funcs: Mapping[str, Callable] | Callable) -> dict[str, Callable]:
    """``{label: function}``; a single function is labelled with its ``__name__``."""
    if callable(funcs) and not isinstance(funcs, Mapping):
        funcs = {getattr(funcs, "__name__", "f"): funcs}
    if not isinstance(funcs, Mapping) or not funcs:
        raise ValueError(
            "funcs must be a non-empty dict {label: function}, e.g. {'ReLU': torch.relu}"
        )
    for label, f in funcs.items():
        if not callable(f):
            raise TypeError(f"funcs[{label!r}] is not callable")
    return {str(label): f for label, f in funcs.items()}


@slide_figure
def plot_functions(
    funcs: Mapping[str, Callable] | Callable,
    *,
    xlim: tuple[float, float] = (-5, 5),
    derivative: bool = False,
    title: str | None = None,
    ylim: tuple[float, float] | None = None,
    points: int = 400,
    ax: Axes | None = None,
) -> Figure:
    """Several functions of one variable on one axis (label -> function).

    Each function gets a 1-D float tensor x of shape (points,) and must return the same shape
    (element-wise), e.g. ``torch.sigmoid`` or ``nn.ReLU()``; a function that only works on
    NumPy arrays gets ``x.numpy()``. ``derivative=True`` adds a right panel with dy/dx from
    ``torch.autograd`` (central differences for NumPy-only functions). ``ylim`` applies to the
    function panel. ``ax`` draws into an existing axis (without the derivative panel).
    """
    funcs = _labelled(funcs)
    lo, hi = _check_range(xlim, "xlim")
    if points < 2:
        raise ValueError(f"points must be at least 2, got {points}")
    if ax is not None and derivative:
        raise ValueError("ax cannot be combined with derivative=True (that needs two panels)")
    x = torch.linspace(lo, hi, points)
    curves = {}
    for label, f in funcs.items():
        curves[label] = _values_and_slope(f, x, derivative=derivative)
    if ax is None:
        size = (10.0, 4.0) if derivative else SLIDE_FIGSIZE
        fig, grid = plt.subplots(1, 2 if derivative else 1, figsize=size, squeeze=False)
        axes = list(grid.flat)
    else:
        fig, axes = ax.figure, [ax]
    for i, (label, (y, dy)) in enumerate(curves.items()):
        style = {"color": PALETTE[i % len(PALETTE)], **series_style(i, points=points)}
        axes[0].plot(x.numpy(), y.numpy(), label=label, **style)
        if dy is not None:
            axes[1].plot(x.numpy(), dy.numpy(), label=f"{label}′", **style)
    for a in axes:
        a.axhline(0, color="0.4", lw=1, zorder=0)
        a.axvline(0, color="0.4", lw=1, zorder=0)
        a.set_xlim(lo, hi)
        a.set_xlabel("x")
        a.legend(loc="best")
    if ylim is not None:
        axes[0].set_ylim(*_check_range(ylim, "ylim"))
    if derivative:
        axes[0].set_title("f(x)")
        axes[1].set_title("derivative f′(x)")
        if title:
            fig.suptitle(title)
    elif title:
        axes[0].set_title(title)
    alt = _alt(x, curves, title=title)
    return describe(fig, alt) if ax is None else describe_panel(ax, alt, panel="plot")


def _where(x: torch.Tensor, i: int, lo: float, hi: float) -> str:
    """x[i] rounded to a step the figure resolves (about 1/50 of the range), as text."""
    step = 10.0 ** math.floor(math.log10((hi - lo) / 50))
    return num(round(x[i].item() / step) * step, 3)


def _rounder(span: float) -> Callable[[float], str]:
    """Numbers as the figure resolves them: to about 1/100 of the span drawn, 2 significant
    digits (so a grid point's 5.7e-5 next to 0 reads 0)."""
    quantum = 10.0 ** math.floor(math.log10(span / 100)) if span > 0 else 0.0

    def text(v: float) -> str:
        v = float(v)
        return num(round(v / quantum) * quantum if quantum and math.isfinite(v) else v)

    return text


def _alt(x: torch.Tensor, curves: Mapping[str, tuple[torch.Tensor, torch.Tensor | None]], *,
         title: str | None) -> str:
    """What the figure shows: each function's values at the ends of the x range and its
    interior lowest and highest point; with derivatives, where each derivative is largest."""
    lo, hi = x[0].item(), x[-1].item()

    def extremes(y: torch.Tensor) -> str:
        ok = torch.isfinite(y)
        if not ok.any():
            return "not finite anywhere"
        yy = torch.where(ok, y, torch.nan)
        span = (yy.nan_to_num(nan=0).max() - yy.nan_to_num(nan=0).min()).item() or 1.0
        r = _rounder(span)
        text = f"from {r(y[0])} to {r(y[-1])}"
        i_min, i_max = int(torch.nan_to_num(yy, nan=math.inf).argmin()), int(
            torch.nan_to_num(yy, nan=-math.inf).argmax())
        ends = (y[0].item(), y[-1].item())
        if 0 < i_min < len(y) - 1 and min(ends) - y[i_min].item() > 0.02 * span:
            text += f", lowest {r(y[i_min])} at x = {_where(x, i_min, lo, hi)}"
        if 0 < i_max < len(y) - 1 and y[i_max].item() - max(ends) > 0.02 * span:
            text += f", highest {r(y[i_max])} at x = {_where(x, i_max, lo, hi)}"
        return text

    names = words_list(list(curves))
    head = f"{title}: plot of" if title else "Plot of"
    alt = (f"{head} {names} for x from {num(lo, 3)} to {num(hi, 3)}: "
           + "; ".join(f"{k} goes {extremes(y)}" for k, (y, _) in curves.items()) + ".")
    slopes = {k: dy for k, (_, dy) in curves.items() if dy is not None}
    if slopes:
        parts = []
        for k, dy in slopes.items():
            i = int(torch.nan_to_num(dy, nan=-math.inf).argmax())
            low = dy.nan_to_num(nan=0).min().item()
            top = dy[i].item()
            r = _rounder(top - low)
            # A maximum held over a stretch (ReLU's slope 1 for x > 0) is not "at" one point.
            near = (dy >= top - 1e-4 * max(top - low, 1e-12)).nonzero().flatten()
            first, last = (_where(x, int(j), lo, hi) for j in (near[0], near[-1]))
            if first == last:
                where = f"largest at x = {_where(x, i, lo, hi)}"
            elif int(near[-1]) == len(dy) - 1:
                where = f"equal to {r(top)} for x above {first}"
            else:
                where = f"equal to {r(top)} for x from {first} to {last}"
            parts.append(f"{k}′ goes from {r(low)} to {r(top)}, {where}")
        alt += " Right panel, the derivatives: " + "; ".join(parts) + "."
    return alt
