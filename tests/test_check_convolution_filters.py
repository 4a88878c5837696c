"""Lecture 10's checkers accept the reference answers and reject plausible wrong ones with a
hint (never the solution), and refuse answers that call a function computing the result."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from shared import right, wrong

from nbhelpers import kernels
from nbhelpers.check import convolution_filters as check
from nbhelpers.check import names_used


def test_output_size_formula():
    assert check.output_size(lambda n, f, p, s: (n - f + 2 * p) // s + 1)
    assert check.output_size(
        lambda n, f, p, s: math.floor((n - f + 2 * p) / s) + 1)
    no_floor = check.output_size(lambda n, f, p, s: (n - f + 2 * p) / s + 1)
    assert not no_floor and "round down" in no_floor.message
    assert not check.output_size(lambda n, f, p, s: (n - f) // s + 1)  # no padding
    assert not check.output_size(lambda n, f, p, s: (n - f + p) // s + 1)  # 1 side
    no_plus_one = check.output_size(lambda n, f, p, s: (n - f + 2 * p) // s)
    assert "torch" in no_plus_one.message and "5" not in no_plus_one.message  # no answer given


def test_output_size_refuses_the_helper_and_torch():
    helper = check.output_size(
        lambda n, f, p, s: kernels.conv_output_size(n, f, padding=p, stride=s))
    assert not helper and "conv_output_size" in helper.message
    by_torch = check.output_size(
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
        assert check.diagonal_edge_kernel(good)
    for sobel in ("sobel_x", "sobel_y"):  # react to both diagonals
        result = check.diagonal_edge_kernel(kernels.KERNELS[sobel])
        assert not result and "other diagonal" in result.message
    emboss = check.diagonal_edge_kernel(kernels.KERNELS["emboss"])  # sums to 1
    assert not emboss and "flat" in emboss.message
    other = check.diagonal_edge_kernel([[0, 0, 1], [0, 0, 0], [-1, 0, 0]])
    assert not other and "hardly reacts" in other.message
    assert not check.diagonal_edge_kernel(kernels.KERNELS["edge"])
    assert not check.diagonal_edge_kernel(torch.zeros(3, 3))
    assert "3×3" in check.diagonal_edge_kernel(torch.zeros(5, 5)).message


def test_param_count():
    assert check.param_count(lambda ci, co, k, bias=True: co * ci * k * k + co * bias)
    no_bias_flag = check.param_count(lambda ci, co, k, bias=True: co * ci * k * k + co)
    assert not no_bias_flag and "bias=False" in no_bias_flag.message
    assert not check.param_count(lambda ci, co, k, bias=True: co * k * k + co)  # no c_in
    assert not check.param_count(lambda ci, co, k, bias=True: ci * k * k + 1)
    counted = check.param_count(lambda ci, co, k, bias=True: sum(
        p.numel() for p in torch.nn.Conv2d(ci, co, k, bias=bias).parameters()))
    assert not counted and "Conv2d" in counted.message


# ----------------------------------------------------------------------------- catalogue


def _size_numpy(n, f, p, s):
    import numpy as np
    return np.floor((n + 2 * p - f) / s) + 1       # a NumPy float such as 3.0


def _size_ceil(n, f, p, s):
    return math.ceil((n - f + 2 * p + 1) / s)      # the same count, another way


def _size_hard_coded(n, f, p, s):                  # the lecture's examples, by heart
    return {(7, 3, 0, 1): 5, (7, 3, 0, 2): 3, (7, 3, 0, 3): 2, (28, 5, 2, 1): 28,
            (28, 5, 2, 2): 14}.get((n, f, p, s), n - f + 1)


def _size_round(n, f, p, s):
    return round((n - f + 2 * p) / s) + 1


def _size_ceil_wrong(n, f, p, s):
    return math.ceil((n - f + 2 * p) / s) + 1


def _size_torch_in_helper(n, f, p, s):
    return torch.nn.Conv1d(1, 1, f, stride=s, padding=p)(torch.zeros(1, 1, n)).shape[-1]


def _params_math_prod(c_in, c_out, k, bias=True):
    return math.prod((c_out, c_in, k, k)) + (c_out if bias else 0)


CATALOGUE = {
    "output_size": [
        right("the lecture's answer", lambda n, f, p, s: (n - f + 2 * p) // s + 1),
        right("math.floor of a division", lambda n, f, p, s: math.floor((n - f + 2 * p) / s)
              + 1),
        right("a NumPy float such as 3.0", _size_numpy),
        right("ceil((n − f + 2p + 1) / s)", _size_ceil),
        right("int() of a division", lambda n, f, p, s: int((n + 2 * p - f) / s) + 1),
        wrong("no rounding", lambda n, f, p, s: (n - f + 2 * p) / s + 1, hint="round down"),
        wrong("padding forgotten", lambda n, f, p, s: (n - f) // s + 1, hint="padding"),
        wrong("padding on one side", lambda n, f, p, s: (n - f + p) // s + 1,
              hint="both sides"),
        wrong("no + 1", lambda n, f, p, s: (n - f + 2 * p) // s, hint="first position"),
        wrong("rounds to the nearest", _size_round, hint="nearest"),
        wrong("rounds up", _size_ceil_wrong, hint="round up"),
        wrong("stride ignored", lambda n, f, p, s: n - f + 2 * p + 1, hint="stride"),
        wrong("divides only the kernel by the stride",
              lambda n, f, p, s: n - f // s + 2 * p + 1, hint="torch"),
        wrong("the lecture's examples by heart", _size_hard_coded, hint="torch"),
        wrong("the course helper", lambda n, f, p, s: kernels.conv_output_size(
            n, f, padding=p, stride=s), hint="conv_output_size"),
        wrong("an nn.Conv1d", _size_torch_in_helper, hint="Conv1d"),
    ],
    "diagonal_edge_kernel": [
        right("the lecture's answer", torch.tensor([[-2., -1, 0], [-1, 0, 1], [0, 1, 2]])),
        right("a nested list of ints", [[-2, -1, 0], [-1, 0, 1], [0, 1, 2]]),
        right("corners only, as a NumPy array",
              __import__("numpy").array([[-1.0, 0, 0], [0, 0, 0], [0, 0, 1]])),
        right("a float64 tensor, scaled", torch.tensor([[-1., -.5, 0], [-.5, 0, .5],
                                                        [0, .5, 1]], dtype=torch.float64)),
        right("negated (flipped by 180°): the edge gives negative values",
              [[2, 1, 0], [1, 0, -1], [0, -1, -2]]),
        wrong("sums to 0 but lopsided: reacts to the other diagonal",
              [[-2, -1, 0], [-1, 0, 2], [0, 1, 1]], hint="other diagonal"),
        wrong("sums to 1", [[-1, -1, 0], [-1, 0, 1], [0, 1, 2]], hint="flat"),
        wrong("the other diagonal", [[0, 1, 2], [-1, 0, 1], [-2, -1, 0]],
              hint="hardly reacts"),
        wrong("Sobel x", kernels.KERNELS["sobel_x"], hint="other diagonal"),
        wrong("Sobel y", kernels.KERNELS["sobel_y"], hint="other diagonal"),
        wrong("emboss: sums to 1", kernels.KERNELS["emboss"], hint="flat"),
        wrong("Laplacian edge kernel", kernels.KERNELS["edge"], hint="other diagonal"),
        wrong("all zeros", torch.zeros(3, 3), hint="zero"),
        wrong("5×5", torch.zeros(5, 5), hint="3×3"),
        wrong("a conv weight of shape (1, 1, 3, 3)",
              torch.tensor([[-2., -1, 0], [-1, 0, 1], [0, 1, 2]])[None, None], hint="3×3"),
    ],
    "param_count": [
        right("the lecture's answer", lambda ci, co, k, bias=True: co * ci * k * k
              + (co if bias else 0)),
        right("bias as a number", lambda ci, co, k, bias=True: co * (ci * k * k + bias)),
        right("math.prod", _params_math_prod),
        right("a float", lambda ci, co, k, bias=True: float(co * ci * k ** 2 + co * bias)),
        wrong("bias flag ignored", lambda ci, co, k, bias=True: co * ci * k * k + co,
              hint="bias=False"),
        wrong("no bias at all", lambda ci, co, k, bias=True: co * ci * k * k, hint="bias"),
        wrong("c_in forgotten", lambda ci, co, k, bias=True: co * k * k + co * bias,
              hint="input channel"),
        wrong("one kernel for all outputs", lambda ci, co, k, bias=True: ci * k * k + bias,
              hint="C_out"),
        wrong("a bias per input channel", lambda ci, co, k, bias=True: co * ci * k * k
              + ci * bias, hint="output channel"),
        wrong("k instead of k²", lambda ci, co, k, bias=True: co * ci * k + co * bias,
              hint="k×k"),
        wrong("one bias for the layer", lambda ci, co, k, bias=True: co * ci * k * k + bias,
              hint="output channel"),
        wrong("counts with numel", lambda ci, co, k, bias=True: sum(
            p.numel() for p in torch.nn.Conv2d(ci, co, k, bias=bias).parameters()),
            hint="Conv2d"),
    ],
}
