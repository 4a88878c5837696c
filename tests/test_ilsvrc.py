"""nbhelpers.ilsvrc: the published ILSVRC winners and their slide figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from nbhelpers import ilsvrc  # noqa: E402
from nbhelpers.ilsvrc import HUMAN_TOP5_ERROR, WINNERS, Result  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_winners_are_the_published_numbers():
    table = {r.year: (r.team, r.top5_error) for r in WINNERS}
    assert table == {
        2010: ("NEC-UIUC", 28.2), 2011: ("XRCE", 25.8), 2012: ("SuperVision", 16.4),
        2013: ("Clarifai", 11.7), 2014: ("GoogLeNet", 6.7), 2015: ("MSRA", 3.57),
        2016: ("Trimps-Soushen", 2.99), 2017: ("WMW", 2.25),
    }
    assert HUMAN_TOP5_ERROR == 5.1
    assert (ilsvrc.CLASSES, ilsvrc.TRAIN_IMAGES) == (1000, 1_281_167)  # ILSVRC 2012 train set


def test_winners_improve_every_year_and_deep_nets_from_2012():
    errors = [r.top5_error for r in WINNERS]
    assert errors == sorted(errors, reverse=True)
    assert [r.deep for r in WINNERS] == [r.year >= 2012 for r in WINNERS]
    drops = {b.year: a.top5_error - b.top5_error for a, b in zip(WINNERS[:-1], WINNERS[1:], strict=True)}
    assert max(drops, key=drops.get) == 2012  # AlexNet's year: the largest drop


def test_plot_has_one_labelled_bar_per_year_and_the_human_line():
    fig = ilsvrc.plot_top5_errors()
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches]
    assert heights == [r.top5_error for r in WINNERS]
    assert [t.get_text() for t in ax.texts] == [f"{r.top5_error:g}" for r in WINNERS]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[2] == "2012\nAlexNet" and len(ticks) == len(WINNERS)
    assert [line.get_ydata()[0] for line in ax.get_lines()] == [HUMAN_TOP5_ERROR]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "deep convolutional network" in legend and "a trained human: 5.1" in legend
    w, h = fig.get_size_inches()
    assert w <= 11 and h <= 4


def test_plot_colours_by_kind_and_can_drop_the_human_line():
    fig = ilsvrc.plot_top5_errors(WINNERS[:3], human=None)
    ax = fig.axes[0]
    colours = [tuple(p.get_facecolor()) for p in ax.patches]
    assert colours[0] == colours[1] != colours[2]
    assert ax.get_lines() == []


def test_plot_rejects_bad_input():
    with pytest.raises(ValueError, match="ilsvrc.Result"):
        ilsvrc.plot_top5_errors([])
    with pytest.raises(ValueError, match="ilsvrc.Result"):
        ilsvrc.plot_top5_errors([(2012, "x", "y", 16.4, True)])
    with pytest.raises(ValueError, match="percentage"):
        ilsvrc.plot_top5_errors([Result(2012, "x", "y", 164.0, True)])


def test_plot_alt_gives_every_bar_the_two_kinds_and_the_human_line():
    from nbhelpers.display import alt_problem, alt_text

    fig = ilsvrc.plot_top5_errors()
    alt = alt_text(fig)
    assert alt_problem(alt) is None
    assert "2012 AlexNet 16.4%" in alt and "2017 SENet 2.25%" in alt
    assert "hand-designed features (plain bars) 2010 to 2011" in alt
    assert "deep convolutional networks (hatched bars) 2012 to 2017" in alt
    assert "trained human at 5.1%, first beaten in 2015 by ResNet" in alt
    hatches = [p.get_hatch() for p in fig.axes[0].patches]   # colour is not the only cue
    assert hatches == [None if not r.deep else "//" for r in WINNERS] or hatches == [
        "" if not r.deep else "//" for r in WINNERS]
