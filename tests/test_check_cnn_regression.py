"""The checkers of lecture 14 accept the reference answers and reject the usual mistakes."""

from __future__ import annotations

import math

import torch
from torch import nn

from nbhelpers import check

# ----------------------------------------------------------------------------- standardise


def _std(t):
    mean, std = t.mean(0), t.std(0)
    return (t - mean) / std, mean, std


def _unstd(z, mean, std):
    return z * std + mean


def test_standardise_accepts_references():
    assert check.regression_standardise(_std, _unstd)

    def biased(t):
        return ((t - t.mean(0)) / t.std(0, correction=0), t.mean(0), t.std(0, correction=0))

    assert check.regression_standardise(biased, _unstd)

    def keepdim(t):
        mean, std = t.mean(0, keepdim=True), t.std(0, keepdim=True)
        return (t - mean) / std, mean, std

    assert check.regression_standardise(keepdim, _unstd)


def test_standardise_rejects_whole_tensor_statistics():
    def whole(t):
        return ((t - t.mean()) / t.std(), t.mean(), t.std())

    result = check.regression_standardise(whole, _unstd)
    assert not result and "dim=0" in result.message


def test_standardise_rejects_wrong_axis_and_variance():
    def rows(t):
        return ((t - t.mean(1, keepdim=True)) / t.std(1, keepdim=True), t.mean(1), t.std(1))

    assert not check.regression_standardise(rows, _unstd)

    def variance(t):
        return ((t - t.mean(0)) / t.var(0), t.mean(0), t.var(0))

    result = check.regression_standardise(variance, _unstd)
    assert not result and "variance" in result.message

    def no_centre(t):
        return (t / t.std(0), t.mean(0), t.std(0))

    assert not check.regression_standardise(no_centre, _unstd)


def test_standardise_rejects_in_place():
    def in_place(t):
        mean, std = t.mean(0), t.std(0)
        t.sub_(mean).div_(std)
        return t, mean, std

    result = check.regression_standardise(in_place, _unstd)
    assert not result and "in place" in result.message


def test_standardise_rejects_wrong_inverse():
    forgot_mean = check.regression_standardise(_std, lambda z, m, s: z * s)
    assert not forgot_mean and "add the mean" in forgot_mean.message
    order = check.regression_standardise(_std, lambda z, m, s: (z + m) * s)
    assert not order and "reverse order" in order.message
    assert not check.regression_standardise(_std, lambda z, m, s: z / s + m)

    stats = {}

    def remembering(t):  # keeps the statistics in a global instead of using its arguments
        z, stats["m"], stats["s"] = _std(t)
        return z, stats["m"], stats["s"]

    result = check.regression_standardise(remembering, lambda z, m, s: z * stats["s"] + stats["m"])
    assert not result and "given" in result.message


def test_standardise_never_crashes():
    assert not check.regression_standardise(lambda t: 1 / 0, _unstd)
    assert not check.regression_standardise(lambda t: None, _unstd)
    assert not check.regression_standardise(lambda t: t, _unstd)  # not a triple
    assert not check.regression_standardise(_std, None)
    assert not check.regression_standardise(None)
    assert not check.regression_standardise(_std, lambda z, m, s: "no")


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

    def zero(i, n):
        layer = nn.Linear(i, n)
        nn.init.zeros_(layer.weight)
        return layer

    assert not check.regression_head(zero)
    assert not check.regression_head(lambda i, n: torch.zeros(i, n))  # not a module
    assert not check.regression_head(lambda i, n: 1 / 0)
    assert not check.regression_head("nn.Linear")


# ----------------------------------------------------------------------------- epoch loss


def test_epoch_loss():
    def reference(losses, sizes):
        return sum(l_ * n for l_, n in zip(losses, sizes, strict=True)) / sum(sizes)

    assert check.regression_epoch_loss(reference)

    def as_tensor(losses, sizes):
        return (torch.tensor(losses) * torch.tensor(sizes)).sum() / sum(sizes)

    assert check.regression_epoch_loss(as_tensor)

    def lecture_sum(losses, sizes):  # what the lecture text prints
        return sum(l_ * n for l_, n in zip(losses, sizes, strict=True))

    lecture = check.regression_epoch_loss(lecture_sum)
    assert not lecture and "SUM" in lecture.message
    mean_of_means = check.regression_epoch_loss(lambda losses, sizes: sum(losses) / len(losses))
    assert not mean_of_means and "small last batch" in mean_of_means.message
    assert not check.regression_epoch_loss(lambda losses, sizes: sum(losses))
    assert not check.regression_epoch_loss(lambda losses, sizes: torch.tensor(losses))
    assert not check.regression_epoch_loss(lambda losses, sizes: None)
    assert not check.regression_epoch_loss(lambda losses, sizes: 1 / 0)
    assert not check.regression_epoch_loss(0.5)


# ----------------------------------------------------------------------------- angle error


def test_angle_error():
    def reference(pred, true):
        d = (pred - true).remainder(math.pi)
        return torch.minimum(d, math.pi - d)

    assert check.regression_angle_error(reference)

    def other_form(p, t):
        return ((p - t + math.pi / 2).remainder(math.pi) - math.pi / 2).abs()

    assert check.regression_angle_error(other_form)

    def via_double(p, t):
        return torch.atan2(torch.sin(2 * (p - t)), torch.cos(2 * (p - t))).abs() / 2

    assert check.regression_angle_error(via_double)

    plain = check.regression_angle_error(lambda p, t: (p - t).abs())
    assert not plain and "wrap" in plain.message

    def two_pi(p, t):
        d = (p - t).remainder(2 * math.pi)
        return torch.minimum(d, 2 * math.pi - d)

    result = check.regression_angle_error(two_pi)
    assert not result and "2 pi" in result.message
    no_min = check.regression_angle_error(lambda p, t: (p - t).remainder(math.pi))
    assert not no_min and "shorter" in no_min.message
    degrees = check.regression_angle_error(lambda p, t: torch.rad2deg(reference(p, t)))
    assert not degrees and "radians" in degrees.message
    assert not check.regression_angle_error(lambda p, t: reference(p, t).mean())
    assert not check.regression_angle_error(lambda p, t: 1 / 0)
    assert not check.regression_angle_error(lambda p, t: [0.0])
    assert not check.regression_angle_error(None)


def test_checkers_are_registered_and_never_reveal_the_solution():
    names = {"regression_standardise", "regression_head", "regression_epoch_loss",
             "regression_angle_error"}
    assert names <= set(check.all_exercises())
    messages = [check.regression_angle_error(lambda p, t: (p - t).abs()).message,
                check.regression_epoch_loss(lambda a, b: 0.0).message]
    assert not any("remainder" in m or "minimum" in m for m in messages)
