"""Which classes a classifier mixes up: the confusion matrix, its largest mistakes, its figure
(lecture 12)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from nbhelpers.display import MAX_WIDTH, describe, slide_figure
from nbhelpers.plotting._common import (
    annotate_cells,
    class_name,
    contrast_text_colour,
    describe_panel,
    to_labels,
    to_tensor,
    words_list,
)

__all__ = ["MAX_CLASSES", "confusion_matrix", "most_confused", "plot_confusion"]

#: The most classes :func:`confusion_matrix` counts (ImageNet's 1000: an 8 MB matrix); more
#: would take C² memory (labels up to 19,999: 3.2 GB) for a matrix no one can read.
MAX_CLASSES = 1000


def confusion_matrix(y_true: Any, y_pred: Any, *, num_classes: int | None = None) -> torch.Tensor:
    """Counts ``cm[i, j]`` = how many examples of true class i were predicted as class j.

    ``y_true``, ``y_pred``: labels of shape (N,). Returns a (C, C) int64 tensor with
    C = ``num_classes`` (default: largest label + 1), at most :data:`MAX_CLASSES`; rows are
    true, columns predicted classes, and ``cm.sum() == N``.
    """
    t = to_labels(y_true, "y_true")
    p = to_labels(y_pred, "y_pred", n=len(t))
    if len(t) == 0:
        raise ValueError("y_true and y_pred are empty: nothing to count")
    top = int(max(t.max(), p.max()))
    c = top + 1 if num_classes is None else int(num_classes)
    if top >= c:
        raise ValueError(f"labels go up to {top} but num_classes is {c}: labels must be < C")
    if c > MAX_CLASSES:
        raise ValueError(f"a confusion matrix of {c} classes would be {c}×{c} "
                         f"({c * c * 8 / 1e9:.2g} GB): use at most {MAX_CLASSES} classes, "
                         "labels 0, 1, ..., C-1 (renumber sparse labels with "
                         "torch.unique(labels, return_inverse=True))")
    return torch.bincount(t * c + p, minlength=c * c).reshape(c, c)


def most_confused(cm: Any, *, k: int = 5) -> list[tuple[int, int, int]]:
    """The ``k`` largest off-diagonal entries of a confusion matrix ``cm`` (C, C) as
    ``(true, predicted, count)``, largest first (ties: smaller true, then predicted, first);
    only pairs that were confused at least once."""
    m = to_tensor(cm, "cm")
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


@slide_figure
def plot_confusion(
    y_true: Any,
    y_pred: Any,
    *,
    classes: Sequence[str] | None = None,
    normalize: bool = False,
    ax: Axes | None = None,
    title: str | None = None,
    cmap: str = "Greys",
    alt_counts: bool = False,
) -> Figure:
    """The confusion matrix of labels ``y_true``, ``y_pred`` (N,): rows true, columns predicted.

    Non-zero cells are annotated with counts (with ``normalize``: the fraction of each true
    class, so rows sum to 1). ``classes`` names the C classes. The default title gives the
    accuracy (trace / N). ``cmap``: a sequential map, light for few and dark for many
    (``"Greys"``; ``"viridis"``, ``"cividis"`` ...); the numbers are black or white, whichever
    contrasts more with their cell.

    The alt text names the layout and the classes; with ``alt_counts`` also the accuracy and
    the largest mistakes. Off by default: a trained model's counts differ from CPU to CPU and a
    notebook's text output is compared on each (describe the figure yourself, or pass
    ``alt_counts=True``, in a cell whose output is not compared).
    """
    cm = confusion_matrix(y_true, y_pred, num_classes=len(classes) if classes else None)
    c = len(cm)
    shown = cm / cm.sum(1, keepdim=True).clamp(min=1) if normalize else cm
    own = ax is None
    if ax is None:
        fig, ax = plt.subplots(figsize=(min(MAX_WIDTH, 3.5 + 0.6 * c), 4.0))
    else:
        fig = ax.figure
    image = ax.imshow(shown.numpy(), cmap=cmap, vmin=0, aspect="auto")
    ax.grid(False)
    texts = {
        (i, j): f"{shown[i, j]:.2f}" if normalize else str(int(cm[i, j]))
        for i in range(c)
        for j in range(c)
        if cm[i, j] > 0
    }
    dark = {cell for cell in texts
            if contrast_text_colour(image.to_rgba(shown[cell].item())) == "white"}
    annotate_cells(ax, texts, dark, (c, c), square=False)
    names = [class_name(i, classes) for i in range(c)]
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
    shown_names = (f"{c} classes: {words_list(names)}" if classes else
                   f"{c} classes 0 to {c - 1}")
    shade = ("darker for more" if getattr(image.get_cmap(), "name", "") in ("Greys", "Blues")
             else f"coloured by {image.get_cmap().name}")
    alt = (f"Confusion matrix over {shown_names}; rows the true class, columns the predicted "
           "one, each non-zero cell labelled with its "
           + ("fraction of the true class" if normalize else "count")
           + f", {shade}; the diagonal holds the right predictions")
    if title:
        alt = f"{title}: {alt[0].lower()}{alt[1:]}"
    if alt_counts:
        def times(i: int, n: int) -> str:
            if normalize:
                return f"{n / max(1, int(cm[i].sum())):.0%} of the time"
            return "once" if n == 1 else f"{n} times"

        worst = [f"{class_name(i, classes)} taken for {class_name(j, classes)} {times(i, n)}"
                 for i, j, n in most_confused(cm, k=3)]
        alt += (f". Accuracy {acc:.1%}; " + ("largest mistakes: " + "; ".join(worst)
                                             if worst else "no mistakes"))
    alt += "."
    return describe(fig, alt) if own else describe_panel(ax, alt, panel="confusion matrix")
