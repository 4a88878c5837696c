"""What the plotting modules share: inputs as tensors, class labels and names, numbers
written into the cells of an image grid (a kernel, a confusion matrix), and what the package's
figures share for accessibility: a second cue beside colour (:func:`series_style`), numbers in
alt text (:func:`num`), cell text that contrasts with its cell (:func:`contrast_text_colour`)
and alt text for a panel of a caller's figure (:func:`describe_panel`)."""

from __future__ import annotations

import math
import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from nbhelpers.display import alt_text, describe


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


# --- what every package figure shares for accessibility: a second cue beside colour, numbers
# --- for alt text, and alt text for a helper that draws one panel of a caller's figure.

#: Line styles told apart without colour: series ``i`` of a figure gets ``LINESTYLES[i % 4]``
#: and, from the fifth on, also a marker (:func:`series_style`).
LINESTYLES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def series_style(i: int, *, points: int | None = None) -> dict[str, Any]:
    """Line style (and from the fifth series a marker) of series ``i`` of a figure, so that
    series differ in more than colour (WCAG 1.4.1). ``points``: how many points the line has;
    markers are then spread to about 10 per line."""
    style: dict[str, Any] = {"ls": LINESTYLES[i % len(LINESTYLES)]}
    if i >= len(LINESTYLES):
        style["marker"] = MARKERS[(i - len(LINESTYLES)) % len(MARKERS)]
        style["ms"] = 6
        if points and points > 20:
            style["markevery"] = max(1, points // 10)
    return style


_LS_WORDS = {"-": "solid", "--": "dashed", ":": "dotted", "-.": "dash-dotted"}
_MARKER_WORDS = {"o": "circles", "s": "squares", "^": "triangles", "D": "diamonds",
                 "v": "down triangles", "P": "plus signs", "X": "crosses", "*": "stars"}


def style_words(i: int) -> str:
    """:func:`series_style` ``i`` in words, for alt text: ``"dashed"``, ``"solid with squares"``."""
    style = series_style(i)
    words = _LS_WORDS[style["ls"]]
    return f"{words} with {_MARKER_WORDS[style['marker']]}" if "marker" in style else words


def num(x: float, digits: int = 2) -> str:
    """``x`` with ``digits`` significant digits for alt text: ``0.0012``, ``3.5e-06`` as
    ``3.5e-6``, ``inf`` and ``nan`` spelled out; ``-0`` as ``0``."""
    x = float(x)
    if math.isnan(x):
        return "not a number"
    if math.isinf(x):
        return "infinity" if x > 0 else "minus infinity"
    text = f"{x + 0.0:.{digits}g}"
    if "e" in text and 1e3 <= abs(x) < 1e6:
        text = f"{float(text):.0f}"
    if "e" in text:
        mantissa, exp = text.split("e")
        text = f"{mantissa}e{int(exp)}"
    return "0" if text in ("-0", "0") else text


def words_list(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = [str(s) for s in items]
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def contrast_text_colour(rgba: Sequence[float]) -> str:
    """``"white"`` or ``"black"``, whichever contrasts more with the cell colour ``rgba``
    (WCAG relative luminance)."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(float(c)) for c in rgba[:3])
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "white" if (1.05 / (lum + 0.05)) > ((lum + 0.05) / 0.05) else "black"


_PANELS: weakref.WeakKeyDictionary[Figure, tuple[str, list[tuple[Axes, str]]]] = (
    weakref.WeakKeyDictionary())


def describe_panel(ax: Axes, text: str, *, panel: str, common: str = "") -> Figure:
    """Describe the caller's figure of ``ax`` when a helper drew one panel of it: the figure's
    alt text lists the panels the helpers drew, in order (``text`` for this one, which names
    the panel; ``common``: a sentence that holds for all of them, said once). A description
    the caller gave (:func:`~nbhelpers.display.describe`, before or after) is never replaced:
    the caller knows the whole figure."""
    fig = ax.figure
    current, previous = alt_text(fig), _PANELS.get(fig)
    if current is not None and (previous is None or current != previous[0]):
        return fig                                          # the caller's own description
    panels = [(a, t) for a, t in (previous[1] if previous else []) if a is not ax]
    panels.append((ax, text.rstrip(". ")))
    if len(panels) == 1:
        alt = panels[0][1] + "."
    else:
        alt = f"{len(panels)} {panel}s side by side: " + "; ".join(t for _, t in panels) + "."
    describe(fig, f"{alt} {common}".strip())
    _PANELS[fig] = (alt_text(fig) or alt, panels)
    return fig
