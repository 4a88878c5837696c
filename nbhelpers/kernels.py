"""Convolution and pooling written to be read, and the arithmetic of their output sizes.

Everything here computes exactly what PyTorch computes (the tests compare with
``torch.nn.functional``), but in a few lines of plain tensor code that you can follow:

- :data:`KERNELS` and :func:`get_kernel`: classic image kernels (blur, sharpen, edges, ...).
- :func:`conv2d`: the cross-correlation that ``F.conv2d`` (and ``nn.Conv2d``) computes, as a
  sum over the kernel's taps; :func:`conv2d_loops` is the same thing with plain loops.
- :func:`pool2d`: max and average pooling like ``F.max_pool2d`` / ``F.avg_pool2d``.
- :func:`conv_output_size`: the output-size formula of Dumoulin & Visin, "A guide to
  convolution arithmetic for deep learning" (2016), with the paper's special cases.
- :func:`window_positions`: which input indices each window position reads (for the demos).

The shapes a whole model produces, layer by layer, are in :mod:`nbhelpers.layers`.

Shapes are written ``N×C×H×W``: batch, channels, height, width.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable

import torch
from torch import Tensor

__all__ = [
    "KERNELS", "conv2d", "conv2d_loops", "conv_output_size", "get_kernel", "pool2d",
    "window_positions",
]

Pair = int | tuple[int, int]

# --------------------------------------------------------------------------- named kernels


def _k(rows: list[list[float]], scale: float = 1.0) -> Tensor:
    return torch.tensor(rows, dtype=torch.float32) * scale


#: Classic 3×3 image kernels (float32). Use :func:`get_kernel` to get a copy you may change.
KERNELS: dict[str, Tensor] = {
    "identity": _k([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
    "box_blur": _k([[1, 1, 1], [1, 1, 1], [1, 1, 1]], 1 / 9),
    "gaussian_blur": _k([[1, 2, 1], [2, 4, 2], [1, 2, 1]], 1 / 16),  # outer product of (1, 2, 1)
    "sharpen": _k([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),  # identity minus the Laplacian
    "edge": _k([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),  # the (4-neighbour) Laplacian
    "sobel_x": _k([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),  # > 0 where brightness grows to the right
    "sobel_y": _k([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),  # > 0 where brightness grows downwards
    "emboss": _k([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),
}

_BLURS = ("box_blur", "gaussian_blur")


def get_kernel(name: str, *, size: int = 3) -> Tensor:
    """A copy of the named kernel, ``size×size`` float32.

    ``name`` is one of :data:`KERNELS`. The blurs also come in any odd ``size`` (e.g. 5, for
    the kernel editor's 5×5 grid): the box blur is ``1/size²`` everywhere, the Gaussian blur is
    the outer product of the binomial coefficients ``C(size-1, j)`` (``1 4 6 4 1`` for size 5),
    normalised to sum to 1. The other kernels exist in size 3 only.
    """
    if name not in KERNELS:
        raise ValueError(f"unknown kernel {name!r}; choose one of: {', '.join(KERNELS)}")
    if not isinstance(size, int) or size < 1 or size % 2 == 0:
        raise ValueError(f"size must be an odd positive int (3, 5, 7, ...), got {size!r}")
    if size == 3:
        return KERNELS[name].clone()
    if name not in _BLURS:
        raise ValueError(f"{name!r} exists in size 3 only; only {' and '.join(_BLURS)} take size")
    if name == "box_blur":
        return torch.full((size, size), 1 / size**2)
    row = torch.tensor([math.comb(size - 1, j) for j in range(size)], dtype=torch.float32)
    return torch.outer(row, row) / row.sum() ** 2


# --------------------------------------------------------------------------- argument checks


def _int(value: object, name: str) -> int:
    try:
        return operator.index(value)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(f"{name} must be an int, got {value!r}") from None


def _pair(value: Pair, name: str) -> tuple[int, int]:
    """``3 -> (3, 3)``; ``(2, 1)`` stays. Anything else is a TypeError."""
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return _int(value[0], name), _int(value[1], name)
    if isinstance(value, (tuple, list)):
        raise TypeError(f"{name} must be an int or an (h, w) pair, got {value!r}")
    v = _int(value, name)
    return v, v


def _at_least(value: int, low: int, name: str) -> None:
    if value < low:
        rule = "must be positive" if low == 1 else "must not be negative"
        raise ValueError(f"{name} {rule}, got {value}")


def _float(t: object, name: str) -> None:
    if not isinstance(t, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
    if not t.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got {t.dtype}; use {name}.float()")


# --------------------------------------------------------------------------- output sizes


def conv_output_size(
    size: int, kernel_size: int, *, padding: int = 0, stride: int = 1, dilation: int = 1
) -> int:
    """Output length of a convolution (or pooling) along one axis: ``o = ⌊(i + 2p - k̂)/s⌋ + 1``.

    With ``i = size``, ``k = kernel_size``, ``p = padding``, ``s = stride``, ``d = dilation`` and
    the dilated ("effective") kernel size ``k̂ = k + (k-1)(d-1) = d(k-1) + 1``. This is torch's
    ``floor((i + 2p - d(k-1) - 1)/s) + 1``. Dumoulin & Visin's relationships are special cases:

    - no padding, unit stride (rel. 1):  ``o = i - k + 1``
    - padding p, unit stride (rel. 2):   ``o = i - k + 2p + 1``
    - half ("same") padding, odd k, ``p = ⌊k/2⌋`` (rel. 3): ``o = i``
    - full padding ``p = k - 1`` (rel. 4): ``o = i + k - 1``
    - strides (rel. 5, 6; pooling rel. 7): ``o = ⌊(i + 2p - k)/s⌋ + 1``
    - dilation (rel. 15): ``k`` replaced by ``k̂``.

    Raises ValueError when the dilated kernel does not fit into the padded input
    (``k̂ > i + 2p``), or for a non-positive size/kernel/stride/dilation or negative padding.
    """
    i, k = _int(size, "size"), _int(kernel_size, "kernel_size")
    p, s, d = _int(padding, "padding"), _int(stride, "stride"), _int(dilation, "dilation")
    for value, name in ((i, "size"), (k, "kernel_size"), (s, "stride"), (d, "dilation")):
        _at_least(value, 1, name)
    _at_least(p, 0, "padding")
    k_hat = d * (k - 1) + 1
    if k_hat > i + 2 * p:
        dilated = f" (dilated by {d}: {k_hat})" if d > 1 else ""
        raise ValueError(
            f"kernel size {k}{dilated} is larger than the padded input "
            f"{i} + 2·{p} = {i + 2 * p}; use a smaller kernel or dilation, or more padding"
        )
    return (i + 2 * p - k_hat) // s + 1


# --------------------------------------------------------------------------- convolution


def conv2d(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    *,
    padding: Pair = 0,
    stride: Pair = 1,
    dilation: Pair = 1,
) -> Tensor:
    """Cross-correlation exactly as ``F.conv2d`` computes it (groups=1, zero padding).

    Shapes (the output has the input's rank):

    - ``x`` H×W with ``weight`` kh×kw (one image, one kernel) -> H_out×W_out
    - ``x`` C_in×H×W with ``weight`` C_out×C_in×kh×kw -> C_out×H_out×W_out
    - ``x`` N×C_in×H×W with ``weight`` C_out×C_in×kh×kw -> N×C_out×H_out×W_out

    ``bias``: shape (C_out,), added to every pixel of output channel o (shape (1,) for a kh×kw
    kernel). ``padding``, ``stride``, ``dilation``: an int or an (h, w) pair. H_out and W_out
    come from :func:`conv_output_size`.

    The definition, for every output pixel (r, c)::

        out[n, o, r, c] = bias[o] + Σ_c_in Σ_i Σ_j  x_padded[n, c_in, r·s + i·d, c·s + j·d]
                                                    · weight[o, c_in, i, j]

    The code below swaps the order of the sums: for each kernel tap (i, j) it takes, at once,
    the input pixel that this tap sees for *every* output position (a strided slice of the
    padded input), multiplies by the tap's weights and adds it up.
    """
    x4, w4, unbatch = _batched(x, weight)
    n, c_in, h, w = x4.shape
    c_out, _, kh, kw = w4.shape
    (ph, pw), (sh, sw) = _pair(padding, "padding"), _pair(stride, "stride")
    dh, dw = _pair(dilation, "dilation")
    try:
        h_out = conv_output_size(h, kh, padding=ph, stride=sh, dilation=dh)
        w_out = conv_output_size(w, kw, padding=pw, stride=sw, dilation=dw)
    except ValueError as err:
        raise ValueError(f"conv2d of x {tuple(x.shape)} with weight "
                         f"{tuple(weight.shape)}: {err}") from None

    padded = x4.new_zeros(n, c_in, h + 2 * ph, w + 2 * pw)  # a frame of zeros ...
    padded[:, :, ph : ph + h, pw : pw + w] = x4  # ... around the input

    out = x4.new_zeros(n, c_out, h_out, w_out)
    for i in range(kh):
        for j in range(kw):
            top, left = i * dh, j * dw  # where tap (i, j) sits for output pixel (0, 0)
            seen = padded[:, :, top : top + sh * (h_out - 1) + 1 : sh,
                          left : left + sw * (w_out - 1) + 1 : sw]  # N×C_in×H_out×W_out
            # out[n, o] += Σ_c weight[o, c, i, j] · seen[n, c]  (c: the input channels)
            out = out + torch.einsum("nchw,oc->nohw", seen, w4[:, :, i, j])
    if bias is not None:
        out = out + _bias(bias, c_out, x4.dtype).view(1, c_out, 1, 1)
    return unbatch(out)


def _batched(x: Tensor, weight: Tensor) -> tuple[Tensor, Tensor, Callable[[Tensor], Tensor]]:
    """Check the inputs of conv2d and bring them to N×C×H×W and C_out×C_in×kh×kw."""
    _float(x, "x")
    _float(weight, "weight")
    if x.dtype != weight.dtype:
        raise TypeError(f"x is {x.dtype} but weight is {weight.dtype}; convert one with .to()")
    shapes = f"x {tuple(x.shape)}, weight {tuple(weight.shape)}"
    if x.dim() == 2:
        if weight.dim() != 2:
            raise ValueError(f"an H×W image needs a kh×kw kernel; got {shapes}")
        return x[None, None], weight[None, None], lambda out: out[0, 0]
    if x.dim() not in (3, 4):
        raise ValueError(f"x must be H×W, C×H×W or N×C×H×W; got shape {tuple(x.shape)}")
    if weight.dim() != 4:
        raise ValueError(f"a {x.dim()}-D input needs a C_out×C_in×kh×kw weight; got {shapes}")
    if weight.shape[1] != x.shape[-3]:
        raise ValueError(f"weight expects C_in={weight.shape[1]} input channels but x has "
                         f"{x.shape[-3]}: {shapes}")
    if x.dim() == 3:
        return x[None], weight, lambda out: out[0]
    return x, weight, lambda out: out


def _bias(bias: Tensor, c_out: int, dtype: torch.dtype) -> Tensor:
    _float(bias, "bias")
    if bias.dim() > 1 or bias.numel() != c_out:
        raise ValueError(f"bias must have shape ({c_out},), one value per output channel; "
                         f"got {tuple(bias.shape)}")
    return bias.to(dtype).reshape(c_out)


def conv2d_loops(image: Tensor, kernel: Tensor, *, padding: Pair = 0, stride: Pair = 1) -> Tensor:
    """:func:`conv2d` of one H×W image with one kh×kw kernel, written as plain loops.

    Slow, but it is the definition: ``out[r, c] = Σ_i Σ_j padded[r·s + i, c·s + j] · kernel[i, j]``.
    Returns H_out×W_out (see :func:`conv_output_size`).
    """
    _float(image, "image")
    _float(kernel, "kernel")
    if image.dim() != 2 or kernel.dim() != 2:
        raise ValueError(f"conv2d_loops takes an H×W image and a kh×kw kernel; got image "
                         f"{tuple(image.shape)}, kernel {tuple(kernel.shape)} (use conv2d)")
    (h, w), (kh, kw) = image.shape, kernel.shape
    (ph, pw), (sh, sw) = _pair(padding, "padding"), _pair(stride, "stride")
    h_out = conv_output_size(h, kh, padding=ph, stride=sh)
    w_out = conv_output_size(w, kw, padding=pw, stride=sw)

    padded = image.new_zeros(h + 2 * ph, w + 2 * pw)
    padded[ph : ph + h, pw : pw + w] = image
    out = image.new_zeros(h_out, w_out)
    for r in range(h_out):
        for c in range(w_out):
            total = 0.0
            for i in range(kh):
                for j in range(kw):
                    total = total + padded[r * sh + i, c * sw + j] * kernel[i, j]
            out[r, c] = total
    return out


# --------------------------------------------------------------------------- pooling


def pool2d(
    x: Tensor,
    kernel_size: Pair,
    *,
    stride: Pair | None = None,
    padding: Pair = 0,
    mode: str = "max",
) -> Tensor:
    """Max or average pooling over the last two axes, like ``F.max_pool2d`` / ``F.avg_pool2d``.

    ``x``: ...×H×W (H×W, C×H×W or N×C×H×W) -> ...×H_out×W_out, sizes from
    :func:`conv_output_size`. ``stride`` defaults to ``kernel_size`` (windows side by side).
    ``mode="max"`` takes each window's maximum (padding never wins: it counts as -inf);
    ``mode="avg"`` takes its mean, padding counted as zeros (torch's default
    ``count_include_pad=True``). Like torch, ``padding`` may be at most half the kernel size.
    """
    _float(x, "x")
    if x.dim() < 2:
        raise ValueError(f"x must be H×W, C×H×W or N×C×H×W; got shape {tuple(x.shape)}")
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = _pair(kernel_size if stride is None else stride, "stride")
    ph, pw = _pair(padding, "padding")
    for k, p in ((kh, ph), (kw, pw)):
        _at_least(k, 1, "kernel_size")
        if p > k // 2:
            raise ValueError(f"padding {p} is more than half the kernel size {k}: "
                             f"pooling allows padding <= kernel_size // 2 = {k // 2}")
    h, w = x.shape[-2:]
    try:
        h_out = conv_output_size(h, kh, padding=ph, stride=sh)
        w_out = conv_output_size(w, kw, padding=pw, stride=sw)
    except ValueError as err:
        raise ValueError(f"pool2d of x {tuple(x.shape)}: {err}") from None

    fill = -math.inf if mode == "max" else 0.0
    padded = x.new_full((*x.shape[:-2], h + 2 * ph, w + 2 * pw), fill)
    padded[..., ph : ph + h, pw : pw + w] = x
    out = x.new_full((*x.shape[:-2], h_out, w_out), fill)
    for i in range(kh):
        for j in range(kw):  # element (i, j) of every window, for all windows at once
            seen = padded[..., i : i + sh * (h_out - 1) + 1 : sh, j : j + sw * (w_out - 1) + 1 : sw]
            out = torch.maximum(out, seen) if mode == "max" else out + seen
    return out if mode == "max" else out / (kh * kw)


# --------------------------------------------------------------------------- window positions


def window_positions(n: int, f: int, *, padding: int = 0, stride: int = 1,
                     dilation: int = 1) -> list[list[int]]:
    """Along one axis of length ``n`` (padded by ``padding`` on each side), for each output
    position, the padded input indices a kernel of size ``f`` reads: ``o·stride + t·dilation``
    for ``t = 0 … f−1``. As many positions as :func:`conv_output_size` gives."""
    n_out = conv_output_size(n, f, padding=padding, stride=stride, dilation=dilation)
    return [[o * stride + t * dilation for t in range(f)] for o in range(n_out)]
