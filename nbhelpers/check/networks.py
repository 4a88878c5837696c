"""Exercises of lecture 03 (networks and tensors)."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from nbhelpers.check import Result, exercise, failed, guard, passed

_EMPTY = "no answer yet: replace the ... in the answer cell above, run it, then check again."


def _count_network() -> nn.Module:
    """The network of exercise 1 (its layer sizes are printed in the notebook)."""
    return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                         nn.Linear(64, 10))


@exercise("net_count_params")
def count_params(n) -> Result:
    """``n``: the number of trainable parameters of 784 → 128 → 64 → 10 (fully connected)."""
    name = "net_count_params"
    if n is Ellipsis or n is None:
        return failed(name, _EMPTY)

    def run() -> Result:
        value = int(n)
        if value != n:
            return failed(name, f"{n!r} is not a whole number of parameters.")
        model = _count_network()
        total = sum(p.numel() for p in model.parameters())
        weights = sum(p.numel() for p_name, p in model.named_parameters() if "weight" in p_name)
        if value == total:
            return passed(name, "every weight and every bias counted.")
        if value == weights:
            return failed(name, "you counted the weights only: each output unit also has a bias.")
        return failed(name, "count each nn.Linear(n_in, n_out) separately: n_in·n_out weights "
                            "plus n_out biases; ReLU has no parameters.")

    return guard(name, run)


class _Net(nn.Module):
    """The class of exercise 2 (shown in the notebook)."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = nn.Linear(6, 16)
        self.out = nn.Linear(16, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.out(torch.tanh(self.hidden(x))), dim=1)


@exercise("net_sequential")
def sequential(model) -> Result:
    """``model``: an ``nn.Sequential`` computing the same function as the class ``Net`` of the
    exercise (checked by copying its parameters into a ``Net`` and comparing outputs)."""
    name = "net_sequential"
    if model is Ellipsis or model is None:
        return failed(name, _EMPTY)
    if not isinstance(model, nn.Sequential):
        return failed(name, f"build an nn.Sequential(...), not a {type(model).__name__}.")

    def run() -> Result:
        ref = _Net()
        theirs = list(model.parameters())
        shapes = [tuple(p.shape) for p in theirs]
        wanted = [tuple(p.shape) for p in ref.parameters()]
        if shapes != wanted:
            return failed(name, f"your parameters have shapes {shapes}; Net's layers need "
                                "the same Linear layers in the same order (weights are out × in).")
        with torch.no_grad():
            for mine, p in zip(ref.parameters(), theirs, strict=True):
                mine.copy_(p)
        x = torch.randn(8, 6, generator=torch.Generator().manual_seed(4))
        got, want = model(x), ref(x)
        if not isinstance(got, torch.Tensor) or got.shape != want.shape:
            return failed(name, f"for an input of shape (8, 6) Net returns (8, 3); yours returns "
                                f"{tuple(getattr(got, 'shape', ()))}.")
        if not torch.allclose(got, want, atol=1e-6):
            return failed(name, "same weights, different outputs: check each activation between "
                                "the layers, and over which dimension the softmax normalises.")
        return passed(name, "same parameters, same function.")

    return guard(name, run)


@exercise("net_linear_forward")
def linear_forward(fn: Callable[..., torch.Tensor]) -> Result:
    """``fn(X, W, b)``: what nn.Linear computes, for X of shape (..., in), W (out, in), b (out,)."""
    name = "net_linear_forward"
    if not callable(fn):
        return failed(name, _EMPTY)

    def run() -> Result:
        gen = torch.Generator().manual_seed(5)
        cases = [
            ("one input x (4,)", torch.randn(4, generator=gen), torch.randn(3, 4, generator=gen)),
            ("a batch X (5, 4)", torch.randn(5, 4, generator=gen), torch.randn(3, 4, generator=gen)),
            ("a square W (4, 4)", torch.randn(5, 4, generator=gen), torch.randn(4, 4, generator=gen)),
            ("X of shape (2, 5, 4)", torch.randn(2, 5, 4, generator=gen),
             torch.randn(3, 4, generator=gen)),
        ]
        for what, X, W in cases:
            b = torch.randn(W.shape[0], generator=gen)
            got = fn(X.clone(), W.clone(), b.clone())
            if got is None:
                return failed(name, "your function returned None: finish it with `return ...`.")
            want = F.linear(X, W, b)
            if not isinstance(got, torch.Tensor) or got.shape != want.shape:
                return failed(name, f"for {what} and W {tuple(W.shape)} the output has shape "
                                    f"{tuple(want.shape)}, yours {tuple(getattr(got, 'shape', ()))}.")
            if not torch.allclose(got, want, atol=1e-5):
                return failed(name, f"wrong values for {what} with W {tuple(W.shape)}: each row of "
                                    "W holds one output unit's weights (W is out × in).")
        return passed(name, "your function computes what nn.Linear computes.")

    return guard(name, run)
