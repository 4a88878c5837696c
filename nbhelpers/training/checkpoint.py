"""Save and restore a training run, so that it can go on after an interruption (a Colab
runtime that disconnected, a laptop that slept).

A checkpoint holds the model's and the optimizer's (and scheduler's) state, the number of
epochs done, the :class:`~nbhelpers.training.History` so far and the torch RNG states (data
order, dropout; not Python's or NumPy's). :func:`save_checkpoint` writes it atomically;
:func:`load_checkpoint` reads it with ``weights_only=True`` (no arbitrary code is run).
"""

from __future__ import annotations

import os
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
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "history": history.to_dict() if history is not None else None,
        "rng": _rng_state(data),
    }
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str | Path, *, model: nn.Module, optimizer: torch.optim.Optimizer,
                    scheduler: Any = None, data: Iterable | None = None) -> Restored:
    """Load the checkpoint at ``path`` into ``model``, ``optimizer`` (and ``scheduler``),
    restore the RNG states (and ``data``'s generator); return the epochs done and the
    history. A checkpoint of another model or optimizer raises ``ValueError``."""
    state = torch.load(path, map_location="cpu", weights_only=True)
    try:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        if scheduler is not None and state["scheduler"] is not None:
            scheduler.load_state_dict(state["scheduler"])
    except (RuntimeError, ValueError, KeyError) as err:
        raise ValueError(
            f"the checkpoint {path} does not fit this model/optimizer/scheduler; to start "
            f"afresh, delete it or save to another path. Details: {err}"
        ) from err
    _set_rng_state(state["rng"], data)
    history = History.from_dict(state["history"]) if state["history"] is not None else None
    return Restored(int(state["epoch"]), history)


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
