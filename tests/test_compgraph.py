from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
import torch

from nbhelpers.compgraph import draw_graph, layout
from nbhelpers.display import WRONG

EDGES = [("w", "u"), ("x", "u"), ("u", "z"), ("b", "z"), ("z", "L")]


def _graph():
    w, x, b = (torch.tensor(v, requires_grad=True) for v in (2.0, 3.0, -1.0))
    u = w * x
    z = u + b
    L = z**2
    for t in (u, z):
        t.retain_grad()
    L.backward()
    return {"w": w, "x": x, "u": u, "b": b, "z": z, "L": L}


def test_layout_puts_inputs_left_of_their_use():
    pos = layout(["w", "x", "u", "b", "z", "L"], EDGES)
    assert pos["w"][0] == pos["x"][0] == 0 and pos["u"][0] == 1
    assert pos["b"][0] == 1 and pos["z"][0] == 2 and pos["L"][0] == 3
    assert pos["w"][1] != pos["x"][1]


def test_layout_rejects_unknown_nodes_and_cycles():
    with pytest.raises(ValueError, match="not in nodes"):
        layout(["a"], [("a", "b")])
    with pytest.raises(ValueError, match="cycle"):
        layout(["a", "b"], [("a", "b"), ("b", "a")])


def test_draw_graph_writes_values_and_gradients():
    nodes = _graph()
    fig = draw_graph(nodes, EDGES, ops={"u": "w·x", "z": "u + b", "L": "z²"})
    texts = [t for t in fig.axes[0].texts if t.get_text()]
    grads = {t.get_text() for t in texts if t.get_color() == WRONG}
    # z = 5, L = 25: dL/dz = 10, dL/du = dL/db = 10, dL/dw = 10·x = 30, dL/dx = 10·w = 20
    assert grads == {"1", "10", "30", "20"}
    assert any(t.get_text() == "L\n25" for t in texts)
    assert any(t.get_text() == "w·x" for t in texts)
    assert fig.get_size_inches()[0] <= 11 and fig.get_size_inches()[1] <= 4
    plt.close(fig)


def test_draw_graph_checks_its_input():
    with pytest.raises(ValueError, match="empty"):
        draw_graph({}, [])
    with pytest.raises(TypeError, match="scalar tensor"):
        draw_graph({"a": torch.zeros(3)}, [])


def test_draw_graph_alt_gives_values_and_gradients():
    from nbhelpers.display import alt_problem, alt_text

    alt = alt_text(draw_graph(_graph(), EDGES, ops={"u": "w·x", "z": "u + b", "L": "z²"}))
    plt.close("all")
    assert alt_problem(alt) is None
    assert "w = 2; x = 3; u = w·x = 6; b = -1; z = u + b = 5; L = z² = 25" in alt
    assert ("Gradients ∂L/∂node, written below each node: w 30, x 20, u 10, b 10, z 10, "
            "L 1") in alt
