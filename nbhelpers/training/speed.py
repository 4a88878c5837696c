"""How the batches run, decided once before the first epoch: device, memory layout and
mixed precision, as one :class:`Speedups` object that the loop asks to ``prepare`` a batch
and to open its ``autocast()`` context.

- **channels_last**: images and conv weights stored as NHWC, which makes convolutions faster
  on CUDA and, measured, on a laptop CPU too (``benchmarks/fit_overhead.py --channels-last``).
  Tried once on two examples of a sample batch: a model that cannot (e.g. one that calls
  ``.view()`` on an activation) trains in the ordinary layout.
- **mixed precision**: on a CUDA GPU with native bfloat16 (Ampere and newer), the forward pass
  and the loss run under ``torch.autocast(dtype=torch.bfloat16)``; bfloat16 has float32's
  range, so no gradient scaling is needed. Elsewhere everything stays float32.
- fewer device syncs: see :class:`nbhelpers.training.metrics.RunningMetrics`.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import torch
from torch import nn

from nbhelpers.device import get_device

__all__ = ["Speedups", "choose_device", "choose_speedups", "model_device"]


@dataclass(frozen=True)
class Speedups:
    """The speed features of one training run (plain float32, ordinary layout by default)."""

    device: torch.device
    channels_last: bool = False
    autocast_dtype: torch.dtype | None = None

    def prepare(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """A batch on the device; 4-D inputs ``(B, C, H, W)`` in channels_last if chosen."""
        x = x.to(self.device, non_blocking=True)
        if self.channels_last and x.ndim == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        return x, y.to(self.device, non_blocking=True)

    def autocast(self) -> contextlib.AbstractContextManager:
        """The mixed-precision context for forward pass and loss (a no-op in float32)."""
        if self.autocast_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.autocast_dtype)

    @contextlib.contextmanager
    def applied_to(self, model: nn.Module) -> Iterator[None]:
        """Inside: ``model``'s weights in channels_last (if chosen). After: ordinary
        contiguous weights again, e.g. for code that calls ``.view()`` on them."""
        if not self.channels_last:
            yield
            return
        model.to(memory_format=torch.channels_last)
        try:
            yield
        finally:
            model.to(memory_format=torch.contiguous_format)


def choose_device(model: nn.Module, device: str | torch.device | None) -> torch.device:
    """``device``; by default the model's device if that is not the CPU, else
    :func:`~nbhelpers.device.get_device` (CUDA, Apple MPS or CPU)."""
    if device is not None:
        return torch.device(device)
    here = model_device(model)
    return here if here.type != "cpu" else get_device(verbose=False)


def model_device(model: nn.Module) -> torch.device:
    """Where the model's parameters (or buffers) are; the CPU for a model without any."""
    first = next(itertools.chain(model.parameters(), model.buffers()), None)
    return first.device if first is not None else torch.device("cpu")


def autocast_dtype(device: torch.device) -> torch.dtype | None:
    """bfloat16 on a CUDA GPU that supports it natively, else None (float32)."""
    if device.type == "cuda" and torch.cuda.is_bf16_supported(including_emulation=False):
        return torch.bfloat16
    return None


def runs_channels_last(model: nn.Module, x: torch.Tensor) -> bool:
    """Try ``model`` in channels_last on two examples of ``x`` (eval mode, no gradients, so
    nothing changes); the weights are left in their ordinary layout either way."""
    was_training = model.training
    model.eval().to(memory_format=torch.channels_last)
    try:
        with torch.no_grad():
            model(x[:2].contiguous(memory_format=torch.channels_last))
        return True
    except RuntimeError:
        return False
    finally:
        model.train(was_training).to(memory_format=torch.contiguous_format)


def choose_speedups(model: nn.Module, x: torch.Tensor, *, device: torch.device,
                    channels_last: bool | None) -> Speedups:
    """The :class:`Speedups` for ``model`` on ``device``, given a sample of inputs ``x``.

    ``channels_last``: True/False forces it; None (automatic) uses it for 4-D inputs on CPU and
    CUDA (not measured elsewhere, e.g. Apple MPS) when the model runs that way.
    """
    if channels_last is None:
        channels_last = (x.ndim == 4 and device.type in ("cpu", "cuda")
                         and runs_channels_last(model, x))
    return Speedups(device, channels_last=channels_last, autocast_dtype=autocast_dtype(device))
