"""nbhelpers.activations (lecture 02 maths), checked against closed forms and torch."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from nbhelpers.activations import (
    ACTIVATION_FUNCTIONS,
    activation_function,
    chain_slopes,
    deep_mlp,
    derivative,
    gap_to_step,
)

X = torch.linspace(-6, 6, 1201, dtype=torch.float64)


def test_activations_match_torch_modules():
    modules = {"sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(), "ReLU": nn.ReLU(),
               "LeakyReLU(0.1)": nn.LeakyReLU(0.1), "GELU": nn.GELU(), "SiLU": nn.SiLU()}
    for name, module in modules.items():
        assert torch.allclose(ACTIVATION_FUNCTIONS[name](X), module(X)), name
    assert torch.equal(ACTIVATION_FUNCTIONS["step"](X), torch.heaviside(X, torch.tensor(0.0).double()))


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
    got = derivative(ACTIVATION_FUNCTIONS[name], X)
    assert got.shape == X.shape
    assert torch.allclose(got, closed_form(X), atol=1e-10)


def test_derivative_keeps_shape_and_rejects_integers():
    x = torch.randn(3, 4)
    assert torch.allclose(derivative(torch.tanh, x), 1 - torch.tanh(x) ** 2)
    assert not x.requires_grad  # the input is left alone
    with pytest.raises(TypeError, match="floating-point"):
        derivative(torch.relu, torch.arange(5))


def test_gap_to_step_is_the_numerical_maximum_and_shrinks():
    far = X.abs() >= 0.5 - 1e-9
    step = (X > 0).double()
    previous = 1.0
    for beta in [0.5, 1, 3, 10, 40]:
        numeric = (torch.sigmoid(beta * X) - step)[far].abs().max().item()
        assert gap_to_step(beta) == pytest.approx(numeric, rel=1e-6)
        assert gap_to_step(beta) < previous
        previous = gap_to_step(beta)
    with pytest.raises(ValueError, match="positive"):
        gap_to_step(0.0)


def test_chain_slopes_equal_product_of_derivatives():
    for name in ["sigmoid", "tanh", "ReLU"]:
        f = ACTIVATION_FUNCTIONS[name]
        y, product, expected = torch.tensor(1.0, dtype=torch.float64), 1.0, []
        for _ in range(8):
            product *= float(derivative(f, y.reshape(1))[0])
            expected.append(abs(product))
            y = f(y)
        assert torch.allclose(chain_slopes(name, 8), torch.tensor(expected, dtype=torch.float64))
    sig = chain_slopes("sigmoid", 12)
    assert (sig <= 0.25 ** torch.arange(1, 13, dtype=torch.float64)).all()
    assert torch.equal(chain_slopes("ReLU", 5), torch.ones(5, dtype=torch.float64))
    assert torch.equal(chain_slopes("step", 3), torch.zeros(3, dtype=torch.float64))
    with pytest.raises(ValueError, match="depth"):
        chain_slopes("sigmoid", 0)


def test_unknown_activation_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown activation 'relu'"):
        activation_function("relu")
    with pytest.raises(ValueError, match="choose one of"):
        chain_slopes("relu", 3)


def test_deep_mlp_layers_and_default_init():
    torch.manual_seed(0)
    net = deep_mlp(nn.Tanh, depth=4, width=16, inputs=12, classes=3)
    linears = [m for m in net if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(12, 16), (16, 16), (16, 16),
                                                                   (16, 3)]
    assert isinstance(net[0], nn.Flatten) and isinstance(net[-1], nn.Linear)  # logits out
    assert sum(isinstance(m, nn.Tanh) for m in net) == 3
    assert net(torch.randn(5, 3, 4)).shape == (5, 3)
    for m in linears:  # PyTorch's default: uniform in ±1/sqrt(fan_in)
        bound = 1 / math.sqrt(m.in_features)
        assert m.weight.abs().max() <= bound and m.bias.abs().max() <= bound


def test_deep_mlp_he_init_has_variance_two_over_fan_in():
    torch.manual_seed(0)
    net = deep_mlp(nn.ReLU, depth=3, width=400, inputs=200, init="he")
    first, hidden = net[1], net[3]
    assert first.weight.std().item() == pytest.approx(math.sqrt(2 / 200), rel=0.02)
    assert hidden.weight.std().item() == pytest.approx(math.sqrt(2 / 400), rel=0.02)
    assert torch.equal(first.bias, torch.zeros(400))


def test_deep_mlp_gradients_vanish_for_sigmoid_not_for_he_relu():
    torch.manual_seed(0)
    x, y = torch.randn(64, 784), torch.randint(0, 10, (64,))

    def first_over_last(net):
        nn.functional.cross_entropy(net(x), y).backward()
        linears = [m for m in net if isinstance(m, nn.Linear)]
        return (linears[0].weight.grad.norm() / linears[-1].weight.grad.norm()).item()

    assert first_over_last(deep_mlp(nn.Sigmoid, depth=12, width=64)) < 1e-6
    assert 0.1 < first_over_last(deep_mlp(nn.ReLU, depth=12, width=64, init="he")) < 10


@pytest.mark.parametrize("kwargs, match", [
    ({"activation": nn.ReLU()}, "layer class"),
    ({"activation": torch.relu}, "layer class"),
    ({"activation": nn.ReLU, "depth": 1}, "at least 2"),
    ({"activation": nn.ReLU, "width": 0}, "width must be a positive int"),
    ({"activation": nn.ReLU, "init": "xavier"}, "unknown init 'xavier'"),
])
def test_deep_mlp_bad_input_is_explained(kwargs, match):
    activation = kwargs.pop("activation")
    with pytest.raises((TypeError, ValueError), match=match):
        deep_mlp(activation, **kwargs)
