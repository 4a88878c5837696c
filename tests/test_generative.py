from __future__ import annotations

import pytest
import torch

from nbhelpers.generative import GaussianClassifier


def _blobs(n=300, seed=0):
    g = torch.Generator().manual_seed(seed)
    centres = torch.tensor([[0.0, 0.0, 0.0], [4.0, 0.0, 1.0], [0.0, 4.0, -1.0]])
    y = torch.arange(3).repeat_interleave(n // 3)
    x = centres[y] + torch.randn(len(y), 3, generator=g)
    return x, y


def test_fit_recovers_means_and_classifies():
    x, y = _blobs()
    model = GaussianClassifier(shrinkage=0.05).fit(x, y)
    means = torch.stack([d.mean for d in model.dists]).float()
    assert torch.allclose(means, torch.stack([x[y == c].mean(0) for c in range(3)]), atol=1e-5)
    assert (model.predict(x) == y).float().mean() > 0.95
    probs = model.predict_proba(x)
    assert torch.allclose(probs.sum(1), torch.ones(len(x)), atol=1e-5)


def test_log_likelihood_matches_scipy_style_formula():
    x, y = _blobs()
    model = GaussianClassifier(shrinkage=1.0, diagonal=True).fit(x, y)
    # shrinkage 1: Sigma = mean variance * I, so log N is a scaled squared distance
    d = model.dists[0]
    var = d.covariance_matrix[0, 0]
    x0 = x[:5].double()
    expected = -0.5 * ((x0 - d.mean) ** 2).sum(1) / var - 1.5 * torch.log(2 * torch.pi * var)
    assert torch.allclose(model.log_likelihood(x[:5])[:, 0], expected, atol=1e-8)


def test_samples_look_like_their_class():
    x, y = _blobs(n=600)
    model = GaussianClassifier(shrinkage=0.05).fit(x, y)
    s = model.sample(1, 400, generator_seed=0)
    assert s.shape == (400, 3)
    assert torch.allclose(s.mean(0), model.dists[1].mean.float(), atol=0.25)
    assert (model.predict(s) == 1).float().mean() > 0.9


@pytest.mark.parametrize(
    "call,err,match",
    [
        (lambda m: m.fit(torch.zeros(4, 2), torch.zeros(3, dtype=torch.long)), ValueError, "shape"),
        (lambda m: m.fit(torch.zeros(4, 2), torch.zeros(4)), TypeError, "int64"),
        (lambda m: m.predict(torch.zeros(2, 2)), RuntimeError, "fit"),
        (lambda m: GaussianClassifier(shrinkage=0), ValueError, "shrinkage"),
    ],
)
def test_bad_input(call, err, match):
    with pytest.raises(err, match=match):
        call(GaussianClassifier())


def test_sample_rejects_unknown_label():
    x, y = _blobs()
    with pytest.raises(ValueError, match="label"):
        GaussianClassifier().fit(x, y).sample(7)
