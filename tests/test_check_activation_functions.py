"""Lecture 02's checkers compare with autograd and torch.softmax, catch overflow, and never
show the formula."""

from __future__ import annotations

import torch
from shared import EMPTY
from shared import rejects as _rejects

from nbhelpers import check


def test_relu_grad():
    assert check.act_relu_grad(lambda x: (x > 0).to(x.dtype))
    ok = check.act_relu_grad(lambda x: (x >= 0).float())  # 1 at 0 is a valid subgradient too
    assert ok and "torch returns 0" in ok.message
    _rejects(check.act_relu_grad(torch.relu), "wrong at x")  # the function, not its slope
    _rejects(check.act_relu_grad(lambda x: torch.where(x > 0, 1.0, 0.01)), "wrong at x")  # leaky
    _rejects(check.act_relu_grad(lambda x: torch.where(x == 0, 2.0, (x > 0).float())), "x = 0")
    _rejects(check.act_relu_grad(lambda x: (x > 0).float().sum()), "same shape")
    _rejects(check.act_relu_grad(lambda x: None), "no answer yet")
    _rejects(check.act_relu_grad(lambda x: 1 / 0), "ZeroDivisionError")
    _rejects(check.act_relu_grad(EMPTY), "no answer yet")


def test_sigmoid_grad():
    assert check.act_sigmoid_grad(lambda x: torch.sigmoid(x) * (1 - torch.sigmoid(x)))
    _rejects(check.act_sigmoid_grad(torch.sigmoid), "autograd says")
    _rejects(check.act_sigmoid_grad(lambda x: torch.sigmoid(x) * (1 + torch.sigmoid(x))),
             "autograd says")
    # right formula, but exp overflows in float32 for large |x|: inf/inf = nan
    _rejects(check.act_sigmoid_grad(lambda x: torch.exp(-x) / (1 + torch.exp(-x)) ** 2),
             "overflow")
    _rejects(check.act_sigmoid_grad(lambda x: torch.exp(x) / (1 + torch.exp(x)) ** 2),
             "overflow")
    _rejects(check.act_sigmoid_grad(lambda x: x.tolist()), "torch.Tensor")


def test_sigmoid_grad_hint_does_not_reveal_the_formula():
    result = check.act_sigmoid_grad(torch.sigmoid)
    assert "(1 -" not in result.message and "1 − σ" not in result.message


def _naive_softmax(z):
    e = torch.exp(z)
    return e / e.sum(dim=-1, keepdim=True)


def test_softmax():
    assert check.act_softmax(lambda z: torch.softmax(z, dim=-1))
    assert check.act_softmax(lambda z: torch.exp(z - torch.logsumexp(z, dim=-1, keepdim=True)))
    _rejects(check.act_softmax(_naive_softmax), "overflows")
    _rejects(check.act_softmax(lambda z: torch.softmax(z, dim=0)), "last dimension")
    _rejects(check.act_softmax(lambda z: torch.exp(z) / torch.exp(z).sum()), "last dimension")
    _rejects(check.act_softmax(lambda z: z / z.sum(dim=-1, keepdim=True)), "wrong on")
    _rejects(check.act_softmax(EMPTY), "no answer yet")
