"""Pooling demo for lecture 11: which input window each output cell summarises.

:func:`pooling_figure` (the static fallback) draws a small input with every pooling window
outlined in colour (neighbouring windows differ) (for max pooling the winning cell is filled) next to the pooled
output, each cell in its window's colour; :func:`pooling_widget` adds controls for the window
size, the stride and max/avg.
"""

from __future__ import annotations

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from nbhelpers.display import PALETTE, describe, slide_figure
from nbhelpers.kernels import conv_output_size, pool2d
from nbhelpers.widgets import LiveDemo, live, num
from nbhelpers.widgets.grids import hatch, number_grid

__all__ = ["EXAMPLE_POOL_INPUT", "pooling_figure", "pooling_widget"]

#: A 6×6 input for the pooling demo (integers, so the maxima and means are easy to check).
EXAMPLE_POOL_INPUT = torch.tensor(
    [[1, 3, 2, 1, 0, 2],
     [4, 6, 5, 0, 1, 3],
     [3, 1, 1, 2, 7, 1],
     [0, 2, 4, 3, 2, 0],
     [2, 5, 1, 0, 1, 4],
     [1, 0, 3, 2, 6, 2]], dtype=torch.float32)

_COLOURS = PALETTE[:6]


@slide_figure
def pooling_figure(
    *,
    x: torch.Tensor | None = None,
    kernel_size: int = 2,
    stride: int | None = None,
    mode: str = "max",
) -> Figure:
    """The input with each pooling window outlined (the max filled, for ``mode="max"``) and
    the pooled output, computed by :func:`nbhelpers.kernels.pool2d`. ``stride`` defaults to
    ``kernel_size``. Input cells that no window covers are hatched."""
    x = EXAMPLE_POOL_INPUT if x is None else x.detach().cpu().float()
    if x.dim() != 2:
        raise ValueError(f"x must be one H×W input, got shape {tuple(x.shape)}")
    s = kernel_size if stride is None else stride
    out = pool2d(x, kernel_size, stride=s, mode=mode)
    h_out = conv_output_size(x.shape[0], kernel_size, stride=s)
    w_out = conv_output_size(x.shape[1], kernel_size, stride=s)
    covered = np.zeros(x.shape, dtype=bool)
    fig, axes = plt.subplots(1, 2, figsize=(8.5, 3.8), width_ratios=[x.shape[1], max(w_out, 2)])
    number_grid(axes[0], x.numpy())
    number_grid(axes[1], out.numpy(), fmt=".3g")
    for r in range(h_out):
        for c in range(w_out):
            colour = _COLOURS[(r * w_out + c) % len(_COLOURS)]
            top, left = r * s, c * s
            covered[top:top + kernel_size, left:left + kernel_size] = True
            inset = 0.06 * ((r * w_out + c) % 3)  # overlapping windows stay visible
            axes[0].add_patch(Rectangle(
                (left - 0.5 + inset, top - 0.5 + inset), kernel_size - 2 * inset,
                kernel_size - 2 * inset, fill=False, edgecolor=colour, linewidth=3,
                zorder=5, clip_on=False))
            if mode == "max":
                win = x[top:top + kernel_size, left:left + kernel_size]
                i, j = divmod(int(win.argmax()), kernel_size)
                axes[0].add_patch(Rectangle((left + j - 0.5, top + i - 0.5), 1, 1,
                                            color=colour, alpha=0.35, zorder=2))
            axes[1].add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, color=colour, alpha=0.35,
                                        zorder=2))
    for i, j in zip(*np.nonzero(~covered), strict=True):
        hatch(axes[0], j - 0.5, i - 0.5)
    axes[0].set_title(f"input {x.shape[0]}×{x.shape[1]}", fontsize=13)
    axes[1].set_title(f"{mode} pool {kernel_size}×{kernel_size}, stride {s}\n"
                      f"→ output {h_out}×{w_out}", fontsize=13)
    rows = "; ".join(" ".join(num(v, 3) for v in row) for row in out.tolist())
    unread = int((~covered).sum())
    what = "maximum" if mode == "max" else "mean"
    return describe(fig, (
        f"Left: a {x.shape[0]}×{x.shape[1]} input of numbers with each {kernel_size}×"
        f"{kernel_size} pooling window (stride {s}) outlined, neighbours in different colours"
        + (", its largest cell filled" if mode == "max" else "")
        + (f"; {unread} input cell{'s' * (unread > 1)}, read by no window, "
           f"{'are' if unread > 1 else 'is'} hatched" if unread else "") + f". Right: the {h_out}×{w_out} output, each cell the {what} of its "
        f"window, row by row: {rows}."))


def pooling_widget(*, x: torch.Tensor | None = None) -> LiveDemo:
    """Window size, stride and max/avg for :func:`pooling_figure`."""
    return live(
        lambda kernel_size, stride, mode: pooling_figure(x=x, kernel_size=kernel_size,
                                                         stride=stride, mode=mode),
        {"kernel_size": w.IntSlider(value=2, min=1, max=4, description="window size",
                                    style={"description_width": "initial"}),
         "stride": w.IntSlider(value=2, min=1, max=4, description="stride"),
         "mode": w.ToggleButtons(options=["max", "avg"], value="max", description="mode")},
    )
