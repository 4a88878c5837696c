"""nbhelpers.training.history: History (table, summary, dict round trip) and its figure
plot_history (checked on the artists, not by eye)."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from shared import curves as _curves
from shared import fits_slide as _fits_slide

from nbhelpers.training import History, plot_history

plt.switch_backend("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")




# --------------------------------------------------------------------------- History


def _history() -> History:
    h = History()
    h.append(epoch=1, train_loss=0.5, train_acc=0.8, val_loss=0.25, val_acc=0.9125,
             seconds=1.25, lr=0.1)
    h.append(epoch=2, train_loss=0.125, train_acc=0.95, val_loss=0.2, val_acc=0.93,
             seconds=12.0, lr=0.05)
    return h


def test_history_table_and_repr():
    h = _history()
    assert h.table().splitlines() == [
        "epoch  train loss  train acc  val loss  val acc    lr  seconds",
        "    1      0.5000     80.00%    0.2500   91.25%   0.1      1.2",
        "    2      0.1250     95.00%    0.2000   93.00%  0.05     12.0",
    ]
    assert "seconds" not in h.table(seconds=False)
    h.lr[1] = 0.1
    assert "lr" not in h.table()
    assert repr(h) == ("History(2 epochs; epoch 2: train loss 0.1250, train acc 95.00%, "
                       "val loss 0.2000, val acc 93.00%)")
    assert h._repr_html_().startswith("<pre>History(2 epochs")
    assert len(h._repr_html_()) < 200
    assert repr(History()) == "History(0 epochs; no epochs yet)"
    with pytest.raises(ValueError, match="exactly these keys"):
        h.append(epoch=3)


def test_history_dict_round_trip_and_plot():
    h = _history()
    d = h.to_dict()
    assert d["val_acc"] == [0.9125, 0.93] and set(d) >= {"epoch", "lr", "seconds"}
    assert History.from_dict(d) == h
    fig = h.plot()
    assert isinstance(fig, Figure) and len(fig.axes) == 2 and _fits_slide(fig)


def test_history_test_names_are_deprecated_aliases():
    h = _history()
    with pytest.warns(DeprecationWarning, match="History.val_acc") as caught:
        assert h.test_acc is h.val_acc
    assert caught[0].filename == __file__  # points at the caller
    with pytest.warns(DeprecationWarning, match="History.val_loss"):
        assert h.test_loss == [0.25, 0.2]


# --------------------------------------------------------------------------- plot_history

HISTORY = {
    "epoch": [1, 2, 3],
    "train_loss": [1.0, 0.5, 0.3],
    "val_loss": [0.8, 0.6, 0.5],
    "train_acc": [0.6, 0.8, 0.9],
    "val_acc": [0.7, 0.75, 0.8],
    "seconds": [1.0, 1.0, 1.0],
}


def test_plot_history_train_vs_val_per_metric():
    fig = plot_history(HISTORY)
    assert len(fig.axes) == 2 and _fits_slide(fig)
    loss, acc = fig.axes
    assert (loss.get_title(), acc.get_title()) == ("loss", "accuracy")
    train, val = _curves(loss)
    assert (train.get_label(), val.get_label()) == ("train", "val")
    assert list(train.get_xdata()) == [1, 2, 3] and list(val.get_ydata()) == [0.8, 0.6, 0.5]
    assert list(_curves(acc)[1].get_ydata()) == [0.7, 0.75, 0.8]


def test_plot_history_reads_attributes_and_skips_empty_series():
    history = SimpleNamespace(
        epoch=[1, 2],
        train_loss=[torch.tensor(0.9), 0.4],
        train_acc=[0.5, 0.7],
        val_loss=[],
        val_acc=[],
    )
    fig = plot_history(history)
    assert len(fig.axes) == 2
    assert [[line.get_label() for line in _curves(ax)] for ax in fig.axes] == [["train"]] * 2
    assert np.allclose(_curves(fig.axes[0])[0].get_ydata(), [0.9, 0.4])


def test_plot_history_one_metric_and_no_epoch_list():
    fig = plot_history({"train_loss": [3.0, 2.0, 1.0]}, metrics=("loss", "accuracy"))
    assert len(fig.axes) == 1
    assert list(_curves(fig.axes[0])[0].get_xdata()) == [1, 2, 3]
    assert len(plot_history(HISTORY, metrics="loss").axes) == 1


def test_plot_history_of_a_training_history_without_val_data():
    history = History()
    for epoch, loss, acc in [(1, 0.9, 0.6), (2, 0.5, 0.8)]:
        history.append(epoch=epoch, train_loss=loss, train_acc=acc, val_loss=None,
                       val_acc=None, seconds=1.0, lr=0.1)  # what fit() stores without val
    fig = plot_history(history)
    assert [[line.get_label() for line in _curves(ax)] for ax in fig.axes] == [["train"]] * 2
    assert list(_curves(fig.axes[1])[0].get_ydata()) == [0.6, 0.8]


def test_plot_history_missing_values_become_gaps():
    fig = plot_history({"train_loss": [1.0, None, 0.5], "train_acc": [None, None, None]})
    assert len(fig.axes) == 1  # accuracy was never measured
    assert np.isnan(_curves(fig.axes[0])[0].get_ydata()[1])


@pytest.mark.parametrize(
    ("history", "error", "match"),
    [
        ({"train_loss": []}, ValueError, "no values"),
        ({"epoch": [1, 2], "train_loss": [1.0]}, ValueError, "1 values but epoch has 2"),
        ([1.0, 0.5], TypeError, "History or a dict"),
    ],
)
def test_plot_history_rejects_bad_input(history, error, match):
    before = plt.get_fignums()
    with pytest.raises(error, match=match):
        plot_history(history)
    assert plt.get_fignums() == before, "a failed call must not leave a figure behind"


def test_plot_history_alt_names_panels_and_lines_and_values_only_when_asked():
    from nbhelpers.display import alt_problem, alt_text

    alt = alt_text(plot_history(_history()))
    assert alt_problem(alt) is None
    assert alt == ("Loss and accuracy per epoch, epochs 1 to 2, one panel each: training as a "
                   "solid line and validation as a dashed line.")
    alt = alt_text(plot_history(_history(), alt_values=True))
    assert "train loss 0.125, val loss 0.2, best val loss 0.2 at epoch 2" in alt
    assert "val accuracy 93.0%" in alt
