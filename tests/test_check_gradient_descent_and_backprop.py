"""Lecture 05's checkers: a learning rate for the ravine, one backward step of a sigmoid
layer (against autograd), one momentum step (against torch.optim.SGD)."""

from __future__ import annotations

import torch

from nbhelpers import check

NAMES = ["backprop_layer", "optim_momentum_step"]


def test_learning_rate():
    assert check.descent_learning_rate(0.07)
    assert check.descent_learning_rate(0.05)
    bad = check.descent_learning_rate(0.1)
    assert not bad and "diverges" in bad.message
    bad = check.descent_learning_rate(0.01)
    assert not bad and "too slow" in bad.message
    bad = check.descent_learning_rate(0.08)  # exactly 2/λ: oscillates forever
    assert not bad and "zig-zags" in bad.message
    assert not check.descent_learning_rate(-0.05)
    assert not check.descent_learning_rate("0.07")
    assert not check.descent_learning_rate(...)


def _good_layer(delta_next, W_next, z, a_prev):
    s = torch.sigmoid(z)
    delta = (W_next.T @ delta_next) * s * (1 - s)
    return delta, torch.outer(delta, a_prev), delta


def test_backprop_layer():
    assert check.backprop_layer(_good_layer)

    def no_sigma_prime(delta_next, W_next, z, a_prev):
        delta = W_next.T @ delta_next
        return delta, torch.outer(delta, a_prev), delta

    def transposed_dW(delta_next, W_next, z, a_prev):
        delta, dW, db = _good_layer(delta_next, W_next, z, a_prev)
        return delta, dW.T, db

    def no_transpose(delta_next, W_next, z, a_prev):  # shape error inside student code
        return _good_layer(delta_next, W_next.T, z, a_prev)

    bad = check.backprop_layer(no_sigma_prime)
    assert not bad and "σ'" in bad.message
    bad = check.backprop_layer(transposed_dW)
    assert not bad and "shape" in bad.message
    bad = check.backprop_layer(no_transpose)
    assert not bad and "raised" in bad.message
    assert not check.backprop_layer(lambda *a: None)


def test_momentum_step():
    def good(w, grad, v, *, lr, momentum):
        v = momentum * v + grad
        return w - lr * v, v

    def dampened(w, grad, v, *, lr, momentum):
        v = momentum * v + (1 - momentum) * grad
        return w - lr * v, v

    def plain_sgd(w, grad, v, *, lr, momentum):
        return w - lr * grad, v

    assert check.optim_momentum_step(good)
    bad = check.optim_momentum_step(dampened)
    assert not bad and "1 − momentum" in bad.message
    assert not check.optim_momentum_step(plain_sgd)
    assert not check.optim_momentum_step(lambda w, g, v, **kw: w)
    assert not check.optim_momentum_step(lambda w, g, v: (w, v))  # no lr/momentum keywords


def test_blank_student_answers_get_a_hint_not_a_crash():
    def blank(*args, **kwargs):  # what tools/student_copies.py leaves: a body of `...`
        ...

    for name in NAMES:
        result = getattr(check, name)(blank)
        assert not result and result.message == check.NO_ANSWER
    assert "no answer yet" in check.descent_learning_rate(...).message


def test_checkers_never_reveal_a_solution():
    for name in NAMES:
        result = getattr(check, name)(lambda *a, **k: torch.tensor(0.0))
        assert not result
        for code in ("log1p", "torch.outer", "momentum * v", ".mean()", "W_next.T"):
            assert code not in result.message, (name, code)
