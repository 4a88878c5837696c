"""Lecture 02's checkers compare with autograd and torch.softmax, catch overflow, and never
show the formula."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from shared import EMPTY, right, wrong
from shared import rejects as _rejects

from nbhelpers.check import activation_functions as check


def test_relu_grad():
    assert check.relu_grad(lambda x: (x > 0).to(x.dtype))
    ok = check.relu_grad(lambda x: (x >= 0).float())  # 1 at 0 is a valid subgradient too
    assert ok and "torch returns 0" in ok.message
    _rejects(check.relu_grad(torch.relu), "wrong at x")  # the function, not its slope
    _rejects(check.relu_grad(lambda x: torch.where(x > 0, 1.0, 0.01)), "wrong at x")  # leaky
    _rejects(check.relu_grad(lambda x: torch.where(x == 0, 2.0, (x > 0).float())), "x = 0")
    _rejects(check.relu_grad(lambda x: (x > 0).float().sum()), "same shape")
    _rejects(check.relu_grad(lambda x: None), "no answer yet")
    _rejects(check.relu_grad(lambda x: 1 / 0), "ZeroDivisionError")
    _rejects(check.relu_grad(EMPTY), "no answer yet")


def test_sigmoid_grad():
    assert check.sigmoid_grad(lambda x: torch.sigmoid(x) * (1 - torch.sigmoid(x)))
    _rejects(check.sigmoid_grad(torch.sigmoid), "autograd says")
    _rejects(check.sigmoid_grad(lambda x: torch.sigmoid(x) * (1 + torch.sigmoid(x))),
             "autograd says")
    # right formula, but exp overflows in float32 for large |x|: inf/inf = nan
    _rejects(check.sigmoid_grad(lambda x: torch.exp(-x) / (1 + torch.exp(-x)) ** 2),
             "overflow")
    _rejects(check.sigmoid_grad(lambda x: torch.exp(x) / (1 + torch.exp(x)) ** 2),
             "overflow")
    _rejects(check.sigmoid_grad(lambda x: x.tolist()), "torch.Tensor")


def test_sigmoid_grad_hint_does_not_reveal_the_formula():
    result = check.sigmoid_grad(torch.sigmoid)
    assert "(1 -" not in result.message and "1 − σ" not in result.message


def _naive_softmax(z):
    e = torch.exp(z)
    return e / e.sum(dim=-1, keepdim=True)


def test_softmax():
    assert check.softmax(lambda z: torch.exp(z - torch.logsumexp(z, dim=-1, keepdim=True)))
    _rejects(check.softmax(_naive_softmax), "overflows")
    _rejects(check.softmax(lambda z: torch.exp(z) / torch.exp(z).sum()), "last dimension")
    _rejects(check.softmax(lambda z: z / z.sum(dim=-1, keepdim=True)), "wrong on")
    _rejects(check.softmax(EMPTY), "no answer yet")


def _relu_grad_in_place(x):
    x[x > 0] = 1.0
    x[x <= 0] = 0.0
    return x


def _relu_grad_by_autograd(x):
    x = x.clone().requires_grad_(True)
    torch.relu(x).sum().backward()
    return x.grad


def _relu_grad_loop(x):  # a vector only: iterating over a batch gives rows
    return torch.tensor([1.0 if v > 0 else 0.0 for v in x])


def _sigmoid_grad_in_place(x):
    s = x.sigmoid_()
    return s * (1 - s)


def _sigmoid_grad_by_autograd(x):
    x = x.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(torch.sigmoid(x).sum(), x)
    return g


def _sigmoid_grad_float32(x):
    s = torch.sigmoid(x.float())
    return s * (1 - s)


def _shifted_softmax(shift):
    def softmax(z):
        e = torch.exp(z - shift(z))
        return e / e.sum(dim=-1, keepdim=True)
    return softmax


def _softmax_in_place(z):
    z -= z.max(dim=-1, keepdim=True).values
    z.exp_()
    return z / z.sum(dim=-1, keepdim=True)


def _softmax_no_keepdim(z):
    e = torch.exp(z - z.max(dim=-1, keepdim=True).values)
    return e / e.sum(dim=-1)


CATALOGUE = {
    "relu_grad": [
        right("the reference (x > 0) in x's dtype", lambda x: (x > 0).to(x.dtype)),
        right("1 at x = 0: another subgradient", lambda x: (x >= 0).float()),
        right("torch.where, int64 values", lambda x: torch.where(x > 0, 1, 0)),
        right("torch.heaviside", lambda x: torch.heaviside(x, torch.zeros_like(x))),
        right("ceil, clamped to [0, 1]", lambda x: torch.ceil(x).clamp(0, 1)),
        right("the sign of relu(x)", lambda x: torch.relu(x).sign()),
        wrong("ReLU itself, not its slope", torch.relu, hint="wrong at x"),
        wrong("leaky slope 0.01 on the left", lambda x: torch.where(x > 0, 1.0, 0.01),
              hint="wrong at x"),
        wrong("the sign of x: -1 on the left", torch.sign, hint="wrong at x"),
        wrong("threshold not at 0", lambda x: (x > 1e-4).float(), hint="wrong at x = 1e-30"),
        wrong("2 at x = 0", lambda x: torch.where(x == 0, 2.0, (x > 0).float()), hint="x = 0"),
        wrong("relu(x) / x: nan at 0", lambda x: torch.relu(x) / x, hint="x = 0"),
        wrong("summed to one number", lambda x: (x > 0).float().sum(), hint="same shape"),
        wrong("overwrites x in place", _relu_grad_in_place, hint="in place"),
        wrong("autograd", _relu_grad_by_autograd, hint="without autograd"),
        wrong("a Python loop: a vector only", _relu_grad_loop,
              hint=("on a (13, 16) tensor", "raised")),
        wrong("a NumPy array", lambda x: (x > 0).numpy(), hint="torch.Tensor"),
    ],
    "sigmoid_grad": [
        right("the reference σ(1 − σ)", lambda x: torch.sigmoid(x) * (1 - torch.sigmoid(x))),
        right("σ(x)·σ(−x)", lambda x: torch.sigmoid(x) * torch.sigmoid(-x)),
        right("e^(−|x|) / (1 + e^(−|x|))², stable both sides",
              lambda x: torch.exp(-x.abs()) / (1 + torch.exp(-x.abs())) ** 2),
        right("1 / (2 + e^x + e^(−x))", lambda x: 1 / (2 + torch.exp(x) + torch.exp(-x))),
        right("σ − σ²", lambda x: torch.sigmoid(x) - torch.sigmoid(x) ** 2),
        wrong("σ itself", torch.sigmoid, hint="autograd says"),
        wrong("σ(1 + σ)", lambda x: torch.sigmoid(x) * (1 + torch.sigmoid(x)),
              hint="autograd says"),
        wrong("e^(−x) / (1 + e^(−x))²: overflows for x = −100",
              lambda x: torch.exp(-x) / (1 + torch.exp(-x)) ** 2, hint="overflow"),
        wrong("e^x / (1 + e^x)²: overflows for x = 100",
              lambda x: torch.exp(x) / (1 + torch.exp(x)) ** 2, hint="overflow"),
        wrong("a central finite difference",
              lambda x: (torch.sigmoid(x + 1e-2) - torch.sigmoid(x - 1e-2)) / 2e-2,
              hint="approximation"),
        wrong("a finite difference, tiny step: float32 rounding",
              lambda x: (torch.sigmoid(x + 1e-5) - torch.sigmoid(x - 1e-5)) / 2e-5,
              hint="autograd says"),
        wrong("a finite difference in float64",
              lambda x: ((torch.sigmoid(x.double() + 1e-5) - torch.sigmoid(x.double() - 1e-5))
                         / 2e-5).to(x.dtype), hint="approximation"),
        wrong("computed in float32 for a float64 x", _sigmoid_grad_float32,
              hint="keep x's dtype"),
        wrong("computed in half precision",
              lambda x: (torch.sigmoid(x.half()) * (1 - torch.sigmoid(x.half()))).to(x.dtype),
              hint="close, but"),
        wrong("sigmoid_ overwrites x", _sigmoid_grad_in_place, hint="in place"),
        wrong("autograd", _sigmoid_grad_by_autograd, hint="without autograd"),
        wrong("a list", lambda x: x.tolist(), hint="torch.Tensor"),
    ],
    "softmax": [
        right("the reference: shift by each row's max", _shifted_softmax(
            lambda z: z.max(dim=-1, keepdim=True).values)),
        right("exp(z − logsumexp)",
              lambda z: torch.exp(z - torch.logsumexp(z, dim=-1, keepdim=True))),
        right("shift by amax", _shifted_softmax(lambda z: z.amax(dim=-1, keepdim=True))),
        wrong("no shift: e^1000 overflows", _shifted_softmax(lambda z: 0), hint="overflows"),
        wrong("one shift for the whole batch: the global max", _shifted_softmax(torch.max),
              hint="each row by its own"),
        wrong("shift by the row's mean",
              _shifted_softmax(lambda z: z.mean(dim=-1, keepdim=True)), hint="[-500, 0, 500]"),
        wrong("shift by the row's min",
              _shifted_softmax(lambda z: z.min(dim=-1, keepdim=True).values),
              hint="[-500, 0, 500]"),
        wrong("shift by the first score", _shifted_softmax(lambda z: z[..., :1]),
              hint="[-500, 0, 500]"),
        wrong("normalised over the whole batch", lambda z: torch.exp(z) / torch.exp(z).sum(),
              hint="last dimension"),
        wrong("max without keepdim: breaks on a batch", _softmax_no_keepdim,
              hint=("on a batch of 4 rows × 6 classes", "raised")),
        wrong("z / sum(z), no exponential", lambda z: z / z.sum(dim=-1, keepdim=True),
              hint="wrong on"),
        wrong("subtracts from z in place", _softmax_in_place, hint="in place"),
        wrong("torch.softmax, which the exercise rules out",
              lambda z: torch.softmax(z, dim=-1), hint="without torch.softmax"),
        wrong("F.softmax over dim 0", lambda z: F.softmax(z, dim=0), hint="without torch.softmax"),
        wrong("exp of log_softmax", lambda z: torch.log_softmax(z, dim=-1).exp(),
              hint="without torch.softmax"),
    ],
}
