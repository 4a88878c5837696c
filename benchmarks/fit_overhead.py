"""How much slower is ``nbhelpers.training.fit`` than a bare hand-written loop?

Both train the same small CNN, from the same initial weights, on the same preloaded MNIST
subset in the same batch order and the same memory layout (``--layout``; fit's default is the
ordinary layout, ``fit(channels_last=True)`` turns NHWC on). fit's time includes its checks
before training (a look at two examples of the first batch) and its progress bar. Runs
alternate (fit, bare, bare, fit, ...) so that load from other processes on a shared machine
hits both alike; the script prints every time, the medians and their ratio (target:
fit / bare <= 1.10).

    NBHELPERS_DATA=/path/to/data python benchmarks/fit_overhead.py [--repeats 5] [--threads 1]

``--channels-last`` instead compares the bare loop with and without ``channels_last`` memory
(whether ``fit(channels_last=True)`` pays on this CPU).
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn

from nbhelpers.data import TensorBatches, load_tensors
from nbhelpers.training import fit


def small_cnn() -> nn.Module:
    """Two conv blocks and a linear layer, (N, 1, 28, 28) -> (N, 10): about 20k parameters."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 10),
    )


def fresh(x: torch.Tensor, y: torch.Tensor, batch_size: int):
    torch.manual_seed(0)
    model = small_cnn()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    return model, opt, TensorBatches(x, y, batch_size=batch_size, seed=0)


def clock() -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process): CPU time is what other processes on a
    shared machine disturb least."""
    return time.perf_counter(), time.process_time()


def since(t0: tuple[float, float]) -> tuple[float, float]:
    t1 = clock()
    return t1[0] - t0[0], t1[1] - t0[1]


def run_fit(x, y, *, epochs: int, batch_size: int,
            channels_last: bool = False) -> tuple[float, float]:
    model, opt, train = fresh(x, y, batch_size)
    t0 = clock()
    fit(model, train, epochs=epochs, optimizer=opt, device="cpu", progress=True,
        channels_last=channels_last)
    return since(t0)


def run_bare(x, y, *, epochs: int, batch_size: int,
             channels_last: bool = False) -> tuple[float, float]:
    model, opt, train = fresh(x, y, batch_size)
    t0 = clock()
    if channels_last:
        model.to(memory_format=torch.channels_last)
    model.train()
    for _ in range(epochs):
        for xb, yb in train:
            if channels_last:
                xb = xb.contiguous(memory_format=torch.channels_last)
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return since(t0)


def interleave(a, b, *, repeats: int, names: tuple[str, str]) -> None:
    """Time ``a`` and ``b`` alternately (a b b a a b ...), print times, medians and ratios."""
    a(), b()  # warm-up: first calls pay for lazy initialisation
    times: dict[str, list[tuple[float, float]]] = {names[0]: [], names[1]: []}
    for r in range(repeats):
        order = ((names[0], a), (names[1], b))
        for name, f in order if r % 2 == 0 else order[::-1]:
            times[name].append(f())
    width = max(len(n) for n in names)
    for k, kind in enumerate(("wall", "CPU")):
        print(f"{kind} seconds")
        for name, ts in times.items():
            values = [t[k] for t in ts]
            print(f"  {name:>{width}}: " + "  ".join(f"{v:6.2f}" for v in values)
                  + f"   median {statistics.median(values):6.2f}")
        first, second = ([t[k] for t in times[n]] for n in names)
        pairs = statistics.median(p / q for p, q in zip(first, second, strict=True))
        ratio = statistics.median(first) / statistics.median(second)
        print(f"  ratio {names[0]} / {names[1]}: {ratio:.3f} (of medians), "
              f"{pairs:.3f} (median of run pairs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads")
    parser.add_argument("--layout", choices=("contiguous", "channels_last"),
                        default="contiguous", help="memory layout of both fit and bare loop")
    parser.add_argument("--channels-last", action="store_true",
                        help="compare channels_last vs contiguous in the bare loop instead")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    x, y = load_tensors("mnist", train=True, limit=args.examples)
    kw = {"epochs": args.epochs, "batch_size": args.batch_size}
    layout = {"channels_last": args.layout == "channels_last"}
    print(f"MNIST {len(x)} images, batch {args.batch_size}, {args.epochs} epochs, "
          f"{torch.get_num_threads()} threads, torch {torch.__version__}; seconds per run")
    if args.channels_last:
        interleave(lambda: run_bare(x, y, channels_last=True, **kw),
                   lambda: run_bare(x, y, channels_last=False, **kw),
                   repeats=args.repeats, names=("channels_last", "contiguous"))
    else:
        print(f"layout: {args.layout}")
        interleave(lambda: run_fit(x, y, **kw, **layout), lambda: run_bare(x, y, **kw, **layout),
                   repeats=args.repeats, names=("fit", "bare"))


if __name__ == "__main__":
    main()
