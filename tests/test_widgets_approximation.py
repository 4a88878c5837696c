"""nbhelpers.widgets.approximation (lecture 03 universal-approximation demo)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from torch import nn  # noqa: E402

from nbhelpers.approximation import net_mse  # noqa: E402
from nbhelpers.widgets import LiveDemo  # noqa: E402
from nbhelpers.widgets import approximation as demo  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture()
def data():
    torch.manual_seed(0)
    x = torch.linspace(-2, 2, 50).unsqueeze(1)
    y = torch.sin(x)
    nets = {k: nn.Sequential(nn.Linear(1, k), nn.ReLU(), nn.Linear(k, 1)) for k in (1, 4, 16)}
    return x, y, nets


def test_figures(data):
    x, y, nets = data
    for fig in (demo.fits_figure(x, y, nets), demo.error_figure(x, y, nets),
                demo.approximation_figure(x, y, nets, 4)):
        assert isinstance(fig, Figure)
        w, h = fig.get_size_inches()
        assert w <= 11 and h <= 4
    fits = demo.fits_figure(x, y, nets)
    assert [ax.get_title().split(":")[0] for ax in fits.axes] == ["width 1", "width 4", "width 16"]
    assert f"{net_mse(nets[16], x, y):.3g}" in fits.axes[2].get_title()


def test_bad_input_is_explained(data):
    x, y, nets = data
    with pytest.raises(ValueError, match=r"\(N, 1\)"):
        demo.fits_figure(x[:, 0], y, nets)
    with pytest.raises(ValueError, match="x's shape"):
        demo.error_figure(x, y[:10], nets)
    with pytest.raises(ValueError, match="empty"):
        demo.fits_figure(x, y, {})
    with pytest.raises(ValueError, match="trained widths"):
        demo.approximation_figure(x, y, nets, 7)


def test_widget_slides_over_widths(data):
    x, y, nets = data
    box = demo.approximation_widget(x, y, nets, width=4)
    assert isinstance(box, LiveDemo) and repr(box).startswith("LiveDemo(controls: width)")
    control = box.children[0].children[0]
    assert list(control.options) == [1, 4, 16] and control.value == 4
    control.value = 16
    assert plt.get_fignums() == []
