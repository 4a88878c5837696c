"""What :func:`~nbhelpers.training.fit` measured, one entry per epoch, and its figure."""

from __future__ import annotations

import html
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from nbhelpers.display import MAX_WIDTH, PALETTE, describe, slide_figure

__all__ = ["History", "plot_history"]


@dataclass
class History:
    """What :func:`~nbhelpers.training.fit` measured, one list entry per epoch.

    Accuracies are fractions in [0, 1]; ``val_*`` are the numbers on the held-out data passed
    as ``val=``, and ``None`` when there was none (accuracies: also with ``accuracy=False``).
    ``lr`` is the learning rate at the start of the epoch (of the optimizer's first parameter
    group); ``seconds`` is the epoch's wall time, validation included.
    """

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float | None] = field(default_factory=list)
    val_loss: list[float | None] = field(default_factory=list)
    val_acc: list[float | None] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.epoch)

    def append(self, **row: Any) -> None:
        """Add one epoch: a value for every field."""
        names = [f.name for f in fields(self)]
        if sorted(row) != sorted(names):
            raise ValueError(f"History.append needs exactly these keys: {names}")
        for name in names:
            getattr(self, name).append(row[name])

    def to_dict(self) -> dict[str, list]:
        """The lists as a plain dict (safe for ``torch.save`` / ``weights_only`` loading)."""
        return {f.name: list(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, list]) -> History:
        """Inverse of :meth:`to_dict`."""
        return cls(**{f.name: list(data.get(f.name, [])) for f in fields(cls)})

    @property
    def test_loss(self) -> list[float | None]:
        """Deprecated name of :attr:`val_loss`."""
        return self._renamed("test_loss", "val_loss")

    @property
    def test_acc(self) -> list[float | None]:
        """Deprecated name of :attr:`val_acc`."""
        return self._renamed("test_acc", "val_acc")

    def _renamed(self, old: str, new: str) -> list[float | None]:
        warnings.warn(f"History.{old} is now History.{new}: the per-epoch numbers are on "
                      "validation data (keep the test set for one final evaluate())",
                      DeprecationWarning, stacklevel=3)
        return getattr(self, new)

    def table(self, *, seconds: bool = True) -> str:
        """An aligned text table, one row per epoch; the learning rate is shown when it
        changed. ``seconds=False`` drops the timing column, for output that must not change
        between runs."""
        columns: list[tuple[str, list[str]]] = [("epoch", [str(e) for e in self.epoch])]
        columns.append(("train loss", [_num(v) for v in self.train_loss]))
        if any(v is not None for v in self.train_acc):
            columns.append(("train acc", [_pct(v) for v in self.train_acc]))
        if any(v is not None for v in self.val_loss):
            columns.append(("val loss", [_num(v) for v in self.val_loss]))
        if any(v is not None for v in self.val_acc):
            columns.append(("val acc", [_pct(v) for v in self.val_acc]))
        if len(set(self.lr)) > 1:  # a schedule changed it
            columns.append(("lr", [f"{v:.3g}" for v in self.lr]))
        if seconds:
            columns.append(("seconds", [f"{v:.1f}" for v in self.seconds]))
        widths = [max(len(h), *(len(c) for c in cells)) for h, cells in columns]
        lines = ["  ".join(h.rjust(w) for (h, _), w in zip(columns, widths, strict=True))]
        for i in range(len(self)):
            lines.append(
                "  ".join(c[i].rjust(w) for (_, c), w in zip(columns, widths, strict=True))
            )
        return "\n".join(lines)

    def summary(self) -> str:
        """One line about the last epoch, e.g. ``epoch 3: train loss 0.0812, val acc 97.6%``."""
        if not len(self):
            return "no epochs yet"
        parts = [f"train loss {_num(self.train_loss[-1])}"]
        if self.train_acc[-1] is not None:
            parts.append(f"train acc {_pct(self.train_acc[-1])}")
        if self.val_loss[-1] is not None:
            parts.append(f"val loss {_num(self.val_loss[-1])}")
        if self.val_acc[-1] is not None:
            parts.append(f"val acc {_pct(self.val_acc[-1])}")
        return f"epoch {self.epoch[-1]}: " + ", ".join(parts)

    def __repr__(self) -> str:
        return f"History({len(self)} epochs; {self.summary()})"

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(repr(self))}</pre>"

    def plot(self, *, metrics: Sequence[str] = ("loss", "accuracy")) -> Figure:
        """Loss (and accuracy) per epoch, train vs val: :func:`plot_history` of this."""
        return plot_history(self, metrics=metrics)


def _num(v: float | None) -> str:
    return "-" if v is None else f"{v:.4f}"


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.2f}%"


# --------------------------------------------------------------------------- the figure

_ALIASES = {"accuracy": "acc"}


def _series(history: Any, key: str) -> list[float]:
    """``history[key]`` (dict) or ``history.key`` (a History) as floats; None (not measured)
    becomes NaN, and a series with no values at all becomes []."""
    raw = history.get(key) if isinstance(history, Mapping) else getattr(history, key, None)
    if raw is None or all(v is None for v in raw):
        return []
    return [math.nan if v is None else float(v) for v in raw]


def _panels(history: Any, metrics: Sequence[str],
            epochs: list[float]) -> list[tuple[str, dict[str, list[float]]]]:
    """``(metric, {"train": values, "val": values})`` for the metrics that have values."""
    panels = []
    for metric in metrics:
        key = _ALIASES.get(metric, metric)
        lines = {s: _series(history, f"{s}_{key}") for s in ("train", "val")}
        lines = {s: v for s, v in lines.items() if v}
        for split, values in lines.items():
            if epochs and len(epochs) != len(values):
                raise ValueError(
                    f"history: {split}_{key} has {len(values)} values but epoch has {len(epochs)}"
                )
        if lines:
            panels.append((metric, lines))
    if not panels:
        raise ValueError(
            f"history has no values for {list(metrics)}: expected non-empty lists such as "
            "train_loss / val_acc (train for at least one epoch first)"
        )
    return panels


@slide_figure
def plot_history(history: History | Mapping[str, list], *,
                 metrics: str | Sequence[str] = ("loss", "accuracy"),
                 alt_values: bool = False) -> Figure:
    """Loss and accuracy per epoch, train against val, one panel per metric.

    ``history``: a :class:`History` or a dict with the lists ``epoch``, ``train_loss``,
    ``train_acc``, ``val_loss``, ``val_acc`` (one value per epoch). Metric ``m`` reads
    ``train_m`` and ``val_m`` ("accuracy" reads ``*_acc``); missing or empty series are
    skipped. Accuracies up to 1 are drawn as percentages.

    The alt text names the panels, the epochs and the lines; with ``alt_values`` also each
    line's last value and the best validation value. Off by default: trained numbers differ
    from CPU to CPU, and a notebook's text output is compared on each.
    """
    if isinstance(metrics, str):
        metrics = (metrics,)
    if not isinstance(history, Mapping) and not hasattr(history, "train_loss"):
        raise TypeError(
            f"history must be an nbhelpers.training.History or a dict of per-epoch lists, "
            f"got {type(history).__name__}"
        )
    epochs = _series(history, "epoch")
    panels = _panels(history, metrics, epochs)
    width = min(MAX_WIDTH, 2.0 + 3.5 * len(panels))
    fig, axes = plt.subplots(1, len(panels), figsize=(width, 4.0), squeeze=False)
    for ax, (metric, lines) in zip(axes.flat, panels, strict=True):
        for split, values in lines.items():
            ax.plot(
                epochs or range(1, len(values) + 1),
                values,
                color=PALETTE[0] if split == "train" else PALETTE[1],
                ls="-" if split == "train" else "--",
                marker="o" if len(values) <= 30 else None,
                label=split,
            )
        finite = [v for vs in lines.values() for v in vs if math.isfinite(v)]
        if "acc" in metric and finite and max(finite) <= 1:
            ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("epoch")
        ax.set_title(metric)
        ax.legend(loc="best")
    return describe(fig, _history_alt(panels, epochs, alt_values=alt_values))


def _history_alt(panels: list[tuple[str, dict[str, list]]], epochs: list, *,
                 alt_values: bool) -> str:
    from nbhelpers.plotting._common import num, words_list

    n = max(len(v) for _, lines in panels for v in lines.values())
    first, last = (epochs[0], epochs[-1]) if epochs else (1, n)
    splits = sorted({s for _, lines in panels for s in lines}, key=("train", "val").index)
    how = {"train": "training as a solid line", "val": "validation as a dashed line"}
    alt = (f"{words_list([m for m, _ in panels]).capitalize()} per epoch, epochs {first:g} to "
           f"{last:g}, {'one panel each' if len(panels) > 1 else 'one panel'}: "
           f"{words_list([how[s] for s in splits])}.")
    if alt_values:
        def value(metric: str, v: float) -> str:
            return f"{100 * v:.1f}%" if "acc" in metric and abs(v) <= 1 else num(v, 3)

        parts = []
        for metric, lines in panels:
            for split, values in lines.items():
                if values and math.isfinite(values[-1]):
                    parts.append(f"{split} {metric} {value(metric, values[-1])}")
            val = [v for v in lines.get("val", []) if math.isfinite(v)]
            if val:
                pick = min if "loss" in metric else max
                best = pick(val)
                at = lines["val"].index(best)
                parts.append(f"best val {metric} {value(metric, best)} at epoch "
                             f"{epochs[at] if epochs else at + 1:g}")
        if parts:
            alt += " At the last epoch: " + ", ".join(parts) + "."
    return alt
