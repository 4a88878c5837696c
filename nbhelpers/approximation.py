"""Universal approximation in 1-D (lecture 03): what a trained network outputs, and how far
that is from the target.

A network here maps inputs ``x`` of shape (N, 1) to outputs of shape (N, 1); the lecture
trains one per width and the demos in :mod:`nbhelpers.widgets.approximation` draw them.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["net_mse", "net_output"]


@torch.no_grad()
def net_output(net: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """``net(x)`` without gradients, back on the CPU: (N, 1) -> (N, 1). The net runs on the
    device of its parameters."""
    device = next(net.parameters()).device
    return net(x.to(device)).cpu()


def net_mse(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Mean squared error of ``net``'s output on ``x`` against ``y``, both (N, 1)."""
    return float(((net_output(net, x) - y) ** 2).mean())
