"""Lecture 15's comparative claims: naive Bayes (generative) against softmax regression
(discriminative) as the training set grows, on MNIST and on synthetic data.

Both models are fitted with fixed settings, the same on every size and every draw (naive Bayes:
shared diagonal covariance, shrinkage 0.1; softmax regression: weight decay 1e-4, L-BFGS to
convergence); nothing is tuned, and the slide says so. A seed fixes the training subsets (and
for the synthetic data also the class means, the test set and the training sets); each claim is
judged on every seed separately. Accuracies are fractions in [0, 1]; margins are in accuracy
(0.01 = one point).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from claims import Claim, Verdict
from nbhelpers import data
from nbhelpers.generative import GaussianClassifier, fit_softmax_regression, per_class_subset

NB, LR = "naive Bayes (generative)", "softmax regression (discriminative)"


def _pair(xs: torch.Tensor, ys: torch.Tensor, x_test: torch.Tensor,
          y_test: torch.Tensor) -> dict[str, float]:
    """Test accuracy of the two models, both fitted on (xs, ys) with the fixed settings."""
    nb = GaussianClassifier(shrinkage=0.1, diagonal=True, shared=True).fit(xs, ys)
    lr = fit_softmax_regression(xs, ys, weight_decay=1e-4)
    with torch.no_grad():
        preds = {NB: nb.predict(x_test), LR: lr(x_test).argmax(1)}
    return {name: (p == y_test).float().mean().item() for name, p in preds.items()}


# ---------------------------------------------------------------- 15/mnist-small-data

MNIST_SIZES = [2, 5, 10, 20, 50, 100, 500, 5000]
MNIST_SEEDS = (0, 1, 2)


def sweep_mnist() -> dict:
    """7×7 average-pooled MNIST (49 features), n images per class drawn from the 60,000
    training images, tested on the 10,000 test images (nothing is chosen on them)."""
    x, y = data.load_tensors("mnist", train=True, normalize=False)
    x_test, y_test = data.load_tensors("mnist", train=False, normalize=False)
    feats, feats_test = F.avg_pool2d(x, 4).flatten(1), F.avg_pool2d(x_test, 4).flatten(1)
    acc: dict = {NB: {}, LR: {}}
    for n in MNIST_SIZES:
        for seed in MNIST_SEEDS:
            i = per_class_subset(y, n_per_class=n, seed=seed)
            for name, a in _pair(feats[i], y[i], feats_test, y_test).items():
                acc[name].setdefault(str(n), []).append(a)
    return {"sizes": MNIST_SIZES, "seeds": list(MNIST_SEEDS), "accuracy": acc}


#: From this size on (per class) the slide says softmax regression is ahead on every draw;
#: below it (2 and 5 per class) which model is ahead depends on the draw.
MNIST_JUDGED_FROM = 10


def mnist_slacks(r: dict) -> list[float]:
    """Per seed, the smallest lead of softmax regression over naive Bayes over the sizes from
    MNIST_JUDGED_FROM per class on."""
    acc = r["accuracy"]
    sizes = [str(n) for n in r["sizes"] if n >= MNIST_JUDGED_FROM]
    return [min(acc[LR][n][s] - acc[NB][n][s] for n in sizes) for s in range(len(r["seeds"]))]


def check_mnist(r: dict) -> Verdict:
    slack = mnist_slacks(r)
    return Verdict(holds=[d > 0 for d in slack], margin=min(slack))


# ---------------------------------------------------------------- 15/synthetic

SYN_SIZES = [5, 10, 30, 100, 300]
SYN_SEEDS = (0, 1, 2)
SYN_DIM, SYN_RHO, SYN_DRAWS = 50, 0.8, 2


def _covariance(kind: str) -> torch.Tensor:
    """The within-class covariance: the identity ("independent") or, with unit variances,
    correlation rho^|i-j| between features i and j ("correlated")."""
    if kind == "independent":
        return torch.eye(SYN_DIM, dtype=torch.float64)
    idx = torch.arange(SYN_DIM, dtype=torch.float64)
    return SYN_RHO ** (idx[:, None] - idx[None, :]).abs()


def synthetic_task(kind: str, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Generator]:
    """Two classes, x | y ~ N(mu_y, Sigma). The mean difference is scaled so that the
    Bayes-optimal accuracy Phi(Delta / 2) (Delta: the Mahalanobis distance of the means) is
    Phi(1.7) ≈ 95.5 % for both kinds. Returns the means (2, D), the Cholesky factor of Sigma
    and the generator the draws continue from."""
    gen = torch.Generator().manual_seed(seed)
    cov = _covariance(kind)
    mu = torch.randn(2, SYN_DIM, generator=gen, dtype=torch.float64)
    diff = mu[0] - mu[1]
    delta = math.sqrt(diff @ torch.linalg.solve(cov, diff))
    mu = mu * (3.4 / delta)
    return mu, torch.linalg.cholesky(cov), gen


def _draw(mu: torch.Tensor, chol: torch.Tensor, n: int,
          gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    labels = torch.arange(2).repeat_interleave(n)
    noise = torch.randn(2 * n, SYN_DIM, generator=gen, dtype=torch.float64) @ chol.T
    return (mu[labels] + noise).float(), labels


def bayes_accuracy() -> float:
    """Phi(Delta / 2) with Delta = 3.4, the same for both kinds by construction."""
    return 0.5 * (1 + math.erf(1.7 / math.sqrt(2)))


def sweep_synthetic() -> dict:
    """Per kind and seed: the mean test accuracy (4,000 test points) over SYN_DRAWS training sets
    of n points per class."""
    out: dict = {"sizes": SYN_SIZES, "seeds": list(SYN_SEEDS), "rho": SYN_RHO,
                 "dim": SYN_DIM, "draws": SYN_DRAWS, "bayes": bayes_accuracy(), "accuracy": {}}
    for kind in ("independent", "correlated"):
        acc: dict = {NB: {}, LR: {}}
        for seed in SYN_SEEDS:
            mu, chol, gen = synthetic_task(kind, seed)
            x_test, y_test = _draw(mu, chol, 2000, gen)
            for n in SYN_SIZES:
                runs = [_pair(*_draw(mu, chol, n, gen), x_test, y_test)
                        for _ in range(SYN_DRAWS)]
                for name in acc:
                    acc[name].setdefault(str(n), []).append(
                        sum(r[name] for r in runs) / SYN_DRAWS)
        out["accuracy"][kind] = acc
    return out


#: The sizes where the slide's statements are judged (per seed): on independent features naive
#: Bayes is ahead from JUDGED_FROM per class on; on correlated features softmax regression is.
JUDGED_FROM = 10


def synthetic_slacks(r: dict) -> dict[str, list[float]]:
    """Per kind and seed, the smallest lead of the model the slide says is ahead."""
    out = {}
    for kind, leader, other in (("independent", NB, LR), ("correlated", LR, NB)):
        acc = r["accuracy"][kind]
        sizes = [str(n) for n in r["sizes"] if n >= JUDGED_FROM]
        out[kind] = [min(acc[leader][n][s] - acc[other][n][s] for n in sizes)
                     for s in range(len(r["seeds"]))]
    return out


def check_synthetic(r: dict) -> Verdict:
    slack = synthetic_slacks(r)
    per_seed = [min(a, b) for a, b in zip(slack["independent"], slack["correlated"],
                                          strict=True)]
    return Verdict(holds=[d > 0 for d in per_seed], margin=min(per_seed))


CLAIMS = [
    Claim(lecture="15", id="mnist-small-data",
          statement="On 7x7-pooled MNIST, with fixed settings (naive Bayes shrinkage 0.1, "
                    "softmax regression weight decay 1e-4), softmax regression has the higher "
                    "test accuracy at every size from 10 to 5,000 images per class, on each of "
                    "3 draws of the training set.",
          sweep=sweep_mnist, check=check_mnist),
    Claim(lecture="15", id="synthetic",
          statement="With the same fixed settings, on two-class Gaussian data with 50 "
                    "features, at every size from 10 to 300 per class: when the features are "
                    "independent given the class (naive Bayes' own assumption) naive Bayes "
                    "has the higher test accuracy; when they are correlated (0.8 between "
                    "neighbours) softmax regression has; on each of 3 seeds.",
          sweep=sweep_synthetic, check=check_synthetic),
]
