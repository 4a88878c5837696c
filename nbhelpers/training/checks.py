"""Checks before training starts, so that a mistake gives one clear message, not a deep
torch error: the arguments of :func:`~nbhelpers.training.fit` and the first batch."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sized
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from nbhelpers.layers import leaf_hooks
from nbhelpers.training.checkpoint import CHECKPOINT_NAME

__all__ = ["LossFn", "check_batches", "check_first_batch", "check_fit_args", "check_loss_fn",
           "unpack"]

#: ``loss_fn(outputs, targets) -> mean loss`` (a scalar tensor).
LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


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
    if getattr(scheduler, "optimizer", optimizer) is not optimizer:
        kind = type(scheduler).__name__
        raise ValueError(f"the {kind} was built on another optimizer than the one passed to fit, "
                         "so the learning rate would never change: build it on this one, "
                         f"{kind}(optimizer, ...)")
    if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
        raise TypeError(
            "fit steps its scheduler after every batch, and ReduceLROnPlateau needs a "
            "measured loss: use a per-batch schedule (e.g. OneCycleLR), or call fit one epoch "
            "at a time and step it yourself with evaluate(...).loss"
        )
    check_loss_fn(loss_fn)
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
    if isinstance(scheduler, torch.optim.lr_scheduler.OneCycleLR):
        _check_cycle_length(scheduler, epochs=epochs, batches=len(train), resume=resume)
    model_params = {id(p) for p in model.parameters()}
    opt_params = {id(p) for group in optimizer.param_groups for p in group["params"]}
    if not model_params & opt_params:
        raise ValueError(
            "the optimizer does not hold this model's parameters; create it after the model: "
            "optimizer = torch.optim.SGD(model.parameters(), lr=...)"
        )


def check_loss_fn(loss_fn: Any) -> None:
    """``loss_fn`` must be a loss function or a loss module instance, or None (the default)."""
    if isinstance(loss_fn, type):
        where = "nn." if loss_fn.__module__.startswith("torch.nn") else ""
        raise TypeError(f"loss_fn is the class {loss_fn.__name__}, not a loss: pass an "
                        f"instance, {where}{loss_fn.__name__}()")
    if loss_fn is not None and not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable (e.g. nn.MSELoss()), got {loss_fn!r}")


def _check_cycle_length(scheduler: torch.optim.lr_scheduler.OneCycleLR, *, epochs: int,
                        batches: int, resume: bool) -> None:
    """A OneCycleLR raises once stepped past its end: refuse one too short for the training
    (with ``resume`` the checkpoint restores its position, so the whole run must fit)."""
    done = 0 if resume else scheduler.last_epoch
    left, needed = scheduler.total_steps - done, epochs * batches
    if needed > left:
        raise ValueError(
            f"the OneCycleLR has {left} steps{' left' if done else ''}, but fit will take "
            f"{epochs} epochs x {batches} batches = {needed}: it would stop with an error and "
            "lose the training. Build it for this training: OneCycleLR(optimizer, max_lr=..., "
            f"epochs={epochs}, steps_per_epoch=len(train))"
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
                      accuracy: bool, device: torch.device) -> None:
    """Run ``model`` and ``loss_fn`` on two examples of the first batch of ``data`` (eval mode,
    no gradients, so nothing changes), and check what a training step needs: the layers fit
    the inputs, the model returns one tensor, the targets suit the loss and ``accuracy``, the
    loss is one number (and log-probabilities go into an NLL loss)."""
    x, y = unpack(_peek(data), name)
    x, y = x[:2].to(device), y.to(device)  # all labels of the batch are checked
    was_training = model.training
    try:
        with torch.no_grad():
            model.eval()
            out = _forward(model, x, name=name)
            if not isinstance(out, torch.Tensor):
                raise TypeError(
                    f"the model returns a {type(out).__name__}, not a tensor: fit passes its "
                    "output to loss_fn, so forward must return one tensor of outputs (B, "
                    "classes); return only the logits (or wrap the model in a module that "
                    "picks them)")
            _check_targets(out, y, loss_fn=loss_fn, accuracy=accuracy, name=name)
            _check_loss(loss_fn(out, y[:2]), name=name)
            if _is_nll(loss_fn):
                _check_log_probabilities(out, name=name)
    finally:
        model.train(was_training)


def _shape(shape: torch.Size) -> str:
    """A batch shape with the batch written as B: ``(B, 1, 28, 28)``."""
    return "(" + ", ".join(["B", *map(str, shape[1:])]) + ")"


def _forward(model: nn.Module, x: torch.Tensor, *, name: str) -> Any:
    """``model(x)``; a layer that does not fit its input becomes one message naming the layer,
    the shapes and the fix (any other error gets a note naming the layer it came from)."""
    finished: list[str] = []
    try:
        with leaf_hooks(model, after=lambda layer, *_: finished.append(layer)) as started:
            return model(x)
    except RuntimeError as err:
        if len(started) == len(finished):  # not inside a layer
            raise
        layer, module, shape = started[-1]
        where = f"layer '{layer}' ({module})"
        fix = _layer_fix(module, shape)
        if fix is None:
            err.add_note(f"in {where}, whose input has shape {_shape(shape)} (fit's check of "
                         f"the first batch of {name}, inputs {_shape(x.shape)})")
            raise
        raise ValueError(f"{where} {fix} (the first batch of {name} has inputs "
                         f"{_shape(x.shape)}; nbhelpers.layers.print_shapes shows every "
                         "layer's output shape)") from None


def _layer_fix(module: nn.Module, shape: torch.Size) -> str | None:
    """What is wrong with a Linear or convolution layer that gets inputs of ``shape``, and
    what to write instead; None for other layers, or when the shapes fit."""
    if isinstance(module, nn.Linear) and len(shape) and shape[-1] != module.in_features:
        flat = math.prod(shape[1:])
        got = f"expects inputs (B, {module.in_features}) but gets {_shape(shape)}"
        if len(shape) > 2 and flat == module.in_features:
            return f"{got}: add nn.Flatten() before it, which makes that (B, {flat})"
        if len(shape) > 2:
            return (f"{got}: add nn.Flatten() before it and make it nn.Linear({flat}, "
                    f"{module.out_features})")
        return f"{got}: make it nn.Linear({shape[-1]}, {module.out_features})"
    if isinstance(module, nn.modules.conv._ConvNd):
        dims = len(module.kernel_size)
        kind = type(module).__name__
        if len(shape) != dims + 2:
            return (f"expects {dims + 2}-D inputs (B, channels, {', '.join('HWD'[:dims])}) but "
                    f"gets {_shape(shape)}: reshape the inputs, e.g. x.view(-1, 1, 28, 28) "
                    "for MNIST images")
        if shape[1] != module.in_channels:
            return (f"expects {module.in_channels} input channels but gets {_shape(shape)}, "
                    f"with {shape[1]}: make it nn.{kind}({shape[1]}, {module.out_channels},"
                    f" kernel_size={module.kernel_size[0]}, ...)")
    return None


def _check_loss(loss: Any, *, name: str) -> None:
    """The loss of a batch must be one number, the tensor that ``backward()`` starts from."""
    if not isinstance(loss, torch.Tensor):
        raise TypeError(f"loss_fn must return a tensor (the batch's mean loss), got "
                        f"{type(loss).__name__}")
    if loss.numel() != 1:
        raise ValueError(
            f"loss_fn must return the batch's mean loss, one number, but on two examples of "
            f"{name} it returns a tensor of shape {tuple(loss.shape)}: use reduction='mean' "
            "(the default, e.g. nn.CrossEntropyLoss()), or end your loss with .mean()")


def _is_nll(loss_fn: LossFn) -> bool:
    return loss_fn is F.nll_loss or isinstance(loss_fn, nn.NLLLoss)


def _check_log_probabilities(out: torch.Tensor, *, name: str) -> None:
    """NLL takes log-probabilities: outputs whose exponentials sum to 1 over the classes."""
    if out.ndim < 2 or not out.is_floating_point():
        return
    total = out.float().logsumexp(dim=1)
    if not torch.allclose(total, torch.zeros_like(total), atol=1e-3):
        raise ValueError(
            f"nll_loss expects log-probabilities, but the model's outputs on {name} are not "
            f"(their exponentials sum to {float(total.flatten()[0].exp()):.3g} over the classes, "
            "not 1), so the loss would be wrong, even negative: end the model with "
            "nn.LogSoftmax(dim=1), or keep the logits and use F.cross_entropy (fit's default), "
            "which applies log-softmax itself")


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
