"""Lecture 02 demos: activation functions, their slopes, saturation and vanishing gradients.

The maths (the functions, autograd derivatives, the gap to the step, slopes along a chain) is
in :mod:`nbhelpers.activations`. Pure figure functions and two widgets:

* ``sigmoid_beta_figure(beta)`` / ``sigmoid_betas_figure(betas)`` / ``sigmoid_beta_widget()``:
  the logistic σ(βx) approaching the step as β grows;
* ``activation_figure(name, x0)`` / ``saturation_figure(name, points)`` /
  ``activation_widget()``: a function with its tangent at x0 and its derivative;
* ``vanishing_figure(depth)``: the product of φ′ along a chain of neurons without weights;
* ``layer_gradients_figure(norms)``: measured ‖δˡ‖ = ‖∂L/∂zˡ‖ per layer of real deep networks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from nbhelpers.activations import (
    ACTIVATION_FUNCTIONS,
    Elementwise,
    activation_function,
    chain_slopes,
    derivative,
    gap_to_step,
)
from nbhelpers.display import PALETTE, describe, slide_figure
from nbhelpers.widgets import LiveDemo, listing, live, num, series_style, slider


def _draw_sigmoid(ax: Axes, beta: float, colour: str, *, label: bool = True,
                  index: int = 0) -> None:
    x = torch.linspace(-4, 4, 801)
    ax.plot(x, torch.sigmoid(beta * x), color=colour, label=f"β = {beta:g}" if label else None,
            **series_style(index, len(x)))


def _step_axes(ax: Axes, delta: float) -> None:
    ax.plot([-4, 0, 0, 4], [0, 0, 1, 1], color="k", ls="--", lw=1.5, label="step")
    ax.axvspan(-delta, delta, color="0.85", zorder=0)
    ax.set_xlim(-4, 4)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("x")


@slide_figure
def sigmoid_beta_figure(beta: float = 1.0, *, delta: float = 0.5) -> Figure:
    """σ(βx) = 1 / (1 + e^(−βx)) against the step, with the largest gap outside |x| < delta."""
    gap = gap_to_step(beta, delta)
    fig, ax = plt.subplots(figsize=(8.0, 3.6))
    _step_axes(ax, delta)
    _draw_sigmoid(ax, beta, PALETTE[0])
    ax.annotate("", (delta, gap), (delta, 0), arrowprops={"arrowstyle": "<->", "color": PALETTE[1]})
    ax.set_title(f"σ(βx), β = {beta:.3g}: largest gap for |x| ≥ {delta:g} is σ(−βδ) = {gap:.3f}",
                 fontsize=14)
    ax.legend(loc="upper left")
    return describe(fig, (
        f"The sigmoid σ(βx) for β = {num(beta, 3)} against the step function (dashed), x from "
        f"−4 to 4, with the band |x| < {num(delta)} shaded grey. Outside the band the largest "
        f"gap between them, at x = ±{num(delta)}, is σ(−βδ) = {num(gap)}: "
        f"{'the sigmoid is close to the step' if gap < 0.05 else 'the larger β, the smaller this gap'}."))


@slide_figure
def sigmoid_betas_figure(
    betas: Sequence[float] = (0.5, 1, 2, 5, 20), *, delta: float = 0.5
) -> Figure:
    """Static fallback: σ(βx) for several β on one axis, with the step."""
    fig, ax = plt.subplots(figsize=(8.0, 3.6))
    _step_axes(ax, delta)
    for i, beta in enumerate(betas):
        _draw_sigmoid(ax, beta, PALETTE[i % len(PALETTE)], index=i)
    ax.set_title("σ(βx) approaches the step as β grows (grey: |x| < 0.5)", fontsize=14)
    ax.legend(loc="upper left", fontsize=11)
    at = listing(f"{num(1 - gap_to_step(beta, delta))} for β = {num(beta, 3)}" for beta in betas)
    return describe(fig, (
        f"The sigmoid σ(βx) for β = {listing(num(b, 3) for b in betas)} against the step "
        f"function (dashed), x from −4 to 4: the larger β, the steeper the curve and the closer "
        f"to the step. At x = {num(delta)} σ(βx) is {at}."))


def sigmoid_beta_widget(beta: float = 1.0) -> LiveDemo:
    """A logarithmic β slider (0.1 to 100) over :func:`sigmoid_beta_figure`."""
    control = w.FloatLogSlider(value=beta, base=10, min=-1, max=2, step=0.05,
                               description="steepness β", readout_format=".2f",
                               style={"description_width": "initial"},  # the label whole
                               layout=w.Layout(width="400px"))
    return live(sigmoid_beta_figure, {"beta": control})


def _draw_tangent(ax: Axes, f: Elementwise, x0: float, *, half_width: float, colour: str,
                  dot: str, label: str | None = None, index: int = 1) -> float:
    """The tangent of f at x0 (2·half_width long) and a dot on f at x0; returns the slope."""
    at = torch.tensor([float(x0)])
    y0, slope = float(f(at)[0]), float(derivative(f, at)[0])
    t = np.array([x0 - half_width, x0 + half_width])
    ax.plot(t, y0 + slope * (t - x0), color=colour, lw=2 if label else 1.5, label=label,
            **series_style(index))
    ax.scatter([x0], [y0], color=dot, zorder=3, edgecolor="k")
    return slope


def _draw_function(ax: Axes, f: Elementwise, name: str) -> torch.Tensor:
    x = torch.linspace(-5, 5, 1001)
    ax.plot(x, f(x), color=PALETTE[0], label=name)
    ax.set_xlim(-5, 5)
    ax.set_xlabel("x")
    return x


@slide_figure
def activation_figure(name: str = "sigmoid", x0: float = 0.0) -> Figure:
    """Left: the activation ``name`` (a key of ACTIVATION_FUNCTIONS) with its tangent at x0.
    Right: its derivative (autograd) with the slope at x0 marked."""
    f = activation_function(name)
    fig, (ax, dax) = plt.subplots(1, 2, figsize=(9.0, 3.6))
    x = _draw_function(ax, f, name)
    slope = _draw_tangent(ax, f, x0, half_width=1.5, colour="k", dot="k")
    dax.plot(x, derivative(f, x), color=PALETTE[0])
    dax.scatter([x0], [slope], color="k", zorder=3)
    dax.set_xlabel("x")
    ax.set_title(f"{name} and its tangent at x = {x0:.1f}", fontsize=14)
    dax.set_title(f"derivative: slope at {x0:.1f} is {slope:.4f}", fontsize=14)
    value = float(f(torch.tensor([float(x0)]))[0])
    d = derivative(f, x)
    return describe(fig, (
        f"Left: {name} for x from −5 to 5 with its tangent at x = {num(x0, 3)}, where its "
        f"value is {num(value)}. Right: its derivative, which ranges from {num(d.min())} to "
        f"{num(d.max())}; the slope at x = {num(x0, 3)} is {num(slope)}"
        f"{' (the function is nearly flat there)' if abs(slope) < 0.02 * float(d.abs().max()) else ''}."))


@slide_figure
def saturation_figure(name: str = "sigmoid", points: Sequence[float] = (0.0, 2.0, 4.5)) -> Figure:
    """Static fallback of :func:`activation_widget`: one function, tangents at several points;
    far from 0 a sigmoid or tanh is flat (saturated) and its slope is nearly 0."""
    f = activation_function(name)
    fig, ax = plt.subplots(figsize=(8.0, 3.6))
    _draw_function(ax, f, name)
    for i, x0 in enumerate(points):
        colour = PALETTE[(i + 1) % len(PALETTE)]
        slope = float(derivative(f, torch.tensor([float(x0)]))[0])
        _draw_tangent(ax, f, x0, half_width=1.2, colour=colour, dot=colour,
                      label=f"slope at {x0:g}: {slope:.4f}", index=i + 1)
    ax.set_title(f"{name}: the further from 0, the flatter", fontsize=14)
    ax.legend(loc="upper left", fontsize=11)
    slopes = listing(f"{num(float(derivative(f, torch.tensor([float(p)]))[0]))} at x = {num(p, 3)}"
                     for p in points)
    return describe(fig, (
        f"{name} for x from −5 to 5 with its tangent at x = {listing(num(p, 3) for p in points)}. "
        f"The slopes are {slopes}: the further from 0, the flatter the function."))


def activation_widget(name: str = "sigmoid", x0: float = 0.0) -> LiveDemo:
    """Pick an activation and move x0: watch the tangent's slope (the local gradient)."""
    choose = w.Dropdown(options=list(ACTIVATION_FUNCTIONS), value=name, description="activation φ",
                        style={"description_width": "initial"})  # the label whole
    return live(activation_figure, {"name": choose, "x0": slider("point x₀", x0, -5, 5, 0.1, fmt=".1f")})


@slide_figure
def vanishing_figure(
    depth: int = 15, *, names: Sequence[str] = ("sigmoid", "tanh", "ReLU"), x: float = 1.0
) -> Figure:
    """|dy/dx| through a chain of ``depth`` neurons (log scale) for each activation, with the
    bound (1/4)^n that holds for the sigmoid."""
    fig, ax = plt.subplots(figsize=(8.0, 3.6))
    n = np.arange(1, depth + 1)
    for i, name in enumerate(names):
        ax.semilogy(n, chain_slopes(name, depth, x=x), "-", marker="osv^D"[i % 5],
                    color=PALETTE[i % len(PALETTE)], label=name, ms=5)
    ax.semilogy(n, 0.25**n, "k--", lw=1.5, label="(1/4)ⁿ")
    ax.set_xlabel("number of neurons n in the chain")
    ax.set_ylabel("|dy/dx|")
    ax.set_title(rf"chain $y_k = \varphi(y_{{k-1}})$ without weights, input x = {x:g}",
                 fontsize=14)
    ax.legend(loc="lower left", fontsize=11, ncols=2)
    ends = listing(f"{num(chain_slopes(name, depth, x=x)[-1])} for {name}" for name in names)
    return describe(fig, (
        f"|dy/dx| through a chain of 1 to {depth} neurons y_k = φ(y_(k−1)) without weights, "
        f"input x = {num(x, 3)}, on a log scale, one line per activation "
        f"({listing(names)}) and the bound (1/4)^n dashed. After {depth} neurons |dy/dx| is "
        f"{ends}; (1/4)^{depth} is {num(0.25 ** depth)}."))


@slide_figure
def layer_gradients_figure(norms: Mapping[str, torch.Tensor]) -> Figure:
    """Gradient norm per layer (log scale) of several networks: ``norms`` maps a label to a
    (depth,) tensor, entry l−1 the norm ‖δˡ‖ = ‖∂L/∂zˡ‖ of the gradient at layer l's
    pre-activation (input side first). A label containing "He" is drawn dashed."""
    if not norms:
        raise ValueError("norms is empty: pass {label: (depth,) tensor of gradient norms}")
    fig, ax = plt.subplots(figsize=(9.0, 3.6))
    for i, (label, values) in enumerate(norms.items()):
        values = torch.as_tensor(values).detach().double().cpu()
        if values.ndim != 1 or not bool((values > 0).all()):
            raise ValueError(f"norms[{label!r}] must be a 1-D tensor of positive norms, got "
                             f"{values.numpy().round(3) if values.ndim else values}")
        ax.semilogy(np.arange(1, len(values) + 1), values, marker="osv^D"[i % 5], ms=4,
                    color=PALETTE[i % len(PALETTE)], ls="--" if "He" in label else "-",
                    label=label)
    ax.set_xlabel("layer l (1 = next to the input)")
    ax.set_xticks([1, *range(5, len(values) + 1, 5)])
    ax.set_ylabel("‖δˡ‖ = ‖∂L/∂zˡ‖")
    ax.set_title("gradient norm per layer at initialisation, one batch", fontsize=14)
    ax.legend(loc="lower right", fontsize=11, ncols=2)
    trends = []
    for label, values in norms.items():
        v = torch.as_tensor(values).detach().double().cpu()
        ratio = float(v[-1] / v[0])  # output side over input side
        trend = ("it shrinks towards the input by more than a factor 100" if ratio > 100 else
                 "it grows towards the input by more than a factor 100" if ratio < 0.01 else
                 "layer 1 is within a factor 5 of the last layer" if 0.2 < ratio < 5
                 else "layer 1 and the last layer differ by a factor 5 to 100")
        trends.append(f"{label} ({len(v)} layers): {trend}")
    return describe(fig, (
        "Gradient norm ‖∂L/∂z‖ per layer at initialisation, one batch, log scale, layer 1 "
        "next to the input; one line per network. " + "; ".join(trends) + "."))
