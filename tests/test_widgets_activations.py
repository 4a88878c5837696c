"""nbhelpers.widgets.activations (lecture 02 demos): figures and widgets."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from nbhelpers.widgets import LiveDemo  # noqa: E402
from nbhelpers.widgets import activations as demo  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")



def test_unknown_activation_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown activation 'relu'"):
        demo.activation_figure("relu")


@pytest.mark.parametrize("make", [
    lambda: demo.sigmoid_beta_figure(4.0),
    lambda: demo.sigmoid_betas_figure(),
    lambda: demo.activation_figure("GELU", -1.0),
    lambda: demo.activation_figure("step", 1.0),
    lambda: demo.saturation_figure("tanh", [0, 3]),
    lambda: demo.vanishing_figure(10),
    lambda: demo.layer_gradients_figure({"a": torch.logspace(-8, 0, 20), "He": torch.ones(20)}),
])
def test_figures_fit_a_slide(make):
    fig = make()
    assert isinstance(fig, Figure)
    w, h = fig.get_size_inches()
    assert w <= 11 and h <= 4


def test_activation_figure_reports_autograd_slope():
    fig = demo.activation_figure("sigmoid", 2.0)
    slope = torch.sigmoid(torch.tensor(2.0)) * (1 - torch.sigmoid(torch.tensor(2.0)))
    assert f"{slope:.4f}" in fig.axes[1].get_title()


def test_widgets_redraw():
    beta = demo.sigmoid_beta_widget(2.0)
    assert isinstance(beta, LiveDemo) and repr(beta).startswith("LiveDemo(controls: beta)")
    control = beta.children[0].children[0]
    control.value = 10.0
    act = demo.activation_widget("tanh", 1.0)
    assert repr(act).startswith("LiveDemo(controls: name, x0)")
    dropdown, x0 = act.children[0].children
    dropdown.value = "ReLU"
    x0.value = -2.0
    assert plt.get_fignums() == []


def test_layer_gradients_figure_draws_each_network():
    norms = {"sigmoid": torch.logspace(-12, -1, 20), "ReLU, He init": torch.full((20,), 2.0)}
    fig = demo.layer_gradients_figure(norms)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and [t.get_text() for t in ax.get_legend().get_texts()] == list(norms)
    sig, he = ax.get_lines()
    assert list(sig.get_xdata()) == list(range(1, 21)) and sig.get_ydata()[0] == pytest.approx(1e-12)
    assert he.get_linestyle() == "--" and sig.get_linestyle() == "-"
    with pytest.raises(ValueError, match="empty"):
        demo.layer_gradients_figure({})
    with pytest.raises(ValueError, match="positive norms"):
        demo.layer_gradients_figure({"bad": torch.zeros(5)})
