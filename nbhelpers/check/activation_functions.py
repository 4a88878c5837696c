"""Exercises of lecture 02 (activation functions): the ReLU and sigmoid derivatives, softmax.

The checkers call the student's function on inputs of their own (vectors and batches, float32
and float64, tiny and huge values), with the tools the exercise rules out (autograd,
``torch.softmax``) turned into a hint, and refuse a function that changes its input in place.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from nbhelpers.check import Forbid, NotYet, Result, call, correct, exercise, not_yet, tensor

_Activation = Callable[[torch.Tensor], torch.Tensor]

_AUTOGRAD = {torch.Tensor.backward, torch.autograd.grad}
_SOFTMAX = {torch.softmax, torch.Tensor.softmax, F.softmax, torch.special.softmax,
            torch.log_softmax, torch.Tensor.log_softmax, F.log_softmax}


def _apply(fn: _Activation, x: torch.Tensor, what: str = "",
           forbid: Forbid | None = None) -> torch.Tensor:
    """``fn(x)`` as float64, required to have x's shape (element-wise), not to change x, and
    not to use the ``forbid``-den tools."""
    arg = x.clone()
    try:
        with forbid or Forbid((), ""):
            out = call(fn, arg)
    except NotYet:
        raise
    except Exception as err:  # the student's code: say on which input it broke
        if not what:
            raise
        raise NotYet(f"on {what} your function raised {type(err).__name__}: {err}") from None
    if arg.shape != x.shape or not torch.equal(arg, x):
        raise NotYet("your function changed its input x in place (an operation ending in _, or "
                     "an assignment into x[...]): the caller's tensor must stay as it was.")
    return tensor(out, shape=tuple(x.shape),
                  hint="for an input x return the same shape as x (work element by element)")


def _inputs() -> torch.Tensor:
    """(204,) test points: spread out, and close to 0 on both sides."""
    gen = torch.Generator().manual_seed(2)
    return torch.cat([torch.randn(200, generator=gen) * 4, torch.tensor([-3.0, -1e-3, 1e-3, 2.0])])


_NO_AUTOGRAD = ("the exercise asks for the derivative from its formula, without autograd "
                "(.backward(), torch.autograd.grad).")


@exercise
def relu_grad(fn: _Activation) -> Result:
    """``fn(x)``: the derivative of ReLU at every element of x (same shape)."""
    x = torch.cat([_inputs(), torch.tensor([-1e-30, 1e-30, -1e6, 1e6])])  # (208,)
    forbid = Forbid(_AUTOGRAD, _NO_AUTOGRAD)
    cases = [("a vector of 208 values", x), ("a (13, 16) tensor", x.reshape(13, 16)),
             ("a float64 (2, 8, 13) tensor", x.double().reshape(2, 8, 13))]
    for what, xs in cases:
        out = _apply(fn, xs, what, forbid)
        want = (xs > 0).double()
        if not torch.allclose(out, want):
            bad = (out - want).abs().argmax()
            return not_yet(f"wrong at x = {xs.flatten()[bad]:.3g}: you return "
                           f"{out.flatten()[bad]:.3g}. ReLU is a straight line on each side of "
                           "0: what is its slope there?")
    at0 = _apply(fn, torch.zeros(3), "x = 0", forbid)
    if not bool(((at0 >= 0) & (at0 <= 1)).all()):
        return not_yet(f"at x = 0 you return {at0[0]:.3g}: any value between the slopes on the "
                       "left and on the right is allowed, nothing else.")
    note = "" if bool((at0 == 0).all()) else " (torch returns 0 at x = 0; yours is also valid)"
    return correct("your ReLU derivative matches autograd" + note + ".")


def _sigmoid_slope(x: torch.Tensor) -> torch.Tensor:
    xg = x.double().requires_grad_(True)
    (want,) = torch.autograd.grad(torch.sigmoid(xg).sum(), xg)
    return want


@exercise
def sigmoid_grad(fn: _Activation) -> Result:
    """``fn(x)``: the derivative of the logistic sigmoid at every element of x."""
    # |x| up to 100: e^100 overflows float32, so 1/(1 + e^(-x)) must not be squared naively
    x = torch.cat([_inputs(), torch.linspace(-30, 30, 61), torch.tensor([-100.0, 100.0])])
    forbid = Forbid(_AUTOGRAD, _NO_AUTOGRAD)
    # float32 keeps about 7 digits of σ'(x) ≤ 0.25; float64 about 16 (the formula in σ gets
    # there, a finite difference does not)
    cases = [("float32", x, 1e-6), ("float64", x.double().reshape(3, 89), 1e-12)]
    for dtype, xs, atol in cases:
        out = _apply(fn, xs, f"a {dtype} tensor of shape {tuple(xs.shape)}", forbid)
        want = _sigmoid_slope(xs)
        out, want, xs = out.flatten(), want.flatten(), xs.flatten()
        if not torch.isfinite(out).all():
            bad = int((~torch.isfinite(out)).nonzero()[0])
            return not_yet(f"you return {out[bad].item()} at x = {xs[bad]:.3g}: avoid "
                           "exponentials that overflow; express the slope through σ itself.")
        err = (out - want).abs()
        if err.max() > atol:
            bad = int(err.argmax())
            if err.max() < 1e-3:  # nearly right: a lower precision or an approximation
                returned = call(fn, xs[:2].clone()).dtype
                lower = (returned.is_floating_point
                         and torch.finfo(returned).eps > torch.finfo(xs.dtype).eps)
                why = (f"for a {dtype} x you return {returned}: keep x's dtype" if lower else
                       "that is an approximation (a finite difference?), not the derivative")
                return not_yet(f"close, but at x = {xs[bad]:.3g} you are off by "
                               f"{err[bad]:.1e}: {why}.")
            return not_yet(f"at x = {xs[bad]:.3g} you return {out[bad]:.4g}, autograd says "
                           f"{want[bad]:.4g}. Differentiate 1/(1 + e^(−x)) and write the "
                           "result in terms of σ(x).")
    return correct("matches autograd everywhere.")


@exercise
def softmax(fn: _Activation) -> Result:
    """``fn(z)``: softmax over the last dimension of z (a vector or a batch of rows), numerically
    stable, without ``torch.softmax``."""
    gen = torch.Generator().manual_seed(3)
    cases = [
        ("a single vector of 5 scores", torch.randn(5, generator=gen)),
        ("a batch of 4 rows × 6 classes", torch.randn(4, 6, generator=gen) * 3),
        ("large scores [1000, 1001, 1002]", torch.tensor([1000.0, 1001.0, 1002.0])),
        ("very negative scores [-1000, -999]", torch.tensor([[-1000.0, -999.0]])),
        ("rows at different scales [[1000, 1001, 1002], [-3, 0, 2], [-1002, -1001, -1000]]",
         torch.tensor([[1000.0, 1001.0, 1002.0], [-3.0, 0.0, 2.0], [-1002.0, -1001.0, -1000.0]])),
        ("the spread-out row [-500, 0, 500]", torch.tensor([[-500.0, 0.0, 500.0], [1.0, 2.0, 3.0]])),
        ("a float64 batch of 3 rows × 3 classes", torch.randn(3, 3, generator=gen,
                                                             dtype=torch.float64) * 5),
    ]
    forbid = Forbid(_SOFTMAX, "the exercise asks for softmax without torch.softmax (nor "
                                  "F.softmax, nn.Softmax or log_softmax): build it from exp.")
    for what, z in cases:
        out = _apply(fn, z, what, forbid)
        if not torch.isfinite(out).all():
            if "different scales" in what:
                return not_yet(f"on {what} you return inf or nan: one shift for the whole batch "
                               "leaves some row far from 0; shift each row by its own amount.")
            if "spread-out" in what:
                return not_yet(f"on {what} you return inf or nan: after your shift some score is "
                               "still large, and e^500 overflows.")
            return not_yet(f"on {what} you return inf or nan: e^1000 overflows. Softmax does "
                           "not change if you add the same number to every score.")
        if not torch.allclose(out, torch.softmax(z.double(), dim=-1), atol=1e-4):  # float32 at 1000
            hint = ("each row must sum to 1: normalise over the last dimension (dim=-1, "
                    "keepdim=True)" if z.ndim > 1 else "softmax(z)_i = e^(z_i) / Σ_j e^(z_j)")
            return not_yet(f"wrong on {what}: {hint}.")
    return correct("correct, and stable for large scores.")
