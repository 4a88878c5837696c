"""Drawing helpers shared by the convolution and pooling demos: a grid of numbers, outlined
and hatched cells, bare image axes, and the check that an input is one grey image H×W."""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

#: Colour of hatched cells (input that no window reads).
UNUSED = "#BBBBBB"


def as_image(x: torch.Tensor, name: str = "image") -> torch.Tensor:
    """``x`` as one grey image H×W float32 on the CPU (leading size-1 dimensions dropped),
    or a clear error."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor H×W, got {type(x).__name__}")
    x = x.detach().cpu().float()
    while x.dim() > 2 and x.shape[0] == 1:
        x = x[0]
    if x.dim() != 2:
        raise ValueError(f"{name} must be one grey image H×W, got shape {tuple(x.shape)}")
    return x


def clean_axes(ax: Axes) -> None:
    """No ticks, grid or frame: for an image."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)


def number_grid(ax: Axes, values: np.ndarray, *, fmt: str = "g", shade: np.ndarray | None = None,
                faded: np.ndarray | None = None, cmap: str = "Blues") -> None:
    """The numbers ``values`` (H×W; NaN cells stay empty) in a grid of cells; ``shade``
    (bool H×W) cells are coloured, ``faded`` ones greyed out in italics."""
    h, wd = values.shape
    colour = np.zeros((h, wd)) if shade is None else shade.astype(float) * 0.35
    ax.imshow(colour, cmap=cmap, vmin=0, vmax=1)
    for i in range(h):
        for j in range(wd):
            v = values[i, j]
            if np.isnan(v):
                continue
            grey = faded is not None and faded[i, j]
            ax.text(j, i, format(v + 0.0, fmt), ha="center", va="center",
                    fontsize=13 if max(h, wd) <= 7 else 10,
                    color="#767676" if grey else "black",  # faded, still 4.5:1 on white
                    style="italic" if grey else "normal")
    ax.set_xticks(np.arange(wd + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(h + 1) - 0.5, minor=True)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    ax.grid(which="minor", color="#888888", linewidth=1, alpha=1)
    ax.tick_params(which="both", length=0)
    ax.set_xlim(-0.5, wd - 0.5)
    ax.set_ylim(h - 0.5, -0.5)


def outline(ax: Axes, r: int, c: int, h: int, wd: int, color: str, lw: float = 3) -> None:
    """A frame around the h×wd block of cells whose top-left cell is (r, c)."""
    ax.add_patch(Rectangle((c - 0.5, r - 0.5), wd, h, fill=False, edgecolor=color, linewidth=lw,
                           zorder=5))


def hatch(ax: Axes, x: float, y: float, color: str = UNUSED, *, zorder: float = 3) -> None:
    """Hatch the unit cell whose lower-left corner (in data coordinates) is (x, y)."""
    ax.add_patch(Rectangle((x, y), 1, 1, facecolor="none", hatch="//", edgecolor=color,
                           linewidth=0, zorder=zorder))
