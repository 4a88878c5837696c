"""nbhelpers.neuron (perceptron helpers) and nbhelpers.widgets.neuron (lecture 01 demos)."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from nbhelpers.neuron import (  # noqa: E402
    BINARY_INPUTS,
    GATES,
    gate_name,
    perceptron,
    step,
    truth_table,
)
from nbhelpers.widgets import LiveDemo  # noqa: E402
from nbhelpers.widgets import neuron as demo  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_step_is_heaviside_with_zero_at_zero():
    z = torch.tensor([-2.0, -1e-7, 0.0, 1e-7, 3.0])
    assert step(z).tolist() == [0.0, 0.0, 0.0, 1.0, 1.0]
    assert torch.equal(step(z), torch.heaviside(z, torch.tensor(0.0)))
    assert step(torch.tensor([1, -1])).dtype == torch.float32
    with pytest.raises(TypeError, match="torch.Tensor"):
        step([1.0, 2.0])


def test_binary_inputs_and_gate_tables_match_python_logic():
    for (a, b), name_fn in itertools.product(
        [(0, 0), (0, 1), (1, 0), (1, 1)],
        [("AND", lambda a, b: a and b), ("OR", lambda a, b: a or b),
         ("NAND", lambda a, b: not (a and b)), ("NOR", lambda a, b: not (a or b)),
         ("XOR", lambda a, b: a != b), ("XNOR", lambda a, b: a == b)],
    ):
        name, fn = name_fn
        row = BINARY_INPUTS.tolist().index([float(a), float(b)])
        assert GATES[name][row] == float(bool(fn(a, b))), (name, a, b)


def test_perceptron_batch_and_single_agree_with_torch_linear():
    w, b = torch.tensor([0.7, -1.2, 0.4]), 0.1
    x = torch.randn(50, 3)
    lin = torch.nn.Linear(3, 1)
    with torch.no_grad():
        lin.weight.copy_(w.unsqueeze(0))
        lin.bias.fill_(b)
    expected = (lin(x).squeeze(1) > 0).float()
    assert torch.equal(perceptron(x, w, b), expected)
    assert perceptron(x[0], w, b).shape == ()
    assert perceptron(x[0], w, b) == expected[0]


def test_perceptron_rejects_bad_shapes():
    with pytest.raises(ValueError, match="shape"):
        perceptron(torch.zeros(4, 3), torch.zeros(2), 0.0)
    with pytest.raises(ValueError, match="shape"):
        perceptron(torch.zeros(2, 2, 2), torch.zeros(2), 0.0)


@pytest.mark.parametrize("name, weights", demo.GATE_WEIGHTS.items())
def test_lecture_gate_weights_give_their_gate(name, weights):
    assert torch.equal(truth_table(*weights), GATES[name])
    assert gate_name(truth_table(*weights)) == name


def test_gate_name_names_all_sixteen_functions_once():
    names = {gate_name(torch.tensor(t, dtype=torch.float32))
             for t in itertools.product([0, 1], repeat=4)}
    assert None not in names and len(names) == 16
    with pytest.raises(ValueError, match="4 outputs"):
        gate_name(torch.zeros(3))


def test_perceptron_figure_shows_live_truth_table():
    fig = demo.perceptron_figure(-1.0, -1.0, 0.5)
    assert isinstance(fig, Figure)
    assert any("NOR" in ax.get_title() for ax in fig.axes)
    w, h = fig.get_size_inches()
    assert w <= 11 and h <= 4


def test_gates_figure_has_one_panel_per_gate():
    fig = demo.gates_figure()
    titles = [ax.get_title() for ax in fig.axes]
    assert [t.split(":")[0] for t in titles] == ["AND", "OR", "NAND"]
    assert fig.get_size_inches()[0] <= 11
    four = demo.gates_figure({**demo.GATE_WEIGHTS, "NOR": (-1.0, -1.0, 0.5)})
    assert len(four.axes) == 4 and four.get_size_inches()[0] <= 11
    with pytest.raises(ValueError, match="1 to 4 gates"):
        demo.gates_figure({f"g{i}": (1.0, 1.0, -1.5) for i in range(5)})


def test_xor_figure_hidden_points_are_or_nand_of_inputs():
    fig = demo.xor_figure()
    assert len(fig.axes) == 2
    right = fig.axes[1]
    offsets = torch.tensor([c.get_offsets()[0].tolist() for c in right.collections
                            if isinstance(c, PathCollection)])  # the scatter dots
    expected = torch.stack([GATES["OR"], GATES["NAND"]], dim=1)
    assert torch.equal(offsets.double(), expected.double())


def test_training_figure_validates_input():
    X, y = torch.rand(5, 2), torch.tensor([0, 1, 0, 1, 1])
    fig = demo.training_figure(X, y, [(torch.tensor([1.0, -1.0]), 0.0)], true_line=(1, -1, 0))
    assert isinstance(fig, Figure)
    with pytest.raises(ValueError, match="shape"):
        demo.training_figure(torch.rand(5, 3), y, [])


def test_vertical_and_degenerate_lines_do_not_crash():
    assert isinstance(demo.perceptron_figure(1.0, 0.0, -0.5), Figure)   # x1 = 0.5
    assert isinstance(demo.perceptron_figure(0.0, 0.0, 1.0), Figure)    # no line: always 1


def test_perceptron_widget_redraws_with_its_sliders():
    box = demo.perceptron_widget()
    assert isinstance(box, LiveDemo)
    assert repr(box).startswith("LiveDemo(controls: w1, w2, b)")
    sliders = [c for row in box.children[:-1] for c in row.children]
    assert [s.value for s in sliders] == [1.0, 1.0, -1.5]
    sliders[2].value = -0.5  # becomes OR; redraw must not raise
    assert plt.get_fignums() == []  # live() closes what it drew


def test_network_figure_draws_every_connection():
    fig = demo.network_figure((4, 5, 3))
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 4 * 5 + 5 * 3
    with pytest.raises(ValueError, match="two layers"):
        demo.network_figure((4,))
    with pytest.raises(ValueError, match="one label per layer"):
        demo.network_figure((2, 2), labels=["in"])
