"""Figures that read on a projector (1280x720) and in a notebook.

Every function here returns the matplotlib :class:`~matplotlib.figure.Figure` (made with
``plt.subplots`` unless you pass ``ax``). In a notebook end the call with ``;`` or assign it
(``fig = show_images(x)``) so the figure is not shown twice. Each is a
:func:`nbhelpers.display.slide_figure`: drawn in the slide style whatever the global settings,
and at most 11 x 4 inches at 100 dpi.

Inputs may be torch tensors (on any device, with or without grad), NumPy arrays or lists.

- :mod:`~nbhelpers.plotting.curves`: :func:`plot_functions`, functions of one variable and
  their derivatives.
- :mod:`~nbhelpers.plotting.image_grids`: :func:`show_images` (a batch, labels, wrong
  predictions in red), :func:`plot_feature_maps`, :func:`plot_kernel`.
- :mod:`~nbhelpers.plotting.confusion`: :func:`confusion_matrix`, :func:`most_confused`,
  :func:`plot_confusion`.

``from nbhelpers import plotting`` then ``plotting.show_images(...)``: every name is here.
"""

from __future__ import annotations

from nbhelpers.plotting.confusion import confusion_matrix, most_confused, plot_confusion
from nbhelpers.plotting.curves import plot_functions
from nbhelpers.plotting.image_grids import plot_feature_maps, plot_kernel, show_images

__all__ = [
    "confusion_matrix",
    "most_confused",
    "plot_confusion",
    "plot_feature_maps",
    "plot_functions",
    "plot_kernel",
    "show_images",
]
