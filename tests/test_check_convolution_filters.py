"""Lecture 10's checkers accept the reference answers and reject plausible wrong ones (with a
hint, never the solution), and never crash on an answer that raises."""

from __future__ import annotations

import math

import pytest
import torch

from nbhelpers import check

NAMES = ["conv_output_size_formula", "conv_horizontal_edge_kernel", "conv_param_count"]


def _boom(*_args, **_kwargs):
    raise RuntimeError("student bug")


@pytest.mark.parametrize("name", NAMES)
def test_answers_that_raise_or_are_blank_fail_cleanly(name):
    fn = getattr(check, name)
    for answer in (_boom, None, Ellipsis, "text"):
        result = fn(answer)
        assert not result and result.message


def test_output_size_formula():
    assert check.conv_output_size_formula(lambda n, f, p, s: (n - f + 2 * p) // s + 1)
    assert check.conv_output_size_formula(
        lambda n, f, p, s: math.floor((n - f + 2 * p) / s) + 1)
    no_floor = check.conv_output_size_formula(lambda n, f, p, s: (n - f + 2 * p) / s + 1)
    assert not no_floor and "round down" in no_floor.message
    assert not check.conv_output_size_formula(lambda n, f, p, s: (n - f) // s + 1)  # no padding
    assert not check.conv_output_size_formula(lambda n, f, p, s: (n - f + 2 * p) // s)  # no +1
    assert not check.conv_output_size_formula(lambda n, f, p, s: (n - f + p) // s + 1)  # 1 side
    lab_sheet = check.conv_output_size_formula(lambda n, f, p, s: (n - f + 2 * p) // s)
    assert "torch" in lab_sheet.message and "5" not in lab_sheet.message  # no answer given away


def test_horizontal_edge_kernel():
    for good in ([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],
                 torch.tensor([[0., 0, 0], [-1, -1, -1], [1, 1, 1]])):
        assert check.conv_horizontal_edge_kernel(good)
    vertical = check.conv_horizontal_edge_kernel([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    assert not vertical and "vertical" in vertical.message
    blur = check.conv_horizontal_edge_kernel(torch.full((3, 3), 1 / 9))
    assert not blur and "flat" in blur.message
    laplacian = check.conv_horizontal_edge_kernel([[0, 1, 0], [1, -4, 1], [0, 1, 0]])
    assert not laplacian  # reacts to both directions
    assert not check.conv_horizontal_edge_kernel(torch.zeros(3, 3))
    assert "3×3" in check.conv_horizontal_edge_kernel(torch.zeros(5, 5)).message


def test_param_count():
    assert check.conv_param_count(lambda ci, co, k, bias=True: co * ci * k * k + co * bias)
    no_bias_flag = check.conv_param_count(lambda ci, co, k, bias=True: co * ci * k * k + co)
    assert not no_bias_flag and "bias=False" in no_bias_flag.message
    assert not check.conv_param_count(lambda ci, co, k, bias=True: co * k * k + co)  # no c_in
    assert not check.conv_param_count(lambda ci, co, k, bias=True: ci * k * k + 1)
