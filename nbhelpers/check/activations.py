"""Exercises of lecture 02 (activation functions)."""

from __future__ import annotations

from collections.abc import Callable

import torch

from nbhelpers.check import Result, exercise, failed, guard, passed

_EMPTY = "no answer yet: write the function in the answer cell above, run it, then check again."


def _call(name: str, fn: Callable, x: torch.Tensor) -> torch.Tensor | Result:
    """fn(x) as a tensor of x's shape, or a failed Result that says what came back."""
    out = fn(x.clone())
    if out is None or out is Ellipsis:
        return failed(name, "your function returned None: finish it with `return ...`.")
    if not isinstance(out, torch.Tensor):
        return failed(name, f"return a torch.Tensor, not a {type(out).__name__}.")
    if out.shape != x.shape:
        return failed(name, f"for an input of shape {tuple(x.shape)} return the same shape, not "
                            f"{tuple(out.shape)} (work element by element).")
    return out.detach().to(torch.float64)


def _inputs() -> torch.Tensor:
    gen = torch.Generator().manual_seed(2)
    return torch.cat([torch.randn(200, generator=gen) * 4, torch.tensor([-3.0, -1e-3, 1e-3, 2.0])])


@exercise("act_relu_grad")
def relu_grad(fn: Callable[[torch.Tensor], torch.Tensor]) -> Result:
    """``fn(x)``: the derivative of ReLU at every element of x (same shape)."""
    name = "act_relu_grad"
    if not callable(fn):
        return failed(name, _EMPTY)

    def run() -> Result:
        x = _inputs().reshape(12, 17)
        out = _call(name, fn, x)
        if isinstance(out, Result):
            return out
        want = (x > 0).double()
        if not torch.allclose(out, want):
            bad = (out - want).abs().argmax()
            return failed(name, f"wrong at x = {x.flatten()[bad]:.3g}: you return "
                                f"{out.flatten()[bad]:.3g}. ReLU is a straight line on each side "
                                "of 0: what is its slope there?")
        at0 = _call(name, fn, torch.zeros(3))
        if isinstance(at0, Result):
            return at0
        if not bool(((at0 >= 0) & (at0 <= 1)).all()):
            return failed(name, f"at x = 0 you return {at0[0]:.3g}: any value between the slopes "
                                "on the left and on the right is allowed, nothing else.")
        note = "" if bool((at0 == 0).all()) else " (torch returns 0 at x = 0; yours is also valid)"
        return passed(name, "your ReLU derivative matches autograd" + note + ".")

    return guard(name, run)


@exercise("act_sigmoid_grad")
def sigmoid_grad(fn: Callable[[torch.Tensor], torch.Tensor]) -> Result:
    """``fn(x)``: the derivative of the logistic sigmoid at every element of x."""
    name = "act_sigmoid_grad"
    if not callable(fn):
        return failed(name, _EMPTY)

    def run() -> Result:
        x = torch.cat([_inputs(), torch.linspace(-30, 30, 61)])
        out = _call(name, fn, x)
        if isinstance(out, Result):
            return out
        xg = x.double().requires_grad_(True)
        (want,) = torch.autograd.grad(torch.sigmoid(xg).sum(), xg)
        if not torch.isfinite(out).all():
            bad = int((~torch.isfinite(out)).nonzero()[0])
            return failed(name, f"you return {out[bad].item()} at x = {x[bad]:.3g}: avoid "
                                "exponentials that overflow; express the slope through σ itself.")
        err = (out - want).abs()
        if err.max() > 1e-5:
            bad = int(err.argmax())
            return failed(name, f"at x = {x[bad]:.3g} you return {out[bad]:.4g}, autograd says "
                                f"{want[bad]:.4g}. Differentiate 1/(1 + e^(−x)) and write the "
                                "result in terms of σ(x).")
        return passed(name, "matches autograd everywhere.")

    return guard(name, run)


@exercise("act_softmax")
def softmax(fn: Callable[[torch.Tensor], torch.Tensor]) -> Result:
    """``fn(z)``: softmax over the last dimension of z (any shape), numerically stable."""
    name = "act_softmax"
    if not callable(fn):
        return failed(name, _EMPTY)

    def run() -> Result:
        gen = torch.Generator().manual_seed(3)
        cases = [
            ("a single vector of 5 scores", torch.randn(5, generator=gen)),
            ("a batch of 4 rows × 6 classes", torch.randn(4, 6, generator=gen) * 3),
            ("large scores [1000, 1001, 1002]", torch.tensor([1000.0, 1001.0, 1002.0])),
            ("very negative scores [-1000, -999]", torch.tensor([[-1000.0, -999.0]])),
        ]
        for what, z in cases:
            out = _call(name, fn, z)
            if isinstance(out, Result):
                return out
            want = torch.softmax(z.double(), dim=-1)
            if not torch.isfinite(out).all():
                return failed(name, f"on {what} you return inf or nan: e^1000 overflows. Softmax "
                                    "does not change if you add the same number to every score.")
            if not torch.allclose(out, want, atol=1e-4):  # float32 rounding at |z| ~ 1000
                hint = ("each row must sum to 1: normalise over the last dimension (dim=-1, "
                        "keepdim=True)" if z.ndim > 1 else "softmax(z)_i = e^(z_i) / Σ_j e^(z_j)")
                return failed(name, f"wrong on {what}: {hint}.")
        return passed(name, "correct, and stable for large scores.")

    return guard(name, run)
