from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pytest
import torch
from shared import curves, fits_slide

from nbhelpers.schedules import Trace, lr_trace, plot_lr_sweep, plot_schedules

S = torch.optim.lr_scheduler


def test_lr_trace_reads_the_rate_of_every_step():
    trace = lr_trace(lambda o: S.StepLR(o, step_size=3, gamma=0.5), steps=7, lr=0.2)
    assert isinstance(trace, Trace) and trace.lr.dtype == torch.float64
    assert trace.lr.tolist() == [0.2, 0.2, 0.2, 0.1, 0.1, 0.1, 0.05]
    assert trace.momentum.tolist() == [0.9] * 7  # SGD's momentum, untouched by StepLR


def test_lr_trace_matches_a_training_loop_with_one_cycle():
    steps = 20
    trace = lr_trace(lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=steps), steps=steps)
    w = torch.zeros(2, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    sched = S.OneCycleLR(opt, max_lr=0.1, total_steps=steps)
    seen = []
    for _ in range(steps):
        seen.append((opt.param_groups[0]["lr"], opt.param_groups[0]["momentum"]))
        w.sum().backward()
        opt.step()
        sched.step()
    assert trace.lr.tolist() == [lr for lr, _ in seen]
    assert trace.momentum.tolist() == [m for _, m in seen]
    assert math.isclose(trace.lr[0].item(), 0.1 / 25) and trace.momentum[0] == 0.95


def test_lr_trace_bad_input():
    with pytest.raises(ValueError, match="positive int"):
        lr_trace(lambda o: S.StepLR(o, step_size=3), steps=0)
    with pytest.raises(TypeError, match="function"):
        lr_trace("cosine", steps=3)
    other = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(TypeError, match="built on the optimizer"):
        lr_trace(lambda o: S.StepLR(other, step_size=3), steps=3)
    with pytest.raises(TypeError, match="scheduler"):
        lr_trace(lambda o: o, steps=3)


def test_plot_schedules_one_or_two_panels():
    a = lr_trace(lambda o: S.CosineAnnealingLR(o, T_max=50), steps=50)
    b = lr_trace(lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=50), steps=50)
    fig = plot_schedules({"cosine": a.lr, "one-cycle": b.lr})
    assert len(fig.axes) == 1 and fits_slide(fig)
    assert [line.get_label() for line in curves(fig.axes[0])] == ["cosine", "one-cycle"]
    fig = plot_schedules({"lr": b.lr}, momentum={"momentum": b.momentum}, annotate=True)
    ax, ax_m = fig.axes
    assert fits_slide(fig) and ax_m.get_ylabel() == "momentum"
    labels = {t.get_text() for t in ax.texts}
    assert {"0.004", "0.1"} <= labels and len(ax_m.texts) == 3  # start, lowest, end (= start)
    plt.close("all")


def test_plot_schedules_bad_input():
    with pytest.raises(ValueError, match="empty"):
        plot_schedules({})
    with pytest.raises(ValueError, match="momentum is empty"):
        plot_schedules({"a": torch.ones(3)}, momentum={})
    with pytest.raises(ValueError, match="1-D"):
        plot_schedules({"a": torch.ones(2, 3)})
    plt.close("all")


def test_plot_lr_sweep_draws_mean_band_and_pick():
    grid = [0.01, 0.1, 1.0]
    losses = {"SGD": [[1.0, 0.5, 0.8], [1.2, 0.7, 50.0], [1.1, 0.6, 0.9]],
              "Adam": [[0.3, 0.1, 3.0], [0.4, 0.2, 4.0], [0.5, 0.3, 5.0]]}
    fig = plot_lr_sweep(grid, losses, picked={"SGD": 0.1}, panels=[["SGD"], ["Adam"]])
    left, right = fig.axes
    assert fits_slide(fig) and left.get_xscale() == "log" and left.get_yscale() == "log"
    (sgd,) = curves(left)
    assert sgd.get_label() == "SGD"                  # the mean, a diverged run counted as 2
    assert torch.allclose(torch.tensor(sgd.get_ydata()), torch.tensor([1.1, 0.6, 3.7 / 3],
                                                                         dtype=torch.float64))
    dot = [line for line in left.lines if line not in curves(left)]
    assert len(dot) == 1 and list(dot[0].get_xdata()) == [0.1] and list(dot[0].get_ydata()) == [0.6]
    band = left.collections[0].get_paths()[0].vertices[:, 1]
    assert band.max() == 2.0 and band.min() == 0.5       # diverged runs drawn at top=2
    assert [c.get_label() for c in curves(right)] == ["Adam"] and left.get_ylabel()
    assert len(plot_lr_sweep(grid, losses).axes) == 1
    plt.close("all")


def test_plot_lr_sweep_bad_input():
    with pytest.raises(ValueError, match="increasing"):
        plot_lr_sweep([1.0, 0.1], {"a": [[1, 2]]})
    with pytest.raises(ValueError, match="empty"):
        plot_lr_sweep([0.1, 1.0], {})
    with pytest.raises(ValueError, match="one list of 2"):
        plot_lr_sweep([0.1, 1.0], {"a": [[1, 2, 3]]})
    with pytest.raises(ValueError, match="panels"):
        plot_lr_sweep([0.1, 1.0], {"a": [[1, 2]]}, panels=[["b"]])
    plt.close("all")


def test_plot_schedules_alt_gives_start_peak_and_end():
    from nbhelpers.display import alt_problem, alt_text

    lr = torch.tensor([0.01, 0.1, 0.05, 0.001], dtype=torch.float64)
    alt = alt_text(plot_schedules({"one cycle": lr}, momentum={"one cycle": 0.95 - lr}))
    plt.close("all")
    assert alt_problem(alt) is None
    assert ("Learning rate: one cycle starts at 0.01, peaks at 0.1 at step 1 and ends at "
            "0.001 at step 3") in alt
    assert "Momentum: one cycle starts at 0.94, dips to 0.85 at step 1" in alt


def test_plot_lr_sweep_alt_gives_each_optimisers_best_and_picked_rate():
    from nbhelpers.display import alt_problem, alt_text

    alt = alt_text(plot_lr_sweep([0.01, 0.1, 1.0], {"SGD": [[1.0, 0.5, 3.0], [0.8, 0.3, 2.0]],
                                                    "Adam": [[0.2, 0.4, 3.0]]},
                                 picked={"SGD": 0.1, "Adam": 0.1}))
    plt.close("all")
    assert alt_problem(alt) is None and "the mean over 2 seeds" in alt
    assert ("SGD lowest 0.4 at 0.1, the rate picked; Adam lowest 0.2 at 0.01, picked 0.1 "
            "(0.4)") in alt
