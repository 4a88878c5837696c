"""Lecture 13's checkers: the split, the epoch early stopping keeps, eval()/no_grad() predictions."""

from __future__ import annotations

import numpy as np
import torch

from nbhelpers import check


def _split(n, val_fraction, seed):
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    k = round(n * val_fraction)
    return order[k:], order[:k]


def test_split_indices():
    assert check.split_indices(_split)
    unshuffled = check.split_indices(lambda n, f, s: (torch.arange(round(n * (1 - f))),
                                                      torch.arange(round(n * (1 - f)), n)))
    assert not unshuffled and "shuffle" in unshuffled.message
    def overlap(n, f, s):
        return torch.randperm(n)[: n - round(n * f)], torch.randperm(n)[: round(n * f)]

    def unseeded(n, f, s):
        return _split(n, f, int(torch.randint(0, 10**6, ())))

    assert not check.split_indices(overlap)
    result = check.split_indices(unseeded)
    assert not result and "seed" in result.message
    assert not check.split_indices(lambda n, f, s: _split(n, 0.5, s))
    assert not check.split_indices(lambda n, f, s: 1 / 0)

    def truncating(n, val_fraction, seed):       # int() instead of round(): 249 of 999
        order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
        k = int(n * val_fraction)
        return order[k:], order[:k]

    def numpy_split(n, val_fraction, seed):      # another right answer: NumPy indices
        order = np.random.default_rng(seed).permutation(n)
        k = round(n * val_fraction)
        return order[k:], order[:k]

    result = check.split_indices(truncating)
    assert not result and "round" in result.message
    assert check.split_indices(numpy_split)


def _early(losses, patience):
    best, best_epoch, waited = float("inf"), 0, 0
    for epoch, loss in enumerate(losses, start=1):
        if loss < best:
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited >= patience:
                break
    return best_epoch


def test_early_stopping_epoch():
    assert check.early_stopping_epoch(_early)
    def hindsight(losses, patience):
        return min(range(len(losses)), key=losses.__getitem__) + 1

    def ties_improve(losses, patience):  # a later equal loss counts as better
        return _early([v - 1e-9 * i for i, v in enumerate(losses)], patience)

    result = check.early_stopping_epoch(hindsight)
    assert not result and "future" in result.message
    zero_based = check.early_stopping_epoch(lambda losses, p: _early(losses, p) - 1)
    assert not zero_based and "from 1" in zero_based.message
    assert not check.early_stopping_epoch(ties_improve)
    assert not check.early_stopping_epoch(lambda losses, p: len(losses))


def test_predict_labels():
    def good(model, x):
        model.eval()
        with torch.no_grad():
            return model(x).argmax(1)

    def no_eval(model, x):
        with torch.no_grad():
            return model(x).argmax(1)

    def with_grad(model, x):
        model.eval()
        return model(x).argmax(1)

    assert check.predict_labels(good)
    assert "eval" in check.predict_labels(no_eval).message
    assert "no_grad" in check.predict_labels(with_grad).message
    assert not check.predict_labels(lambda m, x: m(x))  # scores, not labels
    assert not check.predict_labels(lambda m, x: 1 / 0)
