"""nbhelpers.widgets.draw_digit (lecture 12): the drawing pad and its static figure.

The canvas's mouse and touch events are fed as ipycanvas receives them from the browser
(``_handle_frontend_event``); the browser test draws with a real mouse in the slideshow."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from nbhelpers import handwriting as hw  # noqa: E402
from nbhelpers.digits import class_probabilities  # noqa: E402
from nbhelpers.widgets import LiveDemo  # noqa: E402
from nbhelpers.widgets import draw_digit as dd  # noqa: E402

MEAN, STD = 0.1307, 0.3081


class _Rows(nn.Module):
    """A 'classifier' that answers the number of inked rows of 28 // 3: taller ink, larger k."""

    def forward(self, x):
        rows = (x.squeeze(1) > (0 - MEAN) / STD + 1e-3).any(2).sum(1, keepdim=True).float()
        return -(rows / 3 - torch.arange(10.0)).abs() * 10


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _event(pad: dd.DigitPad, kind: str, x: float = 0, y: float = 0) -> None:
    content = {"event": kind, "x": x, "y": y}
    if kind.startswith("touch"):
        content = {"event": kind, "touches": [] if kind == "touch_end" else [{"x": x, "y": y}]}
    pad.canvas._handle_frontend_event(None, content, [])


def _stroke(pad: dd.DigitPad, points, *, touch: bool = False) -> None:
    (x0, y0), *rest = points
    _event(pad, "touch_start" if touch else "mouse_down", x0, y0)
    for x, y in rest:
        _event(pad, "touch_move" if touch else "mouse_move", x, y)
    _event(pad, "touch_end" if touch else "mouse_up", *points[-1])


def test_pad_reads_each_stroke_when_it_ends():
    pad = dd.draw_digit_widget(_Rows(), mean=MEAN, std=STD)
    assert isinstance(pad, LiveDemo) and "canvas" in repr(pad)
    assert pad.canvas.line_width == hw.PEN              # the ink on screen is the ink read
    assert pad.probabilities() is None and pad.readings == 0
    _event(pad, "mouse_move", 10, 10)                    # hovering draws nothing
    assert pad.strokes == []
    _stroke(pad, [(140, 40), (140, 120), (140, 240)])
    assert pad.readings == 1 and len(pad.strokes) == 1 and len(pad.strokes[0]) == 3
    first = pad.readout.value
    assert "read as <b>" in first and "1 stroke" in first
    assert len(pad.out.outputs) == 1 and "image/png" in pad.out.outputs[0]["data"]
    _stroke(pad, [(60, 40), (220, 40)], touch=True)      # a finger: the same path
    assert pad.readings == 2 and "2 strokes" in pad.readout.value
    _event(pad, "mouse_move", 5, 5)                      # after the stroke: nothing
    assert len(pad.strokes) == 2 and len(pad.strokes[1]) == 2


def test_pad_reading_is_the_model_on_the_mnist_style_image():
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    torch.manual_seed(0)
    pad = dd.draw_digit_widget(model, mean=MEAN, std=STD)
    strokes = hw.EXAMPLE_STROKES["7, small"]
    for stroke in strokes:
        _stroke(pad, stroke)
    x = hw.mnist_style(hw.render_strokes(strokes, size=dd.CANVAS, width=dd.PEN))
    want = class_probabilities(model, x, mean=MEAN, std=STD)
    assert torch.allclose(pad.probabilities(), want)
    assert f"<b>{int(want.argmax())}</b>" in pad.readout.value


def test_leaving_the_canvas_ends_the_stroke_and_clear_wipes_it():
    pad = dd.draw_digit_widget(_Rows(), mean=MEAN, std=STD)
    _event(pad, "mouse_down", 100, 100)
    _event(pad, "mouse_move", 150, 200)
    _event(pad, "mouse_out", 300, 200)
    assert pad.readings == 1
    _event(pad, "mouse_move", 50, 50)                    # back in, button up: no ink
    assert len(pad.strokes[0]) == 2
    pad.clear_button.click()
    assert pad.strokes == [] and pad.out.outputs == () and "draw a digit" in pad.readout.value
    assert pad.probabilities() is None
    _event(pad, "mouse_up", 1, 1)                        # an up with nothing drawn
    assert pad.readings == 1


def test_drawn_digits_figure_reads_every_example():
    fig = dd.drawn_digits_figure(_Rows(), mean=MEAN, std=STD)
    n = len(hw.EXAMPLE_STROKES)
    assert len(fig.axes) == 2 * n
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[:n] == [f"drawn: {k}" for k in hw.EXAMPLE_STROKES]
    for meant, title in zip(hw.EXAMPLE_STROKES, titles[n:], strict=True):
        x = hw.mnist_style(hw.render_strokes(hw.EXAMPLE_STROKES[meant], width=dd.PEN))
        p = class_probabilities(_Rows(), x, mean=MEAN, std=STD)
        assert title == f"read: {int(p.argmax())} ({p.max():.1%})"


def test_bad_arguments():
    with pytest.raises(TypeError, match="nn.Module"):
        dd.draw_digit_widget("model")
    with pytest.raises(ValueError, match="examples is empty"):
        dd.drawn_digits_figure(_Rows(), examples={}, mean=MEAN, std=STD)


def _photo_png(*, width: int = 200, height: int = 240) -> bytes:
    """A 'photo' of a tall dark stroke on light-grey paper, as PNG bytes."""
    import io

    from PIL import Image, ImageDraw

    img = Image.new("L", (width, height), 215)
    ImageDraw.Draw(img).line([(100, 30), (100, 210)], fill=20, width=18)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def test_pad_names_its_alternatives_to_the_pointer():
    pad = dd.draw_digit_widget(_Rows(), mean=MEAN, std=STD)
    text = pad.ALTERNATIVES
    for alternative in ("needs a mouse, pen or finger", "upload a digit", "slide before",
                        "sliders"):
        assert alternative in text
    assert pad.upload.description == "upload a digit" and pad.clear_button.description
    assert pad._control_names == ("canvas", "clear", "upload")


def test_uploaded_photo_is_read_like_a_drawing():
    pad = dd.draw_digit_widget(_Rows(), mean=MEAN, std=STD)
    ink = dd.photo_ink(torch.full((30, 20), 0.85).index_fill_(1, torch.tensor([10]), 0.1))
    assert float(ink[:, 0].max()) == 0 and float(ink[:, 10].min()) == 1  # paper 0, ink 1
    pad._uploaded({"new": {"digit.png": {"metadata": {}, "content": _photo_png()}}})
    assert pad.readings == 1 and "read as" in pad.readout.value and "digit.png" in pad.readout.value
    out = pad.out.outputs[0]
    assert "image/png" in out["data"] and "predicts" in out["data"]["text/plain"]
    pad._uploaded({"new": {"notes.txt": {"metadata": {}, "content": b"not an image"}}})
    assert pad.readings == 1 and "notes.txt" in pad.readout.value  # says why, keeps the reading
