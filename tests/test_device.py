from __future__ import annotations

import random

import numpy as np
import pytest
import torch

import nbhelpers
from nbhelpers import device as dev


def test_get_device_prefers_cuda_else_cpu(monkeypatch):
    monkeypatch.delenv("NBHELPERS_DEVICE", raising=False)
    expected = "cuda" if torch.cuda.is_available() else None
    got = dev.get_device(verbose=False)
    if expected:
        assert got.type == "cuda"
    else:
        assert got.type in {"cpu", "mps"}


def test_get_device_env_override(monkeypatch, capsys):
    monkeypatch.setenv("NBHELPERS_DEVICE", "cpu")
    dev._announced.clear()
    assert dev.get_device() == torch.device("cpu")
    assert "Using device: cpu (set by NBHELPERS_DEVICE)" in capsys.readouterr().out
    dev.get_device()  # says it once only
    assert capsys.readouterr().out == ""


def test_get_device_bad_override(monkeypatch):
    monkeypatch.setenv("NBHELPERS_DEVICE", "banana")
    with pytest.raises(ValueError, match="NBHELPERS_DEVICE"):
        dev.get_device()


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_get_device_cuda_override_without_cuda(monkeypatch):
    monkeypatch.setenv("NBHELPERS_DEVICE", "cuda")
    with pytest.raises(ValueError, match="no CUDA GPU"):
        dev.get_device()


def test_seed_everything_repeats_all_generators():
    dev.seed_everything(7)
    a = (random.random(), np.random.rand(), torch.rand(1).item())
    dev.seed_everything(7)
    b = (random.random(), np.random.rand(), torch.rand(1).item())
    assert a == b


@pytest.mark.parametrize("bad", [-1, 1.5, "0", True])
def test_seed_everything_rejects_bad_seed(bad):
    with pytest.raises(ValueError, match="seed"):
        dev.seed_everything(bad)


def test_setup_returns_device(monkeypatch):
    monkeypatch.setenv("NBHELPERS_DEVICE", "cpu")
    assert nbhelpers.setup(seed=0) == torch.device("cpu")


def test_on_colab_reads_sys_modules_at_call_time(monkeypatch):
    import sys
    import types

    assert dev.on_colab() is False
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    assert dev.on_colab() is True


def test_custom_widgets_turns_on_colabs_widget_manager_only_on_colab(monkeypatch):
    import sys
    import types

    monkeypatch.setenv("NBHELPERS_DEVICE", "cpu")
    calls = []
    assert not dev.on_colab()
    nbhelpers.setup(seed=0, custom_widgets=True)               # not Colab: nothing to do
    assert dev.enable_colab_widgets() is False
    colab = types.ModuleType("google.colab")
    colab.output = types.SimpleNamespace(enable_custom_widget_manager=lambda: calls.append(1))
    monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setattr(sys.modules["google"], "colab", colab, raising=False)
    nbhelpers.setup(seed=0)                                      # not asked for
    assert calls == []
    nbhelpers.setup(seed=0, custom_widgets=True)
    assert calls == [1]
