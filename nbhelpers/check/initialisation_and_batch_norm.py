"""Exercises of lecture 08 (initialisation and batch normalisation): He initialisation by
hand, batch norm in training mode, and the update of the running statistics.

Each checker runs the student's function on tensors of its own and compares with
``torch.nn.init`` / ``nn.BatchNorm2d``; the hints name the usual mistakes, never the solution.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

from nbhelpers.check import NotYet, Result, call, close, correct, exercise, not_yet, tensor

#: (shape, fan_in, fan_out) of the weights the He exercise fills: n_in != n_out, and a conv
#: whose fans include the kernel size.
_HE_SHAPES = [((256, 512), 512, 256), ((32, 64, 3, 3), 576, 288)]


def _kurtosis(w: torch.Tensor) -> float:
    """E[(w - mean)^4] / Var^2: 3 for a normal distribution, 1.8 for a uniform one."""
    d = w.double().flatten() - w.double().mean()
    return float((d**4).mean() / (d**2).mean() ** 2)


def _he_hint(ratio: float, fan_in: int, fan_out: int, shape: tuple[int, ...]) -> str:
    """A hint for a std that is ``ratio`` times He's ``sqrt(2 / fan_in)``."""
    guesses = {
        "without the gain √2: std = √(2 / n_in), not √(1 / n_in).": math.sqrt(0.5),
        "that is the fan-OUT; He (mode 'fan_in') uses n_in, the number of inputs of each "
        "output: weight.shape[1] times the kernel size.": math.sqrt(fan_in / fan_out),
    }
    if len(shape) == 4:
        guesses["for a convolution n_in = C_in · k · k (the inputs of one output), not just "
                "C_in."] = math.sqrt(fan_in / shape[1])
    for hint, expected in guesses.items():
        if abs(ratio / expected - 1) < 0.05:
            return hint
    want = math.sqrt(2 / fan_in)
    if abs(ratio * want / (2 / fan_in) - 1) < 0.05:
        return "you used the variance 2 / n_in as the std; the std is its square root."
    return (f"for a weight of shape {shape} the std should be √(2 / {fan_in}) = {want:.4f}, "
            f"yours is {ratio * want:.4f}.")


@exercise
def init_he_normal(fn: Callable[[torch.Tensor], torch.Tensor]) -> Result:
    """``fn(weight)`` fills ``weight`` in place with N(0, 2 / fan_in) values and returns it, as
    ``nn.init.kaiming_normal_(weight, nonlinearity="relu")``; also for an ``nn.Parameter``."""
    for shape, fan_in, fan_out in _HE_SHAPES:
        layer = nn.Linear(shape[1], shape[0]) if len(shape) == 2 else nn.Conv2d(
            shape[1], shape[0], shape[2])
        weight = layer.weight
        before = weight.detach().clone()
        with torch.random.fork_rng():
            torch.manual_seed(8)
            try:
                out = call(fn, weight)
            except RuntimeError as err:
                if "leaf Variable" in str(err) or "in-place" in str(err):
                    raise NotYet("a layer's weight requires grad, so autograd forbids changing "
                                 "it in place as is: do it inside `with torch.no_grad():`.") \
                        from err
                raise
        out = tensor(out, shape=shape, hint="return the weight you filled")
        if torch.equal(weight.detach(), before):
            return not_yet("the weight passed in is unchanged: fill it IN PLACE (e.g. with "
                           "weight.normal_(...)) and return it, like the nn.init functions.")
        if not torch.equal(out, weight.detach().double()):
            return not_yet("return the same tensor you filled (the nn.init functions return "
                           "their argument).")
        w = weight.detach()
        if abs(w.mean().item()) > 0.05 * w.std().item():
            return not_yet(f"the values should have mean 0, yours have mean {w.mean():.4f}.")
        ratio = w.std().item() / math.sqrt(2 / fan_in)
        if abs(ratio - 1) > 0.03:
            return not_yet(_he_hint(ratio, fan_in, fan_out, shape))
        if _kurtosis(w) < 2.5:
            return not_yet("the std is right, but the values look uniformly distributed; this "
                           "is the *normal* version (normal_, or torch.randn).")
    return correct("He-normal init by hand: std √(2 / n_in), also for a convolution's "
                   "C_in · k · k inputs.")


def _bn_inputs() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """x of shape (8, 3, 5, 4) with a small-variance channel (so ε matters), γ and β (3,)."""
    g = torch.Generator().manual_seed(8)
    x = torch.randn(8, 3, 5, 4, generator=g, dtype=torch.float64)
    x = x * torch.tensor([2.0, 0.003, 1.0], dtype=torch.float64).view(1, 3, 1, 1)
    x = x + torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64).view(1, 3, 1, 1)
    gamma = torch.tensor([1.5, 0.5, -1.0], dtype=torch.float64)
    beta = torch.tensor([0.2, -0.3, 1.0], dtype=torch.float64)
    return x, gamma, beta


@exercise
def bn_train_forward(fn: Callable[..., torch.Tensor]) -> Result:
    """``fn(x, gamma, beta, eps)`` for x ``(N, C, H, W)``, gamma/beta ``(C,)``: the output of
    ``nn.BatchNorm2d`` in training mode (batch statistics, biased variance, ε)."""
    x, gamma, beta = _bn_inputs()
    eps = 1e-5
    got = tensor(call(fn, x.clone(), gamma.clone(), beta.clone(), eps), shape=tuple(x.shape),
                 hint="the output has the shape of x")
    want = nn.functional.batch_norm(x, None, None, gamma, beta, training=True, eps=eps)
    if close(got, want, rtol=1e-4, atol=1e-5):
        return correct("your batch norm equals nn.BatchNorm2d in training mode.")

    def normed(mean: torch.Tensor, var: torch.Tensor, e: float = eps) -> torch.Tensor:
        return gamma.view(1, -1, 1, 1) * (x - mean) / torch.sqrt(var + e) + beta.view(1, -1, 1, 1)

    dims = (0, 2, 3)
    mean = x.mean(dim=dims, keepdim=True)
    wrong = {
        "use the biased variance (divide by m = N·H·W, `unbiased=False`) to normalise; the "
        "unbiased one is only for the running statistics.":
            normed(mean, x.var(dim=dims, keepdim=True)),
        "the statistics are per channel over N, H and W; you took them over the batch dimension "
        "only (one mean per pixel).":
            normed(x.mean(0, keepdim=True), x.var(0, keepdim=True, unbiased=False)),
        "the statistics are per channel: average over dims (0, 2, 3), not over everything.":
            normed(x.mean(), x.var(unbiased=False)),
        "add ε to the variance under the square root: it matters for a channel whose values "
        "are nearly constant.": normed(mean, x.var(dim=dims, keepdim=True, unbiased=False), 0.0),
        "then scale by γ and shift by β (one per channel).":
            (x - mean) / torch.sqrt(x.var(dim=dims, keepdim=True, unbiased=False) + eps),
    }
    for hint, candidate in wrong.items():
        if close(got, candidate, rtol=1e-4, atol=1e-5):
            return not_yet(hint)
    return not_yet(f"your output differs from nn.BatchNorm2d's by up to "
                   f"{(got - want).abs().max():.3g}: normalise each channel with its batch mean "
                   "and variance, then apply γ and β.")


@exercise
def bn_running_update(fn: Callable[..., tuple[torch.Tensor, torch.Tensor]]) -> Result:
    """``fn(running_mean, running_var, x, momentum) -> (new_mean, new_var)``: the buffers of
    ``nn.BatchNorm2d`` after one training-mode forward pass over ``x`` ``(N, C, H, W)``."""
    x, _, _ = _bn_inputs()
    x = x.float()
    c = x.shape[1]
    g = torch.Generator().manual_seed(9)
    r_mean, r_var = torch.randn(c, generator=g), torch.rand(c, generator=g) + 0.5
    for momentum in (0.1, 0.3):
        bn = nn.BatchNorm2d(c, momentum=momentum)
        bn.running_mean.copy_(r_mean)
        bn.running_var.copy_(r_var)
        bn.train()(x)
        out = call(fn, r_mean.clone(), r_var.clone(), x.clone(), momentum)
        if not isinstance(out, tuple | list) or len(out) != 2:
            return not_yet("return a pair (new_mean, new_var).")
        new_mean = tensor(out[0], shape=(c,), hint="the new running mean, one per channel")
        new_var = tensor(out[1], shape=(c,), hint="the new running variance, one per channel")
        batch_mean, batch_var = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3))
        swapped_mean = momentum * r_mean + (1 - momentum) * batch_mean
        if close(new_mean, swapped_mean) and not close(new_mean, bn.running_mean):
            return not_yet(f"momentum = {momentum} is the weight of the NEW batch: "
                           "(1 − momentum) · old + momentum · batch.")
        if not close(new_mean, bn.running_mean):
            return not_yet(f"the running mean is off (momentum {momentum}): mix the old value "
                           "and the batch's per-channel mean over dims (0, 2, 3).")
        biased = (1 - momentum) * r_var + momentum * x.var(dim=(0, 2, 3), unbiased=False)
        if close(new_var, biased):
            return not_yet("the running variance uses the UNBIASED batch variance (divide by "
                           "m − 1), unlike the normalisation itself.")
        if not close(new_var, bn.running_var):
            expected = (1 - momentum) * r_var + momentum * batch_var
            return not_yet(f"the running variance is off by up to "
                           f"{(new_var - expected.double()).abs().max():.3g} (momentum "
                           f"{momentum}).")
    return correct("your update matches nn.BatchNorm2d's running_mean and running_var.")
