"""Lecture 07's comparative claim: optimisers on the spirals, each at its own learning rate.

Three interleaved spirals (``descent.spirals``), 1,200 points per seed: 600 to train on, 300
to pick the learning rate on (validation), 300 looked at once at the end (test). The network
of the slide, 2 → 32 → 32 → 3, trained for 10 epochs of mini-batches of 64 (100 updates).

The grid: 15 learning rates 10^(k/4), 0.001 to 3.16, a factor 10^(1/4) ≈ 1.78 apart. A
factor-10 grid can miss an optimiser's best rate by up to √10 ≈ 3.2×, and near the best the
validation loss changes by tens of per cent between such points; at 1.78× apart the picked
rate is within 1.33× of the grid's best region and the grid still holds η and 10η (the
momentum ↔ SGD diagonal the slide reads off). Each optimiser's rate is the one with the
lowest validation loss averaged over the seeds (``best_on_grid``; it must be interior); the
claim is then judged on every seed's test loss at those rates.
"""

from __future__ import annotations

import math
import statistics

import torch
import torch.nn.functional as F
from torch import nn

from claims import Claim, Verdict, best_on_grid
from nbhelpers import data, descent

SEEDS = (0, 1, 2, 3, 4)
GRID = tuple(round(10 ** (k / 4), 6) for k in range(-12, 3))      # 0.001 ... 3.162278
EPOCHS, BATCH, POINTS = 10, 64, 400                               # POINTS per arm (class)
OPTIMISERS = {
    "SGD": lambda params, lr: torch.optim.SGD(params, lr=lr),
    "momentum": lambda params, lr: torch.optim.SGD(params, lr=lr, momentum=0.9),
    "Nesterov": lambda params, lr: torch.optim.SGD(params, lr=lr, momentum=0.9, nesterov=True),
    "AdaGrad": lambda params, lr: torch.optim.Adagrad(params, lr=lr),
    "RMSprop": lambda params, lr: torch.optim.RMSprop(params, lr=lr),
    "Adam": lambda params, lr: torch.optim.Adam(params, lr=lr),
}
FAILED = 10.0          # the loss recorded for a run that diverged (nan or inf)


def spirals_split(seed: int) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Seed ``seed``'s spirals (its own angle noise), shuffled into train/val/test 600/300/300."""
    x, y = descent.spirals(n=POINTS, classes=3, seed=seed)
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    parts = {"train": order[:600], "val": order[600:900], "test": order[900:]}
    return {name: (x[idx], y[idx]) for name, idx in parts.items()}


def train_spirals(name: str, lr: float, seed: int, split: dict, on: str = "val") -> dict:
    """Train the slide's network with optimiser ``name`` at ``lr``; loss and accuracy on ``on``."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
                          nn.Linear(32, 3))
    opt = OPTIMISERS[name](model.parameters(), lr)
    batches = data.TensorBatches(*split["train"], batch_size=BATCH, seed=seed)
    for _ in range(EPOCHS):
        for xb, yb in batches:
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            opt.step()
    x, y = split[on]
    with torch.no_grad():
        out = model(x)
        loss = F.cross_entropy(out, y).item()
        acc = (out.argmax(1) == y).float().mean().item()
    return {"loss": loss if math.isfinite(loss) else FAILED, "acc": acc}


def sweep_optimisers() -> dict:
    splits = {seed: spirals_split(seed) for seed in SEEDS}
    val = {name: [[train_spirals(name, lr, seed, splits[seed]) for lr in GRID] for seed in SEEDS]
           for name in OPTIMISERS}
    best_lr, interior, test = {}, {}, {}
    for name, runs in val.items():
        mean_loss = [statistics.mean(run[i]["loss"] for run in runs) for i in range(len(GRID))]
        best_lr[name], interior[name] = best_on_grid(GRID, mean_loss, higher_is_better=False)
        # the test set, once: each seed retrained at the picked rate
        test[name] = [train_spirals(name, best_lr[name], seed, splits[seed], on="test")
                      for seed in SEEDS]
    return {
        "seeds": list(SEEDS), "grid": list(GRID), "epochs": EPOCHS, "batch_size": BATCH,
        "points": {"train": 600, "val": 300, "test": 300},
        "val_loss": {n: [[r["loss"] for r in run] for run in runs] for n, runs in val.items()},
        "val_acc": {n: [[r["acc"] for r in run] for run in runs] for n, runs in val.items()},
        "best_lr": best_lr, "interior": interior,
        "test_loss": {n: [r["loss"] for r in rs] for n, rs in test.items()},
        "test_acc": {n: [r["acc"] for r in rs] for n, rs in test.items()},
    }


def check_sgd_behind(results: dict) -> Verdict:
    """On every seed, plain SGD's test loss at its rate is above each other optimiser's at its
    rate; every picked rate interior. Margin: the smallest gap in test loss (nats)."""
    test = results["test_loss"]
    others = [name for name in test if name != "SGD"]
    gaps = [test["SGD"][i] - max(test[name][i] for name in others)
            for i in range(len(results["seeds"]))]
    bracketed = all(results["interior"].values())
    return Verdict.from_slacks(gaps, also=bracketed)


# ---------------------------------------------------------------- 07/one-cycle

CYCLE_SEEDS = (0, 1, 2, 3, 4)
CYCLE_GRID = (0.02, 0.03, 0.05, 0.07, 0.1, 0.14, 0.2, 0.3, 0.5)   # about √2 apart
CYCLE_EPOCHS, CYCLE_BATCH = 3, 128
#: constant: the rate throughout; cosine: from the rate down to 0, no warm-up, momentum fixed
#: at 0.9; one-cycle: OneCycleLR peaking at the rate (warm-up, anneal, momentum cycled)
SCHEDULES = ("constant", "cosine", "one-cycle")
BEHIND_AT_MOST = 0.005   # per seed, the constant rate is never ahead of one cycle by more
MEAN_LEAD = 0.005        # one cycle's mean lead over the constant rate, over the seeds
COSINE_WITHIN = 0.01     # per seed, cosine and one cycle within this of each other


def train_mnist_mlp(lr: float, schedule: str, seed: int, x_train: torch.Tensor,
                    y_train: torch.Tensor, on: data.TensorBatches) -> float:
    """The slide's run: lecture 12's MLP (784 → 100 → 10), SGD with Nesterov momentum 0.9,
    CYCLE_EPOCHS epochs of batches of CYCLE_BATCH, with ``schedule`` at (peak) rate ``lr``
    (one-cycle: pct_start 0.25); the accuracy on ``on``."""
    from torch.optim.lr_scheduler import CosineAnnealingLR, OneCycleLR

    from nbhelpers import models
    from nbhelpers.training import evaluate, fit, seed_everything

    seed_everything(seed)
    model = models.mlp(100)
    train = data.TensorBatches(x_train, y_train, batch_size=CYCLE_BATCH, seed=seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True)
    steps = CYCLE_EPOCHS * len(train)
    scheduler = {"constant": None,
                 "cosine": lambda: CosineAnnealingLR(opt, T_max=steps),
                 "one-cycle": lambda: OneCycleLR(opt, max_lr=lr, total_steps=steps,
                                                 pct_start=0.25)}[schedule]
    fit(model, train, epochs=CYCLE_EPOCHS, optimizer=opt,
        scheduler=scheduler() if scheduler else None, progress=False)
    accuracy = evaluate(model, on).accuracy
    return accuracy if math.isfinite(accuracy) else 0.0


def sweep_one_cycle() -> dict:
    """MNIST's first 10,000 training images to train on, its last 10,000 to pick each
    schedule's (peak) rate on, the 10,000 test images once at the picks."""
    x, y = data.load_tensors("mnist")
    x_test, y_test = data.load_tensors("mnist", train=False)
    val = data.TensorBatches(x[50_000:], y[50_000:], batch_size=2000, shuffle=False)
    test = data.TensorBatches(x_test, y_test, batch_size=2000, shuffle=False)
    x_train, y_train = x[:10_000], y[:10_000]
    val_acc = {s: [[train_mnist_mlp(lr, s, seed, x_train, y_train, val) for lr in CYCLE_GRID]
                   for seed in CYCLE_SEEDS] for s in SCHEDULES}
    best_lr, interior, test_acc = {}, {}, {}
    for s, runs in val_acc.items():
        mean = [statistics.mean(run[i] for run in runs) for i in range(len(CYCLE_GRID))]
        best_lr[s], interior[s] = best_on_grid(CYCLE_GRID, mean)
        test_acc[s] = [train_mnist_mlp(best_lr[s], s, seed, x_train, y_train, test)
                       for seed in CYCLE_SEEDS]
    return {"seeds": list(CYCLE_SEEDS), "grid": list(CYCLE_GRID), "epochs": CYCLE_EPOCHS,
            "batch_size": CYCLE_BATCH, "val_acc": val_acc, "best_lr": best_lr,
            "interior": interior, "test_acc": test_acc}


def one_cycle_slacks(results: dict) -> list[float]:
    """Per seed, the smallest slack of: the constant rate at most BEHIND_AT_MOST ahead of one
    cycle; one cycle's mean lead over the constant rate above MEAN_LEAD (the same for every
    seed); cosine within COSINE_WITHIN of one cycle. Test accuracies at each pick."""
    acc = results["test_acc"]
    lead = [c - k for c, k in zip(acc["one-cycle"], acc["constant"], strict=True)]
    mean_slack = statistics.mean(lead) - MEAN_LEAD
    return [min(d + BEHIND_AT_MOST, mean_slack, COSINE_WITHIN - abs(c - o))
            for d, c, o in zip(lead, acc["cosine"], acc["one-cycle"], strict=True)]


def check_one_cycle(results: dict) -> Verdict:
    """The three statements of one_cycle_slacks on every seed; every pick interior and one
    cycle's seeds closer together than the constant rate's. Margin: the smallest slack."""
    acc = results["test_acc"]
    closer = max(acc["one-cycle"]) - min(acc["one-cycle"]) < max(acc["constant"]) - min(
        acc["constant"])
    ok = closer and all(results["interior"].values())
    return Verdict.from_slacks(one_cycle_slacks(results), also=ok)


CLAIMS = [
    Claim(lecture="07", id="spirals-optimisers",
          statement="On three spirals after 10 epochs, each optimiser at its own learning rate "
                    "(picked on validation points from a grid 1.78x apart that brackets it), "
                    "plain SGD ends with a higher test loss than momentum, Nesterov, AdaGrad, "
                    "RMSprop and Adam on every seed.",
          sweep=sweep_optimisers, check=check_sgd_behind),
    Claim(lecture="07", id="one-cycle",
          statement="On MNIST's first 10,000 training images, lecture 12's MLP trained for 3 "
                    "epochs with Nesterov SGD, each schedule at its own (peak) rate picked on "
                    "10,000 validation images from a grid about 1.4x apart: one cycle's test "
                    "accuracy is on average over 0.5 points above a constant rate's, never more "
                    "than 0.5 points below it on a seed, and spreads less over seeds; a cosine "
                    "decay without warm-up (momentum fixed) is within 1 point of one cycle on "
                    "every seed.",
          sweep=sweep_one_cycle, check=check_one_cycle),
]
