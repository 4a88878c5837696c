"""Exercises of lecture 03 (networks and tensors): a parameter count, ``Net`` as an
``nn.Sequential``, and what ``nn.Linear`` computes."""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from nbhelpers.check import Forbid, NotYet, Result, call, close, correct, exercise, not_yet, tensor

_LAYERS = [(784, 128), (128, 64), (64, 10)]


@exercise
def count_params(n: float) -> Result:
    """``n``: the number of trainable parameters of 784 → 128 → 64 → 10 (fully connected)."""
    if isinstance(n, torch.Tensor) and n.numel() == 1:
        n = n.item()
    if not isinstance(n, numbers.Real) or isinstance(n, bool | np.bool_):
        return not_yet(f"give the count as one number, not a {type(n).__name__}.")
    if not math.isfinite(n) or int(n) != n:
        return not_yet(f"{n!r} is not a whole number of parameters.")
    value = int(n)
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                          nn.Linear(64, 10))
    total = sum(p.numel() for p in model.parameters())
    weights = sum(p.numel() for p_name, p in model.named_parameters() if "weight" in p_name)
    if value == total:
        return correct("every weight and every bias counted.")
    if value == weights:
        return not_yet("you counted the weights only: each output unit also has a bias.")
    if value in (weights + sum(i for i, _ in _LAYERS), total + _LAYERS[0][0]):
        return not_yet("you gave biases to the inputs of a layer: a layer has one bias per "
                       "OUTPUT unit, and the 784 input pixels have none.")
    if value == _LAYERS[0][0] + sum(o for _, o in _LAYERS):
        return not_yet("you counted the units (neurons); count the connections between them "
                       "(weights) and one bias per unit that computes something.")
    if value in {total - i * o - o for i, o in _LAYERS}:
        return not_yet("you left out one of the three Linear layers: count each of them.")
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
def sequential(model: nn.Module) -> Result:
    """``model``: an ``nn.Sequential`` computing the same function as the class ``Net`` of the
    exercise. Checked on a copy, in float64, with random weights of the checker's own (the same
    ones in a ``Net``), in training mode and in eval mode; the student's model is not touched."""
    if not isinstance(model, nn.Sequential):
        return not_yet(f"build an nn.Sequential(...), not a {type(model).__name__}.")
    ref = _Net().double()
    shapes = [tuple(p.shape) for p in model.parameters()]
    if shapes != [tuple(p.shape) for p in ref.parameters()]:
        return not_yet(f"your parameters have shapes {shapes}; Net's layers need the same "
                       "Linear layers in the same order (weights are out × in).")
    mine = copy.deepcopy(model).to("cpu", torch.float64)
    gen = torch.Generator().manual_seed(4)
    with torch.no_grad():
        for p, q in zip(ref.parameters(), mine.parameters(), strict=True):
            p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64))
            q.copy_(p)
    x = torch.randn(8, 6, generator=gen, dtype=torch.float64)
    want = ref(x)
    for mode in ("eval", "train"):
        getattr(mine, mode)()
        got = tensor(mine(x.clone()), shape=(8, 3),
                     hint="for an input of shape (8, 6) Net returns (8, 3)")
        if not close(got, want, rtol=1e-7, atol=1e-10):
            if mode == "train":
                return not_yet("in training mode your model's outputs differ from Net's (and "
                               "in eval mode they agree): Net has no layer that behaves "
                               "differently in training, such as dropout.")
            return not_yet("same weights, different outputs: check each activation between the "
                           "layers, and over which dimension the softmax normalises.")
    return correct("same parameters, same function.")


_NO_LINEAR = ("the exercise asks for the computation itself, without nn.Linear or "
              "F.linear.")


@exercise
def linear_forward(fn: Callable[..., torch.Tensor]) -> Result:
    """``fn(X, W, b)``: what nn.Linear computes, for X of shape (..., in), W (out, in), b (out,);
    without nn.Linear or F.linear, and without changing X, W or b."""
    gen = torch.Generator().manual_seed(5)
    cases = [
        ("one input x (4,)", torch.randn(4, generator=gen), torch.randn(3, 4, generator=gen)),
        ("a batch X (5, 4)", torch.randn(5, 4, generator=gen), torch.randn(3, 4, generator=gen)),
        ("a batch X (5, 4)", torch.randn(5, 4, generator=gen), torch.randn(4, 4, generator=gen)),
        ("X of shape (2, 5, 4)", torch.randn(2, 5, 4, generator=gen),
         torch.randn(3, 4, generator=gen)),
        ("a batch X (5, 4)", torch.randn(5, 4, generator=gen),
         torch.randn(1, 4, generator=gen)),
        ("a float64 batch X (3, 2)", torch.randn(3, 2, generator=gen, dtype=torch.float64),
         torch.randn(6, 2, generator=gen, dtype=torch.float64)),
    ]
    for x_what, X, W in cases:
        square = " (square)" if W.shape[0] == W.shape[1] else ""
        what = f"{x_what} and W {tuple(W.shape)}{square}"
        b = torch.randn(W.shape[0], generator=gen, dtype=W.dtype)
        want = F.linear(X, W, b)
        args = (X.clone(), W.clone(), b.clone())
        try:
            with Forbid({F.linear}, _NO_LINEAR):
                out = call(fn, *args)
        except NotYet:
            raise
        except Exception as err:  # the student's code: say on which input it broke
            raise NotYet(f"for {what} your function raised "
                         f"{type(err).__name__}: {err}") from None
        for name, arg, orig in zip("XWb", args, (X, W, b), strict=True):
            if arg.shape != orig.shape or not torch.equal(arg, orig):
                return not_yet(f"your function changed its input {name} in place: the caller's "
                               "tensors must stay as they were.")
        out = tensor(out, hint="the output of a layer is a tensor")
        if out.shape != want.shape:
            return not_yet(f"for {what} the output has shape "
                           f"{tuple(want.shape)}, yours {tuple(out.shape)}.")
        if not close(out, want, rtol=1e-5, atol=1e-5):
            return not_yet(f"wrong values for {what}: each row of W holds one output unit's "
                           "weights (W is out × in).")
    return correct("your function computes what nn.Linear computes.")
