"""Lecture 05's comparative claim: batch size at equal epochs and per measured step time.

The lecture fits a line to N = 256 noisy points of y = 3x - 1 with nn.Linear(1, 1), MSE and
torch.optim.SGD for 5 epochs, with batch sizes m = 1, 16 and 256 (full batch). Each batch
size gets its own learning rate, picked from a grid that brackets its optimum.

What is tuned on what: this is an optimisation question (how close does each batch size get to
the minimum of the loss it descends?), so η is tuned on that training loss, as the ratio to the
least-squares loss (1 = the minimum), averaged over the seeds. The held-out loss on 1024 more
points of the same line is recorded too; it does not choose anything.

Seeds (0-4) change the data draw, the initial weights and the shuffling order. Step times are
measured side by side (each round times every batch size, in rotating order) and only their
medians and ratios are used.
"""

from __future__ import annotations

import math
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn

from claims import Claim, Verdict, best_on_grid
from nbhelpers.data import TensorBatches

N, HELD_OUT, EPOCHS, SEEDS = 256, 1024, 5, [0, 1, 2, 3, 4]
BATCH_SIZES = [1, 16, 256]
#: per batch size, 7 learning rates a factor √2 apart, centred on where its optimum lies
GRIDS = {m: [round(base * 2 ** (k / 2), 6) for k in range(7)]
         for m, base in {1: 0.001, 16: 0.016, 256: 0.128}.items()}
KEEP_EVERY = {1: 8, 16: 1, 256: 1}      # store every k-th step of the curves (size of the JSON)
TIMING_ROUNDS, TIMED_STEPS = 5, 256
#: full batch must end within this of the least-squares loss (ratio − 1), on every seed
FULL_BATCH_TOLERANCE = 1e-4


def line_data(seed: int) -> tuple[torch.Tensor, ...]:
    """N training and HELD_OUT held-out points of y = 3x − 1 + 0.5·noise (float32)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(N + HELD_OUT, 1, generator=g)
    y = 3 * x - 1 + 0.5 * torch.randn(N + HELD_OUT, 1, generator=g)
    return x[:N], y[:N], x[N:], y[N:]


def least_squares(x: torch.Tensor, y: torch.Tensor) -> float:
    """The smallest possible MSE of a line on (x, y) (float64)."""
    a = torch.cat([x, torch.ones_like(x)], dim=1).double()
    w = torch.linalg.lstsq(a, y.double()).solution
    return F.mse_loss(a @ w, y.double()).item()


def finite(v: float) -> float:
    return v if math.isfinite(v) else math.inf


def train(m: int, lr: float, seed: int, *, record: bool = False) -> dict:
    """The lecture's loop: EPOCHS epochs of SGD with batch size m. The training-loss ratio to
    least squares at the end (and after every step when ``record``), and the held-out MSE."""
    x, y, xh, yh = line_data(seed)
    best = least_squares(x, y)
    torch.manual_seed(seed)
    model = nn.Linear(1, 1)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    batches = TensorBatches(x, y, batch_size=m, seed=seed)   # a fresh order every epoch
    curve = []
    with torch.no_grad():
        curve.append(F.mse_loss(model(x), y).item() / best)
    for _ in range(EPOCHS):
        for xb, yb in batches:
            opt.zero_grad()
            F.mse_loss(model(xb), yb).backward()
            opt.step()
            if record:
                with torch.no_grad():
                    curve.append(F.mse_loss(model(x), y).item() / best)
    with torch.no_grad():
        ratio = finite(F.mse_loss(model(x), y).item() / best)
        held_out = finite(F.mse_loss(model(xh), yh).item())
    return {"ratio": ratio, "held_out": held_out, "curve": curve}


def step_times() -> list[dict[str, float]]:
    """Per round, the seconds per SGD step for each batch size (TIMED_STEPS steps each, the
    batch sizes in rotating order within the round, one thread)."""
    x, y, _, _ = line_data(0)
    rounds = []
    for r in range(TIMING_ROUNDS):
        times = {}
        for m in BATCH_SIZES[r % 3:] + BATCH_SIZES[:r % 3]:
            torch.manual_seed(0)
            model = nn.Linear(1, 1)
            opt = torch.optim.SGD(model.parameters(), lr=1e-3)
            batches = TensorBatches(x, y, batch_size=m, seed=r)
            steps, start = 0, time.perf_counter()
            while steps < TIMED_STEPS:
                for xb, yb in batches:
                    opt.zero_grad()
                    F.mse_loss(model(xb), yb).backward()
                    opt.step()
                    steps += 1
            times[str(m)] = (time.perf_counter() - start) / steps
        rounds.append(times)
    return rounds


def sweep() -> dict:
    grid_scores, best_lr, interior = {}, {}, {}
    for m in BATCH_SIZES:
        ratios = [[train(m, lr, s)["ratio"] for s in SEEDS] for lr in GRIDS[m]]
        grid_scores[str(m)] = ratios
        best_lr[str(m)], interior[str(m)] = best_on_grid(
            GRIDS[m], [statistics.fmean(r) for r in ratios], higher_is_better=False)
    runs = {}
    for m in BATCH_SIZES:
        per_seed = [train(m, best_lr[str(m)], s, record=True) for s in SEEDS]
        for run in per_seed:
            run["curve"] = [float(f"{v:.6g}") for v in run["curve"][::KEEP_EVERY[m]]]
        runs[str(m)] = per_seed
    timing = step_times()
    return {
        "n": N, "held_out_points": HELD_OUT, "epochs": EPOCHS, "seeds": SEEDS,
        "batch_sizes": BATCH_SIZES, "grids": {str(m): g for m, g in GRIDS.items()},
        "grid_ratios": grid_scores, "best_lr": best_lr, "interior": interior,
        "tuned_on": "training loss / least-squares loss after 5 epochs, mean over seeds",
        "keep_every": {str(m): k for m, k in KEEP_EVERY.items()},
        "ratio": {m: [r["ratio"] for r in runs[m]] for m in runs},
        "held_out": {m: [r["held_out"] for r in runs[m]] for m in runs},
        "curves": {m: [r["curve"] for r in runs[m]] for m in runs},
        "step_seconds": timing,
        "median_step_seconds": {str(m): statistics.median(t[str(m)] for t in timing)
                                for m in BATCH_SIZES},
    }


def check(r: dict) -> Verdict:
    """Holds on a seed when, at each batch size's tuned η, 5 full-batch epochs end within
    FULL_BATCH_TOLERANCE of the least-squares loss (so no batch size can end lower per epoch)
    and m = 16 and m = 1 end no lower than full batch; every tuned η is interior to its grid;
    and, per timing round, an epoch of m = 1 costs more than an epoch of full batch."""
    full = r["ratio"]["256"]
    others = [min(r["ratio"]["1"][i], r["ratio"]["16"][i]) for i in range(len(full))]
    interior = all(r["interior"].values())
    holds = [interior and f - 1 < FULL_BATCH_TOLERANCE and o >= f for f, o in zip(full, others, strict=True)]
    epoch_cost = [t["1"] * N - t["256"] for t in r["step_seconds"]]   # per round, seconds
    holds = [h and all(c > 0 for c in epoch_cost) for h in holds]
    margin = min(FULL_BATCH_TOLERANCE - (f - 1) for f in full)
    return Verdict(holds=holds, margin=margin)


CLAIMS = [
    Claim(
        lecture="05", id="batch-size",
        statement=("Fitting a line to 256 points for 5 epochs with SGD, each batch size (1, 16, "
                   "256) at its own tuned learning rate: full batch ends within 0.01 % of the "
                   "least-squares loss on every seed, so after 5 epochs no batch size ends lower, "
                   "and per measured step time full batch is cheaper per epoch."),
        sweep=sweep, check=check,
    ),
]
