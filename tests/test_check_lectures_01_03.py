"""Exercise checkers of lectures 01-03: each accepts a correct answer, rejects plausible wrong
ones with a hint, never crashes on an answer that raises, and never shows the solution."""

from __future__ import annotations

import torch
from torch import nn

from nbhelpers import check

EMPTY = ...  # what a blanked student answer cell leaves behind


def _rejects(result, *words):
    assert not result.passed, result
    for word in words:
        assert word in result.message, (word, result.message)


# ---------------------------------------------------------------- lecture 01: the perceptron


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


# ------------------------------------------------------------- lecture 02: activation functions


def test_relu_grad():
    assert check.act_relu_grad(lambda x: (x > 0).to(x.dtype))
    ok = check.act_relu_grad(lambda x: (x >= 0).float())  # 1 at 0 is a valid subgradient too
    assert ok and "torch returns 0" in ok.message
    _rejects(check.act_relu_grad(torch.relu), "wrong at x")  # the function, not its slope
    _rejects(check.act_relu_grad(lambda x: torch.where(x > 0, 1.0, 0.01)), "wrong at x")  # leaky
    _rejects(check.act_relu_grad(lambda x: torch.where(x == 0, 2.0, (x > 0).float())), "x = 0")
    _rejects(check.act_relu_grad(lambda x: (x > 0).float().sum()), "same shape")
    _rejects(check.act_relu_grad(lambda x: None), "returned None")
    _rejects(check.act_relu_grad(lambda x: 1 / 0), "ZeroDivisionError")
    _rejects(check.act_relu_grad(EMPTY), "no answer yet")


def test_sigmoid_grad():
    assert check.act_sigmoid_grad(lambda x: torch.sigmoid(x) * (1 - torch.sigmoid(x)))
    _rejects(check.act_sigmoid_grad(torch.sigmoid), "autograd says")
    _rejects(check.act_sigmoid_grad(lambda x: torch.sigmoid(x) * (1 + torch.sigmoid(x))),
             "autograd says")
    # right formula, but exp overflows in float32 for large |x|: inf/inf = nan
    _rejects(check.act_sigmoid_grad(lambda x: torch.exp(-x) / (1 + torch.exp(-x)) ** 2
                                    + 0 * torch.exp(4 * x.abs())), "overflow")
    _rejects(check.act_sigmoid_grad(lambda x: x.tolist()), "torch.Tensor")


def test_sigmoid_grad_hint_does_not_reveal_the_formula():
    result = check.act_sigmoid_grad(torch.sigmoid)
    assert "(1 -" not in result.message and "1 − σ" not in result.message


def _naive_softmax(z):
    e = torch.exp(z)
    return e / e.sum(dim=-1, keepdim=True)


def test_softmax():
    assert check.act_softmax(lambda z: torch.softmax(z, dim=-1))
    assert check.act_softmax(lambda z: torch.exp(z - torch.logsumexp(z, dim=-1, keepdim=True)))
    _rejects(check.act_softmax(_naive_softmax), "overflows")
    _rejects(check.act_softmax(lambda z: torch.softmax(z, dim=0)), "last dimension")
    _rejects(check.act_softmax(lambda z: torch.exp(z) / torch.exp(z).sum()), "last dimension")
    _rejects(check.act_softmax(lambda z: z / z.sum(dim=-1, keepdim=True)), "wrong on")
    _rejects(check.act_softmax(EMPTY), "no answer yet")


# ------------------------------------------------------------- lecture 03: networks and tensors


def test_count_params():
    assert check.net_count_params(109_386)
    assert check.net_count_params(109_386.0)
    _rejects(check.net_count_params(784 * 128 + 128 * 64 + 64 * 10), "weights only")
    _rejects(check.net_count_params(123), "n_in·n_out")
    _rejects(check.net_count_params(109_386.5), "whole number")
    _rejects(check.net_count_params("many"), "raised")
    _rejects(check.net_count_params(EMPTY), "no answer yet")


def test_count_params_hint_does_not_reveal_the_number():
    assert "109" not in check.net_count_params(1).message


def test_sequential():
    good = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 3), nn.Softmax(dim=1))
    assert check.net_sequential(good)
    _rejects(check.net_sequential(nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3),
                                                nn.Softmax(dim=1))), "different outputs")
    _rejects(check.net_sequential(nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 3),
                                                nn.Softmax(dim=0))), "different outputs")
    _rejects(check.net_sequential(nn.Sequential(nn.Linear(6, 16), nn.Linear(16, 3))),
             "different outputs")
    _rejects(check.net_sequential(nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 3))),
             "shapes")
    _rejects(check.net_sequential(nn.Linear(6, 3)), "nn.Sequential")
    _rejects(check.net_sequential(EMPTY), "no answer yet")


def test_linear_forward():
    assert check.net_linear_forward(lambda X, W, b: X @ W.T + b)
    assert check.net_linear_forward(lambda X, W, b: torch.einsum("...i,oi->...o", X, W) + b)
    _rejects(check.net_linear_forward(lambda X, W, b: X @ W + b), "raised")  # no transpose
    square_only_wrong = lambda X, W, b: X @ (W if W.shape[0] == W.shape[1] else W.T) + b  # noqa: E731
    _rejects(check.net_linear_forward(square_only_wrong), "square W")
    _rejects(check.net_linear_forward(lambda X, W, b: W @ X + b), "raised")
    _rejects(check.net_linear_forward(lambda X, W, b: X @ W.T), "wrong values")  # no bias
    _rejects(check.net_linear_forward(lambda X, W, b: None), "returned None")
    _rejects(check.net_linear_forward(EMPTY), "no answer yet")
