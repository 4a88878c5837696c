"""Training for a laptop CPU and a GPU: :func:`fit`, :func:`evaluate`, :func:`predict`.

Read :func:`~nbhelpers.training.loop.train_epoch` first: it is the loop every PyTorch
tutorial writes by hand (to the device, forward, loss, backward, step, zero_grad).
:func:`fit` runs it for some epochs and adds what a lecture needs. Its modules:

- :mod:`~nbhelpers.training.loop`        :func:`fit` and :func:`train_epoch`
- :mod:`~nbhelpers.training.checks`      argument and first-batch checks: one clear error
  that names the fix, before any training, instead of a deep torch error later
- :mod:`~nbhelpers.training.speed`       :class:`Speedups`: the device (where the caller put
  the model; it is never moved) and, when asked, channels_last memory
- :mod:`~nbhelpers.training.metrics`     running loss/accuracy (read back from the device every
  few batches, not after each), :class:`NonFiniteLossError` (a NaN/inf loss stops training,
  naming epoch and batch), :func:`evaluate` and :func:`predict`
- :mod:`~nbhelpers.training.history`     :class:`History`, the numbers of every epoch
  (``.table()``, ``.plot()``), and its figure :func:`plot_history`
- :mod:`~nbhelpers.training.live`        the live figure (redrawn in place through one display
  handle) and the tqdm progress bar in a notebook; one line per epoch in a script
- :mod:`~nbhelpers.training.checkpoint`  :func:`save_checkpoint` / :func:`load_checkpoint`:
  ``fit(checkpoint_dir=..., resume=True)`` goes on after an interruption
"""

from __future__ import annotations

from nbhelpers.device import get_device, seed_everything
from nbhelpers.training.checkpoint import (
    CHECKPOINT_NAME,
    Restored,
    load_checkpoint,
    save_checkpoint,
)
from nbhelpers.training.history import History, plot_history
from nbhelpers.training.loop import fit, train_epoch
from nbhelpers.training.metrics import (
    Evaluation,
    NonFiniteLossError,
    RunningMetrics,
    evaluate,
    predict,
)
from nbhelpers.training.speed import Speedups

__all__ = [
    "CHECKPOINT_NAME",
    "Evaluation",
    "History",
    "NonFiniteLossError",
    "Restored",
    "RunningMetrics",
    "Speedups",
    "evaluate",
    "fit",
    "get_device",
    "load_checkpoint",
    "plot_history",
    "predict",
    "save_checkpoint",
    "seed_everything",
    "train_epoch",
]
