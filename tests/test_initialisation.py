"""nbhelpers.initialisation: the deep MLP, the per-layer signal statistics (checked against
a hand computation and the variance argument), and their figure."""

from __future__ import annotations

import math

import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from nbhelpers.initialisation import SignalStats, linear_stack, plot_signal_stats, signal_stats


def test_deep_mlp_layers():
    net = linear_stack(depth=3, width=8, activation="tanh")
    assert len(net) == 6
    assert all(isinstance(m, nn.Linear) and m.bias is None and m.weight.shape == (8, 8)
               for m in net[::2])
    assert all(isinstance(m, nn.Tanh) for m in net[1::2])
    assert net(torch.randn(5, 8)).shape == (5, 8)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"depth": 0, "width": 8}, "depth"), ({"depth": 2, "width": 2.5}, "width"),
    ({"depth": True, "width": 8}, "depth"), ({"depth": 2, "width": 8, "activation": "elu"},
                                             "unknown activation"),
])
def test_deep_mlp_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        linear_stack(**kwargs)


def test_signal_stats_matches_a_hand_computation():
    torch.manual_seed(0)
    net = linear_stack(depth=2, width=6, activation="relu")
    st = signal_stats(net, batch=10, seed=3)
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(10, 6, generator=gen)
    w1, w2 = net[0].weight.detach(), net[2].weight.detach()
    h1 = (x @ w1.T).relu()
    h2 = (h1 @ w2.T).relu()
    g = torch.randn(10, 6, generator=gen)
    g2 = g                                             # dL/dh2
    g1 = (g2 * (h1 @ w2.T > 0)) @ w2                   # back through relu and layer 2
    assert isinstance(st, SignalStats)
    assert st.forward == pytest.approx([h1.std().item(), h2.std().item()], rel=1e-5)
    assert st.backward == pytest.approx([g1.std().item(), g2.std().item()], rel=1e-5)
    assert net[0].weight.grad is not None                 # gradients were computed
    assert torch.equal(net[0].weight.detach(), w1)        # weights untouched


def test_signal_stats_follows_the_variance_argument():
    # He init on ReLU keeps E[h^2] (so the std) flat; N(0, s^2) multiplies E[h^2] by
    # n_in s^2 / 2 per layer
    torch.manual_seed(0)
    net = linear_stack(depth=10, width=256, activation="relu")
    for layer in net[::2]:
        nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
    st = signal_stats(net)
    assert 0.7 < st.forward[-1] / st.forward[0] < 1.4
    assert 0.7 < st.backward[0] / st.backward[-1] < 1.4
    for layer in net[::2]:
        nn.init.normal_(layer.weight, std=0.2)
    st = signal_stats(net)
    per_layer = (st.forward[-1] / st.forward[0]) ** (1 / 9)
    assert per_layer == pytest.approx(math.sqrt(256 * 0.04 / 2), rel=0.05)


def test_signal_stats_reports_overflow_as_not_finite():
    torch.manual_seed(0)
    net = linear_stack(depth=40, width=256, activation="relu")
    for layer in net[::2]:
        nn.init.normal_(layer.weight, std=1.0)
    assert not math.isfinite(signal_stats(net).forward[-1])


def test_signal_stats_rejects_bad_input():
    with pytest.raises(TypeError, match="nn.Sequential starting with an nn.Linear"):
        signal_stats(nn.Sequential(nn.ReLU(), nn.Linear(3, 3)))
    with pytest.raises(TypeError, match="nn.Sequential"):
        signal_stats(nn.Linear(3, 3))
    with pytest.raises(ValueError, match="batch"):
        signal_stats(linear_stack(depth=1, width=3), batch=1)
    with pytest.raises(ValueError, match="no activation"):
        signal_stats(nn.Sequential(nn.Linear(3, 3)))


def test_plot_signal_stats():
    st = SignalStats(forward=[1.0, 0.1, 0.01], backward=[0.01, 0.1, 1.0])
    fig = plot_signal_stats({"a": st, "b": SignalStats([1, 1, 1], [1, 1, 1])})
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert all(ax.get_yscale() == "log" and len(ax.get_lines()) == 3 for ax in fig.axes)
    assert list(fig.axes[0].get_lines()[0].get_ydata()) == [1.0, 0.1, 0.01]
    with pytest.raises(ValueError, match="empty"):
        plot_signal_stats({})


def test_plot_lr_sweep():
    from nbhelpers.initialisation import plot_lr_sweep

    val = {"a": {"0.1": [0.9, 0.92], "1.0": [0.8, 0.85], "0.01": [0.5, 0.6]},
           "b": {"0.1": [float("nan"), 0.3], "1.0": [0.1, 0.1], "0.01": [0.7, 0.7]}}
    fig = plot_lr_sweep(val, labels={"a": "arm A"}, best={"a": 0.1, "b": 0.01},
                        zoom=(0.6, 1.0))
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    mean_a = ax.get_lines()[0]
    assert list(mean_a.get_xdata()) == [0.01, 0.1, 1.0]
    assert [round(v, 3) for v in mean_a.get_ydata()] == [0.55, 0.91, 0.825]
    mean_b = [ln for ln in ax.get_lines() if ln.get_label() == "b"][0]
    assert round(mean_b.get_ydata()[1], 3) == 0.2                 # NaN drawn at chance
    assert fig.axes[1].get_ylim() == (0.6, 1.0)
    assert len(plot_lr_sweep(val).axes) == 1
    with pytest.raises(ValueError, match="empty"):
        plot_lr_sweep({})


def test_plot_signal_stats_alt_gives_orders_of_magnitude():
    import matplotlib.pyplot as plt

    from nbhelpers.display import alt_problem, alt_text

    runs = {"exploding": SignalStats(forward=[9.4, 3.4e31], backward=[3.14e13, 1.0]),
            "flat": SignalStats(forward=[0.83, 0.86], backward=[1.2, 1.0])}
    alt = alt_text(plot_signal_stats(runs))
    plt.close("all")
    assert alt_problem(alt) is None and "layers 1 to 2" in alt
    # floor of the power of ten: tanh's chaotic second digit cannot change it
    assert ("“exploding” (solid): forward 9.4 to about 1e31, backward about 1e13 to "
            "1.0") in alt
    assert "“flat” (dashed): forward 0.8 to 0.9, backward 1.2 to 1.0" in alt


def test_plot_lr_sweep_alt_gives_each_arms_best_rate_and_score():
    import matplotlib.pyplot as plt

    from nbhelpers.display import alt_problem, alt_text
    from nbhelpers.initialisation import plot_lr_sweep

    val_acc = {"bn": {"0.1": [0.95, 0.97], "1": [float("nan"), 0.9]},
               "he": {"0.1": [0.9, 0.92], "1": [0.93, 0.95]}}
    alt = alt_text(plot_lr_sweep(val_acc, labels={"bn": "batch norm"}, best={"bn": 0.1,
                                                                            "he": 0.1}))
    plt.close("all")
    assert alt_problem(alt) is None and "0.1 to 1 (log scale)" in alt
    assert "batch norm best at 0.1 (96.0%), the rate picked" in alt
    assert "he best at 1 (94.0%), picked 0.1 (91.0%)" in alt
