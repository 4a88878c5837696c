"""Generative vs discriminative classifiers for lecture 15.

``GaussianClassifier``: one Gaussian per class, P(x | y) = N(mu_y, Sigma_y), fitted by maximising
log P(x, y) = log P(x | y) + log P(y). It learns what each class *looks like*, so it can both
classify, by Bayes' rule ``argmax_y log P(x | y) + log P(y)``, and *sample* new inputs
``x ~ P(x | y)``. ``fit_softmax_regression``: its discriminative partner, which learns only
P(y | x) by minimising the cross-entropy -log P(y | x) of lecture 04. ``per_class_subset``: draw
small training sets for a learning curve; ``plot_learning_curves``: accuracy vs training size.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure
from torch import nn
from torch.distributions import MultivariateNormal

from nbhelpers.display import PALETTE, describe, slide_figure
from nbhelpers.plotting._common import MARKERS, series_style, words_list


class GaussianClassifier:
    """Class-conditional Gaussians with shrinkage covariance.

    ``Sigma_y = (1 - shrinkage) * S_y + shrinkage * mean(diag S_y) * I`` keeps the 784x784
    covariances invertible (many MNIST pixels are always 0); ``S_y`` is the maximum-likelihood
    covariance of class y (divides by N_y). ``diagonal=True`` gives the naive-Bayes variant
    (pixels independent given the class). ``shared=True`` pools one covariance over all classes
    (the within-class scatter); then log P(y | x) is linear in x, the same form as softmax
    regression (linear discriminant analysis; with ``diagonal=True``, Gaussian naive Bayes with
    shared variances).
    """

    def __init__(
        self, *, shrinkage: float = 0.1, diagonal: bool = False, shared: bool = False
    ) -> None:
        if not 0.0 < shrinkage <= 1.0:
            raise ValueError(f"shrinkage must be in (0, 1], got {shrinkage}")
        self.shrinkage, self.diagonal, self.shared = shrinkage, diagonal, shared
        self.dists: list[MultivariateNormal] = []
        self.log_prior: torch.Tensor | None = None

    def fit(self, x: torch.Tensor, y: torch.Tensor) -> GaussianClassifier:
        """Fit on images ``x`` (N, ...) (flattened to (N, D)) and labels ``y`` (N,) int64."""
        if x.ndim < 2 or y.ndim != 1 or len(x) != len(y):
            raise ValueError(
                f"expected x of shape (N, ...) and y of shape (N,), got {tuple(x.shape)} and "
                f"{tuple(y.shape)}"
            )
        if y.dtype != torch.int64:
            raise TypeError("labels y must be int64 class indices")
        x = x.reshape(len(x), -1).double()
        classes = int(y.max()) + 1
        counts = torch.bincount(y, minlength=classes)
        if counts.min() < 2:
            c = int(counts.argmin())
            raise ValueError(f"class {c} has {int(counts[c])} examples; need at least 2 per class")
        means = torch.stack([x[y == c].mean(0) for c in range(classes)])
        if self.shared:
            covs = [self._shrink(torch.cov((x - means[y]).T, correction=0))] * classes
        else:
            covs = [self._shrink(torch.cov(x[y == c].T, correction=0)) for c in range(classes)]
        self.dists = [MultivariateNormal(means[c], covariance_matrix=covs[c]) for c in range(classes)]
        self.log_prior = counts.double().div(len(x)).log()
        return self

    def _shrink(self, cov: torch.Tensor) -> torch.Tensor:
        if self.diagonal:
            cov = torch.diag(torch.diag(cov))
        ridge = torch.diag(cov).mean() * torch.eye(len(cov), dtype=cov.dtype)
        return (1 - self.shrinkage) * cov + self.shrinkage * ridge

    def _check_fitted(self) -> None:
        if not self.dists:
            raise RuntimeError("call fit(x, y) before using the model")

    def log_likelihood(self, x: torch.Tensor) -> torch.Tensor:
        """log P(x | y) for every class: shape (N, C)."""
        self._check_fitted()
        x = x.reshape(len(x), -1).double()
        return torch.stack([d.log_prob(x) for d in self.dists], dim=1)

    def predict_proba(self, x: torch.Tensor) -> torch.Tensor:
        """P(y | x) by Bayes' rule: softmax(log P(x | y) + log P(y)), shape (N, C)."""
        return torch.softmax(self.log_likelihood(x) + self.log_prior, dim=1).float()

    def predict(self, x: torch.Tensor) -> torch.Tensor:
        """Most probable class for each input, shape (N,)."""
        return (self.log_likelihood(x) + self.log_prior).argmax(1)

    def sample(self, label: int, n: int = 8, *, generator_seed: int | None = None) -> torch.Tensor:
        """``n`` new inputs drawn from P(x | y=label), shape (n, D).

        ``generator_seed`` reseeds torch's global generator (``MultivariateNormal.sample`` takes
        no generator), so later random draws depend on it too.
        """
        self._check_fitted()
        if not 0 <= label < len(self.dists):
            raise ValueError(f"label must be in 0..{len(self.dists) - 1}, got {label}")
        if generator_seed is not None:
            torch.manual_seed(generator_seed)
        return self.dists[label].sample((n,)).float()


def per_class_subset(labels: torch.Tensor, *, n_per_class: int, seed: int) -> torch.Tensor:
    """Indices of ``n_per_class`` random examples of every class in ``labels`` (N,) int64.

    Returns a (C * n_per_class,) int64 tensor, drawn without replacement; ``seed`` fixes the draw.
    """
    if labels.ndim != 1 or labels.dtype != torch.int64:
        raise ValueError(
            f"labels must be a 1-D int64 tensor, got {labels.dtype} {tuple(labels.shape)}"
        )
    counts = torch.bincount(labels)
    if n_per_class < 1 or n_per_class > int(counts.min()):
        raise ValueError(
            f"n_per_class must be in 1..{int(counts.min())} (the smallest class), got {n_per_class}"
        )
    g = torch.Generator().manual_seed(seed)
    picks = []
    for c in range(len(counts)):
        idx = torch.nonzero(labels == c).flatten()
        picks.append(idx[torch.randperm(len(idx), generator=g)[:n_per_class]])
    return torch.cat(picks)


def fit_softmax_regression(
    x: torch.Tensor, y: torch.Tensor, *, weight_decay: float, max_iter: int = 300
) -> nn.Linear:
    """Softmax regression trained to convergence (full-batch L-BFGS).

    Minimises ``cross_entropy(W x + b, y) + weight_decay / 2 * ||W||^2``, i.e. the mean
    -log P(y | x) plus an L2 penalty (lecture 09), which keeps the optimum finite on separable
    data. The problem is convex, so it starts from zero weights: the same data give the same
    model, with no seed. ``x``: (N, D) float, ``y``: (N,) int64 class indices; returns
    ``nn.Linear(D, C)``.
    """
    if x.ndim != 2 or y.shape != (len(x),) or y.dtype != torch.int64:
        raise ValueError(
            f"expected x (N, D) float and y (N,) int64, got {tuple(x.shape)} and "
            f"{y.dtype} {tuple(y.shape)}"
        )
    if weight_decay <= 0:
        raise ValueError(f"weight_decay must be > 0 so the optimum is finite, got {weight_decay}")
    model = nn.Linear(x.shape[1], int(y.max()) + 1)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    opt = torch.optim.LBFGS(model.parameters(), max_iter=max_iter, line_search_fn="strong_wolfe",
                            tolerance_grad=1e-7, tolerance_change=1e-10)

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y) + weight_decay / 2 * model.weight.pow(2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return model


@slide_figure
def plot_learning_curves(accuracy: dict[str, dict[int, list[float]]]) -> Figure:
    """Test accuracy vs training examples per class, log x, one line per model.

    ``accuracy[model][n_per_class]`` is a list of accuracies in [0, 1], one per random draw;
    the line is their mean, the dots the single draws.
    """
    if not accuracy or not all(accuracy.values()):
        raise ValueError("accuracy must map each model name to {n_per_class: [accuracies]}")
    fig, ax = plt.subplots(figsize=(8, 3.6))
    ends = []
    for i, ((name, runs), color) in enumerate(zip(accuracy.items(), PALETTE, strict=False)):
        sizes = sorted(runs)
        mean = [100 * sum(runs[n]) / len(runs[n]) for n in sizes]
        marker = MARKERS[i % len(MARKERS)]
        ax.plot(sizes, mean, color=color, label=name, marker=marker, ls=series_style(i)["ls"])
        for n in sizes:
            ax.scatter([n] * len(runs[n]), [100 * a for a in runs[n]], s=10, color=color,
                       alpha=0.4, marker=marker)
        ends.append(f"{name} {mean[0]:.1f}% at {sizes[0]:g} and {mean[-1]:.1f}% at "
                    f"{sizes[-1]:g}")
    ax.set(xscale="log", xlabel="training examples per class", ylabel="test accuracy (%)")
    ax.grid(alpha=0.3)
    ax.legend()
    return describe(fig, (
        f"Test accuracy against training examples per class (log scale) for "
        f"{words_list(list(accuracy))}: a line through the mean of the draws, a dot per "
        f"draw. Mean accuracy: {'; '.join(ends)} examples per class."))
