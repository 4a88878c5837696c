"""Lecture 06's checkers: one backward step of a sigmoid layer, the output error of softmax +
cross-entropy (both against autograd)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from shared import blank_function_gets_the_hint, never_reveals

from nbhelpers import check

NAMES = ["backprop_layer", "backprop_softmax_delta"]


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

    def wrong_db(delta_next, W_next, z, a_prev):
        delta, dW, _ = _good_layer(delta_next, W_next, z, a_prev)
        return delta, dW, 2 * delta

    bad = check.backprop_layer(no_sigma_prime)
    assert not bad and "σ'" in bad.message
    bad = check.backprop_layer(transposed_dW)
    assert not bad and "shape" in bad.message
    bad = check.backprop_layer(no_transpose)
    assert not bad and "raised" in bad.message
    bad = check.backprop_layer(wrong_db)
    assert not bad and "db" in bad.message
    assert not check.backprop_layer(lambda *a: None)
    assert "return 3 tensors" in check.backprop_layer(lambda *a: (a[0], a[1])).message


def _good_delta(z, y):
    return (torch.softmax(z, dim=1) - F.one_hot(y, z.shape[1])) / len(z)


def test_softmax_delta():
    assert check.backprop_softmax_delta(_good_delta)

    def by_autograd(z, y):
        z = z.clone().requires_grad_(True)
        return torch.autograd.grad(F.cross_entropy(z, y), z)[0]

    assert check.backprop_softmax_delta(by_autograd)
    cases = {
        "1/B": lambda z, y: _good_delta(z, y) * len(z),
        "sign": lambda z, y: -_good_delta(z, y),
        "outside the softmax": lambda z, y: torch.softmax(z, dim=1) / len(z),
        "not the sigmoid": lambda z, y: (torch.sigmoid(z) - F.one_hot(y, 4)) / len(z),
        "differs": lambda z, y: (torch.softmax(z, dim=0) - F.one_hot(y, 4)) / len(z),  # wrong axis
    }
    for words, fn in cases.items():
        result = check.backprop_softmax_delta(fn)
        assert not result and words in result.message, (words, result.message)
    bad = check.backprop_softmax_delta(lambda z, y: z.sum(dim=1))
    assert not bad and "shape" in bad.message
    assert not check.backprop_softmax_delta(lambda z, y: z.tolist())


def test_blank_student_answers_get_a_hint_not_a_crash():
    blank_function_gets_the_hint(NAMES)


def test_checkers_never_reveal_a_solution():
    never_reveals(NAMES, ("torch.outer", "W_next.T", "softmax(z, dim", "one_hot"))
