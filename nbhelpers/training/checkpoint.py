"""Save and restore a training run, so that it can go on after an interruption (a Colab
runtime that disconnected, a laptop that slept).

A checkpoint holds the model's and the optimizer's (and scheduler's) state, the number of
epochs done, the :class:`~nbhelpers.training.History` so far and the torch RNG states (data
order, dropout; not Python's or NumPy's), with a SHA-256 of all of it. :func:`save_checkpoint`
writes it atomically (its own temporary file, then a rename); :func:`load_checkpoint` reads it
with ``weights_only=True`` (no arbitrary code is run), checks the SHA-256, so that a truncated or
corrupted file is one clear error, and checks that model, optimizer and scheduler fit before it
changes any of them.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

import torch
from torch import nn

from nbhelpers.training.history import History

__all__ = ["CHECKPOINT_NAME", "Restored", "load_checkpoint", "save_checkpoint"]

#: File name of :func:`~nbhelpers.training.fit`'s checkpoint inside ``checkpoint_dir``.
CHECKPOINT_NAME = "checkpoint.pt"


class Restored(NamedTuple):
    """What :func:`load_checkpoint` gives back besides the states it loaded."""

    epoch: int  # epochs done: go on with epoch + 1
    history: History | None


def save_checkpoint(path: str | Path, *, model: nn.Module, optimizer: torch.optim.Optimizer,
                    epoch: int, scheduler: Any = None, history: History | None = None,
                    data: Iterable | None = None) -> None:
    """Save the state after ``epoch`` epochs to ``path`` (its folder is created).

    ``data``: the training batches, whose own ``generator`` (e.g. TensorBatches') is saved
    with the torch RNG states. Written to a temporary file and renamed: an interrupted save
    leaves the previous checkpoint intact.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "epoch": epoch,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "optimizer_type": type(optimizer).__name__,
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "scheduler_type": type(scheduler).__name__ if scheduler is not None else None,
        "history": history.to_dict() if history is not None else None,
        "rng": _rng_state(data),
    }
    state["sha256"] = _sha256(state)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(state, f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_checkpoint(path: str | Path, *, model: nn.Module, optimizer: torch.optim.Optimizer,
                    scheduler: Any = None, data: Iterable | None = None) -> Restored:
    """Load the checkpoint at ``path`` into ``model``, ``optimizer`` (and ``scheduler``),
    restore the RNG states (and ``data``'s generator); return the epochs done and the
    history. A truncated or corrupted file, or a checkpoint of another model, optimizer or
    scheduler, raises ``ValueError`` before anything is changed."""
    state = _read(Path(path))
    try:
        _check_fit(state, model=model, optimizer=optimizer, scheduler=scheduler)
        optimizer.load_state_dict(state["optimizer"])
        if scheduler is not None:
            scheduler.load_state_dict(state["scheduler"])
        model.load_state_dict(state["model"])
    except (RuntimeError, ValueError, KeyError) as err:
        raise ValueError(
            f"the checkpoint {path} does not fit this model/optimizer/scheduler; to start "
            f"afresh, delete it or save to another path. Details: {err}"
        ) from err
    _set_rng_state(state["rng"], data)
    history = History.from_dict(state["history"]) if state["history"] is not None else None
    return Restored(int(state["epoch"]), history)


def _read(path: Path) -> dict[str, Any]:
    """The checkpoint's contents; ``ValueError`` naming ``path`` when it is damaged."""
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        why = None if state.get("sha256") == _sha256(state) else "its SHA-256 does not match"
    except Exception as err:  # torch raises many kinds on a damaged zip or pickle
        first_line = str(err).partition("\n")[0][:200]
        why = f"it cannot be read ({type(err).__name__}: {first_line})"
    if why is not None:
        raise ValueError(
            f"the checkpoint {path} is damaged (truncated or corrupted, or not written by "
            f"save_checkpoint): {why}. Its epochs are lost: delete it to start afresh."
        )
    return state


def _sha256(state: dict[str, Any]) -> str:
    """SHA-256 over every entry of ``state`` but ``"sha256"``: tensors by dtype, shape and
    bytes, other values by ``repr``, in order."""
    digest = hashlib.sha256()

    def feed(value: Any) -> None:
        if isinstance(value, torch.Tensor):
            t = value.detach().cpu().contiguous()
            digest.update(f"T{t.dtype}{tuple(t.shape)}".encode())
            digest.update(t.reshape(-1).view(torch.uint8).numpy())
        elif isinstance(value, dict):
            digest.update(f"D{len(value)}".encode())
            for k, v in value.items():
                feed(k)
                feed(v)
        elif isinstance(value, list | tuple):
            digest.update(f"L{len(value)}".encode())
            for v in value:
                feed(v)
        else:
            digest.update(f"V{value!r}".encode())

    feed({k: v for k, v in state.items() if k != "sha256"})
    return digest.hexdigest()


def _check_fit(state: dict[str, Any], *, model: nn.Module, optimizer: torch.optim.Optimizer,
               scheduler: Any) -> None:
    """Raise ``ValueError`` if the saved states do not fit, without changing anything."""
    if state["optimizer_type"] != type(optimizer).__name__:
        raise ValueError(f"it holds a {state['optimizer_type']} optimizer's state, "
                         f"not a {type(optimizer).__name__}'s")
    saved_groups = [len(g["params"]) for g in state["optimizer"]["param_groups"]]
    groups = [len(g["params"]) for g in optimizer.param_groups]
    if saved_groups != groups:
        raise ValueError(f"parameter groups of sizes {saved_groups}, not {groups}")
    saved_type = state["scheduler_type"]
    scheduler_type = type(scheduler).__name__ if scheduler is not None else None
    if saved_type != scheduler_type:
        raise ValueError(f"scheduler {saved_type}, not {scheduler_type}")
    own = model.state_dict()
    saved = state["model"]
    if own.keys() != saved.keys():
        raise ValueError(f"missing keys {sorted(own.keys() - saved.keys())}, unexpected keys "
                         f"{sorted(saved.keys() - own.keys())}")
    shapes = [f"{k}: {tuple(saved[k].shape)} vs {tuple(v.shape)}" for k, v in own.items()
              if isinstance(v, torch.Tensor) and saved[k].shape != v.shape]
    if shapes:
        raise ValueError(f"shapes differ (saved vs model): {'; '.join(shapes)}")


def _data_generator(data: Iterable | None) -> torch.Generator | None:
    gen = getattr(data, "generator", None)
    return gen if isinstance(gen, torch.Generator) and gen.device.type == "cpu" else None


def _rng_state(data: Iterable | None) -> dict[str, Any]:
    state: dict[str, Any] = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    if (gen := _data_generator(data)) is not None:
        state["data"] = gen.get_state()
    return state


def _set_rng_state(state: dict[str, Any], data: Iterable | None) -> None:
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    if "data" in state and (gen := _data_generator(data)) is not None:
        gen.set_state(state["data"])
