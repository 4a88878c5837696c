"""Exercises of lecture 15 (generative vs discriminative): class priors, Bayes' rule in log
space, and the nearest class mean."""

from __future__ import annotations

from collections.abc import Callable

import torch

from nbhelpers.check import Result, call, correct, exercise, not_yet, tensor


@exercise
def class_priors(fn: Callable[[torch.Tensor], torch.Tensor]) -> Result:
    """``fn(labels (N,) int64) -> (C,)`` the fraction of examples in each class, P(y)."""
    labels = torch.tensor([0, 2, 2, 1, 2, 0, 2, 1, 1, 2])
    got = tensor(call(fn, labels.clone()), shape=(3,), hint="one prior per class")
    if not torch.isclose(got.sum(), torch.tensor(1.0, dtype=torch.float64)):
        return not_yet("priors are probabilities: they must sum to 1 (divide by N)")
    if not torch.allclose(got, torch.bincount(labels).double() / len(labels)):
        return not_yet("count each class (torch.bincount) and divide by the total")
    return correct("P(y) is just how often each class occurs.")


@exercise
def bayes_posterior(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Result:
    """``fn(log_lik (N, C), log_prior (C,)) -> (N, C)`` the posterior P(y | x)."""
    g = torch.Generator().manual_seed(0)
    log_lik = torch.randn(5, 4, generator=g) * 300  # realistic magnitudes: exp() overflows
    log_prior = torch.log(torch.tensor([0.1, 0.2, 0.3, 0.4]))
    got = tensor(call(fn, log_lik.clone(), log_prior.clone()), shape=(5, 4),
                 hint="one row of class probabilities per input")
    if not torch.isfinite(got).all():
        return not_yet("you got inf/nan: log-likelihoods of images are hundreds in size, so "
                       "exp() underflows to 0 or overflows to inf; work in log space (subtract "
                       "the row maximum, or use torch.softmax)")
    even = torch.zeros(2, 4)  # equal likelihoods: only the prior decides
    even_got = tensor(call(fn, even, log_prior.clone()), shape=(2, 4))
    if not (torch.allclose(got, torch.softmax(log_lik + log_prior, dim=1).double(), atol=1e-5)
            and torch.allclose(even_got, torch.softmax(even + log_prior, dim=1).double(),
                               atol=1e-5)):
        return not_yet("P(y|x) is proportional to P(x|y) P(y): add the logs, then normalise "
                       "each row so it sums to 1")
    return correct("that is Bayes' rule, computed stably.")


@exercise
def nearest_mean(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Result:
    """``fn(x (N, D), means (C, D)) -> (N,)`` the index of the nearest class mean."""
    g = torch.Generator().manual_seed(1)
    means = torch.randn(6, 20, generator=g)
    x = means[torch.tensor([3, 1, 5, 0, 2, 4, 3])] + 0.05 * torch.randn(7, 20, generator=g)
    got = tensor(call(fn, x.clone(), means.clone()), shape=(7,),
                 hint="one class index per row of x")
    if not torch.equal(got.long(), torch.cdist(x, means).argmin(1)):
        return not_yet("measure the distance from each x to every mean (torch.cdist), then take "
                       "the index of the smallest")
    return correct("a template matcher: the simplest generative classifier.")
