from __future__ import annotations

import torch

from nbhelpers import check


def test_class_priors():
    assert check.class_priors(lambda y: torch.bincount(y).float() / len(y))
    assert not check.class_priors(lambda y: torch.bincount(y).float())  # not normalised
    assert not check.class_priors(lambda y: 1 / 0)  # raising answers fail, not crash


def test_bayes_posterior():
    assert check.bayes_posterior(lambda ll, lp: torch.softmax(ll + lp, dim=1))

    def naive(ll, lp):
        return (ll.exp() * lp.exp()) / (ll.exp() * lp.exp()).sum(1, keepdim=True)

    result = check.bayes_posterior(naive)
    assert not result and "log space" in result.message
    assert not check.bayes_posterior(lambda ll, lp: torch.softmax(ll, dim=1))  # forgot prior


def test_nearest_mean():
    assert check.nearest_mean(lambda x, m: torch.cdist(x, m).argmin(1))
    assert not check.nearest_mean(lambda x, m: torch.cdist(x, m).argmax(1))
    assert not check.nearest_mean(lambda x, m: (x @ m.T).argmin(1))
