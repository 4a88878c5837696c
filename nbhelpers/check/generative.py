"""Checkers for lecture 11 (generative vs discriminative)."""

from __future__ import annotations

from collections.abc import Callable

import torch

from nbhelpers.check import Result, exercise, failed, guard, passed


@exercise("class_priors")
def class_priors(fn: Callable[[torch.Tensor], torch.Tensor]) -> Result:
    """``fn(labels (N,) int64) -> (C,)`` the fraction of examples in each class, P(y)."""
    name = "class_priors"

    def run() -> Result:
        labels = torch.tensor([0, 2, 2, 1, 2, 0, 2, 1, 1, 2])
        got = fn(labels)
        if not isinstance(got, torch.Tensor):
            return failed(name, f"return a tensor, not {type(got).__name__}")
        if got.shape != (3,):
            return failed(name, f"for 3 classes return shape (3,), got {tuple(got.shape)}")
        if not torch.isclose(got.float().sum(), torch.tensor(1.0)):
            return failed(name, "priors are probabilities: they must sum to 1 (divide by N)")
        if not torch.allclose(got.float(), torch.bincount(labels).float() / len(labels)):
            return failed(name, "count each class (torch.bincount) and divide by the total")
        return passed(name, "P(y) is just how often each class occurs.")

    return guard(name, run)


@exercise("bayes_posterior")
def bayes_posterior(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Result:
    """``fn(log_lik (N, C), log_prior (C,)) -> (N, C)`` the posterior P(y | x)."""
    name = "bayes_posterior"

    def run() -> Result:
        g = torch.Generator().manual_seed(0)
        log_lik = torch.randn(5, 4, generator=g) * 300  # realistic magnitudes: exp() overflows
        log_prior = torch.log(torch.tensor([0.1, 0.2, 0.3, 0.4]))
        got = fn(log_lik, log_prior)
        if not isinstance(got, torch.Tensor) or got.shape != (5, 4):
            return failed(name, "return a tensor with one row of class probabilities per input")
        if not torch.isfinite(got).all():
            return failed(
                name, "you got inf/nan: log-likelihoods of images are huge, so exp() overflows; "
                "work in log space (subtract the row maximum, or use torch.softmax)"
            )
        expected = torch.softmax(log_lik + log_prior, dim=1)
        close_call = torch.zeros(2, 4)  # equal likelihoods: only the prior decides
        if not torch.allclose(got, expected, atol=1e-5) or not torch.allclose(
            fn(close_call, log_prior), torch.softmax(close_call + log_prior, dim=1), atol=1e-5
        ):
            return failed(name, "P(y|x) is proportional to P(x|y) P(y): add the logs, then "
                          "normalise each row so it sums to 1")
        return passed(name, "that is Bayes' rule, computed stably.")

    return guard(name, run)


@exercise("nearest_mean")
def nearest_mean(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Result:
    """``fn(x (N, D), means (C, D)) -> (N,)`` the index of the nearest class mean."""
    name = "nearest_mean"

    def run() -> Result:
        g = torch.Generator().manual_seed(1)
        means = torch.randn(6, 20, generator=g)
        x = means[torch.tensor([3, 1, 5, 0, 2, 4, 3])] + 0.05 * torch.randn(7, 20, generator=g)
        got = fn(x, means)
        if not isinstance(got, torch.Tensor) or got.shape != (7,):
            return failed(name, "return one class index per row of x, shape (N,)")
        expected = torch.cdist(x, means).argmin(1)
        if not torch.equal(got.long(), expected):
            return failed(name, "measure the distance from each x to every mean "
                          "(torch.cdist), then take the index of the smallest")
        return passed(name, "a template matcher: the simplest generative classifier.")

    return guard(name, run)
