"""Lecture 03 demos: universal approximation in 1-D, fits of growing width.

The notebook trains one network per width (``nets = {width: model}``, each mapping (N, 1)
inputs to (N, 1) outputs) on points ``x`` (N, 1) of a target ``y`` (N, 1); these functions
draw them (their outputs and errors come from :mod:`nbhelpers.approximation`):

* ``fits_figure(x, y, nets)``: static fallback, one panel per width;
* ``error_figure(x, y, nets)``: mean squared error against width (log-log);
* ``approximation_figure(x, y, nets, width)`` and ``approximation_widget(x, y, nets)``: a
  width slider over the precomputed fits.
"""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as w
import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch import nn

from nbhelpers.approximation import net_mse, net_output
from nbhelpers.display import PALETTE, describe, slide_figure
from nbhelpers.widgets import LiveDemo, listing, live, num


def _check(x: torch.Tensor, y: torch.Tensor, nets: Mapping[int, nn.Module]) -> None:
    if not isinstance(x, torch.Tensor) or x.ndim != 2 or x.shape[1] != 1:
        raise ValueError(f"x must be a tensor of shape (N, 1), got {getattr(x, 'shape', x)}")
    if not isinstance(y, torch.Tensor) or y.shape != x.shape:
        raise ValueError(f"y must have x's shape {tuple(x.shape)}, got {getattr(y, 'shape', y)}")
    if not nets:
        raise ValueError("nets is empty: pass {width: trained model}, e.g. {1: net1, 10: net10}")


def _draw_fit(ax: Axes, x: torch.Tensor, y: torch.Tensor, net: nn.Module, width: int) -> None:
    ax.plot(x[:, 0], y[:, 0], color="k", lw=2, ls="--", label="target")
    ax.plot(x[:, 0], net_output(net, x)[:, 0], color=PALETTE[1], lw=2.5, label="network")
    ax.set_title(f"width {width}: MSE {net_mse(net, x, y):.3g}", fontsize=13)
    ax.set_xlabel("x")


def _best_width(x: torch.Tensor, y: torch.Tensor, nets: Mapping[int, nn.Module]) -> str:
    """Which width fits best, in words, only when its error is clearly (3×) below every other.
    Only for the widget's frames: the static figures' alt text (their text/plain, which nbval
    compares on every CPU) names no result of training."""
    errors = sorted((net_mse(net, x, y), width) for width, net in nets.items())
    if len(errors) < 2:
        return ""
    if errors[1][0] > 3 * errors[0][0]:
        return f" Width {errors[0][1]} has clearly the lowest error."
    return " No width has an error clearly (3 times) below all the others."


def _span(x: torch.Tensor) -> str:
    return f"x from {num(x.min())} to {num(x.max())}"


@slide_figure
def fits_figure(x: torch.Tensor, y: torch.Tensor, nets: Mapping[int, nn.Module]) -> Figure:
    """One panel per width: the target (dashed) and the network's output (trained or built)."""
    _check(x, y, nets)
    n = len(nets)
    fig, axes = plt.subplots(1, n, figsize=(min(2.6 * n, 11.0), 3.2), sharey=True,
                             squeeze=False)
    for ax, (width, net) in zip(axes[0], sorted(nets.items()), strict=True):
        _draw_fit(ax, x, y, net, width)
    axes[0][0].legend(loc="lower left", fontsize=10)
    return describe(fig, (
        f"{n} panel{'s' * (n > 1)}, one per network of width "
        f"{listing(sorted(nets))} (hidden units): the target function, dashed, and the "
        f"network's output, {_span(x)}, each titled with its mean squared error. The wider "
        "the network, the more bends its output can make: width 1 is one bend, the widest "
        "follows the target closely."))


def _draw_errors(ax: Axes, x: torch.Tensor, y: torch.Tensor, nets: Mapping[int, nn.Module],
                 highlight: int | None = None) -> None:
    widths = sorted(nets)
    errors = [net_mse(nets[k], x, y) for k in widths]
    ax.loglog(widths, errors, "o-", color=PALETTE[0])
    if highlight is not None:
        ax.loglog([highlight], [net_mse(nets[highlight], x, y)], "o", ms=14, mfc="none",
                  mec=PALETTE[1], mew=3)
    ax.set_xlabel("hidden units (width)")
    ax.set_ylabel("mean squared error")
    ax.set_xticks(widths, [str(k) for k in widths])
    ax.minorticks_off()


@slide_figure
def error_figure(x: torch.Tensor, y: torch.Tensor, nets: Mapping[int, nn.Module]) -> Figure:
    """Training error (MSE) against width, log-log."""
    _check(x, y, nets)
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    _draw_errors(ax, x, y, nets)
    ax.set_title("error vs width (one hidden layer)", fontsize=14)
    return describe(fig, (
        "The training mean squared error of a network with one hidden layer against its "
        f"width ({listing(sorted(nets))} hidden units), both axes logarithmic, one dot per "
        "trained network."))


@slide_figure
def approximation_figure(
    x: torch.Tensor, y: torch.Tensor, nets: Mapping[int, nn.Module], width: int
) -> Figure:
    """The fit of the network of the given width (left) and the error against width with that
    width circled (right)."""
    _check(x, y, nets)
    if width not in nets:
        raise ValueError(f"no network of width {width}; trained widths: {sorted(nets)}")
    fig, (ax, eax) = plt.subplots(1, 2, figsize=(9.5, 3.6))
    _draw_fit(ax, x, y, nets[width], width)
    ax.legend(loc="lower left", fontsize=10)
    _draw_errors(eax, x, y, nets, highlight=width)
    eax.set_title("error vs width", fontsize=13)
    return describe(fig, (
        f"Left: the target function, dashed, and the output of the network of width {width}, "
        f"{_span(x)}, mean squared error {num(net_mse(nets[width], x, y))}. Right: the error "
        f"against width ({listing(sorted(nets))}, log-log), width {width} circled."
        + _best_width(x, y, nets)))


def approximation_widget(
    x: torch.Tensor, y: torch.Tensor, nets: Mapping[int, nn.Module], width: int | None = None
) -> LiveDemo:
    """A slider over the trained widths; redraws :func:`approximation_figure`."""
    _check(x, y, nets)
    widths = sorted(nets)
    control = w.SelectionSlider(options=widths, value=widths[0] if width is None else width,
                                description="width", layout=w.Layout(width="400px"))
    return live(lambda width: approximation_figure(x, y, nets, width), {"width": control})
