"""A generative classifier for lecture 15: one Gaussian per class, P(x | y) = N(mu_y, Sigma_y).

It learns what each class *looks like*, so it can both classify, by Bayes' rule
``argmax_y log P(x | y) + log P(y)``, and *sample* new inputs ``x ~ P(x | y)``.
Discriminative models (the CNN of lecture 12) learn only P(y | x).
"""

from __future__ import annotations

import torch
from torch.distributions import MultivariateNormal


class GaussianClassifier:
    """Class-conditional Gaussians with shrinkage covariance.

    ``Sigma_y = (1 - shrinkage) * S_y + shrinkage * mean(diag S_y) * I`` keeps the 784x784
    covariances invertible (many MNIST pixels are always 0). ``diagonal=True`` gives the
    naive-Bayes variant (pixels independent given the class).
    """

    def __init__(self, *, shrinkage: float = 0.1, diagonal: bool = False) -> None:
        if not 0.0 < shrinkage <= 1.0:
            raise ValueError(f"shrinkage must be in (0, 1], got {shrinkage}")
        self.shrinkage, self.diagonal = shrinkage, diagonal
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
        self.dists, counts = [], []
        for c in range(classes):
            xc = x[y == c]
            if len(xc) < 2:
                raise ValueError(f"class {c} has {len(xc)} examples; need at least 2 per class")
            mean = xc.mean(0)
            cov = torch.cov(xc.T)
            if self.diagonal:
                cov = torch.diag(torch.diag(cov))
            ridge = torch.diag(cov).mean() * torch.eye(len(mean), dtype=cov.dtype)
            cov = (1 - self.shrinkage) * cov + self.shrinkage * ridge
            self.dists.append(MultivariateNormal(mean, covariance_matrix=cov))
            counts.append(len(xc))
        self.log_prior = torch.tensor(counts, dtype=torch.float64).div(len(x)).log()
        return self

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
        """``n`` new inputs drawn from P(x | y=label), shape (n, D)."""
        self._check_fitted()
        if not 0 <= label < len(self.dists):
            raise ValueError(f"label must be in 0..{len(self.dists) - 1}, got {label}")
        if generator_seed is not None:
            torch.manual_seed(generator_seed)
        return self.dists[label].sample((n,)).float()
