"""Exercises of lecture 02 (activation functions): the ReLU and sigmoid derivatives, softmax."""

from __future__ import annotations

from collections.abc import Callable

import torch

from nbhelpers.check import Result, call, correct, exercise, not_yet, tensor

_Activation = Callable[[torch.Tensor], torch.Tensor]


def _apply(fn: _Activation, x: torch.Tensor) -> torch.Tensor:
    """``fn(x)`` as float64, required to have x's shape (element-wise)."""
    return tensor(call(fn, x.clone()), shape=tuple(x.shape),
                  hint="for an input x return the same shape as x (work element by element)")


def _inputs() -> torch.Tensor:
    """(204,) test points: spread out, and close to 0 on both sides."""
    gen = torch.Generator().manual_seed(2)
    return torch.cat([torch.randn(200, generator=gen) * 4, torch.tensor([-3.0, -1e-3, 1e-3, 2.0])])


@exercise
def act_relu_grad(fn: _Activation) -> Result:
    """``fn(x)``: the derivative of ReLU at every element of x (same shape)."""
    x = _inputs().reshape(12, 17)
    out = _apply(fn, x)
    want = (x > 0).double()
    if not torch.allclose(out, want):
        bad = (out - want).abs().argmax()
        return not_yet(f"wrong at x = {x.flatten()[bad]:.3g}: you return "
                       f"{out.flatten()[bad]:.3g}. ReLU is a straight line on each side of 0: "
                       "what is its slope there?")
    at0 = _apply(fn, torch.zeros(3))
    if not bool(((at0 >= 0) & (at0 <= 1)).all()):
        return not_yet(f"at x = 0 you return {at0[0]:.3g}: any value between the slopes on the "
                       "left and on the right is allowed, nothing else.")
    note = "" if bool((at0 == 0).all()) else " (torch returns 0 at x = 0; yours is also valid)"
    return correct("your ReLU derivative matches autograd" + note + ".")


@exercise
def act_sigmoid_grad(fn: _Activation) -> Result:
    """``fn(x)``: the derivative of the logistic sigmoid at every element of x."""
    # |x| up to 100: e^100 overflows float32, so 1/(1 + e^(-x)) must not be squared naively
    x = torch.cat([_inputs(), torch.linspace(-30, 30, 61), torch.tensor([-100.0, 100.0])])
    out = _apply(fn, x)
    xg = x.double().requires_grad_(True)
    (want,) = torch.autograd.grad(torch.sigmoid(xg).sum(), xg)
    if not torch.isfinite(out).all():
        bad = int((~torch.isfinite(out)).nonzero()[0])
        return not_yet(f"you return {out[bad].item()} at x = {x[bad]:.3g}: avoid exponentials "
                       "that overflow; express the slope through σ itself.")
    err = (out - want).abs()
    if err.max() > 1e-5:
        bad = int(err.argmax())
        return not_yet(f"at x = {x[bad]:.3g} you return {out[bad]:.4g}, autograd says "
                       f"{want[bad]:.4g}. Differentiate 1/(1 + e^(−x)) and write the result in "
                       "terms of σ(x).")
    return correct("matches autograd everywhere.")


@exercise
def act_softmax(fn: _Activation) -> Result:
    """``fn(z)``: softmax over the last dimension of z (any shape), numerically stable."""
    gen = torch.Generator().manual_seed(3)
    cases = [
        ("a single vector of 5 scores", torch.randn(5, generator=gen)),
        ("a batch of 4 rows × 6 classes", torch.randn(4, 6, generator=gen) * 3),
        ("large scores [1000, 1001, 1002]", torch.tensor([1000.0, 1001.0, 1002.0])),
        ("very negative scores [-1000, -999]", torch.tensor([[-1000.0, -999.0]])),
    ]
    for what, z in cases:
        out = _apply(fn, z)
        if not torch.isfinite(out).all():
            return not_yet(f"on {what} you return inf or nan: e^1000 overflows. Softmax does "
                           "not change if you add the same number to every score.")
        if not torch.allclose(out, torch.softmax(z.double(), dim=-1), atol=1e-4):  # float32 at 1000
            hint = ("each row must sum to 1: normalise over the last dimension (dim=-1, "
                    "keepdim=True)" if z.ndim > 1 else "softmax(z)_i = e^(z_i) / Σ_j e^(z_j)")
            return not_yet(f"wrong on {what}: {hint}.")
    return correct("correct, and stable for large scores.")
