"""What :func:`~nbhelpers.training.fit` shows while it trains.

In a notebook: a loss/accuracy figure, redrawn in place after every epoch through one
display handle (each frame a PNG from :func:`nbhelpers.display.png_bundle`, independent of
the matplotlib backend), and a tqdm progress bar below it. In a plain script: one line per
epoch.
"""

from __future__ import annotations

import math
from types import TracebackType
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from nbhelpers.display import describe, png_bundle, slide_figure
from nbhelpers.training.history import History, plot_history

__all__ = ["LiveDisplay", "in_notebook", "live_figure"]


def in_notebook() -> bool:
    """True inside a Jupyter/Colab kernel (where display handles work), else False."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


@slide_figure
def live_figure(history: History, *, epochs: int, has_val: bool, has_acc: bool) -> Figure:
    """:func:`~nbhelpers.training.history.plot_history` with the x axis fixed to 1..epochs and
    the last epoch's summary as title. An empty history draws empty panels (one NaN point per
    series that will be measured), so the figure has its final layout from the start."""
    data: History | dict[str, list] = history
    if not len(history):
        data = {"epoch": [1], "train_loss": [math.nan]}
        if has_acc:
            data["train_acc"] = [math.nan]
        if has_val:
            data["val_loss"] = [math.nan]
            data["val_acc"] = [math.nan] if has_acc else []
    fig = plot_history(data)
    for ax in fig.axes:
        ax.set_xlim(0.8, max(epochs, 2) + 0.2)
        if not len(history):
            ax.set_yticks([])
    summary = history.summary() if len(history) else "training the first epoch ..."
    fig.suptitle(summary, fontsize=12)
    shown = f"epoch {len(history)} of {epochs}" if len(history) else f"0 of {epochs} epochs"
    return describe(fig, f"Training curves as they are drawn, {shown} trained, panels with the "
                         f"loss{' and accuracy' if has_acc else ''} per epoch"
                         f"{', training and validation' if has_val else ''}. {summary}")


class LiveDisplay:
    """A context manager for the epochs ``start..epochs`` of one ``fit``, each of ``steps``
    batches: ``live`` figure (notebook only) or lines (script), ``progress`` bar. The figure
    starts from ``history`` (empty, or the epochs restored from a checkpoint)."""

    def __init__(self, history: History, *, epochs: int, start: int, steps: int, live: bool,
                 progress: bool, has_val: bool, has_acc: bool) -> None:
        self.history, self.epochs, self.start, self.steps = history, epochs, start, steps
        self.has_val, self.has_acc = has_val, has_acc
        notebook = in_notebook()
        self.show_figure = live and notebook and start <= epochs
        self.print_lines = (live or progress) and not (live and notebook)
        self.progress = progress and start <= epochs
        self.handle: Any = None
        self.bar: Any = None

    def __enter__(self) -> LiveDisplay:
        if self.show_figure:  # first, so that the progress bar sits below the figure
            from IPython.display import display

            data, metadata = self._frame(self.history)
            self.handle = display(data, metadata=metadata, raw=True, display_id=True)
        if self.progress:
            from tqdm.auto import tqdm

            total = (self.epochs - self.start + 1) * self.steps
            self.bar = tqdm(total=total, leave=False, unit="batch", dynamic_ncols=True)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.bar is not None:
            self.bar.close()

    def _frame(self, history: History) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
        fig = live_figure(history, epochs=self.epochs, has_val=self.has_val,
                          has_acc=self.has_acc)
        bundle = png_bundle(fig)
        plt.close(fig)  # shown through the handle only, not again at the end of the cell
        return bundle

    def start_epoch(self, epoch: int) -> None:
        if self.bar is not None:
            self.bar.set_description(f"epoch {epoch}/{self.epochs}")

    def advance(self, batches: int, loss: float) -> None:
        """``batches`` more were trained; ``loss`` is the epoch's running mean."""
        if self.bar is not None:
            self.bar.update(batches)
            self.bar.set_postfix(loss=f"{loss:.4f}", refresh=False)

    def show(self, history: History) -> None:
        """The state after the last epoch of ``history``."""
        if self.handle is not None:
            data, metadata = self._frame(history)
            self.handle.update(data, metadata=metadata, raw=True)
        if self.print_lines:
            line = f"{history.summary()} ({history.seconds[-1]:.1f} s)"
            if self.bar is not None:
                self.bar.write(line)
            else:
                print(line)
