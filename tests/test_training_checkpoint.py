"""nbhelpers.training.checkpoint: fit(checkpoint_dir=..., resume=True) and the
save_checkpoint / load_checkpoint pair that lecture 14's own loop calls."""

from __future__ import annotations

import ast
import random
import re
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from nbhelpers.data import TensorBatches
from nbhelpers.training import (
    CHECKPOINT_NAME,
    History,
    fit,
    load_checkpoint,
    save_checkpoint,
)


@pytest.fixture(autouse=True)
def _cpu(monkeypatch):
    monkeypatch.setenv("NBHELPERS_DEVICE", "cpu")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def blobs(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Three Gaussian blobs in 2-D: an easy 3-class problem."""
    g = torch.Generator().manual_seed(0)
    y = torch.randint(0, 3, (n,), generator=g)
    centres = torch.tensor([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])
    return centres[y] + 0.6 * torch.randn(n, 2, generator=g), y


def mlp(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 3))


def _run(tmp_path, epochs, *, resume=False, model_seed=0, loader=False):
    x, y = blobs(240)
    model = mlp(model_seed)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=8, gamma=0.7)  # 8 batches: 1 epoch
    train = (DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True) if loader
             else TensorBatches(x, y, batch_size=32, seed=5))
    torch.manual_seed(7)  # the global RNG drives dropout (and DataLoader shuffling)
    h = fit(model, train, epochs=epochs, optimizer=opt, scheduler=sched,
            checkpoint_dir=tmp_path, resume=resume, val=TensorBatches(x, y, shuffle=False),
            live=False, progress=False)
    return model, opt, h


@pytest.mark.parametrize("loader", [False, True])
def test_resume_equals_uninterrupted_run(tmp_path, loader):
    full, full_opt, h_full = _run(tmp_path / "a", 3, loader=loader)
    _run(tmp_path / "b", 1, loader=loader)  # "interrupted" after epoch 1
    # a fresh process would build a different model; resume restores everything
    resumed, res_opt, h_res = _run(tmp_path / "b", 3, resume=True, model_seed=99, loader=loader)
    assert h_res.epoch == [1, 2, 3]
    assert h_res.train_loss == pytest.approx(h_full.train_loss, rel=1e-5)
    assert h_res.val_acc == h_full.val_acc
    assert h_res.lr == pytest.approx(h_full.lr)
    for p, q in zip(full.parameters(), resumed.parameters(), strict=True):
        torch.testing.assert_close(p, q)
    assert res_opt.param_groups[0]["lr"] == pytest.approx(full_opt.param_groups[0]["lr"])


def test_checkpoint_contents_load_with_weights_only(tmp_path):
    model, _, h = _run(tmp_path, 2)
    state = torch.load(tmp_path / CHECKPOINT_NAME, weights_only=True)
    assert state["epoch"] == 2
    assert History.from_dict(state["history"]) == h
    for k, v in model.state_dict().items():
        torch.testing.assert_close(state["model"][k], v)
    assert {"optimizer", "scheduler", "rng"} <= set(state)
    assert not list(tmp_path.glob("*.tmp"))  # written atomically: no temporary file left


def test_resume_when_finished_or_without_checkpoint(tmp_path):
    _, _, h2 = _run(tmp_path, 2)
    model, _, again = _run(tmp_path, 2, resume=True, model_seed=5)
    assert again == h2  # nothing left to train: the stored history comes back
    torch.testing.assert_close(
        model[0].weight, torch.load(tmp_path / CHECKPOINT_NAME, weights_only=True)["model"]
        ["0.weight"])
    _, _, fresh = _run(tmp_path / "empty", 1, resume=True)  # no checkpoint yet: starts at 1
    assert fresh.epoch == [1]


def test_resume_with_a_checkpoint_of_another_model(tmp_path):
    _run(tmp_path, 1)
    x, y = blobs(40)
    other = nn.Sequential(nn.Linear(2, 5), nn.ReLU(), nn.Linear(5, 3))
    with pytest.raises(ValueError, match="does not fit this model.*delete it"):
        fit(other, TensorBatches(x, y), epochs=2, optimizer=torch.optim.SGD(other.parameters()),
            checkpoint_dir=tmp_path, resume=True, live=False, progress=False)


def _own_loop(path, epochs, *, model_seed=0):
    """A hand-written loop like lecture 14's: one checkpoint per epoch, resumed if present."""
    x, y = blobs(96)
    model = mlp(model_seed)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    data = TensorBatches(x, y, batch_size=32, seed=1)
    torch.manual_seed(3)  # dropout; a resumed run gets the saved RNG state back
    start = 0
    if path.is_file():
        start = load_checkpoint(path, model=model, optimizer=opt, data=data).epoch
    for epoch in range(start, epochs):
        model.train()
        for xb, yb in data:
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            opt.zero_grad()
        save_checkpoint(path, model=model, optimizer=opt, epoch=epoch + 1, data=data)
    return model, start


def test_save_and_load_checkpoint_in_a_hand_written_loop(tmp_path):
    whole, _ = _own_loop(tmp_path / "a" / "run.pt", 3)
    _own_loop(tmp_path / "b" / "run.pt", 2)  # "disconnected" after epoch 2
    resumed, start = _own_loop(tmp_path / "b" / "run.pt", 3, model_seed=42)
    assert start == 2
    for p, q in zip(whole.parameters(), resumed.parameters(), strict=True):
        torch.testing.assert_close(p, q)  # dropout and data order went on where they were
    restored = load_checkpoint(tmp_path / "b" / "run.pt", model=mlp(1),
                               optimizer=torch.optim.SGD(mlp(1).parameters(), lr=0.1))
    assert restored.epoch == 3 and restored.history is None


# --- damaged files, validation before anything is overwritten, temporary files, resume=False --

def _saved(tmp_path) -> Path:
    """A checkpoint of mlp(0) and Adam after one step, at tmp_path / 'run.pt'."""
    model = mlp(0)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    model(torch.randn(4, 2)).sum().backward()
    opt.step()
    path = tmp_path / "run.pt"
    save_checkpoint(path, model=model, optimizer=opt, epoch=1)
    return path


def _weights(model: nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in model.parameters()]


def test_truncated_checkpoint_gives_one_clear_error(tmp_path):
    path = _saved(tmp_path)
    path.write_bytes(path.read_bytes()[:-200])
    model = mlp(1)
    with pytest.raises(ValueError, match="damaged") as info:
        load_checkpoint(path, model=model, optimizer=torch.optim.Adam(model.parameters()))
    assert str(path) in str(info.value) and "delete it" in str(info.value)


def test_every_corrupted_byte_is_caught(tmp_path):
    """One flipped bit anywhere in the file: an error naming it, or the exact saved state
    (a bit of the zip's padding or metadata that nothing reads), never other weights."""
    path = _saved(tmp_path)
    reference = torch.load(path, weights_only=True)["model"]
    good = path.read_bytes()
    rng = random.Random(0)
    bad = tmp_path / "bad.pt"
    caught = 0
    for _ in range(40):
        blob = bytearray(good)
        blob[rng.randrange(len(blob))] ^= 1 << rng.randrange(8)
        bad.write_bytes(bytes(blob))
        model = mlp(1)
        try:
            load_checkpoint(bad, model=model, optimizer=torch.optim.Adam(model.parameters()))
        except ValueError as err:
            assert str(bad) in str(err)
            caught += 1
            continue
        for k, v in model.state_dict().items():
            torch.testing.assert_close(v, reference[k], rtol=0, atol=0)
    assert caught >= 20


def test_optimizer_and_scheduler_checked_before_the_model_is_overwritten(tmp_path):
    path = _saved(tmp_path)
    model = mlp(1)
    before = _weights(model)
    params = list(model.parameters())
    wrong = [
        dict(optimizer=torch.optim.SGD(model.parameters(), lr=0.1)),  # saved: Adam
        dict(optimizer=torch.optim.Adam([{"params": params[:2]}, {"params": params[2:]}])),
    ]
    adam = torch.optim.Adam(model.parameters())
    wrong.append(dict(optimizer=adam, scheduler=torch.optim.lr_scheduler.StepLR(adam, 5)))
    for kwargs in wrong:
        with pytest.raises(ValueError, match="does not fit this model/optimizer/scheduler"):
            load_checkpoint(path, model=model, **kwargs)
        for p, q in zip(before, model.parameters(), strict=True):
            torch.testing.assert_close(p, q)  # untouched
        assert not adam.state  # nor the optimizer


def test_temporary_file_is_unique_and_leaves_others_alone(tmp_path):
    """Another process's temporary file next to the checkpoint is neither overwritten nor
    renamed over it; each save writes its own temporary file and removes it."""
    path = _saved(tmp_path)
    other = path.with_suffix(".tmp")  # the one fixed name today's code used
    other.write_bytes(b"another process is writing this")
    model = mlp(0)
    save_checkpoint(path, model=model, optimizer=torch.optim.Adam(model.parameters()), epoch=2)
    assert other.read_bytes() == b"another process is writing this"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.pt", "run.tmp"]
    assert load_checkpoint(path, model=model,
                           optimizer=torch.optim.Adam(model.parameters())).epoch == 2


def test_resume_false_never_overwrites_a_checkpoint(tmp_path):
    _run(tmp_path, 1)
    saved = (tmp_path / CHECKPOINT_NAME).read_bytes()
    with pytest.raises(ValueError, match="resume=True.*delete"):
        _run(tmp_path, 2)
    assert (tmp_path / CHECKPOINT_NAME).read_bytes() == saved


def test_torch_floor_covers_weights_only_loading():
    """Lecture 12 relies on torch.load's weights_only=True default (torch 2.6); nbhelpers
    passes it explicitly wherever it calls torch.load."""
    root = Path(__file__).resolve().parents[1]
    floor = re.search(r'^\s*"torch>=(\d+)\.(\d+)', (root / "pyproject.toml").read_text(), re.M)
    assert floor and (int(floor[1]), int(floor[2])) >= (2, 6), "pyproject.toml: torch>=2.6"
    calls = 0
    for source in (root / "nbhelpers").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "torch.load":
                calls += 1
                assert any(k.arg == "weights_only" and ast.unparse(k.value) == "True"
                           for k in node.keywords), f"{source}: {ast.unparse(node)}"
    assert calls >= 1
