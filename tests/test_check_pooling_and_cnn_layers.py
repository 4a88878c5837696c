"""Lecture 11's checkers: max pooling by hand, the receptive-field recurrence (its reference
measured by gradient), a small CNN design."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from shared import right, wrong
from torch import nn
from torch.nn.functional import max_pool2d as _tmp

from nbhelpers import kernels
from nbhelpers.check import pooling_and_cnn_layers as check


def _max_pool(x, k):
    h, w = x.shape[0] // k, x.shape[1] // k
    return x[: h * k, : w * k].reshape(h, k, w, k).amax(dim=(1, 3))


def test_max_pool_by_hand():
    assert check.max_pool(_max_pool)
    avg = check.max_pool(
        lambda x, k: x[: x.shape[0] // k * k, : x.shape[1] // k * k]
        .reshape(x.shape[0] // k, k, x.shape[1] // k, k).mean(dim=(1, 3)))
    assert not avg and "average" in avg.message
    ceil = check.max_pool(  # padding a stick-out window instead of dropping it
        lambda x, k: _max_pool(F.pad(x, (0, -x.shape[1] % k, 0, -x.shape[0] % k),
                                     value=-1e9), k))
    assert not ceil and "round down" in ceil.message
    assert not check.max_pool(lambda x, k: x.max())  # one number, not a map
    assert not check.max_pool(lambda x, k: _max_pool(x, k).tolist())  # not a tensor


def test_max_pool_refuses_library_pooling():
    by_torch = check.max_pool(lambda x, k: F.max_pool2d(x[None, None], k)[0, 0])
    assert not by_torch and "max_pool2d" in by_torch.message
    by_helper = check.max_pool(lambda x, k: kernels.pool2d(x, k))
    assert not by_helper and "pool2d" in by_helper.message


def _rf(layers):
    r, jump = 1, 1
    for k, s in layers:
        r += (k - 1) * jump
        jump *= s
    return r


def test_receptive_field_reference_is_measured_right():
    """The gradient reference agrees with closed forms (3×3 convs: 2n + 1, 2×2 pools: 2^n,
    LeNet-5: 16) and with the exercise stack of the lecture (18)."""
    for n in range(1, 5):
        assert check._rf_by_gradient([(3, 1)] * n) == 2 * n + 1
        assert check._rf_by_gradient([(2, 2)] * n) == 2**n
    assert check._rf_by_gradient([(5, 1), (2, 2), (5, 1), (2, 2)]) == 16
    assert check._rf_by_gradient([(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)]) == 18
    assert all(check._rf_by_gradient(layers) == _rf(layers) for layers in check._RF_CASES)


def test_receptive_field_answer():
    assert check.receptive_field(_rf)
    no_jump = check.receptive_field(check._without_strides)
    assert not no_jump and "ignore the strides" in no_jump.message
    own = check.receptive_field(check._own_stride_too)
    assert not own and "before" in own.message
    assert not check.receptive_field(lambda layers: sum(k for k, _ in layers))
    assert not check.receptive_field(lambda layers: 18)  # the lecture's stack only
    assert "18" not in no_jump.message


def test_small_design():
    good = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(8 * 7 * 7, 10))
    good.train()
    assert check.small_design(good) and good.training  # mode restored
    too_big = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(),
                            nn.Conv2d(8, 8, 3, padding=1), nn.MaxPool2d(2),
                            nn.Flatten(), nn.Linear(8 * 14 * 14, 10))
    result = check.small_design(too_big)
    assert not result and "parameters" in result.message
    one_conv = nn.Sequential(nn.Conv2d(1, 4, 3), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(4 * 13 * 13, 10))
    assert not check.small_design(one_conv)
    no_pool = nn.Sequential(nn.Conv2d(1, 2, 3, stride=2), nn.Conv2d(2, 2, 3, stride=2),
                            nn.Flatten(), nn.Linear(2 * 6 * 6, 10))
    assert "pooling" in check.small_design(no_pool).message
    wrong_out = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Conv2d(2, 2, 3), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(2 * 12 * 12, 5))
    assert "(3, 10)" in check.small_design(wrong_out).message
    shape_bug = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Conv2d(2, 2, 3), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(100, 10))
    crashed = check.small_design(shape_bug)
    assert not crashed and "RuntimeError" in crashed.message


# ----------------------------------------------------------------------------- catalogue


def _pool_loops(x, k):                      # the lecture's answer
    h, w = x.shape[0] // k, x.shape[1] // k
    out = torch.empty(h, w)
    for i in range(h):
        for j in range(w):
            out[i, j] = x[i * k:(i + 1) * k, j * k:(j + 1) * k].max()
    return out


def _pool_unfold(x, k):
    return x.unfold(0, k, k).unfold(1, k, k).amax(dim=(2, 3))


def _pool_lists(x, k):                      # Python max over a list, rows stacked
    h, w = x.shape[0] // k, x.shape[1] // k
    return torch.tensor([[max(x[i * k:(i + 1) * k, j * k:(j + 1) * k].flatten().tolist())
                          for j in range(w)] for i in range(h)], dtype=x.dtype)


def _pool_from_zero(x, k):                  # a running maximum that starts at 0
    h, w = x.shape[0] // k, x.shape[1] // k
    out = torch.zeros(h, w, dtype=x.dtype)
    for i in range(h):
        for j in range(w):
            for v in x[i * k:(i + 1) * k, j * k:(j + 1) * k].flatten():
                out[i, j] = max(out[i, j], v)
    return out


def _pool_overlapping(x, k):                # every k×k window, stride 1
    return x.unfold(0, k, 1).unfold(1, k, 1).amax(dim=(2, 3))


def _pool_rows_only(x, k):                  # x.shape[0] for both sides of the output
    h = x.shape[0] // k
    return torch.stack([torch.stack([x[i * k:(i + 1) * k, j * k:(j + 1) * k].max()
                                     for j in range(h)]) for i in range(h)])


def _pool_in_x(x, k):                       # writes each maximum into its window's corner
    h, w = x.shape[0] // k, x.shape[1] // k
    for i in range(h):
        for j in range(w):
            x[i * k, j * k] = x[i * k:(i + 1) * k, j * k:(j + 1) * k].max()
    return x[:h * k:k, :w * k:k]


def _pool_aliased(x, k):                    # torch's pooling under another name
    return _tmp(x[None, None], k)[0, 0]


def _rf_backward(layers):                   # from the last layer down to the input
    r = 1
    for k, s in reversed(layers):
        r = (r - 1) * s + k
    return r


def _rf_closed(layers):
    return 1 + sum((k - 1) * math.prod(s for _, s in layers[:i])
                   for i, (k, _) in enumerate(layers))


def _small_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(8 * 7 * 7, 10))


class _Functional(nn.Module):               # pools with F.max_pool2d inside forward
    def __init__(self, pool=True, shared=False, squeeze=False):
        super().__init__()
        self.pool, self.squeeze = pool, squeeze
        self.c1 = nn.Conv2d(1, 4, 3, padding=1)
        self.c2 = self.c1 if shared else nn.Conv2d(4, 8, 3, padding=1)
        self.unused = nn.MaxPool2d(2)
        width = 4 if shared else 8
        self.fc = nn.Linear(width * 7 * 7, 10)

    def forward(self, x):
        x = F.relu(self.c1(x))
        x = F.max_pool2d(x, 2) if self.pool else x[:, :, ::2, ::2]
        x = F.relu(self.c2(x) if self.c2 is not self.c1 else self.c1(x.mean(1, keepdim=True)))
        x = F.max_pool2d(x, 2) if self.pool else x[:, :, ::2, ::2]
        x = self.fc(x.flatten(1))
        return x.squeeze() if self.squeeze else x


def _with_bn_dropout():
    net = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.AvgPool2d(2),
        nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveMaxPool2d(4),
        nn.Flatten(), nn.Dropout(0.5), nn.Linear(8 * 4 * 4, 10))
    return net.train()


CATALOGUE = {
    "max_pool": [
        right("loops over the windows (the lecture's answer)", _pool_loops),
        right("reshape and amax", _max_pool),
        right("unfold twice and amax", _pool_unfold),
        right("Python max over lists", _pool_lists),
        wrong("average of each window", lambda x, k:
              x[: x.shape[0] // k * k, : x.shape[1] // k * k]
            .reshape(x.shape[0] // k, k, x.shape[1] // k, k).mean(dim=(1, 3)), hint="average"),
        wrong("minimum of each window", lambda x, k: -_max_pool(-x, k), hint="minimum"),
        wrong("pads the window that sticks out (rounds up)",
              lambda x, k: _max_pool(F.pad(x, (0, -x.shape[1] % k, 0, -x.shape[0] % k),
                                           value=-1e9), k), hint="round down"),
        wrong("stride 1: overlapping windows", _pool_overlapping, hint="overlap"),
        wrong("x.shape[0] for both sides", _pool_rows_only, hint="x.shape[1]"),
        wrong("running maximum started at 0", _pool_from_zero, hint="start"),
        wrong("writes the maxima into x", _pool_in_x, hint="in place"),
        wrong("k fixed at 2", lambda x, k: _max_pool(x, 2), hint="round down"),
        wrong("F.max_pool2d", lambda x, k: F.max_pool2d(x[None, None], k)[0, 0],
              hint="max_pool2d"),
        wrong("torch's pooling imported under another name", _pool_aliased, hint="max_pool2d"),
        wrong("the course helper kernels.pool2d", lambda x, k: kernels.pool2d(x, k),
              hint="pool2d"),
        wrong("the largest value of x", lambda x, k: x.max(), hint="one output per"),
        wrong("a nested list", lambda x, k: _max_pool(x, k).tolist(), hint="torch.Tensor"),
    ],
    "receptive_field": [
        right("the forward recurrence (the lecture's answer)", _rf),
        right("the backward recurrence, last layer first", _rf_backward),
        right("the closed form with math.prod", _rf_closed),
        right("as a float", lambda layers: float(_rf(layers))),
        right("as a NumPy integer", lambda layers: np.int64(_rf(layers))),
        right("as a one-element tensor", lambda layers: torch.tensor(_rf(layers))),
        wrong("strides ignored", check._without_strides, hint="ignore the strides"),
        wrong("a layer's own stride counted", check._own_stride_too, hint="before"),
        wrong("the stack walked backwards", lambda layers: _rf(layers[::-1]),
              hint="last layer to the first"),
        wrong("starts from 0 pixels", lambda layers: _rf(layers) - 1, hint="start from 1"),
        wrong("the sum of the kernel sizes", lambda layers: sum(k for k, _ in layers),
              hint="start from 1"),
        wrong("18, the lecture's stack only", lambda layers: 18, hint="Hint"),
        wrong("a string", lambda layers: str(_rf(layers)), hint="one number"),
    ],
    "small_design": [
        right("two conv blocks with max pooling (the lecture's answer)", _small_cnn()),
        right("a module that pools with F.max_pool2d in forward", _Functional()),
        right("batch norm, dropout, average and adaptive pooling, in training mode",
              _with_bn_dropout()),
        wrong("too many parameters", nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1),
            nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 14 * 14, 10)), hint="parameters"),
        wrong("one convolution", nn.Sequential(nn.Conv2d(1, 4, 3), nn.MaxPool2d(2),
                                               nn.Flatten(), nn.Linear(4 * 13 * 13, 10)),
              hint="at least two"),
        wrong("one convolution used twice", _Functional(shared=True), hint="distinct"),
        wrong("strided convolutions, no pooling", nn.Sequential(
            nn.Conv2d(1, 2, 3, stride=2), nn.Conv2d(2, 2, 3, stride=2), nn.Flatten(),
            nn.Linear(2 * 6 * 6, 10)), hint="pooling"),
        wrong("a pooling layer defined but not used in forward", _Functional(pool=False),
              hint="pooling"),
        wrong("5 outputs", nn.Sequential(nn.Conv2d(1, 2, 3), nn.Conv2d(2, 2, 3),
                                         nn.MaxPool2d(2), nn.Flatten(),
                                         nn.Linear(2 * 12 * 12, 5)), hint="(3, 10)"),
        wrong("squeeze() drops the batch dimension of one image", _Functional(squeeze=True),
              hint="batch of 1"),
        wrong("a softmax at the end", nn.Sequential(_small_cnn(), nn.Softmax(dim=1)),
              hint="softmax"),
        wrong("the wrong nn.Linear size", nn.Sequential(
            nn.Conv2d(1, 2, 3), nn.Conv2d(2, 2, 3), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(100, 10)), hint="RuntimeError"),
        wrong("the class, not a model", _Functional, hint="_Functional()"),
        wrong("a list of layers", [nn.Conv2d(1, 4, 3), nn.Conv2d(4, 4, 3)], hint="nn.Module"),
    ],
}


def test_receptive_field_check_works_with_autograd_switched_off():
    with torch.no_grad():
        assert check.receptive_field(_rf)
