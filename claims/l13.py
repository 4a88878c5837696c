"""Lecture 13's comparative claims: ReLU, cross-entropy and mini-batches one change at a time,
data augmentation on a small FashionMNIST set, and the learning rate per batch size.

Every arm gets its own learning rate from a grid that brackets its optimum, picked on the mean
validation accuracy over the seeds; validation images are held-out *training* images (the
test sets are not used). Each claim is judged on every seed at the arms' picked rates
(except full-batch GD in 13/details, which is judged at every rate of the grid).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from claims import Claim, Verdict, best_on_grid
from nbhelpers import data, models
from nbhelpers.device import seed_everything

SEEDS = (0, 1, 2)


# ---------------------------------------------------------------- shared pieces

def _train(net: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, *, epochs: int,
           batch_size: int, optimizer: torch.optim.Optimizer, seed: int,
           loss_fn=F.cross_entropy, augment=None) -> bool:
    """Plain mini-batch training; False when the loss became NaN/inf (the rate is too large)."""
    gen = torch.Generator().manual_seed(seed)
    net.train()
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=gen)
        for lo in range(0, len(x), batch_size):
            idx = order[lo:lo + batch_size]
            xb = x[idx] if augment is None else augment(x[idx], gen)
            loss = loss_fn(net(xb), y[idx])
            if not torch.isfinite(loss):
                return False
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    return True


def _accuracy(net: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Accuracy in eval mode, without gradients, on the images as they are (no augmentation)."""
    net.eval()
    with torch.no_grad():
        right = sum((net(x[i:i + 2500]).argmax(1) == y[i:i + 2500]).sum().item()
                    for i in range(0, len(x), 2500))
    return right / len(x)


def _pick(grid: list[float], per_seed: dict[str, list[float]]) -> tuple[float, bool]:
    """The grid value with the best mean (over seeds) validation accuracy, and whether it is
    interior; ``per_seed[str(value)]`` holds one accuracy per seed."""
    means = [sum(per_seed[str(v)]) / len(per_seed[str(v)]) for v in grid]
    return best_on_grid(grid, means)


# ---------------------------------------------------------------- 13/details

DETAILS_GRID = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0,
                500.0, 1000.0]
DETAILS_ARMS = {   # name: (hidden activation, loss, batch size); outputs through softmax in all
    "sigmoid, MSE, full-batch GD": ("sigmoid", "mse", 5000),
    "sigmoid, MSE, SGD": ("sigmoid", "mse", 64),
    "sigmoid, cross-entropy, SGD": ("sigmoid", "ce", 64),
    "ReLU, cross-entropy, SGD": ("relu", "ce", 64),
}


def mse_on_softmax(scores: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """MSE between the softmax outputs and the one-hot targets (mean over the 10 outputs)."""
    return F.mse_loss(scores.softmax(dim=1), F.one_hot(labels, 10).float())


def sweep_details() -> dict:
    """MNIST, 784-100-100-10 (QuickstartMLP with hidden=100), 2 epochs over 5,000 training
    images, plain SGD; validation: 10,000 other training images."""
    x, y = data.load_tensors("mnist", train=True)
    xtr, ytr, xval, yval = x[:5000], y[:5000], x[50_000:], y[50_000:]
    out: dict = {"grid": DETAILS_GRID, "seeds": list(SEEDS), "arms": {}}
    for name, (activation, loss, batch_size) in DETAILS_ARMS.items():
        loss_fn = mse_on_softmax if loss == "mse" else F.cross_entropy
        acc: dict[str, list[float]] = {}
        for lr in DETAILS_GRID:
            acc[str(lr)] = []
            for seed in SEEDS:
                seed_everything(seed)
                net = models.QuickstartMLP(activation=activation, hidden=100)
                ok = _train(net, xtr, ytr, epochs=2, batch_size=batch_size, seed=seed,
                            loss_fn=loss_fn, optimizer=torch.optim.SGD(net.parameters(), lr=lr))
                acc[str(lr)].append(_accuracy(net, xval, yval) if ok else 0.0)
        out["arms"][name] = acc
    return out


def check_details(r: dict) -> Verdict:
    """Full-batch GD below 15 % at every rate of the grid; each SGD arm at its own best rate
    (interior to the grid) beats the arm before it on every seed."""
    grid, arms = r["grid"], r["arms"]
    names = list(DETAILS_ARMS)
    full = max(a for acc in arms[names[0]].values() for a in acc)
    picked = {name: _pick(grid, arms[name]) for name in names[1:]}
    best = [arms[names[0]][str(grid[0])]] + [arms[n][str(picked[n][0])] for n in names[1:]]
    interior = all(i for _, i in picked.values())
    slacks = [[best[i + 1][s] - best[i][s] for i in range(1, len(best) - 1)]
              + [best[1][s] - full, 0.15 - full] for s in range(len(r["seeds"]))]
    return Verdict.from_slacks(slacks, also=interior)


# ---------------------------------------------------------------- 13/augmentation

AUG_GRIDS = {   # Adam's learning rate, per variant, around its optimum
    "none": [2.5e-4, 7e-4, 2e-3],
    "shift": [2e-3, 6e-3, 1.2e-2, 2.4e-2],
    "shift + flip": [7e-4, 2e-3, 6e-3],
}
AUG_ARMS = ["none", "shift", "shift + flip"]


def shift(x: torch.Tensor, gen: torch.Generator, pad: int = 2) -> torch.Tensor:
    """Each image shifted by up to ``pad`` pixels: a random 28×28 crop of it padded to 32×32."""
    b = len(x)
    padded = F.pad(x, (pad,) * 4, mode="replicate")
    dy, dx = torch.randint(0, 2 * pad + 1, (2, b, 1, 1), generator=gen)
    rows = torch.arange(28)[None, :, None] + dy
    cols = torch.arange(28)[None, None, :] + dx
    return padded[torch.arange(b)[:, None, None], 0, rows, cols][:, None]


def shift_flip(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Half of the images mirrored left-right, then each shifted as by :func:`shift`."""
    flip = torch.rand(len(x), generator=gen) < 0.5
    return shift(torch.where(flip[:, None, None, None], x.flip(-1), x), gen)


AUGMENT = {"none": None, "shift": shift, "shift + flip": shift_flip}


def sweep_augmentation() -> dict:
    """FashionMNIST, lecture 12's CNN, 2,000 training images, 12 epochs of Adam (batch 64);
    validation: 5,000 other training images. Accuracy on the clean training images and on the
    validation images, both in eval mode after the last epoch."""
    x, y = data.load_tensors("fashionmnist", train=True)
    order = torch.randperm(60_000, generator=torch.Generator().manual_seed(0))
    few, val = order[:2000], order[50_000:55_000]
    xtr, ytr, xval, yval = x[few], y[few], x[val], y[val]
    out: dict = {"grids": AUG_GRIDS, "seeds": list(SEEDS), "epochs": 12, "train_images": 2000,
                 "val_images": 5000, "val": {}, "train": {}}
    for arm in AUG_ARMS:
        out["val"][arm], out["train"][arm] = {}, {}
        for lr in AUG_GRIDS[arm]:
            out["val"][arm][str(lr)], out["train"][arm][str(lr)] = [], []
            for seed in SEEDS:
                seed_everything(seed)
                net = models.MnistCNN()
                _train(net, xtr, ytr, epochs=12, batch_size=64, seed=seed,
                       augment=AUGMENT[arm], optimizer=torch.optim.Adam(net.parameters(), lr=lr))
                out["val"][arm][str(lr)].append(_accuracy(net, xval, yval))
                out["train"][arm][str(lr)].append(_accuracy(net, xtr, ytr))
    return out


def check_augmentation(r: dict) -> Verdict:
    """Each variant at its own best rate (interior to its grid): no variant raises validation
    accuracy by more than 1.5 points over no augmentation on any seed, and every variant
    narrows the gap between clean training and validation accuracy on every seed."""
    picked = {arm: _pick(r["grids"][arm], r["val"][arm]) for arm in AUG_ARMS}
    interior = all(i for _, i in picked.values())
    val = {arm: r["val"][arm][str(lr)] for arm, (lr, _) in picked.items()}
    gap = {arm: [t - v for t, v in zip(r["train"][arm][str(lr)], val[arm], strict=True)]
           for arm, (lr, _) in picked.items()}
    slacks = [[0.015 - (val[arm][s] - val["none"][s]) for arm in AUG_ARMS[1:]]
              + [gap["none"][s] - gap[arm][s] for arm in AUG_ARMS[1:]]
              for s in range(len(r["seeds"]))]
    return Verdict.from_slacks(slacks, also=interior)


# ---------------------------------------------------------------- 13/batch-size

BATCH_SIZES = [16, 64, 256, 1024]
BATCH_GRID = [0.0125, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2]


def sweep_batch_size() -> dict:
    """MNIST, 784-100-10 MLP, one epoch over 10,000 training images, plain SGD; validation:
    10,000 other training images."""
    x, y = data.load_tensors("mnist", train=True)
    xtr, ytr, xval, yval = x[:10_000], y[:10_000], x[50_000:], y[50_000:]
    out: dict = {"grid": BATCH_GRID, "seeds": list(SEEDS), "batch_sizes": BATCH_SIZES,
                 "val": {}}
    for b in BATCH_SIZES:
        out["val"][str(b)] = {}
        for lr in BATCH_GRID:
            out["val"][str(b)][str(lr)] = []
            for seed in SEEDS:
                seed_everything(seed)
                net = models.mlp(100)
                ok = _train(net, xtr, ytr, epochs=1, batch_size=b, seed=seed,
                            optimizer=torch.optim.SGD(net.parameters(), lr=lr))
                out["val"][str(b)][str(lr)].append(_accuracy(net, xval, yval) if ok else 0.0)
    return out


def check_batch_size(r: dict) -> Verdict:
    """Each batch size at its own best rate (interior to the grid): batch 16 beats 64, and 64
    beats 256 and 1,024, on every seed; batch 1,024's best rate is under 4× batch 16's."""
    grid = r["grid"]
    picked = {int(b): _pick(grid, acc) for b, acc in r["val"].items()}
    at_best = {int(b): acc[str(picked[int(b)][0])] for b, acc in r["val"].items()}
    interior = all(i for _, i in picked.values())
    small = picked[1024][0] < 4 * picked[16][0]
    gaps = [[at_best[16][s] - at_best[64][s], at_best[64][s] - at_best[256][s],
             at_best[64][s] - at_best[1024][s]] for s in range(len(r["seeds"]))]
    return Verdict.from_slacks(gaps, also=interior and small)


CLAIMS = [
    Claim(lecture="13", id="details", statement=(
        "After 2 epochs over 5,000 MNIST images (784-100-100-10, softmax outputs, plain SGD), "
        "full-batch GD stays below 15% validation accuracy at every learning rate from 0.01 to "
        "1,000; with each arm at its own best rate (interior to that grid, picked on validation "
        "accuracy), SGD with batches of 64 beats full-batch GD, cross-entropy beats MSE, and "
        "ReLU beats sigmoid, on every seed"),
          sweep=sweep_details, check=check_details),
    Claim(lecture="13", id="augmentation", statement=(
        "On 2,000 FashionMNIST training images, 12 epochs of Adam with lecture 12's CNN, each "
        "variant (none, shifts, shifts with flips) at its own best learning rate (interior to "
        "its grid, picked on validation accuracy): neither augmentation raises validation "
        "accuracy by more than 1.5 points over none on any seed, and both narrow the gap between "
        "training and validation accuracy (both on clean images in eval mode) on every seed"),
          sweep=sweep_augmentation, check=check_augmentation),
    Claim(lecture="13", id="batch-size", statement=(
        "After one epoch over 10,000 MNIST images (784-100-10 MLP, plain SGD), each batch size "
        "at its own best learning rate (interior to the grid 0.0125 to 3.2, picked on "
        "validation accuracy): batch 16 beats 64, and 64 beats 256 and 1,024, on every seed; "
        "the best rate of batch 1,024 is less than 4 times that of batch 16"),
          sweep=sweep_batch_size, check=check_batch_size),
]
