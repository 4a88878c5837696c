"""Lecture 11's checkers: max pooling by hand, the receptive-field recurrence (its reference
measured by gradient), a small CNN design."""

from __future__ import annotations

import torch.nn.functional as F
from torch import nn

from nbhelpers import check, kernels
from nbhelpers.check import pooling_and_cnn_layers as cc


def _max_pool(x, k):
    h, w = x.shape[0] // k, x.shape[1] // k
    return x[: h * k, : w * k].reshape(h, k, w, k).amax(dim=(1, 3))


def test_max_pool_by_hand():
    assert check.pool_max_by_hand(_max_pool)
    avg = check.pool_max_by_hand(
        lambda x, k: x[: x.shape[0] // k * k, : x.shape[1] // k * k]
        .reshape(x.shape[0] // k, k, x.shape[1] // k, k).mean(dim=(1, 3)))
    assert not avg and "average" in avg.message
    ceil = check.pool_max_by_hand(  # padding a stick-out window instead of dropping it
        lambda x, k: _max_pool(F.pad(x, (0, -x.shape[1] % k, 0, -x.shape[0] % k),
                                     value=-1e9), k))
    assert not ceil and "round down" in ceil.message
    assert not check.pool_max_by_hand(lambda x, k: x.max())  # one number, not a map
    assert not check.pool_max_by_hand(lambda x, k: _max_pool(x, k).tolist())  # not a tensor


def test_max_pool_refuses_library_pooling():
    by_torch = check.pool_max_by_hand(lambda x, k: F.max_pool2d(x[None, None], k)[0, 0])
    assert not by_torch and "max_pool2d" in by_torch.message
    by_helper = check.pool_max_by_hand(lambda x, k: kernels.pool2d(x, k))
    assert not by_helper and "pool2d" in by_helper.message


def _rf(layers):
    r, jump = 1, 1
    for k, s in layers:
        r += (k - 1) * jump
        jump *= s
    return r


def test_receptive_field_reference_is_measured_right():
    """The gradient reference agrees with closed forms (3×3 convs: 2n + 1, 2×2 pools: 2^n,
    LeNet-5: 16) and with the exercise stack of the lecture (18)."""
    for n in range(1, 5):
        assert cc._rf_by_gradient([(3, 1)] * n) == 2 * n + 1
        assert cc._rf_by_gradient([(2, 2)] * n) == 2**n
    assert cc._rf_by_gradient([(5, 1), (2, 2), (5, 1), (2, 2)]) == 16
    assert cc._rf_by_gradient([(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)]) == 18
    assert all(cc._rf_by_gradient(layers) == _rf(layers) for layers in cc._RF_CASES)


def test_receptive_field_answer():
    assert check.cnn_receptive_field(_rf)
    no_jump = check.cnn_receptive_field(cc._without_strides)
    assert not no_jump and "ignore the strides" in no_jump.message
    own = check.cnn_receptive_field(cc._own_stride_too)
    assert not own and "before" in own.message
    assert not check.cnn_receptive_field(lambda layers: sum(k for k, _ in layers))
    assert not check.cnn_receptive_field(lambda layers: 18)  # the lecture's stack only
    assert "18" not in no_jump.message


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
