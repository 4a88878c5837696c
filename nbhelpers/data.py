"""MNIST and FashionMNIST, read from one data root, plus a fast in-memory batch iterator.

Data root: the environment variable ``NBHELPERS_DATA`` if set, else ``$XDG_CACHE_HOME/nbhelpers``
(``~/.cache/nbhelpers``). The files live in torchvision's layout below it::

    <root>/MNIST/raw/train-images-idx3-ubyte   (and the other three files)
    <root>/FashionMNIST/raw/...

Two ways in:

- :func:`load_dataset` returns the torchvision dataset (PIL image -> transform, one at a time):
  what the PyTorch tutorials use.
- :func:`load_tensors` returns the whole split as one tensor pair, already normalised, and
  :class:`TensorBatches` iterates over it in shuffled mini-batches. This is the fast path:
  no per-image PIL conversion, so a laptop CPU spends its time on the model.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch
from torchvision import datasets

DATASETS = {"mnist": datasets.MNIST, "fashionmnist": datasets.FashionMNIST}
FOLDERS = {"mnist": "MNIST", "fashionmnist": "FashionMNIST"}
RAW_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
CLASSES = {
    "mnist": [str(d) for d in range(10)],
    "fashionmnist": [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ],
}


class DataNotFoundError(FileNotFoundError):
    """The data set is not on disk and could not be downloaded."""


def data_root() -> Path:
    """The folder that holds ``MNIST/`` and ``FashionMNIST/``: ``$NBHELPERS_DATA`` if set,
    else ``$XDG_CACHE_HOME/nbhelpers`` (default ``~/.cache/nbhelpers``)."""
    env = os.environ.get("NBHELPERS_DATA", "").strip()
    if env:
        return Path(env).expanduser().resolve()
    cache = os.environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache"
    return Path(cache).expanduser() / "nbhelpers"


def _key(name: str) -> str:
    key = name.lower().replace("-", "").replace("_", "")
    if key not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; choose 'mnist' or 'fashionmnist'")
    return key


def raw_folder(name: str, *, root: str | Path | None = None) -> Path:
    """``<root>/<MNIST|FashionMNIST>/raw``, where the four IDX files are expected."""
    base = Path(root) if root is not None else data_root()
    return base / FOLDERS[_key(name)] / "raw"


def _missing_message(name: str, root: Path, err: Exception | None) -> str:
    folder = raw_folder(name, root=root)
    files = "\n".join(f"    {folder / f}" for f in RAW_FILES)
    why = f"\nThe download failed with: {err}" if err is not None else ""
    return (
        f"{FOLDERS[_key(name)]} is not in {folder} and could not be downloaded.{why}\n"
        f"Expected these four files (uncompressed IDX, torchvision's layout):\n{files}\n"
        "Fix: connect to the internet once (it downloads itself), or copy the files there, or set "
        "NBHELPERS_DATA to a folder that holds MNIST/raw and FashionMNIST/raw."
    )


def load_dataset(
    name: str = "mnist",
    *,
    train: bool = True,
    transform: Callable[[Any], Any] | None = None,
    download: bool = True,
    root: str | Path | None = None,
) -> datasets.VisionDataset:
    """The torchvision dataset ``name`` ('mnist' or 'fashionmnist') from the data root.

    Items are ``(transform(PIL image), int label)``. If the files are missing and ``download``
    is true, torchvision downloads them into the root; when that fails (offline) a
    :class:`DataNotFoundError` says where the files were expected and how to fix it.
    """
    key = _key(name)
    base = Path(root) if root is not None else data_root()
    cls = DATASETS[key]
    have_files = all((raw_folder(key, root=base) / f).is_file() for f in RAW_FILES)
    if have_files:
        return cls(str(base), train=train, transform=transform, download=False)
    if not download:
        raise DataNotFoundError(_missing_message(key, base, None))
    try:
        return cls(str(base), train=train, transform=transform, download=True)
    except Exception as err:  # torchvision raises RuntimeError/URLError/OSError offline
        raise DataNotFoundError(_missing_message(key, base, err)) from None


_STATS: dict[str, tuple[float, float]] = {}


def mean_std(name: str = "mnist", *, root: str | Path | None = None) -> tuple[float, float]:
    """Mean and standard deviation of the training images' pixels, scaled to [0, 1].

    Computed from the data (not quoted), once per process: MNIST gives about (0.1307, 0.3081).
    """
    key = _key(name)
    if key not in _STATS:
        pixels = load_dataset(key, train=True, root=root).data.float().div_(255)
        _STATS[key] = (pixels.mean().item(), pixels.std().item())
    return _STATS[key]


def load_tensors(
    name: str = "mnist",
    *,
    train: bool = True,
    normalize: bool = True,
    device: str | torch.device | None = None,
    limit: int | None = None,
    root: str | Path | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The whole split as two tensors: images ``(N, 1, 28, 28)`` float32 and labels ``(N,)``
    int64.

    Pixels are scaled to [0, 1] and, with ``normalize``, standardised with the *training*
    set's mean and std (:func:`mean_std`). ``limit`` keeps the first ``limit`` examples;
    ``device`` moves both tensors there.
    """
    ds = load_dataset(name, train=train, root=root)
    images, labels = ds.data, ds.targets
    if limit is not None:
        if limit <= 0:
            raise ValueError(f"limit must be a positive number of examples, got {limit}")
        images, labels = images[:limit], labels[:limit]
    x = images.unsqueeze(1).float().div_(255)
    if normalize:
        mean, std = mean_std(name, root=root)
        x = x.sub_(mean).div_(std)
    y = labels.long()
    if device is not None:
        x, y = x.to(device), y.to(device)
    return x, y


class TensorBatches:
    """Mini-batches ``(x[i:i+b], y[i:i+b])`` over tensors already in memory.

    With ``shuffle`` a fresh permutation is drawn every epoch (every ``iter()``), from a
    generator seeded with ``seed`` so runs repeat. ``len()`` is the number of batches.
    Works like a ``DataLoader`` in a training loop, without per-item Python overhead.

    Args:
        x: inputs, shape ``(N, ...)``.
        y: targets, shape ``(N, ...)`` with the same ``N``.
    """

    def __init__(
        self,
        x: torch.Tensor,
        y: torch.Tensor,
        *,
        batch_size: int = 256,
        shuffle: bool = True,
        drop_last: bool = False,
        seed: int = 0,
    ) -> None:
        if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor):
            raise TypeError("TensorBatches needs two torch tensors (inputs, targets)")
        if len(x) != len(y):
            raise ValueError(
                f"inputs and targets differ in length: {len(x)} vs {len(y)}; "
                "they must pair up one to one"
            )
        if len(x) == 0:
            raise ValueError("TensorBatches got empty tensors; there is nothing to iterate over")
        if not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        self.x, self.y = x, y
        self.batch_size, self.shuffle, self.drop_last = batch_size, shuffle, drop_last
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        n = len(self.x)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = len(self.x)
        if self.shuffle:
            order = torch.randperm(n, generator=self.generator).to(self.x.device)
        for b in range(len(self)):
            lo, hi = b * self.batch_size, min((b + 1) * self.batch_size, n)
            if self.shuffle:
                idx = order[lo:hi]
                yield self.x[idx], self.y[idx]
            else:
                yield self.x[lo:hi], self.y[lo:hi]


def mnist_batches(
    name: str = "mnist",
    *,
    batch_size: int = 256,
    test_batch_size: int = 2000,
    device: str | torch.device | None = None,
    seed: int = 0,
) -> tuple[TensorBatches, TensorBatches]:
    """Shuffled training batches and ordered test batches of ``name``, preloaded on ``device``."""
    xtr, ytr = load_tensors(name, train=True, device=device)
    xte, yte = load_tensors(name, train=False, device=device)
    return (
        TensorBatches(xtr, ytr, batch_size=batch_size, shuffle=True, seed=seed),
        TensorBatches(xte, yte, batch_size=test_batch_size, shuffle=False),
    )
