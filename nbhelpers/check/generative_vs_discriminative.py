"""Exercises of lecture 15 (generative vs discriminative): class priors, Bayes' rule in log
space, and the nearest class mean. Each checker tries several inputs of its own (random with a
fixed generator, shapes other than the lecture's) and leaves them as they were."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from nbhelpers.check import NotYet, Result, call, correct, exercise, not_yet, tensor


def _output(fn: Callable, *inputs: torch.Tensor, shape: tuple[int, ...], hint: str,
            names: str) -> torch.Tensor:
    """``fn(*inputs)`` as a float64 tensor of ``shape`` (a NumPy array is fine too), or
    NotYet when it has another shape or changed one of its ``inputs`` in place."""
    given = tuple(x.clone() for x in inputs)
    out = call(fn, *given)
    if isinstance(out, np.ndarray) and out.dtype != object:
        out = torch.from_numpy(out)
    if not all(torch.equal(a, b) for a, b in zip(given, inputs, strict=True)):
        raise NotYet(f"your function changed {names} in place; compute a new tensor and leave "
                     "its inputs as they were")
    return tensor(out, shape=shape, hint=hint)


# ----------------------------------------------------------------------------- priors


def _label_cases() -> list[torch.Tensor]:
    """The lecture-sized example, a class with no example in the middle, and a long one."""
    g = torch.Generator().manual_seed(2)
    return [torch.tensor([0, 2, 2, 1, 2, 0, 2, 1, 1, 2]),
            torch.tensor([3, 0, 3, 2, 0, 3, 3, 0]),           # class 1 never occurs
            torch.cat([torch.arange(7), torch.randint(0, 7, (500,), generator=g)])]


@exercise
def priors(fn: Callable[[torch.Tensor], torch.Tensor]) -> Result:
    """``fn(labels (N,) int64) -> (C,)`` the fraction of examples in each class, P(y)."""
    for labels in _label_cases():
        want = torch.bincount(labels).double() / len(labels)
        n_classes = int(labels.max()) + 1
        present = len(torch.unique(labels))
        out = call(fn, labels.clone())
        _, counts = torch.unique(labels, return_counts=True)
        if present < n_classes and isinstance(out, torch.Tensor) and out.shape == counts.shape \
                and torch.allclose(out.double(), counts.double() / len(labels)):
            return not_yet(f"for labels with no example of some class your result has "
                           f"{present} entries, not {n_classes}: a class that never occurs "
                           "has prior 0 and keeps its place (torch.bincount counts every "
                           "class up to the largest label)")
        got = _output(fn, labels, shape=(n_classes,), hint="one prior per class",
                      names="the labels")
        if not torch.isclose(got.sum(), torch.tensor(1.0, dtype=torch.float64)):
            if torch.allclose(got, want * len(labels)):
                return not_yet("those are counts: priors are probabilities, they must sum to 1 "
                               "(divide by N)")
            return not_yet("priors are probabilities: they must sum to 1 (divide by N)")
        if not torch.allclose(got, want):
            return not_yet("count each class (torch.bincount) and divide by the total")
    return correct("P(y) is just how often each class occurs.")


# ----------------------------------------------------------------------------- posterior


def _posterior_cases() -> list[tuple[torch.Tensor, torch.Tensor]]:
    """(log_lik, log_prior) pairs: log-likelihoods the size of an image's (hundreds to
    thousands, rows far apart, a row whose values all sit near -1000), and equal
    likelihoods, where only the prior decides."""
    g = torch.Generator().manual_seed(0)
    log_prior = torch.log(torch.tensor([0.1, 0.2, 0.3, 0.4]))
    log_lik = torch.randn(5, 4, generator=g) * 300        # realistic magnitudes: exp() overflows
    far = torch.tensor([[-100.0, -2000.0, -2100.0, -50.0],   # mean or min shift overflows
                        [-1000.0, -1010.0, -1020.0, -1030.0],  # exp underflows, even in float64
                        [-3000.0, -2990.0, -3010.0, -2995.0],  # far below the other rows' max
                        [800.0, 790.0, 805.0, 700.0]])        # exp overflows
    other_prior = torch.log_softmax(torch.randn(7, generator=g), 0)
    return [(log_lik, log_prior), (far, log_prior), (torch.zeros(2, 4), log_prior),
            (torch.randn(3, 7, generator=g) * 1000 - 2000, other_prior),
            (torch.randn(6, 6, generator=g) * 50, torch.log_softmax(torch.randn(6, generator=g),
                                                                   0))]


def _posterior_hint(got: torch.Tensor, log_lik: torch.Tensor, log_prior: torch.Tensor) -> str:
    """Which usual mistake ``got`` (not the posterior) is."""
    scores = (log_lik + log_prior).double()
    if torch.allclose(got, torch.log_softmax(scores, 1), rtol=0, atol=1e-3):
        return "those are log-probabilities: return the probabilities themselves"
    if torch.allclose(got, torch.softmax(log_lik.double(), 1), rtol=0, atol=1e-3):
        return "the prior is missing: P(y|x) is proportional to P(x|y) P(y)"
    if torch.allclose(got, torch.softmax(scores, 0), rtol=0, atol=1e-3):
        return "normalise each row (dim=1), so that the probabilities of one input sum to 1"
    return ("P(y|x) is proportional to P(x|y) P(y): add the logs, then normalise "
            "each row so it sums to 1")


@exercise
def posterior(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Result:
    """``fn(log_lik (N, C), log_prior (C,)) -> (N, C)`` the posterior P(y | x)."""
    for log_lik, log_prior in _posterior_cases():
        got = _output(fn, log_lik, log_prior, shape=tuple(log_lik.shape),
                      hint="one row of class probabilities per input",
                      names="log_lik or log_prior")
        if not torch.isfinite(got).all():
            return not_yet("you got inf/nan: log-likelihoods of images are hundreds to "
                           "thousands in size, so exp() underflows to 0 or overflows to inf; "
                           "work in log space: subtract each row's own maximum (not the mean, "
                           "not one maximum for all rows), or use torch.softmax")
        # float32 inputs of size 3000 are exact to 1e-4 only: a right formula may be that far
        if not torch.allclose(got, torch.softmax((log_lik + log_prior).double(), dim=1),
                              rtol=0, atol=1e-3):
            return not_yet(_posterior_hint(got, log_lik, log_prior))
    return correct("that is Bayes' rule, computed stably.")


# ----------------------------------------------------------------------------- nearest mean


def _nearest_cases() -> list[tuple[torch.Tensor, torch.Tensor]]:
    """(x, means): points near the means (the lecture's picture), and points anywhere with
    means of very different lengths, where the dot product, the cosine, the L1 distance and
    a dropped ||m||² give other answers than the Euclidean distance."""
    g = torch.Generator().manual_seed(1)
    means = torch.randn(6, 20, generator=g)
    near = means[torch.tensor([3, 1, 5, 0, 2, 4, 3])] + 0.05 * torch.randn(7, 20, generator=g)
    spread = torch.randn(5, 8, generator=g) * torch.tensor([0.3, 0.6, 1.0, 2.0, 4.0])[:, None]
    anywhere = torch.randn(60, 8, generator=g) * 1.5
    gaps = torch.cdist(anywhere.double(), spread.double()).sort(1).values.diff(dim=1)[:, 0]
    return [(near, means), (anywhere[gaps > 0.05], spread)]  # no near-ties: float32 agrees


def _nearest_hint(got: torch.Tensor, x: torch.Tensor, means: torch.Tensor) -> str:
    d = torch.cdist(x.double(), means.double())
    if not torch.equal(got, got.round()):
        return ("return the index of the nearest mean (an integer per row), not the "
                "distance")
    if torch.equal(got.long(), d.argmax(1)):
        return "that is the farthest mean: take the smallest distance"
    if torch.equal(got.long(), (x.double() @ means.double().T).argmax(1)):
        return ("the largest dot product is not the nearest mean when the means have "
                "different lengths: measure the distance ||x − m||")
    if torch.equal(got.long(), torch.cdist(x.double(), means.double(), p=1).argmin(1)):
        return ("that is the L1 (city-block) distance: the nearest mean is the one with the "
                "smallest Euclidean distance")
    return ("measure the distance from each x to every mean (torch.cdist), then take "
            "the index of the smallest")


@exercise
def nearest_mean(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Result:
    """``fn(x (N, D), means (C, D)) -> (N,)`` the index of the nearest class mean."""
    for x, means in _nearest_cases():
        got = _output(fn, x, means, shape=(len(x),), hint="one class index per row of x",
                      names="x or means")
        if not torch.equal(got, torch.cdist(x.double(), means.double()).argmin(1).double()):
            return not_yet(_nearest_hint(got, x, means))
    return correct("a template matcher: the simplest generative classifier.")
