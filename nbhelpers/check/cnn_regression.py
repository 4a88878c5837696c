"""Exercises of lecture 14 (CNN regression): target scaling, the regression output layer,
the mean loss of an epoch, and the wrap-aware orientation error.

Each checker calls the student's code on inputs of its own and compares with a closed form
kept here; the hints name the usual mistakes, never the solution.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch
from torch import nn

from nbhelpers.check import NotYet, Result, call, close, correct, exercise, not_yet, number, tensor

# ----------------------------------------------------------------------------- standardise


def _targets(n: int, seed: int) -> torch.Tensor:
    """Targets (n, 5) with very different scales, like x, y, length, cos 2a, sin 2a."""
    g = torch.Generator().manual_seed(seed)
    u = torch.rand(n, 5, generator=g, dtype=torch.float64)
    angle = math.pi * u[:, 3]
    return torch.stack([9.6 + 12.8 * u[:, 0], 9.6 + 12.8 * u[:, 1], 3.8 + 3.8 * u[:, 2],
                        torch.cos(2 * angle), torch.sin(2 * angle)], 1).float()


def _z_scores(standardise_fn: Callable, t: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """``standardise_fn(t)`` checked for its form: (z (N, T), mean (T,), std (T,)), float64."""
    original = t.clone()
    out = call(standardise_fn, t)
    if not isinstance(out, tuple | list) or len(out) != 3:
        raise NotYet("standardise must return three things: (z, mean, std)")
    if not torch.equal(t, original):
        raise NotYet("standardise changed the targets in place; compute a new tensor and leave "
                     "its input as it was")
    z, mean, std = (tensor(v) for v in out)
    if z.shape != t.shape:
        raise NotYet(f"z must have the shape of the targets {tuple(t.shape)}, got "
                     f"{tuple(z.shape)}")
    if mean.numel() != t.shape[1] or std.numel() != t.shape[1]:
        raise NotYet(f"mean and std need one value per target (column), i.e. {t.shape[1]} "
                     f"values each, got {mean.numel()} and {std.numel()}: reduce over the "
                     "examples (dim=0)")
    return z, mean.reshape(-1), std.reshape(-1)


def _inverse_hint(unstandardise_fn: Callable, z: torch.Tensor, mean: torch.Tensor,
                  std: torch.Tensor, t: torch.Tensor) -> str | None:
    """What is wrong with ``unstandardise_fn``, or None when it undoes the scaling."""
    back = tensor(call(unstandardise_fn, z.float(), mean.float(), std.float()))
    if not close(back, t, atol=1e-3):
        if close(back, z * std, atol=1e-3):
            return "unstandardise: after multiplying by the std, add the mean back"
        if close(back, (z + mean) * std, atol=1e-3):
            return "unstandardise: undo the steps in reverse order (multiply first, then add)"
        return "unstandardise(standardise(t)) does not give t back"
    # the inverse must use the statistics it is given (e.g. the training set's)
    g = torch.Generator().manual_seed(11)
    z2 = torch.randn(7, 5, generator=g)
    m2, s2 = torch.randn(5, generator=g) * 5, torch.rand(5, generator=g) + 0.5
    other = tensor(call(unstandardise_fn, z2.clone(), m2.clone(), s2.clone()))
    if not close(other, z2 * s2 + m2, atol=1e-4):
        return ("unstandardise must work with the mean and std it is given (e.g. the training "
                "set's), for any z")
    return None


@exercise
def regression_standardise(standardise_fn: Callable,
                           unstandardise_fn: Callable | None = None) -> Result:
    """``standardise_fn(targets (N, T)) -> (z, mean, std)`` with per-column ``mean``/``std``
    ``(T,)`` and ``z`` of shape (N, T) with column means 0 and stds 1;
    ``unstandardise_fn(z, mean, std) -> targets`` undoes it for any given statistics."""
    if unstandardise_fn is None:
        return not_yet("pass both functions: check.regression_standardise(standardise, "
                       "unstandardise)")
    t = _targets(300, seed=10)
    z, mean, std = _z_scores(standardise_fn, t)
    col_mean, col_std = z.mean(0), z.std(0, correction=0)
    if not torch.allclose(col_mean, torch.zeros_like(col_mean), atol=1e-3):
        return not_yet("each column of z should have mean 0: subtract the mean of each target "
                       "before dividing")
    if not torch.allclose(col_std, torch.ones_like(col_std), atol=0.01):
        if torch.allclose(col_std * t.double().std(0), torch.ones_like(col_std), rtol=0.02):
            return not_yet("divide by the standard deviation, not by the variance")
        return not_yet("each column of z should have standard deviation 1: divide by the std "
                       "of each target")
    hint = _inverse_hint(unstandardise_fn, z, mean, std, t)
    if hint is not None:
        return not_yet(hint)
    return correct("per-target z-scores, and back to pixels and angles.")


# ----------------------------------------------------------------------------- output layer


def _head_hint(layer: nn.Module, in_features: int, nparams: int) -> str | None:
    """What keeps ``layer`` from being a regression output layer, or None."""
    if not any(p.requires_grad for p in layer.parameters()):
        return "the output layer needs trainable weights"
    layer.eval()
    x = torch.randn(8, in_features, generator=torch.Generator().manual_seed(13)) * 3
    with torch.no_grad():
        out = tensor(layer(x), shape=(8, nparams),
                     hint=f"for input (8, {in_features}) the output must be (8, {nparams}): one "
                          "number per target")
        basis = layer(torch.cat([torch.zeros(1, in_features), torch.eye(in_features)])).double()
    weights = basis[1:] - basis[:1]  # (in_features, nparams) if the layer is affine
    if not torch.allclose(out, basis[:1] + x.double() @ weights, atol=1e-3, rtol=1e-3):
        if (out >= 0).all() or (out.abs() <= 1 + 1e-6).all():
            return ("the outputs are squashed or clipped: a regression output must be able to "
                    "take any value, so put no activation (ReLU, sigmoid, softmax, ...) after "
                    "the last linear layer")
        return ("the output layer of a regression network is a plain linear map of the "
                "features (no activation, no hidden layer with a nonlinearity)")
    if torch.linalg.matrix_rank(weights) < nparams:
        return ("the outputs do not depend on the features (or not independently): use freshly "
                "initialised weights")
    return None


@exercise
def regression_head(make_head: Callable[[int, int], nn.Module]) -> Result:
    """``make_head(in_features, nparams) -> nn.Module``: the output layer of a regression
    network, mapping ``(N, in_features)`` features to ``(N, nparams)`` unbounded outputs."""
    for in_features, nparams in [(64, 5), (32, 3)]:
        with torch.random.fork_rng(devices=[]):  # leave the student's random stream alone
            layer = call(make_head, in_features, nparams)
        if not isinstance(layer, nn.Module):
            return not_yet(f"return a torch.nn.Module (a layer), got {type(layer).__name__}")
        hint = _head_hint(layer, in_features, nparams)
        if hint is not None:
            return not_yet(hint)
    return correct("nparams linear outputs, no activation: any real value is reachable.")


# ----------------------------------------------------------------------------- epoch loss


@exercise
def regression_epoch_loss(fn: Callable[[Sequence[float], Sequence[int]], float]) -> Result:
    """``fn(batch_losses, batch_sizes) -> float``: the mean loss per example of an epoch from
    the mean loss of each batch (as ``loss.item()`` gives it) and each batch's size."""
    cases = [([0.5, 0.3, 0.9], [64, 64, 8]), ([2.0, 1.0], [10, 30]), ([0.25], [16])]
    for losses, sizes in cases:
        got = number(call(fn, list(losses), list(sizes)))
        want = sum(l_ * n for l_, n in zip(losses, sizes, strict=True)) / sum(sizes)
        if math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9):
            continue
        if math.isclose(got, want * sum(sizes), rel_tol=1e-6):
            return not_yet("that is the SUM of the losses over all examples (what the lecture "
                           "text prints): it grows with the data set; divide by the number of "
                           "examples")
        if math.isclose(got, sum(losses) / len(losses), rel_tol=1e-6):
            return not_yet("the mean of the batch means weights a small last batch as much as "
                           "a full one: weight each batch by its size")
        if math.isclose(got, sum(losses), rel_tol=1e-6):
            return not_yet("each loss is a batch MEAN: multiply it by the batch size to get the "
                           "batch sum before adding up")
        return not_yet(f"for batch losses {losses} and sizes {sizes} you return {got:.4f}; "
                       "think: total loss over all examples / number of examples")
    return correct("the mean loss per example, also when the last batch is small.")


# ----------------------------------------------------------------------------- angle error


def _angle_error(pred: torch.Tensor, true: torch.Tensor) -> torch.Tensor:
    """The private reference: the period-pi difference, the short way round, in [0, pi/2]."""
    d = (pred - true).remainder(math.pi)
    return torch.minimum(d, math.pi - d)


def _angle_hint(got: torch.Tensor, pred: torch.Tensor, true: torch.Tensor) -> str:
    """Which usual mistake ``got`` (not the reference) is."""
    if close(got, (pred - true).abs()):
        return "179 and 1 degrees are 2 degrees apart, not 178: orientations wrap around"
    d2 = (pred - true).remainder(2 * math.pi)
    if close(got, torch.minimum(d2, 2 * math.pi - d2)):
        return ("you wrap with period 2 pi (360 degrees), but an ellipse turned by pi (180 "
                "degrees) is the same ellipse")
    if close(got, (pred - true).remainder(math.pi)):
        return ("after wrapping into [0, pi), take the shorter way round: the error is never "
                "more than pi/2 (90 degrees)")
    if close(got, torch.rad2deg(_angle_error(pred, true)), atol=1e-4):
        return "the inputs are in radians: return radians too"
    return ("compare with a few cases by hand: 179° vs 1° is 2°, 90° vs 0° is 90°, 170° vs 10° "
            "is 20°")


@exercise
def regression_angle_error(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Result:
    """``fn(pred, true) -> Tensor``: elementwise the smallest difference, in [0, pi/2],
    between two orientations in radians that repeat every pi (an ellipse turned by pi)."""
    pred = torch.deg2rad(torch.tensor([10.0, 179.0, 1.0, 90.0, 170.0, 30.0, -20.0, 400.0, 45.0],
                                      dtype=torch.float64))
    true = torch.deg2rad(torch.tensor([20.0, 1.0, 179.0, 0.0, 10.0, 30.0, 160.0, 30.0, 135.0],
                                      dtype=torch.float64))
    got = tensor(call(fn, pred.clone(), true.clone()), shape=tuple(pred.shape),
                 hint="return one error per element")
    if close(got, _angle_error(pred, true)):
        return correct("orientations are compared the short way round, with period pi.")
    return not_yet(_angle_hint(got, pred, true))
