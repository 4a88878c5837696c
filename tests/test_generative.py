from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from nbhelpers.generative import (
    GaussianClassifier,
    fit_softmax_regression,
    per_class_subset,
    plot_learning_curves,
)


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


def test_fit_uses_maximum_likelihood_covariance():
    x, y = _blobs()
    model = GaussianClassifier(shrinkage=1e-9).fit(x, y)
    xc = x[y == 2].double()
    mle = (xc - xc.mean(0)).T @ (xc - xc.mean(0)) / len(xc)       # divides by N, not N - 1
    assert torch.allclose(model.dists[2].covariance_matrix, mle, atol=1e-6)
    assert torch.allclose(model.log_prior.exp(), torch.full((3,), 1 / 3, dtype=torch.float64))


def test_shared_covariance_pools_within_class_scatter_and_gives_linear_posterior():
    x, y = _blobs()
    model = GaussianClassifier(shrinkage=1e-9, shared=True).fit(x, y)
    centred = torch.cat([x[y == c] - x[y == c].mean(0) for c in range(3)]).double()
    pooled = centred.T @ centred / len(x)
    for d in model.dists:
        assert torch.allclose(d.covariance_matrix, pooled, atol=1e-6)
    # shared Sigma: log P(y|x) differences are linear in x, so they are exact on midpoints
    lp = torch.log(model.predict_proba(x[:2]).double())
    mid = torch.log(model.predict_proba(x[:2].mean(0, keepdim=True)).double())
    diff = lambda t: t[:, 1] - t[:, 0]  # noqa: E731
    assert torch.allclose(diff(mid), diff(lp).mean(), atol=1e-3)
    assert not torch.allclose(model.dists[0].covariance_matrix,
                              GaussianClassifier(shrinkage=1e-9).fit(x, y).dists[0].covariance_matrix)


def test_shared_diagonal_is_naive_bayes_with_shared_variances():
    x, y = _blobs()
    model = GaussianClassifier(shrinkage=0.2, diagonal=True, shared=True).fit(x, y)
    centred = torch.cat([x[y == c] - x[y == c].mean(0) for c in range(3)]).double()
    var = centred.pow(2).mean(0)
    expected = torch.diag(0.8 * var + 0.2 * var.mean())
    assert torch.allclose(model.dists[1].covariance_matrix, expected, atol=1e-8)


def test_fit_rejects_class_with_one_example():
    with pytest.raises(ValueError, match="class 1 has 1 examples"):
        GaussianClassifier().fit(torch.randn(5, 2), torch.tensor([0, 0, 1, 2, 2]))


def test_per_class_subset_draws_n_of_each_class():
    y = torch.arange(4).repeat(10)
    i = per_class_subset(y, n_per_class=3, seed=0)
    assert i.shape == (12,) and len(set(i.tolist())) == 12
    assert torch.equal(torch.bincount(y[i]), torch.full((4,), 3))
    assert torch.equal(i, per_class_subset(y, n_per_class=3, seed=0))
    assert not torch.equal(i, per_class_subset(y, n_per_class=3, seed=1))


@pytest.mark.parametrize(
    "labels,n,match",
    [(torch.arange(3).repeat(2), 3, "n_per_class"), (torch.arange(3).repeat(2), 0, "n_per_class"),
     (torch.zeros(3), 1, "int64")],
)
def test_per_class_subset_bad_input(labels, n, match):
    with pytest.raises(ValueError, match=match):
        per_class_subset(labels, n_per_class=n, seed=0)


def test_fit_softmax_regression_reaches_the_regularised_optimum():
    x, y = _blobs()
    wd = 1e-2
    model = fit_softmax_regression(x, y, weight_decay=wd)
    assert isinstance(model, torch.nn.Linear) and model.weight.shape == (3, 3)
    assert (model(x).argmax(1) == y).float().mean() > 0.95
    loss = F.cross_entropy(model(x), y) + wd / 2 * model.weight.pow(2).sum()
    w_grad, b_grad = torch.autograd.grad(loss, [model.weight, model.bias])
    assert w_grad.abs().max() < 1e-4 and b_grad.abs().max() < 1e-4   # converged: gradient ~ 0
    # the same objective minimised by plain gradient descent lands on the same weights
    ref = torch.nn.Linear(3, 3)
    opt = torch.optim.SGD(ref.parameters(), lr=0.5)
    for _ in range(3000):
        opt.zero_grad()
        (F.cross_entropy(ref(x), y) + wd / 2 * ref.weight.pow(2).sum()).backward()
        opt.step()
    assert torch.allclose(ref.weight, model.weight, atol=1e-2)


def test_fit_softmax_regression_needs_no_seed():
    x, y = _blobs()
    torch.manual_seed(0)
    first = fit_softmax_regression(x, y, weight_decay=1e-2)
    torch.manual_seed(1)                      # another global seed: the same model
    second = fit_softmax_regression(x, y, weight_decay=1e-2)
    assert torch.equal(first.weight, second.weight) and torch.equal(first.bias, second.bias)


@pytest.mark.parametrize(
    "x,y,wd,match",
    [(torch.zeros(4), torch.zeros(4, dtype=torch.long), 1e-3, "expected"),
     (torch.zeros(4, 2), torch.zeros(4), 1e-3, "expected"),
     (torch.zeros(4, 2), torch.zeros(4, dtype=torch.long), 0.0, "weight_decay")],
)
def test_fit_softmax_regression_bad_input(x, y, wd, match):
    with pytest.raises(ValueError, match=match):
        fit_softmax_regression(x, y, weight_decay=wd)


def test_plot_learning_curves_draws_one_line_per_model_on_log_x():
    fig = plot_learning_curves({"a": {2: [0.5, 0.6], 20: [0.8]}, "b": {2: [0.4], 20: [0.9]}})
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and len(ax.get_lines()) == 2
    assert torch.allclose(torch.tensor(ax.get_lines()[0].get_ydata(), dtype=torch.float64),
                          torch.tensor([55.0, 80.0], dtype=torch.float64))
    with pytest.raises(ValueError, match="accuracy"):
        plot_learning_curves({})


def test_plot_learning_curves_alt_gives_each_models_mean_at_both_ends():
    import matplotlib.pyplot as plt

    from nbhelpers.display import alt_problem, alt_text
    from nbhelpers.generative import plot_learning_curves

    alt = alt_text(plot_learning_curves({"naive Bayes": {2: [0.5, 0.6], 20: [0.7, 0.8]},
                                         "softmax": {2: [0.4, 0.5], 20: [0.9, 0.9]}}))
    plt.close("all")
    assert alt_problem(alt) is None and "naive Bayes and softmax" in alt
    assert "naive Bayes 55.0% at 2 and 75.0% at 20; softmax 45.0% at 2 and 90.0% at 20" in alt
