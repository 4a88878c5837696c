"""Figures that read on a projector (1280x720) and in a notebook.

Every plotting function here returns the matplotlib :class:`~matplotlib.figure.Figure` (made
with ``plt.subplots`` unless you pass ``ax``). In a notebook end the call with ``;`` or assign
it (``fig = show_images(x)``) so the figure is not shown twice. Figures are drawn in the slide
style whatever the global settings, and fit a slide at dpi 100: at most 11 x 4 inches.

Inputs may be torch tensors (on any device, with or without grad), NumPy arrays or lists.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

#: Colour cycle that survives a washed-out projector (Okabe-Ito, colour-blind safe).
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]

#: Default figure size in inches: at 100 dpi, fits a slide under a heading.
SLIDE_FIGSIZE = (9.0, 4.0)

#: Largest figure (inches) that fits a 1280x720 slide at dpi 100 under a heading.
MAX_WIDTH, MAX_HEIGHT = 11.0, 4.0

#: Colour of wrong predictions in :func:`show_images`.
WRONG = "#D00000"

#: The rcParams behind :func:`use_slide_style`; every function here draws with them.
SLIDE_RC: dict[str, Any] = {
    "figure.figsize": SLIDE_FIGSIZE,
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 14,
    "axes.titlesize": 16,
    "axes.labelsize": 14,
    "legend.fontsize": 12,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "lines.linewidth": 2.5,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "image.cmap": "gray",
    "figure.constrained_layout.use": True,
}


def use_slide_style() -> None:
    """Large fonts, thick lines, a projector-safe colour cycle and PNG output.

    PNG (not SVG) keeps stored notebooks small and nbval stable; the figure size and dpi
    keep a figure inside a 1280x720 slide.
    """
    mpl.rcParams.update(SLIDE_RC)
    try:  # inline backend: PNG only, no retina doubling of stored bytes
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png")
    except ImportError:  # not inside IPython
        pass


def _slide_style(func: Callable[..., Figure]) -> Callable[..., Figure]:
    """Run ``func`` with the slide rcParams (fonts and sizes are fixed when artists are made)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        with mpl.rc_context(SLIDE_RC):
            return func(*args, **kwargs)

    return wrapper


# ----------------------------------------------------------------------------- input helpers


def _tensor(x: Any, name: str) -> torch.Tensor:
    """``x`` (tensor, array, list, list of tensors) as a CPU tensor without grad."""
    if isinstance(x, torch.Tensor):
        return x.detach().cpu()
    if isinstance(x, list | tuple) and x and all(isinstance(t, torch.Tensor) for t in x):
        return torch.stack([t.detach().cpu() for t in x])
    try:
        return torch.as_tensor(np.asarray(x))
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(
            f"{name} must be a tensor, a NumPy array or a list of numbers; got {type(x).__name__}"
        ) from None


def _labels(x: Any, name: str, *, n: int | None = None) -> torch.Tensor:
    """Class labels as a 1-D int64 tensor (of length ``n`` when given)."""
    t = _tensor(x, name)
    if t.ndim == 2 and t.shape[1] > 1:
        raise ValueError(
            f"{name} has shape {tuple(t.shape)}: that looks like scores (N, C); "
            f"pass class labels of shape (N,), e.g. {name}.argmax(1)"
        )
    t = t.reshape(-1) if t.ndim == 2 else t
    if t.ndim != 1:
        raise ValueError(f"{name} must be class labels of shape (N,), got {tuple(t.shape)}")
    if t.is_floating_point() and not torch.equal(t, t.round()):
        raise TypeError(f"{name} must hold integer class labels, got {t.dtype} with fractions")
    if n is not None and len(t) != n:
        raise ValueError(f"{name} has {len(t)} entries but there are {n} items")
    if len(t) and t.min() < 0:
        raise ValueError(f"{name} holds negative labels; class labels are 0, 1, ..., C-1")
    return t.long()


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


# ----------------------------------------------------------------------------- grids


#: Font size (points) of the titles above grid images, and the width of one of its characters.
GRID_TITLE_PT = 12
_CHAR_EM = 0.6


def _grid(
    n: int, ncols: int, size: float, *, titles: Sequence[str] = ()
) -> tuple[Figure, list[Axes], float]:
    """``n`` image axes in rows of ``ncols`` (extra cells removed), scaled to fit a slide.

    Columns widen (up to the slide width) so that ``titles`` fit; returns the figure, the axes
    and the title font size (smaller than :data:`GRID_TITLE_PT` only when they cannot fit).
    """
    if ncols < 1:
        raise ValueError(f"ncols must be at least 1, got {ncols}")
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    lines = [line for title in titles for line in str(title).split("\n")]
    longest = max(map(len, lines), default=0)
    fontsize = GRID_TITLE_PT
    if longest:
        fit = MAX_WIDTH / ncols * 72 / (_CHAR_EM * longest)  # points at which titles fill a column
        fontsize = max(7.0, min(GRID_TITLE_PT, fit))
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
    x = _tensor(images, name)
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


def _class_name(label: int, classes: Sequence[str] | None) -> str:
    if classes is None:
        return str(label)
    if label >= len(classes):
        raise ValueError(f"label {label} has no name: classes has only {len(classes)} entries")
    return str(classes[label])


def _image_titles(n: int, titles, t, p, classes, ncols: int) -> list[str]:
    """One title per image: ``titles[i]`` above ``true→pred`` (class names if ``classes``)."""
    lines = [[] for _ in range(n)] if titles is None else [[str(s)] for s in titles]
    for i in range(n):
        names = [_class_name(int(v[i]), classes) for v in (t, p) if v is not None]
        if names:
            lines[i].append("→".join(names))
    labels = ["\n".join(parts) for parts in lines]
    longest = max(len(line) for label in labels for line in label.split("\n"))
    if longest * _CHAR_EM * GRID_TITLE_PT / 72 > MAX_WIDTH / max(1, min(ncols, n)):
        labels = [label.replace("→", "\n→") for label in labels]  # too wide: break at the arrow
    return labels


def _draw_image(ax: Axes, img: torch.Tensor, fixed: tuple[float, float] | None, cmap: str):
    """One image (1, H, W) or (3, H, W) on [vmin, vmax] = ``fixed`` or its own min and max."""
    lo, hi = fixed if fixed else (img.float().min().item(), img.float().max().item())
    if img.shape[0] == 1:
        ax.imshow(img[0].numpy(), cmap=cmap, vmin=lo, vmax=hi)
    else:  # RGB must lie in [0, 1]
        rgb = ((img.float() - lo) / max(hi - lo, 1e-12)).clamp(0, 1)
        ax.imshow(rgb.permute(1, 2, 0).numpy())


@_slide_style
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
) -> Figure:
    """A grid of images, optionally titled with labels; wrong predictions in red.

    ``images``: N×H×W, N×1×H×W or N×3×H×W (or N×H×W×3). ``true``/``pred``: labels (N,);
    with both the title reads ``true→pred`` (names from ``classes``) and wrong predictions get
    a red title and a red frame. ``titles`` (N strings) go on a line above the labels.
    uint8 images are shown on 0..255 and images in [0, 1] on 0..1; anything else (e.g.
    normalised images) is autoscaled per image. ``size``: inches per image (shrunk to fit).
    """
    x = _images_nchw(images)
    n = len(x)
    if titles is not None and len(titles) != n:
        raise ValueError(f"titles has {len(titles)} entries but there are {n} images")
    t = _labels(true, "true", n=n) if true is not None else None
    p = _labels(pred, "pred", n=n) if pred is not None else None
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
    return fig


@_slide_style
def plot_feature_maps(
    maps: Any,
    *,
    ncols: int = 8,
    shared_scale: bool = True,
    titles: Sequence[str] | None = None,
    cmap: str = "gray",
    size: float = 1.3,
) -> Figure:
    """The C feature maps of one example in a grid.

    ``maps``: C×H×W (or 1×C×H×W). With ``shared_scale`` every map uses one colour scale (the
    min and max over all maps), so brightness compares across maps; otherwise each map is
    scaled to its own min and max. ``titles``: C strings.
    """
    m = _tensor(maps, "maps").float()
    if m.ndim == 4 and m.shape[0] == 1:
        m = m[0]
    if m.ndim != 3:
        hint = " (a batch? pass maps[0])" if m.ndim == 4 else ""
        raise ValueError(f"maps must have shape C×H×W or 1×C×H×W, got {tuple(m.shape)}{hint}")
    if m.numel() == 0:
        raise ValueError(f"maps is empty (shape {tuple(m.shape)})")
    if titles is not None and len(titles) != len(m):
        raise ValueError(f"titles has {len(titles)} entries but there are {len(m)} maps")
    fig, axes, fontsize = _grid(len(m), ncols, size, titles=titles or ())
    lo, hi = m.min().item(), m.max().item()
    for i, ax in enumerate(axes):
        vmin, vmax = (lo, hi) if shared_scale else (m[i].min().item(), m[i].max().item())
        ax.imshow(m[i].numpy(), cmap=cmap, vmin=vmin, vmax=vmax)
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=fontsize)
    return fig


# ----------------------------------------------------------------------------- curves


def _values_and_slope(f: Callable, x: torch.Tensor, *, derivative: bool):
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


@_slide_style
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
    if callable(funcs) and not isinstance(funcs, Mapping):
        funcs = {getattr(funcs, "__name__", "f"): funcs}
    if not isinstance(funcs, Mapping) or not funcs:
        raise ValueError(
            "funcs must be a non-empty dict {label: function}, e.g. {'ReLU': torch.relu}"
        )
    lo, hi = _check_range(xlim, "xlim")
    if points < 2:
        raise ValueError(f"points must be at least 2, got {points}")
    if ax is not None and derivative:
        raise ValueError("ax cannot be combined with derivative=True (that needs two panels)")
    x = torch.linspace(lo, hi, points)
    curves = {}
    for label, f in funcs.items():
        if not callable(f):
            raise TypeError(f"funcs[{label!r}] is not callable")
        curves[str(label)] = _values_and_slope(f, x, derivative=derivative)
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


_ALIASES = {"accuracy": "acc"}


def _series(history: Any, key: str) -> list[float]:
    """``history[key]`` (dict) or ``history.key`` (e.g. a training.History) as floats; None
    (not measured) becomes NaN, and a series with no values at all becomes []."""
    raw = history.get(key) if isinstance(history, Mapping) else getattr(history, key, None)
    if raw is None or all(v is None for v in raw):
        return []
    return [math.nan if v is None else float(v) for v in raw]


@_slide_style
def plot_history(history: Any, *, metrics: Sequence[str] = ("loss", "accuracy")) -> Figure:
    """Loss and accuracy per epoch, train against test, one panel per metric.

    ``history``: an :class:`nbhelpers.training.History` or a dict with the lists ``epoch``,
    ``train_loss``, ``train_acc``, ``test_loss``, ``test_acc`` (one value per epoch).
    Metric ``m`` reads ``train_m`` and ``test_m`` ("accuracy" reads ``*_acc``); missing or
    empty series are skipped. Accuracies up to 1 are drawn as percentages.
    """
    if isinstance(metrics, str):
        metrics = (metrics,)
    if not isinstance(history, Mapping) and not hasattr(history, "train_loss"):
        raise TypeError(
            f"history must be an nbhelpers.training.History or a dict of per-epoch lists, "
            f"got {type(history).__name__}"
        )
    epochs = _series(history, "epoch")
    panels = []  # (metric, {"train": values, "test": values}) for metrics that have values
    for metric in metrics:
        key = _ALIASES.get(metric, metric)
        lines = {s: _series(history, f"{s}_{key}") for s in ("train", "test")}
        lines = {s: v for s, v in lines.items() if v}
        for split, values in lines.items():
            if epochs and len(epochs) != len(values):
                raise ValueError(
                    f"history: {split}_{key} has {len(values)} values but epoch has {len(epochs)}"
                )
        if lines:
            panels.append((metric, lines))
    if not panels:
        raise ValueError(
            f"history has no values for {list(metrics)}: expected non-empty lists such as "
            "train_loss / test_acc (train for at least one epoch first)"
        )
    width = min(MAX_WIDTH, 2.0 + 3.5 * len(panels))
    fig, axes = plt.subplots(1, len(panels), figsize=(width, 4.0), squeeze=False)
    for ax, (metric, lines) in zip(axes.flat, panels, strict=True):
        for split, values in lines.items():
            ax.plot(
                epochs or range(1, len(values) + 1),
                values,
                color=PALETTE[0] if split == "train" else PALETTE[1],
                ls="-" if split == "train" else "--",
                marker="o" if len(values) <= 30 else None,
                label=split,
            )
        finite = [v for vs in lines.values() for v in vs if math.isfinite(v)]
        if "acc" in metric and finite and max(finite) <= 1:
            ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("epoch")
        ax.set_title(metric)
        ax.legend(loc="best")
    return fig


# ----------------------------------------------------------------------------- confusion


def confusion_matrix(y_true: Any, y_pred: Any, *, num_classes: int | None = None) -> torch.Tensor:
    """Counts ``cm[i, j]`` = how many examples of true class i were predicted as class j.

    ``y_true``, ``y_pred``: labels of shape (N,). Returns a (C, C) int64 tensor with
    C = ``num_classes`` (default: largest label + 1); rows are true, columns predicted
    classes, and ``cm.sum() == N``.
    """
    t = _labels(y_true, "y_true")
    p = _labels(y_pred, "y_pred", n=len(t))
    if len(t) == 0:
        raise ValueError("y_true and y_pred are empty: nothing to count")
    top = int(max(t.max(), p.max()))
    c = top + 1 if num_classes is None else int(num_classes)
    if top >= c:
        raise ValueError(f"labels go up to {top} but num_classes is {c}: labels must be < C")
    return torch.bincount(t * c + p, minlength=c * c).reshape(c, c)


def most_confused(cm: Any, *, k: int = 5) -> list[tuple[int, int, int]]:
    """The ``k`` largest off-diagonal entries of a confusion matrix ``cm`` (C, C) as
    ``(true, predicted, count)``, largest first (ties: smaller true, then predicted, first);
    only pairs that were confused at least once."""
    m = _tensor(cm, "cm")
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"cm must be a square (C, C) matrix, got shape {tuple(m.shape)}")
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    counts = m.tolist()
    pairs = [
        (i, j, int(n))
        for i, row in enumerate(counts)
        for j, n in enumerate(row)
        if i != j and n > 0
    ]
    return sorted(pairs, key=lambda e: (-e[2], e[0], e[1]))[:k]


def _cell_points(ax: Axes, shape: tuple[int, int], *, square: bool) -> tuple[float, float]:
    """Estimated width and height in points of one cell of an image grid ``shape`` in ``ax``.

    Layout has not run yet, so this uses the axis' share of its figure (its subplot cell)
    minus room for ticks and a title; ``square`` for images drawn with equal aspect.
    """
    fig = ax.figure
    spec = ax.get_subplotspec()
    if spec is not None:
        rows, cols = spec.get_gridspec().get_geometry()
        share_w = len(spec.colspan) / cols
        share_h = len(spec.rowspan) / rows
    else:
        share_w, share_h = ax.get_position().width, ax.get_position().height
    w = 72 * fig.get_figwidth() * share_w * 0.88 / shape[1]
    h = 72 * fig.get_figheight() * share_h * 0.85 / shape[0]
    return (min(w, h), min(w, h)) if square else (w, h)


def _text_ems(text: str) -> float:
    """Width of ``text`` in ems (DejaVu Sans: digits about 0.64, '.' and '-' about 0.33)."""
    return sum(0.33 if c in ".,-:;" else 0.64 for c in text) or 1.0


def _annotate_cells(
    ax: Axes, texts: dict[tuple[int, int], str], dark: set, shape, *, square: bool
) -> None:
    """Write ``texts[(row, col)]`` centred in the cells of an ``imshow`` grid of ``shape``,
    white on the ``dark`` cells; the font is as large as fits the cells (7 to 20 pt)."""
    cell_w, cell_h = _cell_points(ax, shape, square=square)
    widest = max((_text_ems(s) for s in texts.values()), default=1.0)
    size = max(7.0, min(20.0, 0.5 * cell_h, 0.85 * cell_w / widest))
    for (i, j), text in texts.items():
        color = "white" if (i, j) in dark else "black"
        ax.text(j, i, text, ha="center", va="center", fontsize=size, color=color)


@_slide_style
def plot_confusion(
    y_true: Any,
    y_pred: Any,
    *,
    classes: Sequence[str] | None = None,
    normalize: bool = False,
    ax: Axes | None = None,
    title: str | None = None,
    cmap: str = "Blues",
) -> Figure:
    """The confusion matrix of labels ``y_true``, ``y_pred`` (N,): rows true, columns predicted.

    Non-zero cells are annotated with counts (with ``normalize``: the fraction of each true
    class, so rows sum to 1). ``classes`` names the C classes. The default title gives the
    accuracy (trace / N).
    """
    cm = confusion_matrix(y_true, y_pred, num_classes=len(classes) if classes else None)
    c = len(cm)
    shown = cm / cm.sum(1, keepdim=True).clamp(min=1) if normalize else cm
    if ax is None:
        fig, ax = plt.subplots(figsize=(min(MAX_WIDTH, 3.5 + 0.6 * c), 4.0))
    else:
        fig = ax.figure
    ax.imshow(shown.numpy(), cmap=cmap, vmin=0, aspect="auto")
    ax.grid(False)
    texts = {
        (i, j): f"{shown[i, j]:.2f}" if normalize else str(int(cm[i, j]))
        for i in range(c)
        for j in range(c)
        if cm[i, j] > 0
    }
    dark = {cell for cell in texts if shown[cell].item() > 0.6 * shown.max().item()}
    _annotate_cells(ax, texts, dark, (c, c), square=False)
    names = [_class_name(i, classes) for i in range(c)]
    ax.set_xticks(
        range(c),
        names,
        rotation=45 if classes and c > 4 else 0,
        ha="right" if classes and c > 4 else "center",
        fontsize=12,
    )
    ax.set_yticks(range(c), names, fontsize=12)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    acc = cm.diag().sum().item() / cm.sum().item()
    ax.set_title(title if title is not None else f"confusion matrix (accuracy {acc:.1%})")
    return fig


# ----------------------------------------------------------------------------- 2-D models


def _classes_from_scores(
    out: torch.Tensor, m: int, threshold: float | None
) -> tuple[torch.Tensor, tuple[torch.Tensor, float] | None]:
    """Class per point from f's output: (M, C) -> argmax; integer/bool (M,) -> as is;
    float (M,) or (M, 1) -> ``value >= threshold`` (0.5 if all values lie in [0, 1], else 0).

    Returns the classes (M,) and, for float (M,) output, ``(values, threshold)`` (the
    boundary is where the values cross the threshold), else None.
    """
    if out.ndim == 2 and out.shape[1] == 1:
        out = out[:, 0]
    if out.ndim not in (1, 2) or out.shape[0] != m:
        raise ValueError(
            f"f must map an (M, 2) tensor to shape (M,), (M, 1) or (M, C); "
            f"for M = {m} it returned {tuple(out.shape)}"
        )
    if out.ndim == 2:
        return out.argmax(1), None
    if not out.is_floating_point():
        if out.min() < 0:
            raise ValueError("f returned negative integer labels; labels are 0, 1, ..., C-1")
        return out.long(), None
    if threshold is None:
        threshold = 0.5 if out.min() >= 0 and out.max() <= 1 else 0.0
    return (out >= threshold).long(), (out, threshold)


def _evaluate(f: Callable, grid: torch.Tensor) -> torch.Tensor:
    """``f(grid)`` without grad; a module runs in eval mode on its parameters' device/dtype."""
    module = f if isinstance(f, torch.nn.Module) else None
    param = next(module.parameters(), None) if module is not None else None
    if param is not None:
        grid = grid.to(device=param.device, dtype=param.dtype)
    was_training = module.training if module is not None else False
    if module is not None:
        module.eval()
    try:
        with torch.no_grad():
            out, _ = _call(f, grid)
    finally:
        if module is not None:
            module.train(was_training)
    return out.detach().cpu()


def _scatter_classes(ax: Axes, pts: torch.Tensor, labels: torch.Tensor | None) -> None:
    """Points (N, 2), one colour and marker per class of ``labels`` (N,); white if no labels."""
    if labels is None:
        ax.scatter(pts[:, 0], pts[:, 1], s=60, color="white", edgecolors="k", zorder=3)
        return
    for c in range(int(labels.max()) + 1 if len(labels) else 0):
        group = pts[labels == c]
        if len(group):
            ax.scatter(
                group[:, 0],
                group[:, 1],
                s=60,
                color=PALETTE[c % len(PALETTE)],
                edgecolors="k",
                marker="osD^vP*X"[c % 8],
                label=f"class {c}",
                zorder=3,
            )
    if len(labels):
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))


@_slide_style
def plot_decision_regions(
    f: Callable[[torch.Tensor], Any],
    *,
    X: Any = None,
    y: Any = None,
    xlim: tuple[float, float] = (-0.5, 1.5),
    ylim: tuple[float, float] = (-0.5, 1.5),
    resolution: int = 200,
    ax: Axes | None = None,
    title: str | None = None,
    threshold: float | None = None,
) -> Figure:
    """The class that ``f`` assigns to each point of the plane, as coloured regions.

    ``f`` maps an (M, 2) float tensor to (M, C) scores (class = argmax), to (M,) or (M, 1)
    values (class 1 where value >= ``threshold``; default 0.5 when all values lie in [0, 1],
    i.e. probabilities, else 0, i.e. logits), or to integer labels (M,). An ``nn.Module`` is
    evaluated in eval mode without grad on its own device. ``X`` (N, 2) and ``y`` (N,) are
    drawn on top, coloured (and shaped) by class.
    """
    x0, x1 = _check_range(xlim, "xlim")
    y0, y1 = _check_range(ylim, "ylim")
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2, got {resolution}")
    pts = _tensor(X, "X").float() if X is not None else None
    if pts is not None and (pts.ndim != 2 or pts.shape[1] != 2):
        raise ValueError(f"X must have shape (N, 2), got {tuple(pts.shape)}")
    labels = _labels(y, "y", n=len(pts)) if y is not None and pts is not None else None
    if y is not None and pts is None:
        raise ValueError("y was given without X: pass the points X (N, 2) too")
    xs, ys = torch.linspace(x0, x1, resolution), torch.linspace(y0, y1, resolution)
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    grid = torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)
    regions, boundary = _classes_from_scores(_evaluate(f, grid), len(grid), threshold)
    regions = regions.reshape(resolution, resolution)
    top = max(int(regions.max()), int(labels.max()) if labels is not None and len(labels) else 0)
    colors = ListedColormap([PALETTE[i % len(PALETTE)] for i in range(max(top + 1, 2))])
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.0, 4.0))
    else:
        fig = ax.figure
    dx, dy = (x1 - x0) / (resolution - 1), (y1 - y0) / (resolution - 1)  # pixels centred on grid
    extent = (x0 - dx / 2, x1 + dx / 2, y0 - dy / 2, y1 + dy / 2)
    ax.imshow(
        regions.numpy(),
        origin="lower",
        extent=extent,
        cmap=colors,
        vmin=-0.5,
        vmax=colors.N - 0.5,
        alpha=0.3,
        interpolation="nearest",
        aspect="auto",
    )
    if boundary is not None and regions.min() != regions.max():
        values, level = boundary
        ax.contour(
            xs.numpy(),
            ys.numpy(),
            values.reshape(resolution, resolution).numpy(),
            levels=[level],
            colors="0.2",
            linewidths=2,
        )
    if pts is not None:
        _scatter_classes(ax, pts, labels)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.grid(False)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return fig


# ----------------------------------------------------------------------------- kernels


@_slide_style
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
    k = _tensor(kernel, "kernel").float()
    while k.ndim > 2 and k.shape[0] == 1:
        k = k[0]
    if k.ndim != 2 or k.numel() == 0:
        raise ValueError(
            f"kernel must have shape k×k (e.g. 3×3; for a conv weight pick one: weight[0, 0]), "
            f"got {tuple(_tensor(kernel, 'kernel').shape)}"
        )
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
    dark = {cell for cell in texts if abs(k[cell].item()) > 0.6 * m}
    _annotate_cells(ax, texts, dark, (rows, cols), square=True)
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
    return fig
