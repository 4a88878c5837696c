"""nbhelpers.widgets.digits (lecture 12 digit demo): figures and widget."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from torch import nn  # noqa: E402

from nbhelpers.digits import class_probabilities, perturb  # noqa: E402
from nbhelpers.widgets import LiveDemo  # noqa: E402
from nbhelpers.widgets import digits as demo  # noqa: E402

MEAN, STD = 0.1307, 0.3081


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _digit(seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    img = torch.zeros(28, 28)
    img[6:22, 10:18] = torch.rand(16, 8, generator=g)
    return img


class _Pixel(nn.Module):
    """A 'classifier' whose logit k is k times the mean pixel: brighter means larger k."""

    def forward(self, x):
        return x.flatten(1).mean(1, keepdim=True) * torch.arange(10.0)


def test_digit_figure_bars_are_the_probabilities():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    img = _digit()
    fig = demo.digit_figure(model, img, label=3, angle=20.0, mean=MEAN, std=STD)
    assert isinstance(fig, Figure)
    ax_img, ax_bar = fig.axes
    heights = torch.tensor([p.get_height() for p in ax_bar.patches], dtype=torch.float32)
    x = perturb(img, angle=20.0)
    expected = class_probabilities(model, x, mean=MEAN, std=STD)
    torch.testing.assert_close(heights, expected)
    pred = int(expected.argmax())
    assert ax_bar.get_title().startswith(f"prediction: {pred} (")
    assert ax_img.get_title() == "true: 3"
    w, h = fig.get_size_inches()
    assert w <= 11 and h <= 4


def test_perturbations_figure_titles_and_fallback_size():
    model = _Pixel()
    fig = demo.perturbations_figure(model, _digit(), label=9, mean=MEAN, std=STD)
    titles = [ax.get_title() for ax in fig.axes]
    assert len(titles) == len(demo.DEFAULT_PERTURBATIONS)
    assert titles[0].startswith("original")
    assert all("→" in t and "%" in t for t in titles)
    w, h = fig.get_size_inches()
    assert w <= 11 and h <= 4
    with pytest.raises(ValueError, match="perturbations"):
        demo.perturbations_figure(model, _digit(), label=1, perturbations=[])


def test_digit_widget_controls_and_redraw():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    images = torch.stack([_digit(i) for i in range(4)])
    widget = demo.digit_widget(model, images, torch.tensor([1, 2, 3, 4]), mean=MEAN, std=STD)
    assert isinstance(widget, LiveDemo)
    assert widget._control_names == ("index", "shift_x", "shift_y", "angle", "noise", "erase")
    assert "LiveDemo(controls: index" in repr(widget)
    sliders = [c for row in widget.children[:-1] for c in row.children]
    sliders[0].value = 3  # redraws without error
    sliders[3].value = 45.0
    assert sliders[0].max == 3
    with pytest.raises(ValueError, match="labels"):
        demo.digit_widget(model, images, torch.tensor([1]), mean=MEAN, std=STD)
    with pytest.raises(ValueError, match="index"):
        demo.digit_widget(model, images, index=9, mean=MEAN, std=STD)
