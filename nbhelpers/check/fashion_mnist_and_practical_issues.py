"""Exercises of lecture 13 (FashionMNIST and practical issues): a train/validation split, the
epoch early stopping keeps, and predicting labels in eval mode without a graph."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

from nbhelpers.check import Result, call, correct, exercise, not_yet, tensor, tiny_classifier


def _indices(out: object) -> tuple[torch.Tensor, torch.Tensor]:
    """The student's (train_idx, val_idx) as two int64 tensors."""
    train_idx, val_idx = out
    return torch.as_tensor(train_idx).long(), torch.as_tensor(val_idx).long()


@exercise
def split_indices(fn: Callable[[int, float, int], tuple[torch.Tensor, torch.Tensor]]) -> Result:
    """``fn(n, val_fraction, seed) -> (train_idx, val_idx)``: a random split of range(n)."""
    for n, frac in [(999, 0.25), (7, 0.3), (50, 0.17)]:   # n·frac not whole: round, not int
        n_val = round(n * frac)
        tr, va = _indices(call(fn, n, frac, 0))
        if len(va) != n_val or len(tr) != n - n_val:
            return not_yet(f"with n={n} and val_fraction={frac} the validation set has "
                           f"round({n} · {frac}) = {n_val} indices and the training set the rest")
    n, frac = 1000, 0.2
    n_val = round(n * frac)
    tr, va = _indices(call(fn, n, frac, 0))
    both = torch.cat([tr, va])
    if len(torch.unique(both)) != n or both.min() < 0 or both.max() >= n:
        return not_yet("every index 0..n-1 must be in exactly one of the two sets: no overlap "
                       "(that would leak validation data into training)")
    ordered = torch.sort(va).values
    if torch.equal(ordered, torch.arange(n - n_val, n)) or torch.equal(ordered, torch.arange(n_val)):
        return not_yet("shuffle before splitting (torch.randperm): data sets are often sorted, "
                       "and the last 20 % may not look like the rest")
    if not torch.equal(_indices(call(fn, n, frac, 0))[1], va):
        return not_yet("the same seed must give the same split: use a "
                       "torch.Generator().manual_seed(seed)")
    if torch.equal(_indices(call(fn, n, frac, 1))[1], va):
        return not_yet("a different seed should give a different split")
    return correct("disjoint, complete, shuffled and reproducible.")


def _kept_epoch(losses: Sequence[float], patience: int) -> int:
    """The private reference: the 1-based epoch of the best loss before patience ran out."""
    best, best_epoch, waited = float("inf"), 0, 0
    for epoch, loss in enumerate(losses, start=1):
        if loss < best:
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited >= patience:
                break
    return best_epoch


_STOPPING_CASES = [
    ([0.9, 0.7, 0.6, 0.65, 0.7, 0.72, 0.5], 3),   # stops before the late minimum
    ([0.9, 0.7, 0.6, 0.65, 0.7, 0.72, 0.5], 4),   # patient enough to find it
    ([1.0, 0.8, 0.6, 0.5, 0.45, 0.44], 2),        # never stops: the last epoch
    ([0.5, 0.6, 0.5, 0.7], 2),                    # a tie is not an improvement
]


@exercise
def early_stopping_epoch(fn: Callable[[Sequence[float], int], int]) -> Result:
    """``fn(val_losses, patience) -> epoch``: the (1-based) epoch whose weights early stopping
    keeps, when training stops after ``patience`` epochs without a new best."""
    for losses, patience in _STOPPING_CASES:
        got = call(fn, list(losses), patience)
        expected = _kept_epoch(losses, patience)
        if got == expected:
            continue
        if got == min(range(len(losses)), key=losses.__getitem__) + 1:
            return not_yet("early stopping cannot see the future: after `patience` epochs "
                           "without improvement training has stopped")
        if got == expected - 1:
            return not_yet("number epochs from 1, as fit() does")
        return not_yet(f"for val_losses={losses} and patience={patience} your answer is epoch "
                       f"{got}; walk through the epochs, remember the best loss and its epoch, "
                       "and stop after `patience` epochs without a strictly smaller loss")
    return correct("you keep the best weights seen before patience ran out.")


class _GradSpy(nn.Module):
    """Wraps a model and records whether autograd was on during each forward pass."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner
        self.grad_enabled: list[bool] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.grad_enabled.append(torch.is_grad_enabled())
        return self.inner(x)


@exercise
def predict_labels(fn: Callable[[nn.Module, torch.Tensor], torch.Tensor]) -> Result:
    """``fn(model, x) -> labels (N,)``: predictions in eval mode, without building a graph."""
    x = torch.randn(64, 1, 4, 4, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        expected = tiny_classifier().eval()(x).argmax(1)
    model = _GradSpy(tiny_classifier())
    got = tensor(call(fn, model, x), shape=(64,),
                 hint="return one label per input (argmax over dim 1)")
    if not model.grad_enabled:
        return not_yet("call the model on x to get its scores")
    if any(model.grad_enabled):
        return not_yet("wrap the forward pass in `with torch.no_grad():` - no graph is needed "
                       "to predict, and it costs memory")
    if not torch.equal(got.long(), expected):
        return not_yet("switch to model.eval() first: dropout must be off and batch norm must "
                       "use its running statistics")
    return correct("eval() for the layers, no_grad() for the memory.")
