"""The checkers of lecture 14 accept the reference answers and reject the usual mistakes."""

from __future__ import annotations

import math

import numpy as np
import torch
from shared import right, wrong
from torch import nn

from nbhelpers.check import cnn_regression as check

# ----------------------------------------------------------------------------- standardise


def _std(t):
    mean, std = t.mean(0), t.std(0)
    return (t - mean) / std, mean, std


def _unstd(z, mean, std):
    return z * std + mean


def test_standardise_accepts_references():
    assert check.standardise(_std, _unstd)

    def biased(t):
        return ((t - t.mean(0)) / t.std(0, correction=0), t.mean(0), t.std(0, correction=0))

    assert check.standardise(biased, _unstd)

    def keepdim(t):
        mean, std = t.mean(0, keepdim=True), t.std(0, keepdim=True)
        return (t - mean) / std, mean, std

    assert check.standardise(keepdim, _unstd)


def test_standardise_rejects_whole_tensor_statistics():
    def whole(t):
        return ((t - t.mean()) / t.std(), t.mean(), t.std())

    result = check.standardise(whole, _unstd)
    assert not result and "dim=0" in result.message


def test_standardise_rejects_wrong_axis_and_variance():
    def rows(t):
        return ((t - t.mean(1, keepdim=True)) / t.std(1, keepdim=True), t.mean(1), t.std(1))

    assert not check.standardise(rows, _unstd)

    def variance(t):
        return ((t - t.mean(0)) / t.var(0), t.mean(0), t.var(0))

    result = check.standardise(variance, _unstd)
    assert not result and "variance" in result.message

    def no_centre(t):
        return (t / t.std(0), t.mean(0), t.std(0))

    assert not check.standardise(no_centre, _unstd)


def test_standardise_rejects_in_place():
    def in_place(t):
        mean, std = t.mean(0), t.std(0)
        t.sub_(mean).div_(std)
        return t, mean, std

    result = check.standardise(in_place, _unstd)
    assert not result and "in place" in result.message


def test_standardise_rejects_wrong_inverse():
    forgot_mean = check.standardise(_std, lambda z, m, s: z * s)
    assert not forgot_mean and "add the mean" in forgot_mean.message
    order = check.standardise(_std, lambda z, m, s: (z + m) * s)
    assert not order and "reverse order" in order.message
    assert not check.standardise(_std, lambda z, m, s: z / s + m)

    stats = {}

    def remembering(t):  # keeps the statistics in a global instead of using its arguments
        z, stats["m"], stats["s"] = _std(t)
        return z, stats["m"], stats["s"]

    result = check.standardise(remembering, lambda z, m, s: z * stats["s"] + stats["m"])
    assert not result and "given" in result.message


def test_standardise_never_crashes():
    assert not check.standardise(lambda t: 1 / 0, _unstd)
    assert not check.standardise(lambda t: None, _unstd)
    assert not check.standardise(lambda t: t, _unstd)  # not a triple
    assert not check.standardise(_std, None)
    assert not check.standardise(None)
    assert not check.standardise(_std, lambda z, m, s: "no")


# ----------------------------------------------------------------------------- head


def test_head_accepts_linear_layers():
    assert check.regression_head(lambda i, n: nn.Linear(i, n))
    assert check.regression_head(lambda i, n: nn.Sequential(nn.Dropout(0.2), nn.Linear(i, n)))
    assert check.regression_head(lambda i, n: nn.Linear(i, n, bias=False))


def test_head_leaves_the_global_random_stream_alone():
    torch.manual_seed(3)
    expected = torch.rand(3)
    torch.manual_seed(3)
    check.regression_head(lambda i, n: nn.Linear(i, n))
    assert torch.equal(torch.rand(3), expected)


def test_head_rejects_activations_and_wrong_sizes():
    for act in (nn.ReLU(), nn.Sigmoid(), nn.Tanh(), nn.Softmax(dim=1)):
        result = check.regression_head(lambda i, n, act=act: nn.Sequential(nn.Linear(i, n), act))
        assert not result and "activation" in result.message, act

    def hidden(i, n):
        return nn.Sequential(nn.Linear(i, 16), nn.ELU(), nn.Linear(16, n))

    assert not check.regression_head(hidden)
    classes = check.regression_head(lambda i, n: nn.Linear(i, 10))
    assert not classes and "one number per target" in classes.message
    assert not check.regression_head(lambda i, n: nn.Linear(n, i))  # swapped: raises inside


def test_head_rejects_untrainable_or_degenerate_layers():
    def frozen(i, n):
        layer = nn.Linear(i, n)
        layer.requires_grad_(False)
        return layer

    assert not check.regression_head(frozen)

    def zero(i, n):  # started at zero, as the lecture's Inception3: it learns all the same
        layer = nn.Linear(i, n)
        nn.init.zeros_(layer.weight)
        return layer

    assert check.regression_head(zero)

    def zero_pair(i, n):  # two linear layers both at zero: no gradient reaches the weights
        layers = nn.Sequential(nn.Linear(i, 8), nn.Linear(8, n))
        for p in layers.parameters():
            nn.init.zeros_(p)
        return layers

    result = check.regression_head(zero_pair)
    assert not result and "gradient" in result.message
    assert not check.regression_head(lambda i, n: torch.zeros(i, n))  # not a module
    assert not check.regression_head(lambda i, n: 1 / 0)
    assert not check.regression_head("nn.Linear")


# ----------------------------------------------------------------------------- epoch loss


def test_epoch_loss():
    def reference(losses, sizes):
        return sum(l_ * n for l_, n in zip(losses, sizes, strict=True)) / sum(sizes)

    assert check.epoch_loss(reference)

    def as_tensor(losses, sizes):
        return (torch.tensor(losses) * torch.tensor(sizes)).sum() / sum(sizes)

    assert check.epoch_loss(as_tensor)

    def lecture_sum(losses, sizes):  # what the lecture text prints
        return sum(l_ * n for l_, n in zip(losses, sizes, strict=True))

    lecture = check.epoch_loss(lecture_sum)
    assert not lecture and "SUM" in lecture.message
    mean_of_means = check.epoch_loss(lambda losses, sizes: sum(losses) / len(losses))
    assert not mean_of_means and "small last batch" in mean_of_means.message
    assert not check.epoch_loss(lambda losses, sizes: sum(losses))
    assert not check.epoch_loss(lambda losses, sizes: torch.tensor(losses))
    assert not check.epoch_loss(lambda losses, sizes: None)
    assert not check.epoch_loss(lambda losses, sizes: 1 / 0)
    assert not check.epoch_loss(0.5)


# ----------------------------------------------------------------------------- angle error


def test_angle_error():
    def reference(pred, true):
        d = (pred - true).remainder(math.pi)
        return torch.minimum(d, math.pi - d)

    assert check.angle_error(reference)

    def other_form(p, t):
        return ((p - t + math.pi / 2).remainder(math.pi) - math.pi / 2).abs()

    assert check.angle_error(other_form)

    def via_double(p, t):
        return torch.atan2(torch.sin(2 * (p - t)), torch.cos(2 * (p - t))).abs() / 2

    assert check.angle_error(via_double)

    plain = check.angle_error(lambda p, t: (p - t).abs())
    assert not plain and "wrap" in plain.message

    def two_pi(p, t):
        d = (p - t).remainder(2 * math.pi)
        return torch.minimum(d, 2 * math.pi - d)

    result = check.angle_error(two_pi)
    assert not result and "2 pi" in result.message
    no_min = check.angle_error(lambda p, t: (p - t).remainder(math.pi))
    assert not no_min and "shorter" in no_min.message
    degrees = check.angle_error(lambda p, t: torch.rad2deg(reference(p, t)))
    assert not degrees and "radians" in degrees.message
    assert not check.angle_error(lambda p, t: reference(p, t).mean())
    assert not check.angle_error(lambda p, t: 1 / 0)
    assert not check.angle_error(lambda p, t: [0.0])
    assert not check.angle_error(None)


def test_checkers_are_registered_and_never_reveal_the_solution():
    names = {"standardise", "regression_head", "epoch_loss",
             "angle_error"}
    assert all(callable(getattr(check, name)) for name in names)
    messages = [check.angle_error(lambda p, t: (p - t).abs()).message,
                check.epoch_loss(lambda a, b: 0.0).message]
    assert not any("remainder" in m or "minimum" in m for m in messages)


# ----------------------------------------------------------------------------- catalogue


def _std_biased(t):
    mean, std = t.mean(0), t.std(0, correction=0)
    return (t - mean) / std, mean, std


def _std_keepdim(t):
    mean, std = t.mean(0, keepdim=True), t.std(0, keepdim=True)
    return (t - mean) / std, mean, std


def _std_float64(t):                     # computed in float64, returned as float64
    t = t.double()
    mean, std = t.mean(0), t.std(0)
    return (t - mean) / std, mean, std


def _std_unstable(t):                    # sqrt(E[t²] − E[t]²): cancels for targets far from 0
    mean = t.mean(0)
    std = ((t**2).mean(0) - mean**2).clamp(min=0).sqrt()
    return (t - mean) / std, mean, std


def _std_eps(t):                         # a guard against a zero std
    mean, std = t.mean(0), t.std(0) + 1e-6
    return (t - mean) / std, mean, std


def _std_whole(t):
    return (t - t.mean()) / t.std(), t.mean(), t.std()


def _std_rows(t):
    return ((t - t.mean(1, keepdim=True)) / t.std(1, keepdim=True), t.mean(1), t.std(1))


def _std_variance(t):
    return (t - t.mean(0)) / t.var(0), t.mean(0), t.var(0)


def _std_returns_variance(t):            # divides by the std, hands back the variance
    z, mean, std = _std(t)
    return z, mean, std**2


def _std_swapped(t):
    z, mean, std = _std(t)
    return z, std, mean


def _std_min_max(t):
    low, high = t.min(0).values, t.max(0).values
    return (t - low) / (high - low), low, high - low


def _std_in_place(t):
    mean, std = t.mean(0), t.std(0)
    t.sub_(mean).div_(std)
    return t, mean, std


def _unstd_in_place(z, mean, std):
    return z.mul_(std).add_(mean)


def _head_zero(i, n):                    # started at zero, as the lecture's Inception3 head
    layer = nn.Linear(i, n)
    nn.init.zeros_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


def _head_zero_pair(i, n):
    layers = nn.Sequential(nn.Linear(i, 8), nn.Linear(8, n))
    for p in layers.parameters():
        nn.init.zeros_(p)
    return layers


def _head_frozen(i, n):
    return nn.Linear(i, n).requires_grad_(False)


def _head_one_output_repeated(i, n):
    class Repeat(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(i, 1)

        def forward(self, x):
            return self.fc(x).expand(-1, n)

    return Repeat()


def _angle(pred, true):                  # the lecture's answer
    d = (pred - true) % math.pi
    return torch.minimum(d, math.pi - d)


def _angle_fmod_abs(pred, true):
    d = torch.fmod(pred - true, math.pi).abs()
    return torch.minimum(d, math.pi - d)


def _angle_fmod(pred, true):             # fmod keeps the sign
    d = torch.fmod(pred - true, math.pi)
    return torch.minimum(d, math.pi - d)


def _angle_in_place(pred, true):
    pred -= true
    d = pred.remainder_(math.pi)
    return torch.minimum(d, math.pi - d)


def _angle_two_pi(pred, true):
    d = (pred - true).remainder(2 * math.pi)
    return torch.minimum(d, 2 * math.pi - d)


def _loss_weighted(losses, sizes):
    return sum(l_ * n for l_, n in zip(losses, sizes, strict=True)) / sum(sizes)


CATALOGUE = {
    "standardise": [
        right("sample std, z * std + mean (the lecture's answer)", _std, _unstd),
        right("population std (correction=0)", _std_biased, _unstd),
        right("statistics kept with keepdim=True", _std_keepdim, _unstd),
        right("computed in float64", _std_float64, _unstd),
        right("eps 1e-6 added to the std", _std_eps, _unstd),
        right("inverse with torch.addcmul", _std, lambda z, m, s: torch.addcmul(m, z, s)),
        wrong("sqrt(E[t²] − E[t]²) in float32", _std_unstable, _unstd, hint="float32"),
        wrong("one mean and std for the whole tensor", _std_whole, _unstd, hint="dim=0"),
        wrong("statistics of each row", _std_rows, _unstd, hint="values"),
        wrong("divides by the variance", _std_variance, _unstd, hint="not by the variance"),
        wrong("returns the variance as std", _std_returns_variance, _unstd,
              hint="not the variance"),
        wrong("(z, std, mean)", _std_swapped, _unstd, hint="in that order"),
        wrong("not centred", lambda t: (t / t.std(0), t.mean(0), t.std(0)), _unstd,
              hint="mean 0"),
        wrong("min-max scaling", _std_min_max, _unstd, hint="mean 0"),
        wrong("standardises the targets in place", _std_in_place, _unstd, hint="in place"),
        wrong("inverse forgets the mean", _std, lambda z, m, s: z * s, hint="add the mean"),
        wrong("inverse in the wrong order", _std, lambda z, m, s: (z + m) * s,
              hint="reverse order"),
        wrong("inverse divides by the std", _std, lambda z, m, s: z / s + m,
              hint="does not give t back"),
        wrong("inverse in place on z", _std, _unstd_in_place, hint="in place"),
        wrong("only one function passed", _std, hint="pass both"),
        wrong("returns z only", lambda t: _std(t)[0], _unstd, hint="three things"),
    ],
    "regression_head": [
        right("nn.Linear (the lecture's answer)", lambda i, n: nn.Linear(i, n)),
        right("dropout before the linear layer",
              lambda i, n: nn.Sequential(nn.Dropout(0.2), nn.Linear(i, n))),
        right("no bias", lambda i, n: nn.Linear(i, n, bias=False)),
        right("weights and bias started at zero", _head_zero),
        right("nn.LazyLinear", lambda i, n: nn.LazyLinear(n)),
        wrong("a ReLU after it", lambda i, n: nn.Sequential(nn.Linear(i, n), nn.ReLU()),
              hint="activation"),
        wrong("a sigmoid after it", lambda i, n: nn.Sequential(nn.Linear(i, n), nn.Sigmoid()),
              hint="activation"),
        wrong("a softmax after it",
              lambda i, n: nn.Sequential(nn.Linear(i, n), nn.Softmax(dim=1)), hint="activation"),
        wrong("outputs clipped to ±10",
              lambda i, n: nn.Sequential(nn.Linear(i, n), nn.Hardtanh(-10, 10)),
              hint="clipped"),
        wrong("a LeakyReLU after it",
              lambda i, n: nn.Sequential(nn.Linear(i, n), nn.LeakyReLU(0.01)),
              hint="plain linear map"),
        wrong("a hidden layer with ELU",
              lambda i, n: nn.Sequential(nn.Linear(i, 16), nn.ELU(), nn.Linear(16, n)),
              hint="plain linear map"),
        wrong("10 outputs, as for classes", lambda i, n: nn.Linear(i, 10),
              hint="one number per target"),
        wrong("in and out swapped", lambda i, n: nn.Linear(n, i), hint="RuntimeError"),
        wrong("frozen weights", _head_frozen, hint="trainable"),
        wrong("two layers both started at zero", _head_zero_pair, hint="gradient"),
        wrong("one output copied nparams times", _head_one_output_repeated,
              hint="its own weights"),
        wrong("a weight tensor, not a layer", lambda i, n: torch.zeros(i, n), hint="nn.Module"),
    ],
    "epoch_loss": [
        right("sum of loss × size over the sum of sizes (the lecture's answer)", _loss_weighted),
        right("as a tensor", lambda losses, sizes: (torch.tensor(losses) * torch.tensor(sizes))
              .sum() / sum(sizes)),
        right("np.average with weights",
              lambda losses, sizes: np.average(losses, weights=sizes)),
        wrong("the sum over all examples (what the lecture text prints)",
              lambda losses, sizes: _loss_weighted(losses, sizes) * sum(sizes), hint="SUM"),
        wrong("the mean of the batch means",
              lambda losses, sizes: sum(losses) / len(losses), hint="small last batch"),
        wrong("the sum of the batch means", lambda losses, sizes: sum(losses),
              hint="multiply it by the batch size"),
        wrong("weighted sum over the number of batches",
              lambda losses, sizes: _loss_weighted(losses, sizes) * sum(sizes) / len(sizes),
              hint="number of batches"),
        wrong("weighted sum over batches × batch size",
              lambda losses, sizes: _loss_weighted(losses, sizes) * sum(sizes)
              / (len(sizes) * max(sizes)), hint="batches × batch size"),
        wrong("the last batch's loss", lambda losses, sizes: losses[-1], hint="think"),
        wrong("the list of losses as a tensor", lambda losses, sizes: torch.tensor(losses),
              hint="one number"),
    ],
    "angle_error": [
        right("remainder, then the shorter way (the lecture's answer)", _angle),
        right("shift by pi/2, remainder, abs", lambda p, t: (
            (p - t + math.pi / 2).remainder(math.pi) - math.pi / 2).abs()),
        right("atan2 of the doubled angle", lambda p, t: torch.atan2(
            torch.sin(2 * (p - t)), torch.cos(2 * (p - t))).abs() / 2),
        right("fmod with abs", _angle_fmod_abs),
        right("acos of |cos|", lambda p, t: torch.acos(torch.cos(p - t).abs().clamp(max=1))),
        wrong("no wrapping", lambda p, t: (p - t).abs(), hint="wrap"),
        wrong("period 2 pi", _angle_two_pi, hint="2 pi"),
        wrong("acos of cos: period 2 pi", lambda p, t: torch.acos(torch.cos(p - t)),
              hint="2 pi"),
        wrong("no shorter way round", lambda p, t: (p - t).remainder(math.pi), hint="shorter"),
        wrong("fmod without abs", _angle_fmod, hint="negative"),
        wrong("degrees", lambda p, t: torch.rad2deg(_angle(p, t)), hint="radians"),
        wrong("changes pred in place", _angle_in_place, hint="in place"),
        wrong("the mean error", lambda p, t: _angle(p, t).mean(), hint="one error per element"),
        wrong("a list", lambda p, t: _angle(p, t).tolist(), hint="torch.Tensor"),
    ],
}
