"""Neurons drawn: a perceptron's decision line over the unit square with its truth table
(lecture 01), and a network of neurons (lecture 03).

Pure figure functions (``perceptron_figure``, ``gates_figure``, ``xor_figure``,
``training_figure``, ``network_figure``) and one widget (``perceptron_widget``: sliders for
w1, w2, b). The perceptron itself is :mod:`nbhelpers.neuron`.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from nbhelpers.display import PALETTE, describe, slide_figure
from nbhelpers.neuron import BINARY_INPUTS, gate_name, truth_table
from nbhelpers.widgets import LiveDemo, listing, live, num, slider

ON, OFF = PALETTE[1], PALETTE[0]  # output 1 / output 0 (Okabe-Ito vermillion / blue)
_LIM = (-0.5, 1.5)


def _draw_line(
    ax: Axes, w1: float, w2: float, b: float, *, lim: tuple[float, float] = _LIM,
    shade: bool = True, colour: str = "k", lw: float = 2.5, label: str | None = None,
    ls: str = "-",
) -> None:
    """Draw the line w1·x1 + w2·x2 + b = 0 on ``ax`` and (with ``shade``) tint the half-plane
    where w1·x1 + w2·x2 + b > 0 (the perceptron outputs 1 there)."""
    lo, hi = lim
    if shade:
        g = np.linspace(lo, hi, 301)
        gx, gy = np.meshgrid(g, g)
        ax.contourf(gx, gy, (w1 * gx + w2 * gy + b > 0).astype(float), levels=[-0.5, 0.5, 1.5],
                    colors=[OFF, ON], alpha=0.15)
    t = np.linspace(lo - 1, hi + 1, 2)
    if abs(w2) > 1e-9:  # x2 = -(w1 x1 + b) / w2
        ax.plot(t, -(w1 * t + b) / w2, color=colour, lw=lw, label=label, ls=ls)
    elif abs(w1) > 1e-9:  # vertical line x1 = -b / w1
        ax.plot([-b / w1] * 2, [lo - 1, hi + 1], color=colour, lw=lw, label=label, ls=ls)
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    if lim == _LIM:
        ax.set_xticks([-0.5, 0, 0.5, 1, 1.5])
        ax.set_yticks([-0.5, 0, 0.5, 1, 1.5])
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$", labelpad=-4)


def _ones(outputs: torch.Tensor) -> str:
    """Which corners of the unit square give 1, in words."""
    ones = [f"({int(a)},{int(b)})" for (a, b), y in
            zip(BINARY_INPUTS.tolist(), torch.as_tensor(outputs).tolist(), strict=True) if y]
    if not ones:
        return "0 at every corner"
    if len(ones) == 4:
        return "1 at every corner"
    return f"1 only at {listing(ones)}"


def _line_words(w1: float, w2: float, b: float) -> str:
    return f"w = ({num(w1, 3)}, {num(w2, 3)}), b = {num(b, 3)}"


def _draw_corners(ax: Axes, outputs: torch.Tensor, *, points: torch.Tensor = BINARY_INPUTS) -> None:
    """The inputs as dots coloured by their output (0 blue, 1 orange), each labelled 0/1."""
    for (x1, x2), y in zip(points.tolist(), torch.as_tensor(outputs).tolist(), strict=True):
        ax.scatter([x1], [x2], s=260, color=ON if y else OFF, edgecolor="k", zorder=3)
        ax.annotate(f"{int(y)}", (x1, x2), xytext=(9, 7), textcoords="offset points",
                    fontsize=15, fontweight="bold")


@slide_figure
def perceptron_figure(w1: float = 1.0, w2: float = 1.0, b: float = -1.5) -> Figure:
    """One perceptron y = step(w1·x1 + w2·x2 + b): its decision line over the unit square
    (left) and its truth table (right), titled with the gate it implements."""
    outputs = truth_table(w1, w2, b)
    fig, (ax, tab) = plt.subplots(1, 2, figsize=(8.5, 3.8), width_ratios=[1, 1.1])
    _draw_line(ax, w1, w2, b)
    _draw_corners(ax, outputs)
    name = gate_name(outputs)
    ax.set_title(f"w=({w1:.1f}, {w2:.1f}), b={b:.1f}", fontsize=14)
    z = BINARY_INPUTS @ torch.tensor([float(w1), float(w2)]) + float(b)
    rows = [[f"{int(a)}", f"{int(c)}", f"{v:+.1f}", f"{int(y)}"]
            for (a, c), v, y in zip(BINARY_INPUTS.tolist(), z.tolist(), outputs.tolist(),
                                    strict=True)]
    table = tab.table(cellText=rows, colLabels=["$x_1$", "$x_2$", "$w\\cdot x+b$", "$y$"],
                      loc="center", cellLoc="center")
    table.auto_set_font_size(False)
    table.set_fontsize(15)
    table.scale(1, 2.2)
    for i, y in enumerate(outputs.tolist(), start=1):
        table[i, 3].set_facecolor("#f6d5c2" if y else "#c9dff0")
    tab.axis("off")
    tab.set_title(f"truth table: {name}", fontsize=15)
    table_words = "; ".join(f"{r[0]},{r[1]} gives {r[2]}, y = {r[3]}" for r in rows)
    return describe(fig, (
        f"Left: the perceptron's decision line w1·x1 + w2·x2 + b = 0 for "
        f"{_line_words(w1, w2, b)} over the unit square; the four inputs are dots marked with "
        f"their output: {_ones(outputs)}, so it computes {name}. Right: its truth table "
        f"(x1, x2, w·x + b, y): {table_words}."))


#: Weights (w1, w2, b) of the three gates of the lecture.
GATE_WEIGHTS = {"AND": (1.0, 1.0, -1.5), "OR": (1.0, 1.0, -0.5), "NAND": (-2.0, -2.0, 3.0)}


@slide_figure
def gates_figure(gates: dict[str, tuple[float, float, float]] | None = None) -> Figure:
    """Static fallback of the widget: one decision panel per gate (default AND, OR, NAND);
    up to four fit the slide width."""
    gates = gates or GATE_WEIGHTS
    if not 1 <= len(gates) <= 4:
        raise ValueError(f"give 1 to 4 gates, got {len(gates)}")
    n = len(gates)
    fig, axes = plt.subplots(1, n, figsize=(min(11.0, 3.4 * n), 3.8), squeeze=False)
    for ax, (name, (w1, w2, b)) in zip(axes[0], gates.items(), strict=True):
        _draw_line(ax, w1, w2, b)
        _draw_corners(ax, truth_table(w1, w2, b))
        ax.set_title(f"{name}: w=({w1:g}, {w2:g}), b={b:g}", fontsize=13)
    panels = "; ".join(f"{name} ({_line_words(*weights)}) outputs {_ones(truth_table(*weights))}"
                       for name, weights in gates.items())
    return describe(fig, (
        f"{n} panel{'s' * (n > 1)}, one per gate, each a decision line over the unit square "
        f"with the four inputs marked 0 or 1: {panels}. One straight line separates the "
        "inputs of each gate."))


def perceptron_widget(w1: float = 1.0, w2: float = 1.0, b: float = -1.5) -> LiveDemo:
    """Sliders for w1, w2, b; redraws the decision line and the live truth table."""
    return live(perceptron_figure, {
        "w1": slider("weight w₁", w1, -3, 3, 0.1, fmt=".1f"),
        "w2": slider("weight w₂", w2, -3, 3, 0.1, fmt=".1f"),
        "b": slider("bias b", b, -3, 3, 0.1, fmt=".1f"),
    })


@slide_figure
def xor_figure() -> Figure:
    """XOR = AND(OR(x), NAND(x)). Left: input space with the OR and NAND lines; the band
    between them is where the network outputs 1. Right: the hidden space (h1, h2) = (OR, NAND),
    where the AND line separates the classes."""
    xor = torch.tensor([0.0, 1.0, 1.0, 0.0])
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.5, 3.7))
    (a1, a2, ab), (n1, n2, nb) = GATE_WEIGHTS["OR"], GATE_WEIGHTS["NAND"]
    g = np.linspace(*_LIM, 301)
    gx, gy = np.meshgrid(g, g)
    band = (a1 * gx + a2 * gy + ab > 0) & (n1 * gx + n2 * gy + nb > 0)
    left.contourf(gx, gy, band.astype(float), levels=[-0.5, 0.5, 1.5], colors=[OFF, ON],
                  alpha=0.15)
    _draw_line(left, a1, a2, ab, shade=False, colour=PALETTE[2], label="OR line")
    _draw_line(left, n1, n2, nb, shade=False, colour=PALETTE[3], label="NAND line", ls="--")
    _draw_corners(left, xor)
    left.set_title("input space: XOR")
    left.legend(loc="lower right", fontsize=10, framealpha=0.9)
    hidden = torch.stack([truth_table(a1, a2, ab), truth_table(n1, n2, nb)], dim=1)
    _draw_line(right, *GATE_WEIGHTS["AND"])
    _draw_corners(right, xor, points=hidden)
    right.annotate("from 01 and 10", (1.0, 1.0), xytext=(0.35, 1.3), fontsize=11,
                   arrowprops={"arrowstyle": "->"})
    right.set_xlabel("$h_1$ = OR($x$)")
    right.set_ylabel("$h_2$ = NAND($x$)", labelpad=-4)
    right.set_title("hidden space: AND separates")
    return describe(fig, (
        "Left, input space: XOR is 1 at (0,1) and (1,0) and 0 at (0,0) and (1,1); no single "
        "line separates them, but the band between the OR line and the dashed NAND line holds "
        "exactly the two 1s. Right, hidden space h1 = OR(x), h2 = NAND(x): the inputs land on "
        "(0,1), (1,1) twice (from 01 and 10) and (1,0), and the AND line separates the 1s "
        "at (1,1) from the 0s."))


@slide_figure
def training_figure(
    X: torch.Tensor, y: torch.Tensor, lines: list[tuple[torch.Tensor, float]], *,
    true_line: tuple[float, float, float] | None = None, lim: tuple[float, float] = (0.0, 1.0),
) -> Figure:
    """Perceptron training: data X (N, 2) with labels y (N,) in {0, 1}, the decision line after
    each epoch (faint to dark, ``lines`` = [(w (2,), b), ...]) and optionally the line the
    data was generated from (dashed)."""
    X, y = torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y)
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"need X of shape (N, 2) and y of shape (N,); got {tuple(X.shape)}, "
                         f"{tuple(y.shape)}")
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    n = len(lines)
    for k, (w, b) in enumerate(lines):
        last = k == n - 1
        _draw_line(ax, float(w[0]), float(w[1]), float(b), lim=lim, shade=last,
                  colour="k" if last else "0.55", lw=2.5 if last else 1.0, ls="-" if last else ":",
                  label="learned" if last else ("after each epoch" if k == 0 else None))
    if true_line is not None:
        _draw_line(ax, *true_line, lim=lim, shade=False, colour=PALETTE[2], lw=2,
                  label="generating line", ls="--")
    for label, colour in ((0, OFF), (1, ON)):
        pts = X[y == label]
        ax.scatter(pts[:, 0], pts[:, 1], s=45, color=colour, edgecolor="k", zorder=3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=11)
    n0, n1 = int((y == 0).sum()), int((y == 1).sum())
    alt = (f"Perceptron training on {len(X)} points ({n0} of class 0 in blue, {n1} of class 1 "
           f"in orange): the decision line after each of {n} epochs, faint grey dotted, and the "
           "learned line, dark, with the side where it outputs 1 shaded.")
    if lines:
        (w, b) = lines[-1]
        z = X @ torch.as_tensor(w, dtype=torch.float32).flatten() + float(b)
        wrong = int(((z > 0).long() != y.long()).sum())
        alt += (" The learned line separates the two classes." if wrong == 0 else
                f" The learned line still puts {wrong} point{'s' * (wrong > 1)} on the wrong "
                "side.")
    if true_line is not None:
        alt += " The dashed green line is the line the data was generated from."
    return describe(fig, alt)


@slide_figure
def network_figure(
    sizes: Sequence[int],
    *,
    labels: Sequence[str] | None = None,
    figsize: tuple[float, float] = (7.0, 3.0),
) -> Figure:
    """A fully connected network drawn as circles (neurons) and lines (weights).

    sizes: neurons per layer, input first, e.g. (4, 5, 3); at most 12 per layer.
    labels: one caption per layer (default "input", "hidden", ..., "output").
    """
    sizes = list(sizes)
    if len(sizes) < 2 or any(not isinstance(n, int) or not 1 <= n <= 12 for n in sizes):
        raise ValueError(f"sizes must list at least two layers of 1..12 neurons, got {sizes}")
    if labels is None:
        hidden = ["hidden"] if len(sizes) == 3 else [f"hidden {i}" for i in range(1, len(sizes) - 1)]
        labels = ["input", *hidden, "output"]
    if len(labels) != len(sizes):
        raise ValueError(f"need one label per layer: {len(sizes)} layers, {len(labels)} labels")
    fig, ax = plt.subplots(figsize=figsize)
    top = max(sizes)
    ys = [[(n - 1) / 2 - i for i in range(n)] for n in sizes]  # each layer centred on y = 0
    for layer in range(len(sizes) - 1):
        for y0 in ys[layer]:
            for y1 in ys[layer + 1]:
                ax.plot([layer, layer + 1], [y0, y1], color="0.6", lw=0.8, zorder=1)
    colours = [PALETTE[0]] + [PALETTE[2]] * (len(sizes) - 2) + [PALETTE[1]]
    for layer, (col, colour) in enumerate(zip(ys, colours, strict=True)):
        ax.scatter([layer] * len(col), col, s=380, color=colour, zorder=2, edgecolor="k")
        ax.text(layer, -top / 2, f"{labels[layer]}: {sizes[layer]}", ha="center", va="top")
    ax.set_xlim(-0.5, len(sizes) - 0.5)
    ax.set_ylim(-top / 2 - 0.6, top / 2)
    ax.axis("off")
    weights = sum(a * b for a, b in zip(sizes, sizes[1:], strict=False))
    layers = listing(f"{label} {size}" for label, size in zip(labels, sizes, strict=True))
    return describe(fig, (
        f"A fully connected network drawn as circles (neurons) and lines (weights), "
        f"{len(sizes)} layers from left to right: {layers} neurons. Every neuron is joined "
        f"to every neuron of the next layer: {weights} weights in all."))
