"""Lecture 01's checkers accept any correct perceptron, name the wrong rows of a wrong one,
and never show the reference weights."""

from __future__ import annotations

import numpy as np
import torch
from shared import EMPTY, right, wrong
from shared import rejects as _rejects

from nbhelpers.check import neuron_and_perceptron as check


def test_nor_accepts_any_correct_weights():
    assert check.nor((-1.0, -1.0, 0.5))
    assert check.nor([-3, -2, 1])  # other scalings and lists are fine


def test_nor_rejects_or_and_nand_and_names_the_wrong_rows():
    _rejects(check.nor((1.0, 1.0, -0.5)), "wrong rows", "00")  # OR
    _rejects(check.nor((-2.0, -2.0, 3.0)), "wrong rows", "01")  # NAND
    _rejects(check.nor((-1.0, -1.0, 0.0)), "00 → 0")  # step(0) = 0: boundary case


def test_nor_handles_blank_and_broken_answers():
    _rejects(check.nor(EMPTY), "no answer yet")
    _rejects(check.nor((1.0, 2.0)), "three numbers")


def test_majority():
    assert check.majority((torch.tensor([1.0, 1.0, 1.0]), -1.5))
    assert check.majority(([2, 2, 2], -3.5))
    _rejects(check.majority((torch.tensor([1.0, 1.0, 1.0]), -0.5)), "wrong rows")  # OR
    _rejects(check.majority((torch.tensor([1.0, 1.0, 1.0]), -2.5)), "011")  # all three
    _rejects(check.majority((torch.tensor([1.0, 1.0]), -1.5)), "3 weights")
    _rejects(check.majority((EMPTY, EMPTY)), "no answer yet")


def test_xnor_network():
    W1, b1 = torch.tensor([[1.0, 1.0], [-1.0, -1.0]]), torch.tensor([-1.5, 0.5])
    assert check.xnor_network(W1, b1, torch.tensor([1.0, 1.0]), -0.5)
    # NAND(OR, NAND)-style mistakes: the XOR network itself is the classic wrong answer
    xor_W1, xor_b1 = torch.tensor([[1.0, 1.0], [-2.0, -2.0]]), torch.tensor([-0.5, 3.0])
    _rejects(check.xnor_network(xor_W1, xor_b1, torch.tensor([1.0, 1.0]), -1.5),
             "wrong rows")
    _rejects(check.xnor_network(torch.ones(3, 2), b1, torch.ones(2), 0.0), "2×2")
    _rejects(check.xnor_network(EMPTY, EMPTY, EMPTY, EMPTY), "no answer yet")
    _rejects(check.xnor_network(W1, "b1", torch.ones(2), 0.0), "b1", "not a string")


def test_neuron_hints_do_not_reveal_the_reference():
    result = check.xnor_network(torch.zeros(2, 2), torch.zeros(2), torch.zeros(2), 0.0)
    assert "-1.5" not in result.message and "AND" not in result.message


_W1, _b1 = torch.tensor([[1.0, 1.0], [-1.0, -1.0]]), torch.tensor([-1.5, 0.5])  # AND, NOR
_ONES = torch.tensor([1.0, 1.0])

CATALOGUE = {
    "nor": [
        right("the reference (-1, -1, 0.5)", (-1.0, -1.0, 0.5)),
        right("other scaling, ints in a list", [-3, -2, 1]),
        right("one tensor of three numbers", torch.tensor([-1.0, -1.0, 0.5])),
        right("NumPy numbers", (np.float32(-1.0), np.float64(-1.0), np.float32(0.5))),
        right("weights and bias as ((w1, w2), b)", ((-1.0, -1.0), 0.5)),
        right("w·x + b exactly 0 on 01 and 10: step(0) = 0", (-1.0, -1.0, 1.0)),
        wrong("OR", (1.0, 1.0, -0.5), hint=("wrong rows", "00 → 0")),
        wrong("NAND", (-2.0, -2.0, 3.0), hint=("wrong rows", "01 → 1")),
        wrong("bias 0: step(0) = 0 on 00", (-1.0, -1.0, 0.0), hint="00 → 0"),
        wrong("AND", (1.0, 1.0, -1.5), hint="wrong rows"),
        wrong("NOT x1: the second input ignored", (-1.0, 0.0, 0.5), hint="01 → 1"),
        wrong("only two numbers", (1.0, 2.0), hint="three numbers"),
        wrong("four numbers", (-1.0, -1.0, 0.5, 0.0), hint="three numbers"),
        wrong("a string", "(-1, -1, 0.5)", hint="three numbers"),
        wrong("infinite weights", (-float("inf"), -float("inf"), 0.5), hint="finite"),
        wrong("nan bias", (-1.0, -1.0, float("nan")), hint="finite"),
    ],
    "majority": [
        right("the reference: ones, bias -1.5", (torch.tensor([1.0, 1.0, 1.0]), -1.5)),
        right("ints in a list, other scaling", ([2, 2, 2], -3.5)),
        right("NumPy weights, bias a one-element tensor",
              (np.array([1.0, 1.0, 1.0]), torch.tensor([-1.5]))),
        right("weights as a (1, 3) row", (torch.ones(1, 3), -1.5)),
        right("bias -1: w·x + b = 0 for one 1, step(0) = 0", ([1.0, 1.0, 1.0], -1.0)),
        wrong("OR of three: bias -0.5", (torch.tensor([1.0, 1.0, 1.0]), -0.5),
              hint=("wrong rows", "001 → 1")),
        wrong("AND of three: bias -2.5", (torch.tensor([1.0, 1.0, 1.0]), -2.5), hint="011 → 0"),
        wrong("bias -2: step(0) = 0 on two ones", ([1.0, 1.0, 1.0], -2.0), hint="011 → 0"),
        wrong("third input ignored", ([1.0, 1.0, 0.0], -1.5), hint="wrong rows"),
        wrong("only 2 weights", (torch.tensor([1.0, 1.0]), -1.5), hint="3 weights"),
        wrong("one flat list of 4 numbers", [1.0, 1.0, 1.0, -1.5], hint="pair (w, b)"),
        wrong("bias a vector of 3", ([1.0, 1.0, 1.0], torch.full((3,), -1.5)),
              hint="b must be one number"),
    ],
    "xnor_network": [
        right("the reference: AND and NOR, then OR", _W1, _b1, _ONES, -0.5),
        right("OR and NAND, then NAND", torch.tensor([[1.0, 1.0], [-1.0, -1.0]]),
              torch.tensor([-0.5, 1.5]), torch.tensor([-1.0, -1.0]), 1.5),
        right("lists, and b2 a one-element tensor", [[1, 1], [-1, -1]], [-1.5, 0.5], [1, 1],
              torch.tensor(-0.5)),
        right("output bias 0: step(0) = 0 when no hidden neuron fires", _W1, _b1, _ONES, 0.0),
        wrong("the XOR network", torch.tensor([[1.0, 1.0], [-2.0, -2.0]]),
              torch.tensor([-0.5, 3.0]), _ONES, -1.5, hint=("wrong rows", "00 → 0")),
        wrong("W1 transposed: columns as neurons", _W1.T, _b1, _ONES, -0.5,
              hint=("wrong rows", "10 → 1", "row of W1")),
        wrong("output bias too high: always 1", _W1, _b1, _ONES, 0.5, hint="01 → 1"),
        wrong("all zeros", torch.zeros(2, 2), torch.zeros(2), torch.zeros(2), 0.0,
              hint="00 → 0"),
        wrong("W1 of 3 hidden neurons", torch.ones(3, 2), _b1, _ONES, 0.0, hint="2×2"),
        wrong("b1 a string", _W1, "b1", _ONES, 0.0, hint="b1"),
        wrong("w2 of 3 weights", _W1, _b1, torch.ones(3), -0.5, hint=("w2", "2 weights")),
        wrong("b2 a vector", _W1, _b1, _ONES, torch.tensor([-0.5, -0.5]),
              hint="b2 must be one number"),
    ],
}
