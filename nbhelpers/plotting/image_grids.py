"""Grids of images: a batch with its labels, the feature maps of one example, a kernel with
its numbers (lectures 10 to 15)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from nbhelpers.display import MAX_HEIGHT, MAX_WIDTH, WRONG, describe, slide_figure
from nbhelpers.plotting._common import (
    annotate_cells,
    class_name,
    contrast_text_colour,
    describe_panel,
    to_labels,
    to_tensor,
    words_list,
)

__all__ = ["plot_feature_maps", "plot_kernel", "show_images"]

#: Font size (points) of the titles above grid images, and the width of one of its characters.
_TITLE_PT = 12
_CHAR_EM = 0.6


def _grid(
    n: int, ncols: int, size: float, *, titles: Sequence[str] = ()
) -> tuple[Figure, list[Axes], float]:
    """``n`` image axes in rows of ``ncols`` (extra cells removed), scaled to fit a slide.

    Columns widen (up to the slide width) so that ``titles`` fit; returns the figure, the axes
    and the title font size (smaller than ``_TITLE_PT`` = 12 pt only when they cannot fit).
    """
    if ncols < 1:
        raise ValueError(f"ncols must be at least 1, got {ncols}")
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    lines = [line for title in titles for line in str(title).split("\n")]
    longest = max(map(len, lines), default=0)
    fontsize = _TITLE_PT
    if longest:
        fit = MAX_WIDTH / ncols * 72 / (_CHAR_EM * longest)  # points at which titles fill a column
        fontsize = max(7.0, min(_TITLE_PT, fit))
    n_lines = max((str(t).count("\n") + 1 for t in titles), default=0)
    title_h = n_lines * 1.3 * fontsize / 72 + 0.05 if longest else 0.0
    title_w = longest * _CHAR_EM * fontsize / 72 + 0.1 if longest else 0.0
    cell = max(0.2, min(size, MAX_WIDTH / ncols, MAX_HEIGHT / nrows - title_h))
    figsize = (
        min(ncols * max(cell, title_w), MAX_WIDTH),
        min(nrows * (cell + title_h), MAX_HEIGHT),
    )
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False)
    flat = list(axes.flat)
    for ax in flat[n:]:
        fig.delaxes(ax)
    for ax in flat[:n]:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(False)
    return fig, flat[:n], fontsize


def _images_nchw(images: Any, name: str = "images") -> torch.Tensor:
    """Images as (N, C, H, W) with C in {1, 3}; accepts N×H×W, N×1×H×W, N×3×H×W, N×H×W×3."""
    x = to_tensor(images, name)
    if x.ndim == 3:
        x = x.unsqueeze(1)
    elif x.ndim == 4 and x.shape[1] not in (1, 3) and x.shape[-1] in (1, 3):
        x = x.permute(0, 3, 1, 2)
    if x.ndim != 4 or x.shape[1] not in (1, 3):
        hint = " (one image? pass image[None])" if x.ndim == 2 else ""
        raise ValueError(
            f"{name} must have shape N×H×W, N×1×H×W or N×3×H×W, got {tuple(x.shape)}{hint}"
        )
    if len(x) == 0:
        raise ValueError(f"{name} is empty: nothing to show")
    return x


def _display_range(x: torch.Tensor) -> tuple[float, float] | None:
    """Fixed (vmin, vmax) for uint8 or [0, 1] images; None means autoscale each image."""
    if x.dtype == torch.uint8:
        return 0.0, 255.0
    x = x.float()
    if x.min() >= 0 and x.max() <= 1:
        return 0.0, 1.0
    return None


def _image_titles(
    n: int,
    titles: Sequence[str] | None,
    t: torch.Tensor | None,
    p: torch.Tensor | None,
    classes: Sequence[str] | None,
    ncols: int,
) -> list[str]:
    """One title per image: ``titles[i]`` above ``true→pred`` (class names if ``classes``)."""
    lines = [[] for _ in range(n)] if titles is None else [[str(s)] for s in titles]
    for i in range(n):
        names = [class_name(int(v[i]), classes) for v in (t, p) if v is not None]
        if names:
            lines[i].append("→".join(names))
    labels = ["\n".join(parts) for parts in lines]
    longest = max(len(line) for label in labels for line in label.split("\n"))
    if longest * _CHAR_EM * _TITLE_PT / 72 > MAX_WIDTH / max(1, min(ncols, n)):
        labels = [label.replace("→", "\n→") for label in labels]  # too wide: break at the arrow
    return labels


def _draw_image(
    ax: Axes, img: torch.Tensor, fixed: tuple[float, float] | None, cmap: str
) -> None:
    """One image (1, H, W) or (3, H, W) on [vmin, vmax] = ``fixed`` or its own min and max."""
    lo, hi = fixed if fixed else (img.float().min().item(), img.float().max().item())
    if img.shape[0] == 1:
        ax.imshow(img[0].numpy(), cmap=cmap, vmin=lo, vmax=hi)
    else:  # RGB must lie in [0, 1]
        rgb = ((img.float() - lo) / max(hi - lo, 1e-12)).clamp(0, 1)
        ax.imshow(rgb.permute(1, 2, 0).numpy())


@slide_figure
def show_images(
    images: Any,
    *,
    titles: Sequence[str] | None = None,
    true: Any = None,
    pred: Any = None,
    classes: Sequence[str] | None = None,
    ncols: int = 8,
    cmap: str = "gray",
    size: float = 1.3,
    alt_labels: bool | None = None,
) -> Figure:
    """A grid of images, optionally titled with labels; wrong predictions in red.

    ``images``: N×H×W, N×1×H×W or N×3×H×W (or N×H×W×3). ``true``/``pred``: labels (N,);
    with both the title reads ``true→pred`` (names from ``classes``) and wrong predictions get
    a red title and a red frame. ``titles`` (N strings) go on a line above the labels.
    uint8 images are shown on 0..255 and images in [0, 1] on 0..1; anything else (e.g.
    normalised images) is autoscaled per image. ``size``: inches per image (shrunk to fit).

    The alt text names the grid; it lists the ``titles`` and labels when ``alt_labels``
    (default: only without ``pred``, since predictions, the images picked by them and titles
    such as their confidence come from training and differ from CPU to CPU, and a notebook's
    text output is compared on each).
    """
    x = _images_nchw(images)
    n = len(x)
    if titles is not None and len(titles) != n:
        raise ValueError(f"titles has {len(titles)} entries but there are {n} images")
    t = to_labels(true, "true", n=n) if true is not None else None
    p = to_labels(pred, "pred", n=n) if pred is not None else None
    labels = _image_titles(n, titles, t, p, classes, ncols)
    fig, axes, fontsize = _grid(n, ncols, size, titles=labels if any(labels) else ())
    fixed = _display_range(x)
    for i, ax in enumerate(axes):
        _draw_image(ax, x[i], fixed, cmap)
        wrong = t is not None and p is not None and bool(t[i] != p[i])
        if labels[i]:
            ax.set_title(labels[i], fontsize=fontsize, color=WRONG if wrong else "black")
        for spine in ax.spines.values() if wrong else ():
            spine.set(visible=True, color=WRONG, linewidth=3)
    listed = (pred is None) if alt_labels is None else alt_labels
    return describe(fig, _images_alt(n, ncols, tuple(x.shape[-2:]), titles, t, p, classes,
                                     listed=listed))


def _layout(n: int, ncols: int) -> str:
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    return "in one row" if nrows == 1 else f"in {nrows} rows of {ncols}"


def _short(items: Sequence[str], limit: int = 20) -> str:
    """Items separated by spaces (commas if any has a space), the first ``limit`` then "…"."""
    items = [str(s).replace("\n", " ") for s in items]
    if len(set(items)) == 1 and len(items) > 1:
        return f"all “{items[0]}”"
    if any(" " in s for s in items):
        return "; ".join(items[:limit]) + ("; …" if len(items) > limit else "")
    return " ".join(items[:limit]) + (" …" if len(items) > limit else "")


def _images_alt(n: int, ncols: int, hw: tuple[int, int], titles: Sequence[str] | None,
                t: torch.Tensor | None, p: torch.Tensor | None,
                classes: Sequence[str] | None, *, listed: bool) -> str:
    what = "image" if n == 1 else "images"
    alt = f"{n} {what} of {hw[0]}×{hw[1]} pixels {_layout(n, ncols)}"
    if titles is not None:
        alt += f", titled {_short(titles)}" if listed else ", each with a caption"
    alt += "."
    def name(v: Any) -> str:
        return class_name(int(v), classes)

    if t is not None and p is None:
        alt += (f" True labels: {_short([name(v) for v in t])}." if listed else
                " Each is titled with its true label.")
    elif t is not None and p is not None:
        alt += (" Each is titled true→predicted class; wrong predictions have a red title "
                "and a red frame.")
        if listed:
            pairs = [f"{name(a)}→{name(b)}" for a, b in zip(t, p, strict=True)]
            wrong = [f"predicted {name(b)} for the {name(a)}"
                     for a, b in zip(t, p, strict=True) if a != b]
            alt += f" Labels: {_short(pairs)}; " + (
                f"{len(wrong)} wrong: {words_list(wrong[:8])}{' …' if len(wrong) > 8 else ''}."
                if wrong else "all right.")
    elif p is not None:
        alt += " Each is titled with its predicted class."
        if listed:
            alt += f" Predicted: {_short([name(v) for v in p])}."
    return alt


@slide_figure
def plot_feature_maps(
    maps: Any,
    *,
    ncols: int = 8,
    shared_scale: bool = True,
    symmetric: bool = False,
    colorbar: bool = False,
    titles: Sequence[str] | None = None,
    cmap: str = "gray",
    size: float = 1.3,
) -> Figure:
    """The C feature maps of one example in a grid.

    ``maps``: C×H×W (or 1×C×H×W). With ``shared_scale`` every map uses one colour scale (the
    min and max over all maps), so brightness compares across maps; otherwise each map is
    scaled to its own min and max. ``symmetric`` centres each scale at 0 (from -m to m, m the
    largest absolute value), for signed numbers such as weights; pair it with a diverging
    ``cmap`` such as ``"RdBu_r"`` (blue negative, white 0, red positive). ``colorbar`` adds
    one colour bar for the shared scale (it needs ``shared_scale``). ``titles``: C strings.
    """
    m = to_tensor(maps, "maps").float()
    if m.ndim == 4 and m.shape[0] == 1:
        m = m[0]
    if m.ndim != 3:
        hint = " (a batch? pass maps[0])" if m.ndim == 4 else ""
        raise ValueError(f"maps must have shape C×H×W or 1×C×H×W, got {tuple(m.shape)}{hint}")
    if m.numel() == 0:
        raise ValueError(f"maps is empty (shape {tuple(m.shape)})")
    if titles is not None and len(titles) != len(m):
        raise ValueError(f"titles has {len(titles)} entries but there are {len(m)} maps")
    if colorbar and not shared_scale:
        raise ValueError("colorbar=True needs one colour scale for all maps: pass "
                         "shared_scale=True (or colorbar=False)")
    fig, axes, fontsize = _grid(len(m), ncols, size, titles=titles or ())

    def scale(x: torch.Tensor) -> tuple[float, float]:
        if symmetric:
            top = x.abs().max().item() or 1.0
            return -top, top
        return x.min().item(), x.max().item()

    for i, ax in enumerate(axes):
        vmin, vmax = scale(m if shared_scale else m[i])
        image = ax.imshow(m[i].numpy(), cmap=cmap, vmin=vmin, vmax=vmax)
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=fontsize)
    if colorbar:
        fig.colorbar(image, ax=axes, fraction=0.02, pad=0.01)
    c, h, w = m.shape
    alt = (f"{c} feature {'map' if c == 1 else 'maps'} of {h}×{w} {_layout(c, ncols)}"
           + (f", titled {_short(titles)}" if titles is not None else "") + ". Colours: "
           + _colour_words(cmap, signed=symmetric)
           + ("; one scale for all maps, so brightness compares across them"
              if shared_scale else "; each map scaled to its own lowest and highest value")
           + (", shown on a colour bar" if colorbar else "") + ".")
    return describe(fig, alt)


def _colour_words(cmap: Any, *, signed: bool) -> str:
    """How the colour map reads, in words."""
    name = getattr(cmap, "name", str(cmap))
    words = {
        "gray": "dark for low values, light for high",
        "Greys": "light for low values, dark for high",
        "gray_r": "light for low values, dark for high",
        "Greys_r": "dark for low values, light for high",
        "RdBu_r": "blue for negative values, white for 0, red for positive",
        "RdBu": "red for negative values, white for 0, blue for positive",
        "coolwarm": "blue for negative values, light grey for 0, red for positive",
    }.get(name, f"colour scale {name}")
    if signed and name in ("gray", "Greys", "gray_r", "Greys_r"):
        words += ", centred at 0"
    return words


@slide_figure
def plot_kernel(
    kernel: Any,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    fmt: str = ".2g",
    cmap: str = "RdBu_r",
) -> Figure:
    """A kernel kh×kw (e.g. 3×3) as a coloured grid with its numbers written in the cells.

    Colours are symmetric around 0 (blue negative, white 0, red positive with ``RdBu_r``).
    Leading size-1 dimensions are dropped, so ``conv.weight[0]`` of shape 1×k×k works.
    ``fmt`` formats the numbers (Python format spec).
    """
    k = to_tensor(kernel, "kernel").float()
    while k.ndim > 2 and k.shape[0] == 1:
        k = k[0]
    if k.ndim != 2 or k.numel() == 0:
        raise ValueError(
            f"kernel must have shape k×k (e.g. 3×3; for a conv weight pick one: weight[0, 0]), "
            f"got {tuple(to_tensor(kernel, 'kernel').shape)}"
        )
    own = ax is None
    if ax is None:
        fig, ax = plt.subplots(
            figsize=(min(4.0, 1.0 + 0.8 * k.shape[1]), min(4.0, 1.0 + 0.8 * k.shape[0]))
        )
    else:
        fig = ax.figure
    m = k.abs().max().item() or 1.0
    ax.imshow(k.numpy(), cmap=cmap, vmin=-m, vmax=m)
    rows, cols = k.shape
    # "+ 0.0" turns -0.0 into 0.0, so no cell reads "-0"
    texts = {(i, j): format(k[i, j].item() + 0.0, fmt) for i in range(rows) for j in range(cols)}
    image = ax.images[-1]
    dark = {cell for cell in texts
            if contrast_text_colour(image.to_rgba(k[cell].item())) == "white"}
    annotate_cells(ax, texts, dark, (rows, cols), square=True)
    ax.set_xticks(np.arange(cols + 1) - 0.5, minor=True)  # white lines between the cells
    ax.set_yticks(np.arange(rows + 1) - 0.5, minor=True)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    ax.grid(which="minor", color="white", linewidth=2, alpha=1)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.tick_params(which="both", length=0)
    if title:
        ax.set_title(title)
    values = ", ".join("(" + ", ".join(texts[(i, j)] for j in range(cols)) + ")"
                       for i in range(rows))
    alt = f"{f'{title}: ' if title else ''}{rows}×{cols} kernel, values row by row {values}"
    colours = f"Cells coloured {_colour_words(cmap, signed=True)}."
    if own:
        return describe(fig, f"{alt}. {colours}")
    return describe_panel(ax, alt, panel="kernel", common=colours)
