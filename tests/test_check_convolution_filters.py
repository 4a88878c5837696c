"""Lecture 10's checkers accept the reference answers and reject plausible wrong ones with a
hint (never the solution), and refuse answers that call a function computing the result."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from nbhelpers import check, kernels
from nbhelpers.check.convolution_filters import names_used


def test_output_size_formula():
    assert check.conv_output_size_formula(lambda n, f, p, s: (n - f + 2 * p) // s + 1)
    assert check.conv_output_size_formula(
        lambda n, f, p, s: math.floor((n - f + 2 * p) / s) + 1)
    no_floor = check.conv_output_size_formula(lambda n, f, p, s: (n - f + 2 * p) / s + 1)
    assert not no_floor and "round down" in no_floor.message
    assert not check.conv_output_size_formula(lambda n, f, p, s: (n - f) // s + 1)  # no padding
    assert not check.conv_output_size_formula(lambda n, f, p, s: (n - f + p) // s + 1)  # 1 side
    no_plus_one = check.conv_output_size_formula(lambda n, f, p, s: (n - f + 2 * p) // s)
    assert "torch" in no_plus_one.message and "5" not in no_plus_one.message  # no answer given


def test_output_size_refuses_the_helper_and_torch():
    helper = check.conv_output_size_formula(
        lambda n, f, p, s: kernels.conv_output_size(n, f, padding=p, stride=s))
    assert not helper and "conv_output_size" in helper.message
    by_torch = check.conv_output_size_formula(
        lambda n, f, p, s: F.conv1d(torch.zeros(1, 1, n), torch.zeros(1, 1, f), padding=p,
                                    stride=s).shape[-1])
    assert not by_torch and "conv1d" in by_torch.message


def test_names_used_sees_nested_code():
    def outer(n):
        inner = lambda: kernels.conv_output_size(n, 3)  # noqa: E731
        return inner()

    assert {"kernels", "conv_output_size"} <= names_used(outer)
    assert names_used(len) == set()  # no Python code: nothing to refuse


def test_diagonal_edge_kernel():
    for good in ([[-2, -1, 0], [-1, 0, 1], [0, 1, 2]], [[1, 0, 0], [0, 0, 0], [0, 0, -1]],
                 torch.tensor([[-2., -2, 0], [-2, 0, 2], [0, 2, 2]])):
        assert check.conv_diagonal_edge_kernel(good)
    for sobel in ("sobel_x", "sobel_y"):  # react to both diagonals
        result = check.conv_diagonal_edge_kernel(kernels.KERNELS[sobel])
        assert not result and "other diagonal" in result.message
    emboss = check.conv_diagonal_edge_kernel(kernels.KERNELS["emboss"])  # sums to 1
    assert not emboss and "flat" in emboss.message
    other = check.conv_diagonal_edge_kernel([[0, 0, 1], [0, 0, 0], [-1, 0, 0]])
    assert not other and "hardly reacts" in other.message
    assert not check.conv_diagonal_edge_kernel(kernels.KERNELS["edge"])
    assert not check.conv_diagonal_edge_kernel(torch.zeros(3, 3))
    assert "3×3" in check.conv_diagonal_edge_kernel(torch.zeros(5, 5)).message


def test_param_count():
    assert check.conv_param_count(lambda ci, co, k, bias=True: co * ci * k * k + co * bias)
    no_bias_flag = check.conv_param_count(lambda ci, co, k, bias=True: co * ci * k * k + co)
    assert not no_bias_flag and "bias=False" in no_bias_flag.message
    assert not check.conv_param_count(lambda ci, co, k, bias=True: co * k * k + co)  # no c_in
    assert not check.conv_param_count(lambda ci, co, k, bias=True: ci * k * k + 1)
    counted = check.conv_param_count(lambda ci, co, k, bias=True: sum(
        p.numel() for p in torch.nn.Conv2d(ci, co, k, bias=bias).parameters()))
    assert not counted and "Conv2d" in counted.message
