"""Learning-rate schedules for the optimisers lecture (07): what a ``torch.optim.lr_scheduler``
does to the optimiser, step by step.

* :func:`lr_trace` runs a scheduler on one dummy parameter and records the learning rate and
  the momentum that every optimiser step uses;
* :func:`plot_schedules` draws such learning-rate curves (and momentum curves beside them)
  against the step;
* :func:`plot_lr_sweep` draws a learning-rate sweep over several seeds: for each optimiser
  the mean loss against the learning rate, the band from the lowest to the highest seed,
  and the rate picked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from nbhelpers.display import PALETTE, describe, slide_figure
from nbhelpers.plotting._common import num, series_style, style_words, words_list

__all__ = ["Trace", "lr_trace", "plot_lr_sweep", "plot_schedules"]

Scheduler = torch.optim.lr_scheduler.LRScheduler


class Trace(NamedTuple):
    """What a schedule gives the optimiser: ``lr[t]`` and ``momentum[t]`` are the learning rate
    and momentum of step ``t = 0, 1, ..., steps − 1``; both of shape ``(steps,)``, float64."""

    lr: torch.Tensor
    momentum: torch.Tensor


def lr_trace(make_scheduler: Callable[[torch.optim.Optimizer], Scheduler], *, steps: int,
             lr: float = 0.1, momentum: float = 0.9) -> Trace:
    """The learning rate (and momentum) of each of ``steps`` optimiser steps under a scheduler.

    Builds ``torch.optim.SGD([p], lr=lr, momentum=momentum)`` on one dummy parameter, then
    ``make_scheduler(optimizer)`` (e.g. ``lambda o: OneCycleLR(o, max_lr=0.1,
    total_steps=100)``), and reads ``param_groups[0]`` before every ``optimizer.step()``;
    ``scheduler.step()`` follows each step, as in a training loop. Returns a :class:`Trace`.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    if not callable(make_scheduler):
        raise TypeError("make_scheduler must be a function optimizer -> scheduler, e.g. "
                        "lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=10)")
    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=lr, momentum=momentum)
    scheduler = make_scheduler(optimizer)
    if not isinstance(scheduler, Scheduler) or scheduler.optimizer is not optimizer:
        raise TypeError("make_scheduler must return a torch.optim.lr_scheduler scheduler built "
                        f"on the optimizer it is given, got {type(scheduler).__name__}")
    lrs, momenta = [], []
    for _ in range(steps):
        group = optimizer.param_groups[0]
        lrs.append(float(group["lr"]))
        momenta.append(float(group["momentum"]))
        optimizer.step()  # no gradient, so the parameter stays; the order matters to torch
        scheduler.step()
    return Trace(torch.tensor(lrs, dtype=torch.float64),
                 torch.tensor(momenta, dtype=torch.float64))


def _draw(ax: Axes, curves: Mapping[str, torch.Tensor], *, ylabel: str, annotate: bool) -> str:
    """Draw the curves; return them in words (first, largest, smallest and last value)."""
    words = []
    for i, (label, values) in enumerate(curves.items()):
        y = torch.as_tensor(values, dtype=torch.float64).detach().cpu()
        if y.ndim != 1 or len(y) == 0:
            raise ValueError(f"curve {label!r} must be 1-D, one value per step, got shape "
                             f"{tuple(y.shape)}")
        color = PALETTE[i % len(PALETTE)]
        ax.plot(y.numpy(), color=color, label=label, **series_style(i, points=len(y)))
        top, low = int(y.argmax()), int(y.argmin())
        cue = f" ({style_words(i)})" if len(curves) > 1 else ""
        text = f"{label}{cue} starts at {num(y[0], 3)}"
        if 0 < top < len(y) - 1:
            text += f", peaks at {num(y[top], 3)} at step {top}"
        if 0 < low < len(y) - 1 and y[low] < min(y[0], y[-1]):
            text += f", dips to {num(y[low], 3)} at step {low}"
        words.append(text + f" and ends at {num(y[-1], 3)} at step {len(y) - 1}")
        if annotate:
            ends = {0: "left", int(y.argmax()): "center", int(y.argmin()): "center",
                    len(y) - 1: "right"}
            for t, align in ends.items():
                ax.plot(t, y[t].item(), "o", color=color, ms=7, zorder=4)
                ax.annotate(f"{y[t].item():.3g}", (t, y[t].item()), textcoords="offset points",
                            xytext=(0, 8), ha=align, fontsize=12)
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel)
    if len(curves) > 1:
        ax.legend(fontsize=12)
    return "; ".join(words)


@slide_figure
def plot_schedules(lrs: Mapping[str, torch.Tensor], *,
                   momentum: Mapping[str, torch.Tensor] | None = None,
                   annotate: bool = False) -> Figure:
    """Learning-rate curves against the step (left) and, if ``momentum`` is given, momentum
    curves beside them (right).

    ``lrs`` and ``momentum`` map a label to the values of each step, shape ``(steps,)``
    (e.g. :attr:`Trace.lr` from :func:`lr_trace`). ``annotate`` marks and labels each curve's
    first, last, largest and smallest value.
    """
    if not lrs:
        raise ValueError("lrs is empty: pass {label: learning rate per step}, e.g. from "
                         "lr_trace(...).lr")
    if momentum is not None and not momentum:
        raise ValueError("momentum is empty: pass {label: momentum per step} or leave it out")
    if momentum is None:
        fig, ax = plt.subplots(figsize=(10.0, 3.6))
        drawn = _draw(ax, lrs, ylabel="learning rate", annotate=annotate)
        alt = f"Learning rate against the step: {drawn}."
    else:
        fig, (ax, ax_m) = plt.subplots(1, 2, figsize=(11.0, 3.6))
        alt = (f"Learning rate (left) and momentum (right) against the step. Learning rate: "
               f"{_draw(ax, lrs, ylabel='learning rate', annotate=annotate)}. Momentum: "
               f"{_draw(ax_m, momentum, ylabel='momentum', annotate=annotate)}.")
    for a in fig.axes:
        a.margins(x=0.04, y=0.14)
    return describe(fig, alt)


@slide_figure
def plot_lr_sweep(grid: Sequence[float], losses: Mapping[str, Sequence[Sequence[float]]], *,
                  picked: Mapping[str, float] | None = None,
                  panels: Sequence[Sequence[str]] | None = None,
                  ylabel: str = "validation loss", top: float = 2.0) -> Figure:
    """A learning-rate sweep over seeds: loss against the learning rate (both log scales).

    ``grid``: the learning rates, increasing; ``losses`` maps an optimiser's name to one list
    per seed of one loss per grid value. Each optimiser gets its mean over the seeds as a
    line and the band from the lowest to the highest seed; ``picked`` (name -> rate) marks the
    rate chosen for it with a dot on the mean. ``panels`` groups the names into side-by-side
    panels (default: one panel). Losses above ``top`` (diverged runs) are drawn at ``top``.
    """
    rates = torch.as_tensor(list(grid), dtype=torch.float64)
    if rates.ndim != 1 or len(rates) < 2 or not bool((rates[1:] > rates[:-1]).all()):
        raise ValueError("grid must be two or more increasing learning rates")
    if not losses:
        raise ValueError("losses is empty: pass {optimiser: [[loss per rate] per seed]}")
    names = list(losses)
    groups = [list(g) for g in panels] if panels is not None else [names]
    unknown = sorted({n for g in groups for n in g} - set(names))
    if unknown or not all(groups):
        raise ValueError(f"panels must name optimisers of losses ({names}); got {unknown}")
    picked = dict(picked or {})
    fig, axes = plt.subplots(1, len(groups), figsize=(min(5.0 * len(groups), 11.0), 3.7),
                             sharey=True, squeeze=False)
    words = []
    for ax, group in zip(axes[0], groups, strict=True):
        for k, name in enumerate(group):
            runs = torch.as_tensor(losses[name], dtype=torch.float64).clamp(max=top)
            if runs.ndim != 2 or runs.shape[1] != len(rates):
                raise ValueError(f"losses[{name!r}] must hold one list of {len(rates)} losses "
                                 f"(one per rate) per seed, got shape {tuple(runs.shape)}")
            color = PALETTE[names.index(name) % len(PALETTE)]
            ax.fill_between(rates.numpy(), runs.min(0).values.numpy(),
                            runs.max(0).values.numpy(), color=color, alpha=0.2, lw=0)
            mean = runs.mean(0)
            ax.plot(rates.numpy(), mean.numpy(), color=color, label=name,
                    **series_style(k, points=len(rates)))
            best = int(mean.argmin())
            text = f"{name} lowest {num(mean[best], 2)} at {num(rates[best], 2)}"
            if name in picked:
                i = int((rates - picked[name]).abs().argmin())
                ax.plot(rates[i].item(), mean[i].item(), "o", color=color, ms=8, zorder=4)
                text += (", the rate picked" if i == best else
                         f", picked {num(rates[i], 2)} ({num(mean[i], 2)})")
            words.append(text)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("learning rate")
        ax.legend(fontsize=12)
    axes[0][0].set_ylabel(ylabel)
    seeds = len(losses[names[0]])
    where = ("" if len(groups) == 1 else ", panels left to right: " + "; ".join(
        words_list(g) for g in groups))
    return describe(fig, (
        f"{ylabel.capitalize()} against the learning rate, {num(rates[0], 2)} to "
        f"{num(rates[-1], 2)}, both on log scales: one line per optimiser, the mean over "
        f"{seeds} seeds, with a band from the lowest to the highest seed{where}. Mean "
        f"{ylabel}: {'; '.join(words)}."))
