"""Lecture 05's checkers: a learning rate for the ravine, one epoch of mini-batch SGD."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from shared import right, wrong

from nbhelpers.check import NO_ANSWER
from nbhelpers.check import gradient_descent as check


def test_learning_rate():
    assert check.learning_rate(0.07)
    assert check.learning_rate(0.05)
    bad = check.learning_rate(0.1)
    assert not bad and "diverges" in bad.message
    bad = check.learning_rate(0.01)
    assert not bad and "too slow" in bad.message
    bad = check.learning_rate(0.08)  # exactly 2/λ: oscillates forever
    assert not bad and "zig-zags" in bad.message
    assert not check.learning_rate(-0.05)
    assert not check.learning_rate("0.07")
    assert not check.learning_rate(float("nan"))
    assert "no answer yet" in check.learning_rate(...).message
    # right answers in other types: NumPy and torch numbers
    assert check.learning_rate(np.float32(0.05))
    assert check.learning_rate(torch.tensor(0.05))
    assert not check.learning_rate(True)
    assert not check.learning_rate(torch.tensor([0.05, 0.05]))


def _epoch(model, X, Y, *, lr, batch_size, zero=True, stop=None, reduction="mean"):
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    for i in range(0, len(X) if stop is None else stop, batch_size):
        if zero:
            opt.zero_grad()
        F.mse_loss(model(X[i:i + batch_size]), Y[i:i + batch_size],
                   reduction=reduction).backward()
        opt.step()
    return model


def test_sgd_epoch_names_the_usual_mistakes():
    cases = {
        "adds to .grad": lambda m, X, Y, **kw: _epoch(m, X, Y, zero=False, **kw),
        "last batch": lambda m, X, Y, **kw: _epoch(m, X, Y, stop=48, **kw),
        "not the sum": lambda m, X, Y, **kw: _epoch(m, X, Y, reduction="sum", **kw),
        "one step on all": lambda m, X, Y, *, lr, batch_size: _epoch(m, X, Y, lr=lr,
                                                                     batch_size=len(X)),
        "did not change": lambda m, X, Y, **kw: m,
        "differ": lambda m, X, Y, *, lr, batch_size: _epoch(m, X, Y, lr=2 * lr,
                                                            batch_size=batch_size),
    }
    for words, fn in cases.items():
        result = check.sgd_epoch(fn)
        assert not result and words in result.message, (words, result.message)


def test_sgd_epoch_wants_the_model_back():
    bad = check.sgd_epoch(lambda m, X, Y, **kw: m.weight)
    assert not bad and "nn.Module" in bad.message
    bad = check.sgd_epoch(lambda m, X, Y, **kw: torch.nn.Linear(2, 2))
    assert not bad and "shapes" in bad.message
    assert not check.sgd_epoch(lambda m, X, Y: m)  # no lr/batch_size keywords
    assert check.sgd_epoch(lambda m, X, Y, **kw: ...).message == NO_ANSWER


def test_checkers_never_reveal_a_solution():
    for fn in (lambda m, X, Y, **kw: m, lambda *a, **k: torch.nn.Linear(3, 2)):
        result = check.sgd_epoch(fn)
        for code in ("zero_grad()", "for i in range", "DataLoader"):
            assert code not in result.message


def _dataloader_epoch(model, X, Y, *, lr, batch_size):
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    data = torch.utils.data.TensorDataset(X, Y)
    for xb, yb in torch.utils.data.DataLoader(data, batch_size=batch_size):
        opt.zero_grad()
        F.mse_loss(model(xb), yb).backward()
        opt.step()
    return model


CATALOGUE = {
    "learning_rate": [
        right("0.07", 0.07),
        right("0.05 as a NumPy float32", np.float32(0.05)),
        right("0.05 as a one-element tensor", torch.tensor(0.05)),
        wrong("0.1: above 2/25", 0.1, hint="diverges"),
        wrong("exactly 2/25: oscillates", 0.08, hint="zig-zags"),
        wrong("0.01: too small for 100 steps", 0.01, hint="too slow"),
        wrong("a string", "0.07", hint="must be a number"),
        wrong("True", True, hint="must be a number"),
        wrong("two rates", torch.tensor([0.05, 0.05]), hint="must be a number"),
    ],
    "sgd_epoch": [
        right("slices X[i:i+m]", _epoch),
        right("a DataLoader without shuffling", _dataloader_epoch),
        wrong("no zero_grad", lambda m, X, Y, **kw: _epoch(m, X, Y, zero=False, **kw),
              hint="adds to .grad"),
        wrong("drops the last, smaller batch",
              lambda m, X, Y, **kw: _epoch(m, X, Y, stop=48, **kw), hint="last batch"),
        wrong("summed loss", lambda m, X, Y, **kw: _epoch(m, X, Y, reduction="sum", **kw),
              hint="not the sum"),
        wrong("one full-batch step",
              lambda m, X, Y, *, lr, batch_size: _epoch(m, X, Y, lr=lr, batch_size=len(X)),
              hint="one step on all"),
        wrong("returns the weight", lambda m, X, Y, **kw: m.weight, hint="nn.Module"),
    ],
}
