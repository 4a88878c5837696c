"""The training loop: :func:`train_epoch` (one pass, the tutorial's loop) and :func:`fit`
(epochs of it, with validation, history, display and checkpoints)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from nbhelpers.training.checkpoint import CHECKPOINT_NAME, load_checkpoint, save_checkpoint
from nbhelpers.training.checks import LossFn, check_first_batch, check_fit_args
from nbhelpers.training.history import History
from nbhelpers.training.live import LiveDisplay
from nbhelpers.training.metrics import RunningMetrics, measure
from nbhelpers.training.speed import Speedups, model_device, resolve_device

__all__ = ["fit", "train_epoch"]


def train_epoch(model: nn.Module, batches: Iterable, *, optimizer: torch.optim.Optimizer,
                loss_fn: LossFn = F.cross_entropy, scheduler: torch.optim.lr_scheduler.LRScheduler
                | None = None, speed: Speedups | None = None,
                metrics: RunningMetrics | None = None) -> RunningMetrics:
    """One pass over ``batches`` of ``(x, y)``: the loop every PyTorch tutorial writes.

    ``scheduler`` (e.g. OneCycleLR) steps after every batch. ``speed`` places each batch: the
    device and the memory layout (default: the model's device, the ordinary layout);
    ``metrics`` adds up the loss (and accuracy) and is returned (default: loss and accuracy).
    """
    speed = speed if speed is not None else Speedups(model_device(model))
    metrics = metrics if metrics is not None else RunningMetrics(accuracy=True)
    model.train()                                 # training mode (dropout, batch norm)
    optimizer.zero_grad(set_to_none=True)         # start from clean gradients
    for x, y in batches:
        x, y = speed.prepare(x, y)                # to the device (and channels_last)
        out = model(x)                            # forward: (B, classes) scores
        loss = loss_fn(out, y)                    # the mean loss of this batch
        loss.backward()                           # backward: a gradient for every weight
        optimizer.step()                          # one step of the optimizer
        optimizer.zero_grad(set_to_none=True)     # gradients add up: reset them
        if scheduler is not None:
            scheduler.step()                      # the learning rate of the next batch
        metrics.add(loss, out, y)                 # kept on the device, read back in groups
    metrics.flush()
    if metrics.n == 0:
        raise ValueError("the batches yielded nothing this epoch; is it a one-shot iterator?")
    return metrics


def fit(
    model: nn.Module,
    train: Iterable,
    *,
    epochs: int,
    optimizer: torch.optim.Optimizer,
    loss_fn: LossFn | None = None,
    val: Iterable | None = None,
    device: str | torch.device | None = None,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    accuracy: bool = True,
    live: bool = False,
    progress: bool = True,
    checkpoint_dir: str | Path | None = None,
    resume: bool = False,
    channels_last: bool = False,
) -> History:
    """Train ``model`` for ``epochs`` passes over ``train``; return the :class:`History`.

    It trains where the caller put the model, in the model's own precision (no mixed
    precision), as the PyTorch examples do: to train on a GPU, ``model.to(device)`` first and
    pass ``device=device``. Each batch is moved to that device.

    Before the first epoch it checks its arguments, then runs the model and the loss once on
    two examples of the first batch of ``train`` (and of ``val``), in eval mode without
    gradients, so nothing changes (the random state and the batch order are put back): a
    layer that does not fit the inputs, a model that returns a tuple, a loss that is not one
    number, targets that do not suit the loss, or logits given to an NLL loss each stop it
    with one message that names the fix, before any training. No other pass runs that the
    caller did not ask for.

    Args:
        model: any ``nn.Module``, on the device to train on (it is never moved).
        train: batches ``(x, y)``: a DataLoader or ``nbhelpers.data.TensorBatches``, ``x`` of
            shape ``(B, ...)``, ``y`` of shape ``(B,)`` int64 class labels (or targets of any
            shape ``loss_fn`` accepts, with ``accuracy=False``).
        epochs: total number of epochs (with ``resume``, including those already done).
        optimizer: built on this model's parameters, e.g. ``torch.optim.SGD(model.parameters(),
            lr=0.1)``.
        loss_fn: ``loss_fn(outputs, targets) -> mean loss`` (a function or a loss instance,
            ``nn.MSELoss()``); default ``F.cross_entropy`` (outputs are logits ``(B, C)``).
        val: optional held-out batches like ``train`` (a validation set), evaluated after
            every epoch: ``History.val_loss`` / ``val_acc``.
        device: where the model's parameters are (default); given, it must be that device.
        scheduler: an LR scheduler on ``optimizer``, stepped after every batch (e.g.
            OneCycleLR, which must be long enough for the training; counts such as StepLR's
            ``step_size`` are in batches).
        accuracy: also measure accuracy (argmax of the outputs vs labels); False for regression.
        live: in a notebook, redraw a loss/accuracy figure in place after every epoch.
            Without it (or outside a notebook) one line per epoch is printed while
            ``progress`` is on.
        progress: show a tqdm progress bar (it disappears when training ends).
        checkpoint_dir: save a checkpoint there after every epoch (``checkpoint.pt``, see
            :func:`save_checkpoint`).
        resume: continue from the checkpoint in ``checkpoint_dir`` if there is one.
        channels_last: NHWC memory for 4-D inputs and conv weights while training (faster
            convolutions on CUDA and, measured, on a laptop CPU); the weights come back
            contiguous afterwards. Off by default.

    Raises:
        ValueError, TypeError: a mistake found by the checks above, before training.
        NonFiniteLossError: the loss became NaN/inf (names the epoch and batch).
    """
    check_fit_args(model, train, val=val, epochs=epochs, optimizer=optimizer, loss_fn=loss_fn,
                   scheduler=scheduler, checkpoint_dir=checkpoint_dir, resume=resume)
    loss_fn = loss_fn if loss_fn is not None else F.cross_entropy
    dev = resolve_device(model, device)
    check_first_batch(model, train, name="train", loss_fn=loss_fn, accuracy=accuracy, device=dev)
    if val is not None:
        check_first_batch(model, val, name="val", loss_fn=loss_fn, accuracy=accuracy, device=dev)
    speed = Speedups(dev, channels_last=channels_last)

    history, start = History(), 1
    path = Path(checkpoint_dir) / CHECKPOINT_NAME if checkpoint_dir is not None else None
    if resume and path is not None and path.is_file():
        done = load_checkpoint(path, model=model, optimizer=optimizer, scheduler=scheduler,
                               data=train)
        history, start = done.history or History(), done.epoch + 1

    display = LiveDisplay(history, epochs=epochs, start=start, steps=len(train), live=live,
                          progress=progress, has_val=val is not None, has_acc=accuracy)
    with speed.applied_to(model), display:
        for epoch in range(start, epochs + 1):
            t0, lr = time.perf_counter(), float(optimizer.param_groups[0]["lr"])
            display.start_epoch(epoch)
            trained = train_epoch(model, train, optimizer=optimizer, loss_fn=loss_fn,
                                  scheduler=scheduler, speed=speed,
                                  metrics=RunningMetrics(accuracy=accuracy, epoch=epoch,
                                                         on_flush=display.advance))
            val_loss, val_acc = (measure(model, val, loss_fn=loss_fn, accuracy=accuracy,
                                         speed=speed) if val is not None else (None, None))
            history.append(epoch=epoch, train_loss=trained.loss, train_acc=trained.accuracy,
                           val_loss=val_loss, val_acc=val_acc,
                           seconds=time.perf_counter() - t0, lr=lr)
            display.show(history)
            if path is not None:
                save_checkpoint(path, model=model, optimizer=optimizer, epoch=epoch,
                                scheduler=scheduler, history=history, data=train)
    return history
