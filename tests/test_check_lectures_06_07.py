"""The exercise checkers of lectures 06-07 accept the reference answers and reject plausible
wrong ones (with a hint, never the solution), and never crash on an answer that raises."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from nbhelpers import check
from nbhelpers.check import convolution as cc
from nbhelpers.kernels import receptive_field

NAMES = ["conv_output_size_formula", "conv_horizontal_edge_kernel", "conv_param_count",
         "pool_max_by_hand", "cnn_receptive_field", "cnn_small_design"]


def test_all_registered():
    known = check.all_exercises()
    assert all(name in known for name in NAMES)


def _boom(*_args, **_kwargs):
    raise RuntimeError("student bug")


@pytest.mark.parametrize("name", NAMES)
def test_answers_that_raise_or_are_blank_fail_cleanly(name):
    fn = getattr(check, name)
    for answer in (_boom, None, Ellipsis, "text"):
        result = fn(answer)
        assert not result and result.message


# ----------------------------------------------------------------------------- 06


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


# ----------------------------------------------------------------------------- 07


def _max_pool(x, k):
    h, w = x.shape[0] // k, x.shape[1] // k
    return x[: h * k, : w * k].reshape(h, k, w, k).amax(dim=(1, 3))


def test_max_pool_by_hand():
    assert check.pool_max_by_hand(_max_pool)
    avg = check.pool_max_by_hand(
        lambda x, k: x[: x.shape[0] // k * k, : x.shape[1] // k * k]
        .reshape(x.shape[0] // k, k, x.shape[1] // k, k).mean(dim=(1, 3)))
    assert not avg and "average" in avg.message
    ceil = check.pool_max_by_hand(
        lambda x, k: torch.nn.functional.max_pool2d(x[None, None], k, ceil_mode=True)[0, 0])
    assert not ceil and "round down" in ceil.message
    assert not check.pool_max_by_hand(lambda x, k: x.max())  # one number, not a map
    assert not check.pool_max_by_hand(lambda x, k: _max_pool(x, k).tolist())  # not a tensor


def test_receptive_field_answer():
    want = receptive_field(cc._RF_LAYERS)
    assert want == cc._rf_by_gradient(cc._RF_LAYERS) == 18
    assert check.cnn_receptive_field(18) and check.cnn_receptive_field(18.0)
    no_jump = check.cnn_receptive_field(1 + 2 + 1 + 2 + 1 + 2)  # strides ignored: 9
    assert not no_jump and "pool" in no_jump.message
    assert not check.cnn_receptive_field(28) and not check.cnn_receptive_field(True)
    assert "18" not in check.cnn_receptive_field(9).message


def test_small_design():
    good = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(8 * 7 * 7, 10))
    good.train()
    assert check.cnn_small_design(good) and good.training  # mode restored
    too_big = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(),
                            nn.Conv2d(8, 8, 3, padding=1), nn.MaxPool2d(2),
                            nn.Flatten(), nn.Linear(8 * 14 * 14, 10))
    result = check.cnn_small_design(too_big)
    assert not result and "parameters" in result.message
    one_conv = nn.Sequential(nn.Conv2d(1, 4, 3), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(4 * 13 * 13, 10))
    assert not check.cnn_small_design(one_conv)
    no_pool = nn.Sequential(nn.Conv2d(1, 2, 3, stride=2), nn.Conv2d(2, 2, 3, stride=2),
                            nn.Flatten(), nn.Linear(2 * 6 * 6, 10))
    assert "pooling" in check.cnn_small_design(no_pool).message
    wrong_out = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Conv2d(2, 2, 3), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(2 * 12 * 12, 5))
    assert "(3, 10)" in check.cnn_small_design(wrong_out).message
    shape_bug = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Conv2d(2, 2, 3), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(100, 10))
    crashed = check.cnn_small_design(shape_bug)
    assert not crashed and "RuntimeError" in crashed.message
