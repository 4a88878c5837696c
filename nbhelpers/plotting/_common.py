"""What the plotting modules share: inputs as tensors, class labels and names, and numbers
written into the cells of an image grid (a kernel, a confusion matrix)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from matplotlib.axes import Axes


def to_tensor(x: Any, name: str) -> torch.Tensor:
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


def to_labels(x: Any, name: str, *, n: int | None = None) -> torch.Tensor:
    """Class labels as a 1-D int64 tensor (of length ``n`` when given)."""
    t = to_tensor(x, name)
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


def class_name(label: int, classes: Sequence[str] | None) -> str:
    if classes is None:
        return str(label)
    if label >= len(classes):
        raise ValueError(f"label {label} has no name: classes has only {len(classes)} entries")
    return str(classes[label])


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


def annotate_cells(
    ax: Axes,
    texts: dict[tuple[int, int], str],
    dark: set[tuple[int, int]],
    shape: tuple[int, int],
    *,
    square: bool,
) -> None:
    """Write ``texts[(row, col)]`` centred in the cells of an ``imshow`` grid of ``shape``,
    white on the ``dark`` cells; the font is as large as fits the cells (7 to 20 pt)."""
    cell_w, cell_h = _cell_points(ax, shape, square=square)
    widest = max((_text_ems(s) for s in texts.values()), default=1.0)
    size = max(7.0, min(20.0, 0.5 * cell_h, 0.85 * cell_w / widest))
    for (i, j), text in texts.items():
        color = "white" if (i, j) in dark else "black"
        ax.text(j, i, text, ha="center", va="center", fontsize=size, color=color)
