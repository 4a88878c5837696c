"""Exercises of lecture 03 (networks and tensors): a parameter count, ``Net`` as an
``nn.Sequential``, and what ``nn.Linear`` computes."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from nbhelpers.check import Result, call, close, correct, exercise, not_yet, tensor


@exercise
def net_count_params(n: float) -> Result:
    """``n``: the number of trainable parameters of 784 → 128 → 64 → 10 (fully connected)."""
    value = int(n)
    if value != n:
        return not_yet(f"{n!r} is not a whole number of parameters.")
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                          nn.Linear(64, 10))
    total = sum(p.numel() for p in model.parameters())
    weights = sum(p.numel() for p_name, p in model.named_parameters() if "weight" in p_name)
    if value == total:
        return correct("every weight and every bias counted.")
    if value == weights:
        return not_yet("you counted the weights only: each output unit also has a bias.")
    return not_yet("count each nn.Linear(n_in, n_out) separately: n_in·n_out weights plus n_out "
                   "biases; ReLU has no parameters.")


class _Net(nn.Module):
    """The class of exercise 2 (shown in the notebook): 6 -> 16 (tanh) -> 3 (softmax)."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = nn.Linear(6, 16)
        self.out = nn.Linear(16, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.out(torch.tanh(self.hidden(x))), dim=1)


@exercise
def net_sequential(model: nn.Module) -> Result:
    """``model``: an ``nn.Sequential`` computing the same function as the class ``Net`` of the
    exercise (checked by copying its parameters into a ``Net`` and comparing outputs)."""
    if not isinstance(model, nn.Sequential):
        return not_yet(f"build an nn.Sequential(...), not a {type(model).__name__}.")
    ref = _Net()
    theirs = list(model.parameters())
    shapes = [tuple(p.shape) for p in theirs]
    if shapes != [tuple(p.shape) for p in ref.parameters()]:
        return not_yet(f"your parameters have shapes {shapes}; Net's layers need the same "
                       "Linear layers in the same order (weights are out × in).")
    with torch.no_grad():
        for mine, p in zip(ref.parameters(), theirs, strict=True):
            mine.copy_(p)
    x = torch.randn(8, 6, generator=torch.Generator().manual_seed(4))
    got = tensor(model(x), shape=(8, 3), hint="for an input of shape (8, 6) Net returns (8, 3)")
    if not close(got, ref(x), rtol=1e-5, atol=1e-6):
        return not_yet("same weights, different outputs: check each activation between the "
                       "layers, and over which dimension the softmax normalises.")
    return correct("same parameters, same function.")


@exercise
def net_linear_forward(fn: Callable[..., torch.Tensor]) -> Result:
    """``fn(X, W, b)``: what nn.Linear computes, for X of shape (..., in), W (out, in), b (out,)."""
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
        want = F.linear(X, W, b)
        out = call(fn, X.clone(), W.clone(), b.clone())
        if not isinstance(out, torch.Tensor) or out.shape != want.shape:
            return not_yet(f"for {what} and W {tuple(W.shape)} the output has shape "
                           f"{tuple(want.shape)}, yours {tuple(getattr(out, 'shape', ()))}.")
        if not close(out, want, rtol=1e-5, atol=1e-5):
            return not_yet(f"wrong values for {what} with W {tuple(W.shape)}: each row of W holds "
                           "one output unit's weights (W is out × in).")
    return correct("your function computes what nn.Linear computes.")
