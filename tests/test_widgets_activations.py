"""nbhelpers.widgets.activations (lecture 02 demos), checked against closed forms and torch."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from torch import nn  # noqa: E402

from nbhelpers.widgets import LiveDemo  # noqa: E402
from nbhelpers.widgets import activations as demo  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


X = torch.linspace(-6, 6, 1201, dtype=torch.float64)


def test_activations_match_torch_modules():
    modules = {"sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(), "ReLU": nn.ReLU(),
               "LeakyReLU(0.1)": nn.LeakyReLU(0.1), "GELU": nn.GELU(), "SiLU": nn.SiLU()}
    for name, module in modules.items():
        assert torch.allclose(demo.ACTIVATIONS[name](X), module(X)), name
    assert torch.equal(demo.ACTIVATIONS["step"](X), torch.heaviside(X, torch.tensor(0.0).double()))


@pytest.mark.parametrize("name, closed_form", [
    ("sigmoid", lambda x: torch.sigmoid(x) * (1 - torch.sigmoid(x))),
    ("tanh", lambda x: 1 - torch.tanh(x) ** 2),
    ("ReLU", lambda x: (x > 0).double()),
    ("LeakyReLU(0.1)", lambda x: torch.where(x > 0, 1.0, 0.1).double()),
    ("SiLU", lambda x: torch.sigmoid(x) * (1 + x * (1 - torch.sigmoid(x)))),
    ("GELU", lambda x: 0.5 * (1 + torch.erf(x / math.sqrt(2)))
     + x * torch.exp(-x**2 / 2) / math.sqrt(2 * math.pi)),
    ("step", lambda x: torch.zeros_like(x)),
])
def test_derivative_matches_closed_forms(name, closed_form):
    got = demo.derivative(demo.ACTIVATIONS[name], X)
    assert got.shape == X.shape
    assert torch.allclose(got, closed_form(X), atol=1e-10)


def test_derivative_keeps_shape_and_rejects_integers():
    x = torch.randn(3, 4)
    assert torch.allclose(demo.derivative(torch.tanh, x), 1 - torch.tanh(x) ** 2)
    assert not x.requires_grad  # the input is left alone
    with pytest.raises(TypeError, match="floating-point"):
        demo.derivative(torch.relu, torch.arange(5))


def test_gap_to_step_is_the_numerical_maximum_and_shrinks():
    far = X.abs() >= 0.5 - 1e-9
    step = (X > 0).double()
    previous = 1.0
    for beta in [0.5, 1, 3, 10, 40]:
        numeric = (torch.sigmoid(beta * X) - step)[far].abs().max().item()
        assert demo.gap_to_step(beta) == pytest.approx(numeric, rel=1e-6)
        assert demo.gap_to_step(beta) < previous
        previous = demo.gap_to_step(beta)
    with pytest.raises(ValueError, match="positive"):
        demo.gap_to_step(0.0)


def test_chain_slopes_equal_product_of_derivatives():
    for name in ["sigmoid", "tanh", "ReLU"]:
        f = demo.ACTIVATIONS[name]
        y, product, expected = torch.tensor(1.0, dtype=torch.float64), 1.0, []
        for _ in range(8):
            product *= float(demo.derivative(f, y.reshape(1))[0])
            expected.append(abs(product))
            y = f(y)
        assert torch.allclose(demo.chain_slopes(name, 8), torch.tensor(expected, dtype=torch.float64))
    sig = demo.chain_slopes("sigmoid", 12)
    assert (sig <= 0.25 ** torch.arange(1, 13, dtype=torch.float64)).all()
    assert torch.equal(demo.chain_slopes("ReLU", 5), torch.ones(5, dtype=torch.float64))
    assert torch.equal(demo.chain_slopes("step", 3), torch.zeros(3, dtype=torch.float64))
    with pytest.raises(ValueError, match="depth"):
        demo.chain_slopes("sigmoid", 0)


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
