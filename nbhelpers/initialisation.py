"""Lecture 08: how the scale of the initial weights carries a signal through a deep network.

- :func:`linear_stack`: ``depth`` layers ``Linear(width, width, bias=False) -> activation``, the
  network whose weights the lecture initialises in different ways.
- :func:`signal_stats`: one forward and one backward pass of random data through it, and the
  standard deviation of every layer's output and of the gradient that reaches it.
- :func:`plot_signal_stats`: those two profiles against depth, on a log scale.
- :func:`plot_lr_sweep`: validation accuracy against the learning rate, one line (the mean)
  and band (lowest to highest seed) per arm, as ``make claims`` stored it (claims/l08.py).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure
from torch import nn

from nbhelpers.display import slide_figure
from nbhelpers.models import ACTIVATIONS

__all__ = ["SignalStats", "linear_stack", "plot_lr_sweep", "plot_signal_stats", "signal_stats"]


@dataclass(frozen=True)
class SignalStats:
    """Per-layer standard deviations, layer 1 first (one entry per activation module).

    ``forward[l-1]``: std of the output ``h_l`` of layer ``l`` (after its activation);
    ``backward[l-1]``: std of the gradient ``∂L/∂h_l`` that backpropagation brings there.
    """

    forward: list[float]
    backward: list[float]


def linear_stack(*, depth: int, width: int, activation: str = "relu") -> nn.Sequential:
    """``depth`` times ``Linear(width, width, bias=False) -> activation``.

    Input ``(N, width)``, output ``(N, width)``. No biases, so the weights alone set the
    scale; they start with PyTorch's default initialisation (re-initialise them to taste).
    ``activation`` is a name from :data:`nbhelpers.models.ACTIVATIONS`.
    """
    for value, name in ((depth, "depth"), (width, "width")):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}")
    layers: list[nn.Module] = []
    for _ in range(depth):
        layers += [nn.Linear(width, width, bias=False), ACTIVATIONS[activation]()]
    return nn.Sequential(*layers)


def signal_stats(model: nn.Sequential, *, batch: int = 512, seed: int = 0) -> SignalStats:
    """Send ``batch`` inputs ``x ~ N(0, 1)`` through ``model`` and back, and measure.

    The loss is ``L = sum(output * g)`` with a fixed ``g ~ N(0, 1)`` of the output's shape, so
    the gradient arriving at the output has std 1 whatever the weights: what the backward
    profile shows is what the layers do to it. ``model`` is an ``nn.Sequential`` that starts
    with an ``nn.Linear`` (its ``in_features`` sets the input width); the output of every
    module that is not an ``nn.Linear`` (the activations) is measured. The weights are not
    changed (their ``.grad`` is filled). Stds are computed in float64; a signal that overflowed
    float32 shows as ``inf`` or ``nan``.
    """
    if not isinstance(model, nn.Sequential) or not isinstance(model[0], nn.Linear):
        raise TypeError("model must be an nn.Sequential starting with an nn.Linear, "
                        "e.g. linear_stack(depth=..., width=...)")
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 2:
        raise ValueError(f"batch must be an int >= 2 (a std needs two values), got {batch!r}")
    gen = torch.Generator().manual_seed(seed)
    h = torch.randn(batch, model[0].in_features, generator=gen)
    outputs = []
    for layer in model:
        h = layer(h)
        if not isinstance(layer, nn.Linear):
            h.retain_grad()
            outputs.append(h)
    if not outputs:
        raise ValueError("model has no activation modules to measure")
    (h * torch.randn(h.shape, generator=gen)).sum().backward()
    return SignalStats(forward=[o.detach().double().std().item() for o in outputs],
                       backward=[o.grad.double().std().item() for o in outputs])


@slide_figure
def plot_signal_stats(runs: Mapping[str, SignalStats]) -> Figure:
    """Two panels, log scale: the forward profile (std of each layer's output) and the
    backward one (std of the gradient reaching it), one line per entry of ``runs``."""
    if not runs:
        raise ValueError("runs is empty: pass {label: signal_stats(model)}")
    fig, (ax_f, ax_b) = plt.subplots(1, 2, figsize=(11, 3.6))
    for label, stats in runs.items():
        layers = range(1, len(stats.forward) + 1)
        ax_f.plot(layers, stats.forward, label=label)
        ax_b.plot(layers, stats.backward, label=label)
    for ax, title in ((ax_f, "forward: std of layer outputs $h_l$"),
                      (ax_b, r"backward: std of $\partial L / \partial h_l$")):
        ax.set(yscale="log", xlabel="layer $l$", title=title)
        ax.axhline(1.0, color="grey", lw=1, ls="--")
    ax_b.legend(loc="best", fontsize=10)
    return fig


@slide_figure
def plot_lr_sweep(val_acc: Mapping[str, Mapping[str, Sequence[float]]], *,
                  labels: Mapping[str, str] | None = None,
                  best: Mapping[str, float] | None = None,
                  zoom: tuple[float, float] | None = None) -> Figure:
    """Accuracy against the learning rate (log scale), one line per arm.

    ``val_acc[arm][str(lr)]`` holds one accuracy per seed (NaN: the run diverged, drawn at
    chance, 0.1). The line is the mean over the seeds, the band spans the lowest to the
    highest seed; ``best[arm]`` marks the learning rate picked for that arm. With ``zoom``
    (low, high) a second panel shows that accuracy range.
    """
    if not val_acc:
        raise ValueError("val_acc is empty: pass {arm: {str(lr): [accuracy per seed]}}")
    labels = labels or {}
    fig, axes = plt.subplots(1, 2 if zoom else 1, figsize=(11 if zoom else 6, 3.8),
                             squeeze=False)
    for arm, by_lr in val_acc.items():
        lrs = sorted(by_lr, key=float)
        runs = [[0.1 if math.isnan(a) else a for a in by_lr[lr]] for lr in lrs]
        x = [float(lr) for lr in lrs]
        mean = [sum(r) / len(r) for r in runs]
        for ax in axes[0]:
            (line,) = ax.plot(x, mean, marker="o", label=labels.get(arm, arm))
            ax.fill_between(x, [min(r) for r in runs], [max(r) for r in runs],
                            color=line.get_color(), alpha=0.25)
            if best and arm in best:
                ax.plot([best[arm]], [mean[x.index(float(best[arm]))]], marker="*",
                        markersize=16, color=line.get_color())
    ticks = sorted({float(lr) for by_lr in val_acc.values() for lr in by_lr})
    for ax in axes[0]:
        ax.set(xscale="log", xlabel="peak learning rate", ylabel="validation accuracy")
        ax.set_xticks(ticks, labels=[f"{t:g}" for t in ticks])
        ax.minorticks_off()
    axes[0][0].legend(loc="lower left", fontsize=10)
    if zoom:
        axes[0][1].set(ylim=zoom, title=f"zoom: {zoom[0]:.0%} to {zoom[1]:.0%}")
        axes[0][0].set(title="mean and range over seeds; ★ = picked")
    return fig
