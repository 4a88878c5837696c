"""Lecture 13's checkers: the split, the epoch early stopping keeps, eval()/no_grad() predictions."""

from __future__ import annotations

import math
import random

import numpy as np
import torch
from shared import right, wrong

from nbhelpers.check import fashion_mnist_and_practical_issues as check


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


# ----------------------------------------------------------------------------- catalogue


def _split_global_seed(n, val_fraction, seed):     # the global generator, seeded
    torch.manual_seed(seed)
    order = torch.randperm(n)
    k = round(n * val_fraction)
    return order[k:], order[:k]


def _split_lists(n, val_fraction, seed):           # Python's random, lists back
    order = random.Random(seed).sample(range(n), n)
    k = round(n * val_fraction)
    return order[k:], order[:k]


def _split_ceil(n, val_fraction, seed):
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    k = math.ceil(n * val_fraction)
    return order[k:], order[:k]


def _split_mask(n, val_fraction, seed):            # a random mask: about, not exactly, k
    is_val = torch.rand(n, generator=torch.Generator().manual_seed(seed)) < val_fraction
    return (~is_val).nonzero().flatten(), is_val.nonzero().flatten()


def _split_strided(n, val_fraction, seed):         # every k-th index, moved by the seed
    step = round(1 / val_fraction)
    is_val = torch.zeros(n, dtype=torch.bool)
    is_val[seed % step::step] = True
    k = round(n * val_fraction)
    val = is_val.nonzero().flatten()[:k]
    keep = torch.ones(n, dtype=torch.bool)
    keep[val] = False
    return keep.nonzero().flatten(), val


def _split_two_perms(n, val_fraction, seed):       # one generator, two permutations
    g = torch.Generator().manual_seed(seed)
    k = round(n * val_fraction)
    return torch.randperm(n, generator=g)[k:], torch.randperm(n, generator=g)[:k]


def _split_swapped(n, val_fraction, seed):
    train, val = _split(n, val_fraction, seed)
    return val, train


def _split_masks(n, val_fraction, seed):
    train, val = _split(n, val_fraction, seed)
    is_val = torch.zeros(n, dtype=torch.bool)
    is_val[val] = True
    return ~is_val, is_val


def _split_float(n, val_fraction, seed):
    train, val = _split(n, val_fraction, seed)
    return train.float(), val.float()


def _kept_elif(val_losses, patience):              # the lecture's answer
    best, best_epoch = math.inf, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best:
            best, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            break
    return best_epoch


def _kept_numpy(val_losses, patience):             # NumPy: a running minimum
    losses = np.asarray(val_losses)
    best_so_far = np.minimum.accumulate(losses)
    new_best = np.r_[True, losses[1:] < best_so_far[:-1]]
    best_epoch = 0
    for epoch in range(len(losses)):
        if new_best[epoch]:
            best_epoch = epoch
        elif epoch - best_epoch >= patience:
            break
    return np.int64(best_epoch + 1)


def _kept(val_losses, patience, *, ties=False, reset=True, stopped=False, extra=0):
    best, best_epoch, waited = math.inf, 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best or (ties and loss == best):
            best, best_epoch = loss, epoch
            waited = 0 if reset else waited
        else:
            waited += 1
            if waited >= patience + extra:
                return epoch if stopped else best_epoch
    return len(val_losses) if stopped else best_epoch


def _kept_pops(val_losses, patience):              # consumes the list it is given
    best, best_epoch, epoch = math.inf, 0, 0
    while val_losses:
        epoch += 1
        loss = val_losses.pop(0)
        if loss < best:
            best, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            break
    return best_epoch


def _predict(model, x):                            # the lecture's answer
    model.eval()
    with torch.no_grad():
        return model(x).argmax(dim=1)


def _predict_restoring(model, x):                  # eval for the call, mode restored after
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        labels = torch.softmax(model(x), dim=1).argmax(dim=1)
    model.train(was_training)
    return labels


def _predict_grad_off(model, x):                   # autograd off for good
    torch.set_grad_enabled(False)
    model.eval()
    return model(x).argmax(1)


def _predict_detach(model, x):                     # a graph built, then dropped
    model.eval()
    return model(x).detach().argmax(1)


def _predict_eval_no_call(model, x):               # model.eval without brackets
    model.eval  # noqa: B018 - the mistake
    with torch.no_grad():
        return model(x).argmax(1)


def _predict_max(model, x):
    model.eval()
    with torch.no_grad():
        return model(x).max(1)


def _predict_scores(model, x):
    model.eval()
    with torch.no_grad():
        return model(x).max(1).values


CATALOGUE = {
    "split_indices": [
        right("randperm with its own generator (the lecture's answer)", _split),
        right("NumPy's generator, NumPy indices", lambda n, f, s: (
            np.random.default_rng(s).permutation(n)[round(n * f):],
            np.random.default_rng(s).permutation(n)[:round(n * f)])),
        right("the global generator, seeded", _split_global_seed),
        right("validation from the end of the permutation", lambda n, f, s: (
            lambda o, k: (o[:n - k], o[n - k:]))(
                torch.randperm(n, generator=torch.Generator().manual_seed(s)), round(n * f))),
        right("random.Random(seed).sample, lists", _split_lists),
        wrong("not shuffled: the last fifth", lambda n, f, s: (
            torch.arange(n - round(n * f)), torch.arange(n - round(n * f), n)), hint="shuffle"),
        wrong("every k-th index", _split_strided, hint="every k-th"),
        wrong("int() instead of round()", lambda n, f, s: (
            lambda o, k: (o[k:], o[:k]))(torch.randperm(n, generator=torch.Generator()
                                                        .manual_seed(s)), int(n * f)),
              hint="round("),
        wrong("math.ceil", _split_ceil, hint="round("),
        wrong("a random mask", _split_mask, hint="round("),
        wrong("two permutations: overlapping sets", _split_two_perms, hint="no overlap"),
        wrong("no seed: another split every call",
              lambda n, f, s: _split(n, f, int(torch.randint(0, 10**6, ()))), hint="seed"),
        wrong("the seed ignored", lambda n, f, s: _split(n, f, 0), hint="different seed"),
        wrong("(val, train)", _split_swapped, hint="(train_idx, val_idx)"),
        wrong("boolean masks", _split_masks, hint="masks"),
        wrong("float indices", _split_float, hint="integer"),
        wrong("a fixed fraction of one half", lambda n, f, s: _split(n, 0.5, s), hint="round("),
        wrong("one tensor", lambda n, f, s: torch.randperm(n), hint="two sets"),
    ],
    "early_stopping_epoch": [
        right("best epoch, stop when the gap reaches patience (the lecture's answer)",
              _kept_elif),
        right("a counter of epochs without improvement", _early),
        right("NumPy running minimum, a NumPy integer", _kept_numpy),
        right("a float", lambda losses, p: float(_early(losses, p))),
        wrong("the best epoch in hindsight",
              lambda losses, p: min(range(len(losses)), key=losses.__getitem__) + 1,
              hint="cannot see the future"),
        wrong("0-based epochs", lambda losses, p: _early(losses, p) - 1, hint="from 1"),
        wrong("a tie counts as better", lambda losses, p: _kept(losses, p, ties=True),
              hint="strictly smaller"),
        wrong("the count never reset", lambda losses, p: _kept(losses, p, reset=False),
              hint="start counting again"),
        wrong("the epoch where training stopped",
              lambda losses, p: _kept(losses, p, stopped=True), hint="training stopped"),
        wrong("waits one epoch too many (> instead of >=)",
              lambda losses, p: _kept(losses, p, extra=1), hint="one epoch too many"),
        wrong("the last epoch", lambda losses, p: len(losses), hint="walk through"),
        wrong("pops the losses from the list it is given", _kept_pops, hint="changed the list"),
        wrong("the best loss, not its epoch", lambda losses, p: min(losses), hint="walk through"),
    ],
    "predict_labels": [
        right("eval(), no_grad, argmax (the lecture's answer)", _predict),
        right("softmax then argmax, inference_mode, the mode restored", _predict_restoring),
        right("labels as floats", lambda m, x: _predict(m, x).float()),
        wrong("no eval()", lambda m, x: _no_eval_predict(m, x), hint="eval()"),
        wrong("model.eval without brackets", _predict_eval_no_call, hint="eval()"),
        wrong("no no_grad", lambda m, x: (m.eval(), m(x).argmax(1))[1], hint="no_grad"),
        wrong(".detach() after the forward pass", _predict_detach, hint="no_grad"),
        wrong("set_grad_enabled(False) and never back", _predict_grad_off,
              hint="set_grad_enabled"),
        wrong("the scores", lambda m, x: (m.eval(), m(x).detach())[1], hint="one label"),
        wrong("max(dim=1): values and indices", _predict_max, hint="two tensors"),
        wrong("the largest scores", _predict_scores, hint="not class indices"),
        wrong("argmin", lambda m, x: _argmin(m, x), hint="lowest"),
        wrong("argmax over dim 0", lambda m, x: _predict_dim0(m, x), hint="dim"),
        wrong("keepdim=True: shape (N, 1)", lambda m, x: _predict(m, x)[:, None],
              hint="one label per input"),
        wrong("never calls the model", lambda m, x: x.flatten(1)[:, :3].argmax(1),
              hint="call the model"),
    ],
}


def _no_eval_predict(model, x):
    with torch.no_grad():
        return model(x).argmax(1)


def _argmin(model, x):
    model.eval()
    with torch.no_grad():
        return model(x).argmin(1)


def _predict_dim0(model, x):
    model.eval()
    with torch.no_grad():
        out = model(x)
    return out.argmax(0)
