"""Draw a small computational graph with each node's value and gradient (lecture 06).

You build the expression yourself from scalar tensors, call ``retain_grad()`` on the
intermediate ones and ``backward()`` on the result; :func:`draw_graph` then lays the nodes
out left to right (inputs first, the loss last) and writes, for every node, its value
(black) and the gradient of the output with respect to it (red, :data:`~nbhelpers.display.WRONG`,
the course's gradient colour).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from nbhelpers.display import WRONG, describe, slide_figure


def layout(
    names: Sequence[str], edges: Sequence[tuple[str, str]]
) -> dict[str, tuple[float, float]]:
    """Positions ``{name: (column, row)}``: a computed node sits one column right of its
    deepest input; an input node sits one column left of its first consumer. Nodes that
    share a column are spread around row 0 in the order of ``names``."""
    known = set(names)
    for a, b in edges:
        if a not in known or b not in known:
            raise ValueError(f"edge ({a!r}, {b!r}) names a node that is not in nodes")
    parents = {n: [a for a, b in edges if b == n] for n in names}
    column: dict[str, int] = {}

    def depth(n: str, seen: tuple[str, ...] = ()) -> int:
        if n in seen:
            raise ValueError(f"the graph has a cycle through {n!r}")
        if n not in column:
            column[n] = 1 + max((depth(p, (*seen, n)) for p in parents[n]), default=-1)
        return column[n]

    for n in names:
        depth(n)
    for n in names:  # pull inputs next to where they are used
        users = [column[b] for a, b in edges if a == n]
        if not parents[n] and users:
            column[n] = min(users) - 1
    pos = {}
    for c in sorted(set(column.values())):
        here = [n for n in names if column[n] == c]
        for i, n in enumerate(here):
            pos[n] = (float(c), (len(here) - 1) / 2 - i)
    return pos


def _draw_node(ax: Axes, name: str, t: torch.Tensor, xy: tuple[float, float], *,
               op: str | None, grad: float | None) -> None:
    """One node at ``xy``: a box with its name and value, the operation above (computed nodes),
    the gradient below in red (when there is one)."""
    x, y = xy
    ax.text(x, y, f"{name}\n{t.item():.3g}", ha="center", va="center", fontsize=13,
            bbox=dict(boxstyle="round,pad=0.35", fc="white" if op is None else "#E8F1FA", ec="k", lw=1.2),
            zorder=3)
    if op is not None:
        ax.text(x, y + 0.36, op, ha="center", va="bottom", fontsize=12, color="0.25")
    if grad is not None:
        ax.text(x, y - 0.36, f"{grad:.3g}", ha="center", va="top", fontsize=13, color=WRONG,
                fontweight="bold")


@slide_figure
def draw_graph(
    nodes: Mapping[str, torch.Tensor],
    edges: Sequence[tuple[str, str]],
    *,
    ops: Mapping[str, str] | None = None,
    output: str | None = None,
    title: str | None = None,
) -> Figure:
    """Draw the graph ``nodes`` (name -> scalar tensor) with arrows ``edges`` (from input to
    result). Each node shows its value; after ``backward()`` each tensor with a ``.grad``
    also shows ∂output/∂node in red. ``ops`` labels computed nodes with their operation
    (e.g. ``{"z": "u + b"}``); ``output`` names the differentiated node (default: the last).
    """
    if not nodes:
        raise ValueError("nodes is empty: pass {name: scalar tensor}")
    for name, t in nodes.items():
        if not isinstance(t, torch.Tensor) or t.numel() != 1:
            raise TypeError(f"node {name!r} must be a scalar tensor, got {type(t).__name__}")
    names = list(nodes)
    output = output or names[-1]
    ops = dict(ops or {})
    pos = layout(names, edges)
    ncols = int(max(x for x, _ in pos.values())) + 1
    nrows = max(sum(1 for p in pos.values() if p[0] == c) for c in range(ncols))
    fig, ax = plt.subplots(figsize=(min(11.0, 1.75 * ncols + 0.5), min(4.0, 1.5 * nrows + 1)))
    for a, b in edges:
        (x0, y0), (x1, y1) = pos[a], pos[b]
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle="-|>", color="0.35", lw=1.5,
                                    shrinkA=24, shrinkB=24, mutation_scale=16))
    for name, t in nodes.items():
        grad = 1.0 if name == output else (t.grad.item() if t.grad is not None else None)
        _draw_node(ax, name, t, pos[name], op=ops.get(name), grad=grad)
    ys = [y for _, y in pos.values()]
    ax.set_xlim(-0.6, ncols - 0.4)
    ax.set_ylim(min(ys) - 0.75, max(ys) + 0.75)
    ax.axis("off")
    ax.set_title(title or f"forward values (black), gradients ∂{output}/∂node (red)", fontsize=14)
    return describe(fig, _alt(nodes, edges, ops, output, title))


def _alt(nodes: Mapping[str, torch.Tensor], edges: Sequence[tuple[str, str]],
         ops: Mapping[str, str], output: str, title: str | None) -> str:
    """The graph in words: each node's value (and how computed nodes are made), then the
    gradients, as the figure writes them (3 significant digits)."""
    def node(name: str) -> str:
        inputs = [a for a, b in edges if b == name]
        how = ops.get(name) or (" and ".join(inputs) if inputs else "")
        made = f" = {how}" if ops.get(name) else (f" from {how}" if how else "")
        return f"{name}{made} = {nodes[name].item():.3g}"

    grads = [f"{name} {1.0 if name == output else t.grad.item():.3g}"
             for name, t in nodes.items() if name == output or t.grad is not None]
    alt = (f"{f'{title}. ' if title else ''}Computational graph, inputs on the left, "
           f"{output} on the right, arrows from each input to the node computed from it. "
           f"Forward values: {'; '.join(node(n) for n in nodes)}.")
    if len(grads) > 1:
        alt += f" Gradients ∂{output}/∂node, written below each node: {', '.join(grads)}."
    return alt
