"""Activation functions of lecture 02, their derivatives, and gradients through depth.

- :data:`ACTIVATION_FUNCTIONS`: name -> element-wise torch function (the lecture's seven);
  :func:`activation_function` looks one up with a clear error.
- :func:`derivative`: dy/dx of an element-wise function at every point, by autograd.
- :func:`gap_to_step`: how far the logistic σ(βx) stays from the step outside |x| < δ.
- :func:`chain_slopes`: |dy/dx| after each neuron of a chain y_k = φ(y_{k−1}) (no weights).
- :func:`deep_mlp`: a deep fully connected network with PyTorch's default or He init, to
  measure how the gradient changes from layer to layer when there *are* weights.

``nbhelpers.models.ACTIVATIONS`` is something else: the layer *classes* a model is built with.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "ACTIVATION_FUNCTIONS",
    "INITS",
    "Elementwise",
    "activation_function",
    "chain_slopes",
    "deep_mlp",
    "derivative",
    "gap_to_step",
]

#: An element-wise function: a tensor in, a tensor of the same shape out.
Elementwise = Callable[[torch.Tensor], torch.Tensor]

#: The activation functions of the lecture, name -> element-wise torch function.
ACTIVATION_FUNCTIONS: dict[str, Elementwise] = {
    "step": lambda x: (x > 0).to(x.dtype),
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "ReLU": torch.relu,
    "LeakyReLU(0.1)": lambda x: F.leaky_relu(x, 0.1),
    "GELU": F.gelu,
    "SiLU": F.silu,
}


def activation_function(name: str) -> Elementwise:
    """The function ``ACTIVATION_FUNCTIONS[name]``; an unknown name lists the known ones."""
    if name not in ACTIVATION_FUNCTIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {list(ACTIVATION_FUNCTIONS)}")
    return ACTIVATION_FUNCTIONS[name]


def derivative(f: Elementwise, x: torch.Tensor) -> torch.Tensor:
    """dy/dx of an element-wise function at every point of x (any shape, same shape out),
    by autograd.

    Where f's output does not depend on x through autograd (the step), the result is 0.
    """
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise TypeError("derivative needs a floating-point tensor x, e.g. torch.linspace(-5, 5, 101)")
    x = x.detach().clone().requires_grad_(True)
    y = f(x)
    if not y.requires_grad:  # e.g. (x > 0).float(): piecewise constant
        return torch.zeros_like(x).detach()
    (grad,) = torch.autograd.grad(y.sum(), x)
    return grad


def gap_to_step(beta: float, delta: float = 0.5) -> float:
    """max over |x| ≥ delta of |σ(βx) − step(x)|; equals σ(−β·delta) (closed form)."""
    if beta <= 0 or delta <= 0:
        raise ValueError(f"beta and delta must be positive, got beta={beta}, delta={delta}")
    return float(torch.sigmoid(torch.tensor(-beta * delta, dtype=torch.float64)))


def chain_slopes(name: str, depth: int, *, x: float = 1.0) -> torch.Tensor:
    """|dy/dx| after each of ``depth`` neurons y_k = φ(y_{k−1}) (weight 1, bias 0), y_0 = x,
    with φ = ``ACTIVATION_FUNCTIONS[name]``.

    Returns (depth,) float64: entry k−1 is |φ′(y_0)·…·φ′(y_{k−1})|, by autograd.
    """
    if depth < 1:
        raise ValueError(f"depth must be at least 1, got {depth}")
    f = activation_function(name)
    x0 = torch.tensor(float(x), dtype=torch.float64, requires_grad=True)
    y, out = x0, []
    for _ in range(depth):
        y = f(y)
        if not y.requires_grad:
            out.append(0.0)
            continue
        (g,) = torch.autograd.grad(y, x0, retain_graph=True)
        out.append(abs(float(g)))
    return torch.tensor(out, dtype=torch.float64)


#: Weight initialisations :func:`deep_mlp` knows.
INITS = ("default", "he")


def deep_mlp(
    activation: type[nn.Module],
    *,
    depth: int = 20,
    width: int = 128,
    inputs: int = 784,
    classes: int = 10,
    init: str = "default",
) -> nn.Sequential:
    """``Flatten`` and ``depth`` Linear layers, inputs -> width -> ... -> width -> classes, with
    ``activation()`` after every Linear but the last.

    Input ``(N, 1, 28, 28)`` (or ``(N, inputs)``), output logits ``(N, classes)``. ``init``:
    ``"default"`` keeps PyTorch's init (weights and biases uniform in ±1/√fan_in); ``"he"``
    draws weights from N(0, 2/fan_in) (``nn.init.kaiming_normal_``, lecture 08) and zeroes
    the biases. Seed torch first for repeatable weights.
    """
    if not (isinstance(activation, type) and issubclass(activation, nn.Module)):
        raise TypeError(f"activation must be a layer class such as nn.ReLU (not an instance "
                        f"or a function), got {activation!r}")
    for value, name in ((depth, "depth"), (width, "width"), (inputs, "inputs"),
                        (classes, "classes")):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if depth < 2:
        raise ValueError(f"depth must be at least 2 (one hidden layer), got {depth}")
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; choose one of {list(INITS)}")
    sizes = [inputs] + [width] * (depth - 1) + [classes]
    layers: list[nn.Module] = [nn.Flatten()]
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        layers += [nn.Linear(n_in, n_out), activation()]
    net = nn.Sequential(*layers[:-1])  # no activation after the output layer
    if init == "he":
        for layer in net:
            if isinstance(layer, nn.Linear):
                nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
                nn.init.zeros_(layer.bias)
    return net
