"""How much sooner does lecture 12's CNN reach 99 % MNIST test accuracy than the classic
PyTorch MNIST example?

Both run in the same invocation on the same machine, each in a fresh Python process (so the
peak-memory numbers do not mix), with torch's default number of threads:

* **ours**: :class:`nbhelpers.models.MnistCNN` trained exactly as lecture 12 trains it
  (``nbhelpers.models.FAST_RECIPE``: the whole data set preloaded as two tensors, batches of
  128, SGD with Nesterov momentum, a one-cycle learning rate, 3 epochs) with
  ``nbhelpers.training.fit(..., channels_last=True)``, float32;
* **reference**: the loop of the PyTorch MNIST example (``pytorch/examples``,
  ``mnist/main.py``): a ``DataLoader`` over ``torchvision.datasets.MNIST`` converting every
  image with ``ToTensor`` + ``Normalize((0.1307,), (0.3081,))``, batches of 64, the 32/64-channel
  network with dropout (:class:`nbhelpers.models.ReferenceNet`), Adadelta with lr 1.0 and
  StepLR(gamma 0.7) per epoch.

Test accuracy is measured on all 10,000 test images after every epoch (for the reference also
``--evals-per-epoch`` times within an epoch, so its time to 99 % is not rounded up to whole
epochs of minutes). The clock counts training only (evaluations are excluded for both); for
ours it also counts loading the data into tensors. The table gives the training time until
the first evaluation at >= 99.0 %, the epochs that took, the final accuracy, training images
per second, and peak memory (CPU: the process's peak resident memory above its level just
before the data was loaded; CUDA: ``torch.cuda.max_memory_allocated``).

    NBHELPERS_DATA=/path/to/data python benchmarks/mnist_speed.py [--device cpu|cuda]
        [--max-epochs-reference 6] [--keep-going] [--evals-per-epoch 4] [--seed 0]
        [--train-limit N]

The reference stops at its first evaluation at >= 99 % (``--keep-going`` trains on to the
cap). If it does not reach 99 % within ``--max-epochs-reference`` epochs the table says so,
and the ratio is a lower bound (its whole training time so far).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

TARGET = 0.99


def _peak_rss_mib() -> float:
    """Peak resident memory of this process so far, MiB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def _current_rss_mib() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:  # not Linux: fall back to the peak so far
        return _peak_rss_mib()


def _accuracy(model, loader, device) -> float:
    import torch

    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            correct += (model(x).argmax(1) == y).sum().item()
            total += len(y)
    model.train()
    return correct / total


def _sync(device) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize()


class _Clock:
    """Training time only: stopped around every evaluation."""

    def __init__(self, device) -> None:
        self.device, self.total, self.start = device, 0.0, None

    def go(self) -> None:
        _sync(self.device)
        self.start = time.perf_counter()

    def stop(self) -> float:
        _sync(self.device)
        self.total += time.perf_counter() - self.start
        return self.total


def run_ours(device_name: str, seed: int, limit: int | None = None) -> dict:
    import torch

    from nbhelpers.data import TensorBatches, load_tensors
    from nbhelpers.device import seed_everything
    from nbhelpers.models import FAST_RECIPE, MnistCNN
    from nbhelpers.training import evaluate, fit

    device = torch.device(device_name)
    r = FAST_RECIPE
    seed_everything(seed)
    base_rss = _current_rss_mib()
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    clock = _Clock(device)
    clock.go()
    x, y = load_tensors("mnist", train=True, device=device, limit=limit)
    train = TensorBatches(x, y, batch_size=int(r["batch_size"]), seed=seed)
    model = MnistCNN().to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=r["lr"], momentum=r["momentum"],
                                nesterov=True, weight_decay=r["weight_decay"])
    epochs = int(r["epochs"])
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=r["lr"], epochs=epochs, steps_per_epoch=len(train),
        pct_start=r["pct_start"])
    seconds = clock.stop()
    xt, yt = load_tensors("mnist", train=False, device=device)
    test = TensorBatches(xt, yt, batch_size=2000, shuffle=False)
    evals = []
    for epoch in range(1, epochs + 1):
        clock.go()
        # one epoch at a time so that evaluation stays off the clock; the one-cycle schedule
        # runs on across the calls, exactly as in a single fit(..., epochs=3)
        fit(model, train, epochs=1, optimizer=optimizer, scheduler=scheduler, device=device,
            channels_last=True, progress=False)
        seconds = clock.stop()
        acc = evaluate(model, test, device=device).accuracy
        evals.append({"epoch": epoch, "seconds": seconds, "accuracy": acc})
    images = epochs * len(x)
    return _result("ours", evals, images, base_rss, device)


def run_reference(device_name: str, seed: int, max_epochs: int, evals_per_epoch: int,
                  limit: int | None = None, keep_going: bool = False) -> dict:
    import torch
    import torch.nn.functional as F
    from torch.optim.lr_scheduler import StepLR
    from torchvision import transforms

    from nbhelpers.data import load_dataset
    from nbhelpers.device import seed_everything
    from nbhelpers.models import ReferenceNet

    device = torch.device(device_name)
    seed_everything(seed)
    base_rss = _current_rss_mib()
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    kwargs = {"num_workers": 1, "pin_memory": True} if device.type == "cuda" else {}
    train_set = load_dataset("mnist", train=True, transform=transform)
    if limit is not None:
        train_set = torch.utils.data.Subset(train_set, range(limit))
    test_set = load_dataset("mnist", train=False, transform=transform)
    train_loader = torch.utils.data.DataLoader(train_set, batch_size=64, shuffle=True, **kwargs)
    test_loader = torch.utils.data.DataLoader(test_set, batch_size=1000, **kwargs)
    model = ReferenceNet().to(device)
    optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
    steps = len(train_loader)
    checkpoints = {round(steps * k / evals_per_epoch) for k in range(1, evals_per_epoch + 1)}
    clock = _Clock(device)
    evals, images, done = [], 0, False
    for epoch in range(1, max_epochs + 1):
        model.train()
        clock.go()
        for step, (data, target) in enumerate(train_loader, start=1):
            data, target = data.to(device), target.to(device)
            optimizer.zero_grad()
            output = model(data)
            loss = F.nll_loss(output, target)
            loss.backward()
            optimizer.step()
            images += len(data)
            if step in checkpoints:
                seconds = clock.stop()
                acc = _accuracy(model, test_loader, device)
                evals.append({"epoch": epoch - 1 + step / steps, "seconds": seconds,
                              "accuracy": acc})
                print(f"  reference: epoch {epoch - 1 + step / steps:.2f}, {seconds:.0f} s, "
                      f"test accuracy {acc:.2%}", file=sys.stderr, flush=True)
                done = acc >= TARGET and not keep_going  # time to 99 % measured: stop
                if done:
                    break
                clock.go()
        if done:
            break
        scheduler.step()
        clock.stop()
    return _result("reference", evals, images, base_rss, device)


def _result(name: str, evals: list[dict], images: int, base_rss: float, device) -> dict:
    import torch

    reached = next((e for e in evals if e["accuracy"] >= TARGET), None)
    if device.type == "cuda":
        memory = torch.cuda.max_memory_allocated() / 2**20
        memory_kind = "GPU max allocated"
    else:
        memory = _peak_rss_mib() - base_rss
        memory_kind = "peak RSS increase"
    return {
        "name": name,
        "evals": evals,
        "reached": reached is not None,
        "time_to_target": reached["seconds"] if reached else None,
        "epochs_to_target": reached["epoch"] if reached else None,
        "train_seconds": evals[-1]["seconds"],
        "epochs_run": evals[-1]["epoch"],
        "final_accuracy": evals[-1]["accuracy"],
        "images_per_second": images / evals[-1]["seconds"],
        "memory_mib": memory,
        "memory_kind": memory_kind,
        "threads": torch.get_num_threads(),
    }


def _child(which: str, args: argparse.Namespace) -> dict:
    """Run one side in a fresh interpreter; it prints its result as JSON on the last line."""
    cmd = [sys.executable, __file__, "--only", which, "--device", args.device,
           "--seed", str(args.seed), "--max-epochs-reference", str(args.max_epochs_reference),
           "--evals-per-epoch", str(args.evals_per_epoch)]
    if args.keep_going:
        cmd.append("--keep-going")
    if args.train_limit is not None:
        cmd += ["--train-limit", str(args.train_limit)]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _fmt_time(r: dict) -> str:
    if r["reached"]:
        return f"{r['time_to_target']:.1f} s"
    return f"not reached (> {r['train_seconds']:.0f} s)"


def _fmt_epochs(r: dict) -> str:
    if r["reached"]:
        return f"{r['epochs_to_target']:g}"
    return f"> {r['epochs_run']:g} (cap)"


def table(ours: dict, ref: dict) -> str:
    rows = [
        ("", "ours (MnistCNN)", "reference (PyTorch example)"),
        ("time to 99.0 % test accuracy", _fmt_time(ours), _fmt_time(ref)),
        ("epochs to 99.0 %", _fmt_epochs(ours), _fmt_epochs(ref)),
        ("final test accuracy", f"{ours['final_accuracy']:.2%} after {ours['epochs_run']:g} ep",
         f"{ref['final_accuracy']:.2%} after {ref['epochs_run']:g} ep"),
        ("training images / s", f"{ours['images_per_second']:,.0f}",
         f"{ref['images_per_second']:,.0f}"),
        (f"memory ({ours['memory_kind']})", f"{ours['memory_mib']:,.0f} MiB",
         f"{ref['memory_mib']:,.0f} MiB"),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    if ours["reached"] and ref["reached"]:
        ratio = f"ours reaches 99.0 % {ref['time_to_target'] / ours['time_to_target']:.1f}x sooner"
    elif ours["reached"]:
        ratio = (f"ours reaches 99.0 % more than {ref['train_seconds'] / ours['time_to_target']:.1f}x"
                 " sooner (the reference did not reach it within the cap)")
    else:
        ratio = "ours did not reach 99.0 %: no ratio"
    return "\n".join(lines) + "\n\n" + ratio


def machine() -> str:
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    text = (f"{cpu}, {os.cpu_count()} logical CPUs, torch {torch.__version__}, "
            f"{torch.get_num_threads()} threads")
    if torch.cuda.is_available():
        text += f", GPU {torch.cuda.get_device_name(0)}"
    try:
        text += f", load average {os.getloadavg()[0]:.1f} at start"
    except OSError:
        pass
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="auto", help="cpu, cuda, or auto (default)")
    parser.add_argument("--max-epochs-reference", type=int, default=6,
                        help="stop the reference after this many epochs if it has not reached "
                        "99 %% by then (default 6)")
    parser.add_argument("--keep-going", action="store_true",
                        help="train the reference for all its epochs, also after it reached 99 %%")
    parser.add_argument("--evals-per-epoch", type=int, default=4,
                        help="test evaluations per reference epoch (default 4)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-limit", type=int, default=None,
                        help="train on the first N images only: a quick smoke test of the "
                        "script (the numbers then mean nothing)")
    parser.add_argument("--only", choices=["ours", "reference"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.device == "auto":
        import torch

        args.device = "cuda" if torch.cuda.is_available() else "cpu"
    if args.max_epochs_reference < 1 or args.evals_per_epoch < 1:
        parser.error("--max-epochs-reference and --evals-per-epoch must be at least 1")
    if args.only == "ours":
        print(json.dumps(run_ours(args.device, args.seed, args.train_limit)))
        return
    if args.only == "reference":
        print(json.dumps(run_reference(args.device, args.seed, args.max_epochs_reference,
                                       args.evals_per_epoch, args.train_limit,
                                       args.keep_going)))
        return
    print(f"machine: {machine()}", flush=True)
    print(f"device: {args.device}; training ours (lecture 12's CNN) ...", flush=True)
    ours = _child("ours", args)
    for e in ours["evals"]:
        print(f"  ours: epoch {e['epoch']}, {e['seconds']:.1f} s, test accuracy "
              f"{e['accuracy']:.2%}", flush=True)
    print(f"training the reference (until 99 %, at most {args.max_epochs_reference} epochs) ...",
          flush=True)
    ref = _child("reference", args)
    print()
    print(table(ours, ref))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # a fresh clone, no install
    main()
