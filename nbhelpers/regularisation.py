"""Lecture 09 (regularisation): what a regulariser did to a model, and several runs compared.

- :func:`weight_norm`: the Euclidean norm of a model's weight matrices and kernels, the
  quantity weight decay keeps small.
- :func:`compare_runs`: one panel per metric (e.g. training and validation loss per epoch),
  one line per training run, so that runs with and without a regulariser sit side by side.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatter, MaxNLocator, PercentFormatter
from torch import nn

from nbhelpers.display import MAX_WIDTH, PALETTE, describe, slide_figure
from nbhelpers.plotting._common import num, series_style, style_words, words_list
from nbhelpers.training import History

__all__ = ["METRIC_LABELS", "compare_runs", "weight_norm"]

#: The panel title of each :class:`~nbhelpers.training.History` series that
#: :func:`compare_runs` can draw.
METRIC_LABELS: dict[str, str] = {
    "train_loss": "training loss",
    "val_loss": "validation loss",
    "train_acc": "training accuracy",
    "val_acc": "validation accuracy",
}


def weight_norm(model: nn.Module) -> float:
    """``sqrt(sum of w**2)`` over the weights of ``model``: every parameter with two or more
    dimensions (linear weights ``(out, in)``, convolution kernels ``(out, in, k, k)``), not the
    biases and normalisation parameters (one dimension)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    weights = [p.detach().flatten() for p in model.parameters() if p.ndim >= 2]
    if not weights:
        raise ValueError("the model has no weight matrices or kernels (parameters with two "
                         "or more dimensions): there is no weight norm to measure")
    return torch.cat(weights).norm().item()


class _PlainLogFormatter(LogFormatter):
    """Matplotlib's choice of which log-axis ticks to label, written as 0.6, not 6e-01."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        return f"{x:g}" if super().__call__(x, pos) else ""


@slide_figure
def compare_runs(runs: Mapping[str, History], *,
                 metrics: Sequence[str] = ("train_loss", "val_loss"),
                 from_epoch: int = 1, alt_values: bool = False) -> Figure:
    """One panel per metric, one line per run: ``runs`` maps a label to the
    :class:`~nbhelpers.training.History` that ``fit`` returned.

    ``metrics`` are names of History series (keys of :data:`METRIC_LABELS`); losses are drawn
    on a log scale (so that 2.0 and 0.001 are both readable), accuracies as percentages. Only
    epochs ``>= from_epoch`` are drawn (skip the first, large-loss epochs to zoom in). A run
    has the same colour and line style in every panel.

    The alt text names the panels and which line is which run; with ``alt_values`` also each
    run's last value per panel. Off by default: trained numbers differ from CPU to CPU, and a
    notebook's text output is compared on each.
    """
    if not isinstance(runs, Mapping) or not runs:
        raise ValueError("runs must be a non-empty dict {label: History}, e.g. "
                         "{'no weight decay': history}")
    if isinstance(metrics, str):
        metrics = (metrics,)
    unknown = [m for m in metrics if m not in METRIC_LABELS]
    if unknown or not metrics:
        raise ValueError(f"unknown metrics {unknown or list(metrics)}; choose from "
                         f"{list(METRIC_LABELS)}")
    if not isinstance(from_epoch, int) or from_epoch < 1:
        raise ValueError(f"from_epoch must be an epoch number >= 1, got {from_epoch!r}")
    if len(runs) > len(PALETTE):
        raise ValueError(f"at most {len(PALETTE)} runs fit one figure, got {len(runs)}")
    for label, history in runs.items():
        if not isinstance(history, History):
            raise TypeError(f"runs[{label!r}] must be the History that fit returned, got "
                            f"{type(history).__name__}")
        for metric in metrics:
            values = getattr(history, metric)
            if not values or any(v is None for v in values):
                raise ValueError(f"runs[{label!r}] has no {metric} for every epoch (was it "
                                 "trained with val=... and accuracy=True?)")
        if history.epoch[-1] < from_epoch:
            raise ValueError(f"runs[{label!r}] ends at epoch {history.epoch[-1]}, before "
                             f"from_epoch={from_epoch}: nothing to draw")
    width = min(MAX_WIDTH, 1.0 + 4.0 * len(metrics))
    fig, axes = plt.subplots(1, len(metrics), figsize=(width, 3.6), squeeze=False)
    for ax, metric in zip(axes.flat, metrics, strict=True):
        for i, (colour, (label, history)) in enumerate(zip(PALETTE, runs.items(),
                                                           strict=False)):
            shown = [(e, v) for e, v in zip(history.epoch, getattr(history, metric),
                                            strict=True) if e >= from_epoch]
            ax.plot(*zip(*shown, strict=True), color=colour, label=label,
                    **series_style(i, points=len(shown)))
        if metric.endswith("_acc"):
            ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        else:                                   # log scale, ticks as plain numbers (0.6)
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(_PlainLogFormatter())
            ax.yaxis.set_minor_formatter(_PlainLogFormatter(labelOnlyBase=False))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set(xlabel="epoch", title=METRIC_LABELS[metric])
    axes.flat[-1].legend(loc="best")
    lines = [f"{label} {style_words(i)}" for i, label in enumerate(runs)]
    last = max(h.epoch[-1] for h in runs.values())
    alt = (f"{words_list([METRIC_LABELS[m] for m in metrics]).capitalize()} per epoch, "
           f"epochs {from_epoch} to {last}, "
           + ("one panel each" if len(metrics) > 1 else "one panel")
           + (", losses on a log scale" if any(m.endswith("loss") for m in metrics) else "")
           + f"; one line per run: {', '.join(lines)}.")
    if alt_values:
        def value(metric: str, v: float) -> str:
            return f"{100 * v:.1f}%" if metric.endswith("_acc") else num(v, 3)

        alt += " At the last epoch: " + "; ".join(
            f"{label}: " + ", ".join(f"{METRIC_LABELS[m]} {value(m, getattr(h, m)[-1])}"
                                     for m in metrics) for label, h in runs.items()) + "."
    return describe(fig, alt)
