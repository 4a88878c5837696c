"""Exercises of lecture 04 (loss functions): MSE, cross-entropy on logits, BCE on logits.

Each checker calls the student's function on inputs of its own and compares with
``torch.nn.functional``; the hints name the usual mistakes, never the solution.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from nbhelpers.check import NotYet, Result, call, close, correct, exercise, not_yet, tensor

_LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _loss(fn: _LossFn, *inputs: torch.Tensor) -> torch.Tensor:
    """``fn(*inputs)`` as a float64 scalar tensor (shape ``()``)."""
    out = tensor(call(fn, *(t.clone() for t in inputs)), hint="a loss is a tensor")
    if out.numel() != 1:
        raise NotYet(f"return one number (the mean over all elements), got a tensor of shape "
                     f"{tuple(out.shape)}.")
    return out.reshape(())


@exercise
def losses_mse(fn: _LossFn) -> Result:
    """``fn(pred, target) -> scalar``: the mean squared error, as ``F.mse_loss``."""
    g = torch.Generator().manual_seed(4)
    for shape in [(5,), (3, 4), (2, 3, 2)]:
        pred, target = torch.randn(shape, generator=g), torch.randn(shape, generator=g)
        got, want = _loss(fn, pred, target), F.mse_loss(pred, target)
        if close(got, want):
            continue
        diff = pred - target
        if close(got, (diff**2).sum()):
            return not_yet("you return the sum of squares; MSE is the mean over all elements.")
        if close(got, diff.abs().mean()):
            return not_yet("that is the mean absolute error (L1); square the differences "
                           "instead.")
        if close(got, diff.mean() ** 2):
            return not_yet("square each difference first, then average.")
        return not_yet(f"for inputs of shape {shape} you return {got.item():.4f}, F.mse_loss "
                       f"gives {want.item():.4f}.")
    return correct("your MSE equals F.mse_loss on every test.")


@exercise
def losses_cross_entropy(fn: _LossFn) -> Result:
    """``fn(logits (N, C), labels (N,)) -> scalar``: mean cross-entropy, as ``F.cross_entropy``,
    also for large logits."""
    g = torch.Generator().manual_seed(5)
    logits = torch.randn(6, 4, generator=g, dtype=torch.float64) * 2
    labels = torch.randint(0, 4, (6,), generator=g)
    got, want = _loss(fn, logits, labels), F.cross_entropy(logits, labels)
    if close(got, -want):
        return not_yet("your value has the wrong sign: the loss is MINUS the log of the "
                       "probability of the true class (a loss is ≥ 0).")
    if not close(got, want):
        picked = logits.log_softmax(1)[torch.arange(6), labels]
        if close(got, -picked.sum()):
            return not_yet("you return the sum over the batch; average it instead.")
        return not_yet(f"you return {got.item():.4f}, F.cross_entropy gives {want.item():.4f}. "
                       "Pick the true class's entry of each row.")
    big = logits * 400  # exp overflows for these: exp(800) = inf
    if not close(_loss(fn, big, labels), F.cross_entropy(big, labels)):
        return not_yet("correct for small logits, but wrong (inf or nan) for logits around "
                       "±800: exp overflows. Subtract each row's maximum before exp, or use "
                       "torch.logsumexp.")
    return correct("your cross-entropy equals F.cross_entropy, large logits included.")


@exercise
def losses_bce_logits(fn: _LossFn) -> Result:
    """``fn(z, y) -> scalar``: mean binary cross-entropy of logits ``z`` and labels ``y`` (0./1.),
    as ``F.binary_cross_entropy_with_logits``, also for |z| up to 60."""
    z = torch.tensor([-3.0, -0.5, 0.0, 0.7, 2.5, 4.0], dtype=torch.float64)
    y = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0, 0.0], dtype=torch.float64)
    got, want = _loss(fn, z, y), F.binary_cross_entropy_with_logits(z, y)
    if close(got, -want):
        return not_yet("your value has the wrong sign: BCE = −[y log p + (1 − y) log(1 − p)] "
                       "is ≥ 0.")
    if not close(got, want):
        return not_yet(f"you return {got.item():.4f}, the reference gives {want.item():.4f}. "
                       "Remember p = σ(z), and average.")
    z_big = torch.tensor([-60.0, -30.0, 30.0, 60.0], dtype=torch.float64)
    y_big = torch.tensor([1.0, 0.0, 1.0, 0.0], dtype=torch.float64)
    got_big = _loss(fn, z_big, y_big)
    if not close(got_big, F.binary_cross_entropy_with_logits(z_big, y_big)):
        return not_yet(f"right for moderate logits, but not for z = ±60 (you get "
                       f"{got_big.item():.4g}, want 30.0): σ(60) rounds to exactly 1, so "
                       "log(1 − σ(z)) is log 0. Write log σ(z) and log(1 − σ(z)) in terms of "
                       "softplus / logsumexp of z instead.")
    return correct("your BCE on logits matches torch, even at z = ±60.")
