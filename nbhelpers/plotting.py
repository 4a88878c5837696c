"""Figures that read on a projector (1280x720) and in a notebook."""

from __future__ import annotations

import matplotlib as mpl

#: Colour cycle that survives a washed-out projector (Okabe-Ito, colour-blind safe).
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]

#: Default figure size in inches: at 100 dpi, fits a slide under a heading.
SLIDE_FIGSIZE = (9.0, 4.0)


def use_slide_style() -> None:
    """Large fonts, thick lines, a projector-safe colour cycle and PNG output.

    PNG (not SVG) keeps stored notebooks small and nbval stable; the figure size and dpi
    keep a figure inside a 1280x720 slide.
    """
    mpl.rcParams.update(
        {
            "figure.figsize": SLIDE_FIGSIZE,
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "font.size": 14,
            "axes.titlesize": 16,
            "axes.labelsize": 14,
            "legend.fontsize": 12,
            "xtick.labelsize": 12,
            "ytick.labelsize": 12,
            "lines.linewidth": 2.5,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.prop_cycle": mpl.cycler(color=PALETTE),
            "image.cmap": "gray",
            "figure.constrained_layout.use": True,
        }
    )
    try:  # inline backend: PNG only, no retina doubling of stored bytes
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png")
    except ImportError:  # not inside IPython
        pass
