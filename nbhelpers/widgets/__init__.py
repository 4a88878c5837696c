"""Interactive demos (ipywidgets), each with a static fallback.

Convention used by every lecture:

* each demo has a pure function that draws one state, ``<demo>_figure(**params) -> Figure``,
  decorated with :func:`nbhelpers.display.slide_figure` (slide style, size check); the
  notebook shows a static figure built from it first (so the slide teaches on GitHub, under
  nbval and wherever widgets do not render);
* ``<demo>_widget()`` wraps the same function in controls with :func:`live`; the notebook cell
  that displays it carries the cell tag ``widget`` (the browser test runs it in RISE).

The demos live beside this file (``nbhelpers.widgets.<topic>``). They hold controls and
figures only: the maths they draw lives in topic modules (e.g. :mod:`nbhelpers.activations`),
which a notebook can use without any widget.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from nbhelpers.display import png_bundle


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
        out.outputs = ({"output_type": "display_data", "metadata": {}, "data": png_bundle(result)},)
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
