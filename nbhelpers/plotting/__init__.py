"""Figures that read on a projector (1280x720) and in a notebook.

Every function here returns the matplotlib :class:`~matplotlib.figure.Figure` (made with
``plt.subplots`` unless you pass ``ax``). In a notebook end the call with ``;`` or assign it
(``fig = show_images(x)``) so the figure is not shown twice. Each is a
:func:`nbhelpers.display.slide_figure`: drawn in the slide style whatever the global settings,
and at most 11 x 4 inches at 100 dpi.

Inputs may be torch tensors (on any device, with or without grad), NumPy arrays or lists.

Accessibility (issue 26): each figure carries alt text (:func:`nbhelpers.display.describe`)
computed from what it draws: the functions, ranges and where a derivative peaks; the grid of
images and their labels; a kernel's values row by row. Numbers from a trained model (predicted
labels, confusion counts) are left out unless asked for (``alt_labels``, ``alt_counts``): they
differ from CPU to CPU, and a notebook's text output is compared on each. A function that draws
into your ``ax`` describes your figure panel by panel, and never replaces a description you
give it (:func:`~nbhelpers.display.describe`, before or after).
Series differ in line style (and marker) as well as colour; colour maps are grey, viridis-like
or diverging (``RdBu_r``) for signed values, and numbers in cells are black or white,
whichever contrasts more.

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
