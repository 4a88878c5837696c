"""Checks before training starts, so that a mistake gives one clear message, not a deep
torch error: the arguments of :func:`~nbhelpers.training.fit` and the first batch."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sized
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from nbhelpers.training.checkpoint import CHECKPOINT_NAME

__all__ = ["LossFn", "check_batches", "check_first_batch", "check_fit_args", "unpack",
           "val_or_test"]

#: ``loss_fn(outputs, targets) -> mean loss`` (a scalar tensor).
LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def val_or_test(val: Any, test: Any) -> Any:
    """The held-out data of a ``fit`` call: ``val``, or the deprecated ``test``."""
    if test is None:
        return val
    if val is not None:
        raise TypeError("pass the held-out data once, as val= (test= is its deprecated name)")
    warnings.warn("fit(test=...) is deprecated: pass the data you evaluate after every epoch "
                  "as val= (validation data); keep the test set for one final evaluate()",
                  DeprecationWarning, stacklevel=3)
    return test


def check_fit_args(model: Any, train: Any, *, val: Any, epochs: Any, optimizer: Any,
                   loss_fn: Any, scheduler: Any, checkpoint_dir: str | Path | None,
                   resume: bool) -> None:
    """Every argument of ``fit`` that can be checked without running the model."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            f"optimizer must be a torch.optim.Optimizer, e.g. torch.optim.SGD(model.parameters(),"
            f" lr=0.1), got {type(optimizer).__name__}"
        )
    if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 1:
        raise ValueError(f"epochs must be an int >= 1, got {epochs!r}")
    if scheduler is not None and not callable(getattr(scheduler, "step", None)):
        raise TypeError(f"scheduler must be a torch LR scheduler, got {type(scheduler).__name__}")
    if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
        raise TypeError(
            "fit steps its scheduler after every batch, and ReduceLROnPlateau needs a "
            "measured loss: use a per-batch schedule (e.g. OneCycleLR), or call fit one epoch "
            "at a time and step it yourself with evaluate(...).loss"
        )
    if loss_fn is not None and not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable (e.g. nn.MSELoss()), got {loss_fn!r}")
    if resume and checkpoint_dir is None:
        raise ValueError("resume=True needs checkpoint_dir (the folder of the checkpoint)")
    if not resume and checkpoint_dir is not None:
        saved = Path(checkpoint_dir) / CHECKPOINT_NAME
        if saved.is_file():
            raise ValueError(f"{saved} holds an earlier run, which resume=False would overwrite: "
                             "pass resume=True to go on with it, or delete it (or choose "
                             "another checkpoint_dir) to start afresh")
    check_batches(train, "train")
    if val is not None:
        check_batches(val, "val")
    model_params = {id(p) for p in model.parameters()}
    opt_params = {id(p) for group in optimizer.param_groups for p in group["params"]}
    if not model_params & opt_params:
        raise ValueError(
            "the optimizer does not hold this model's parameters; create it after the model: "
            "optimizer = torch.optim.SGD(model.parameters(), lr=...)"
        )


def check_batches(data: Any, name: str) -> None:
    """``data`` must be a DataLoader-like iterable of batches with ``len() > 0``."""
    if isinstance(data, torch.Tensor):
        raise TypeError(
            f"{name} must yield (inputs, targets) batches, not be a single tensor; wrap your "
            "tensors: nbhelpers.data.TensorBatches(x, y, batch_size=...) or a DataLoader"
        )
    if not isinstance(data, Iterable) or not isinstance(data, Sized):
        raise TypeError(
            f"{name} must be a DataLoader or nbhelpers.data.TensorBatches (an iterable of "
            f"(inputs, targets) batches with len()), got {type(data).__name__}"
        )
    if len(data) == 0:
        raise ValueError(f"{name} has no batches: the data set is empty (or smaller than one "
                         "batch with drop_last=True)")


def unpack(batch: Any, name: str) -> tuple[torch.Tensor, torch.Tensor]:
    """A batch as ``(x, y)``: two tensors with the same first dimension, else a clear error."""
    if (
        not isinstance(batch, (tuple, list))
        or len(batch) != 2
        or not all(isinstance(t, torch.Tensor) for t in batch)
    ):
        raise TypeError(
            f"each batch of {name} must be a pair (inputs, targets) of tensors, got "
            f"{type(batch).__name__}"
        )
    x, y = batch
    if x.shape[:1] != y.shape[:1]:
        raise ValueError(f"a batch of {name} has {x.shape[0]} inputs but {y.shape[0]} targets")
    return x, y


def _peek(data: Iterable) -> Any:
    """The first batch of ``data``, leaving the batches of the next pass as they were: the
    torch RNG (DataLoader shuffling) and the data's own ``generator`` are put back."""
    gen = getattr(data, "generator", None)
    saved = gen.get_state() if isinstance(gen, torch.Generator) else None
    with torch.random.fork_rng(devices=[]):
        batch = next(iter(data), None)
    if saved is not None:
        gen.set_state(saved)
    if batch is None:
        raise ValueError("the data yielded no batches; is it a one-shot iterator?")
    return batch


def check_first_batch(model: nn.Module, data: Iterable, *, name: str, loss_fn: LossFn,
                      accuracy: bool, device: torch.device) -> torch.Tensor:
    """Check the first batch of ``data`` against ``model``'s outputs (two examples, eval mode,
    no gradients, so nothing changes); return that batch's inputs ``x`` on ``device``."""
    x, y = unpack(_peek(data), name)
    x, y = x.to(device), y.to(device)
    was_training = model.training
    try:
        with torch.no_grad():
            out = model.eval()(x[:2])
    finally:
        model.train(was_training)
    _check_targets(out, y, loss_fn=loss_fn, accuracy=accuracy, name=name)
    return x


def _is_class_loss(loss_fn: LossFn) -> bool:
    """Cross-entropy or NLL: losses whose targets are class indices."""
    return loss_fn in (F.cross_entropy, F.nll_loss) or isinstance(
        loss_fn, (nn.CrossEntropyLoss, nn.NLLLoss))


def _check_targets(out: torch.Tensor, y: torch.Tensor, *, loss_fn: LossFn, accuracy: bool,
                   name: str) -> None:
    """``out``: the model's outputs for the first examples, ``y``: the batch's targets."""
    class_loss = _is_class_loss(loss_fn)
    soft = y.is_floating_point() and y.shape[1:] == out.shape[1:]  # class probabilities
    if class_loss and not soft and y.dtype != torch.int64:
        raise TypeError(
            f"labels must be int64 class indices for cross-entropy, but {name} gives "
            f"{y.dtype}; convert them with y.long() (or pass loss_fn for other targets)"
        )
    if accuracy:
        if y.is_floating_point() or y.is_complex() or y.dtype == torch.bool:
            raise TypeError(
                f"accuracy=True needs integer class labels, but {name} gives {y.dtype} "
                "targets; for regression pass accuracy=False"
            )
        if out.ndim != 2 or y.ndim != 1:
            shape = ", ".join(["N", *map(str, out.shape[1:])])
            raise ValueError(
                f"accuracy=True needs model outputs of shape (N, classes) and labels of shape "
                f"(N,), got outputs ({shape}) and labels "
                f"{tuple(y.shape)}; for regression pass accuracy=False"
            )
    if (class_loss or accuracy) and out.ndim == 2 and y.ndim == 1 and not soft and len(y):
        lo, hi = int(y.min()), int(y.max())
        if lo < 0 or hi >= out.shape[1]:
            raise ValueError(
                f"labels must lie in 0..{out.shape[1] - 1} (the model has {out.shape[1]} "
                f"outputs), but {name} has labels in {lo}..{hi}"
            )
