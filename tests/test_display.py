"""The display layer: slide style whatever the global rcParams, the size limit, one encoder."""

from __future__ import annotations

import base64

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest

from nbhelpers import display


@display.slide_figure
def _titled(width: float = 6.0, height: float = 3.0):
    fig, ax = plt.subplots(figsize=(width, height))
    ax.set_title("t")
    ax.plot([0, 1], [0, 1])
    return fig


def test_style_applies_whatever_the_global_rc():
    with mpl.rc_context({"axes.titlesize": 5, "lines.linewidth": 0.3}):
        fig = _titled()
    ax = fig.axes[0]
    assert ax.title.get_fontsize() == display.SLIDE_RC["axes.titlesize"]
    assert ax.lines[0].get_linewidth() == display.SLIDE_RC["lines.linewidth"]
    assert fig.dpi == 100
    plt.close(fig)


def test_global_rc_is_left_as_it_was():
    before = mpl.rcParams["font.size"]
    plt.close(_titled())
    assert mpl.rcParams["font.size"] == before


@pytest.mark.parametrize("size", [(11.5, 3.0), (6.0, 4.5)])
def test_a_figure_larger_than_a_slide_raises(size):
    with pytest.raises(ValueError, match="a slide holds at most 11 x 4 in"):
        _titled(*size)
    plt.close("all")


def test_the_largest_slide_figure_passes():
    plt.close(_titled(display.MAX_WIDTH, display.MAX_HEIGHT))


def test_a_function_that_returns_no_figure_is_a_clear_error():
    @display.slide_figure
    def nothing():
        return None

    with pytest.raises(TypeError, match="must return a matplotlib Figure"):
        nothing()


def test_png_bundle_is_a_png_with_a_text_form():
    fig = _titled()
    bundle = display.png_bundle(fig)
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert bundle["text/plain"].startswith("<Figure ")
    assert display.png_bundle(fig, text="epoch 1")["text/plain"] == "epoch 1"
    plt.close(fig)


def test_use_slide_style_sets_the_global_rc():
    with mpl.rc_context():
        display.use_slide_style()
        assert mpl.rcParams["font.size"] == display.SLIDE_RC["font.size"]


def test_print_values_one_line(capsys) -> None:
    import torch

    display.print_values({"by hand": 0.25, "torch": torch.tensor(0.25), "n": 3})
    assert capsys.readouterr().out == "by hand 0.2500   torch 0.2500   n 3.0000\n"


def test_print_values_refuses_what_is_not_a_number() -> None:
    import torch

    with pytest.raises(ValueError, match="one-element tensor"):
        display.print_values({"vector": torch.ones(3)})
