"""Device choice and seeding: the two things every notebook does first."""

from __future__ import annotations

import os
import random
import sys

import numpy as np
import torch

_announced: set[str] = set()


def get_device(*, verbose: bool = True) -> torch.device:
    """Pick the fastest available device: CUDA, else Apple MPS, else CPU.

    The environment variable ``NBHELPERS_DEVICE`` (e.g. ``cpu``, ``cuda:1``) overrides the
    choice. With ``verbose`` the choice is printed once per process.
    """
    forced = os.environ.get("NBHELPERS_DEVICE", "").strip()
    if forced:
        try:
            device = torch.device(forced)
        except RuntimeError as err:
            raise ValueError(
                f"NBHELPERS_DEVICE={forced!r} is not a torch device; use e.g. 'cpu' or 'cuda:0'."
            ) from err
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(
                f"NBHELPERS_DEVICE={forced!r} asks for CUDA but torch sees no CUDA GPU; "
                "unset NBHELPERS_DEVICE or set it to 'cpu'."
            )
        why = "set by NBHELPERS_DEVICE"
    elif torch.cuda.is_available():
        device, why = torch.device("cuda"), torch.cuda.get_device_name(0)
    elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        device, why = torch.device("mps"), "Apple GPU"
    else:
        device, why = torch.device("cpu"), f"{torch.get_num_threads()} threads"
    if verbose and str(device) not in _announced:
        _announced.add(str(device))
        print(f"Using device: {device} ({why})")
    return device


def seed_everything(seed: int = 0) -> None:
    """Seed Python's ``random``, NumPy and torch (CPU and all GPUs) with ``seed``."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device


def setup(*, seed: int = 0, slides: bool = True, custom_widgets: bool = False) -> torch.device:
    """The standard first cell of every lecture: seed everything, pick and announce the device,
    and return it. With ``slides`` the figures the notebook draws in its own cells get the slide
    style too (:func:`nbhelpers.display.use_slide_style`); the package's own figures have it
    anyway. ``custom_widgets`` (a lecture with a third-party widget, e.g. ipycanvas): on Colab,
    turn on its custom widget manager, without which only ipywidgets' own widgets render;
    elsewhere it changes nothing."""
    seed_everything(seed)
    if custom_widgets:
        enable_colab_widgets()
    if slides:
        from nbhelpers.display import use_slide_style  # matplotlib only when asked for

        use_slide_style()
    return get_device()


def on_colab() -> bool:
    """Whether this kernel runs on Google Colab (which has imported ``google.colab``). The one
    Colab test in nbhelpers; a notebook's setup cell repeats it, as it runs before nbhelpers is
    installed."""
    return "google.colab" in sys.modules


def enable_colab_widgets() -> bool:
    """On Colab, ``google.colab.output.enable_custom_widget_manager()``; True if it was called
    (False anywhere else: JupyterLab loads widget libraries from their installed extensions)."""
    if not on_colab():
        return False
    from google.colab import output  # only on Colab

    output.enable_custom_widget_manager()
    return True
