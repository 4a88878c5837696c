from __future__ import annotations

import socket
from pathlib import Path

import pytest
import torch

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
