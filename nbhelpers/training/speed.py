"""Where and how the batches run, as one :class:`Speedups` object that the loop asks to
``prepare`` a batch: the caller's device and, when the caller turns it on, channels_last.

- **device**: :func:`resolve_device`. ``fit`` trains where the caller put the model, as the
  PyTorch examples do (``model.to(device)``, then pass ``device``); it never moves a model.
- **channels_last** (``fit(channels_last=True)``): images and conv weights stored as NHWC,
  which makes convolutions faster on CUDA and, measured, on a laptop CPU too
  (``benchmarks/fit_overhead.py --channels-last``). A model that calls ``.view()`` on an
  activation cannot run that way: leave it off.
- fewer device syncs: see :class:`nbhelpers.training.metrics.RunningMetrics`.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import torch
from torch import nn

__all__ = ["Speedups", "model_device", "resolve_device"]


@dataclass(frozen=True)
class Speedups:
    """How one training run places its batches (float32, ordinary layout by default)."""

    device: torch.device
    channels_last: bool = False

    def prepare(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """A batch on the device; 4-D inputs ``(B, C, H, W)`` in channels_last if chosen."""
        x = x.to(self.device, non_blocking=True)
        if self.channels_last and x.ndim == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        return x, y.to(self.device, non_blocking=True)

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


def model_device(model: nn.Module) -> torch.device:
    """Where the model's parameters (or buffers) are; the CPU for a model without any."""
    first = next(itertools.chain(model.parameters(), model.buffers()), None)
    return first.device if first is not None else torch.device("cpu")


def resolve_device(model: nn.Module, device: str | torch.device | None) -> torch.device:
    """The device to run on: where ``model``'s parameters are. ``device``, if given, must be
    that device (``"cuda"`` matches ``cuda:0``); the model is never moved, so a model left on
    another device is a ValueError that says to call ``model.to(device)`` first."""
    here = model_device(model)
    if device is None:
        return here
    wanted = torch.device(device)
    has_weights = next(itertools.chain(model.parameters(), model.buffers()), None) is not None
    same = wanted.type == here.type and wanted.index in (None, here.index)
    if has_weights and not same:
        raise ValueError(f"the model is on {here} but device={str(wanted)!r}: move it first, "
                         "model = model.to(device), then pass device=device")
    return here if has_weights else wanted
