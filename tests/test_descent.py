from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pytest
import torch

from nbhelpers import descent
from nbhelpers.descent import (
    SURFACES,
    get_surface,
    gradient,
    gradient_descent,
    max_stable_lr,
    path_losses,
    plot_paths,
    trajectory,
    verdict,
)


def test_surfaces_have_their_minimum_where_stated():
    for s in SURFACES.values():
        m = torch.tensor(s.minimum, dtype=torch.float64)
        assert gradient(s, m).norm() < 1e-5, s.name
        nearby = m + 0.05 * torch.randn(50, s.dim, generator=torch.Generator().manual_seed(0),
                                        dtype=torch.float64)
        assert (s(nearby) >= s(m) - 1e-9).all(), s.name


def test_quadratic_curvatures_are_the_hessian_maxima():
    for s in SURFACES.values():
        if s.curvature is None:
            continue
        w = torch.tensor(s.start, dtype=torch.float64)
        hess = torch.autograd.functional.hessian(lambda v, s=s: s(v), w)
        assert math.isclose(torch.linalg.eigvalsh(hess).max().item(), s.curvature)


def test_gradient_descent_is_the_textbook_update():
    s = get_surface("ravine")
    path = gradient_descent(s, lr=0.01, steps=3)
    w = torch.tensor(s.start, dtype=torch.float64)
    for k in range(3):
        w = w - 0.01 * torch.tensor([1.0, 100.0], dtype=torch.float64) * w  # ∇L = (w1, 100 w2)
        assert torch.allclose(path[k + 1], w)


def test_gradient_descent_equals_torch_sgd():
    for name in SURFACES:
        ours = gradient_descent(name, lr=1e-3, steps=25)
        torchs = trajectory(name, torch.optim.SGD, lr=1e-3, steps=25)
        assert torch.allclose(ours, torchs, atol=1e-12), name


@pytest.mark.parametrize("name", ["parabola", "ravine"])
def test_two_over_curvature_separates_convergence_from_divergence(name):
    s = get_surface(name)
    limit = max_stable_lr(s.curvature)
    below = gradient_descent(s, lr=0.95 * limit, steps=300)
    above = gradient_descent(s, lr=1.05 * limit, steps=300)
    assert path_losses(s, below)[-1] < 1e-3 * path_losses(s, below)[0]
    assert len(above) < 301 or path_losses(s, above)[-1] > path_losses(s, above)[0]
    assert verdict(s, above, 300) == "diverges"


def test_diverging_runs_stop_early():
    path = gradient_descent("parabola", lr=3.0, steps=1000)
    assert len(path) < 1000 and path[-1].abs().max() > descent.DIVERGED


def test_verdicts():
    assert verdict("parabola", gradient_descent("parabola", lr=0.4, steps=20), 20) == "converges"
    assert verdict("parabola", gradient_descent("parabola", lr=0.01, steps=20), 20) == "slow"
    local = gradient_descent("double well", lr=0.05, steps=50)
    assert verdict("double well", local, 50) == "stuck in a local minimum"
    assert abs(local[-1].item() - 0.9304) < 1e-3
    assert verdict("double well", gradient_descent("double well", lr=0.15, steps=50), 50) == \
        "converges"


def test_trajectory_runs_any_optimizer():
    path = trajectory("rosenbrock", torch.optim.Adam, lr=0.1, steps=10)
    assert path.shape == (11, 2) and path.dtype == torch.float64
    with pytest.raises(TypeError, match="torch.optim class"):
        trajectory("ravine", "adam", steps=3)


def test_bad_inputs():
    with pytest.raises(ValueError, match="unknown surface"):
        get_surface("himmelblau")
    with pytest.raises(ValueError, match="lr must be > 0"):
        gradient_descent("parabola", lr=0, steps=3)
    with pytest.raises(ValueError, match="steps"):
        gradient_descent("parabola", lr=0.1, steps=-1)
    with pytest.raises(ValueError, match="start must have 2"):
        gradient_descent("ravine", lr=0.1, steps=1, start=(1.0,))
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)"):
        SURFACES["ravine"](torch.zeros(3))
    with pytest.raises(ValueError, match="positive"):
        max_stable_lr(0.0)


def test_plot_paths_one_line_per_path():
    paths = {"SGD": trajectory("ravine", torch.optim.SGD, lr=0.01, steps=20),
             "Adam": trajectory("ravine", torch.optim.Adam, lr=0.1, steps=20)}
    fig = plot_paths("ravine", paths)
    ax, ax_loss = fig.axes
    assert [ln.get_label() for ln in ax_loss.lines] == ["SGD", "Adam"]
    assert fig.get_size_inches()[0] <= 11 and fig.get_size_inches()[1] <= 4
    with pytest.raises(ValueError, match="empty"):
        plot_paths("ravine", {})
    plt.close("all")


def test_spirals():
    x, y = descent.spirals(n=50, classes=3, noise=0.0)
    assert x.shape == (150, 2) and y.shape == (150,) and y.dtype == torch.int64
    assert torch.equal(torch.bincount(y), torch.tensor([50, 50, 50]))
    radius = x.norm(dim=1)
    assert torch.allclose(radius[:50], torch.linspace(0.1, 1.0, 50), atol=1e-6)
    # without noise, arm k is arm 0 turned by k * 120 degrees
    turn = torch.tensor([[math.cos(2 * math.pi / 3), math.sin(2 * math.pi / 3)],
                         [-math.sin(2 * math.pi / 3), math.cos(2 * math.pi / 3)]])
    assert torch.allclose(x[:50] @ turn, x[50:100], atol=1e-5)
    a, _ = descent.spirals(seed=1)
    b, _ = descent.spirals(seed=1)
    assert torch.equal(a, b)
    with pytest.raises(ValueError, match="classes"):
        descent.spirals(classes=1)


def test_batch_size_figure_draws_a_band_per_batch_size_on_both_axes():
    curves = {"1": [[30.0, 2.0, 1.01, 1.001]] * 3, "256": [[30.0, 1.0, 1.0, 1.0]] * 3}
    results = {"n": 4, "batch_sizes": [1, 4], "keep_every": {"1": 1, "4": 1},
               "curves": {"1": curves["1"], "4": curves["256"]},
               "best_lr": {"1": 0.01, "4": 0.5},
               "median_step_seconds": {"1": 1e-3, "4": 2e-3}}
    fig = descent.batch_size_figure(results)
    ax_e, ax_t = fig.axes
    assert [line.get_label() for line in ax_e.lines] == ["m = 1, η = 0.01", "m = 4, η = 0.5"]
    x_e, y_e = ax_e.lines[1].get_data()               # m = 4 = N: one step per epoch
    assert list(x_e) == [0, 1, 2, 3] and y_e[-1] == descent.EXCESS_FLOOR   # 0 drawn at floor
    x_t, _ = ax_t.lines[0].get_data()                 # m = 1: steps × 1 ms / 2 ms, no step 0
    assert list(x_t) == [0.5, 1.0, 1.5] and ax_t.get_xscale() == "log"
    plt.close("all")


def test_plot_paths_alt_names_the_surface_the_paths_and_where_they_end():
    from nbhelpers.display import alt_problem, alt_text

    paths = {"lr 0.015": descent.gradient_descent("ravine", lr=0.015, steps=20),
             "lr 0.019": descent.gradient_descent("ravine", lr=0.019, steps=20)}
    alt = alt_text(descent.plot_paths("ravine", paths))
    assert alt_problem(alt) is None
    assert "paths of lr 0.015 and lr 0.019" in alt and "L(w) = 1/2 (w1² + 100 w2²)" in alt
    assert "minimum (star) at (0, 0)" in alt and "starting (large dot) at (-4, 1)" in alt
    assert "lr 0.015 ends 4.4 above it after 20 steps" in alt
    plt.close("all")


def test_batch_size_figure_alt_gives_each_batch_sizes_end():
    from nbhelpers.display import alt_problem, alt_text

    curves = {"1": [[2.0, 1.1, 1.01, 1.001]] * 2, "4": [[2.0, 1.5, 1.2, 1 + 1e-9]] * 2}
    results = {"n": 4, "batch_sizes": [1, 4], "curves": curves,
               "keep_every": {"1": 1, "4": 1}, "median_step_seconds": {"1": 1e-3, "4": 2e-3},
               "best_lr": {"1": 0.1, "4": 0.4}}
    alt = alt_text(descent.batch_size_figure(results))
    assert alt_problem(alt) is None and "batch sizes 1 and 4" in alt
    assert "m = 1 ends at 0.001 after 0.75 epochs, 1.5 full-batch steps of time" in alt
    assert "m = 4 ends at the floor, 1e-7" in alt
    plt.close("all")
