"""Exercises of lecture 04 (loss functions): MSE, cross-entropy on logits, BCE on logits.

Each checker calls the student's function on inputs of its own and compares with
``torch.nn.functional``; the hints name the usual mistakes, never the solution.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from nbhelpers.check import Result, exercise, failed, passed
from nbhelpers.check import guard as _guard

_EMPTY = "no answer yet: write the function in the answer cell above, run it, then check again."


class _NoAnswer(Exception):
    """The student's function returned None (e.g. its body is still ``...``)."""


def _scalar(out, name: str) -> torch.Tensor:
    """The student's output as a float64 scalar tensor, or a TypeError that says why not."""
    if out is None or out is Ellipsis:
        raise _NoAnswer
    if not isinstance(out, torch.Tensor):
        raise TypeError(f"{name} must return a torch tensor, got {type(out).__name__}")
    if out.numel() != 1:
        raise TypeError(f"{name} must return one number (the mean over all elements), got a "
                        f"tensor of shape {tuple(out.shape)}")
    return out.detach().double().reshape(())


def guard(name: str, run: Callable[[], Result]) -> Result:
    """:func:`nbhelpers.check.guard`, plus a friendly answer for a function that returns None."""
    def run_or_explain() -> Result:
        try:
            return run()
        except _NoAnswer:
            return failed(name, "your function returns nothing yet: write its body so that "
                                "it returns the loss (a tensor), run the cell, check again.")

    return _guard(name, run_or_explain)


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    return bool(torch.allclose(a, b.double(), rtol=1e-4, atol=1e-6))


@exercise("losses_mse")
def mse(fn: Callable) -> Result:
    """``fn(pred, target) -> scalar``: the mean squared error, as ``F.mse_loss``."""
    name = "losses_mse"
    if not callable(fn):
        return failed(name, _EMPTY)

    def run() -> Result:
        g = torch.Generator().manual_seed(4)
        for shape in [(5,), (3, 4), (2, 3, 2)]:
            pred, target = torch.randn(shape, generator=g), torch.randn(shape, generator=g)
            got = _scalar(fn(pred.clone(), target.clone()), "mse")
            want = F.mse_loss(pred, target)
            if _close(got, want):
                continue
            diff = pred - target
            if _close(got, (diff**2).sum()):
                return failed(name, "you return the sum of squares; MSE is the mean over all "
                                    "elements.")
            if _close(got, diff.abs().mean()):
                return failed(name, "that is the mean absolute error (L1); square the "
                                    "differences instead.")
            if _close(got, diff.mean() ** 2):
                return failed(name, "square each difference first, then average.")
            return failed(name, f"for inputs of shape {shape} you return {got.item():.4f}, "
                                f"F.mse_loss gives {want.item():.4f}.")
        return passed(name, "your MSE equals F.mse_loss on every test.")

    return guard(name, run)


@exercise("losses_cross_entropy")
def cross_entropy(fn: Callable) -> Result:
    """``fn(logits (N, C), labels (N,)) -> scalar``: mean cross-entropy, as ``F.cross_entropy``,
    also for large logits."""
    name = "losses_cross_entropy"
    if not callable(fn):
        return failed(name, _EMPTY)

    def run() -> Result:
        g = torch.Generator().manual_seed(5)
        logits = torch.randn(6, 4, generator=g, dtype=torch.float64) * 2
        labels = torch.randint(0, 4, (6,), generator=g)
        got = _scalar(fn(logits.clone(), labels.clone()), "cross_entropy")
        want = F.cross_entropy(logits, labels)
        if _close(got, -want):
            return failed(name, "your value has the wrong sign: the loss is MINUS the log of "
                                "the probability of the true class (a loss is ≥ 0).")
        if not _close(got, want):
            picked = logits.log_softmax(1)[torch.arange(6), labels]
            if _close(got, -picked.sum()):
                return failed(name, "you return the sum over the batch; average it instead.")
            return failed(name, f"you return {got.item():.4f}, F.cross_entropy gives "
                                f"{want.item():.4f}. Pick the true class's entry of each row.")
        big = logits * 400  # exp overflows for these: exp(800) = inf
        got_big = _scalar(fn(big.clone(), labels.clone()), "cross_entropy")
        if not _close(got_big, F.cross_entropy(big, labels)):
            return failed(name, "correct for small logits, but wrong (inf or nan) for logits "
                                "around ±800: exp overflows. Subtract each row's maximum "
                                "before exp, or use torch.logsumexp.")
        return passed(name, "your cross-entropy equals F.cross_entropy, large logits included.")

    return guard(name, run)


@exercise("losses_bce_logits")
def bce_with_logits(fn: Callable) -> Result:
    """``fn(z, y) -> scalar``: mean binary cross-entropy of logits ``z`` and labels ``y`` (0./1.),
    as ``F.binary_cross_entropy_with_logits``, also for |z| up to 60."""
    name = "losses_bce_logits"
    if not callable(fn):
        return failed(name, _EMPTY)

    def run() -> Result:
        z = torch.tensor([-3.0, -0.5, 0.0, 0.7, 2.5, 4.0], dtype=torch.float64)
        y = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0, 0.0], dtype=torch.float64)
        got = _scalar(fn(z.clone(), y.clone()), "bce")
        want = F.binary_cross_entropy_with_logits(z, y)
        if _close(got, -want):
            return failed(name, "your value has the wrong sign: BCE = −[y log p + (1 − y) "
                                "log(1 − p)] is ≥ 0.")
        if not _close(got, want):
            return failed(name, f"you return {got.item():.4f}, the reference gives "
                                f"{want.item():.4f}. Remember p = σ(z), and average.")
        z_big = torch.tensor([-60.0, -30.0, 30.0, 60.0], dtype=torch.float64)
        y_big = torch.tensor([1.0, 0.0, 1.0, 0.0], dtype=torch.float64)
        got_big = _scalar(fn(z_big.clone(), y_big.clone()), "bce")
        if not _close(got_big, F.binary_cross_entropy_with_logits(z_big, y_big)):
            return failed(name, "right for moderate logits, but not for z = ±60 (you get "
                                f"{got_big.item():.4g}, want 30.0): σ(z) rounds to exactly 0 or "
                                "1 there and log breaks. Write log σ(z) and log(1 − σ(z)) "
                                "in terms of softplus / logsumexp of z instead.")
        return passed(name, "your BCE on logits matches torch, even at z = ±60.")

    return guard(name, run)
