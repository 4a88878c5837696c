"""Lecture 03's checkers: the parameter count, Net as nn.Sequential, what nn.Linear computes."""

from __future__ import annotations

import torch
from shared import EMPTY
from shared import rejects as _rejects
from torch import nn

from nbhelpers import check


def test_count_params():
    assert check.net_count_params(109_386)
    assert check.net_count_params(109_386.0)
    _rejects(check.net_count_params(784 * 128 + 128 * 64 + 64 * 10), "weights only")
    _rejects(check.net_count_params(123), "n_in·n_out")
    _rejects(check.net_count_params(109_386.5), "whole number")
    _rejects(check.net_count_params("many"), "raised")
    _rejects(check.net_count_params(EMPTY), "no answer yet")


def test_count_params_hint_does_not_reveal_the_number():
    assert "109" not in check.net_count_params(1).message


def test_sequential():
    good = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 3), nn.Softmax(dim=1))
    assert check.net_sequential(good)
    _rejects(check.net_sequential(nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3),
                                                nn.Softmax(dim=1))), "different outputs")
    _rejects(check.net_sequential(nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 3),
                                                nn.Softmax(dim=0))), "different outputs")
    _rejects(check.net_sequential(nn.Sequential(nn.Linear(6, 16), nn.Linear(16, 3))),
             "different outputs")
    _rejects(check.net_sequential(nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 3))),
             "shapes")
    _rejects(check.net_sequential(nn.Linear(6, 3)), "nn.Sequential")
    _rejects(check.net_sequential(EMPTY), "no answer yet")


def test_linear_forward():
    assert check.net_linear_forward(lambda X, W, b: X @ W.T + b)
    assert check.net_linear_forward(lambda X, W, b: torch.einsum("...i,oi->...o", X, W) + b)
    _rejects(check.net_linear_forward(lambda X, W, b: X @ W + b), "raised")  # no transpose
    square_only_wrong = lambda X, W, b: X @ (W if W.shape[0] == W.shape[1] else W.T) + b  # noqa: E731
    _rejects(check.net_linear_forward(square_only_wrong), "square W")
    _rejects(check.net_linear_forward(lambda X, W, b: W @ X + b), "raised")
    _rejects(check.net_linear_forward(lambda X, W, b: X @ W.T), "wrong values")  # no bias
    _rejects(check.net_linear_forward(lambda X, W, b: None), "no answer yet")
    _rejects(check.net_linear_forward(EMPTY), "no answer yet")
