"""Lecture 09's comparative claims: weight decay and dropout on the small-data MLP.

The lecture's setting: the MLP 784 → 256 → 256 → 10 trained on MNIST's first 1,000 training
images for 30 epochs (batches of 100), SGD with momentum 0.9; validation: training images
50,000 to 51,999 (held out, every choice below is made on them); test: the 10,000 test
images, evaluated once at the end, for the picked settings only. A seed sets the initial
weights, the batch order and the dropout masks (the 1,000 images stay the same).

Grids (each choice is the best mean over the seeds, and must be interior):

* weight decay λ: 0.001 to 0.1, a factor √10 apart, at the lecture's learning rate 0.05,
  picked on the final validation loss;
* the unregularised network's learning rate: 0.0016 to 0.1, a factor 2 apart, picked on the
  same validation loss (a smaller rate trains less in 30 epochs, which also keeps the loss
  down), so weight decay is compared with the baseline at its own best rate;
* dropout p: 0.1 to 0.7 at learning rate 0.05, picked on the final validation accuracy;
  then the learning rate (0.025 to 0.2, factor 2) of the unregularised network and of
  dropout at that p, each picked on validation accuracy.
"""

from __future__ import annotations

import math
import statistics

import torch
import torch.nn.functional as F
from torch import nn

from claims import Claim, Verdict, best_on_grid
from nbhelpers import data

SEEDS = (0, 1, 2)
EPOCHS, BATCH, LR = 30, 100, 0.05
LAMBDAS = (0.001, 0.003, 0.01, 0.03, 0.1)
LRS_LOSS = (0.0015625, 0.003125, 0.00625, 0.0125, 0.025, 0.05, 0.1)
PS = (0.1, 0.3, 0.5, 0.7)
LRS_ACC = (0.025, 0.05, 0.1, 0.2)


def load() -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    x, y = data.load_tensors("mnist", train=True)
    return {"train": (x[:1000], y[:1000]), "val": (x[50_000:52_000], y[50_000:52_000]),
            "test": data.load_tensors("mnist", train=False)}


def small_data_mlp(p: float = 0.0) -> nn.Module:
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Dropout(p),
                         nn.Linear(256, 256), nn.ReLU(), nn.Dropout(p), nn.Linear(256, 10))


def scores(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) of ``model`` in eval mode."""
    model.eval()
    with torch.no_grad():
        out = model(x)
    loss = F.cross_entropy(out, y).item()
    return (loss if math.isfinite(loss) else 99.0), (out.argmax(1) == y).float().mean().item()


def train(sets: dict, seed: int, *, lr: float = LR, weight_decay: float = 0.0,
          p: float = 0.0) -> tuple[nn.Module, dict]:
    """One run; returns the model and its validation loss and accuracy after every epoch."""
    torch.manual_seed(seed)
    model = small_data_mlp(p)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=weight_decay)
    batches = data.TensorBatches(*sets["train"], batch_size=BATCH, seed=seed)
    curve: dict[str, list[float]] = {"val_loss": [], "val_acc": []}
    for _ in range(EPOCHS):
        model.train()
        for xb, yb in batches:
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            opt.step()
        loss, acc = scores(model, *sets["val"])
        curve["val_loss"].append(loss)
        curve["val_acc"].append(acc)
    return model, curve


def weight_norm(model: nn.Module) -> float:
    return torch.cat([q.detach().flatten() for q in model.parameters() if q.ndim >= 2]).norm().item()


def pick(grid, runs: dict, key: str, higher: bool) -> tuple[float, bool]:
    """The grid value whose runs (one per seed) have the best mean final ``key``."""
    means = [statistics.mean(runs[g][s][1][key][-1] for s in SEEDS) for g in grid]
    return best_on_grid(grid, means, higher_is_better=higher)


def final(runs: dict, key: str) -> dict[str, list[float]]:
    return {str(g): [runs[g][s][1][key][-1] for s in SEEDS] for g in runs}


def sweep_weight_decay() -> dict:
    sets = load()
    decay = {lam: {s: train(sets, s, weight_decay=lam) for s in SEEDS} for lam in LAMBDAS}
    plain = {lr: {s: train(sets, s, lr=lr) for s in SEEDS} for lr in LRS_LOSS}
    lam, lam_inside = pick(LAMBDAS, decay, "val_loss", higher=False)
    lr, lr_inside = pick(LRS_LOSS, plain, "val_loss", higher=False)
    arms = {"none, lr 0.05": plain[LR], f"none, lr {lr:g}": plain[lr],
            f"weight decay {lam:g}, lr 0.05": decay[lam]}
    test = {name: [scores(runs[s][0], *sets["test"]) for s in SEEDS] for name, runs in arms.items()}
    return {
        "seeds": list(SEEDS), "epochs": EPOCHS, "lambdas": list(LAMBDAS), "lrs": list(LRS_LOSS),
        "best_lambda": lam, "best_lambda_interior": lam_inside,
        "best_lr": lr, "best_lr_interior": lr_inside,
        "decay_val_loss": final(decay, "val_loss"), "decay_val_acc": final(decay, "val_acc"),
        "decay_weight_norm": {str(g): [weight_norm(decay[g][s][0]) for s in SEEDS]
                              for g in LAMBDAS},
        "plain_val_loss": final(plain, "val_loss"), "plain_val_acc": final(plain, "val_acc"),
        "plain_weight_norm": [weight_norm(plain[LR][s][0]) for s in SEEDS],
        "plain_curve": [plain[LR][s][1]["val_loss"] for s in SEEDS],     # lr 0.05, λ = 0
        "test_loss": {name: [t[0] for t in ts] for name, ts in test.items()},
        "test_acc": {name: [t[1] for t in ts] for name, ts in test.items()},
    }


def check_weight_decay(r: dict) -> Verdict:
    """Weight decay at its λ ends with a lower test loss than the unregularised network at lr
    0.05 and at its own best lr, on every seed; both picks interior. Margin: in nats."""
    test = r["test_loss"]
    wd = next(name for name in test if name.startswith("weight decay"))
    gaps = [min(test[name][i] for name in test if name != wd) - test[wd][i]
            for i in range(len(r["seeds"]))]
    inside = r["best_lambda_interior"] and r["best_lr_interior"]
    return Verdict.from_slacks(gaps, also=inside)


def sweep_dropout() -> dict:
    sets = load()
    drop = {p: {s: train(sets, s, p=p) for s in SEEDS} for p in PS}
    plain = {lr: {s: train(sets, s, lr=lr) for s in SEEDS} for lr in LRS_ACC}
    p, p_inside = pick(PS, drop, "val_acc", higher=True)
    drop_lr = {lr: drop[p] if lr == LR else {s: train(sets, s, lr=lr, p=p) for s in SEEDS}
               for lr in LRS_ACC}
    lr_plain, plain_inside = pick(LRS_ACC, plain, "val_acc", higher=True)
    lr_drop, drop_inside = pick(LRS_ACC, drop_lr, "val_acc", higher=True)
    arms = {"none, lr 0.05": plain[LR], f"dropout {p:g}, lr 0.05": drop[p],
            f"none, lr {lr_plain:g}": plain[lr_plain],
            f"dropout {p:g}, lr {lr_drop:g}": drop_lr[lr_drop]}
    test = {name: [scores(runs[s][0], *sets["test"]) for s in SEEDS] for name, runs in arms.items()}
    return {
        "seeds": list(SEEDS), "epochs": EPOCHS, "ps": list(PS), "lrs": list(LRS_ACC),
        "best_p": p, "best_p_interior": p_inside,
        "best_lr_plain": lr_plain, "best_lr_plain_interior": plain_inside,
        "best_lr_dropout": lr_drop, "best_lr_dropout_interior": drop_inside,
        "dropout_val_acc": final(drop, "val_acc"), "dropout_val_loss": final(drop, "val_loss"),
        "plain_val_acc": final(plain, "val_acc"), "dropout_lr_val_acc": final(drop_lr, "val_acc"),
        "dropout_weight_norm": [weight_norm(drop[p][s][0]) for s in SEEDS],
        "plain_weight_norm": [weight_norm(plain[LR][s][0]) for s in SEEDS],
        "test_loss": {name: [t[0] for t in ts] for name, ts in test.items()},
        "test_acc": {name: [t[1] for t in ts] for name, ts in test.items()},
    }


def check_dropout(r: dict) -> Verdict:
    """At the same learning rate 0.05, dropout at its p has a higher test accuracy than no
    regulariser on every seed; p interior. Margin: in accuracy (0.01 = one point)."""
    acc = r["test_acc"]
    same = f"dropout {r['best_p']:g}, lr 0.05"
    gaps = [acc[same][i] - acc["none, lr 0.05"][i] for i in range(len(r["seeds"]))]
    return Verdict.from_slacks(gaps, also=r["best_p_interior"])


CLAIMS = [
    Claim(lecture="09", id="weight-decay",
          statement="On 1,000 MNIST images (30 epochs of SGD with momentum), weight decay at "
                    "its best lambda (picked on validation loss) ends with a lower test loss "
                    "than no regulariser, at the same learning rate and at the unregularised "
                    "network's own best learning rate, on every seed.",
          sweep=sweep_weight_decay, check=check_weight_decay),
    Claim(lecture="09", id="dropout",
          statement="On 1,000 MNIST images (30 epochs of SGD with momentum, learning rate "
                    "0.05), dropout at its best p (picked on validation accuracy) ends with a "
                    "higher test accuracy than no regulariser at the same learning rate, on "
                    "every seed.",
          sweep=sweep_dropout, check=check_dropout),
]
