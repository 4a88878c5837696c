"""Exercises of lecture 13 (FashionMNIST and practical issues): a train/validation split, the
epoch early stopping keeps, and predicting labels in eval mode without a graph."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

from nbhelpers.check import (
    NotYet,
    Result,
    call,
    correct,
    exercise,
    not_yet,
    number,
    tensor,
    tiny_classifier,
)


def _index_tensor(v: object) -> torch.Tensor:
    """One of the student's index sets as an int64 tensor."""
    t = torch.as_tensor(v)
    if t.dtype == torch.bool:
        raise NotYet("return indices (torch.randperm gives them), not True/False masks")
    if t.is_floating_point():
        raise NotYet(f"indices are whole numbers: return an integer tensor, not {t.dtype}")
    if t.dim() != 1:
        raise NotYet(f"return two 1-D tensors of indices, got shape {tuple(t.shape)}")
    return t.long()


def _indices(out: object) -> tuple[torch.Tensor, torch.Tensor]:
    """The student's (train_idx, val_idx) as two int64 tensors."""
    if not isinstance(out, tuple | list) or len(out) != 2:
        raise NotYet("return two sets of indices: (train_idx, val_idx)")
    train_idx, val_idx = out
    return _index_tensor(train_idx), _index_tensor(val_idx)


@exercise
def split_indices(fn: Callable[[int, float, int], tuple[torch.Tensor, torch.Tensor]]) -> Result:
    """``fn(n, val_fraction, seed) -> (train_idx, val_idx)``: a random split of range(n)."""
    for n, frac in [(999, 0.25), (7, 0.3), (50, 0.17)]:   # n·frac not whole: round, not int
        n_val = round(n * frac)
        tr, va = _indices(call(fn, n, frac, 0))
        if len(va) != n_val or len(tr) != n - n_val:
            if len(tr) == n_val and len(va) == n - n_val:
                return not_yet("the training indices come first: return (train_idx, val_idx)")
            return not_yet(f"with n={n} and val_fraction={frac} the validation set has "
                           f"round({n} · {frac}) = {n_val} indices and the training set the rest")
    for n, frac, seed in [(1000, 0.2, 0), (600, 0.5, 3)]:
        hint = _split_hint(fn, n, frac, seed)
        if hint is not None:
            return not_yet(hint)
    return correct("disjoint, complete, shuffled and reproducible.")


def _split_hint(fn: Callable, n: int, frac: float, seed: int) -> str | None:
    n_val = round(n * frac)
    tr, va = _indices(call(fn, n, frac, seed))
    both = torch.cat([tr, va])
    if len(torch.unique(both)) != n or both.min() < 0 or both.max() >= n:
        return ("every index 0..n-1 must be in exactly one of the two sets: no overlap "
                "(that would leak validation data into training)")
    ordered = torch.sort(va).values
    if torch.equal(ordered, torch.arange(n - n_val, n)) or torch.equal(ordered, torch.arange(n_val)):
        return ("shuffle before splitting (torch.randperm): data sets are often sorted, "
                "and the last 20 % may not look like the rest")
    gaps = torch.diff(ordered).unique()
    if len(gaps) == 1:
        return ("every k-th index is not a random split: shuffle before splitting "
                "(torch.randperm)")
    if not torch.equal(_indices(call(fn, n, frac, seed))[1], va):
        return ("the same seed must give the same split: use a "
                "torch.Generator().manual_seed(seed)")
    if torch.equal(_indices(call(fn, n, frac, seed + 1))[1], va):
        return "a different seed should give a different split"
    return None


def _kept_epoch(losses: Sequence[float], patience: int, *, ties: bool = False,
                reset: bool = True, stopped: bool = False) -> int:
    """The private reference: the 1-based epoch of the best loss before patience ran out.
    The keywords give the usual mistakes: a tie counts as better, the count of epochs
    without improvement never reset, the epoch where training stopped returned."""
    best, best_epoch, waited = float("inf"), 0, 0
    for epoch, loss in enumerate(losses, start=1):
        if loss < best or (ties and loss == best):
            best, best_epoch = loss, epoch
            waited = 0 if reset else waited
        else:
            waited += 1
            if waited >= patience:
                return epoch if stopped else best_epoch
    return len(losses) if stopped else best_epoch


_STOPPING_CASES = [
    ([0.9, 0.7, 0.6, 0.65, 0.7, 0.72, 0.5], 3),   # stops before the late minimum
    ([0.9, 0.7, 0.6, 0.65, 0.7, 0.72, 0.5], 4),   # patient enough to find it
    ([1.0, 0.8, 0.6, 0.5, 0.45, 0.44], 2),        # never stops: the last epoch
    ([0.5, 0.6, 0.5, 0.7], 2),                    # a tie is not an improvement
    ([1.0, 0.9, 0.95, 0.8, 0.85, 0.7], 2),        # the count restarts after a new best
    ([1.0, 0.8, 0.85, 0.9, 0.95, 0.7, 0.75, 0.8, 0.9, 0.95, 0.6], 3),  # stops at 5, keeps 2
    ([2.0, 1.5, 1.6, 1.2, 1.3, 1.4, 1.5, 1.1], 1),  # patience 1: the first bad epoch stops
]


#: the usual mistakes: the keywords of :func:`_kept_epoch` that make it, and the hint
_STOPPING_MISTAKES = [
    ({"stopped": True}, "that is the epoch where training stopped; return the epoch whose "
     "weights are kept, the one with the best loss"),
    ({"patience_plus": 1}, "you wait one epoch too many: training stops as soon as `patience` "
     "epochs in a row brought no new best"),
    ({"ties": True}, "a loss equal to the best so far is not an improvement: only a strictly "
     "smaller loss is a new best"),
    ({"reset": False}, "count the epochs without improvement since the last new best: start "
     "counting again from 0 whenever the loss improves"),
]


def _stopping_hint(answers: list[float]) -> str:
    """Which usual mistake the student's ``answers`` to all the cases are."""
    def matches(variant: Callable[[list[float], int], float]) -> bool:
        return all(a == variant(list(losses), patience)
                   for a, (losses, patience) in zip(answers, _STOPPING_CASES, strict=True))

    for keywords, hint in _STOPPING_MISTAKES:
        extra = keywords.get("patience_plus", 0)
        options = {k: v for k, v in keywords.items() if k != "patience_plus"}
        if matches(lambda losses, p, o=options, e=extra: _kept_epoch(losses, p + e, **o)):
            return hint
    if matches(lambda losses, p: min(range(len(losses)), key=losses.__getitem__) + 1):
        return ("early stopping cannot see the future: after `patience` epochs without "
                "improvement training has stopped")
    if matches(lambda losses, p: _kept_epoch(losses, p) - 1):
        return "number epochs from 1, as fit() does"
    for got, (losses, patience) in zip(answers, _STOPPING_CASES, strict=True):
        if got != _kept_epoch(losses, patience):
            return (f"for val_losses={losses} and patience={patience} your answer is epoch "
                    f"{got:g}; walk through the epochs, remember the best loss and its epoch, "
                    "and stop after `patience` epochs without a strictly smaller loss")
    raise AssertionError("unreachable: some answer differs")


@exercise
def early_stopping_epoch(fn: Callable[[Sequence[float], int], int]) -> Result:
    """``fn(val_losses, patience) -> epoch``: the (1-based) epoch whose weights early stopping
    keeps, when training stops after ``patience`` epochs without a new best."""
    answers = []
    for losses, patience in _STOPPING_CASES:
        given = list(losses)
        answers.append(number(call(fn, given, patience)))
        if given != losses:
            return not_yet("your function changed the list of losses it was given; leave it "
                           "as it was")
    if any(a != _kept_epoch(losses, p) for a, (losses, p) in zip(answers, _STOPPING_CASES,
                                                                   strict=True)):
        return not_yet(_stopping_hint(answers))
    return correct("you keep the best weights seen before patience ran out.")


class _GradSpy(nn.Module):
    """Wraps a model and records, at each forward pass, whether autograd was on and whether
    the model was in training mode."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner
        self.grad_enabled: list[bool] = []
        self.modes: list[bool] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.grad_enabled.append(torch.is_grad_enabled())
        self.modes.append(self.inner.training)
        return self.inner(x)


def _predict_hint(fn: Callable, x: torch.Tensor) -> str | None:
    """What is wrong with ``fn`` on inputs ``x`` (or None)."""
    with torch.no_grad():
        scores = tiny_classifier().eval()(x)
    model = _GradSpy(tiny_classifier())
    given = x.clone()
    grad_was = torch.is_grad_enabled()
    try:
        out = call(fn, model, given)
        if torch.is_grad_enabled() != grad_was:
            return ("your function leaves autograd switched off for the rest of the notebook "
                    "(torch.set_grad_enabled(False)): use `with torch.no_grad():`, which "
                    "switches it back on at the end")
    finally:
        torch.set_grad_enabled(grad_was)
    if isinstance(out, tuple) and len(out) == 2 and all(isinstance(o, torch.Tensor) for o in out):
        return ("max(dim=1) gives two tensors, the largest scores and their positions: return "
                "only the class indices")
    got = tensor(out, shape=(len(x),), hint="return one label per input (argmax over dim 1)")
    if not model.grad_enabled:
        return "call the model on x to get its scores"
    if any(model.grad_enabled):
        return ("wrap the forward pass in `with torch.no_grad():` - no graph is needed "
                "to predict, and it costs memory")
    if any(model.modes):
        return ("switch to model.eval() first: dropout must be off and batch norm must "
                "use its running statistics")
    if not torch.equal(given, x):
        return "your function changed x in place; leave the inputs as they were"
    if not torch.equal(got, got.round()):
        return ("those are not class indices: return the position of the largest score "
                "(argmax over dim 1), not a score or a probability")
    if torch.equal(got.long(), scores.argmin(1)):
        return "that is the class with the lowest score: take the largest"
    if not torch.equal(got.long(), scores.argmax(1)):
        return "the labels differ: for each row, the position of its largest score (dim=1)"
    return None


@exercise
def predict_labels(fn: Callable[[nn.Module, torch.Tensor], torch.Tensor]) -> Result:
    """``fn(model, x) -> labels (N,)``: predictions in eval mode, without building a graph."""
    gen = torch.Generator().manual_seed(3)
    for n in (64, 3):                   # a batch of 3 is as wide as the 3 classes
        hint = _predict_hint(fn, torch.randn(n, 1, 4, 4, generator=gen))
        if hint is not None:
            return not_yet(hint)
    return correct("eval() for the layers, no_grad() for the memory.")
