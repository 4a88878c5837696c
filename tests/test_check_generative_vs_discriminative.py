from __future__ import annotations

import numpy as np
import torch
from shared import right, wrong

from nbhelpers.check import generative_vs_discriminative as check


def test_class_priors():
    assert check.priors(lambda y: torch.bincount(y).float() / len(y))
    assert not check.priors(lambda y: torch.bincount(y).float())  # not normalised
    assert not check.priors(lambda y: 1 / 0)  # raising answers fail, not crash


def test_bayes_posterior():
    assert check.posterior(lambda ll, lp: torch.softmax(ll + lp, dim=1))

    def naive(ll, lp):
        return (ll.exp() * lp.exp()) / (ll.exp() * lp.exp()).sum(1, keepdim=True)

    result = check.posterior(naive)
    assert not result and "log space" in result.message
    assert not check.posterior(lambda ll, lp: torch.softmax(ll, dim=1))  # forgot prior


def test_nearest_mean():
    assert check.nearest_mean(lambda x, m: torch.cdist(x, m).argmin(1))
    assert not check.nearest_mean(lambda x, m: torch.cdist(x, m).argmax(1))
    assert not check.nearest_mean(lambda x, m: (x @ m.T).argmin(1))


# ----------------------------------------------------------------------------- catalogue


def _priors_one_hot(labels):
    return torch.nn.functional.one_hot(labels).float().mean(0)


def _priors_loop(labels):                      # a count per class, in float64
    counts = torch.zeros(int(labels.max()) + 1, dtype=torch.float64)
    for y in labels.tolist():
        counts[y] += 1
    return counts / counts.sum()


def _priors_unique(labels):                    # skips a class that never occurs
    _, counts = torch.unique(labels, return_counts=True)
    return counts.float() / len(labels)


def _priors_sorts_in_place(labels):
    values, _ = labels.sort()
    labels.copy_(values)
    return torch.bincount(labels).float() / len(labels)


def _posterior_max_shift(log_lik, log_prior):  # each row's maximum subtracted by hand
    scores = log_lik + log_prior
    e = (scores - scores.max(dim=1, keepdim=True).values).exp()
    return e / e.sum(dim=1, keepdim=True)


def _posterior_logsumexp(log_lik, log_prior):
    scores = log_lik + log_prior
    return (scores - torch.logsumexp(scores, dim=1, keepdim=True)).exp()


def _posterior_naive(log_lik, log_prior):
    e = log_lik.exp() * log_prior.exp()
    return e / e.sum(1, keepdim=True)


def _posterior_naive64(log_lik, log_prior):    # exp in float64: fine for -300, not for -1000
    e = log_lik.double().exp() * log_prior.double().exp()
    return e / e.sum(1, keepdim=True)


def _posterior_mean_shift(log_lik, log_prior):  # the row mean: overflows when rows spread
    scores = (log_lik + log_prior).double()
    e = (scores - scores.mean(1, keepdim=True)).exp()
    return e / e.sum(1, keepdim=True)


def _posterior_global_max(log_lik, log_prior):  # one maximum for all rows
    scores = log_lik + log_prior
    e = (scores - scores.max()).exp()
    return e / e.sum(1, keepdim=True)


def _posterior_in_place(log_lik, log_prior):
    log_lik += log_prior
    return torch.softmax(log_lik, dim=1)


def _nearest_squared(x, means):                # squared distances by broadcasting
    return ((x[:, None, :] - means[None, :, :]) ** 2).sum(-1).argmin(1)


def _nearest_loop(x, means):                   # one row at a time, NumPy
    xs, ms = x.numpy(), means.numpy()
    return np.array([np.linalg.norm(ms - row, axis=1).argmin() for row in xs])


def _nearest_expanded(x, means):               # ||x||² − 2 x·m + ||m||²
    d2 = (x * x).sum(1, keepdim=True) - 2 * x @ means.T + (means * means).sum(1)
    return d2.argmin(1)


def _nearest_no_m2(x, means):                  # ||m||² dropped
    return ((x * x).sum(1, keepdim=True) - 2 * x @ means.T).argmin(1)


def _nearest_cosine(x, means):
    x_n = torch.nn.functional.normalize(x, dim=1)
    m_n = torch.nn.functional.normalize(means, dim=1)
    return (x_n @ m_n.T).argmax(1)


def _nearest_in_place(x, means):               # centres x on the means' average, in place
    x -= means.mean(0)
    return torch.cdist(x, means - means.mean(0)).argmin(1)


CATALOGUE = {
    "priors": [
        right("bincount over N (the lecture's answer)",
              lambda y: torch.bincount(y).float() / len(y)),
        right("mean of one-hot rows", _priors_one_hot),
        right("a loop, float64", _priors_loop),
        right("NumPy bincount, a NumPy array",
              lambda y: np.bincount(y.numpy()) / len(y)),
        wrong("counts, not divided by N", lambda y: torch.bincount(y).float(), hint="counts"),
        wrong("integer division", lambda y: torch.bincount(y) // len(y), hint="sum to 1"),
        wrong("torch.unique: a missing class dropped", _priors_unique, hint="keeps its place"),
        wrong("softmax of the counts", lambda y: torch.softmax(torch.bincount(y).float(), 0),
              hint="count each class"),
        wrong("divided by the number of classes",
              lambda y: torch.bincount(y).float() / (int(y.max()) + 1), hint="sum to 1"),
        wrong("hard-coded for the lecture's labels",
              lambda y: torch.tensor([0.2, 0.3, 0.5]), hint="one prior per class"),
        wrong("sorts the labels in place", _priors_sorts_in_place, hint="in place"),
        wrong("the mean label", lambda y: y.float().mean(), hint="one prior per class"),
    ],
    "posterior": [
        right("softmax of log_lik + log_prior (the lecture's answer)",
              lambda ll, lp: torch.softmax(ll + lp, dim=1)),
        right("each row's maximum subtracted by hand", _posterior_max_shift),
        right("logsumexp", _posterior_logsumexp),
        right("NumPy array back",
              lambda ll, lp: torch.softmax(ll + lp, dim=1).numpy()),
        wrong("exp() directly", _posterior_naive, hint="log space"),
        wrong("exp() in float64", _posterior_naive64, hint="log space"),
        wrong("the row mean subtracted", _posterior_mean_shift, hint="not the mean"),
        wrong("one maximum for all rows", _posterior_global_max, hint="not one maximum"),
        wrong("prior forgotten", lambda ll, lp: torch.softmax(ll, dim=1),
              hint="prior is missing"),
        wrong("log-probabilities returned", lambda ll, lp: torch.log_softmax(ll + lp, dim=1),
              hint="log-probabilities"),
        wrong("normalised over the classes' column (dim=0)",
              lambda ll, lp: torch.softmax(ll + lp, dim=0), hint="dim=1"),
        wrong("the prior itself added, not its log",
              lambda ll, lp: torch.softmax(ll + lp.exp(), dim=1), hint="proportional"),
        wrong("log_lik changed in place", _posterior_in_place, hint="in place"),
    ],
    "nearest_mean": [
        right("cdist then argmin (the lecture's answer)",
              lambda x, m: torch.cdist(x, m).argmin(dim=1)),
        right("squared distances by broadcasting", _nearest_squared),
        right("||x||² − 2x·m + ||m||²", _nearest_expanded),
        right("a NumPy loop, NumPy indices", _nearest_loop),
        wrong("argmax: the farthest mean", lambda x, m: torch.cdist(x, m).argmax(1),
              hint="farthest"),
        wrong("the largest dot product", lambda x, m: (x @ m.T).argmax(1),
              hint="dot product"),
        wrong("the smallest dot product", lambda x, m: (x @ m.T).argmin(1),
              hint="torch.cdist"),
        wrong("L1 distance", lambda x, m: torch.cdist(x, m, p=1).argmin(1), hint="L1"),
        wrong("cosine similarity", _nearest_cosine, hint="torch.cdist"),
        wrong("||m||² dropped (the same as the largest dot product)", _nearest_no_m2,
              hint="dot product"),
        wrong("the smallest distance, not its index",
              lambda x, m: torch.cdist(x, m).min(1).values, hint="not the distance"),
        wrong("keepdim=True: shape (N, 1)",
              lambda x, m: torch.cdist(x, m).argmin(1, keepdim=True), hint="(7, 1)"),
        wrong("argmin over dim 0", lambda x, m: torch.cdist(x, m).argmin(0),
              hint="one class index per row"),
        wrong("x changed in place", _nearest_in_place, hint="in place"),
    ],
}
