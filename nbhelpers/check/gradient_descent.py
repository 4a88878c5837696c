"""Exercises of lecture 05 (gradient descent).

* ``learning_rate(lr)``: a learning rate with which gradient descent converges on a
  ravine;
* ``sgd_epoch(fn)``: one epoch of mini-batch SGD (the training loop), checked against
  a reference loop on a copy of the same model.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from nbhelpers.check import NotYet, Result, call, correct, exercise, not_yet, number

#: The exercise's ravine L(w) = ½(w₁² + 25 w₂²), from (1, 1), 100 steps, target loss.
_CURVATURES = torch.tensor([1.0, 25.0], dtype=torch.float64)
_START = (1.0, 1.0)
_STEPS = 100
_TARGET = 1e-4


def _ravine_loss(w: torch.Tensor) -> float:
    """½(w₁² + 25 w₂²) for ``w`` of shape (2,)."""
    return float(0.5 * (_CURVATURES * w**2).sum())


@exercise
def learning_rate(lr: float) -> Result:
    """``lr``: a number with which 100 steps of gradient descent on ½(w₁² + 25 w₂²) from
    (1, 1) bring the loss below 1e-4."""
    try:
        lr = number(lr)                        # 0.05, np.float32(0.05), torch.tensor(0.05)
    except NotYet:
        return not_yet(f"lr must be a number such as 0.01, got {lr!r}")
    if not math.isfinite(lr):
        return not_yet(f"lr must be a finite number such as 0.01, got {lr!r}")
    if lr <= 0:
        return not_yet("a learning rate must be positive: a negative one walks uphill.")
    w = torch.tensor(_START, dtype=torch.float64)
    start = _ravine_loss(w)
    for _ in range(_STEPS):
        w = w - lr * _CURVATURES * w  # ∇L = c ⊙ w
        if not bool(torch.isfinite(w).all()):
            break
    loss = _ravine_loss(w)
    if not math.isfinite(loss) or loss >= start:
        return not_yet(f"with lr = {lr:g} the loss grows ({loss:.3g} after {_STEPS} steps): it "
                       "diverges. Which direction is steepest, what is its curvature, and what "
                       "limit does that put on lr?")
    if loss < _TARGET:
        return correct(f"lr = {lr:g} brings the loss to {loss:.2g} in {_STEPS} steps.")
    flat, steep = (0.5 * _CURVATURES * w**2).tolist()
    if steep > flat:
        return not_yet(f"with lr = {lr:g} the loss is still {loss:.2g} after {_STEPS} steps: the "
                       "steep direction zig-zags and barely shrinks, because lr is (almost) at "
                       "the limit where it would diverge. Back off a little.")
    return not_yet(f"with lr = {lr:g} the loss is still {loss:.2g} after {_STEPS} steps (want < "
                   f"{_TARGET:g}): too slow along the flat direction. Go as large as the steep "
                   "direction allows.")


def _epoch(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, lr: float, batch_size: int,
           zero_grad: bool = True, drop_last: bool = False, reduction: str = "mean") -> nn.Module:
    """The reference epoch (batches in order, one SGD step each) and its usual wrong variants."""
    model = copy.deepcopy(model)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    stop = len(x) - len(x) % batch_size if drop_last else len(x)
    for i in range(0, stop, batch_size):
        if zero_grad:
            opt.zero_grad()
        F.mse_loss(model(x[i:i + batch_size]), y[i:i + batch_size], reduction=reduction).backward()
        opt.step()
    return model


def _same(a: nn.Module, b: nn.Module) -> bool:
    return all(torch.allclose(p.detach().double(), q.detach().double(), rtol=0, atol=1e-10)
               for p, q in zip(a.parameters(), b.parameters(), strict=True))


@exercise
def sgd_epoch(fn: Callable) -> Result:
    """``fn(model, X, Y, *, lr, batch_size) -> model``: one epoch of mini-batch SGD on the mean
    squared error, batches ``X[0:m], X[m:2m], ...`` in order, one ``torch.optim.SGD`` step each.
    Checked on ``nn.Linear(3, 2)`` (float64), 50 examples, ``batch_size=8`` (the last batch has
    2), ``lr=0.1``."""
    g = torch.Generator().manual_seed(5)
    model = nn.Linear(3, 2).double()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float64))
    x = torch.randn(50, 3, generator=g, dtype=torch.float64)
    y = torch.randn(50, 2, generator=g, dtype=torch.float64)
    settings = {"lr": 0.1, "batch_size": 8}
    out = call(fn, copy.deepcopy(model), x.clone(), y.clone(), **settings)
    if not isinstance(out, nn.Module):
        raise NotYet(f"return the model (an nn.Module), not a {type(out).__name__}.")
    shapes = [tuple(p.shape) for p in out.parameters()]
    if shapes != [(2, 3), (2,)]:
        raise NotYet(f"return the model you were given (parameter shapes [(2, 3), (2,)]), got "
                     f"{shapes}.")
    if _same(out, _epoch(model, x, y, **settings)):
        return correct("7 batches (the last of 2), 7 steps: the same weights as the reference "
                       "loop to 1e-10.")
    if _same(out, model):
        return not_yet("the weights did not change: call backward() on each batch's loss and "
                       "then the optimiser's step().")
    if _same(out, _epoch(model, x, y, **settings, zero_grad=False)):
        return not_yet("backward() adds to .grad: without resetting it every step, each update "
                       "uses the sum of all gradients so far.")
    if _same(out, _epoch(model, x, y, **settings, drop_last=True)):
        return not_yet("the last batch is missing: 50 examples in batches of 8 leave one batch "
                       "of 2, which also gets a step.")
    if _same(out, _epoch(model, x, y, **settings, reduction="sum")):
        return not_yet("use the mean squared error of the batch, not the sum: the sum makes "
                       "the step grow with the batch size.")
    if _same(out, _epoch(model, x, y, lr=0.1, batch_size=50)):
        return not_yet("you made one step on all the data: mini-batch SGD makes one step per "
                       "batch of batch_size examples.")
    return not_yet("the weights differ from the reference loop: one SGD step per batch, in "
                   "order, on F.mse_loss of the batch, the gradient reset before each.")
