"""Exercises of lecture 04 (loss functions): MSE, cross-entropy on logits, BCE on logits.

Each checker calls the student's function on inputs of its own (several shapes and dtypes,
moderate and extreme values) and compares with ``torch.nn.functional``; it also requires the
inputs to stay unchanged and the loss to stay in the autograd graph with the right gradient
(a loss must be able to train something). The hints name the usual mistakes, never the
solution.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

from nbhelpers.check import Forbid, NotYet, Result, call, close, correct, exercise, not_yet, tensor

_LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


_NO_MSE = Forbid({F.mse_loss}, "the exercise asks for the formula itself, without "
                                    "F.mse_loss or nn.MSELoss.")


def _raw(fn: _LossFn, inputs: tuple[torch.Tensor, ...], what: str,
         forbid: Forbid) -> Any:
    """``fn(*inputs)`` under ``forbid``; an exception says on which inputs it came."""
    try:
        with forbid:
            return call(fn, *inputs)
    except NotYet:
        raise
    except Exception as err:  # the student's code
        raise NotYet(f"on {what} your function raised {type(err).__name__}: {err}") from None


def _loss(fn: _LossFn, *inputs: torch.Tensor, what: str = "", forbid: Forbid | None = None,
          one: str = "the mean over all elements") -> torch.Tensor:
    """``fn(*inputs)`` as a float64 scalar tensor (shape ``()``); the inputs must not change."""
    args = tuple(t.clone() for t in inputs)
    out = _raw(fn, args, what or "the checker's inputs", forbid or Forbid())
    for arg, orig in zip(args, inputs, strict=True):
        if arg.shape != orig.shape or not torch.equal(arg, orig):
            raise NotYet("your function changed one of its inputs in place (an operation ending "
                         "in _, or -=, *=, x[...] = ...): the caller's tensors must stay as "
                         "they were.")
    out = tensor(out, hint="a loss is a tensor (no .item()), so that loss.backward() can train")
    if out.numel() != 1:
        raise NotYet(f"return one number ({one}), got a tensor of shape {tuple(out.shape)}.")
    return out.reshape(())


def _gradient(fn: _LossFn, x: torch.Tensor, *rest: torch.Tensor,
              reference: _LossFn, forbid: Forbid | None = None) -> None:
    """NotYet unless ``fn``'s loss lets autograd reach ``x`` with ``reference``'s gradient."""
    xg = x.clone().requires_grad_(True)
    cut = ("your loss has the right value but is cut off from the autograd graph (.item(), "
           ".detach(), NumPy, or torch.tensor(...) of a number): loss.backward() could not "
           "train anything.")
    try:
        with forbid or Forbid():
            out = call(fn, xg, *(t.clone() for t in rest))
    except NotYet:
        raise
    except Exception as err:
        raise NotYet(f"{cut} ({type(err).__name__}: {err})") from None
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        raise NotYet(cut)
    (got,) = torch.autograd.grad(out.sum(), xg, allow_unused=True)
    xr = x.clone().requires_grad_(True)
    (want,) = torch.autograd.grad(reference(xr, *rest), xr)
    if got is None or not close(got, want, rtol=1e-4, atol=1e-6):
        raise NotYet("your loss has the right value but the wrong gradient: part of it is "
                     "detached from the graph (.detach(), .item(), .data or a NumPy detour).")


@exercise
def mse(fn: _LossFn) -> Result:
    """``fn(pred, target) -> scalar``: the mean squared error, as ``F.mse_loss`` (not calling
    it)."""
    g = torch.Generator().manual_seed(4)
    shapes = [(5,), (3, 4), (2, 3, 2), (4, 1)]
    for shape in shapes:
        dtype = torch.float64 if shape == (4, 1) else torch.float32
        pred = torch.randn(shape, generator=g, dtype=dtype)
        target = torch.randn(shape, generator=g, dtype=dtype)
        what = f"{dtype} inputs of shape {shape}".replace("torch.", "")
        got, want = _loss(fn, pred, target, what=what, forbid=_NO_MSE), F.mse_loss(pred, target)
        if close(got, want):
            continue
        diff = pred - target
        n = diff.numel()
        if close(got, (diff**2).sum()):
            return not_yet("you return the sum of squares; MSE is the mean over all elements.")
        if close(got, diff.abs().mean()):
            return not_yet("that is the mean absolute error (L1); square the differences "
                           "instead.")
        if close(got, diff.mean() ** 2):
            return not_yet("square each difference first, then average.")
        if close(got, want / 2):
            return not_yet("you return half the MSE: the ½ some books put in front (to tidy "
                           "the derivative) is not part of F.mse_loss.")
        if close(got, want.sqrt()):
            return not_yet("that is the root of the MSE (RMSE): no square root.")
        if n > 1 and close(got, (diff**2).sum() / (n - 1)):
            return not_yet("you divide by n − 1: the mean divides by n, the number of "
                           "elements.")
        if close(got, (diff**2).sum() / shape[0]):
            return not_yet(f"for inputs of shape {shape} you divide by {shape[0]}, the length "
                           "of the first dimension: divide by the number of ALL elements.")
        return not_yet(f"for inputs of shape {shape} you return {got.item():.4f}, F.mse_loss "
                       f"gives {want.item():.4f}.")
    pred, target = torch.randn(3, 4, generator=g), torch.randn(3, 4, generator=g)
    _gradient(fn, pred, target, reference=F.mse_loss, forbid=_NO_MSE)
    return correct("your MSE equals F.mse_loss on every test.")


def _ce_mistake(got: torch.Tensor, logits: torch.Tensor, labels: torch.Tensor) -> str | None:
    """A hint when ``got`` is a known wrong cross-entropy of (logits, labels), else None."""
    want = F.cross_entropy(logits, labels)
    rows = torch.arange(len(labels))
    lse = torch.logsumexp(logits, dim=1)
    shifted = logits - logits.max(dim=1, keepdim=True).values
    if close(got, -want):
        return ("your value has the wrong sign: the loss is MINUS the log of the probability of "
                "the true class (a loss is ≥ 0).")
    if close(got, (lse - logits[rows, labels]).sum()):
        return "you return the sum over the batch; average it instead."
    if close(got, want / logits.shape[1]):
        return (f"you divide by N·C = {labels.numel() * logits.shape[1]} (the mean over all "
                f"entries, one-hot style): average over the N = {labels.numel()} rows only.")
    if close(got, (torch.logsumexp(shifted, dim=1) - logits[rows, labels]).mean()):
        return ("you subtract each row's maximum m before exp but never add it back: the "
                "log-sum of the shifted scores is m less than that of the scores.")
    if close(got, F.cross_entropy(torch.softmax(logits, dim=1), labels)):
        return ("you apply softmax twice: the function gets logits (scores), not "
                "probabilities.")
    if logits.shape[0] > 1 and close(got, (lse - logits[:, labels]).mean()):
        return ("logits[:, labels] takes whole columns, an N × N table: pick one entry per "
                "row, row i at column labels[i].")
    return None


@exercise
def cross_entropy(fn: _LossFn) -> Result:
    """``fn(logits (N, C), labels (N,)) -> scalar``: mean cross-entropy, as ``F.cross_entropy``,
    also for large logits."""
    g = torch.Generator().manual_seed(5)
    logits = torch.randn(6, 4, generator=g, dtype=torch.float64) * 2
    labels = torch.randint(0, 4, (6,), generator=g)
    one = "the mean over the batch"
    small = [("logits of shape (6, 4)", logits, labels),
             ("float32 logits of shape (10, 7)", torch.randn(10, 7, generator=g) * 3,
              torch.randint(0, 7, (10,), generator=g)),
             ("one row of logits, shape (1, 3)", torch.randn(1, 3, generator=g),
              torch.tensor([2]))]
    for what, x, y in small:
        got, want = _loss(fn, x, y, what=what, one=one), F.cross_entropy(x, y)
        if not close(got, want):
            mistake = _ce_mistake(got, x.double(), y)
            if mistake:
                return not_yet(mistake)
            return not_yet(f"on {what} you return {got.item():.4f}, F.cross_entropy gives "
                           f"{want.item():.4f}. Pick the true class's entry of each row.")
    big = logits * 400  # exp overflows for these: exp(800) = inf
    if not close(_loss(fn, big, labels, what="logits around ±800", one=one),
                 F.cross_entropy(big, labels)):
        return not_yet("correct for small logits, but wrong (inf or nan) for logits around "
                       "±800: exp overflows. Subtract each row's maximum before exp, or use "
                       "torch.logsumexp.")
    scales = torch.tensor([[1000.0, 1001.0, 999.0], [0.0, 1.0, -1.0], [-1000.0, -1001.0, -999.0]])
    scale_labels = torch.tensor([0, 2, 1])
    what = "rows at different scales, around 1000, 0 and −1000"
    got = _loss(fn, scales, scale_labels, what=what, one=one)
    if not close(got, F.cross_entropy(scales, scale_labels)):
        return not_yet(f"right for rows of similar size, but on {what} you return "
                       f"{got.item():.4g}: one shift for the whole batch leaves some row far "
                       "from 0 (e^(−2000) is 0, log 0 = −inf); shift each row by its own "
                       "maximum.")
    _gradient(fn, logits, labels, reference=F.cross_entropy)
    return correct("your cross-entropy equals F.cross_entropy, large logits included.")


@exercise
def bce_with_logits(fn: _LossFn) -> Result:
    """``fn(z, y) -> scalar``: mean binary cross-entropy of logits ``z`` and labels ``y`` (0./1.),
    as ``F.binary_cross_entropy_with_logits``, also for |z| = 60 and 1000."""
    z = torch.tensor([-3.0, -0.5, 0.0, 0.7, 2.5, 4.0], dtype=torch.float64)
    y = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0, 0.0], dtype=torch.float64)
    g = torch.Generator().manual_seed(6)
    z2 = torch.randn(3, 4, generator=g) * 3
    y2 = torch.randint(0, 2, (3, 4), generator=g).float()
    for what, zs, ys in [("six logits", z, y), ("float32 logits of shape (3, 4)", z2, y2)]:
        got, want = _loss(fn, zs, ys, what=what), F.binary_cross_entropy_with_logits(zs, ys)
        if close(got, want):
            continue
        if close(got, -want):
            return not_yet("your value has the wrong sign: BCE = −[y log p + (1 − y) log(1 − p)] "
                           "is ≥ 0.")
        if close(got, F.binary_cross_entropy_with_logits(zs, ys, reduction="sum")):
            return not_yet("you return the sum; average over all elements.")
        if close(got, F.binary_cross_entropy_with_logits(zs, 1 - ys)):
            return not_yet("you swapped y and 1 − y: the term with log σ(z) belongs to the "
                           "label 1.")
        return not_yet(f"on {what} you return {got.item():.4f}, the reference gives "
                       f"{want.item():.4f}. Remember p = σ(z), and average.")
    z_big = torch.tensor([-60.0, -30.0, 30.0, 60.0], dtype=torch.float64)
    y_big = torch.tensor([1.0, 0.0, 1.0, 0.0], dtype=torch.float64)
    got_big = _loss(fn, z_big, y_big)
    if not close(got_big, F.binary_cross_entropy_with_logits(z_big, y_big)):
        return not_yet(f"right for moderate logits, but not for z = ±60 (you get "
                       f"{got_big.item():.4g}, want 30.0): σ(60) rounds to exactly 1, so "
                       "log(1 − σ(z)) is log 0. Write log σ(z) and log(1 − σ(z)) in terms of "
                       "softplus / logsumexp of z instead.")
    z_huge = torch.tensor([[-1000.0, 1000.0], [1000.0, -1000.0]])
    y_huge = torch.tensor([[1.0, 0.0], [1.0, 0.0]])
    got_huge = _loss(fn, z_huge, y_huge, what="z = ±1000")
    if not close(got_huge, F.binary_cross_entropy_with_logits(z_huge, y_huge)):
        return not_yet(f"right up to z = ±60, but for z = ±1000 you get {got_huge.item():.4g} "
                       "(want 500.0): e^1000 overflows to inf. Arrange the formula so that "
                       "exp only ever sees −|z|, or use a stable built-in such as softplus.")
    _gradient(fn, z2, y2, reference=F.binary_cross_entropy_with_logits)
    return correct("your BCE on logits matches torch, even at z = ±60.")
