"""Exercises of lecture 11 (pooling and CNN layers): max pooling by hand, the receptive field
of a stack, and a small CNN design."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from nbhelpers.check import Result, call, close, correct, exercise, not_yet, tensor


@exercise
def pool_max_by_hand(fn: Callable[[torch.Tensor, int], torch.Tensor]) -> Result:
    """``fn(x, k)``: max pooling of an H×W tensor with k×k windows and stride k (windows side
    by side), checked against ``F.max_pool2d`` on several inputs."""
    gen = torch.Generator().manual_seed(7)
    for (h, w), k in itertools.product([(4, 4), (6, 8), (7, 7)], [2, 3]):
        x = torch.randn(h, w, generator=gen)
        want = F.max_pool2d(x[None, None], k)[0, 0]
        got = tensor(call(fn, x.clone(), k))
        if got.shape != want.shape:
            return not_yet(f"for a {h}×{w} input and k={k} your output is {tuple(got.shape)}, "
                           "torch's is not: a window that would stick out of the input is "
                           "dropped (round down).")
        if not close(got, want, rtol=1e-5, atol=1e-8):
            if close(got, F.avg_pool2d(x[None, None], k)[0, 0], rtol=1e-5, atol=1e-8):
                return not_yet("that is the average of each window: take the maximum.")
            return not_yet(f"for a {h}×{w} input and k={k} some values differ from torch: "
                           "output (i, j) is the maximum of x[i·k:(i+1)·k, j·k:(j+1)·k].")
    return correct("your max pooling matches F.max_pool2d.")


#: conv 3×3 -> max-pool 2×2 (stride 2) -> conv 3×3 -> max-pool 2×2 -> conv 3×3, as (k, s)
_RF_LAYERS = [(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)]


def _rf_by_gradient(layers: list[tuple[int, int]]) -> int:
    """Receptive field measured: which input pixels change the centre output of the stack."""
    mods: list[nn.Module] = []
    for k, s in layers:
        if s == 1:
            conv = nn.Conv2d(1, 1, k, bias=False)
            nn.init.constant_(conv.weight, 1.0)
            mods.append(conv)
        else:
            mods.append(nn.AvgPool2d(k, s))  # avg: every pixel of the window gets gradient
    x = torch.zeros(1, 1, 64, 64, requires_grad=True)
    out = nn.Sequential(*mods)(x)
    out[0, 0, out.shape[2] // 2, out.shape[3] // 2].backward()
    cols = (x.grad[0, 0].abs().sum(0) > 0).nonzero()
    return int(cols.max() - cols.min() + 1)


@exercise
def cnn_receptive_field(answer: float) -> Result:
    """``answer``: the receptive field (pixels along one axis) of one output unit of
    conv 3×3 -> max-pool 2×2 stride 2 -> conv 3×3 -> max-pool 2×2 stride 2 -> conv 3×3
    (convolutions with stride 1)."""
    if not isinstance(answer, int | float) or isinstance(answer, bool):
        return not_yet(f"answer must be a whole number of pixels, got {type(answer).__name__}.")
    if answer == _rf_by_gradient(_RF_LAYERS):
        return correct("that is how many input pixels (per axis) one output unit sees.")
    if answer == 1 + sum(k - 1 for k, _ in _RF_LAYERS):
        return not_yet("that ignores the pooling: after a stride-2 layer, one step of the next "
                       "kernel moves 2 input pixels, after two such layers 4.")
    return not_yet("not yet. Start from 1 pixel; each layer adds (k − 1) × (the product of the "
                   "strides of the layers before it).")


_POOLS = (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)
_MAX_PARAMS = 5_000


def _output_of(model: nn.Module, x: torch.Tensor) -> object:
    """``model(x)`` in eval mode without a graph; the model's mode is restored afterwards."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return model(x)
    finally:
        model.train(was_training)


@exercise
def cnn_small_design(model: nn.Module) -> Result:
    """``model``: an ``nn.Module`` mapping a batch ``N×1×28×28`` to ``N×10`` class scores, with
    at least two ``nn.Conv2d`` layers, at least one pooling layer, and fewer than 5 000
    parameters."""
    if not isinstance(model, nn.Module):
        return not_yet(f"model must be an nn.Module (e.g. nn.Sequential(...)), got "
                       f"{type(model).__name__}.")
    convs = sum(isinstance(m, nn.Conv2d) for m in model.modules())
    pools = sum(isinstance(m, _POOLS) for m in model.modules())
    params = sum(p.numel() for p in model.parameters())
    if convs < 2:
        return not_yet(f"the model has {convs} nn.Conv2d layer(s); use at least two.")
    if pools < 1:
        return not_yet("add a pooling layer (nn.MaxPool2d(2)): it shrinks the maps, so the "
                       "final nn.Linear needs far fewer weights.")
    out = _output_of(model, torch.zeros(3, 1, 28, 28))
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != (3, 10):
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        return not_yet(f"for a batch of 3 images the output is {shape}, it should be (3, 10): "
                       "flatten the last feature maps into one nn.Linear with 10 outputs.")
    if params >= _MAX_PARAMS:
        return not_yet(f"{params:,} parameters: more than {_MAX_PARAMS - 1:,}. Use fewer "
                       "channels, or pool more before the nn.Linear layer (its weights are "
                       "channels × height × width × 10).")
    return correct(f"{convs} convolutions, {pools} pooling layer(s), {params:,} parameters, "
                   "output (N, 10).")
