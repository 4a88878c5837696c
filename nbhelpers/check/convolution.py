"""Exercises of lectures 06 (convolution filters) and 07 (pooling and CNN layers).

06: ``conv_output_size_formula``, ``conv_horizontal_edge_kernel``, ``conv_param_count``.
07: ``pool_max_by_hand``, ``cnn_receptive_field``, ``cnn_small_design``.
"""

from __future__ import annotations

import itertools

import torch
import torch.nn.functional as F
from torch import nn

from nbhelpers.check import Result, exercise, failed, guard, passed

# ----------------------------------------------------------------------------- lecture 06


def _torch_size(n: int, f: int, p: int, s: int) -> int:
    return F.conv1d(torch.zeros(1, 1, n), torch.zeros(1, 1, f), padding=p, stride=s).shape[-1]


_SIZE_CASES = [  # (N, F, P, S): the lecture's examples first, then strides that do not fit
    (7, 3, 0, 1), (7, 3, 0, 2), (7, 3, 0, 3), (28, 5, 2, 1), (28, 5, 2, 2), (32, 3, 1, 2),
    (10, 4, 0, 3), (9, 2, 1, 4), (224, 7, 3, 2), (5, 5, 0, 1), (6, 3, 2, 5),
]


@exercise("conv_output_size_formula")
def output_size_formula(fn) -> Result:
    """``fn(n, f, p, s)``: the output size of a convolution with input size n, kernel f,
    padding p and stride s (an int), checked against the shapes torch produces."""
    name = "conv_output_size_formula"

    def run() -> Result:
        if not callable(fn):
            return failed(name, "pass your function itself, e.g. check...(out_size), "
                                "not its result.")
        for n, f, p, s in _SIZE_CASES:
            got = fn(n, f, p, s)
            want = _torch_size(n, f, p, s)
            where = f"N={n}, F={f}, P={p}, S={s}"
            if got is None or got is Ellipsis:
                return failed(name, f"your function returns {got!r} for {where}: "
                                    "return the size as an int.")
            if isinstance(got, float) and not got.is_integer():
                return failed(name, f"for {where} you return {got:g}: a size is a whole number "
                                    "of positions; a window that does not fit is dropped, so "
                                    "round down (// or math.floor).")
            if got != want:
                return failed(name, f"for {where} you return {got}, which is not the size torch "
                                    "gives. Count the input padded on both sides, subtract the "
                                    "kernel, divide by the stride (rounding down), and do not "
                                    "forget the first position.")
        return passed(name, f"your formula matches torch in all {len(_SIZE_CASES)} cases.")

    return guard(name, run)


def _edge_images() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A flat image, a horizontal edge (dark top, bright bottom), a vertical edge (dark left)."""
    flat = torch.full((12, 12), 0.5)
    horizontal = torch.zeros(12, 12)
    horizontal[6:] = 1.0
    return flat, horizontal, horizontal.T.contiguous()


@exercise("conv_horizontal_edge_kernel")
def horizontal_edge_kernel(kernel) -> Result:
    """``kernel``: a 3×3 kernel (tensor or nested list) that responds to a *horizontal* edge
    (brightness changing from top to bottom), not to a vertical edge, and gives 0 on a flat
    image."""
    name = "conv_horizontal_edge_kernel"

    def run() -> Result:
        if kernel is None or kernel is Ellipsis:
            return failed(name, "set kernel to a 3×3 tensor (or a list of 3 rows of 3 numbers).")
        k = torch.as_tensor(kernel, dtype=torch.float32)
        if k.shape != (3, 3):
            return failed(name, f"the kernel must be 3×3, got shape {tuple(k.shape)}.")
        if not torch.isfinite(k).all() or k.abs().sum() == 0:
            return failed(name, "all weights are zero (or not finite): such a kernel sees nothing.")
        flat, horizontal, vertical = (F.conv2d(img[None, None], k[None, None])[0, 0]
                                      for img in _edge_images())
        strength = horizontal.abs().max().item()
        scale = k.abs().sum().item()
        if flat.abs().max().item() > 0.01 * scale:
            return failed(name, "on a flat (constant) image your kernel does not give 0: make "
                                "its weights add up to 0, so it only reacts to changes.")
        if strength < 0.1 * scale and vertical.abs().max().item() >= 0.1 * scale:
            return failed(name, "your kernel reacts to vertical edges (dark left, bright right) "
                                "instead: a horizontal edge changes from top to bottom.")
        if strength < 0.1 * scale:
            return failed(name, "your kernel hardly reacts to a horizontal edge (dark above, "
                                "bright below): weigh the rows above and below the centre "
                                "differently.")
        if vertical.abs().max().item() > 0.1 * strength:
            return failed(name, "your kernel also reacts to vertical edges (dark left, bright "
                                "right): make every column of the kernel add up to 0.")
        return passed(name, "it finds horizontal edges and ignores vertical ones and flat "
                            "regions.")

    return guard(name, run)


_PARAM_CASES = [(1, 1, 3, True), (1, 10, 3, True), (3, 16, 5, True), (16, 32, 3, False),
                (8, 4, 1, True), (64, 128, 7, True)]


@exercise("conv_param_count")
def param_count(fn) -> Result:
    """``fn(c_in, c_out, k, bias=True)``: the number of parameters of
    ``nn.Conv2d(c_in, c_out, k, bias=bias)``, checked against ``numel``."""
    name = "conv_param_count"

    def run() -> Result:
        if not callable(fn):
            return failed(name, "pass your function itself, not its result.")
        for c_in, c_out, k, bias in _PARAM_CASES:
            layer = nn.Conv2d(c_in, c_out, k, bias=bias)
            want = sum(p.numel() for p in layer.parameters())
            got = fn(c_in, c_out, k, bias=bias)
            if got != want:
                what = f"Conv2d({c_in}, {c_out}, {k}, bias={bias})"
                hint = ("each of the C_out kernels has one k×k slice per input channel"
                        if bias else "without a bias there is nothing but the weight tensor")
                return failed(name, f"for {what} you count {got!r}, which is not what torch "
                                    f"stores. Hint: {hint}; the bias has one value per output "
                                    "channel.")
        return passed(name, "your count matches numel() for every layer tried.")

    return guard(name, run)


# ----------------------------------------------------------------------------- lecture 07


@exercise("pool_max_by_hand")
def max_pool_by_hand(fn) -> Result:
    """``fn(x, k)``: max pooling of an H×W tensor with k×k windows and stride k (windows side
    by side), checked against ``F.max_pool2d`` on several inputs."""
    name = "pool_max_by_hand"

    def run() -> Result:
        if not callable(fn):
            return failed(name, "pass your function itself, not its result.")
        gen = torch.Generator().manual_seed(7)
        for (h, w), k in itertools.product([(4, 4), (6, 8), (7, 7)], [2, 3]):
            x = torch.randn(h, w, generator=gen)
            want = F.max_pool2d(x[None, None], k)[0, 0]
            got = fn(x.clone(), k)
            if not isinstance(got, torch.Tensor):
                return failed(name, f"return a tensor, got {type(got).__name__}.")
            if got.shape != want.shape:
                return failed(name, f"for a {h}×{w} input and k={k} your output is "
                                    f"{tuple(got.shape)}, torch's is not: a window that would "
                                    "stick out of the input is dropped (round down).")
            if not torch.allclose(got.float(), want):
                if torch.allclose(got.float(), F.avg_pool2d(x[None, None], k)[0, 0]):
                    return failed(name, "that is the average of each window: take the maximum.")
                return failed(name, f"for a {h}×{w} input and k={k} some values differ from "
                                    "torch: output (i, j) is the maximum of "
                                    "x[i·k:(i+1)·k, j·k:(j+1)·k].")
        return passed(name, "your max pooling matches F.max_pool2d.")

    return guard(name, run)


#: conv 3×3 -> max-pool 2×2 (stride 2) -> conv 3×3 -> max-pool 2×2 -> conv 3×3
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
    net = nn.Sequential(*mods)
    x = torch.zeros(1, 1, 64, 64, requires_grad=True)
    out = net(x)
    out[0, 0, out.shape[2] // 2, out.shape[3] // 2].backward()
    cols = (x.grad[0, 0].abs().sum(0) > 0).nonzero()
    return int(cols.max() - cols.min() + 1)


@exercise("cnn_receptive_field")
def receptive_field_of_stack(answer) -> Result:
    """``answer``: the receptive field (pixels along one axis) of one output unit of
    conv 3×3 -> max-pool 2×2 stride 2 -> conv 3×3 -> max-pool 2×2 stride 2 -> conv 3×3
    (convolutions with stride 1)."""
    name = "cnn_receptive_field"

    def run() -> Result:
        if answer is None or answer is Ellipsis:
            return failed(name, "set answer to a whole number of pixels.")
        if not isinstance(answer, (int, float)) or isinstance(answer, bool):
            return failed(name, f"answer must be a number, got {type(answer).__name__}.")
        want = _rf_by_gradient(_RF_LAYERS)
        if answer == want:
            return passed(name, "that is how many input pixels (per axis) one output unit sees.")
        no_jump = 1 + sum(k - 1 for k, _ in _RF_LAYERS)
        if answer == no_jump:
            return failed(name, "that ignores the pooling: after a stride-2 layer, one step of "
                                "the next kernel moves 2 input pixels, after two such layers 4.")
        return failed(name, "not yet. Start from 1 pixel; each layer adds (k − 1) × (the "
                            "product of the strides of the layers before it).")

    return guard(name, run)


_POOLS = (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)
MAX_PARAMS = 5_000


@exercise("cnn_small_design")
def small_design(model) -> Result:
    """``model``: an ``nn.Module`` mapping a batch ``N×1×28×28`` to ``N×10`` class scores, with
    at least two ``nn.Conv2d`` layers, at least one pooling layer, and fewer than 5 000
    parameters."""
    name = "cnn_small_design"

    def run() -> Result:
        if not isinstance(model, nn.Module):
            return failed(name, f"model must be an nn.Module (e.g. nn.Sequential(...)), got "
                                f"{type(model).__name__}.")
        convs = sum(isinstance(m, nn.Conv2d) for m in model.modules())
        pools = sum(isinstance(m, _POOLS) for m in model.modules())
        params = sum(p.numel() for p in model.parameters())
        if convs < 2:
            return failed(name, f"the model has {convs} nn.Conv2d layer(s); use at least two.")
        if pools < 1:
            return failed(name, "add a pooling layer (nn.MaxPool2d(2)): it shrinks the maps, so "
                                "the final nn.Linear needs far fewer weights.")
        was_training = model.training
        model.eval()
        try:
            with torch.no_grad():
                out = model(torch.zeros(3, 1, 28, 28))
        finally:
            model.train(was_training)
        if not isinstance(out, torch.Tensor) or tuple(out.shape) != (3, 10):
            shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
            return failed(name, f"for a batch of 3 images the output is {shape}, it should be "
                                "(3, 10): flatten the last feature maps into one nn.Linear "
                                "with 10 outputs.")
        if params >= MAX_PARAMS:
            return failed(name, f"{params:,} parameters: more than {MAX_PARAMS - 1:,}. Use fewer "
                                "channels, or pool more before the nn.Linear layer (its weights "
                                "are channels × height × width × 10).")
        return passed(name, f"{convs} convolutions, {pools} pooling layer(s), {params:,} "
                            f"parameters, output (N, 10).")

    return guard(name, run)

