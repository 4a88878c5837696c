"""nbhelpers.kernels against torch: property-based (hypothesis) over many random shapes, plus
named-kernel sanity checks and the error messages for impossible settings."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from nbhelpers import kernels as K

FAST = settings(max_examples=60, deadline=None, database=None)
seeds = st.integers(0, 2**31 - 1)


def randn(seed: int, *shape: int, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def int_or_pair(lo: int, hi: int) -> st.SearchStrategy:
    return st.one_of(st.integers(lo, hi), st.tuples(st.integers(lo, hi), st.integers(lo, hi)))


def as_pair(v: int | tuple[int, int]) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else v


@st.composite
def conv_settings(draw, *, max_size: int = 9, dilation: bool = True) -> dict:
    """Valid conv2d settings: kernel (kh, kw), padding/stride/dilation as int or pair, and an
    input size (h, w) into which the dilated kernel fits once padded."""
    kernel = draw(st.tuples(st.integers(1, 4), st.integers(1, 4)))
    padding, stride = draw(int_or_pair(0, 2)), draw(int_or_pair(1, 3))
    dil = draw(int_or_pair(1, 3)) if dilation else 1
    size = tuple(
        draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), max_size + d * (k - 1)))
        for k, p, d in zip(kernel, as_pair(padding), as_pair(dil), strict=True)
    )
    return {"size": size, "kernel": kernel, "padding": padding, "stride": stride, "dilation": dil}


@st.composite
def pool_settings(draw) -> dict:
    kernel = draw(int_or_pair(1, 4))
    kh, kw = as_pair(kernel)
    padding = draw(st.one_of(st.just(0), st.tuples(st.integers(0, kh // 2),
                                                   st.integers(0, kw // 2))))
    stride = draw(st.one_of(st.none(), int_or_pair(1, 3)))
    size = tuple(draw(st.integers(max(1, k - 2 * p), 10))
                 for k, p in zip((kh, kw), as_pair(padding), strict=True))
    return {"size": size, "kernel": kernel, "padding": padding, "stride": stride}


# --------------------------------------------------------------------------- named kernels


def test_named_kernels_are_3x3_float32():
    for name, kernel in K.KERNELS.items():
        assert kernel.shape == (3, 3) and kernel.dtype == torch.float32, name


@pytest.mark.parametrize("size", [3, 5, 7])
@pytest.mark.parametrize("name", ["box_blur", "gaussian_blur"])
def test_blurs_sum_to_one_and_are_symmetric(name, size):
    kernel = K.get_kernel(name, size=size)
    assert kernel.shape == (size, size) and kernel.dtype == torch.float32
    assert kernel.sum().item() == pytest.approx(1.0)
    assert torch.equal(kernel, kernel.T) and torch.equal(kernel, kernel.flip(0))
    assert (kernel > 0).all()


def test_gaussian_blur_is_binomial():
    row5 = torch.tensor([1.0, 4, 6, 4, 1])
    assert torch.allclose(K.get_kernel("gaussian_blur", size=5), torch.outer(row5, row5) / 256)
    row3 = torch.tensor([1.0, 2, 1])
    assert torch.equal(K.KERNELS["gaussian_blur"], torch.outer(row3, row3) / 16)
    assert torch.allclose(K.get_kernel("box_blur", size=5), torch.full((5, 5), 1 / 25))


@pytest.mark.parametrize(("name", "total"), [("edge", 0), ("sobel_x", 0), ("sobel_y", 0),
                                             ("identity", 1), ("sharpen", 1), ("emboss", 1)])
def test_kernel_sums(name, total):
    assert K.KERNELS[name].sum().item() == pytest.approx(total)


def test_sharpen_is_identity_minus_laplacian():
    assert torch.equal(K.KERNELS["sharpen"], K.KERNELS["identity"] - K.KERNELS["edge"])


def test_identity_leaves_an_image_unchanged_and_blur_keeps_a_constant():
    image = randn(0, 9, 11, dtype=torch.float32)
    assert torch.equal(K.conv2d(image, K.get_kernel("identity"), padding=1), image)
    flat = torch.full((8, 8), 0.7)
    for name in ("box_blur", "gaussian_blur"):
        assert torch.allclose(K.conv2d(flat, K.get_kernel(name)), torch.full((6, 6), 0.7))
        assert torch.allclose(K.conv2d(flat, K.get_kernel(name, size=5)), torch.full((4, 4), 0.7))


def test_sobel_and_edge_respond_to_ramps_as_documented():
    right = torch.arange(6.0).repeat(6, 1)  # brightness grows to the right
    down = right.T.contiguous()  # ... and downwards
    assert torch.allclose(K.conv2d(right, K.KERNELS["sobel_x"]), torch.full((4, 4), 8.0))
    assert torch.allclose(K.conv2d(right, K.KERNELS["sobel_y"]), torch.zeros(4, 4))
    assert torch.allclose(K.conv2d(down, K.KERNELS["sobel_y"]), torch.full((4, 4), 8.0))
    assert torch.allclose(K.conv2d(right + down, K.KERNELS["edge"]), torch.zeros(4, 4))


def test_get_kernel_returns_a_copy():
    kernel = K.get_kernel("gaussian_blur")
    kernel[1, 1] = 100.0
    assert K.KERNELS["gaussian_blur"][1, 1] == 0.25


def test_get_kernel_bad_input():
    with pytest.raises(ValueError, match="unknown kernel 'blurry'.*box_blur.*sobel_y.*emboss"):
        K.get_kernel("blurry")
    with pytest.raises(ValueError, match="size 3 only"):
        K.get_kernel("sobel_x", size=5)
    with pytest.raises(ValueError, match="odd positive int"):
        K.get_kernel("box_blur", size=4)


# --------------------------------------------------------------------------- conv2d vs torch


@FAST
@given(case=conv_settings(), rank=st.sampled_from([2, 3, 4]), n=st.integers(1, 3),
       c_in=st.integers(1, 3), c_out=st.integers(1, 4), use_bias=st.booleans(), seed=seeds)
def test_conv2d_matches_torch(case, rank, n, c_in, c_out, use_bias, seed):
    (h, w), (kh, kw) = case["size"], case["kernel"]
    opts = {key: case[key] for key in ("padding", "stride", "dilation")}
    if rank == 2:
        x, weight = randn(seed, h, w), randn(seed + 1, kh, kw)
        bias = randn(seed + 2, 1) if use_bias else None
        expected = F.conv2d(x[None, None], weight[None, None], bias, **opts)[0, 0]
    else:
        x = randn(seed, *((n,) if rank == 4 else ()), c_in, h, w)
        weight = randn(seed + 1, c_out, c_in, kh, kw)
        bias = randn(seed + 2, c_out) if use_bias else None
        expected = F.conv2d(x, weight, bias, **opts)
    got = K.conv2d(x, weight, bias, **opts)
    assert got.dim() == x.dim() and got.shape == expected.shape
    torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-10)


@FAST
@given(case=conv_settings(), seed=seeds)
def test_conv2d_float32_matches_torch(case, seed):
    (h, w), (kh, kw) = case["size"], case["kernel"]
    opts = {key: case[key] for key in ("padding", "stride", "dilation")}
    x, weight = randn(seed, 2, 3, h, w, dtype=torch.float32), randn(seed, 4, 3, kh, kw,
                                                                   dtype=torch.float32)
    got = K.conv2d(x, weight, **opts)
    assert got.dtype == torch.float32
    torch.testing.assert_close(got, F.conv2d(x, weight, **opts), rtol=1e-5, atol=1e-5)


def test_conv2d_gradients_match_torch():
    x = randn(1, 2, 3, 8, 7).requires_grad_()
    weight, bias = randn(2, 4, 3, 3, 2).requires_grad_(), randn(3, 4).requires_grad_()
    opts = {"padding": (1, 0), "stride": 2, "dilation": (1, 2)}
    ours = torch.autograd.grad(K.conv2d(x, weight, bias, **opts).square().sum(), (x, weight, bias))
    torch_ = torch.autograd.grad(F.conv2d(x, weight, bias, **opts).square().sum(),
                                 (x, weight, bias))
    for a, b in zip(ours, torch_, strict=True):
        torch.testing.assert_close(a, b)


@FAST
@given(case=conv_settings(max_size=7, dilation=False), seed=seeds)
def test_conv2d_loops_matches_conv2d(case, seed):
    (h, w), (kh, kw) = case["size"], case["kernel"]
    image, kernel = randn(seed, h, w), randn(seed + 1, kh, kw)
    opts = {"padding": case["padding"], "stride": case["stride"]}
    torch.testing.assert_close(K.conv2d_loops(image, kernel, **opts),
                               K.conv2d(image, kernel, **opts), rtol=1e-10, atol=1e-10)


# --------------------------------------------------------------------------- pooling vs torch


@FAST
@given(case=pool_settings(), mode=st.sampled_from(["max", "avg"]),
       rank=st.sampled_from([2, 3, 4]), seed=seeds)
def test_pool2d_matches_torch(case, mode, rank, seed):
    opts = {"stride": case["stride"], "padding": case["padding"]}
    x = randn(seed, *[(), (3,), (2, 3)][rank - 2], *case["size"])
    torch_pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    expected = torch_pool(x[None] if rank == 2 else x, case["kernel"], **opts)
    got = K.pool2d(x, case["kernel"], mode=mode, **opts)
    assert got.dim() == x.dim()
    torch.testing.assert_close(got, expected[0] if rank == 2 else expected,
                               rtol=1e-12, atol=1e-12)


def test_max_pool_padding_never_wins():
    x = -torch.rand(1, 1, 5, 5) - 1  # all values below -1: a zero from the padding would win
    got = K.pool2d(x, 3, stride=2, padding=1)
    assert (got < -1).all()
    assert torch.equal(got, F.max_pool2d(x, 3, stride=2, padding=1))
    # avg counts the padding as zeros (count_include_pad=True): a corner sees 4 of 9 values
    ones = torch.ones(1, 1, 4, 4)
    assert K.pool2d(ones, 3, stride=1, padding=1, mode="avg")[0, 0, 0, 0] == pytest.approx(4 / 9)


@FAST
@given(i=st.integers(1, 8), k=st.integers(1, 5), s=st.integers(1, 4), p=st.integers(0, 3),
       mode=st.sampled_from(["max", "avg"]))
def test_pool2d_refuses_exactly_what_torch_refuses(i, k, s, p, mode):
    x = torch.zeros(1, 1, i, i)
    torch_pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    try:
        expected = torch_pool(x, k, stride=s, padding=p).shape
    except RuntimeError:
        with pytest.raises(ValueError, match="half the kernel|larger than the padded input"):
            K.pool2d(x, k, stride=s, padding=p, mode=mode)
    else:
        assert K.pool2d(x, k, stride=s, padding=p, mode=mode).shape == expected


# --------------------------------------------------------------------------- output sizes


@FAST
@given(i=st.integers(1, 12), k=st.integers(1, 6), p=st.integers(-1, 4), s=st.integers(0, 4),
       d=st.integers(0, 3))
def test_conv_output_size_matches_nn_conv2d(i, k, p, s, d):
    try:
        conv = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)
        expected = conv(torch.zeros(1, 1, i, i)).shape[-1]
    except (RuntimeError, ValueError):
        with pytest.raises(ValueError, match="larger than the padded input|positive|negative"):
            K.conv_output_size(i, k, padding=p, stride=s, dilation=d)
    else:
        assert K.conv_output_size(i, k, padding=p, stride=s, dilation=d) == expected


def test_same_and_full_padding_relations():
    for i in range(1, 12):
        for k in (1, 3, 5, 7):
            if k <= i + 2 * (k // 2):
                assert K.conv_output_size(i, k, padding=k // 2) == i  # half padding
        for k in range(1, 6):
            assert K.conv_output_size(i, k, padding=k - 1) == i + k - 1  # full padding


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: K.conv2d(torch.ones(5, 5, dtype=torch.long), torch.ones(3, 3)), TypeError,
         "floating-point.*int64.*float"),
        (lambda: K.conv2d(torch.ones(5, 5), torch.ones(3, 3, dtype=torch.float64)), TypeError,
         "float32 but weight is torch.float64"),
        (lambda: K.conv2d([[1.0]], torch.ones(1, 1)), TypeError, "torch.Tensor"),
        (lambda: K.conv2d(torch.ones(1, 1, 1, 5, 5), torch.ones(1, 1, 3, 3)), ValueError,
         r"H×W, C×H×W or N×C×H×W; got shape \(1, 1, 1, 5, 5\)"),
        (lambda: K.conv2d(torch.ones(2, 3, 5, 5), torch.ones(4, 2, 3, 3)), ValueError,
         r"C_in=2 input channels but x has 3: x \(2, 3, 5, 5\), weight \(4, 2, 3, 3\)"),
        (lambda: K.conv2d(torch.ones(5, 5), torch.ones(1, 1, 3, 3)), ValueError,
         "H×W image needs a kh×kw kernel"),
        (lambda: K.conv2d(torch.ones(3, 5, 5), torch.ones(3, 3)), ValueError,
         "needs a C_out×C_in×kh×kw weight"),
        (lambda: K.conv2d(torch.ones(5, 5), torch.ones(6, 6)), ValueError,
         r"kernel size 6 is larger than the padded input 5 \+ 2·0 = 5"),
        (lambda: K.conv2d(torch.ones(5, 5), torch.ones(3, 3), dilation=3), ValueError,
         r"dilated by 3: 7\) is larger than the padded input"),
        (lambda: K.conv2d(torch.ones(5, 5), torch.ones(3, 3), stride=0), ValueError,
         "stride must be positive, got 0"),
        (lambda: K.conv2d(torch.ones(5, 5), torch.ones(3, 3), padding=(1, -1)), ValueError,
         "padding must not be negative, got -1"),
        (lambda: K.conv2d(torch.ones(5, 5), torch.ones(3, 3), dilation=0), ValueError,
         "dilation must be positive"),
        (lambda: K.conv2d(torch.ones(5, 5), torch.ones(3, 3), padding=(1, 1, 1)), TypeError,
         r"padding must be an int or an \(h, w\) pair"),
        (lambda: K.conv2d(torch.ones(5, 5), torch.ones(3, 3), stride=1.5), TypeError,
         "stride must be an int"),
        (lambda: K.conv2d(torch.ones(2, 5, 5), torch.ones(3, 2, 3, 3), torch.ones(2)),
         ValueError, r"bias must have shape \(3,\)"),
        (lambda: K.conv2d_loops(torch.ones(1, 5, 5), torch.ones(3, 3)), ValueError,
         "H×W image and a kh×kw kernel"),
        (lambda: K.conv2d_loops(torch.ones(5, 5, dtype=torch.int32), torch.ones(3, 3)),
         TypeError, "floating-point"),
        (lambda: K.pool2d(torch.ones(1, 5, 5), 3, padding=2), ValueError,
         r"padding 2 is more than half the kernel size 3.*<= kernel_size // 2 = 1"),
        (lambda: K.pool2d(torch.ones(1, 5, 5), 6), ValueError,
         "larger than the padded input"),
        (lambda: K.pool2d(torch.ones(1, 5, 5), 2, mode="min"), ValueError,
         "mode must be 'max' or 'avg'"),
        (lambda: K.pool2d(torch.ones(1, 5, 5, dtype=torch.uint8), 2), TypeError,
         "floating-point"),
        (lambda: K.pool2d(torch.ones(5), 2), ValueError, "H×W, C×H×W or N×C×H×W"),
        (lambda: K.pool2d(torch.ones(5, 5), 0), ValueError, "kernel_size must be positive"),
        (lambda: K.pool2d(torch.ones(5, 5), 2, stride=0), ValueError, "stride must be positive"),
        (lambda: K.conv_output_size(0, 3), ValueError, "size must be positive"),
        (lambda: K.conv_output_size(5, 3, padding=-1), ValueError, "padding must not be neg"),
    ],
)
def test_bad_input_gives_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()




def test_window_positions_are_the_taps_torch_reads():
    assert K.window_positions(7, 3, stride=3) == [[0, 1, 2], [3, 4, 5]]
    assert K.window_positions(5, 3, padding=1, dilation=2) == [[0, 2, 4], [1, 3, 5], [2, 4, 6]]
    for n, f, p, s, d in [(7, 3, 0, 2, 1), (9, 2, 1, 3, 2), (6, 1, 0, 1, 1)]:
        rows = K.window_positions(n, f, padding=p, stride=s, dilation=d)
        out = F.conv1d(torch.zeros(1, 1, n), torch.zeros(1, 1, f), padding=p, stride=s,
                       dilation=d)
        assert len(rows) == out.shape[-1] and all(len(r) == f for r in rows)
        assert max(r[-1] for r in rows) < n + 2 * p  # every tap inside the padded input
