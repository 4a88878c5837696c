"""Interactive demos (ipywidgets), each with a static fallback.

Convention used by every lecture:

* each demo has a pure function that draws one state, ``<demo>_figure(**params) -> Figure``,
  decorated with :func:`nbhelpers.display.slide_figure` (slide style, size check); the
  notebook shows a static figure built from it first (so the slide teaches on GitHub, under
  nbval and wherever widgets do not render);
* ``<demo>_widget()`` wraps the same function in controls with :func:`live`; the notebook cell
  that displays it carries the cell tag ``widget`` (the browser test runs it in RISE).
* every figure says what it shows (:func:`nbhelpers.display.describe`): its alt text is
  computed from what is drawn (which panel shows what, the key numbers, which curve is which),
  one to three sentences; each redraw of a widget gets its own. The alt text of a static
  figure is its ``text/plain`` output, which nbval compares on every CPU: numbers in it come
  from the inputs or closed forms, rounded by :func:`num`, never from training.
* every control has a visible label that is also its accessible name (``description``, or a
  button's text), and works from the keyboard; a pointer-only control (the drawing canvas)
  names its alternatives in visible text.

The demos live beside this file (``nbhelpers.widgets.<topic>``). They hold controls and
figures only: the maths they draw lives in topic modules (e.g. :mod:`nbhelpers.activations`),
which a notebook can use without any widget.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import ipywidgets as w
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from nbhelpers.display import png_bundle


def num(value: float, digits: int = 2) -> str:
    """``value`` rounded to ``digits`` significant digits for alt text (``0.38``, ``1.2e-10``,
    ``-3``): what a figure shows, without float noise in the last digits."""
    value = float(value)
    if math.isnan(value):
        return "undefined"
    if math.isinf(value):
        return "infinite" if value > 0 else "minus infinite"
    if abs(value) < 1e-300:
        return "0"
    text = f"{value:.{digits}g}"
    rounded = float(text)
    if 1e-3 <= abs(rounded) < 1e5:
        text = f"{rounded:g}"
    mantissa, _, exponent = text.partition("e")
    if exponent:
        text = f"{mantissa}e{int(exponent)}"
    return "0" if text in ("-0", "0") else text


#: Line styles and markers that tell series apart besides their colour (WCAG 1.4.1).
_LINESTYLES, _MARKERS = ("-", "-.", ":"), ("", "o", "s", "^", "D", "v")


def series_style(i: int, n_points: int = 2) -> dict[str, object]:
    """Keyword arguments for ``ax.plot`` of series ``i`` of a figure: a line style and (from the
    fourth series on) a marker, so that series differ in more than colour. ``n_points``: the
    points of the line (markers go on about ten of them)."""
    style: dict[str, object] = {"linestyle": _LINESTYLES[i % 3]}
    marker = _MARKERS[(i // 3) % len(_MARKERS)]
    if marker:
        style.update(marker=marker, markevery=max(1, n_points // 10), markersize=6)
    return style


def listing(items: Iterable[object]) -> str:
    """``a, b and c`` (for alt text)."""
    words = [str(i) for i in items]
    return " and ".join(words) if len(words) < 3 else ", ".join(words[:-1]) + " and " + words[-1]


class LiveDemo(w.VBox):
    """A VBox of controls plus an output area. Its text form is short and stable (what a
    notebook stores and nbval compares where the widget itself cannot render)."""

    def __repr__(self) -> str:
        names = ", ".join(getattr(self, "_control_names", ()))
        return f"LiveDemo(controls: {names}) - run the cell in Jupyter to use the widget"


def show(out: w.Output, result: Figure | str) -> None:
    """Replace everything in ``out`` with ``result`` in one step: a figure as PNG (the figure is
    then closed) or a string as printed text. No ``clear_output``, so there is no flicker and
    nothing leaks into the notebook cell (nbval replays ``clear_output`` unlike Jupyter)."""
    if isinstance(result, Figure):
        data, metadata = png_bundle(result)
        out.outputs = ({"output_type": "display_data", "metadata": metadata, "data": data},)
        plt.close(result)
    elif isinstance(result, str):
        out.outputs = ({"output_type": "stream", "name": "stdout", "text": result + "\n"},)
    else:
        raise TypeError(f"show() takes a matplotlib Figure or a str, got {type(result).__name__}")


def live(
    draw: Callable[..., Figure | str],
    controls: dict[str, w.ValueWidget],
    *,
    columns: int = 3,
) -> LiveDemo:
    """Controls above an output area that redraws ``draw(**values)`` whenever one changes.

    ``draw`` returns a matplotlib figure (shown as PNG, then closed) or a string (printed).
    The output is replaced in one step (no flicker). Returns the widget; display it as the last line of
    a cell. The first state is drawn at once.
    """
    if not controls:
        raise ValueError("live() needs at least one control, e.g. {'w': FloatSlider()}")
    out = w.Output(layout=w.Layout(min_height="120px"))

    def redraw(_change=None) -> None:
        values = {name: c.value for name, c in controls.items()}
        result = draw(**values)
        if isinstance(result, Figure | str):
            show(out, result)

    for c in controls.values():
        c.observe(redraw, names="value")
    rows = [
        w.HBox(list(controls.values())[i : i + columns])
        for i in range(0, len(controls), columns)
    ]
    redraw()
    demo = LiveDemo([*rows, out])
    demo._control_names = tuple(controls)
    return demo


def slider(
    description: str, value: float, lo: float, hi: float, step: float = 0.1, *, fmt: str = ".2f"
) -> w.FloatSlider:
    """A float slider wide enough to drag on a projector."""
    if not lo <= value <= hi:
        raise ValueError(f"slider {description!r}: value {value} is outside [{lo}, {hi}]")
    return w.FloatSlider(
        value=value, min=lo, max=hi, step=step, description=description,
        readout_format=fmt, continuous_update=True,
        style={"description_width": "initial"}, layout=w.Layout(width="300px"),
    )
