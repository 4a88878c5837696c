"""Exercises of lecture 01 (the neuron and the perceptron): NOR, majority of three, XNOR.

Each checker runs the student's perceptron on every binary input (the whole truth table), so
no answer can pass by luck. Weights may come as numbers, lists, NumPy arrays or tensors; the
arithmetic is done in float64 (what the numbers mean, not a float32 rounding of them).
"""

from __future__ import annotations

import itertools
import math
import numbers
from typing import Any

import numpy as np
import torch

from nbhelpers.check import NotYet, Result, correct, exercise, not_yet
from nbhelpers.neuron import BINARY_INPUTS, GATES, step

_ROWS = ["00", "01", "10", "11"]


def _wrong_rows(got: torch.Tensor, want: torch.Tensor, rows: list[str]) -> str:
    """The rows where the perceptron's output ``got`` (R,) differs from ``want`` (R,)."""
    triples = zip(rows, got.tolist(), want.tolist(), strict=True)
    return ", ".join(f"{r} → {int(g)} (want {int(t)})" for r, g, t in triples if g != t)


def _finite(t: torch.Tensor, what: str) -> torch.Tensor:
    if not bool(torch.isfinite(t).all()):
        raise NotYet(f"{what} must be finite numbers, got {t.tolist()}: with inf or nan, "
                     "w·x + b is not a number for some inputs (0·inf is nan).")
    return t


def _scalar(v: Any, what: str) -> float:
    """One number (Python, NumPy, or a one-element tensor/array) as a float, or NotYet."""
    size = v.numel() if isinstance(v, torch.Tensor) else getattr(v, "size", None)
    if isinstance(v, torch.Tensor | np.ndarray) and size == 1:
        v = v.item()
    if not isinstance(v, numbers.Real) or isinstance(v, bool | np.bool_):
        raise NotYet(f"{what} must be one number, not a {type(v).__name__}"
                     + (f" of shape {tuple(v.shape)}" if hasattr(v, "shape") else "") + ".")
    value = float(v)
    if not math.isfinite(value):
        raise NotYet(f"{what} must be a finite number, got {value}.")
    return value


def _weights(w: Any, n: int, what: str = "w") -> torch.Tensor:
    """``w`` as a float64 tensor of shape (n,) (a row or column of n is fine too), or NotYet."""
    if isinstance(w, str):
        raise NotYet(f"{what} must be {n} numbers, not a string.")
    try:
        t = torch.as_tensor(np.asarray(w, dtype=np.float64) if not isinstance(w, torch.Tensor)
                            else w.detach(), dtype=torch.float64)
    except (TypeError, ValueError) as err:
        raise NotYet(f"{what} must be {n} numbers (a list or a tensor): {err}") from None
    if t.numel() != n or sum(d > 1 for d in t.shape) > 1:
        raise NotYet(f"{what} must hold {n} weights, one per input; got shape {tuple(t.shape)}.")
    return _finite(t.reshape(n), what)


def _nor_weights(answer: Any) -> tuple[torch.Tensor, float]:
    """``(w1, w2, b)`` or ``((w1, w2), b)`` as (w (2,), b)."""
    parts = list(answer) if isinstance(answer, tuple | list | torch.Tensor | np.ndarray) else None
    if (parts is not None and len(parts) == 2 and isinstance(answer, tuple | list)
            and np.size(parts[0]) == 2):
        return _weights(parts[0], 2), _scalar(parts[1], "b")
    if parts is None or len(parts) != 3:
        raise NotYet("give three numbers (w1, w2, b): the two weights, then the bias; got "
                     f"{answer!r}."[:200])
    w = _weights([_scalar(v, name) for v, name in zip(parts[:2], ("w1", "w2"), strict=True)], 2)
    return w, _scalar(parts[2], "b")


@exercise
def nor(answer: Any) -> Result:
    """``answer = (w1, w2, b)``: a perceptron that computes NOR (1 only when both inputs are 0)."""
    w, b = _nor_weights(answer)
    got = step(BINARY_INPUTS.double() @ w + b)
    want = GATES["NOR"].double()
    if torch.equal(got, want):
        return correct("your perceptron computes NOR.")
    return not_yet(f"wrong rows: {_wrong_rows(got, want, _ROWS)}. NOR is 1 only for "
                   "input 00, so the bias alone must be > 0, and each input that is 1 must "
                   "pull w·x + b down to ≤ 0.")


@exercise
def majority(answer: tuple[Any, float]) -> Result:
    """``answer = (w, b)`` with w of 3 weights: 1 when at least two of three binary inputs are 1."""
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        raise NotYet("give a pair (w, b): w the 3 weights (a list or a tensor), b the bias.")
    w, b = answer
    inputs = torch.tensor(list(itertools.product([0.0, 1.0], repeat=3)),
                          dtype=torch.float64)  # (8, 3)
    want = (inputs.sum(dim=1) >= 2).double()
    got = step(inputs @ _weights(w, 3) + _scalar(b, "b"))
    if torch.equal(got, want):
        return correct("majority of three, with one neuron.")
    rows = ["".join(str(int(v)) for v in r) for r in inputs.tolist()]
    return not_yet(f"wrong rows: {_wrong_rows(got, want, rows)}. Try equal weights: then w·x "
                   "counts the ones; put the threshold between 1 and 2 ones.")


@exercise
def xnor_network(W1: Any, b1: Any, w2: Any, b2: float) -> Result:
    """A 2-layer perceptron network for XNOR: hidden h = step(W1 x + b1) with W1 (2, 2), b1 (2,);
    output y = step(w2 · h + b2) with w2 (2,), b2 a number."""
    try:
        W = torch.as_tensor(W1.detach() if isinstance(W1, torch.Tensor) else
                            np.asarray(W1, dtype=np.float64), dtype=torch.float64)
    except (TypeError, ValueError) as err:
        raise NotYet(f"W1 must be a 2×2 table of numbers: {err}") from None
    if W.shape != (2, 2):
        return not_yet(f"W1 must be 2×2 (2 hidden neurons × 2 inputs), got {tuple(W.shape)}.")
    _finite(W, "W1")
    hidden = step(BINARY_INPUTS.double() @ W.T + _weights(b1, 2, "b1"))  # (4, 2)
    got = step(hidden @ _weights(w2, 2, "w2") + _scalar(b2, "b2"))  # (4,)
    want = GATES["XNOR"].double()
    if torch.equal(got, want):
        return correct("two layers of perceptrons compute XNOR.")
    return not_yet(f"wrong rows: {_wrong_rows(got, want, _ROWS)}. XNOR is 1 when both "
                   "inputs are 1 or both are 0: let one hidden neuron detect each case, and let "
                   "the output neuron combine them (each row of W1 is one hidden neuron).")
