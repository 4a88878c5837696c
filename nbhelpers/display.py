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
- Alt text: every figure the course shows says what it shows. :func:`describe` attaches it to
  a figure (every :func:`slide_figure` must return a described figure, or it raises);
  :func:`alt_text` reads it and :func:`alt_problem` says why a text is not alt text. A described
  figure is displayed (the formatters :func:`use_slide_style` registers, and
  :func:`png_bundle`) as ``image/png`` with output metadata ``{"image/png": {"alt": ...}}``
  (what nbconvert's classic template reads), ``text/html`` ``<img alt=... src=data:...>``
  (what JupyterLab, Colab, MyST-NB and nbconvert's lab and reveal templates render, alt
  included: JupyterLab 4 ignores image metadata) and ``text/plain`` (the alt text itself).
- :func:`show` is ``plt.show()`` for a figure a notebook draws in its own cell, with its alt text.
- :func:`png_bundle` is the one figure -> MIME bundle encoder, used by the live training
  curve and by every widget.
- :func:`use_slide_style` applies the same rcParams globally, for the figures a notebook draws
  in its own cells; nothing in the package depends on it.
- :func:`print_values` prints named numbers on one line (a formula next to torch's value).
"""

from __future__ import annotations

import base64
import functools
import html
import io
import re
import weakref
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
    "alt_problem",
    "alt_text",
    "describe",
    "png_bundle",
    "print_values",
    "show",
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

#: Alt text shorter than this many words names a figure instead of describing it.
MIN_ALT_WORDS = 6

_ALT: weakref.WeakKeyDictionary[Figure, str] = weakref.WeakKeyDictionary()
_NOT_ALT = re.compile(r"""^\s*<Figure\b|\.(png|jpe?g|gif|svg|webp)\b|_images/|^(image|figure|plot|"""
                      r"""chart|graph)\b\W*$""", re.IGNORECASE)

P = ParamSpec("P")


def alt_problem(text: object) -> str | None:
    """Why ``text`` is not alt text for a figure (None if it is): not a string, empty, fewer
    than :data:`MIN_ALT_WORDS` words, a file name or matplotlib's ``<Figure size ...>``."""
    if not isinstance(text, str) or not text.strip():
        return "it is empty"
    if _NOT_ALT.search(text):
        return f"{text[:60]!r} names the file or the object, not what the figure shows"
    if len(text.split()) < MIN_ALT_WORDS:
        return (f"{text!r} has fewer than {MIN_ALT_WORDS} words: say what the figure shows "
                "(what a sighted student takes from it)")
    return None


def describe(fig: Figure, alt: str) -> Figure:
    """Attach alt text to ``fig`` (and return it): one to three sentences saying what the figure
    shows, what a sighted student takes from it; not how it was drawn. Raises ``ValueError``
    if :func:`alt_problem` finds it is not alt text."""
    if not isinstance(fig, Figure):
        raise TypeError(f"describe() takes a matplotlib Figure, got {type(fig).__name__}")
    problem = alt_problem(alt)
    if problem:
        raise ValueError(f"not alt text for a figure: {problem}")
    _ALT[fig] = " ".join(alt.split())
    return fig


def alt_text(fig: Figure) -> str | None:
    """The alt text :func:`describe` attached to ``fig``, or None."""
    return _ALT.get(fig)


def show(fig: Figure, *, alt: str) -> None:
    """``plt.show()`` for a figure drawn in a notebook cell, with its alt text (:func:`describe`)."""
    import matplotlib.pyplot as plt

    describe(fig, alt)
    plt.show()


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
        if alt_text(fig) is None:
            raise ValueError(f"{draw.__qualname__} returned a figure without alt text: call "
                             "describe(fig, '...what it shows...') before returning it")
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


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _img_html(png: str, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{png}">'


def png_bundle(fig: Figure) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """``fig`` as a Jupyter MIME bundle and its metadata: ``({"image/png": base64, "text/html":
    <img alt src>, "text/plain": alt}, {"image/png": {"alt": alt}})``.

    The figure must carry alt text (:func:`describe`), else ``ValueError``. PNG, not SVG: it
    keeps stored notebooks small and nbval stable. The figure is not closed.
    """
    alt = alt_text(fig)
    if alt is None:
        raise ValueError("png_bundle needs a figure with alt text: call describe(fig, "
                         "'...what it shows...') first")
    png = _png(fig)
    return ({"image/png": png, "text/html": _img_html(png, alt), "text/plain": alt},
            {"image/png": {"alt": alt}})


def _register_figure_formats(shell: Any) -> None:
    """Display a described figure as :func:`png_bundle` does (an undescribed one as before)."""
    formatters = shell.display_formatter.formatters

    def as_png(fig: Figure) -> tuple[str, dict[str, str]] | None:
        alt = alt_text(fig)
        return None if alt is None else (_png(fig), {"alt": alt})

    def as_html(fig: Figure) -> str | None:
        alt = alt_text(fig)
        return None if alt is None else _img_html(_png(fig), alt)

    def as_text(fig: Figure, printer: Any, cycle: bool) -> None:
        printer.text(alt_text(fig) or repr(fig))

    previous_png = formatters["image/png"].lookup_by_type(Figure) if (
        Figure in formatters["image/png"]) else None

    def png_or_previous(fig: Figure) -> Any:
        described = as_png(fig)
        if described is None and previous_png is not None:
            return previous_png(fig)
        return described

    formatters["image/png"].for_type(Figure, png_or_previous)
    formatters["text/html"].for_type(Figure, as_html)
    formatters["text/plain"].for_type(Figure, as_text)


def use_slide_style() -> None:
    """Apply :data:`SLIDE_RC` globally, so figures a notebook draws in its own cells match the
    package's; PNG output from the inline backend (no retina doubling of stored bytes); and,
    inside IPython, display every described figure with its alt text (:func:`png_bundle`'s
    bundle)."""
    mpl.rcParams.update(SLIDE_RC)
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # not inside IPython
        return
    shell = get_ipython()
    if shell is None:
        return
    import matplotlib.pyplot  # noqa: F401  (the inline backend sets its formats on import)

    set_matplotlib_formats("png")
    _register_figure_formats(shell)


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
