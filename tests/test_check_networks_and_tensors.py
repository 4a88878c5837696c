"""Lecture 03's checkers: the parameter count, Net as nn.Sequential, what nn.Linear computes."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import torch
from shared import EMPTY, right, wrong
from shared import rejects as _rejects
from torch import nn

from nbhelpers.check import networks_and_tensors as check


def test_count_params():
    assert check.count_params(109_386)
    assert check.count_params(109_386.0)
    _rejects(check.count_params(784 * 128 + 128 * 64 + 64 * 10), "weights only")
    _rejects(check.count_params(123), "n_in·n_out")
    _rejects(check.count_params(109_386.5), "whole number")
    _rejects(check.count_params("many"), "one number")
    _rejects(check.count_params(EMPTY), "no answer yet")


def test_count_params_hint_does_not_reveal_the_number():
    assert "109" not in check.count_params(1).message


def test_sequential():
    good = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 3), nn.Softmax(dim=1))
    assert check.sequential(good)
    _rejects(check.sequential(nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3),
                                                nn.Softmax(dim=1))), "different outputs")
    _rejects(check.sequential(nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 3),
                                                nn.Softmax(dim=0))), "different outputs")
    _rejects(check.sequential(nn.Sequential(nn.Linear(6, 16), nn.Linear(16, 3))),
             "different outputs")
    _rejects(check.sequential(nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 3))),
             "shapes")
    _rejects(check.sequential(nn.Linear(6, 3)), "nn.Sequential")
    _rejects(check.sequential(EMPTY), "no answer yet")


def test_linear_forward():
    assert check.linear_forward(lambda X, W, b: X @ W.T + b)
    assert check.linear_forward(lambda X, W, b: torch.einsum("...i,oi->...o", X, W) + b)
    _rejects(check.linear_forward(lambda X, W, b: X @ W + b), "raised")  # no transpose
    square_only_wrong = lambda X, W, b: X @ (W if W.shape[0] == W.shape[1] else W.T) + b  # noqa: E731
    _rejects(check.linear_forward(square_only_wrong), "W (4, 4) (square)")
    _rejects(check.linear_forward(lambda X, W, b: W @ X + b), "raised")
    _rejects(check.linear_forward(lambda X, W, b: X @ W.T), "wrong values")  # no bias
    _rejects(check.linear_forward(lambda X, W, b: None), "no answer yet")
    _rejects(check.linear_forward(EMPTY), "no answer yet")


def _seq(*layers):
    return nn.Sequential(*layers)


def _net_as_sequential(act=nn.Tanh, out=lambda: nn.Softmax(dim=1), width=16):
    return _seq(nn.Linear(6, width), act(), nn.Linear(width, 3), out())


def _zero_initialised_relu_net():
    model = _net_as_sequential(act=nn.ReLU)
    for p in model.parameters():
        nn.init.zeros_(p)  # every activation gives the same (uniform) output on these weights
    return model


def _with_nn_linear(X, W, b):
    layer = nn.Linear(W.shape[1], W.shape[0])
    with torch.no_grad():
        layer.weight.copy_(W)
        layer.bias.copy_(b)
    return layer(X)


CATALOGUE = {
    "count_params": [
        right("the formula, an int", (784 * 128 + 128) + (128 * 64 + 64) + (64 * 10 + 10)),
        right("a float", 109_386.0),
        right("a NumPy int", np.int64(109_386)),
        right("a one-element tensor", torch.tensor([109_386])),
        right("(n_in + 1)·n_out per layer", (784 + 1) * 128 + (128 + 1) * 64 + (64 + 1) * 10),
        wrong("weights only", 784 * 128 + 128 * 64 + 64 * 10, hint="weights only"),
        wrong("one bias per input, not per output", 784 * 128 + 784 + 128 * 64 + 128 + 64 * 10 + 64,
              hint="OUTPUT unit"),
        wrong("the units, not the parameters", 784 + 128 + 64 + 10, hint="units (neurons)"),
        wrong("the last layer forgotten", (784 * 128 + 128) + (128 * 64 + 64),
              hint="left out one"),
        wrong("the first layer forgotten", (128 * 64 + 64) + (64 * 10 + 10), hint="left out one"),
        wrong("a wrong total", 123, hint="n_in·n_out"),
        wrong("not whole", 109_386.5, hint="whole number"),
        wrong("a string", "109386", hint="one number"),
        wrong("nan", float("nan"), hint="whole number"),
        wrong("True", True, hint="one number"),
        wrong("a list of the per-layer counts", [100_480, 8_256, 650], hint="one number"),
    ],
    "sequential": [
        right("the reference: Linear, Tanh, Linear, Softmax(dim=1)", _net_as_sequential()),
        right("Softmax(dim=-1)", _net_as_sequential(out=lambda: nn.Softmax(dim=-1))),
        right("left in eval mode", _net_as_sequential().eval()),
        right("named layers (an OrderedDict)", nn.Sequential(OrderedDict(
            hidden=nn.Linear(6, 16), act=nn.Tanh(), out=nn.Linear(16, 3),
            softmax=nn.Softmax(dim=1)))),
        right("in float64", _net_as_sequential().double()),
        right("a Dropout(p=0): the identity", _seq(nn.Linear(6, 16), nn.Tanh(), nn.Dropout(0.0),
                                                  nn.Linear(16, 3), nn.Softmax(dim=1))),
        wrong("ReLU instead of tanh", _net_as_sequential(act=nn.ReLU), hint="different outputs"),
        wrong("sigmoid instead of tanh", _net_as_sequential(act=nn.Sigmoid),
              hint="different outputs"),
        wrong("softmax over the batch (dim=0)", _net_as_sequential(out=lambda: nn.Softmax(dim=0)),
              hint="different outputs"),
        wrong("no softmax", _net_as_sequential(out=nn.Identity), hint="different outputs"),
        wrong("LogSoftmax", _net_as_sequential(out=lambda: nn.LogSoftmax(dim=1)),
              hint="different outputs"),
        wrong("no activation", _seq(nn.Linear(6, 16), nn.Linear(16, 3), nn.Softmax(dim=1)),
              hint="different outputs"),
        wrong("ReLU, all weights zero: looks like Net on its own weights",
              _zero_initialised_relu_net(), hint="different outputs"),
        wrong("a dropout layer, checked in eval mode",
              _seq(nn.Linear(6, 16), nn.Tanh(), nn.Dropout(0.3), nn.Linear(16, 3),
                   nn.Softmax(dim=1)).eval(), hint="training mode"),
        wrong("hidden width 8", _net_as_sequential(width=8), hint="shapes"),
        wrong("one Linear layer", nn.Linear(6, 3), hint="nn.Sequential"),
    ],
    "linear_forward": [
        right("the reference X @ W.T + b", lambda X, W, b: X @ W.T + b),
        right("einsum", lambda X, W, b: torch.einsum("...i,oi->...o", X, W) + b),
        right("torch.matmul and W.mT", lambda X, W, b: torch.matmul(X, W.mT) + b),
        right("broadcast product, summed", lambda X, W, b: (X.unsqueeze(-2) * W).sum(-1) + b),
        right("tensordot", lambda X, W, b: torch.tensordot(X, W, dims=([-1], [1])) + b),
        right("W @ x as column vectors",
              lambda X, W, b: torch.matmul(W, X.unsqueeze(-1)).squeeze(-1) + b),
        wrong("F.linear, which the exercise rules out", torch.nn.functional.linear,
              hint="without nn.Linear"),
        wrong("an nn.Linear with W and b copied in", _with_nn_linear, hint="without nn.Linear"),
        wrong("X @ W: W not transposed", lambda X, W, b: X @ W + b, hint="raised"),
        wrong("transposes only non-square W",
              lambda X, W, b: X @ (W if W.shape[0] == W.shape[1] else W.T) + b,
              hint="W (4, 4) (square)"),
        wrong("W @ X: right for one vector only", lambda X, W, b: W @ X + b,
              hint=("a batch X (5, 4)", "raised")),
        wrong("no bias", lambda X, W, b: X @ W.T, hint="wrong values"),
        wrong("einsum for a batch only", lambda X, W, b: torch.einsum("ni,oi->no", X, W) + b,
              hint=("one input x (4,)", "raised")),
        wrong("addmm: a batch only", lambda X, W, b: torch.addmm(b, X, W.T),
              hint=("one input x (4,)", "raised")),
        wrong("squeezed output", lambda X, W, b: (X @ W.T).squeeze() + b,
              hint=("W (1, 4)", "(5, 1)")),
        wrong("W.t_() transposes W in place", lambda X, W, b: X @ W.t_() + b,
              hint="changed its input W"),
        wrong("a NumPy array", lambda X, W, b: (X @ W.T + b).numpy(), hint="tensor"),
    ],
}
