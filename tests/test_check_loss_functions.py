"""Lecture 04's checkers accept a reference loss, reject plausible wrong ones with a hint
(sum, L1, sign, overflow), and never crash."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from shared import blank_function_gets_the_hint, never_reveals

from nbhelpers import check

NAMES = ["losses_mse", "losses_cross_entropy", "losses_bce_logits"]


def test_mse():
    assert check.losses_mse(lambda p, t: ((p - t) ** 2).mean())
    bad = check.losses_mse(lambda p, t: ((p - t) ** 2).sum())
    assert not bad and "sum" in bad.message
    bad = check.losses_mse(lambda p, t: (p - t).abs().mean())
    assert not bad and "L1" in bad.message
    assert not check.losses_mse(lambda p, t: (p - t) ** 2)  # not reduced
    assert not check.losses_mse(lambda p, t: 1 / 0)
    assert not check.losses_mse(...)


def test_cross_entropy():
    def stable(x, y):
        return (torch.logsumexp(x, 1) - x[torch.arange(len(y)), y]).mean()

    def naive(x, y):
        p = torch.exp(x) / torch.exp(x).sum(1, keepdim=True)
        return -torch.log(p[torch.arange(len(y)), y]).mean()

    def notes_formula(x, y):  # the lecture notes' formula, without the minus
        return -naive(x, y)

    assert check.losses_cross_entropy(stable)
    assert check.losses_cross_entropy(F.cross_entropy)
    bad = check.losses_cross_entropy(naive)
    assert not bad and "overflow" in bad.message
    bad = check.losses_cross_entropy(notes_formula)
    assert not bad and "sign" in bad.message
    assert not check.losses_cross_entropy(lambda x, y: None)


def test_bce_with_logits():
    def stable(z, y):
        return (z.clamp(min=0) - y * z + torch.log1p(torch.exp(-z.abs()))).mean()

    def naive(z, y):
        p = torch.sigmoid(z)
        return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()

    assert check.losses_bce_logits(stable)
    assert check.losses_bce_logits(F.binary_cross_entropy_with_logits)
    bad = check.losses_bce_logits(naive)
    assert not bad and "±60" in bad.message and "log 0" in bad.message
    # torch's BCELoss on σ(z) is clamped to 100 per element: also wrong at |z| = 60
    assert not check.losses_bce_logits(lambda z, y: F.binary_cross_entropy(torch.sigmoid(z), y))
    assert not check.losses_bce_logits(lambda z, y: -stable(z, y))
    assert not check.losses_bce_logits(lambda z, y: z.unknown)


def test_blank_student_answers_get_a_hint_not_a_crash():
    blank_function_gets_the_hint(NAMES)


def test_checkers_never_reveal_a_solution():
    never_reveals(NAMES, ("log1p", "torch.outer", "momentum * v", ".mean()", "W_next.T"))
