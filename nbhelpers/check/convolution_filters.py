"""Exercises of lecture 10 (convolution filters): the output-size formula, a diagonal-edge
kernel, and the parameter count of a ``Conv2d``.

The formula exercises must be answered with a formula: an answer that calls a function which
computes the result for it (torch's layers, or the course's own helpers) is refused, see
:func:`nbhelpers.check.refuse_shortcuts`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from nbhelpers.check import Result, call, correct, exercise, not_yet, refuse_shortcuts

_SIZE_CASES = [  # (N, F, P, S): the lecture's examples first, then strides that do not fit
    (7, 3, 0, 1), (7, 3, 0, 2), (7, 3, 0, 3), (28, 5, 2, 1), (28, 5, 2, 2), (32, 3, 1, 2),
    (10, 4, 0, 3), (9, 2, 1, 4), (224, 7, 3, 2), (5, 5, 0, 1), (6, 3, 2, 5),
]


#: names whose call computes the output size for the student (torch's layers, the course helper)
_SIZE_SHORTCUTS = {"conv_output_size", "window_positions", "conv1d", "conv2d", "conv3d",
                   "Conv1d", "Conv2d", "Conv3d", "conv2d_loops"}


#: common wrong formulas (they are never shown), each with the hint that names its mistake
_SIZE_MISTAKES: dict[str, Callable[[int, int, int, int], float]] = {
    "the padding is missing; it adds P positions on each side of the input.":
        lambda n, f, p, s: (n - f) // s + 1,
    "the padding goes on both sides of the input, so it counts twice.":
        lambda n, f, p, s: (n - f + p) // s + 1,
    "you do not count the first position of the window (before any stride is taken).":
        lambda n, f, p, s: (n - f + 2 * p) // s,
    "you round to the nearest whole number; a window that does not fit is dropped, so "
    "round down (// or math.floor).": lambda n, f, p, s: round((n - f + 2 * p) / s) + 1,
    "you round up; a window that does not fit is dropped, so round down (// or "
    "math.floor).": lambda n, f, p, s: -((f - n - 2 * p) // s) + 1,
    "the stride is missing: with stride S the window jumps S positions at a time.":
        lambda n, f, p, s: n - f + 2 * p + 1,
}


def _torch_size(n: int, f: int, p: int, s: int) -> int:
    """The output length torch gives a 1-D convolution (the reference, measured not computed)."""
    return F.conv1d(torch.zeros(1, 1, n), torch.zeros(1, 1, f), padding=p, stride=s).shape[-1]


@exercise
def output_size(fn: Callable[[int, int, int, int], Any]) -> Result:
    """``fn(n, f, p, s)``: the output size of a convolution with input size n, kernel f,
    padding p and stride s (an int), checked against the shapes torch produces."""
    refused = refuse_shortcuts(fn, _SIZE_SHORTCUTS, "the output size")
    if refused is not None:
        return refused
    answers = [call(fn, *case) for case in _SIZE_CASES]
    for (n, f, p, s), got in zip(_SIZE_CASES, answers, strict=True):
        where = f"N={n}, F={f}, P={p}, S={s}"
        if isinstance(got, float) and not got.is_integer():
            return not_yet(f"for {where} you return {got:g}: a size is a whole number of "
                           "positions; a window that does not fit is dropped, so round down "
                           "(// or math.floor).")
        if got != _torch_size(n, f, p, s):
            mistake = next((hint for hint, formula in _SIZE_MISTAKES.items()
                            if all(a == formula(*case) for a, case in
                                   zip(answers, _SIZE_CASES, strict=True))), None)
            if mistake is not None:
                return not_yet(f"for {where} you return {got}, which is not the size torch "
                               f"gives: {mistake}")
            return not_yet(f"for {where} you return {got}, which is not the size torch gives. "
                           "Count the input padded on both sides, subtract the kernel, divide "
                           "by the stride (rounding down), and do not forget the first "
                           "position.")
    return correct(f"your formula matches torch in all {len(_SIZE_CASES)} cases.")


def _edge_images() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """12×12 images: flat; a diagonal edge, dark top-left and bright bottom-right; the other
    diagonal, dark bottom-left and bright top-right."""
    i, j = torch.meshgrid(torch.arange(12.0), torch.arange(12.0), indexing="ij")
    return torch.full((12, 12), 0.5), (i + j >= 12).float(), (j - i >= 0).float()


@exercise
def diagonal_edge_kernel(kernel: Any) -> Result:
    """``kernel``: a 3×3 kernel (tensor or nested list) that responds to a diagonal edge with
    dark top-left and bright bottom-right, gives 0 on the other diagonal edge (dark bottom-left,
    bright top-right) and 0 on a flat image."""
    k = torch.as_tensor(kernel, dtype=torch.float32)
    if k.shape != (3, 3):
        return not_yet(f"the kernel must be 3×3, got shape {tuple(k.shape)}.")
    if not torch.isfinite(k).all() or k.abs().sum() == 0:
        return not_yet("all weights are zero (or not finite): such a kernel sees nothing.")
    flat, wanted, other = (F.conv2d(img[None, None], k[None, None]).abs().max().item()
                           for img in _edge_images())
    scale = k.abs().sum().item()
    if flat > 0.01 * scale:
        return not_yet("on a flat (constant) image your kernel does not give 0: make its "
                       "weights add up to 0, so it only reacts to changes.")
    if wanted < 0.1 * scale:
        return not_yet("your kernel hardly reacts to the edge from dark top-left to bright "
                       "bottom-right: weigh the top-left and bottom-right corners differently.")
    if other > 0.01 * scale:
        return not_yet("your kernel also reacts to the other diagonal edge (dark bottom-left, "
                       "bright top-right): that edge runs from top-left to bottom-right, so make "
                       "the weights on each line running in that direction add up to 0.")
    return correct("it finds that diagonal edge and ignores the other diagonal and flat regions.")


_PARAM_CASES = [(1, 1, 3, True), (1, 10, 3, True), (3, 16, 5, True), (16, 32, 3, False),
                (8, 4, 1, True), (64, 128, 7, True)]


@exercise
def param_count(fn: Callable[..., int]) -> Result:
    """``fn(c_in, c_out, k, bias=True)``: the number of parameters of
    ``nn.Conv2d(c_in, c_out, k, bias=bias)``, checked against ``numel``."""
    refused = refuse_shortcuts(fn, {"Conv1d", "Conv2d", "Conv3d", "numel", "parameters"},
                               "the parameter count")
    if refused is not None:
        return refused
    for c_in, c_out, k, bias in _PARAM_CASES:
        want = sum(p.numel() for p in nn.Conv2d(c_in, c_out, k, bias=bias).parameters())
        got = call(fn, c_in, c_out, k, bias=bias)
        if got != want:
            hint = ("each of the C_out kernels has one k×k slice per input channel"
                    if bias else "without a bias there is nothing but the weight tensor")
            return not_yet(f"for Conv2d({c_in}, {c_out}, {k}, bias={bias}) you count {got!r}, "
                           f"which is not what torch stores. Hint: {hint}; the bias has one "
                           "value per output channel.")
    return correct("your count matches numel() for every layer tried.")
