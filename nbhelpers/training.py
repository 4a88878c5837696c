"""One training loop for a laptop CPU and a GPU: :func:`fit`, :func:`evaluate`, :func:`predict`.

Read :func:`fit` top to bottom: it is the loop every PyTorch tutorial writes by hand
(forward, loss, ``zero_grad``, ``backward``, ``step``), plus the bookkeeping a lecture needs:

- the per-epoch numbers go into a :class:`History` (print it with ``.table()``, draw it with
  ``.plot()``);
- in a notebook a loss/accuracy figure is redrawn in place after every epoch, through one
  display handle, and a tqdm progress bar runs below it; in a plain script each epoch prints
  one line;
- for image batches it stores activations and conv weights ``channels_last`` (NHWC), which
  makes convolutions faster on CUDA and, measured, on a laptop CPU too
  (``benchmarks/fit_overhead.py --channels-last``); on CUDA it also uses mixed precision;
- a loss that turns NaN/inf stops training with :class:`NonFiniteLossError`;
- with ``checkpoint_dir`` every epoch is saved, and ``resume=True`` continues from there.

Per-batch numbers (loss, correct predictions) stay on the device and are read back every
``_SYNC_EVERY`` batches in one go: calling ``.item()`` on every batch would make a GPU wait
for each batch to finish before Python can queue the next one.
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import itertools
import math
import os
import time
import warnings
from collections.abc import Callable, Iterable, Sized
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from nbhelpers.device import get_device, seed_everything

__all__ = [
    "Evaluation",
    "History",
    "NonFiniteLossError",
    "evaluate",
    "fit",
    "get_device",
    "predict",
    "seed_everything",
]

#: Read per-batch losses back from the device every this many batches (and at epoch end).
_SYNC_EVERY = 20
#: File name of the checkpoint inside ``checkpoint_dir`` (overwritten every epoch).
CHECKPOINT_NAME = "checkpoint.pt"

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


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


# --------------------------------------------------------------------------- History


@dataclass
class History:
    """What :func:`fit` measured, one list entry per epoch.

    Accuracies are fractions in [0, 1]; test values and accuracies are ``None`` when there
    was no test data or ``accuracy=False``. ``lr`` is the learning rate at the start of the
    epoch (of the optimizer's first parameter group); ``seconds`` is the epoch's wall time,
    test evaluation included.
    """

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float | None] = field(default_factory=list)
    test_loss: list[float | None] = field(default_factory=list)
    test_acc: list[float | None] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.epoch)

    def append(self, **row: Any) -> None:
        """Add one epoch: a value for every field."""
        names = [f.name for f in fields(self)]
        if sorted(row) != sorted(names):
            raise ValueError(f"History.append needs exactly these keys: {names}")
        for name in names:
            getattr(self, name).append(row[name])

    def to_dict(self) -> dict[str, list]:
        """The lists as a plain dict (safe for ``torch.save`` / ``weights_only`` loading)."""
        return {f.name: list(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, list]) -> History:
        """Inverse of :meth:`to_dict`."""
        return cls(**{f.name: list(data.get(f.name, [])) for f in fields(cls)})

    def table(self, *, seconds: bool = True) -> str:
        """An aligned text table, one row per epoch; the learning rate is shown when it
        changed. ``seconds=False`` drops the timing column, for output that must not change
        between runs."""
        columns: list[tuple[str, list[str]]] = [("epoch", [str(e) for e in self.epoch])]
        columns.append(("train loss", [_num(v) for v in self.train_loss]))
        if any(v is not None for v in self.train_acc):
            columns.append(("train acc", [_pct(v) for v in self.train_acc]))
        if any(v is not None for v in self.test_loss):
            columns.append(("test loss", [_num(v) for v in self.test_loss]))
        if any(v is not None for v in self.test_acc):
            columns.append(("test acc", [_pct(v) for v in self.test_acc]))
        if len(set(self.lr)) > 1:  # a schedule changed it
            columns.append(("lr", [f"{v:.3g}" for v in self.lr]))
        if seconds:
            columns.append(("seconds", [f"{v:.1f}" for v in self.seconds]))
        widths = [max(len(h), *(len(c) for c in cells)) for h, cells in columns]
        lines = ["  ".join(h.rjust(w) for (h, _), w in zip(columns, widths, strict=True))]
        for i in range(len(self)):
            lines.append(
                "  ".join(c[i].rjust(w) for (_, c), w in zip(columns, widths, strict=True))
            )
        return "\n".join(lines)

    def summary(self) -> str:
        """One line about the last epoch, e.g. ``epoch 3: train loss 0.0812, test acc 97.6%``."""
        if not len(self):
            return "no epochs yet"
        parts = [f"train loss {_num(self.train_loss[-1])}"]
        if self.train_acc[-1] is not None:
            parts.append(f"train acc {_pct(self.train_acc[-1])}")
        if self.test_loss[-1] is not None:
            parts.append(f"test loss {_num(self.test_loss[-1])}")
        if self.test_acc[-1] is not None:
            parts.append(f"test acc {_pct(self.test_acc[-1])}")
        return f"epoch {self.epoch[-1]}: " + ", ".join(parts)

    def __repr__(self) -> str:
        return f"History({len(self)} epochs; {self.summary()})"

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(repr(self))}</pre>"

    def plot(self, *, metrics: tuple[str, ...] = ("loss", "accuracy")):
        """Loss (and accuracy) per epoch, train vs test; returns the matplotlib Figure."""
        return _history_figure(self, metrics=metrics)


def _num(v: float | None) -> str:
    return "-" if v is None else f"{v:.4f}"


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.2f}%"


def _history_figure(history: History, *, metrics=("loss", "accuracy"), epochs: int | None = None,
                    has_test: bool = False, has_acc: bool = False):
    """Draw ``history`` with :func:`nbhelpers.plotting.plot_history` (which leaves out series
    that were not measured, all ``None``).

    For the live figure, ``epochs`` fixes the x axis to 1..epochs, and an empty history draws
    empty panels (one NaN point per series: ``has_test``/``has_acc`` say which) so the figure
    has its final layout from the start.
    """
    from nbhelpers.plotting import plot_history

    data: History | dict[str, list] = history
    if not len(history):
        data = {"epoch": [1], "train_loss": [math.nan]}
        if has_acc:
            data["train_acc"] = [math.nan]
        if has_test:
            data["test_loss"] = [math.nan]
            data["test_acc"] = [math.nan] if has_acc else []
    fig = plot_history(data, metrics=metrics)
    for ax in fig.axes:
        if epochs is not None:
            ax.set_xlim(0.8, max(epochs, 2) + 0.2)
        if not len(history):
            ax.set_yticks([])
    return fig


# --------------------------------------------------------------------------- checks


def _check_data(data: Any, name: str) -> None:
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


def _unpack(batch: Any, name: str) -> tuple[torch.Tensor, torch.Tensor]:
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
        raise ValueError(
            f"a batch of {name} has {x.shape[0]} inputs but {y.shape[0]} targets"
        )
    return x, y


def _is_class_loss(loss_fn: LossFn | None) -> bool:
    """Cross-entropy or NLL: losses whose targets are class indices."""
    return (
        loss_fn is None
        or loss_fn in (F.cross_entropy, F.nll_loss)
        or isinstance(loss_fn, (nn.CrossEntropyLoss, nn.NLLLoss))
    )


def _check_targets(out: torch.Tensor, y: torch.Tensor, *, loss_fn: LossFn | None,
                   accuracy: bool, name: str) -> None:
    """Checks on the first batch, where a mistake would otherwise give a deep torch error."""
    class_loss = _is_class_loss(loss_fn)
    soft = y.is_floating_point() and y.shape == out.shape  # class probabilities as targets
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
            raise ValueError(
                f"accuracy=True needs model outputs of shape (N, classes) and labels of shape "
                f"(N,), got outputs {tuple(out.shape)} and labels {tuple(y.shape)}; "
                "for regression pass accuracy=False"
            )
    if (class_loss or accuracy) and out.ndim == 2 and y.ndim == 1 and not soft and len(y):
        lo, hi = int(y.min()), int(y.max())
        if lo < 0 or hi >= out.shape[1]:
            raise ValueError(
                f"labels must lie in 0..{out.shape[1] - 1} (the model has {out.shape[1]} "
                f"outputs), but {name} has labels in {lo}..{hi}"
            )


def _model_device(model: nn.Module) -> torch.device:
    first = next(itertools.chain(model.parameters(), model.buffers()), None)
    return first.device if first is not None else torch.device("cpu")


def _amp_dtype(amp: bool | torch.dtype | None, device: torch.device) -> torch.dtype | None:
    """The autocast dtype for ``amp`` on ``device``, or None for full float32."""
    if isinstance(amp, torch.dtype):
        if amp not in (torch.float16, torch.bfloat16):
            raise ValueError(f"amp must be torch.float16 or torch.bfloat16, got {amp}")
        return amp
    if amp is None:
        amp = device.type == "cuda"
    if not amp:
        return None
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device.type == "cpu":
        return torch.bfloat16
    return torch.float16


def _autocast(device: torch.device, dtype: torch.dtype | None):
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


def _in_notebook() -> bool:
    """True inside a Jupyter/Colab kernel (where display handles work), else False."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


# --------------------------------------------------------------------------- evaluation


class _Running:
    """Per-example mean loss and accuracy of one epoch, accumulated batch by batch.

    Each batch's mean loss and number of correct predictions stay on the device; every
    ``_SYNC_EVERY`` batches they are read back in one transfer, checked for NaN/inf, and added
    up in Python (sum of mean batch loss x batch size, divided by the number of examples).
    With an ``epoch`` (training) a NaN/inf loss raises :class:`NonFiniteLossError`.
    """

    def __init__(self, epoch: int | None = None, bar=None) -> None:
        self.epoch, self.bar = epoch, bar
        self.loss_sum, self.correct, self.n, self.batches = 0.0, 0, 0, 0
        self.pending: list[tuple[torch.Tensor, torch.Tensor | None, int]] = []

    def add(self, loss: torch.Tensor, correct: torch.Tensor | None, size: int) -> None:
        self.pending.append((loss.detach().float(), correct, size))
        if len(self.pending) >= _SYNC_EVERY:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        losses = torch.stack([loss for loss, _, _ in self.pending]).tolist()  # one sync
        for batch, value in enumerate(losses, start=self.batches + 1):
            if self.epoch is not None and not math.isfinite(value):
                raise NonFiniteLossError(self.epoch, batch, value)
        sizes = [size for _, _, size in self.pending]
        self.loss_sum += sum(v * b for v, b in zip(losses, sizes, strict=True))
        if self.pending[0][1] is not None:
            self.correct += int(torch.stack([c for _, c, _ in self.pending]).sum())
        self.n += sum(sizes)
        self.batches += len(self.pending)
        if self.bar is not None:
            self.bar.update(len(self.pending))
            self.bar.set_postfix(loss=f"{self.loss:.4f}", refresh=False)
        self.pending.clear()

    @property
    def loss(self) -> float:
        return self.loss_sum / self.n

    @property
    def accuracy(self) -> float:
        return self.correct / self.n




def _evaluate(model: nn.Module, data, *, loss_fn: LossFn, accuracy: bool, device: torch.device,
              amp_dtype: torch.dtype | None, channels_last: bool, name: str,
              check: bool) -> Evaluation:
    was_training = model.training
    model.eval()
    running = _Running()
    try:
        with torch.no_grad():
            for i, batch in enumerate(data):
                x, y = _unpack(batch, name)
                x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
                if channels_last and x.ndim == 4:
                    x = x.contiguous(memory_format=torch.channels_last)
                with _autocast(device, amp_dtype):
                    out = model(x)
                    if check and i == 0:
                        _check_targets(out, y, loss_fn=loss_fn, accuracy=accuracy, name=name)
                    loss = loss_fn(out, y)
                running.add(loss, (out.argmax(dim=1) == y).sum() if accuracy else None, len(y))
        running.flush()
    finally:
        model.train(was_training)
    if running.n == 0:
        raise ValueError(f"{name} yielded no examples")
    return Evaluation(running.loss, running.accuracy if accuracy else None)


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
    Runs in eval mode without gradients and restores the model's previous mode; ``device``
    defaults to where the model's parameters are.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    _check_data(data, "data")
    dev = torch.device(device) if device is not None else _model_device(model)
    model.to(dev)
    criterion = loss_fn if loss_fn is not None else F.cross_entropy
    return _evaluate(model, data, loss_fn=criterion, accuracy=accuracy,
                     device=dev, amp_dtype=None, channels_last=False, name="data", check=True)


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
    rows at a time, on ``device`` (default: where the model's parameters are).
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
        _check_data(x, "x")
        chunks = (_unpack(batch, "x")[0] for batch in x)
    dev = torch.device(device) if device is not None else _model_device(model)
    model.to(dev)
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


# --------------------------------------------------------------------------- checkpoints


def _rng_state(train) -> dict[str, Any]:
    state: dict[str, Any] = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    gen = getattr(train, "generator", None)
    if isinstance(gen, torch.Generator) and gen.device.type == "cpu":
        state["data"] = gen.get_state()
    return state


def _set_rng_state(state: dict[str, Any], train) -> None:
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    gen = getattr(train, "generator", None)
    if "data" in state and isinstance(gen, torch.Generator) and gen.device.type == "cpu":
        gen.set_state(state["data"])


def _save_checkpoint(path: Path, **state: Any) -> None:
    """``torch.save`` to a temporary file, then rename: an interrupted save leaves the last
    checkpoint intact."""
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


# --------------------------------------------------------------------------- live output


class _Live:
    """The live figure, shown through one display handle and replaced in place each epoch.

    Each frame is a PNG (independent of the matplotlib backend) plus a one-line text version
    for plain-text frontends.
    """

    def __init__(self, epochs: int, *, has_test: bool, has_acc: bool) -> None:
        from IPython.display import display

        self.epochs, self.has_test, self.has_acc = epochs, has_test, has_acc
        self.handle = display(self._frame(History()), raw=True, display_id=True)

    def _frame(self, history: History) -> dict[str, str]:
        import matplotlib.pyplot as plt

        fig = _history_figure(history, epochs=self.epochs, has_test=self.has_test,
                              has_acc=self.has_acc)
        title = history.summary() if len(history) else "training the first epoch ..."
        fig.suptitle(title, fontsize=12)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", bbox_inches="tight")
        plt.close(fig)  # shown through the handle only, not again at the end of the cell
        return {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"),
                "text/plain": title}

    def update(self, history: History) -> None:
        if self.handle is not None:
            self.handle.update(self._frame(history), raw=True)


def _progress_bar(total: int, enabled: bool):
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, leave=False, unit="batch", dynamic_ncols=True)


def _say(text: str, bar) -> None:
    if bar is not None:
        bar.write(text)
    else:
        print(text)


# --------------------------------------------------------------------------- one epoch


def _runs_channels_last(model: nn.Module, x: torch.Tensor, device: torch.device,
                        amp_dtype: torch.dtype | None) -> bool:
    """Convert ``model`` to channels_last and try it on two examples of ``x`` (eval mode, no
    grad, so nothing changes); if it fails (e.g. ``.view()`` on an activation), convert it back
    and return False."""
    model.to(memory_format=torch.channels_last)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad(), _autocast(device, amp_dtype):
            model(x[:2].contiguous(memory_format=torch.channels_last))
        return True
    except RuntimeError:
        model.to(memory_format=torch.contiguous_format)
        return False
    finally:
        model.train(was_training)


def _train_epoch(model: nn.Module, train, *, optimizer: torch.optim.Optimizer,
                 loss_fn: LossFn | None, scaler, scheduler, device: torch.device,
                 amp_dtype: torch.dtype | None, channels_last: bool | None, accuracy: bool,
                 running: _Running, check: bool) -> bool:
    """One pass over ``train``: the classic loop. ``scheduler`` (if given) steps per batch.

    With ``check`` the first batch is checked, and ``channels_last`` (None: where it works)
    is settled for 4-D inputs; returns whether batches went in channels_last.
    """
    criterion = loss_fn if loss_fn is not None else F.cross_entropy
    model.train()
    for batch in train:
        x, y = _unpack(batch, "train")
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        if check and x.ndim != 4:
            channels_last = False
        elif check and channels_last is None:
            channels_last = _runs_channels_last(model, x, device, amp_dtype)
        elif check and channels_last:
            model.to(memory_format=torch.channels_last)
        if channels_last and x.ndim == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        with _autocast(device, amp_dtype):
            out = model(x)
            if check:  # once, on the first batch
                _check_targets(out, y, loss_fn=loss_fn, accuracy=accuracy, name="train")
                check = False
            loss = criterion(out, y)
        optimizer.zero_grad(set_to_none=True)
        if scaler is not None:  # float16: scale the loss so small gradients do not underflow
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        else:
            loss.backward()
            optimizer.step()
        if scheduler is not None:
            with warnings.catch_warnings():
                # float16: the scaler skips the step of a batch whose gradients overflowed;
                # the schedule moves on anyway, as intended, so torch's order warning is noise
                warnings.filterwarnings("ignore", "Detected call of `lr_scheduler.step", UserWarning)
                scheduler.step()
        correct = (out.detach().argmax(dim=1) == y).sum() if accuracy else None
        running.add(loss, correct, len(y))
    running.flush()
    return bool(channels_last)


# --------------------------------------------------------------------------- fit


def fit(
    model: nn.Module,
    train: Iterable,
    *,
    epochs: int,
    optimizer: torch.optim.Optimizer,
    loss_fn: LossFn | None = None,
    test: Iterable | None = None,
    device: str | torch.device | None = None,
    scheduler: Any = None,
    scheduler_step: str = "batch",
    accuracy: bool = True,
    live: bool = True,
    progress: bool = True,
    checkpoint_dir: str | Path | None = None,
    resume: bool = False,
    channels_last: bool | None = None,
    amp: bool | torch.dtype | None = None,
) -> History:
    """Train ``model`` for ``epochs`` passes over ``train``; return the :class:`History`.

    Args:
        model: any ``nn.Module``; moved to ``device``.
        train: batches ``(x, y)``: a DataLoader or ``nbhelpers.data.TensorBatches``, ``x`` of
            shape ``(B, ...)``, ``y`` of shape ``(B,)`` int64 class labels (or targets of any
            shape ``loss_fn`` accepts, with ``accuracy=False``).
        epochs: total number of epochs (with ``resume``, including those already done).
        optimizer: built on this model's parameters, e.g. ``torch.optim.SGD(model.parameters(),
            lr=0.1)``.
        loss_fn: ``loss_fn(outputs, targets) -> mean loss``; default ``F.cross_entropy``
            (outputs are logits of shape ``(B, C)``).
        test: optional batches like ``train``, evaluated after every epoch.
        device: default: the model's device if that is not the CPU, else ``get_device()``.
        scheduler: an LR scheduler, stepped after every batch (``scheduler_step="batch"``, e.g.
            OneCycleLR) or every epoch (``"epoch"``, e.g. StepLR, whose ``step_size`` counts
            epochs). ReduceLROnPlateau always
            steps per epoch, on the test loss (the train loss without ``test``).
        accuracy: also measure accuracy (argmax of the outputs vs labels); False for regression.
        live: in a notebook, redraw a loss/accuracy figure in place after every epoch (one
            display handle; the last figure stays in the output). Outside a notebook, or with
            ``live=False``, one summary line per epoch is printed instead (when ``live`` or
            ``progress`` is on).
        progress: show a tqdm progress bar (it disappears when training ends).
        checkpoint_dir: save model, optimizer, scheduler, history and the torch RNG states (data
            order, dropout; not Python's or NumPy's) there after every epoch
            (``checkpoint.pt``).
        resume: continue from the checkpoint in ``checkpoint_dir`` if there is one.
        channels_last: store 4-D inputs and conv weights as NHWC (channels_last). Default
            (None): on CPU and CUDA when the model runs that way (a model that calls ``.view()``
            on activations may not; then it trains in the ordinary layout). Measured on a
            2-core CPU, channels_last trains small MNIST CNNs 5-25% faster.
        amp: mixed precision (autocast to bfloat16, or float16 with gradient scaling);
            default: on CUDA only. ``torch.bfloat16``/``torch.float16`` choose the type.

    Raises:
        NonFiniteLossError: the loss became NaN/inf (names the epoch and batch).
    """
    # ---- check the arguments before any work, so mistakes give one clear message
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            f"optimizer must be a torch.optim.Optimizer, e.g. torch.optim.SGD(model.parameters(),"
            f" lr=0.1), got {type(optimizer).__name__}"
        )
    if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 1:
        raise ValueError(f"epochs must be an int >= 1, got {epochs!r}")
    if scheduler_step not in ("batch", "epoch"):
        raise ValueError(f"scheduler_step must be 'batch' or 'epoch', got {scheduler_step!r}")
    if scheduler is not None and not callable(getattr(scheduler, "step", None)):
        raise TypeError(f"scheduler must be a torch LR scheduler, got {type(scheduler).__name__}")
    if loss_fn is not None and not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable (e.g. nn.MSELoss()), got {loss_fn!r}")
    if resume and checkpoint_dir is None:
        raise ValueError("resume=True needs checkpoint_dir (the folder of the checkpoint)")
    _check_data(train, "train")
    if test is not None:
        _check_data(test, "test")
    model_params = {id(p) for p in model.parameters()}
    opt_params = {id(p) for group in optimizer.param_groups for p in group["params"]}
    if not model_params & opt_params:
        raise ValueError(
            "the optimizer does not hold this model's parameters; create it after the model: "
            "optimizer = torch.optim.SGD(model.parameters(), lr=...)"
        )

    # ---- where and how to compute
    if device is None:
        here = _model_device(model)
        dev = here if here.type != "cpu" else get_device(verbose=False)
    else:
        dev = torch.device(device)
    amp_dtype = _amp_dtype(amp, dev)
    if channels_last is None and dev.type not in ("cpu", "cuda"):
        channels_last = False  # not measured elsewhere (e.g. Apple MPS)
    scaler = torch.amp.GradScaler(dev.type) if amp_dtype == torch.float16 else None
    plateau = isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)
    per_batch = scheduler is not None and scheduler_step == "batch" and not plateau
    criterion = loss_fn if loss_fn is not None else F.cross_entropy

    model.to(dev)

    # ---- resume from a checkpoint
    history, start = History(), 1
    ckpt_path = None
    if checkpoint_dir is not None:
        ckpt_path = Path(checkpoint_dir) / CHECKPOINT_NAME
        ckpt_path.parent.mkdir(parents=True, exist_ok=True)
        if resume and ckpt_path.is_file():
            state = torch.load(ckpt_path, map_location="cpu", weights_only=True)
            try:
                model.load_state_dict(state["model"])
                optimizer.load_state_dict(state["optimizer"])
                if scheduler is not None and state["scheduler"] is not None:
                    scheduler.load_state_dict(state["scheduler"])
            except (RuntimeError, ValueError, KeyError) as err:
                raise ValueError(
                    f"the checkpoint {ckpt_path} does not fit this model/optimizer/scheduler; "
                    f"to start afresh, delete it or pass another checkpoint_dir. Details: {err}"
                ) from err
            if scaler is not None and state.get("scaler"):
                scaler.load_state_dict(state["scaler"])
            _set_rng_state(state["rng"], train)
            history = History.from_dict(state["history"])
            start = state["epoch"] + 1

    notebook = _in_notebook()
    show_live = live and notebook
    say_lines = (progress or live) and not show_live
    was_training = model.training
    steps = len(train)
    live_fig = None  # shown first, so the progress bar sits below the figure
    if show_live and start <= epochs:
        live_fig = _Live(epochs, has_test=test is not None, has_acc=accuracy)
        if len(history):
            live_fig.update(history)
    bar = _progress_bar((epochs - start + 1) * steps, progress and start <= epochs)
    try:
        for epoch in range(start, epochs + 1):
            t0 = time.perf_counter()
            lr = float(optimizer.param_groups[0]["lr"])
            if bar is not None:
                bar.set_description(f"epoch {epoch}/{epochs}")
            running = _Running(epoch, bar)
            channels_last = _train_epoch(
                model, train, optimizer=optimizer, loss_fn=loss_fn, scaler=scaler,
                scheduler=scheduler if per_batch else None, device=dev, amp_dtype=amp_dtype,
                channels_last=channels_last, accuracy=accuracy, running=running,
                check=epoch == start,
            )
            if running.n == 0:
                raise ValueError("train yielded no batches this epoch; is it a one-shot iterator?")

            row: dict[str, Any] = {
                "epoch": epoch,
                "train_loss": running.loss,
                "train_acc": running.accuracy if accuracy else None,
                "test_loss": None,
                "test_acc": None,
                "lr": lr,
            }
            if test is not None:
                if bar is not None:
                    bar.set_description(f"epoch {epoch}/{epochs} (test)")
                result = _evaluate(model, test, loss_fn=criterion, accuracy=accuracy, device=dev,
                                   amp_dtype=amp_dtype, channels_last=channels_last, name="test",
                                   check=epoch == start)
                row["test_loss"], row["test_acc"] = result
            if scheduler is not None and not per_batch:
                if plateau:
                    scheduler.step(row["test_loss"] if test is not None else row["train_loss"])
                else:
                    scheduler.step()
            row["seconds"] = time.perf_counter() - t0
            history.append(**row)

            if ckpt_path is not None:
                _save_checkpoint(
                    ckpt_path,
                    epoch=epoch,
                    model=model.state_dict(),
                    optimizer=optimizer.state_dict(),
                    scheduler=scheduler.state_dict() if scheduler is not None else None,
                    scaler=scaler.state_dict() if scaler is not None else None,
                    history=history.to_dict(),
                    rng=_rng_state(train),
                )
            if live_fig is not None:
                live_fig.update(history)
            if say_lines:
                _say(f"{history.summary()} ({row['seconds']:.1f} s)", bar)
    finally:
        if bar is not None:
            bar.close()
        model.train(was_training)
        if channels_last is not False:  # leave ordinary contiguous weights (e.g. for .view())
            model.to(memory_format=torch.contiguous_format)
    return history
