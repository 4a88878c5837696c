"""Exercises of lecture 11 (pooling and CNN layers): max pooling by hand, the receptive-field
recurrence of a stack, and a small CNN design. Answers that call the function they are asked
to write (torch's pooling, the course's helpers) are refused."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from nbhelpers.check import (
    CallLog,
    Result,
    call,
    close,
    correct,
    exercise,
    not_yet,
    number,
    refuse_shortcuts,
    tensor,
)
from nbhelpers.training.speed import model_device

#: names whose call pools for the student (torch's pooling, the course helper)
_POOL_SHORTCUTS = {"max_pool1d", "max_pool2d", "max_pool3d", "MaxPool1d", "MaxPool2d",
                   "adaptive_max_pool2d", "AdaptiveMaxPool2d", "pool2d",
                   "max_pool2d_with_indices", "MaxPool3d", "AdaptiveMaxPool1d",
                   "adaptive_max_pool1d"}


def _pool_cases() -> list[tuple[torch.Tensor, int]]:
    """Inputs for the pooling check: square and not, sizes that k divides and not, one whose
    values are all negative (a running maximum started at 0 shows there), and a float64 one
    with large values."""
    gen = torch.Generator().manual_seed(7)
    cases = [(torch.randn(h, w, generator=gen), k)
             for (h, w), k in itertools.product([(4, 4), (6, 8), (7, 7), (9, 5)], [2, 3])]
    cases.append((-1 - torch.rand(6, 6, generator=gen), 2))
    cases.append((torch.randn(8, 8, generator=gen, dtype=torch.float64) * 1e3, 4))
    return cases


def _pool_shape_hint(got: tuple[int, ...], x: torch.Tensor, k: int) -> str:
    h, w = x.shape
    where = f"for a {h}×{w} input and k={k} your output is {got}, torch's is {(h // k, w // k)}"
    if got == (-(-h // k), -(-w // k)):
        return (f"{where}: a window that would stick out of the input is dropped (round "
                "down).")
    if got == (h - k + 1, w - k + 1):
        return (f"{where}: your windows overlap (stride 1); with stride k they sit side by "
                "side, k pixels apart.")
    if h != w and got in {(h // k, h // k), (w // k, w // k), (w // k, h // k)}:
        return (f"{where}: use x.shape[0] for the rows and x.shape[1] for the columns of the "
                "output.")
    return (f"{where}: one output per whole window; a window that would stick out of the input "
            "is dropped (round down).")


@exercise
def max_pool(fn: Callable[[torch.Tensor, int], torch.Tensor]) -> Result:
    """``fn(x, k)``: max pooling of an H×W tensor with k×k windows and stride k (windows side
    by side), checked against ``F.max_pool2d`` on several inputs."""
    refused = refuse_shortcuts(fn, _POOL_SHORTCUTS, "the pooling",
                               "take each window's maximum yourself, with loops or slicing")
    if refused is not None:
        return refused
    for x, k in _pool_cases():
        h, w = x.shape
        want = F.max_pool2d(x[None, None], k)[0, 0]
        given = x.clone()
        with CallLog() as calls:
            out = call(fn, given, k)
        if calls.pools():
            return not_yet(f"your function calls {calls.pools()[0]}: that computes the pooling "
                           "for you; take each window's maximum yourself, with loops or "
                           "slicing.")
        if not torch.equal(given, x):
            return not_yet("your function changed its input x in place; leave x as it was and "
                           "write the maxima into a new tensor.")
        got = tensor(out, hint="the pooled map, one value per window")
        if got.shape != want.shape:
            return not_yet(_pool_shape_hint(tuple(got.shape), x, k))
        if not close(got, want, rtol=1e-5, atol=1e-8):
            if close(got, F.avg_pool2d(x[None, None], k)[0, 0], rtol=1e-5, atol=1e-8):
                return not_yet("that is the average of each window: take the maximum.")
            if close(got, -F.max_pool2d(-x[None, None], k)[0, 0], rtol=1e-5, atol=1e-8):
                return not_yet("that is the minimum of each window: take the maximum.")
            if close(got, want.clamp(min=0), rtol=1e-5, atol=1e-8):
                return not_yet("where all values of a window are negative you return 0: a "
                               "running maximum must start from the window's first value (or "
                               "-inf), not from 0.")
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
    with torch.enable_grad():             # also where the notebook switched autograd off
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
def receptive_field(fn: Callable[[list[tuple[int, int]]], int]) -> Result:
    """``fn(layers)``: the receptive field (input pixels along one axis) of one output unit of
    a stack given as ``[(kernel_size, stride), ...]``, first layer first; checked against the
    receptive field measured by gradient on several stacks."""
    refused = refuse_shortcuts(fn, {"receptive_field"}, "the receptive field",
                               "write the recurrence yourself")
    if refused is not None:
        return refused
    for layers in _RF_CASES:
        got = number(call(fn, [tuple(layer) for layer in layers]))
        want = _rf_by_gradient(layers)
        if got == want:
            continue
        stack = " -> ".join(f"({k}, {s})" for k, s in layers)
        if got == _without_strides(layers) != want:
            hint = ("you ignore the strides: after a stride-2 layer, one step of the next "
                    "kernel moves 2 input pixels, after two such layers 4.")
        elif got == _own_stride_too(layers):
            hint = ("a layer's own stride does not widen what it sees: multiply by the "
                    "strides of the layers *before* it only.")
        elif got == _rf_by_gradient(layers[::-1]):
            hint = ("you walk the stack from the last layer to the first: the list starts with "
                    "the layer next to the input.")
        else:
            hint = ("start from 1 pixel; each layer adds (k − 1) × (the product of the "
                    "strides of the layers before it).")
        return not_yet(f"for the stack {stack} you return {got:g}, not what the gradient "
                       f"measures. Hint: {hint}")
    return correct(f"your receptive field matches the measured one on all {len(_RF_CASES)} "
                   "stacks.")


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


def _design_hint(model: nn.Module) -> tuple[str | None, int, int]:
    """What keeps ``model`` from being the small CNN asked for (or None), and how many
    convolutions and poolings a batch goes through. The layers are
    counted as they run on a batch (a layer defined but not used in ``forward`` does not
    count; a functional ``F.max_pool2d`` in ``forward`` does)."""
    x = torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(11))
    with CallLog() as calls:
        out = _output_of(model, x)
    convs, pools = len(calls.conv_weights), len(calls.pools())
    return _design_problem(model, x, out, convs, pools), convs, pools


def _design_problem(model: nn.Module, x: torch.Tensor, out: object, convs: int,
                    pools: int) -> str | None:
    if convs < 2:
        return (f"a batch of images goes through {convs} distinct convolution layer(s) "
                "(nn.Conv2d); use at least two, each in the forward pass.")
    if pools < 1:
        return ("add a pooling layer (nn.MaxPool2d(2)) to the forward pass: it shrinks the "
                "maps, so the final nn.Linear needs far fewer weights.")
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != (3, 10):
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        return (f"for a batch of 3 images the output is {shape}, it should be (3, 10): "
                "flatten the last feature maps into one nn.Linear with 10 outputs.")
    one = _output_of(model, x[:1])
    if not isinstance(one, torch.Tensor) or tuple(one.shape) != (1, 10):
        shape = tuple(one.shape) if isinstance(one, torch.Tensor) else type(one).__name__
        return (f"for a batch of 1 image the output is {shape}, it should be (1, 10): keep the "
                "batch dimension (nn.Flatten(), or x.flatten(1); not squeeze() or a fixed "
                "batch size).")
    if not torch.isfinite(out).all():
        return "the scores contain inf or nan for ordinary images."
    if (out >= 0).all() and torch.allclose(out.double().sum(1), torch.ones(3, dtype=torch.float64),
                                           atol=1e-4):
        return ("the outputs are probabilities (a softmax at the end): class scores for "
                "nn.CrossEntropyLoss are raw, it applies the softmax itself.")
    return None


@exercise
def small_design(model: nn.Module) -> Result:
    """``model``: an ``nn.Module`` mapping a batch ``N×1×28×28`` to ``N×10`` class scores, with
    at least two ``nn.Conv2d`` layers, at least one pooling layer, and fewer than 5 000
    parameters."""
    if isinstance(model, type) and issubclass(model, nn.Module):
        return not_yet(f"that is the class {model.__name__}; pass a model built from it: "
                       f"{model.__name__}().")
    if not isinstance(model, nn.Module):
        return not_yet(f"model must be an nn.Module (e.g. nn.Sequential(...)), got "
                       f"{type(model).__name__}.")
    params = sum(p.numel() for p in model.parameters())
    hint, convs, pools = _design_hint(model)
    if hint is not None:
        return not_yet(hint)
    if params >= _MAX_PARAMS:
        return not_yet(f"{params:,} parameters: more than {_MAX_PARAMS - 1:,}. Use fewer "
                       "channels, or pool more before the nn.Linear layer (its weights are "
                       "channels × height × width × 10).")
    return correct(f"{convs} convolutions, {pools} pooling layer(s), {params:,} parameters, "
                   "output (N, 10).")
