"""Lecture 11's checkers: max pooling by hand, the receptive field (its reference measured by
gradient), a small CNN design."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from nbhelpers import check
from nbhelpers.check import pooling_and_cnn_layers as cc
from nbhelpers.kernels import receptive_field

NAMES = ["pool_max_by_hand", "cnn_receptive_field", "cnn_small_design"]


def _boom(*_args, **_kwargs):
    raise RuntimeError("student bug")


@pytest.mark.parametrize("name", NAMES)
def test_answers_that_raise_or_are_blank_fail_cleanly(name):
    fn = getattr(check, name)
    for answer in (_boom, None, Ellipsis, "text"):
        result = fn(answer)
        assert not result and result.message


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
