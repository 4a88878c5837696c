"""Exercises of lecture 01 (the neuron and the perceptron)."""

from __future__ import annotations

import itertools

import torch

from nbhelpers.check import Result, exercise, failed, guard, passed
from nbhelpers.neuron import BINARY_INPUTS, GATES, step

_ROWS = ["00", "01", "10", "11"]
_EMPTY = "no answer yet: replace the ... in the answer cell above, run it, then check again."


def _missing(*answers) -> bool:
    return any(a is Ellipsis or a is None for a in answers)


def _wrong_rows(got: torch.Tensor, want: torch.Tensor, rows: list[str]) -> str:
    triples = zip(rows, got.tolist(), want.tolist(), strict=True)
    bad = [f"{r} → {int(g)} (want {int(t)})" for r, g, t in triples if g != t]
    return ", ".join(bad)


def _weights(w, n: int) -> torch.Tensor:
    w = torch.as_tensor(w, dtype=torch.float32)
    if w.shape != (n,):
        raise ValueError(f"expected {n} weights, got shape {tuple(w.shape)}")
    return w


@exercise("neuron_nor")
def nor(answer) -> Result:
    """``answer = (w1, w2, b)``: a perceptron that computes NOR (1 only when both inputs are 0)."""
    name = "neuron_nor"
    if _missing(answer):
        return failed(name, _EMPTY)

    def run() -> Result:
        w1, w2, b = (float(v) for v in answer)
        got = step(BINARY_INPUTS @ torch.tensor([w1, w2]) + b)
        if torch.equal(got, GATES["NOR"]):
            return passed(name, "your perceptron computes NOR.")
        return failed(name, f"wrong rows: {_wrong_rows(got, GATES['NOR'], _ROWS)}. NOR is 1 "
                            "only for input 00, so the bias alone must be > 0, and each input "
                            "that is 1 must pull w·x + b down to ≤ 0.")

    return guard(name, run)


@exercise("neuron_majority")
def majority(answer) -> Result:
    """``answer = (w, b)`` with w of 3 weights: 1 when at least two of three binary inputs are 1."""
    name = "neuron_majority"

    def run() -> Result:
        w, b = answer
        if _missing(w, b):
            return failed(name, _EMPTY)
        w = _weights(w, 3)
        inputs = torch.tensor(list(itertools.product([0.0, 1.0], repeat=3)))
        want = (inputs.sum(dim=1) >= 2).float()
        got = step(inputs @ w + float(b))
        if torch.equal(got, want):
            return passed(name, "majority of three, with one neuron.")
        rows = ["".join(str(int(v)) for v in r) for r in inputs.tolist()]
        return failed(name, f"wrong rows: {_wrong_rows(got, want, rows)}. Try equal weights: "
                            "then w·x counts the ones; put the threshold between 1 and 2 ones.")

    return guard(name, run)


@exercise("neuron_xnor_network")
def xnor_network(W1, b1, w2, b2) -> Result:
    """A 2-layer perceptron network for XNOR: hidden h = step(W1 x + b1) with W1 (2, 2), b1 (2,);
    output y = step(w2 · h + b2) with w2 (2,), b2 a number."""
    name = "neuron_xnor_network"
    if _missing(W1, b1, w2, b2):
        return failed(name, _EMPTY)

    def run() -> Result:
        W = torch.as_tensor(W1, dtype=torch.float32)
        if W.shape != (2, 2):
            return failed(name, f"W1 must be 2×2 (2 hidden neurons × 2 inputs), got "
                                f"{tuple(W.shape)}")
        hidden = step(BINARY_INPUTS @ W.T + _weights(b1, 2))
        got = step(hidden @ _weights(w2, 2) + float(b2))
        if torch.equal(got, GATES["XNOR"]):
            return passed(name, "two layers of perceptrons compute XNOR.")
        return failed(name, f"wrong rows: {_wrong_rows(got, GATES['XNOR'], _ROWS)}. XNOR is 1 "
                            "when both inputs are 1 or both are 0: let one hidden neuron detect "
                            "each case, and let the output neuron combine them.")

    return guard(name, run)
