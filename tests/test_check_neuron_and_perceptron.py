"""Lecture 01's checkers accept any correct perceptron, name the wrong rows of a wrong one,
and never show the reference weights."""

from __future__ import annotations

import torch
from shared import EMPTY
from shared import rejects as _rejects

from nbhelpers import check


def test_nor_accepts_any_correct_weights():
    assert check.neuron_nor((-1.0, -1.0, 0.5))
    assert check.neuron_nor([-3, -2, 1])  # other scalings and lists are fine


def test_nor_rejects_or_and_nand_and_names_the_wrong_rows():
    _rejects(check.neuron_nor((1.0, 1.0, -0.5)), "wrong rows", "00")  # OR
    _rejects(check.neuron_nor((-2.0, -2.0, 3.0)), "wrong rows", "01")  # NAND
    _rejects(check.neuron_nor((-1.0, -1.0, 0.0)), "00 → 0")  # step(0) = 0: boundary case


def test_nor_handles_blank_and_broken_answers():
    _rejects(check.neuron_nor(EMPTY), "no answer yet")
    _rejects(check.neuron_nor((1.0, 2.0)), "raised")


def test_majority():
    assert check.neuron_majority((torch.tensor([1.0, 1.0, 1.0]), -1.5))
    assert check.neuron_majority(([2, 2, 2], -3.5))
    _rejects(check.neuron_majority((torch.tensor([1.0, 1.0, 1.0]), -0.5)), "wrong rows")  # OR
    _rejects(check.neuron_majority((torch.tensor([1.0, 1.0, 1.0]), -2.5)), "011")  # all three
    _rejects(check.neuron_majority((torch.tensor([1.0, 1.0]), -1.5)), "raised", "3 weights")
    _rejects(check.neuron_majority((EMPTY, EMPTY)), "no answer yet")


def test_xnor_network():
    W1, b1 = torch.tensor([[1.0, 1.0], [-1.0, -1.0]]), torch.tensor([-1.5, 0.5])
    assert check.neuron_xnor_network(W1, b1, torch.tensor([1.0, 1.0]), -0.5)
    # NAND(OR, NAND)-style mistakes: the XOR network itself is the classic wrong answer
    xor_W1, xor_b1 = torch.tensor([[1.0, 1.0], [-2.0, -2.0]]), torch.tensor([-0.5, 3.0])
    _rejects(check.neuron_xnor_network(xor_W1, xor_b1, torch.tensor([1.0, 1.0]), -1.5),
             "wrong rows")
    _rejects(check.neuron_xnor_network(torch.ones(3, 2), b1, torch.ones(2), 0.0), "2×2")
    _rejects(check.neuron_xnor_network(EMPTY, EMPTY, EMPTY, EMPTY), "no answer yet")
    _rejects(check.neuron_xnor_network(W1, "b1", torch.ones(2), 0.0), "raised")


def test_neuron_hints_do_not_reveal_the_reference():
    result = check.neuron_xnor_network(torch.zeros(2, 2), torch.zeros(2), torch.zeros(2), 0.0)
    assert "-1.5" not in result.message and "AND" not in result.message
