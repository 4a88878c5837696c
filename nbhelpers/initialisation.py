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

from nbhelpers.display import PALETTE, describe, slide_figure
from nbhelpers.models import ACTIVATIONS
from nbhelpers.plotting._common import series_style, style_words

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
    parts = []
    for i, (label, stats) in enumerate(runs.items()):
        layers = range(1, len(stats.forward) + 1)
        style = {"color": PALETTE[i % len(PALETTE)], **series_style(i, points=len(layers))}
        ax_f.plot(layers, stats.forward, label=label, **style)
        ax_b.plot(layers, stats.backward, label=label, **style)
        parts.append(f"“{label}” ({style_words(i)}): forward {_ends(stats.forward)}, backward "
                     f"{_ends(stats.backward)}")
    for ax, title in ((ax_f, "forward: std of layer outputs $h_l$"),
                      (ax_b, r"backward: std of $\partial L / \partial h_l$")):
        ax.set(yscale="log", xlabel="layer $l$", title=title)
        ax.axhline(1.0, color="grey", lw=1, ls="--")
    ax_b.legend(loc="best", fontsize=10)
    depth = max(len(s.forward) for s in runs.values())
    return describe(fig, (
        f"Two panels, log scale, layers 1 to {depth}, a dashed line at 1: left the std of "
        f"each layer's output (forward), right the std of the gradient reaching it "
        f"(backward), one line per run. From the first layer to the last: "
        f"{'; '.join(parts)}."))


def _magnitude(v: float) -> str:
    """A std as a log-scale figure shows it: one decimal between 0.1 and 10, else its power
    of ten ("about 1e31": its floor), so that CPU-dependent digits (tanh's chaos, float32
    sums) do not show."""
    if not math.isfinite(v):
        return "overflowing (infinite)" if v > 0 or math.isinf(v) else "not a number"
    if v == 0:
        return "0"
    if 0.1 <= abs(v) < 10:
        return f"{v:.1f}"
    return f"about 1e{math.floor(math.log10(abs(v)))}"


def _ends(stds: Sequence[float]) -> str:
    """A profile's first and last std in words (:func:`_magnitude`)."""
    if len(stds) == 1:
        return _magnitude(stds[0])
    return f"{_magnitude(stds[0])} to {_magnitude(stds[-1])}"


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
        i = list(val_acc).index(arm)
        for ax in axes[0]:
            (line,) = ax.plot(x, mean, label=labels.get(arm, arm),
                              color=PALETTE[i % len(PALETTE)], ls=series_style(i)["ls"],
                              marker=("o", "s", "^", "D", "v")[i % 5], ms=6)
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
    parts = []
    for arm, by_lr in val_acc.items():
        mean = {float(lr): sum(0.1 if math.isnan(a) else a for a in r) / len(r)
                for lr, r in by_lr.items()}
        top = max(mean, key=mean.get)
        text = f"{labels.get(arm, arm)} best at {top:g} ({mean[top]:.1%})"
        if best and arm in best and float(best[arm]) != top:
            text += f", picked {float(best[arm]):g} ({mean[float(best[arm])]:.1%})"
        elif best and arm in best:
            text += ", the rate picked"
        parts.append(text)
    lrs = sorted({float(lr) for by_lr in val_acc.values() for lr in by_lr})
    return describe(fig, (
        f"Validation accuracy against the peak learning rate, {lrs[0]:g} to {lrs[-1]:g} "
        f"(log scale), one line per arm (mean over seeds, a band from the lowest to the "
        f"highest seed, ★ the picked rate)"
        + (f", and a zoom on {zoom[0]:.0%} to {zoom[1]:.0%} on the right" if zoom else "")
        + f". Mean accuracy: {'; '.join(parts)}."))
