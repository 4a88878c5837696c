"""Loss and accuracy over many batches: :class:`RunningMetrics` (used while training),
:func:`evaluate` and :func:`predict`.

Each batch's loss and number of correct predictions stay on the device and are read back
every :data:`SYNC_EVERY` batches in one go: calling ``.item()`` on every batch would make a
GPU wait for each batch to finish before Python can queue the next one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from nbhelpers.training.checks import (
    LossFn,
    check_batches,
    check_first_batch,
    check_loss_fn,
    unpack,
)
from nbhelpers.training.speed import Speedups, resolve_device

__all__ = ["SYNC_EVERY", "Evaluation", "NonFiniteLossError", "RunningMetrics", "evaluate",
           "measure", "predict"]

#: Read per-batch losses back from the device every this many batches (and at epoch end).
SYNC_EVERY = 20


class NonFiniteLossError(FloatingPointError):
    """The training loss became NaN or infinite; ``epoch`` and ``batch`` count from 1."""

    def __init__(self, epoch: int, batch: int, loss: float) -> None:
        self.epoch, self.batch, self.loss = epoch, batch, loss
        super().__init__(
            f"the training loss is {loss} at epoch {epoch}, batch {batch}: training stopped. "
            "The weights have diverged; the usual cause is a learning rate that is too high. "
            "Re-create the model and try a lower learning rate (e.g. 10x smaller), "
            "and check the inputs for NaN/inf values."
        )


class Evaluation(NamedTuple):
    """Mean loss per example and accuracy in [0, 1] (``None`` when not computed)."""

    loss: float
    accuracy: float | None


class RunningMetrics:
    """Per-example mean loss (and accuracy) of one pass, accumulated batch by batch.

    :meth:`add` keeps a batch's mean loss (a 0-d tensor) and correct count on the device;
    every ``SYNC_EVERY`` batches :meth:`flush` reads them back in one transfer and adds up
    ``mean batch loss x batch size``; :attr:`loss` divides by the number of examples. With
    an ``epoch`` (training) a NaN/inf loss raises :class:`NonFiniteLossError`.
    ``on_flush(batches, loss)`` is called after each read-back (the progress bar).
    """

    def __init__(self, *, accuracy: bool, epoch: int | None = None,
                 on_flush: Callable[[int, float], None] | None = None) -> None:
        self.count_correct, self.epoch, self.on_flush = accuracy, epoch, on_flush
        self.loss_sum, self.correct, self.n, self.batches = 0.0, 0, 0, 0
        self.pending: list[tuple[torch.Tensor, torch.Tensor | None, int]] = []

    def add(self, loss: torch.Tensor, out: torch.Tensor, y: torch.Tensor) -> None:
        """One batch: its mean ``loss``, outputs ``out`` (B, classes) and labels ``y`` (B,)."""
        correct = (out.detach().argmax(dim=1) == y).sum() if self.count_correct else None
        self.pending.append((loss.detach().float(), correct, len(y)))
        if len(self.pending) >= SYNC_EVERY:
            self.flush()

    def flush(self) -> None:
        """Read the pending batches back from the device (one sync) and add them up."""
        if not self.pending:
            return
        losses = torch.stack([loss for loss, _, _ in self.pending]).tolist()
        for batch, value in enumerate(losses, start=self.batches + 1):
            if self.epoch is not None and not math.isfinite(value):
                raise NonFiniteLossError(self.epoch, batch, value)
        sizes = [size for _, _, size in self.pending]
        self.loss_sum += sum(v * b for v, b in zip(losses, sizes, strict=True))
        if self.count_correct:
            self.correct += int(torch.stack([c for _, c, _ in self.pending]).sum())
        self.n += sum(sizes)
        self.batches += len(self.pending)
        if self.on_flush is not None:
            self.on_flush(len(self.pending), self.loss)
        self.pending.clear()

    @property
    def loss(self) -> float:
        return self.loss_sum / self.n

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.n if self.count_correct else None


def measure(model: nn.Module, data: Iterable, *, loss_fn: LossFn, accuracy: bool,
            speed: Speedups) -> Evaluation:
    """The evaluation loop (eval mode, no gradients, ``speed``'s device and layout),
    without :func:`evaluate`'s checks; restores the model's mode."""
    was_training = model.training
    model.eval()
    metrics = RunningMetrics(accuracy=accuracy)
    try:
        with torch.no_grad():
            for batch in data:
                x, y = speed.prepare(*batch)
                out = model(x)
                loss = loss_fn(out, y)
                metrics.add(loss, out, y)
        metrics.flush()
    finally:
        model.train(was_training)
    if metrics.n == 0:
        raise ValueError("the data yielded no examples; is it a one-shot iterator?")
    return Evaluation(metrics.loss, metrics.accuracy)


def evaluate(
    model: nn.Module,
    data: Iterable,
    *,
    loss_fn: LossFn | None = None,
    accuracy: bool = True,
    device: str | torch.device | None = None,
) -> Evaluation:
    """Mean loss per example and accuracy of ``model`` on ``data``.

    ``data`` yields ``(x, y)`` batches (DataLoader or TensorBatches): ``x`` of shape
    ``(B, ...)``, ``y`` of shape ``(B,)`` int64 labels (or any target ``loss_fn`` accepts, with
    ``accuracy=False``). The loss is ``sum over batches of (mean batch loss x B) / N``, which is
    the mean over all ``N`` examples for a mean-reducing ``loss_fn`` (default cross-entropy).
    Runs where the model is (``device``, if given, must be that device; the model is never
    moved), in eval mode without gradients, and restores the model's previous mode. Like
    :func:`~nbhelpers.training.fit` it first checks two examples of the first batch.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    check_batches(data, "data")
    check_loss_fn(loss_fn)
    dev = resolve_device(model, device)
    loss_fn = loss_fn if loss_fn is not None else F.cross_entropy
    check_first_batch(model, data, name="data", loss_fn=loss_fn, accuracy=accuracy, device=dev)
    return measure(model, data, loss_fn=loss_fn, accuracy=accuracy, speed=Speedups(dev))


def predict(
    model: nn.Module,
    x: torch.Tensor | Iterable,
    *,
    probs: bool = False,
    batch_size: int = 1024,
    device: str | torch.device | None = None,
) -> torch.Tensor:
    """Class predictions of ``model`` for inputs ``x`` of shape ``(N, ...)``, on the CPU.

    Returns labels ``(N,)`` int64 (the argmax), or with ``probs=True`` the softmax
    probabilities ``(N, C)`` float32. ``x`` may also be batches ``(x, y)`` (a DataLoader or
    TensorBatches); the targets are ignored. Runs in eval mode without gradients, ``batch_size``
    rows at a time, where the model is (``device``, if given, must be that device).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    if isinstance(x, torch.Tensor):
        if x.ndim == 0 or len(x) == 0:
            raise ValueError(f"x must be a batch of inputs (N, ...) with N >= 1, got shape "
                             f"{tuple(x.shape)}")
        chunks: Iterable[torch.Tensor] = x.split(batch_size)
    else:
        check_batches(x, "x")
        chunks = (unpack(batch, "x")[0] for batch in x)
    dev = resolve_device(model, device)
    was_training = model.training
    model.eval()
    outputs = []
    try:
        with torch.no_grad():
            for chunk in chunks:
                out = model(chunk.to(dev, non_blocking=True))
                if out.ndim != 2:
                    raise ValueError(
                        f"predict needs model outputs of shape (N, classes), got "
                        f"{tuple(out.shape)}; for other outputs call the model directly"
                    )
                out = out.float().softmax(dim=1) if probs else out.argmax(dim=1)
                outputs.append(out.cpu())
    finally:
        model.train(was_training)
    return torch.cat(outputs)
