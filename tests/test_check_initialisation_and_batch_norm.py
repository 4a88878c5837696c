"""Lecture 08's checkers accept correct answers (including torch's own functions), reject the
typical mistakes with a hint that names them, and never crash."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from shared import right, wrong
from torch import nn

from nbhelpers.check import initialisation_and_batch_norm as check

NAMES = ["he_normal", "batch_norm_train", "running_update"]


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
    assert check.he_normal(lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"))
    assert check.he_normal(_he())


def test_he_normal_names_the_usual_mistakes():
    bad = check.he_normal(_he(gain=1.0))
    assert not bad and "gain √2" in bad.message
    bad = check.he_normal(_he(fan="out"))
    assert not bad and "fan-OUT" in bad.message
    bad = check.he_normal(_he(kind="uniform"))
    assert not bad and "uniform" in bad.message

    def channels_only(weight):  # forgets the kernel size of a convolution
        with torch.no_grad():
            return weight.normal_(0, math.sqrt(2 / weight.shape[1]))
    bad = check.he_normal(channels_only)
    assert not bad and "C_in · k · k" in bad.message

    def variance_as_std(weight):
        with torch.no_grad():
            return weight.normal_(0, 2 / weight[0].numel())
    bad = check.he_normal(variance_as_std)
    assert not bad and "square root" in bad.message


def test_he_normal_requires_in_place_on_a_parameter():
    def no_grad_guard(weight):
        return weight.normal_(0, math.sqrt(2 / weight[0].numel()))
    bad = check.he_normal(no_grad_guard)
    assert not bad and "torch.no_grad()" in bad.message

    def new_tensor(weight):
        return torch.randn(weight.shape) * math.sqrt(2 / weight[0].numel())
    bad = check.he_normal(new_tensor)
    assert not bad and "IN PLACE" in bad.message

    def shifted(weight):
        with torch.no_grad():
            return weight.normal_(1.0, math.sqrt(2 / weight[0].numel()))
    bad = check.he_normal(shifted)
    assert not bad and "mean 0" in bad.message
    assert not check.he_normal(lambda w: None)
    assert not check.he_normal(...)


def _bn(x, gamma, beta, eps=1e-5, *, dims=(0, 2, 3), unbiased=False, use_eps=True, affine=True):
    mean = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, keepdim=True, unbiased=unbiased)
    x_hat = (x - mean) / torch.sqrt(var + (eps if use_eps else 0.0))
    return gamma.view(1, -1, 1, 1) * x_hat + beta.view(1, -1, 1, 1) if affine else x_hat


def test_bn_train_forward():
    assert check.batch_norm_train(_bn)
    assert check.batch_norm_train(
        lambda x, g, b, eps: F.batch_norm(x, None, None, g, b, training=True, eps=eps))
    cases = {
        "biased variance": lambda x, g, b, eps: _bn(x, g, b, eps, unbiased=True),
        "batch dimension only": lambda x, g, b, eps: _bn(x, g, b, eps, dims=(0,)),
        "not over everything": lambda x, g, b, eps: _bn(x, g, b, eps, dims=(0, 1, 2, 3)),
        "add ε": lambda x, g, b, eps: _bn(x, g, b, eps, use_eps=False),
        "scale by γ": lambda x, g, b, eps: _bn(x, g, b, eps, affine=False),
    }
    for phrase, fn in cases.items():
        bad = check.batch_norm_train(fn)
        assert not bad and phrase in bad.message, (phrase, bad.message)
    bad = check.batch_norm_train(lambda x, g, b, eps: x.mean((0, 2, 3)))
    assert not bad and "shape" in bad.message
    bad = check.batch_norm_train(lambda x, g, b, eps: g * x)      # broadcasts γ on the wrong dim
    assert not bad and "raised" in bad.message


def _running(rm, rv, x, momentum=0.1, *, unbiased=True, swap=False):
    keep, new = (momentum, 1 - momentum) if swap else (1 - momentum, momentum)
    return (keep * rm + new * x.mean((0, 2, 3)),
            keep * rv + new * x.var((0, 2, 3), unbiased=unbiased))


def test_bn_running_update():
    assert check.running_update(_running)

    def with_module(rm, rv, x, momentum):
        bn = nn.BatchNorm2d(x.shape[1], momentum=momentum)
        bn.running_mean.copy_(rm)
        bn.running_var.copy_(rv)
        bn(x)
        return bn.running_mean, bn.running_var
    assert check.running_update(with_module)
    bad = check.running_update(lambda *a: _running(*a, unbiased=False))
    assert not bad and "UNBIASED" in bad.message
    bad = check.running_update(lambda *a: _running(*a, swap=True))
    assert not bad and "NEW batch" in bad.message
    bad = check.running_update(lambda rm, rv, x, m: _running(rm, rv, x, 0.1))  # ignores m
    assert not bad and "momentum 0.3" in bad.message
    bad = check.running_update(lambda rm, rv, x, m: _running(rm, rv, x, m)[0])
    assert not bad and "pair" in bad.message
    assert not check.running_update(lambda rm, rv, x, m: (rm, rv))
    assert not check.running_update(lambda *a: None)


# ----------------------------------------------------------------------------- catalogue


def _he_data(weight):                 # replaces the parameter's data: the same parameter
    weight.data = torch.randn(weight.shape) * math.sqrt(2 / weight[0].numel())
    return weight


def _he_on_data(weight):
    weight.data.normal_(0, math.sqrt(2 / weight[0].numel()))
    return weight


def _he_shape_product(weight):
    fan_in = math.prod(weight.shape[1:])
    with torch.no_grad():
        weight.copy_(torch.randn_like(weight) * (2 / fan_in) ** 0.5)
    return weight


def _he_no_return(weight):
    with torch.no_grad():
        weight.normal_(0, math.sqrt(2 / weight[0].numel()))


def _he_xavier(weight):
    return nn.init.xavier_normal_(weight)


def _he_numel(weight):
    with torch.no_grad():
        return weight.normal_(0, math.sqrt(2 / weight.numel()))


def _he_gain_two(weight):
    with torch.no_grad():
        return weight.normal_(0, 2 / math.sqrt(weight[0].numel()))


def _he_seeded(weight):               # the same numbers for every layer of a shape
    torch.manual_seed(0)
    with torch.no_grad():
        return weight.normal_(0, math.sqrt(2 / weight[0].numel()))


def _bn_gamma_hard_coded(x, gamma, beta, eps=1e-5):
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    var = x.var(dim=(0, 2, 3), keepdim=True, unbiased=False)
    return gamma.view(1, 3, 1, 1) * (x - mean) / torch.sqrt(var + eps) + beta.view(1, 3, 1, 1)


def _bn_eps_hard_coded(x, gamma, beta, eps=1e-5):
    return _bn(x, gamma, beta, 1e-5)


def _bn_eps_outside(x, gamma, beta, eps=1e-5):
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    std = x.std(dim=(0, 2, 3), keepdim=True, unbiased=False)
    return gamma.view(1, -1, 1, 1) * (x - mean) / (std + eps) + beta.view(1, -1, 1, 1)


def _bn_in_place(x, gamma, beta, eps=1e-5):
    x -= x.mean(dim=(0, 2, 3), keepdim=True)
    x /= torch.sqrt(x.var(dim=(0, 2, 3), keepdim=True, unbiased=False) + eps)
    return gamma.view(1, -1, 1, 1) * x + beta.view(1, -1, 1, 1)


def _bn_gamma_on_batch(x, gamma, beta, eps=1e-5):   # γ along dim 0
    x_hat = _bn(x, torch.ones_like(gamma), torch.zeros_like(beta), eps)
    return gamma.view(-1, 1, 1, 1) * x_hat + beta.view(-1, 1, 1, 1)


def _bn_module(x, gamma, beta, eps):
    bn = nn.BatchNorm2d(x.shape[1], eps=eps).to(x.dtype)
    with torch.no_grad():
        bn.weight.copy_(gamma)
        bn.bias.copy_(beta)
    return bn


def _bn_by_module(x, gamma, beta, eps=1e-5):       # the module in training mode
    return _bn_module(x, gamma, beta, eps).train()(x).detach()


def _bn_moments(x, gamma, beta, eps=1e-5):         # E[x²] − E[x]², broadcasting with None
    m = x.mean(dim=(0, 2, 3))
    v = (x ** 2).mean(dim=(0, 2, 3)) - m ** 2
    x_hat = (x - m[None, :, None, None]) / (v[None, :, None, None] + eps).sqrt()
    return gamma[:, None, None] * x_hat + beta[:, None, None]


def _running_in_place(rm, rv, x, momentum=0.1):    # as nn.BatchNorm2d updates its buffers
    rm.mul_(1 - momentum).add_(momentum * x.mean((0, 2, 3)))
    rv.mul_(1 - momentum).add_(momentum * x.var((0, 2, 3)))
    return rm, rv


def _running_lerp(rm, rv, x, momentum=0.1):
    flat = x.transpose(0, 1).reshape(x.shape[1], -1)
    return (torch.lerp(rm, flat.mean(1), momentum),
            torch.lerp(rv, flat.var(1, correction=1), momentum))


def _running_m_hard_coded(rm, rv, x, momentum=0.1):
    m = 8 * 5 * 4                                     # the checker's N · H · W
    mean = x.mean((0, 2, 3))
    var = x.var((0, 2, 3), unbiased=False) * m / (m - 1)
    return (1 - momentum) * rm + momentum * mean, (1 - momentum) * rv + momentum * var


def _running_n_only(rm, rv, x, momentum=0.1):      # Bessel's m − 1 with m = N
    n = x.shape[0]
    mean = x.mean((0, 2, 3))
    var = x.var((0, 2, 3), unbiased=False) * n / (n - 1)
    return (1 - momentum) * rm + momentum * mean, (1 - momentum) * rv + momentum * var


def _running_wrong_dims(rm, rv, x, momentum=0.1):
    return ((1 - momentum) * rm + momentum * x.mean((0, 2, 3)),
            (1 - momentum) * rv + momentum * x.var((2, 3)).mean(0))


def _running_std(rm, rv, x, momentum=0.1):
    return ((1 - momentum) * rm + momentum * x.mean((0, 2, 3)),
            (1 - momentum) * rv + momentum * x.std((0, 2, 3)))


CATALOGUE = {
    "he_normal": [
        right("the lecture's answer", _he()),
        right("nn.init.kaiming_normal_", lambda w: nn.init.kaiming_normal_(
            w, nonlinearity="relu")),
        right("kaiming_normal_ with its default (leaky_relu, a=0)", nn.init.kaiming_normal_),
        right("replaces .data", _he_data),
        right("normal_ on .data, no torch.no_grad()", _he_on_data),
        right("copy_ of randn, fan-in from the shape", _he_shape_product),
        wrong("no gain √2", _he(gain=1.0), hint="gain √2"),
        wrong("fan-out", _he(fan="out"), hint="fan-OUT"),
        wrong("uniform", _he(kind="uniform"), hint="uniform"),
        wrong("Xavier/Glorot", _he_xavier, hint="Glorot"),
        wrong("C_in only for a conv", lambda w: (lambda s: torch.no_grad()(
            lambda: w.normal_(0, s))())(math.sqrt(2 / w.shape[1])), hint="C_in · k · k"),
        wrong("all the weights as n_in", _he_numel, hint="all the weights"),
        wrong("variance used as the std", lambda w: torch.no_grad()(
            lambda: w.normal_(0, 2 / w[0].numel()))(), hint="square root"),
        wrong("gain 2, not √2", _he_gain_two, hint="2 / n_in"),
        wrong("mean 1", lambda w: torch.no_grad()(
            lambda: w.normal_(1.0, math.sqrt(2 / w[0].numel())))(), hint="mean 0"),
        wrong("no torch.no_grad()", lambda w: w.normal_(0, math.sqrt(2 / w[0].numel())),
              hint="torch.no_grad()"),
        wrong("a new tensor", lambda w: torch.randn(w.shape) * math.sqrt(2 / w[0].numel()),
              hint="IN PLACE"),
        wrong("fills but returns nothing", _he_no_return, hint="return"),
        wrong("seeds the generator inside", _he_seeded, hint="seed"),
    ],
    "batch_norm_train": [
        right("the lecture's answer", _bn),
        right("F.batch_norm", lambda x, g, b, eps: F.batch_norm(x, None, None, g, b,
                                                                training=True, eps=eps)),
        right("nn.BatchNorm2d in training mode", _bn_by_module),
        right("E[x²] − E[x]², γ as (C, 1, 1)", _bn_moments),
        wrong("unbiased variance", lambda x, g, b, eps: _bn(x, g, b, eps, unbiased=True),
              hint="biased variance"),
        wrong("statistics over the batch dimension only",
              lambda x, g, b, eps: _bn(x, g, b, eps, dims=(0,)), hint="batch dimension only"),
        wrong("statistics over everything",
              lambda x, g, b, eps: _bn(x, g, b, eps, dims=(0, 1, 2, 3)),
              hint="not over everything"),
        wrong("per image and channel (instance norm)",
              lambda x, g, b, eps: _bn(x, g, b, eps, dims=(2, 3)), hint="each image"),
        wrong("per image (layer norm)",
              lambda x, g, b, eps: _bn(x, g, b, eps, dims=(1, 2, 3)), hint="each image"),
        wrong("no ε", lambda x, g, b, eps: _bn(x, g, b, eps, use_eps=False), hint="add ε"),
        wrong("ε added to the std", _bn_eps_outside, hint="under the square root"),
        wrong("ε = 1e-5 hard-coded", _bn_eps_hard_coded, hint="eps"),
        wrong("no γ and β", lambda x, g, b, eps: _bn(x, g, b, eps, affine=False),
              hint="scale by γ"),
        wrong("C = 3 hard-coded", _bn_gamma_hard_coded, hint="raised"),
        wrong("γ and β along the batch dimension", _bn_gamma_on_batch, hint="dim 1"),
        wrong("normalises x in place", _bn_in_place, hint="in place"),
        wrong("nn.BatchNorm2d in eval mode: running statistics", lambda x, g, b, eps: (
            lambda bn: bn.eval()(x).detach())(_bn_module(x, g, b, eps)), hint="batch mean"),
        wrong("the channel means", lambda x, g, b, eps: x.mean((0, 2, 3)), hint="shape"),
    ],
    "running_update": [
        right("the lecture's answer", _running),
        right("nn.BatchNorm2d's own buffers", lambda rm, rv, x, m: _module_update(rm, rv, x, m)),
        right("in place, as BatchNorm2d does", _running_in_place),
        right("torch.lerp over a reshaped x", _running_lerp),
        wrong("biased batch variance", lambda *a: _running(*a, unbiased=False), hint="UNBIASED"),
        wrong("momentum on the old value", lambda *a: _running(*a, swap=True), hint="NEW batch"),
        wrong("momentum 0.1 hard-coded", lambda rm, rv, x, m: _running(rm, rv, x, 0.1),
              hint="momentum 0.3"),
        wrong("m = N·H·W of the checker's batch hard-coded", _running_m_hard_coded,
              hint="m − 1"),
        wrong("m − 1 with m = N only", _running_n_only, hint="m − 1"),
        wrong("variance per image, then averaged", _running_wrong_dims, hint="running variance"),
        wrong("std instead of variance", _running_std, hint="running variance"),
        wrong("the mean only", lambda rm, rv, x, m: _running(rm, rv, x, m)[0], hint="pair"),
        wrong("unchanged buffers", lambda rm, rv, x, m: (rm, rv), hint="running mean"),
    ],
}


def _module_update(rm, rv, x, momentum):
    bn = nn.BatchNorm2d(x.shape[1], momentum=momentum)
    bn.running_mean.copy_(rm)
    bn.running_var.copy_(rv)
    bn(x)
    return bn.running_mean, bn.running_var
