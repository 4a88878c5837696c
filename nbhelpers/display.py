"""The one display layer: every figure the course draws gets its style, size and PNG here.

- :func:`slide_figure` decorates every function in ``nbhelpers`` that returns a matplotlib
  :class:`~matplotlib.figure.Figure`: the function draws inside the slide rcParams
  (:data:`SLIDE_RC`: large fonts, thick lines, a colour-blind-safe palette), whatever the global
  matplotlib settings, and the figure it returns must fit a slide under a heading
  (at most :data:`MAX_WIDTH` x :data:`MAX_HEIGHT` inches at 100 dpi), or it raises.
- :data:`SLIDE_WIDTH` x :data:`SLIDE_HEIGHT` is the slide size in pixels, and
  :data:`KERNEL_ONLY_WIDGETS` the widget libraries whose demos need a running kernel: the one
  definition of each, which the tools (RISE metadata, static decks, handouts, slide lint, the
  Colab-like and ipywidgets 8 checks) and the tests import.
- :func:`png_bundle` is the one figure -> PNG encoder (a Jupyter MIME bundle), used by the live
  training curve and by every widget.
- :func:`use_slide_style` applies the same rcParams globally, for the figures a notebook draws
  in its own cells; nothing in the package depends on it.
- :func:`print_values` prints named numbers on one line (a formula next to torch's value).
"""

from __future__ import annotations

import base64
import functools
import io
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec

import matplotlib as mpl
from matplotlib.figure import Figure

__all__ = [
    "KERNEL_ONLY_WIDGETS",
    "MAX_HEIGHT",
    "MAX_WIDTH",
    "PALETTE",
    "SLIDE_FIGSIZE",
    "SLIDE_HEIGHT",
    "SLIDE_RC",
    "SLIDE_WIDTH",
    "WRONG",
    "png_bundle",
    "print_values",
    "slide_figure",
    "use_slide_style",
]

#: Colour cycle that survives a washed-out projector (Okabe-Ito, colour-blind safe).
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]

#: Colour of wrong predictions and of gradients.
WRONG = "#D00000"

#: The slide size in pixels: RISE's and reveal.js's width and height (tools/nbbuild.py,
#: tools/export_slides.py), the handouts' page and the browser tests' window. notebooks/rise.css
#: names it in a comment (tests/test_conventions.py checks it).
SLIDE_WIDTH, SLIDE_HEIGHT = 1280, 720

#: Widget libraries beyond ipywidgets -> the nbhelpers.widgets demos built on them. Their widgets
#: need a running kernel: the static decks and the site show a sentence instead
#: (tools/export_slides.py), on Colab they need its custom widget manager (the setup cell's
#: ``custom_widgets=True``, tools/nbbuild.py), and they are installed beside ipywidgets (on
#: Colab by nbhelpers' install, tools/colab_check.py; tools/widgets8_check.py).
KERNEL_ONLY_WIDGETS: dict[str, tuple[str, ...]] = {"ipycanvas": ("draw_digit",)}

#: Default figure size in inches: at 100 dpi, fits a slide under a heading.
SLIDE_FIGSIZE = (9.0, 4.0)

#: Largest figure (inches) that fits a slide at 100 dpi under a heading.
MAX_WIDTH, MAX_HEIGHT = 11.0, 4.0

#: The slide style: every :func:`slide_figure` draws with these rcParams.
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

_TOLERANCE = 1e-6  # inches

P = ParamSpec("P")


def slide_figure(draw: Callable[P, Figure]) -> Callable[P, Figure]:
    """Decorate a function that returns a Figure: it draws in the slide style, and the figure
    must fit a slide (width <= MAX_WIDTH, height <= MAX_HEIGHT inches), else ``ValueError``.

    Fonts and line widths are fixed when artists are made, so the whole function runs inside
    ``matplotlib.rc_context(SLIDE_RC)``. A figure drawn into an ``ax`` the caller made is
    checked too: it is the caller's figure that lands on the slide.
    """

    @functools.wraps(draw)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Figure:
        with mpl.rc_context(SLIDE_RC):
            fig = draw(*args, **kwargs)
        if not isinstance(fig, Figure):
            raise TypeError(f"{draw.__qualname__} must return a matplotlib Figure, "
                            f"got {type(fig).__name__}")
        width, height = fig.get_size_inches()
        if width > MAX_WIDTH + _TOLERANCE or height > MAX_HEIGHT + _TOLERANCE:
            raise ValueError(
                f"{draw.__qualname__} made a {width:.1f} x {height:.1f} in figure; a slide "
                f"holds at most {MAX_WIDTH:g} x {MAX_HEIGHT:g} in ({SLIDE_WIDTH}x{SLIDE_HEIGHT} at "
                "100 dpi): "
                "draw fewer panels or smaller ones"
            )
        return fig

    return wrapper


def png_bundle(fig: Figure, *, text: str | None = None) -> dict[str, str]:
    """``fig`` as a Jupyter MIME bundle: ``{"image/png": base64, "text/plain": text}``.

    The text (default ``<Figure WxH>``) is what plain-text frontends show. PNG, not SVG: it
    keeps stored notebooks small and nbval stable. The figure is not closed.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    if text is None:
        text = f"<Figure {fig.bbox.width:.0f}x{fig.bbox.height:.0f}>"
    return {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"), "text/plain": text}


def use_slide_style() -> None:
    """Apply :data:`SLIDE_RC` globally, so figures a notebook draws in its own cells match the
    package's; and PNG output from the inline backend (no retina doubling of stored bytes)."""
    mpl.rcParams.update(SLIDE_RC)
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # not inside IPython
        return
    set_matplotlib_formats("png")


def print_values(values: Mapping[str, Any]) -> None:
    """Print ``{name: number}`` on one line, 4 decimals: ``by hand 0.2500   torch 0.2500``.

    Each value is a float, an int or a one-element tensor (a loss, a log-probability).
    """
    parts = []
    for name, value in values.items():
        try:
            number = value.item() if hasattr(value, "item") else float(value)
        except (TypeError, ValueError, RuntimeError):
            raise ValueError(f"print_values prints numbers; {name!r} is {value!r}: pass a float "
                             "or a one-element tensor (e.g. loss.item())") from None
        parts.append(f"{name} {number:.4f}")
    print("   ".join(parts))
