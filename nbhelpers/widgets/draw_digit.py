"""Lecture 12 demo: draw a digit with the mouse (or a finger) and watch the CNN read it.

- :func:`draw_digit_widget`: a black canvas (ipycanvas) to draw on in white, a *clear* button,
  and, each time a stroke ends, the 28×28 image the network gets (made the way MNIST was:
  :func:`nbhelpers.handwriting.mnist_style`) beside its class probabilities.
- :func:`drawn_digits_figure` is the static fallback: a few digits drawn by code
  (:data:`nbhelpers.handwriting.EXAMPLE_STROKES`), each over the image the network gets and
  its reading.

The canvas needs a pointer (mouse, pen or finger): the pad says so in visible text beside the
canvas and names the alternatives that work from the keyboard: its *upload a digit* button
(a photo of a digit written on paper, dark on light, read the same way), the figure of digits
drawn by code on the slide before, and the test-digit demo's sliders.

On Colab a canvas needs Colab's custom widget manager (the notebook's setup cell turns it on
with ``nbhelpers.setup(..., custom_widgets=True)``).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import ipywidgets as w
import matplotlib.pyplot as plt
import torch
from ipycanvas import Canvas
from matplotlib.figure import Figure
from torch import nn

from nbhelpers.digits import class_probabilities, normalisation_stats
from nbhelpers.display import PALETTE, WRONG, describe, slide_figure
from nbhelpers.handwriting import EXAMPLE_STROKES, PEN, Stroke, mnist_style, render_strokes
from nbhelpers.images import UPLOAD_SUFFIXES, image_from_bytes
from nbhelpers.widgets import LiveDemo, listing, show
from nbhelpers.widgets.digits import digit_figure
from nbhelpers.widgets.grids import clean_axes
from nbhelpers.widgets.kernel_editor import uploaded_files

__all__ = ["DigitPad", "draw_digit_widget", "drawn_digits_figure"]

CANVAS = 280    # px: 10 canvas pixels per MNIST pixel


def _read(model: nn.Module, strokes: Sequence[Stroke], *, mean: float, std: float
          ) -> tuple[torch.Tensor, torch.Tensor]:
    """(28×28 input, (10,) probabilities) for strokes on a CANVAS×CANVAS canvas."""
    x = mnist_style(render_strokes(strokes, size=CANVAS, width=PEN))
    return x, class_probabilities(model, x, mean=mean, std=std)


def photo_ink(image: torch.Tensor) -> torch.Tensor:
    """A grey photo of a digit written on paper (H×W in [0, 1], dark ink on light paper, as
    :func:`nbhelpers.images.image_from_bytes` gives it) -> white-on-black ink for
    :func:`~nbhelpers.handwriting.mnist_style`: inverted, and the paper (the median grey plus a
    margin) cut to 0, so that only the ink is cropped and scaled, and the darkest ink
    made 1 (as in MNIST)."""
    ink = 1 - image if float(image.mean()) > 0.5 else image.clone()
    paper = min(0.9, float(ink.median()) + 0.25)
    ink = (ink - paper).clamp(min=0)
    top = float(ink.max())
    return ink / top if top > 0 else ink


@slide_figure
def drawn_digits_figure(
    model: nn.Module,
    *,
    examples: Mapping[str, Sequence[Stroke]] = EXAMPLE_STROKES,
    mean: float | None = None,
    std: float | None = None,
) -> Figure:
    """Top: each drawing (strokes on the 280×280 canvas, key = the digit meant, its first
    character); bottom: the 28×28 image the network gets, titled with its reading (red when
    it is not the digit meant)."""
    if not examples:
        raise ValueError("examples is empty: give {'digit meant': [stroke, ...]}")
    m, s = normalisation_stats(mean, std)
    fig, axes = plt.subplots(2, len(examples), figsize=(min(11.0, 1.75 * len(examples)), 3.9),
                             squeeze=False)
    for col, (meant, strokes) in enumerate(examples.items()):
        x, probs = _read(model, strokes, mean=m, std=s)
        pred = int(probs.argmax())
        axes[0, col].imshow(render_strokes(strokes, size=CANVAS, width=PEN).numpy(),
                            cmap="gray", vmin=0, vmax=1)
        axes[0, col].set_title(f"drawn: {meant}", fontsize=11)
        axes[1, col].imshow(x.numpy(), cmap="gray", vmin=0, vmax=1)
        wrong = str(pred) != meant[:1]
        axes[1, col].set_title(f"read: {pred} ({probs[pred]:.1%})", fontsize=11,
                               color=WRONG if wrong else PALETTE[0])
        for ax in axes[:, col]:
            clean_axes(ax)
    axes[0, 0].set_ylabel("canvas", fontsize=11)
    axes[1, 0].set_ylabel("28×28 input", fontsize=11)
    # The readings come from a trained model (they may differ from CPU to CPU): the alt text,
    # which nbval compares, names only the drawings.
    return describe(fig, (
        f"Top row: {len(examples)} digits drawn by code as white strokes on the black "
        f"{CANVAS}×{CANVAS} canvas, meant as {listing(examples)}. Bottom row: under each, the "
        "28×28 image the network gets, titled with the network's reading and its confidence "
        "(in red when it is not the digit meant)."))


class DigitPad(LiveDemo):
    """The drawing pad: canvas and *clear* button (left), reading and input image (right).

    ``strokes`` holds what was drawn (canvas coordinates); ``readings`` counts the readings
    shown (for tests); :meth:`probabilities` is the current reading, or None."""

    PROMPT = '<span style="font-size: 1.3em"><b>draw a digit</b> (mouse or finger)</span>'
    #: Visible beside the canvas: what to use without a pointer.
    ALTERNATIVES = (
        '<p style="max-width: 280px; line-height: 1.3">The canvas needs a mouse, pen or finger. '
        "Without one: <b>upload a digit</b> (a photo of a digit written on paper) is read the "
        "same way; the slide before shows digits drawn by code, read by this network; the "
        "test-digit demo moves and disturbs a digit with sliders.</p>")

    def __init__(self, model: nn.Module, *, mean: float, std: float) -> None:
        self.model, self.mean, self.std = model, mean, std
        self.canvas = Canvas(width=CANVAS, height=CANVAS,
                             layout=w.Layout(width=f"{CANVAS}px", height=f"{CANVAS}px",
                                             border="2px solid #888888"))
        self.clear_button = w.Button(description="clear", layout=w.Layout(width=f"{CANVAS}px"),
                                     tooltip="wipe the canvas and the reading")
        self.upload = w.FileUpload(accept=UPLOAD_SUFFIXES, multiple=False,
                                   description="upload a digit",
                                   layout=w.Layout(width=f"{CANVAS}px"))
        self.readout = w.HTML(value=self.PROMPT)
        self.out = w.Output(layout=w.Layout(width="760px", min_height="300px"))
        super().__init__([w.HBox([
            w.VBox([self.canvas, self.clear_button, self.upload,
                    w.HTML(value=self.ALTERNATIVES)]),
            w.VBox([self.readout, self.out])])])
        self._control_names = ("canvas", "clear", "upload")
        self.strokes: list[list[tuple[float, float]]] = []
        self.readings = 0
        self._drawing = False
        c = self.canvas
        c.line_width, c.line_cap, c.line_join, c.stroke_style = PEN, "round", "round", "white"
        self._blank()
        c.on_mouse_down(self._down)
        c.on_mouse_move(self._move)
        c.on_mouse_up(self._up)
        c.on_mouse_out(self._up)
        c.on_touch_start(lambda touches: touches and self._down(*touches[0]))
        c.on_touch_move(lambda touches: touches and self._move(*touches[0]))
        c.on_touch_end(lambda _touches: self._up())
        c.on_touch_cancel(lambda _touches: self._up())
        self.clear_button.on_click(lambda _button: self.clear())
        self.upload.observe(self._uploaded, names="value")

    def _uploaded(self, change) -> None:
        files = uploaded_files(change["new"])
        if not files:
            return
        name, content = files[-1]
        try:
            ink = photo_ink(image_from_bytes(content, name=name, size=CANVAS))
            x = mnist_style(ink)
        except ValueError as error:  # says what to do; the pad keeps what it shows
            self.readout.value = (f'<span style="color:{WRONG}">{html.escape(str(error))}'
                                  "</span>")
            return
        self.strokes, self._drawing = [], False
        self._blank()
        self._show(x, f"{html.escape(name)}")

    def _blank(self) -> None:
        self.canvas.fill_style = "black"
        self.canvas.fill_rect(0, 0, CANVAS, CANVAS)
        self.canvas.fill_style = "white"

    def _down(self, x: float, y: float) -> None:
        self._drawing = True
        self.strokes.append([(x, y)])
        self.canvas.fill_circle(x, y, PEN / 2)

    def _move(self, x: float, y: float) -> None:
        if not self._drawing:
            return
        (x0, y0) = self.strokes[-1][-1]
        self.strokes[-1].append((x, y))
        self.canvas.stroke_line(x0, y0, x, y)

    def _up(self, *_xy: float) -> None:
        if not self._drawing:
            return
        self._drawing = False
        self.show_reading()

    def probabilities(self) -> torch.Tensor | None:
        """The network's (10,) class probabilities for what is drawn; None when blank."""
        return _read(self.model, self.strokes, mean=self.mean, std=self.std)[1] \
            if self.strokes else None

    def show_reading(self) -> None:
        """Show the 28×28 input and the probabilities for what is drawn now."""
        if not self.strokes:
            return
        x = mnist_style(render_strokes(self.strokes, size=CANVAS, width=PEN))
        n = len(self.strokes)
        self._show(x, f"after {n} stroke{'s' * (n > 1)}")

    def _show(self, x: torch.Tensor, source: str) -> None:
        """The reading of the 28×28 input ``x``: a sentence (``source`` says what was read)
        and :func:`digit_figure`."""
        probs = class_probabilities(self.model, x, mean=self.mean, std=self.std)
        pred = int(probs.argmax())
        self.readings += 1
        self.readout.value = (f'<span style="font-size: 1.3em">read as <b>{pred}</b> '
                              f"({probs[pred]:.1%}) {source}</span>")
        show(self.out, digit_figure(self.model, x, mean=self.mean, std=self.std,
                                    figsize=(7.5, 3.0)))

    def clear(self) -> None:
        """Wipe the canvas and the reading."""
        self.strokes, self._drawing = [], False
        self._blank()
        self.readout.value = self.PROMPT
        self.out.outputs = ()


def draw_digit_widget(model: nn.Module, *, mean: float | None = None,
                      std: float | None = None) -> DigitPad:
    """A canvas to draw a digit on; when a stroke ends, ``model`` (an MNIST classifier taking
    ``N×1×28×28`` normalised with ``mean``/``std``, default MNIST's) reads it. Ends a notebook
    cell to show it."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch nn.Module, got {type(model).__name__}")
    m, s = normalisation_stats(mean, std)
    return DigitPad(model, mean=m, std=s)
