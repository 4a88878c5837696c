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

#: (shape, fan_in, fan_out) of the weights the He exercise fills: n_in != n_out (n_in = 3 n_out
#: first, so that the fan-out and a gain of 2 give different stds), and a conv whose fans
#: include the kernel size.
_HE_SHAPES = [((100, 300), 300, 100), ((256, 512), 512, 256), ((32, 64, 3, 3), 576, 288)]


def _kurtosis(w: torch.Tensor) -> float:
    """E[(w - mean)^4] / Var^2: 3 for a normal distribution, 1.8 for a uniform one."""
    d = w.double().flatten() - w.double().mean()
    return float((d**4).mean() / (d**2).mean() ** 2)


def _he_hint(ratio: float, fan_in: int, fan_out: int, shape: tuple[int, ...]) -> str:
    """A hint for a std that is ``ratio`` times He's ``sqrt(2 / fan_in)``."""
    numel = math.prod(shape)
    guesses = {
        "without the gain √2: std = √(2 / n_in), not √(1 / n_in).": math.sqrt(0.5),
        "your std is 2 / √n_in, a variance of 4 / n_in; He's variance is 2 / n_in (the gain "
        "is √2, not 2).": math.sqrt(2),
        "that is Glorot (Xavier) initialisation, std √(2 / (n_in + n_out)), made for tanh; He "
        "for ReLU uses n_in alone.": math.sqrt(fan_in / (fan_in + fan_out)),
        "n_in is the number of inputs of ONE output (one row of the weight), not all the "
        "weights of the layer.": math.sqrt(fan_in / numel),
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


def _fill(fn: Callable, weight: torch.Tensor, before: torch.Tensor) -> object:
    """``fn(weight)``, with the hints for a weight that requires grad and for a function that
    fills the weight but returns nothing."""
    try:
        return call(fn, weight)
    except NotYet:
        if callable(fn) and not torch.equal(weight.detach(), before):
            raise NotYet("you filled the weight but returned nothing: return it, as the "
                         "nn.init functions do.") from None
        raise
    except RuntimeError as err:
        if "leaf Variable" in str(err) or "in-place" in str(err):
            raise NotYet("a layer's weight requires grad, so autograd forbids changing "
                         "it in place as is: do it inside `with torch.no_grad():`.") from err
        raise


@exercise
def he_normal(fn: Callable[[torch.Tensor], torch.Tensor]) -> Result:
    """``fn(weight)`` fills ``weight`` in place with N(0, 2 / fan_in) values and returns it, as
    ``nn.init.kaiming_normal_(weight, nonlinearity="relu")``; also for an ``nn.Parameter``."""
    for shape, fan_in, fan_out in _HE_SHAPES:
        layer = nn.Linear(shape[1], shape[0]) if len(shape) == 2 else nn.Conv2d(
            shape[1], shape[0], shape[2])
        weight = layer.weight
        before = weight.detach().clone()
        with torch.random.fork_rng():
            torch.manual_seed(8)
            out = _fill(fn, weight, before)
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
        other = nn.Linear(shape[1], shape[0]).weight if len(shape) == 2 else nn.Conv2d(
            shape[1], shape[0], shape[2]).weight
        with torch.random.fork_rng():
            torch.manual_seed(9)
            _fill(fn, other, other.detach().clone())
        if torch.equal(other.detach(), w):
            return not_yet("two layers of the same shape got exactly the same numbers: do not "
                           "seed the random generator inside the function (torch.manual_seed "
                           "there makes every layer start alike).")
    return correct("He-normal init by hand: std √(2 / n_in), also for a convolution's "
                   "C_in · k · k inputs.")


def _bn_inputs(n: int = 8, c: int = 3, h: int = 5, w: int = 4, seed: int = 8
               ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """x of shape (n, c, h, w) with a small-variance channel 1 (so ε matters), γ and β (c,)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, c, h, w, generator=g, dtype=torch.float64)
    scale = torch.tensor([2.0, 0.003, 1.0, 0.5, 3.0], dtype=torch.float64)[:c]
    shift = torch.tensor([1.0, -2.0, 0.5, 0.0, -1.0], dtype=torch.float64)[:c]
    x = x * scale.view(1, c, 1, 1) + shift.view(1, c, 1, 1)
    gamma = torch.tensor([1.5, 0.5, -1.0, 2.0, 0.25], dtype=torch.float64)[:c]
    beta = torch.tensor([0.2, -0.3, 1.0, -0.5, 0.0], dtype=torch.float64)[:c]
    return x, gamma, beta


#: (N, C, H, W, seed, eps) of the batches batch_norm_train tries: first one with N = C (so γ
#: broadcast along the batch dimension shows in the values) and another ε, then the lecture's.
_BN_FORWARD = ((4, 4, 3, 6, 10, 1e-3), (8, 3, 5, 4, 8, 1e-5))


def _bn_forward_hint(got: torch.Tensor, x: torch.Tensor, gamma: torch.Tensor,
                     beta: torch.Tensor, eps: float) -> str:
    """The hint for a batch norm output ``got`` that differs from torch's."""
    want = nn.functional.batch_norm(x, None, None, gamma, beta, training=True, eps=eps)
    g, b = gamma.view(1, -1, 1, 1), beta.view(1, -1, 1, 1)

    def normed(mean: torch.Tensor, var: torch.Tensor, e: float = eps) -> torch.Tensor:
        return g * (x - mean) / torch.sqrt(var + e) + b

    dims = (0, 2, 3)
    mean = x.mean(dim=dims, keepdim=True)
    biased = x.var(dim=dims, keepdim=True, unbiased=False)
    per_image = "the statistics are per channel over the whole batch (dims 0, 2 and 3); "
    wrong = {
        "use the biased variance (divide by m = N·H·W, `unbiased=False`) to normalise; the "
        "unbiased one is only for the running statistics.":
            normed(mean, x.var(dim=dims, keepdim=True)),
        "the statistics are per channel over N, H and W; you took them over the batch dimension "
        "only (one mean per pixel).":
            normed(x.mean(0, keepdim=True), x.var(0, keepdim=True, unbiased=False)),
        "the statistics are per channel: average over dims (0, 2, 3), not over everything.":
            normed(x.mean(), x.var(unbiased=False)),
        per_image + "you took them for each image and channel separately.":
            normed(x.mean((2, 3), keepdim=True), x.var((2, 3), keepdim=True, unbiased=False)),
        per_image + "you took them for each image, over all its channels.":
            normed(x.mean((1, 2, 3), keepdim=True),
                   x.var((1, 2, 3), keepdim=True, unbiased=False)),
        "add ε to the variance under the square root: it matters for a channel whose values "
        "are nearly constant.": normed(mean, biased, 0.0),
        "ε goes under the square root, added to the variance, not to the standard deviation.":
            g * (x - mean) / (biased.sqrt() + eps) + b,
        f"use the eps argument (here {eps:g}), not a constant of your own.":
            normed(mean, biased, 1e-5),
        "then scale by γ and shift by β (one per channel).": (x - mean) / torch.sqrt(biased + eps),
    }
    if x.shape[0] == x.shape[1]:  # only then does γ along the batch dimension broadcast
        wrong["γ and β belong to the channels, dim 1 of x: shape them (1, C, 1, 1), not along "
              "the batch dimension."] = (gamma.view(-1, 1, 1, 1) * (x - mean)
                                         / torch.sqrt(biased + eps) + beta.view(-1, 1, 1, 1))
    for hint, candidate in wrong.items():
        if candidate.shape == got.shape and close(got, candidate, rtol=1e-4, atol=1e-5):
            return hint
    return (f"your output differs from nn.BatchNorm2d's by up to "
            f"{(got - want).abs().max():.3g}: normalise each channel with its batch mean "
            "and variance, then apply γ and β.")


@exercise
def batch_norm_train(fn: Callable[..., torch.Tensor]) -> Result:
    """``fn(x, gamma, beta, eps)`` for x ``(N, C, H, W)``, gamma/beta ``(C,)``: the output of
    ``nn.BatchNorm2d`` in training mode (batch statistics, biased variance, ε); tried on the
    lecture's batch and on one with N = C = 4 and another ε; the inputs must come back
    unchanged."""
    for n, c, h, w, seed, eps in _BN_FORWARD:
        x, gamma, beta = _bn_inputs(n, c, h, w, seed)
        args = [x.clone(), gamma.clone(), beta.clone()]
        got = tensor(call(fn, *args, eps), shape=tuple(x.shape),
                     hint="the output has the shape of x")
        for name, before, after in zip(("x", "gamma", "beta"), (x, gamma, beta), args,
                                       strict=True):
            if not torch.equal(before, after):
                return not_yet(f"your function changed its input {name} in place (x -= ..., "
                               "x /= ...): the caller still needs it; compute a new tensor.")
        want = nn.functional.batch_norm(x, None, None, gamma, beta, training=True, eps=eps)
        if close(got, want, rtol=1e-4, atol=1e-5):
            continue
        hint = _bn_forward_hint(got, x, gamma, beta, eps)
        where = "" if (n, c, h, w) == (8, 3, 5, 4) else f"for x of shape {(n, c, h, w)} " \
            f"and eps = {eps:g}: "
        return not_yet(where + hint)
    return correct("your batch norm equals nn.BatchNorm2d in training mode.")


@exercise
def running_update(fn: Callable[..., tuple[torch.Tensor, torch.Tensor]]) -> Result:
    """``fn(running_mean, running_var, x, momentum) -> (new_mean, new_var)``: the buffers of
    ``nn.BatchNorm2d`` after one training-mode forward pass over ``x`` ``(N, C, H, W)``."""
    for shape, momentum in (((8, 3, 5, 4), 0.1), ((8, 3, 5, 4), 0.3), ((4, 2, 3, 3), 0.2)):
        hint = _running_hint(fn, shape, momentum)
        if hint is not None:
            return not_yet(hint if shape == (8, 3, 5, 4) else f"for x of shape {shape}: {hint}")
    return correct("your update matches nn.BatchNorm2d's running_mean and running_var.")


def _running_hint(fn: Callable[..., tuple[torch.Tensor, torch.Tensor]],
                  shape: tuple[int, int, int, int], momentum: float) -> str | None:
    """None when ``fn`` updates the buffers as nn.BatchNorm2d does for a batch of ``shape``
    and ``momentum``, else the hint."""
    x, _, _ = _bn_inputs(*shape)
    x = x.float()
    c = x.shape[1]
    g = torch.Generator().manual_seed(9)
    r_mean, r_var = torch.randn(c, generator=g), torch.rand(c, generator=g) + 0.5
    bn = nn.BatchNorm2d(c, momentum=momentum)
    bn.running_mean.copy_(r_mean)
    bn.running_var.copy_(r_var)
    bn.train()(x)
    out = call(fn, r_mean.clone(), r_var.clone(), x.clone(), momentum)
    if not isinstance(out, tuple | list) or len(out) != 2:
        return "return a pair (new_mean, new_var)."
    new_mean = tensor(out[0], shape=(c,), hint="the new running mean, one per channel")
    new_var = tensor(out[1], shape=(c,), hint="the new running variance, one per channel")
    batch_mean, batch_var = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3))
    swapped_mean = momentum * r_mean + (1 - momentum) * batch_mean
    if close(new_mean, swapped_mean) and not close(new_mean, bn.running_mean):
        return (f"momentum = {momentum} is the weight of the NEW batch: "
                "(1 − momentum) · old + momentum · batch.")
    if not close(new_mean, bn.running_mean):
        return (f"the running mean is off (momentum {momentum}): mix the old value "
                "and the batch's per-channel mean over dims (0, 2, 3).")
    batch_biased = x.var(dim=(0, 2, 3), unbiased=False)
    if close(new_var, (1 - momentum) * r_var + momentum * batch_biased):
        return ("the running variance uses the UNBIASED batch variance (divide by "
                "m − 1), unlike the normalisation itself.")
    if not close(new_var, bn.running_var):
        m = x.numel() // c
        big = batch_biased > 1e-3          # float32 leaves too few digits in a tiny variance
        factor = ((new_var - (1 - momentum) * r_var.double()) / (momentum * batch_biased))[big]
        if torch.allclose(factor, factor.mean().expand_as(factor), rtol=1e-4):
            k = factor.mean().item()
            count = k / (k - 1) if k > 1 else 0.0      # k = count / (count − 1)
            if count > 1.5 and abs(count - round(count)) < 0.01 * count:
                return (f"your Bessel correction uses m = {round(count)}: m − 1 counts all "
                        f"the values of a channel in this batch, m = N·H·W = {m}.")
        expected = (1 - momentum) * r_var + momentum * batch_var
        return (f"the running variance is off by up to "
                f"{(new_var - expected.double()).abs().max():.3g} (momentum "
                f"{momentum}).")
    return None
