"""Lecture 08: does batch norm help lecture 12's CNN, against a fair control?

Three arms, each changed in one thing from the first:

* ``default``: ``MnistCNN(batch_norm=False)`` with PyTorch's default initialisation (which
  shrinks the signal by about √6 per ReLU layer, lecture 08);
* ``he``: the same network, every convolution and linear weight re-drawn with He
  initialisation (``kaiming_normal_``, ReLU gain; the biases keep their default);
* ``bn``: ``MnistCNN(batch_norm=True)`` with the default initialisation.

Each arm trains with lecture 12's recipe (``models.FAST_RECIPE``: SGD with Nesterov momentum,
weight decay 5e-4, a one-cycle schedule peaking at ``lr``) for ``EPOCHS`` epochs on the
first ``N_TRAIN`` MNIST training images, at every learning rate of ``GRID`` and every seed.
Each arm's learning rate is the grid value with the best mean accuracy on a validation split
carved from the training images (``N_VAL`` images after the training ones); the test set is
used once, at the end, for the chosen learning rates only.
"""

from __future__ import annotations

import math
from typing import Any

from torch import nn

from claims import Claim, Verdict, best_on_grid

ARMS = ("default", "he", "bn")
GRID = (0.03, 0.05, 0.07, 0.1, 0.14, 0.2, 0.5)
SEEDS = (0, 1, 2)
EPOCHS = 2
N_TRAIN, N_VAL = 10_000, 5_000
CHANCE = 0.2  # a validation accuracy below this is "did not learn" (10 classes)
HIGH_LR = 0.5  # 5x the recipe's learning rate: the live demo of the lecture
LEARNS = 0.95  # at HIGH_LR, "learns" means a validation accuracy above this


def build(arm: str, seed: int) -> nn.Module:
    """The arm's network, initialised from ``seed``."""
    from nbhelpers import models
    from nbhelpers.training import seed_everything

    seed_everything(seed)
    model = models.MnistCNN(batch_norm=arm == "bn")
    if arm == "he":
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
    return model


def train(model: nn.Module, lr: float, seed: int, x, y, val) -> float:
    """Lecture 12's recipe at peak learning rate ``lr``; the final validation accuracy (NaN
    when the loss became NaN: the run diverged; it counts as chance, 0.1)."""
    from nbhelpers import data, models
    from nbhelpers.training import NonFiniteLossError, fit

    batches = data.TensorBatches(x, y, batch_size=models.FAST_RECIPE["batch_size"], seed=seed)
    opt, cycle = models.fast_recipe_optimizer(model, steps_per_epoch=len(batches), lr=lr,
                                              epochs=EPOCHS)
    try:
        history = fit(model, batches, epochs=EPOCHS, optimizer=opt, scheduler=cycle, val=val,
                      device="cpu", channels_last=True, progress=False)
    except NonFiniteLossError:
        return float("nan")
    return history.val_acc[-1]


def sweep() -> dict[str, Any]:
    from nbhelpers import data
    from nbhelpers.training import evaluate

    x_all, y_all = data.load_tensors("mnist", train=True, limit=N_TRAIN + N_VAL)
    x, y = x_all[:N_TRAIN], y_all[:N_TRAIN]
    val = data.TensorBatches(x_all[N_TRAIN:], y_all[N_TRAIN:], batch_size=2500, shuffle=False)
    x_test, y_test = data.load_tensors("mnist", train=False)
    test = data.TensorBatches(x_test, y_test, batch_size=2500, shuffle=False)
    val_acc: dict[str, dict[str, list[float]]] = {}
    states: dict[tuple[str, float, int], dict] = {}
    for arm in ARMS:
        val_acc[arm] = {}
        for lr in GRID:
            accs = []
            for seed in SEEDS:
                model = build(arm, seed)
                accs.append(train(model, lr, seed, x, y, val))
                states[arm, lr, seed] = model.state_dict()
            val_acc[arm][str(lr)] = accs
    best, interior, test_acc = {}, {}, {}
    for arm in ARMS:
        means = [_mean(val_acc[arm][str(lr)]) for lr in GRID]
        best[arm], interior[arm] = best_on_grid(GRID, means)
        test_acc[arm] = []
        for seed in SEEDS:                           # the test set, once, at the chosen lr
            model = build(arm, seed)
            model.load_state_dict(states[arm, best[arm], seed])
            test_acc[arm].append(evaluate(model, test, device="cpu").accuracy)
    return {"arms": list(ARMS), "grid": list(GRID), "seeds": list(SEEDS), "epochs": EPOCHS,
            "n_train": N_TRAIN, "n_val": N_VAL, "n_test": len(x_test),
            "val_acc": val_acc, "best_lr": best, "interior": interior, "test_acc": test_acc}


def _mean(values: list[float]) -> float:
    """Mean with a diverged run (NaN) counted as chance, 0.1."""
    return sum(0.1 if math.isnan(v) else v for v in values) / len(values)


def check(r: dict[str, Any]) -> Verdict:
    """Per seed: batch norm's test accuracy (at its best lr) above both arms without it (at
    theirs), and at ``HIGH_LR`` batch norm learns while neither arm without it does. Margin:
    the smallest slack, in accuracy (a fraction)."""
    test, val = r["test_acc"], r["val_acc"]
    high = str(HIGH_LR)
    slack = []
    for i, _ in enumerate(r["seeds"]):
        without_high = max(_chance(val[arm][high][i]) for arm in ("default", "he"))
        slack.append([test["bn"][i] - test["default"][i], test["bn"][i] - test["he"][i],
                      _chance(val["bn"][high][i]) - LEARNS, CHANCE - without_high])
    return Verdict.from_slacks(slack)


def _chance(acc: float) -> float:
    return 0.1 if math.isnan(acc) else acc


CLAIMS = [
    Claim(lecture="08", id="batch-norm",
          statement=("Lecture 12's CNN, 2 epochs on 10,000 MNIST training images, each arm at "
                     "its own best learning rate picked on 5,000 validation images: with batch "
                     "norm the test accuracy is higher than without it, both with PyTorch's "
                     "default initialisation and with He initialisation, on every seed; and at "
                     "learning rate 0.5 only the network with batch norm learns (validation "
                     "accuracy above 95 %, both without it below 20 %)."),
          sweep=sweep, check=check),
]
