"""Functions of one variable, with their derivatives by autograd (lectures 02 and 04)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from nbhelpers.display import PALETTE, SLIDE_FIGSIZE, slide_figure

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
        color = PALETTE[i % len(PALETTE)]
        axes[0].plot(x.numpy(), y.numpy(), color=color, label=label)
        if dy is not None:
            axes[1].plot(x.numpy(), dy.numpy(), color=color, label=f"{label}′")
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
    return fig
