"""What every layer of a model does to the shape of its input (lectures 11 and 12).

- :func:`trace_shapes` runs a model once on zeros and records, layer by layer, the output
  shape and the number of parameters (:class:`ShapeRow`).
- :func:`print_shapes` prints that as a table, with the model's total parameter count.

Shapes are written batch first, e.g. ``N×C×H×W`` = ``(1, 1, 28, 28)`` for one MNIST image.
"""

from __future__ import annotations

import contextlib
import operator
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

import torch
from torch import Tensor, nn

__all__ = ["ShapeRow", "leaf_hooks", "print_shapes", "trace_shapes"]


class ShapeRow(NamedTuple):
    """One row of :func:`trace_shapes`."""

    name: str  # the layer's name in the model, e.g. "features.0"
    layer: str  # short description, e.g. "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1))"
    shape: tuple  # output shape, batch first
    params: int  # number of parameters of this layer


def _shape(out: object) -> tuple:
    if isinstance(out, Tensor):
        return tuple(out.shape)
    if isinstance(out, (tuple, list)):
        return tuple(_shape(o) for o in out)
    return ()


def _describe(module: nn.Module, width: int = 40) -> str:
    text = f"{type(module).__name__}({module.extra_repr()})"
    return text if len(text) <= width else text[: width - 1] + "…"


def _input_shape(input_shape: Sequence[int]) -> tuple[int, ...]:
    try:
        shape = tuple(operator.index(v) for v in input_shape)
    except TypeError:
        shape = ()
    if not shape or min(shape) < 1:
        raise ValueError(f"input_shape must be positive sizes, batch first; got {input_shape!r}")
    return shape


@contextlib.contextmanager
def leaf_hooks(model: nn.Module, *, after: Callable[[str, nn.Module, object], None] | None = None
               ) -> Iterator[list[tuple[str, nn.Module, torch.Size]]]:
    """Forward hooks on every leaf layer of ``model`` while inside. Yields ``started``: the
    ``(name, layer, input shape)`` of each leaf layer as it starts to run (so after an error
    the layer that failed is the last one started and not finished); ``after(name, layer,
    output)`` is called as each one finishes. The hooks are removed on leaving."""
    started: list[tuple[str, nn.Module, torch.Size]] = []

    def before(name: str, module: nn.Module) -> Callable:
        return lambda _m, args: started.append(
            (name, module, args[0].shape if args and isinstance(args[0], Tensor) else torch.Size()))

    def done(name: str, module: nn.Module) -> Callable:
        return lambda _m, _inp, out: after(name, module, out)

    hooks = []
    for name, m in model.named_modules():
        if next(m.children(), None) is None:  # a leaf layer
            name = name or type(m).__name__
            hooks.append(m.register_forward_pre_hook(before(name, m)))
            if after is not None:
                hooks.append(m.register_forward_hook(done(name, m)))
    try:
        yield started
    finally:
        for h in hooks:
            h.remove()


def trace_shapes(model: nn.Module, input_shape: Sequence[int]) -> list[ShapeRow]:
    """Run ``model`` on zeros of ``input_shape`` (batch first, e.g. ``(1, 1, 28, 28)``) and
    record, for every leaf layer in the order it runs: its name, a short description, its
    output shape and its number of parameters.

    Uses forward hooks (:func:`leaf_hooks`), so it works for ``nn.Sequential`` and for any
    ``nn.Module`` with its own ``forward``. The model runs once in eval mode without gradients;
    its mode is restored. When the model fails (the usual "shapes cannot be multiplied"), the
    ValueError names the layer that failed and the shapes so far.
    """
    shape = _input_shape(input_shape)
    rows: list[ShapeRow] = []

    def record(name: str, module: nn.Module, out: object) -> None:
        rows.append(ShapeRow(name, _describe(module), _shape(out),
                             sum(p.numel() for p in module.parameters())))

    first = next(model.parameters(), None)
    like = first if first is not None and first.is_floating_point() else torch.zeros(())
    was_training = model.training
    model.eval()
    try:
        with leaf_hooks(model, after=record) as started, torch.no_grad():
            model(torch.zeros(shape, dtype=like.dtype, device=like.device))
    except (RuntimeError, ValueError, TypeError) as err:
        so_far = ", ".join(f"{r.name} -> {r.shape}" for r in rows) or "none"
        if len(started) > len(rows):  # a layer started and did not finish
            name, module, _ = started[-1]
            where = f"layer {name} ({_describe(module)})"
        else:
            where = f"{type(model).__name__}.forward (between layers)"
        raise ValueError(f"{where} fails on input {shape} (output shapes so far: {so_far}): "
                         f"{err}") from err
    finally:
        model.train(was_training)
    return rows


def print_shapes(model: nn.Module, input_shape: Sequence[int]) -> None:
    """Print :func:`trace_shapes` as an aligned table and the model's total parameter count."""
    rows = trace_shapes(model, input_shape)
    table = [("layer", "type", "output shape", "params"), ("input", "", str(tuple(input_shape)), "")]
    table += [(r.name, r.layer, str(r.shape), f"{r.params:,}") for r in rows]
    widths = [max(len(row[col]) for row in table) for col in range(4)]
    for row in table:
        print("  ".join([row[0].ljust(widths[0]), row[1].ljust(widths[1]),
                         row[2].ljust(widths[2]), row[3].rjust(widths[3])]).rstrip())
    print(f"total parameters: {sum(p.numel() for p in model.parameters()):,}")
