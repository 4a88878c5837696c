"""Lecture 08's checkers accept correct answers (including torch's own functions), reject the
typical mistakes with a hint that names them, and never crash."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from nbhelpers import check

NAMES = ["init_he_normal", "bn_train_forward", "bn_running_update"]


def _he(fan: str = "in", gain: float = math.sqrt(2), kind: str = "normal"):
    def fill(weight):
        fan_in = weight[0].numel()
        fan_out = weight.shape[0] * weight[0, 0].numel()
        std = gain / math.sqrt(fan_in if fan == "in" else fan_out)
        with torch.no_grad():
            if kind == "normal":
                return weight.normal_(0, std)
            return weight.uniform_(-std * math.sqrt(3), std * math.sqrt(3))
    return fill


def test_he_normal_accepts_torch_and_a_hand_version():
    assert check.init_he_normal(lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"))
    assert check.init_he_normal(_he())


def test_he_normal_names_the_usual_mistakes():
    bad = check.init_he_normal(_he(gain=1.0))
    assert not bad and "gain √2" in bad.message
    bad = check.init_he_normal(_he(fan="out"))
    assert not bad and "fan-OUT" in bad.message
    bad = check.init_he_normal(_he(kind="uniform"))
    assert not bad and "uniform" in bad.message

    def channels_only(weight):  # forgets the kernel size of a convolution
        with torch.no_grad():
            return weight.normal_(0, math.sqrt(2 / weight.shape[1]))
    bad = check.init_he_normal(channels_only)
    assert not bad and "C_in · k · k" in bad.message

    def variance_as_std(weight):
        with torch.no_grad():
            return weight.normal_(0, 2 / weight[0].numel())
    bad = check.init_he_normal(variance_as_std)
    assert not bad and "square root" in bad.message


def test_he_normal_requires_in_place_on_a_parameter():
    def no_grad_guard(weight):
        return weight.normal_(0, math.sqrt(2 / weight[0].numel()))
    bad = check.init_he_normal(no_grad_guard)
    assert not bad and "torch.no_grad()" in bad.message

    def new_tensor(weight):
        return torch.randn(weight.shape) * math.sqrt(2 / weight[0].numel())
    bad = check.init_he_normal(new_tensor)
    assert not bad and "IN PLACE" in bad.message

    def shifted(weight):
        with torch.no_grad():
            return weight.normal_(1.0, math.sqrt(2 / weight[0].numel()))
    bad = check.init_he_normal(shifted)
    assert not bad and "mean 0" in bad.message
    assert not check.init_he_normal(lambda w: None)
    assert not check.init_he_normal(...)


def _bn(x, gamma, beta, eps=1e-5, *, dims=(0, 2, 3), unbiased=False, use_eps=True, affine=True):
    mean = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, keepdim=True, unbiased=unbiased)
    x_hat = (x - mean) / torch.sqrt(var + (eps if use_eps else 0.0))
    return gamma.view(1, -1, 1, 1) * x_hat + beta.view(1, -1, 1, 1) if affine else x_hat


def test_bn_train_forward():
    assert check.bn_train_forward(_bn)
    assert check.bn_train_forward(
        lambda x, g, b, eps: F.batch_norm(x, None, None, g, b, training=True, eps=eps))
    cases = {
        "biased variance": lambda x, g, b, eps: _bn(x, g, b, eps, unbiased=True),
        "batch dimension only": lambda x, g, b, eps: _bn(x, g, b, eps, dims=(0,)),
        "not over everything": lambda x, g, b, eps: _bn(x, g, b, eps, dims=(0, 1, 2, 3)),
        "add ε": lambda x, g, b, eps: _bn(x, g, b, eps, use_eps=False),
        "scale by γ": lambda x, g, b, eps: _bn(x, g, b, eps, affine=False),
    }
    for phrase, fn in cases.items():
        bad = check.bn_train_forward(fn)
        assert not bad and phrase in bad.message, (phrase, bad.message)
    bad = check.bn_train_forward(lambda x, g, b, eps: x.mean((0, 2, 3)))
    assert not bad and "shape" in bad.message
    bad = check.bn_train_forward(lambda x, g, b, eps: g * x)      # broadcasts γ on the wrong dim
    assert not bad and "raised" in bad.message


def _running(rm, rv, x, momentum=0.1, *, unbiased=True, swap=False):
    keep, new = (momentum, 1 - momentum) if swap else (1 - momentum, momentum)
    return (keep * rm + new * x.mean((0, 2, 3)),
            keep * rv + new * x.var((0, 2, 3), unbiased=unbiased))


def test_bn_running_update():
    assert check.bn_running_update(_running)

    def with_module(rm, rv, x, momentum):
        bn = nn.BatchNorm2d(x.shape[1], momentum=momentum)
        bn.running_mean.copy_(rm)
        bn.running_var.copy_(rv)
        bn(x)
        return bn.running_mean, bn.running_var
    assert check.bn_running_update(with_module)
    bad = check.bn_running_update(lambda *a: _running(*a, unbiased=False))
    assert not bad and "UNBIASED" in bad.message
    bad = check.bn_running_update(lambda *a: _running(*a, swap=True))
    assert not bad and "NEW batch" in bad.message
    bad = check.bn_running_update(lambda rm, rv, x, m: _running(rm, rv, x, 0.1))  # ignores m
    assert not bad and "momentum 0.3" in bad.message
    bad = check.bn_running_update(lambda rm, rv, x, m: _running(rm, rv, x, m)[0])
    assert not bad and "pair" in bad.message
    assert not check.bn_running_update(lambda rm, rv, x, m: (rm, rv))
    assert not check.bn_running_update(lambda *a: None)
