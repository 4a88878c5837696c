"""Exercises of lecture 14 (CNN regression): target scaling, the regression output layer,
the mean loss of an epoch, and the wrap-aware orientation error.

Each checker calls the student's code on inputs of its own and compares with a closed form
kept here; the hints name the usual mistakes, never the solution.
"""

from __future__ import annotations

import copy
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


def _far_targets(n: int, seed: int) -> torch.Tensor:
    """Targets (n, 3) far from 0 compared with their spread (a year, a position in metres, a
    small signal): E[t²] − E[t]² cancels catastrophically in float32 here."""
    g = torch.Generator().manual_seed(seed)
    u = torch.randn(n, 3, generator=g, dtype=torch.float64)
    return (u * torch.tensor([2.0, 1.0, 0.05], dtype=torch.float64)
            + torch.tensor([3000.0, 1500.0, 0.2], dtype=torch.float64)).float()


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
    given = (z2.clone(), m2.clone(), s2.clone())
    other = tensor(call(unstandardise_fn, *given))
    if not all(torch.equal(a, b) for a, b in zip(given, (z2, m2, s2), strict=True)):
        return ("unstandardise changed its inputs in place (z, mean or std); compute a new "
                "tensor and leave them as they were")
    if not close(other, z2 * s2 + m2, atol=1e-4):
        return ("unstandardise must work with the mean and std it is given (e.g. the training "
                "set's), for any z")
    return None


def _standardise_hint(standardise_fn: Callable, t: torch.Tensor) -> str | None:
    """What is wrong with ``standardise_fn`` on the targets ``t``, or None."""
    z, mean, std = _z_scores(standardise_fn, t)
    t64 = t.double()
    col_mean = z.mean(0)
    if not torch.allclose(col_mean, torch.zeros_like(col_mean), atol=1e-3):
        return ("each column of z should have mean 0: subtract the mean of each target "
                "before dividing")
    if not any(torch.allclose(z.std(0, correction=c), torch.ones_like(col_mean), atol=1e-3)
               for c in (0, 1)):
        col_std = z.std(0, correction=0)
        if torch.allclose(col_std * t64.std(0), torch.ones_like(col_std), rtol=0.02):
            return "divide by the standard deviation, not by the variance"
        if not torch.isfinite(z).all() or (col_std - 1).abs().max() > 0.05:
            return ("each column of z should have standard deviation 1: divide by the std "
                    "of each target (for targets far from 0, E[t²] − E[t]² loses every digit "
                    "in float32: use torch.std, or subtract the mean before squaring)")
        return ("each column of z should have standard deviation 1: divide by the std of "
                "each target")
    if not close(mean, t64.mean(0), rtol=1e-4, atol=1e-4):
        if close(mean, t64.std(0), rtol=1e-3) or close(std, t64.mean(0), rtol=1e-3):
            return "return (z, mean, std) in that order"
        return ("the mean you return is not the column mean you subtracted: return the "
                "statistics of the targets, so that unstandardise can use them")
    if not any(close(std, t64.std(0, correction=c), rtol=1e-3) for c in (0, 1)):
        if close(std, t64.var(0), rtol=1e-3):
            return "return the standard deviation, not the variance"
        return ("the std you return is not the column std you divided by: return the "
                "statistics of the targets, so that unstandardise can use them")
    return None


@exercise
def standardise(standardise_fn: Callable,
                unstandardise_fn: Callable | None = None) -> Result:
    """``standardise_fn(targets (N, T)) -> (z, mean, std)`` with per-column ``mean``/``std``
    ``(T,)`` and ``z`` of shape (N, T) with column means 0 and stds 1;
    ``unstandardise_fn(z, mean, std) -> targets`` undoes it for any given statistics."""
    if unstandardise_fn is None:
        return not_yet("pass both functions: check.standardise(standardise, "
                       "unstandardise)")
    for t in (_targets(300, seed=10), _far_targets(200, seed=12)):
        hint = _standardise_hint(standardise_fn, t)
        if hint is None:
            z, mean, std = _z_scores(standardise_fn, t)
            hint = _inverse_hint(unstandardise_fn, z, mean, std, t)
        if hint is not None:
            return not_yet(hint)
    return correct("per-target z-scores, and back to pixels and angles.")


# ----------------------------------------------------------------------------- output layer


def _head_hint(layer: nn.Module, in_features: int, nparams: int) -> str | None:
    """What keeps ``layer`` from being a regression output layer, or None. The map is tested
    on a copy whose parameters are redrawn at random, so that a layer started at zero (as the
    lecture's Inception3 does) counts for what it can learn; the layer itself must let the
    gradient reach its weights."""
    if not any(p.requires_grad for p in layer.parameters()):
        return "the output layer needs trainable weights"
    g = torch.Generator().manual_seed(13)
    x = torch.randn(8, in_features, generator=g) * 3
    layer.eval()
    with torch.no_grad():
        tensor(layer(x), shape=(8, nparams),
               hint=f"for input (8, {in_features}) the output must be (8, {nparams}): one "
                    "number per target")
    probe = copy.deepcopy(layer)
    with torch.no_grad():
        for p in probe.parameters():
            p.copy_(torch.randn(p.shape, generator=g) / max(1, p.shape[-1]) ** 0.5)
        big = torch.randn(8, in_features, generator=g) * 300
        inputs = torch.cat([x, big])
        out = probe(inputs).double()
        basis = probe(torch.cat([torch.zeros(1, in_features), torch.eye(in_features)])).double()
    weights = basis[1:] - basis[:1]  # (in_features, nparams) if the layer is affine
    affine = basis[:1] + inputs.double() @ weights
    if not torch.allclose(out, affine, atol=1e-3, rtol=1e-3):
        if (out >= 0).all() or out[8:].abs().max() < 0.5 * affine[8:].abs().max():
            return ("the outputs are squashed or clipped: a regression output must be able to "
                    "take any value, so put no activation (ReLU, sigmoid, softmax, clamp, ...) "
                    "after the last linear layer")
        return ("the output layer of a regression network is a plain linear map of the "
                "features (no activation, no hidden layer with a nonlinearity)")
    if torch.linalg.matrix_rank(weights) < nparams:
        return ("the outputs do not depend on the features (or not independently): give "
                "every output its own weights")
    return _gradient_hint(layer, x)


def _gradient_hint(layer: nn.Module, x: torch.Tensor) -> str | None:
    """None when a loss on ``layer(x)`` sends a gradient to some weight matrix."""
    layer.train()
    weights = [p for p in layer.parameters() if p.requires_grad and p.dim() > 1]
    with torch.enable_grad():
        grads = torch.autograd.grad(layer(x).pow(2).sum() + layer(x).sum(), weights,
                                    allow_unused=True) if weights else []
    layer.eval()
    if not any(g is not None and bool(g.abs().sum() > 0) for g in grads):
        return ("no gradient reaches the weights (two layers both started at zero block each "
                "other): training could never make the outputs depend on the features")
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
def epoch_loss(fn: Callable[[Sequence[float], Sequence[int]], float]) -> Result:
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
        total = want * sum(sizes)
        if math.isclose(got, total / len(losses), rel_tol=1e-6):
            return not_yet("you divide by the number of batches: divide the total by the "
                           "number of examples")
        if len(sizes) > 1 and math.isclose(got, total / (len(sizes) * max(sizes)), rel_tol=1e-6):
            return not_yet("the last batch is smaller: divide by the number of examples (add "
                           "up the batch sizes), not by batches × batch size")
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
    if (got < 0).any():
        return ("some errors are negative: torch.fmod (and math.fmod) keep the sign of the "
                "difference; use torch.remainder (or %), or take the absolute value")
    if close(got, torch.rad2deg(_angle_error(pred, true)), atol=1e-4):
        return "the inputs are in radians: return radians too"
    return ("compare with a few cases by hand: 179° vs 1° is 2°, 90° vs 0° is 90°, 170° vs 10° "
            "is 20°")


@exercise
def angle_error(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Result:
    """``fn(pred, true) -> Tensor``: elementwise the smallest difference, in [0, pi/2],
    between two orientations in radians that repeat every pi (an ellipse turned by pi)."""
    pred = torch.deg2rad(torch.tensor([10.0, 179.0, 1.0, 90.0, 170.0, 30.0, -20.0, 400.0, 45.0],
                                      dtype=torch.float64))
    true = torch.deg2rad(torch.tensor([20.0, 1.0, 179.0, 0.0, 10.0, 30.0, 160.0, 30.0, 135.0],
                                      dtype=torch.float64))
    g = torch.Generator().manual_seed(17)
    cases = [(pred, true), tuple(2 * math.pi * (2 * torch.rand(2, 40, generator=g,
                                                              dtype=torch.float64) - 1))]
    for p, t in cases:
        given = (p.clone(), t.clone())
        got = tensor(call(fn, *given), shape=tuple(p.shape), hint="return one error per element")
        if not (torch.equal(given[0], p) and torch.equal(given[1], t)):
            return not_yet("your function changed pred or true in place; compute the "
                           "difference into a new tensor")
        if not close(got, _angle_error(p, t)):
            return not_yet(_angle_hint(got, p, t))
    return correct("orientations are compared the short way round, with period pi.")
