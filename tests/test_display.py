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
    return display.describe(fig, "A straight line rising from (0, 0) to (1, 1).")


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


def test_png_bundle_is_a_png_with_its_alt_text_in_every_form():
    fig = _titled()
    data, metadata = display.png_bundle(fig)
    assert base64.b64decode(data["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    alt = "A straight line rising from (0, 0) to (1, 1)."
    assert data["text/plain"] == alt and metadata == {"image/png": {"alt": alt}}
    assert data["text/html"] == (f'<img alt="{alt}" src="data:image/png;base64,'
                                 f'{data["image/png"]}">')
    plt.close(fig)


def test_png_bundle_refuses_a_figure_without_alt_text():
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="describe"):
        display.png_bundle(fig)
    plt.close(fig)


def test_a_slide_figure_without_alt_text_is_refused():
    @display.slide_figure
    def undescribed():
        return plt.subplots()[0]

    with pytest.raises(ValueError, match="undescribed returned a figure without alt text"):
        undescribed()
    plt.close("all")


@pytest.mark.parametrize("text", ["", "   ", None, "<Figure size 900x160 with 8 Axes>",
                                  "_images/108a6a43.png", "digits.png shows digits of MNIST",
                                  "figure", "Loss curves", "A plot of x"])
def test_what_is_not_alt_text(text):
    assert display.alt_problem(text) is not None
    fig, _ = plt.subplots()
    with pytest.raises((ValueError, TypeError)):
        display.describe(fig, text)
    plt.close(fig)


def test_alt_text_is_kept_in_one_line_and_replaced_by_a_later_describe():
    fig, _ = plt.subplots()
    assert display.alt_text(fig) is None
    display.describe(fig, "Two curves:\n the loss falls, the accuracy rises.")
    assert display.alt_text(fig) == "Two curves: the loss falls, the accuracy rises."
    display.describe(fig, "Two curves: the training loss falls below the validation loss.")
    assert display.alt_text(fig).startswith("Two curves: the training")
    plt.close(fig)


def test_escaped_in_html():
    fig, _ = plt.subplots()
    display.describe(fig, 'Bars for "a" < "b" & "c": the first is the tallest.')
    data, _ = display.png_bundle(fig)
    assert 'alt="Bars for &quot;a&quot; &lt; &quot;b&quot; &amp; &quot;c&quot;: the' in \
        data["text/html"]
    plt.close(fig)


def test_in_ipython_a_described_figure_displays_with_its_alt_text():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    with mpl.rc_context():
        display.use_slide_style()
        fig, _ = plt.subplots()
        undescribed, _ = shell.display_formatter.format(fig)
        assert "text/html" not in undescribed and "image/png" in undescribed  # as before
        display.describe(fig, "A blank set of axes, nothing drawn on them yet.")
        data, metadata = shell.display_formatter.format(fig)
    assert (data["text/plain"], metadata["image/png"]) == (
        display.alt_text(fig), {"alt": display.alt_text(fig)})
    assert data["text/html"].startswith('<img alt="A blank set of axes')
    assert base64.b64decode(data["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
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
