"""MNIST and FashionMNIST, read from one data root, plus a fast in-memory batch iterator.

Data root: the environment variable ``NBHELPERS_DATA`` if set, else ``$XDG_CACHE_HOME/nbhelpers``
(``~/.cache/nbhelpers``). The files live in torchvision's layout below it::

    <root>/MNIST/raw/train-images-idx3-ubyte   (and the other three files)
    <root>/FashionMNIST/raw/...

Every file is checked before it is read: its size on every load, its MD5 once per process
(about 0.1 s for the 47 MB training images; a file replaced since, with a new mtime, is hashed
again). A damaged file raises :class:`DataCorruptError`, which names it and says to delete it
and load again (which downloads it anew). Downloads give up when a mirror stops answering
(``DOWNLOAD_TIMEOUT``), and a lock file in the raw folder makes a second kernel that loads
while the first one downloads wait for it.

Two ways in:

- :func:`load_dataset` returns the torchvision dataset (PIL image -> transform, one at a time):
  what the PyTorch tutorials use.
- :func:`load_tensors` returns the whole split as one tensor pair, already normalised, and
  :class:`TensorBatches` iterates over it in shuffled mini-batches. This is the fast path:
  no per-image PIL conversion, so a laptop CPU spends its time on the model.
"""

from __future__ import annotations

import contextlib
import math
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch
from filelock import FileLock
from torchvision import datasets
from torchvision.datasets.utils import calculate_md5

DATASETS = {"mnist": datasets.MNIST, "fashionmnist": datasets.FashionMNIST}
FOLDERS = {"mnist": "MNIST", "fashionmnist": "FashionMNIST"}
RAW_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
#: Size in bytes and MD5 of each uncompressed IDX file as published (torchvision's
#: ``resources`` list the MD5s of the .gz archives it downloads; these are the files it unpacks).
RAW_CHECKSUMS: dict[str, dict[str, tuple[int, str]]] = {
    "mnist": {
        "train-images-idx3-ubyte": (47_040_016, "6bbc9ace898e44ae57da46a324031adb"),
        "train-labels-idx1-ubyte": (60_008, "a25bea736e30d166cdddb491f175f624"),
        "t10k-images-idx3-ubyte": (7_840_016, "2646ac647ad5339dbf082846283269ea"),
        "t10k-labels-idx1-ubyte": (10_008, "27ae3e4e09519cfbb04c329615203637"),
    },
    "fashionmnist": {
        "train-images-idx3-ubyte": (47_040_016, "f4a8712d7a061bf5bd6d2ca38dc4d50a"),
        "train-labels-idx1-ubyte": (60_008, "9018921c3c673c538a1fc5bad174d6f9"),
        "t10k-images-idx3-ubyte": (7_840_016, "8181f5470baa50b63fa0f6fddb340f0a"),
        "t10k-labels-idx1-ubyte": (10_008, "15d484375f8d13e6eb1aabb0c3f46965"),
    },
}
#: Seconds a download waits for a mirror's answer before it gives up.
DOWNLOAD_TIMEOUT = 30.0
CLASSES = {
    "mnist": [str(d) for d in range(10)],
    "fashionmnist": [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ],
}


class DataNotFoundError(FileNotFoundError):
    """The data set is not on disk and could not be downloaded."""


class DataCorruptError(ValueError):
    """A data file on disk is truncated or corrupted (wrong size or MD5)."""


#: (path, size, mtime in ns) of the files whose MD5 matched in this process.
_VERIFIED: set[tuple[str, int, int]] = set()


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


def _complete(key: str, folder: Path) -> bool:
    """All four files are there with their published sizes (no download is under way)."""
    return all((folder / f).is_file() and (folder / f).stat().st_size == size
               for f, (size, _) in RAW_CHECKSUMS[key].items())


@contextlib.contextmanager
def _socket_timeout(seconds: float) -> Iterator[None]:
    """New sockets (torchvision's urllib downloads) give up after ``seconds`` of silence."""
    before = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(before)


def _download(key: str, base: Path) -> None:
    """torchvision's download of ``key`` into ``base``, one kernel at a time: a second one
    waits on the lock, then finds the files there."""
    folder = raw_folder(key, root=base)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with FileLock(folder / ".download.lock"):
            if not all((folder / f).is_file() for f in RAW_FILES):
                with _socket_timeout(DOWNLOAD_TIMEOUT):
                    DATASETS[key](str(base), train=False, download=True)
    except Exception as err:  # torchvision raises RuntimeError/URLError/OSError offline
        raise DataNotFoundError(_missing_message(key, base, err)) from None


def _check_file(path: Path, size: int, md5: str) -> None:
    """Raise :class:`DataCorruptError` unless ``path`` has the published size and MD5."""
    stat = path.stat()
    why = None
    if stat.st_size != size:
        why = f"it has {stat.st_size:,} bytes instead of {size:,} (truncated or incomplete)"
    elif (str(path), size, stat.st_mtime_ns) not in _VERIFIED:
        actual = calculate_md5(path)
        if actual != md5:
            why = f"its MD5 is {actual} instead of {md5} (corrupted)"
        else:
            _VERIFIED.add((str(path), size, stat.st_mtime_ns))
    if why is not None:
        raise DataCorruptError(
            f"{path} is damaged: {why}. Fix: delete it and load again, which downloads it "
            "anew (or copy an intact file there)."
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
    is true, torchvision downloads them into the root; when that fails (offline, or a mirror
    silent for ``DOWNLOAD_TIMEOUT`` s) a :class:`DataNotFoundError` says where the files were
    expected and how to fix it. A truncated or corrupted file raises
    :class:`DataCorruptError` naming it.
    """
    key = _key(name)
    base = Path(root) if root is not None else data_root()
    folder = raw_folder(key, root=base)
    if download and not _complete(key, folder):
        _download(key, base)
    if not all((folder / f).is_file() for f in RAW_FILES):
        raise DataNotFoundError(_missing_message(key, base, None))
    split = "train" if train else "t10k"
    for file, (size, md5) in RAW_CHECKSUMS[key].items():
        if file.startswith(split):
            _check_file(folder / file, size, md5)
    return DATASETS[key](str(base), train=train, transform=transform, download=False)


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
