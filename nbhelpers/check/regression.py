"""Exercises of lecture 10 (CNN regression): target scaling, the regression output layer,
the mean loss of an epoch, and the wrap-aware orientation error.

Each checker calls the student's code on inputs of its own and compares with a closed form
kept here; the hints name the usual mistakes, never the solution.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn

from nbhelpers.check import Result, exercise, failed, guard, passed

_EMPTY = "no answer yet: write the code in the answer cell above, run it, then check again."


def _tensor(out: Any, what: str) -> torch.Tensor:
    """The student's output as a float64 tensor, or a TypeError that says why not."""
    if out is None or out is Ellipsis:
        raise TypeError(f"{what} returned nothing; it must return a tensor")
    if not isinstance(out, torch.Tensor):
        raise TypeError(f"{what} must return a torch tensor, got {type(out).__name__}")
    return out.detach().double()


def _close(a: torch.Tensor, b: torch.Tensor, *, atol: float = 1e-5) -> bool:
    return a.shape == b.shape and bool(torch.allclose(a, b.double(), rtol=1e-4, atol=atol))


# ----------------------------------------------------------------------------- standardise


def _targets(n: int, seed: int) -> torch.Tensor:
    """Targets (n, 5) with very different scales, like x, y, length, cos 2a, sin 2a."""
    g = torch.Generator().manual_seed(seed)
    u = torch.rand(n, 5, generator=g, dtype=torch.float64)
    angle = math.pi * u[:, 3]
    return torch.stack([9.6 + 12.8 * u[:, 0], 9.6 + 12.8 * u[:, 1], 3.8 + 3.8 * u[:, 2],
                        torch.cos(2 * angle), torch.sin(2 * angle)], 1).float()


@exercise("regression_standardise")
def standardise(standardise_fn: Callable, unstandardise_fn: Callable | None = None) -> Result:
    """``standardise_fn(targets (N, T)) -> (z, mean, std)`` with per-column ``mean``/``std``
    ``(T,)`` and ``z`` of shape (N, T) with column means 0 and stds 1;
    ``unstandardise_fn(z, mean, std) -> targets`` undoes it for any given statistics."""
    name = "regression_standardise"
    if not callable(standardise_fn) or not callable(unstandardise_fn):
        return failed(name, _EMPTY + " (pass both functions: check.regression_standardise("
                            "standardise, unstandardise))")

    def run() -> Result:
        t = _targets(300, seed=10)
        original = t.clone()
        out = standardise_fn(t)
        if not isinstance(out, (tuple, list)) or len(out) != 3:
            return failed(name, "standardise must return three things: (z, mean, std)")
        if not torch.equal(t, original):
            return failed(name, "standardise changed the targets in place; compute a new "
                                "tensor and leave its input as it was")
        z, mean, std = (_tensor(v, "standardise") for v in out)
        if z.shape != t.shape:
            return failed(name, f"z must have the shape of the targets {tuple(t.shape)}, "
                                f"got {tuple(z.shape)}")
        if mean.numel() != t.shape[1] or std.numel() != t.shape[1]:
            return failed(name, f"mean and std need one value per target (column), i.e. "
                                f"{t.shape[1]} values each, got {mean.numel()} and "
                                f"{std.numel()}: reduce over the examples (dim=0)")
        col_mean, col_std = z.mean(0), z.std(0, correction=0)
        if not torch.allclose(col_mean, torch.zeros_like(col_mean), atol=1e-3):
            return failed(name, "each column of z should have mean 0: subtract the mean of "
                                "each target before dividing")
        if torch.allclose(col_std, torch.ones_like(col_std), atol=0.01):
            pass
        elif torch.allclose(col_std * t.double().std(0), torch.ones_like(col_std), rtol=0.02):
            return failed(name, "divide by the standard deviation, not by the variance")
        else:
            return failed(name, "each column of z should have standard deviation 1: divide "
                                "by the std of each target")
        mean, std = mean.reshape(-1), std.reshape(-1)
        back = _tensor(unstandardise_fn(z.float(), mean.float(), std.float()), "unstandardise")
        if not _close(back, t.double(), atol=1e-3):
            if _close(back, z * std, atol=1e-3):
                return failed(name, "unstandardise: after multiplying by the std, add the "
                                    "mean back")
            if _close(back, (z + mean) * std, atol=1e-3):
                return failed(name, "unstandardise: undo the steps in reverse order "
                                    "(multiply first, then add)")
            return failed(name, "unstandardise(standardise(t)) does not give t back")
        # the inverse must use the statistics it is given (e.g. the training set's)
        g = torch.Generator().manual_seed(11)
        z2 = torch.randn(7, 5, generator=g)
        m2, s2 = torch.randn(5, generator=g) * 5, torch.rand(5, generator=g) + 0.5
        other = _tensor(unstandardise_fn(z2.clone(), m2.clone(), s2.clone()), "unstandardise")
        if not _close(other, z2.double() * s2.double() + m2.double(), atol=1e-4):
            return failed(name, "unstandardise must work with the mean and std it is given "
                                "(e.g. the training set's), for any z")
        return passed(name, "per-target z-scores, and back to pixels and angles.")

    return guard(name, run)


# ----------------------------------------------------------------------------- output layer


@exercise("regression_head")
def head(make_head: Callable) -> Result:
    """``make_head(in_features, nparams) -> nn.Module``: the output layer of a regression
    network, mapping ``(N, in_features)`` features to ``(N, nparams)`` unbounded outputs."""
    name = "regression_head"
    if not callable(make_head):
        return failed(name, _EMPTY)

    def run() -> Result:
        for in_features, nparams in [(64, 5), (32, 3)]:
            with torch.random.fork_rng(devices=[]):  # leave the student's random stream alone
                layer = make_head(in_features, nparams)
            if not isinstance(layer, nn.Module):
                return failed(name, f"return a torch.nn.Module (a layer), got "
                                    f"{type(layer).__name__}")
            if not any(p.requires_grad for p in layer.parameters()):
                return failed(name, "the output layer needs trainable weights")
            layer.eval()
            g = torch.Generator().manual_seed(13)
            x = torch.randn(8, in_features, generator=g) * 3
            with torch.no_grad():
                out = layer(x)
                if not isinstance(out, torch.Tensor) or out.shape != (8, nparams):
                    shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out)
                    return failed(name, f"for input (8, {in_features}) the output must be "
                                        f"(8, {nparams}): one number per target; got {shape}")
                rows = torch.cat([torch.zeros(1, in_features), torch.eye(in_features)])
                basis = layer(rows)
                weights = basis[1:] - basis[:1]  # (in_features, nparams) if affine
                affine = basis[:1] + x @ weights
            if not torch.allclose(out, affine, atol=1e-3, rtol=1e-3):
                if (out >= 0).all() or (out.abs() <= 1 + 1e-6).all():
                    return failed(name, "the outputs are squashed or clipped: a regression "
                                        "output must be able to take any value, so put no "
                                        "activation (ReLU, sigmoid, softmax, ...) after the "
                                        "last linear layer")
                return failed(name, "the output layer of a regression network is a plain "
                                    "linear map of the features (no activation, no hidden "
                                    "layer with a nonlinearity)")
            if torch.linalg.matrix_rank(weights) < nparams:
                return failed(name, "the outputs do not depend on the features (or not "
                                    "independently): use freshly initialised weights")
        return passed(name, "nparams linear outputs, no activation: any real value is "
                            "reachable.")

    return guard(name, run)


# ----------------------------------------------------------------------------- epoch loss


def _as_float(out: Any) -> float:
    if isinstance(out, torch.Tensor):
        if out.numel() != 1:
            raise TypeError(f"return one number, got a tensor of shape {tuple(out.shape)}")
        return float(out.item())
    if isinstance(out, (int, float)) and not isinstance(out, bool):
        return float(out)
    raise TypeError(f"return a number, got {type(out).__name__}")


@exercise("regression_epoch_loss")
def epoch_loss(fn: Callable[[Sequence[float], Sequence[int]], float]) -> Result:
    """``fn(batch_losses, batch_sizes) -> float``: the mean loss per example of an epoch from
    the mean loss of each batch (as ``loss.item()`` gives it) and each batch's size."""
    name = "regression_epoch_loss"
    if not callable(fn):
        return failed(name, _EMPTY)

    def run() -> Result:
        cases = [([0.5, 0.3, 0.9], [64, 64, 8]), ([2.0, 1.0], [10, 30]), ([0.25], [16])]
        for losses, sizes in cases:
            got = _as_float(fn(list(losses), list(sizes)))
            want = sum(l_ * n for l_, n in zip(losses, sizes, strict=True)) / sum(sizes)
            if math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9):
                continue
            if math.isclose(got, want * sum(sizes), rel_tol=1e-6):
                return failed(name, "that is the SUM of the losses over all examples (what "
                                    "the lecture text prints): it grows with the data set; "
                                    "divide by the number of examples")
            if math.isclose(got, sum(losses) / len(losses), rel_tol=1e-6):
                return failed(name, "the mean of the batch means weights a small last batch "
                                    "as much as a full one: weight each batch by its size")
            if math.isclose(got, sum(losses), rel_tol=1e-6):
                return failed(name, "each loss is a batch MEAN: multiply it by the batch size "
                                    "to get the batch sum before adding up")
            return failed(name, f"for batch losses {losses} and sizes {sizes} you return "
                                f"{got:.4f}; think: total loss over all examples / number of "
                                "examples")
        return passed(name, "the mean loss per example, also when the last batch is small.")

    return guard(name, run)


# ----------------------------------------------------------------------------- angle error


def _angle_error(pred: torch.Tensor, true: torch.Tensor) -> torch.Tensor:
    d = (pred - true).remainder(math.pi)
    return torch.minimum(d, math.pi - d)


@exercise("regression_angle_error")
def angle_error(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Result:
    """``fn(pred, true) -> Tensor``: elementwise the smallest difference, in [0, pi/2],
    between two orientations in radians that repeat every pi (an ellipse turned by pi)."""
    name = "regression_angle_error"
    if not callable(fn):
        return failed(name, _EMPTY)

    def run() -> Result:
        deg = math.pi / 180
        pred = torch.tensor([10.0, 179.0, 1.0, 90.0, 170.0, 30.0, -20.0, 400.0, 45.0], dtype=torch.float64) * deg
        true = torch.tensor([20.0, 1.0, 179.0, 0.0, 10.0, 30.0, 160.0, 30.0, 135.0], dtype=torch.float64) * deg
        got = _tensor(fn(pred.clone(), true.clone()), "your function")
        want = _angle_error(pred, true)
        if _close(got, want, atol=1e-6):
            return passed(name, "orientations are compared the short way round, with "
                                "period pi.")
        if got.shape != want.shape:
            return failed(name, f"return one error per element, shape {tuple(want.shape)}, "
                                f"got {tuple(got.shape)}")
        if _close(got, (pred - true).abs(), atol=1e-6):
            return failed(name, "179 and 1 degrees are 2 degrees apart, not 178: orientations "
                                "wrap around")
        d2 = (pred - true).remainder(2 * math.pi)
        if _close(got, torch.minimum(d2, 2 * math.pi - d2), atol=1e-6):
            return failed(name, "you wrap with period 2 pi (360 degrees), but an ellipse "
                                "turned by pi (180 degrees) is the same ellipse")
        if _close(got, (pred - true).remainder(math.pi), atol=1e-6):
            return failed(name, "after wrapping into [0, pi), take the shorter way round: "
                                "the error is never more than pi/2 (90 degrees)")
        if _close(got, want / deg, atol=1e-4):
            return failed(name, "the inputs are in radians: return radians too")
        return failed(name, "compare with a few cases by hand: 179° vs 1° is 2°, 90° vs 0° "
                            "is 90°, 170° vs 10° is 20°")

    return guard(name, run)
