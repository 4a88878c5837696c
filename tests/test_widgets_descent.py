from __future__ import annotations

import ipywidgets as w
import matplotlib.pyplot as plt
import pytest
import torch

from nbhelpers import descent
from nbhelpers.widgets.descent import descent_figure, descent_grid_figure, descent_widget


@pytest.mark.parametrize("surface", sorted(descent.SURFACES))
def test_descent_figure_draws_the_run(surface):
    fig = descent_figure(surface=surface, lr=1e-3, steps=5)
    ax, ax_loss = fig.axes
    path = descent.gradient_descent(surface, lr=1e-3, steps=5)
    assert len(ax_loss.lines[0].get_xdata()) == len(path) == 6
    assert "lr = 0.001" in ax.get_title()
    w_in, h_in = fig.get_size_inches()
    assert w_in <= 11 and h_in <= 4
    plt.close(fig)


def test_titles_report_the_verdict_around_the_limit():
    # parabola: curvature 2, so lr < 1 converges and lr > 1 diverges
    assert "converges" in descent_figure(surface="parabola", lr=0.4, steps=20).axes[0].get_title()
    assert "diverges" in descent_figure(surface="parabola", lr=1.05, steps=20).axes[0].get_title()
    fig = descent_grid_figure(surface="ravine", lrs=(0.002, 0.019, 0.021), steps=40)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0].endswith("slow") and titles[2].endswith("diverges")
    assert "2/λ = 0.02" in fig._suptitle.get_text()
    plt.close("all")


def test_grid_of_four_learning_rates_fits_a_slide():
    fig = descent_grid_figure(surface="parabola", lrs=(0.05, 0.4, 0.9, 1.02), steps=12)
    assert len(fig.axes) == 4
    w_in, h_in = fig.get_size_inches()
    assert w_in <= 11 and h_in <= 4
    plt.close(fig)


def test_grid_rejects_too_many_panels():
    with pytest.raises(ValueError, match="1 to 4"):
        descent_grid_figure(lrs=(0.1, 0.2, 0.3, 0.4, 0.5))


def test_widget_redraws_on_change():
    demo = descent_widget()
    controls = [c for row in demo.children[:-1] for c in row.children]
    assert isinstance(controls[0], w.Dropdown) and isinstance(controls[1], w.FloatLogSlider)
    controls[0].value = "ravine"
    controls[1].value = 0.01
    controls[2].value = 3
    assert repr(demo).startswith("LiveDemo(controls: surface, lr, steps)")
    plt.close("all")


def test_static_and_widget_share_the_computation():
    path = descent.gradient_descent("ravine", lr=0.01, steps=3)
    fig = descent_figure(surface="ravine", lr=0.01, steps=3)
    line = next(ln for ln in fig.axes[0].lines if len(ln.get_xdata()) == 4)
    assert torch.allclose(torch.as_tensor(line.get_xdata()), path[:, 0])
    plt.close(fig)
