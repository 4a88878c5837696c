"""Exercises of lecture 01 (the neuron and the perceptron): NOR, majority of three, XNOR."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import torch

from nbhelpers.check import Result, correct, exercise, not_yet
from nbhelpers.neuron import BINARY_INPUTS, GATES, step

_ROWS = ["00", "01", "10", "11"]


def _wrong_rows(got: torch.Tensor, want: torch.Tensor, rows: list[str]) -> str:
    """The rows where the perceptron's output ``got`` (R,) differs from ``want`` (R,)."""
    triples = zip(rows, got.tolist(), want.tolist(), strict=True)
    return ", ".join(f"{r} → {int(g)} (want {int(t)})" for r, g, t in triples if g != t)


def _weights(w: Any, n: int) -> torch.Tensor:
    """``w`` as a float tensor of shape (n,), or ValueError (it counts as the student's error)."""
    w = torch.as_tensor(w, dtype=torch.float32)
    if w.shape != (n,):
        raise ValueError(f"expected {n} weights, got shape {tuple(w.shape)}")
    return w


@exercise
def neuron_nor(answer: Sequence[float]) -> Result:
    """``answer = (w1, w2, b)``: a perceptron that computes NOR (1 only when both inputs are 0)."""
    w1, w2, b = (float(v) for v in answer)
    got = step(BINARY_INPUTS @ torch.tensor([w1, w2]) + b)
    if torch.equal(got, GATES["NOR"]):
        return correct("your perceptron computes NOR.")
    return not_yet(f"wrong rows: {_wrong_rows(got, GATES['NOR'], _ROWS)}. NOR is 1 only for "
                   "input 00, so the bias alone must be > 0, and each input that is 1 must "
                   "pull w·x + b down to ≤ 0.")


@exercise
def neuron_majority(answer: tuple[Any, float]) -> Result:
    """``answer = (w, b)`` with w of 3 weights: 1 when at least two of three binary inputs are 1."""
    w, b = answer
    inputs = torch.tensor(list(itertools.product([0.0, 1.0], repeat=3)))  # (8, 3)
    want = (inputs.sum(dim=1) >= 2).float()
    got = step(inputs @ _weights(w, 3) + float(b))
    if torch.equal(got, want):
        return correct("majority of three, with one neuron.")
    rows = ["".join(str(int(v)) for v in r) for r in inputs.tolist()]
    return not_yet(f"wrong rows: {_wrong_rows(got, want, rows)}. Try equal weights: then w·x "
                   "counts the ones; put the threshold between 1 and 2 ones.")


@exercise
def neuron_xnor_network(W1: Any, b1: Any, w2: Any, b2: float) -> Result:
    """A 2-layer perceptron network for XNOR: hidden h = step(W1 x + b1) with W1 (2, 2), b1 (2,);
    output y = step(w2 · h + b2) with w2 (2,), b2 a number."""
    W = torch.as_tensor(W1, dtype=torch.float32)
    if W.shape != (2, 2):
        return not_yet(f"W1 must be 2×2 (2 hidden neurons × 2 inputs), got {tuple(W.shape)}.")
    hidden = step(BINARY_INPUTS @ W.T + _weights(b1, 2))  # (4, 2)
    got = step(hidden @ _weights(w2, 2) + float(b2))  # (4,)
    if torch.equal(got, GATES["XNOR"]):
        return correct("two layers of perceptrons compute XNOR.")
    return not_yet(f"wrong rows: {_wrong_rows(got, GATES['XNOR'], _ROWS)}. XNOR is 1 when both "
                   "inputs are 1 or both are 0: let one hidden neuron detect each case, and let "
                   "the output neuron combine them.")
