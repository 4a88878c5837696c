"""Exercises of lecture 11 (pooling and CNN layers): max pooling by hand, the receptive-field
recurrence of a stack, and a small CNN design. Answers that call the function they are asked
to write (torch's pooling, the course's helpers) are refused."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from nbhelpers.check import Result, call, close, correct, exercise, not_yet, tensor
from nbhelpers.check.convolution_filters import refuse_shortcuts
from nbhelpers.training.speed import model_device

#: names whose call pools for the student (torch's pooling, the course helper)
_POOL_SHORTCUTS = {"max_pool1d", "max_pool2d", "max_pool3d", "MaxPool1d", "MaxPool2d",
                   "adaptive_max_pool2d", "AdaptiveMaxPool2d", "pool2d"}


@exercise
def pool_max_by_hand(fn: Callable[[torch.Tensor, int], torch.Tensor]) -> Result:
    """``fn(x, k)``: max pooling of an H×W tensor with k×k windows and stride k (windows side
    by side), checked against ``F.max_pool2d`` on several inputs."""
    refused = refuse_shortcuts(fn, _POOL_SHORTCUTS, "the pooling",
                               "take each window's maximum yourself, with loops or slicing")
    if refused is not None:
        return refused
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


#: Stacks of (kernel, stride) to try, first layer first; the lecture's exercise stack is
#: conv 3×3 -> max-pool 2×2 (stride 2) -> conv 3×3 -> max-pool 2×2 -> conv 3×3.
_RF_CASES = [
    [(3, 1)], [(3, 1), (3, 1)], [(2, 2), (2, 2)], [(3, 1), (2, 2), (3, 1), (2, 2)],
    [(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)], [(5, 1), (2, 2), (5, 1), (2, 2)],
    [(7, 2), (3, 2), (3, 1)], [(3, 3), (3, 3), (1, 1)], [(1, 1)],
]


def _rf_by_gradient(layers: list[tuple[int, int]]) -> int:
    """Receptive field measured: the input pixels on which one output unit depends (non-zero
    gradient), for a 1-D stack of convolutions with all weights 1 (nothing cancels)."""
    mods: list[nn.Module] = []
    for k, s in layers:
        conv = nn.Conv1d(1, 1, k, stride=s, bias=False)
        nn.init.ones_(conv.weight)
        mods.append(conv)
    x = torch.ones(1, 1, 256, dtype=torch.float64, requires_grad=True)
    out = nn.Sequential(*mods).double()(x)
    out[0, 0, out.shape[-1] // 2].backward()
    used = (x.grad[0, 0] != 0).nonzero()
    return int(used.max() - used.min() + 1)


def _without_strides(layers: list[tuple[int, int]]) -> int:
    return 1 + sum(k - 1 for k, _ in layers)


def _own_stride_too(layers: list[tuple[int, int]]) -> int:
    r, jump = 1, 1
    for k, s in layers:
        jump *= s
        r += (k - 1) * jump
    return r


@exercise
def cnn_receptive_field(fn: Callable[[list[tuple[int, int]]], int]) -> Result:
    """``fn(layers)``: the receptive field (input pixels along one axis) of one output unit of
    a stack given as ``[(kernel_size, stride), ...]``, first layer first; checked against the
    receptive field measured by gradient on several stacks."""
    refused = refuse_shortcuts(fn, {"receptive_field"}, "the receptive field",
                               "write the recurrence yourself")
    if refused is not None:
        return refused
    for layers in _RF_CASES:
        got = call(fn, [tuple(layer) for layer in layers])
        if got == _rf_by_gradient(layers):
            continue
        stack = " -> ".join(f"({k}, {s})" for k, s in layers)
        if got == _without_strides(layers) != _rf_by_gradient(layers):
            hint = ("you ignore the strides: after a stride-2 layer, one step of the next "
                    "kernel moves 2 input pixels, after two such layers 4.")
        elif got == _own_stride_too(layers):
            hint = ("a layer's own stride does not widen what it sees: multiply by the "
                    "strides of the layers *before* it only.")
        else:
            hint = ("start from 1 pixel; each layer adds (k − 1) × (the product of the "
                    "strides of the layers before it).")
        return not_yet(f"for the stack {stack} you return {got!r}, not what the gradient "
                       f"measures. Hint: {hint}")
    return correct(f"your receptive field matches the measured one on all {len(_RF_CASES)} "
                   "stacks.")


_POOLS = (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)
_MAX_PARAMS = 5_000


def _output_of(model: nn.Module, x: torch.Tensor) -> object:
    """``model(x)`` in eval mode without a graph, ``x`` on the model's device (a student's
    model may be on the GPU); the model's mode is restored afterwards."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return model(x.to(model_device(model)))
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
