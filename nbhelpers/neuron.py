"""The perceptron and logic gates: small teaching helpers for lecture 01.

The lecture notebook writes the same few lines itself (that is what it teaches); the
widgets (:mod:`nbhelpers.widgets.neuron`) and the exercise checkers import them from here so
that everything agrees.
"""

from __future__ import annotations

import torch

#: The four inputs of a two-input logic gate, one per row (4×2, float): 00, 01, 10, 11.
BINARY_INPUTS = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])

#: Truth tables of the two-input gates: name -> outputs (4,) for the rows of BINARY_INPUTS.
GATES: dict[str, torch.Tensor] = {
    "AND": torch.tensor([0.0, 0.0, 0.0, 1.0]),
    "OR": torch.tensor([0.0, 1.0, 1.0, 1.0]),
    "NAND": torch.tensor([1.0, 1.0, 1.0, 0.0]),
    "NOR": torch.tensor([1.0, 0.0, 0.0, 0.0]),
    "XOR": torch.tensor([0.0, 1.0, 1.0, 0.0]),
    "XNOR": torch.tensor([1.0, 0.0, 0.0, 1.0]),
}


def step(z: torch.Tensor) -> torch.Tensor:
    """Heaviside step: 1.0 where ``z > 0``, else 0.0 (so step(0) = 0); same shape and dtype."""
    if not isinstance(z, torch.Tensor):
        raise TypeError(f"step expects a torch.Tensor, got {type(z).__name__}")
    return (z > 0).to(z.dtype if z.is_floating_point() else torch.float32)


def perceptron(x: torch.Tensor, w: torch.Tensor, b: float | torch.Tensor) -> torch.Tensor:
    """Rosenblatt's perceptron: ``step(x · w + b)``.

    x: one input (d,) or a batch (N, d); w: weights (d,); b: bias (a number).
    Returns 0./1. of shape () for one input or (N,) for a batch.
    """
    x, w = torch.as_tensor(x, dtype=torch.float32), torch.as_tensor(w, dtype=torch.float32)
    if w.ndim != 1 or x.ndim not in (1, 2) or x.shape[-1] != w.shape[0]:
        raise ValueError(
            f"perceptron needs x of shape (d,) or (N, d) and w of shape (d,); got x "
            f"{tuple(x.shape)} and w {tuple(w.shape)}"
        )
    return step(x @ w + torch.as_tensor(b, dtype=torch.float32))


def truth_table(w1: float, w2: float, b: float) -> torch.Tensor:
    """Outputs (4,) of the perceptron with weights (w1, w2) and bias b on BINARY_INPUTS."""
    return perceptron(BINARY_INPUTS, torch.tensor([float(w1), float(w2)]), float(b))


def gate_name(outputs: torch.Tensor) -> str | None:
    """The name of the gate (a key of GATES) whose truth table is ``outputs`` (4,), else None.

    The constant functions are called "always 0" / "always 1"; the projections "x1", "x2", and
    their negations "not x1", "not x2"; the other two "x1 and not x2", ..."""
    outputs = torch.as_tensor(outputs, dtype=torch.float32).flatten()
    if outputs.shape != (4,):
        raise ValueError(f"a truth table has 4 outputs (rows 00, 01, 10, 11), got {outputs.numel()}")
    for name, table in GATES.items():
        if torch.equal(outputs, table):
            return name
    other = {
        (0, 0, 0, 0): "always 0", (1, 1, 1, 1): "always 1",
        (0, 0, 1, 1): "x1", (0, 1, 0, 1): "x2", (1, 1, 0, 0): "not x1", (1, 0, 1, 0): "not x2",
        (0, 0, 1, 0): "x1 and not x2", (0, 1, 0, 0): "x2 and not x1",
        (1, 0, 1, 1): "x1 or not x2", (1, 1, 0, 1): "x2 or not x1",
    }
    return other.get(tuple(int(v) for v in outputs.tolist()))

