from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import struct
import threading
import time
from pathlib import Path

import pytest
import torch
from torchvision import datasets

from nbhelpers import data


def test_data_root_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("NBHELPERS_DATA", str(tmp_path))
    assert data.data_root() == tmp_path.resolve()


def test_data_root_default_is_a_user_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("NBHELPERS_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert data.data_root() == tmp_path / "nbhelpers"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert data.data_root() == Path.home() / ".cache" / "nbhelpers"


def test_unknown_dataset_name():
    with pytest.raises(ValueError, match="choose 'mnist' or 'fashionmnist'"):
        data.load_dataset("cifar")


def test_missing_data_without_download_names_folder_files_and_env(tmp_path):
    with pytest.raises(data.DataNotFoundError) as info:
        data.load_dataset("mnist", root=tmp_path, download=False)
    msg = str(info.value)
    assert str(tmp_path / "MNIST" / "raw") in msg
    for name in data.RAW_FILES:
        assert name in msg
    assert "NBHELPERS_DATA" in msg


def test_offline_download_failure_gives_the_clear_error(tmp_path, monkeypatch):
    """No network: torchvision's download fails deep inside; we must surface one clear error."""

    def no_network(*args, **kwargs):
        raise OSError("network is unreachable (test)")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setenv("NBHELPERS_DATA", str(tmp_path))
    with pytest.raises(data.DataNotFoundError) as info:
        data.load_tensors("fashionmnist")
    msg = str(info.value)
    assert "NBHELPERS_DATA" in msg and "t10k-labels-idx1-ubyte" in msg
    assert str(tmp_path / "FashionMNIST" / "raw") in msg
    assert info.value.__cause__ is None  # no chained torchvision traceback


@pytest.mark.parametrize("name,size", [("mnist", 60000), ("fashionmnist", 60000)])
def test_load_tensors_real_data(name, size, mnist_available, fashion_available):
    x, y = data.load_tensors(name, train=True)
    assert x.shape == (size, 1, 28, 28) and x.dtype == torch.float32
    assert y.shape == (size,) and y.dtype == torch.int64
    assert set(y.unique().tolist()) == set(range(10))
    # standardised with the training statistics: mean 0, std 1
    assert abs(x.mean().item()) < 1e-3 and abs(x.std().item() - 1) < 1e-3
    xt, yt = data.load_tensors(name, train=False, limit=100)
    assert xt.shape == (100, 1, 28, 28) and yt.shape == (100,)


def test_mnist_mean_std_computed(mnist_available):
    mean, std = data.mean_std("mnist")
    assert mean == pytest.approx(0.1307, abs=1e-4) and std == pytest.approx(0.3081, abs=1e-4)


def test_load_dataset_is_torchvision(mnist_available):
    ds = data.load_dataset("mnist", train=False)
    assert len(ds) == 10000
    img, label = ds[0]
    assert img.size == (28, 28) and label == 7


def test_unnormalised_pixels_in_unit_range(mnist_available):
    x, _ = data.load_tensors("mnist", train=False, normalize=False, limit=500)
    assert x.min().item() == 0.0 and x.max().item() == 1.0


def test_tensor_batches_cover_everything_and_reshuffle():
    x = torch.arange(10).float().unsqueeze(1)
    y = torch.arange(10)
    batches = data.TensorBatches(x, y, batch_size=4, seed=1)
    assert len(batches) == 3
    epoch1 = torch.cat([yb for _, yb in batches])
    epoch2 = torch.cat([yb for _, yb in batches])
    assert sorted(epoch1.tolist()) == list(range(10)) == sorted(epoch2.tolist())
    assert not torch.equal(epoch1, epoch2), "each epoch must draw a new order"
    for xb, yb in batches:
        assert torch.equal(xb.squeeze(1).long(), yb), "inputs and targets must stay paired"


def test_tensor_batches_ordered_and_drop_last():
    x, y = torch.zeros(10, 2), torch.arange(10)
    ordered = data.TensorBatches(x, y, batch_size=4, shuffle=False)
    assert [yb.tolist() for _, yb in ordered] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    dropped = data.TensorBatches(x, y, batch_size=4, shuffle=False, drop_last=True)
    assert len(dropped) == 2 and sum(len(yb) for _, yb in dropped) == 8


def test_tensor_batches_same_seed_same_order():
    x, y = torch.zeros(50, 1), torch.arange(50)
    a = [yb.tolist() for _, yb in data.TensorBatches(x, y, batch_size=7, seed=3)]
    b = [yb.tolist() for _, yb in data.TensorBatches(x, y, batch_size=7, seed=3)]
    assert a == b


@pytest.mark.parametrize(
    "args,kwargs,err,match",
    [
        ((torch.zeros(3, 1), torch.zeros(4)), {}, ValueError, "differ in length"),
        ((torch.zeros(0, 1), torch.zeros(0)), {}, ValueError, "empty"),
        ((torch.zeros(3, 1), torch.zeros(3)), {"batch_size": 0}, ValueError, "batch_size"),
        (([1, 2], torch.zeros(2)), {}, TypeError, "two torch tensors"),
    ],
)
def test_tensor_batches_bad_input(args, kwargs, err, match):
    with pytest.raises(err, match=match):
        data.TensorBatches(*args, **kwargs)


def test_load_tensors_bad_limit(mnist_available):
    with pytest.raises(ValueError, match="limit"):
        data.load_tensors("mnist", train=False, limit=0)


# --- the IDX files are checked; downloads time out and do not collide ---------------------

N_FAKE = 3


def _fake_idx(folder: Path) -> dict[str, tuple[int, str]]:
    """Four tiny IDX files (3 images of 28x28, 3 labels) in ``folder``; their (size, MD5)."""
    folder.mkdir(parents=True, exist_ok=True)
    images = struct.pack(">IIII", 0x803, N_FAKE, 28, 28) + bytes(range(256)) * 9 + bytes(48)
    labels = struct.pack(">II", 0x801, N_FAKE) + bytes([7, 2, 1])
    table = {}
    for name in data.RAW_FILES:
        blob = images if "images" in name else labels
        (folder / name).write_bytes(blob)
        table[name] = (len(blob), hashlib.md5(blob).hexdigest())
    return table


@pytest.fixture
def fake_mnist(tmp_path, monkeypatch) -> Path:
    """A data root holding fake MNIST files, which the checks expect instead of the real ones."""
    folder = data.raw_folder("mnist", root=tmp_path)
    monkeypatch.setitem(data.RAW_CHECKSUMS, "mnist", _fake_idx(folder))
    return tmp_path


def test_fake_files_load(fake_mnist):
    ds = data.load_dataset("mnist", root=fake_mnist, train=False, download=False)
    assert ds.data.shape == (N_FAKE, 28, 28) and ds.targets.tolist() == [7, 2, 1]


@pytest.mark.parametrize("download", [False, True])
def test_truncated_file_is_named_with_the_fix(fake_mnist, download):
    path = data.raw_folder("mnist", root=fake_mnist) / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(data.DataCorruptError) as info:
        data.load_dataset("mnist", root=fake_mnist, download=download)
    msg = str(info.value)
    assert str(path) in msg and "truncated" in msg
    assert "delete" in msg.lower() and "download" in msg


def test_bit_rot_is_caught_by_the_md5(fake_mnist):
    path = data.raw_folder("mnist", root=fake_mnist) / "t10k-images-idx3-ubyte"
    blob = bytearray(path.read_bytes())
    blob[500] ^= 0x10
    path.write_bytes(bytes(blob))
    with pytest.raises(data.DataCorruptError, match="MD5") as info:
        data.load_tensors("mnist", root=fake_mnist, train=False, normalize=False)
    assert str(path) in str(info.value) and "delete" in str(info.value).lower()


def test_md5_once_per_file_version(fake_mnist, monkeypatch):
    """The MD5 costs about 0.1 s for the 47 MB training images: computed once per file and
    process; a file changed afterwards (new mtime) is hashed again."""
    hashed = []
    real = data.calculate_md5
    monkeypatch.setattr(data, "calculate_md5", lambda path: hashed.append(path) or real(path))
    for _ in range(3):
        data.load_dataset("mnist", root=fake_mnist, train=False)
    assert len(hashed) == 2  # t10k images and labels, once each
    path = data.raw_folder("mnist", root=fake_mnist) / "t10k-labels-idx1-ubyte"
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 1
    path.write_bytes(bytes(blob))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    with pytest.raises(data.DataCorruptError, match="t10k-labels-idx1-ubyte"):
        data.load_dataset("mnist", root=fake_mnist, train=False)


def test_real_files_pass_the_checks(mnist_available, fashion_available):
    for name in ("mnist", "fashionmnist"):
        folder = data.raw_folder(name)
        for file, (size, md5) in data.RAW_CHECKSUMS[name].items():
            assert (folder / file).stat().st_size == size
            assert data.calculate_md5(folder / file) == md5


def test_a_mirror_that_never_answers_times_out(tmp_path, monkeypatch):
    """A server that accepts the connection and never answers: the download gives up after
    DOWNLOAD_TIMEOUT seconds with the clear error (today's code would wait forever; the
    server hangs up after 10 s so that a regression fails instead of hanging)."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept_and_hold() -> None:
        server.settimeout(10)
        with contextlib.suppress(OSError):
            held.append(server.accept()[0])
            time.sleep(10)
        for conn in held:
            conn.close()

    thread = threading.Thread(target=accept_and_hold, daemon=True)
    thread.start()
    port = server.getsockname()[1]
    monkeypatch.setattr(datasets.MNIST, "mirrors", [f"http://127.0.0.1:{port}/"])
    monkeypatch.setattr(data, "DOWNLOAD_TIMEOUT", 0.5)
    monkeypatch.setenv("no_proxy", "*")
    start = time.perf_counter()
    with pytest.raises(data.DataNotFoundError, match="timed out"):
        data.load_dataset("mnist", root=tmp_path)
    assert time.perf_counter() - start < 5
    server.close()


def test_two_kernels_downloading_into_one_root(tmp_path, monkeypatch):
    """A second load while the first one's download is half written waits for it (a lock on
    the folder) instead of reading half a file; the files are downloaded once."""
    source = tmp_path / "source"
    monkeypatch.setitem(data.RAW_CHECKSUMS, "mnist", _fake_idx(source))
    halfway, release = threading.Event(), threading.Event()
    downloads = []

    def slow_download(self) -> None:  # stands in for torchvision's MNIST.download
        downloads.append(1)
        raw = Path(self.raw_folder)
        raw.mkdir(parents=True, exist_ok=True)
        blobs = {name: (source / name).read_bytes() for name in data.RAW_FILES}
        files = {name: open(raw / name, "wb") for name in data.RAW_FILES}  # noqa: SIM115
        for name, f in files.items():
            f.write(blobs[name][: len(blobs[name]) // 2])
            f.flush()
        halfway.set()
        release.wait(10)
        for name, f in files.items():
            f.write(blobs[name][len(blobs[name]) // 2:])
            f.close()

    monkeypatch.setattr(datasets.MNIST, "download", slow_download)
    root = tmp_path / "root"
    results: dict[str, object] = {}

    def load(who: str) -> None:
        try:
            results[who] = data.load_dataset("mnist", root=root).targets.tolist()
        except Exception as err:  # noqa: BLE001 - recorded for the assertion
            results[who] = err

    first = threading.Thread(target=load, args=("first",))
    first.start()
    assert halfway.wait(10)
    second = threading.Thread(target=load, args=("second",))
    second.start()
    second.join(0.5)  # today's code fails here at once on the half-written files
    release.set()
    first.join(10)
    second.join(10)
    assert results == {"first": [7, 2, 1], "second": [7, 2, 1]}
    assert len(downloads) == 1
