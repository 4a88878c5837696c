"""nbhelpers.regularisation: weight_norm against a hand sum, compare_runs checked on its
artists and its errors."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pytest
import torch
from shared import curves, fits_slide
from torch import nn

from nbhelpers.regularisation import compare_runs, weight_norm
from nbhelpers.training import History

plt.switch_backend("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_weight_norm_counts_weights_not_biases():
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2), nn.Conv1d(1, 2, 3))
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(2.0)
    # weights: Linear 3*2 = 6 and Conv 2*1*3 = 6 entries of 2; biases and BN left out
    assert math.isclose(weight_norm(model), math.sqrt(12 * 4), rel_tol=1e-6)
    with pytest.raises(ValueError, match="no weight matrices"):
        weight_norm(nn.BatchNorm1d(3))
    with pytest.raises(TypeError, match="nn.Module"):
        weight_norm(torch.ones(3))


def _history(values):
    h = History()
    for i, v in enumerate(values, start=1):
        h.append(epoch=i, train_loss=v, train_acc=1 - v / 4, val_loss=2 * v,
                 val_acc=1 - v / 2, seconds=0.1, lr=0.1)
    return h


def test_compare_runs_draws_one_line_per_run_and_panel():
    runs = {"a": _history([1.0, 0.5, 0.25]), "b": _history([1.0, 0.8, 0.7])}
    fig = compare_runs(runs)
    assert fits_slide(fig) and [ax.get_title() for ax in fig.axes] == [
        "training loss", "validation loss"]
    for ax, factor in zip(fig.axes, (1, 2), strict=True):
        lines = curves(ax) if ax.get_legend() else ax.lines
        assert [tuple(line.get_ydata()) for line in lines] == [
            tuple(factor * v for v in (1.0, 0.5, 0.25)), tuple(factor * v for v in (1.0, 0.8, 0.7))]
    assert [t.get_text() for t in fig.axes[-1].get_legend().get_texts()] == ["a", "b"]
    assert fig.axes[0].lines[0].get_color() == fig.axes[1].lines[0].get_color()
    assert [ax.get_yscale() for ax in fig.axes] == ["log", "log"]      # losses: log scale
    fig.canvas.draw()
    labels = [t.get_text() for ax in fig.axes for minor in (False, True)
              for t in ax.get_yticklabels(minor=minor) if t.get_text()]
    assert "1" in labels and not any("e" in t or "$" in t for t in labels)   # 0.5, not 5e-01
    acc = compare_runs(runs, metrics="val_acc")
    assert len(acc.axes) == 1 and acc.axes[0].get_title() == "validation accuracy"
    assert acc.axes[0].get_yscale() == "linear"


def test_compare_runs_from_epoch_drops_the_first_epochs():
    fig = compare_runs({"a": _history([1.0, 0.5, 0.25])}, metrics="val_loss", from_epoch=2)
    line = curves(fig.axes[0])[0] if fig.axes[0].get_legend() else fig.axes[0].lines[0]
    assert tuple(line.get_xdata()) == (2, 3) and tuple(line.get_ydata()) == (1.0, 0.5)


def test_compare_runs_errors():
    with pytest.raises(ValueError, match="non-empty dict"):
        compare_runs({})
    with pytest.raises(ValueError, match="unknown metrics"):
        compare_runs({"a": _history([1.0])}, metrics=("loss",))
    with pytest.raises(TypeError, match="History"):
        compare_runs({"a": {"train_loss": [1.0]}})
    no_val = History()
    no_val.append(epoch=1, train_loss=1.0, train_acc=None, val_loss=None, val_acc=None,
                  seconds=0.1, lr=0.1)
    with pytest.raises(ValueError, match="no val_loss"):
        compare_runs({"a": no_val})
    with pytest.raises(ValueError, match="from_epoch must be"):
        compare_runs({"a": _history([1.0])}, from_epoch=0)
    with pytest.raises(ValueError, match="nothing to draw"):
        compare_runs({"a": _history([1.0])}, from_epoch=2)
    with pytest.raises(ValueError, match="at most"):
        compare_runs({str(i): _history([1.0]) for i in range(9)})


def test_compare_runs_alt_says_which_line_is_which_run():
    from nbhelpers.display import alt_problem, alt_text

    runs = {"a": _history([1.0, 0.5, 0.25]), "b": _history([1.0, 0.8, 0.7])}
    alt = alt_text(compare_runs(runs))
    assert alt_problem(alt) is None
    assert alt == ("Training loss and validation loss per epoch, epochs 1 to 3, one panel each, "
                   "losses on a log scale; one line per run: a solid, b dashed.")
    alt = alt_text(compare_runs(runs, metrics=("val_acc",), alt_values=True))
    assert "a: validation accuracy 87.5%; b: validation accuracy 65.0%" in alt
