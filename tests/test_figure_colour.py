"""Colour is never the only cue in the package's figures, and their colour maps are perceptually
uniform (WCAG 1.4.1; issue 26): every figure helper outside nbhelpers.widgets is drawn here and

(a) every colour-mapped artist (image, mesh, mapped collection) uses an allowed map:
    grey, viridis-like sequential maps, or a diverging map for signed values;
(b) on every axes, the series told apart in the legend (lines with a label) that differ in
    colour also differ in line style or marker, or each carries its own text label;
(c) every figure has real alt text (nbhelpers.display.alt_problem finds nothing wrong).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.collections import Collection
from matplotlib.colors import same_color
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from shared import small_graph

from nbhelpers import (
    descent,
    generative,
    ilsvrc,
    initialisation,
    plotting,
    regularisation,
    schedules,
)
from nbhelpers.display import alt_problem, alt_text
from nbhelpers.training import History, plot_history

plt.switch_backend("Agg")

#: Perceptually uniform sequential maps, and diverging maps for signed values (with _r).
ALLOWED_CMAPS = {"gray", "Greys", "viridis", "cividis", "magma", "inferno", "plasma",
                 "RdBu", "coolwarm"}


def _allowed(name: str) -> bool:
    return name.removesuffix("_r") in ALLOWED_CMAPS


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _history(scale: float) -> History:
    h = History()
    for e in range(1, 6):
        h.append(epoch=e, train_loss=scale / e, train_acc=1 - 0.1 / e, val_loss=scale / e + 0.1,
                 val_acc=0.9 - 0.1 / e, seconds=1.0, lr=0.1)
    return h


def _batch_sizes() -> dict:
    curves = {"1": [[2.0, 1.1, 1.01, 1.001]] * 2, "4": [[2.0, 1.5, 1.2, 1.1]] * 2}
    return {"n": 4, "batch_sizes": [1, 4], "curves": curves, "keep_every": {"1": 1, "4": 1},
            "median_step_seconds": {"1": 1e-3, "4": 2e-3}, "best_lr": {"1": 0.1, "4": 0.4}}


def _signal() -> dict:
    torch.manual_seed(0)
    return {name: initialisation.signal_stats(initialisation.linear_stack(
        depth=4, width=16, activation=act)) for name, act in
        (("relu", "relu"), ("tanh", "tanh"), ("relu 2", "relu"), ("tanh 2", "tanh"),
         ("relu 3", "relu"))}


SCHEDULE = {"step": torch.tensor([0.1] * 5 + [0.01] * 5, dtype=torch.float64),
            "cosine": 0.05 * (1 + torch.cos(torch.linspace(0, 3.14159, 10, dtype=torch.float64))),
            "constant": torch.full((10,), 0.05, dtype=torch.float64)}
OPTIMISERS = ["SGD", "momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"]

#: Every figure helper outside nbhelpers.widgets (training.live_figure: tests/test_training.py)
FIGURES: dict[str, Callable[[], Figure]] = {
    "plot_functions": lambda: plotting.plot_functions(
        {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "ReLU": torch.relu, "a": torch.sin,
         "b": torch.cos, "c": torch.atan}, derivative=True),
    "show_images": lambda: plotting.show_images(
        torch.linspace(0, 1, 6 * 64).reshape(6, 8, 8), true=[0, 1, 2, 0, 1, 2],
        pred=[0, 2, 2, 0, 1, 1]),
    "plot_feature_maps": lambda: plotting.plot_feature_maps(torch.randn(4, 6, 6),
                                                            colorbar=True),
    "plot_feature_maps_signed": lambda: plotting.plot_feature_maps(
        torch.randn(4, 3, 3), symmetric=True, cmap="RdBu_r"),
    "plot_confusion": lambda: plotting.plot_confusion([0, 0, 1, 2, 2], [0, 1, 1, 2, 0]),
    "plot_kernel": lambda: plotting.plot_kernel(torch.tensor([[1.0, 0, -1], [2, 0, -2],
                                                              [1, 0, -1]])),
    "draw_graph": small_graph,
    "plot_paths": lambda: descent.plot_paths(
        "ravine", {f"lr {lr}": descent.gradient_descent("ravine", lr=lr, steps=10)
                   for lr in (0.005, 0.01, 0.015, 0.019, 0.0195)}),
    "batch_size_figure": lambda: descent.batch_size_figure(_batch_sizes()),
    "plot_history": lambda: plot_history(_history(1.0)),
    "plot_learning_curves": lambda: generative.plot_learning_curves(
        {"naive Bayes": {2: [0.5, 0.55], 20: [0.7, 0.72]},
         "softmax regression": {2: [0.52, 0.5], 20: [0.8, 0.82]}}),
    "plot_top5_errors": lambda: ilsvrc.plot_top5_errors(),
    "compare_runs": lambda: regularisation.compare_runs(
        {f"run {i}": _history(1.0 + i) for i in range(6)}, metrics=("train_loss", "val_acc")),
    "plot_signal_stats": lambda: initialisation.plot_signal_stats(_signal()),
    "initialisation.plot_lr_sweep": lambda: initialisation.plot_lr_sweep(
        {arm: {"0.01": [0.9, 0.91], "0.1": [0.95 + d, 0.96], "1": [float("nan"), 0.5]}
         for arm, d in (("a", 0.0), ("b", 0.01), ("c", -0.01), ("d", 0.005), ("e", 0.002))},
        best={"a": 0.1, "b": 0.1}, zoom=(0.9, 1.0)),
    "plot_schedules": lambda: schedules.plot_schedules(SCHEDULE, momentum=SCHEDULE,
                                                       annotate=True),
    "schedules.plot_lr_sweep": lambda: schedules.plot_lr_sweep(
        [0.01, 0.1, 1.0], {n: [[1.0, 0.5 - 0.01 * i, 3.0], [0.9, 0.4, 2.5]]
                           for i, n in enumerate(OPTIMISERS)},
        picked={n: 0.1 for n in OPTIMISERS}),
    "schedules.plot_lr_sweep_panels": lambda: schedules.plot_lr_sweep(
        [0.01, 0.1, 1.0], {n: [[1.0, 0.5, 3.0]] for n in OPTIMISERS},
        panels=[OPTIMISERS[:3], OPTIMISERS[3:]]),
}


def _cmap_names(fig: Figure) -> list[str]:
    names = []
    for ax in fig.axes:
        for artist in [*ax.images, *ax.collections]:
            if isinstance(artist, AxesImage) and artist.get_array().ndim == 3:
                continue                                    # RGB: no colour map
            if isinstance(artist, Collection) and artist.get_array() is None:
                continue                                    # plain colours, not mapped
            if isinstance(artist, ContourSet) and artist.colors is not None:
                continue                                    # contour lines of one grey
            names.append(artist.get_cmap().name)
    return names


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_colour_maps_are_perceptually_uniform_or_diverging(name):
    names = _cmap_names(FIGURES[name]())
    assert all(_allowed(n) for n in names), names


def _series_cue(line) -> tuple:
    return (line.get_linestyle(), line.get_marker() if line.get_marker() not in ("", "None",
                                                                                  None) else "")


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_series_differ_in_more_than_colour(name):
    fig = FIGURES[name]()
    for ax in fig.axes:
        series = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
        for a, b in combinations(series, 2):
            if same_color(a.get_color(), b.get_color()):
                continue
            labelled = {t.get_text() for t in ax.texts} >= {a.get_label(), b.get_label()}
            assert labelled or _series_cue(a) != _series_cue(b), (
                f"{name}: {a.get_label()!r} and {b.get_label()!r} differ only in colour")


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_figure_has_alt_text(name):
    alt = alt_text(FIGURES[name]())
    assert alt_problem(alt) is None, alt
    assert "matplotlib" not in alt and "<Figure" not in alt
    assert len(alt) < 1200, alt            # one to three sentences, not a data dump


def test_default_colour_maps_are_allowed():
    """The colour-map defaults of the helpers themselves (a caller may pass another)."""
    import inspect
    for fn in (plotting.show_images, plotting.plot_feature_maps, plotting.plot_kernel,
               plotting.plot_confusion):
        default = inspect.signature(fn).parameters["cmap"].default
        assert _allowed(default), (fn.__name__, default)


def test_the_check_fires_on_colour_only_lines_and_jet():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], color="C0", label="a")
    ax.plot([0, 1], [1, 0], color="C1", label="b")
    ax.imshow([[0, 1]], cmap="jet")
    (a, b) = ax.get_lines()
    assert _series_cue(a) == _series_cue(b)
    assert not _allowed(_cmap_names(fig)[0])


def test_cell_numbers_contrast_with_their_cells():
    """Confusion-matrix numbers are black or white, whichever contrasts more with the cell:
    at least 4.5:1 on every cell (the better of the two always reaches 4.58:1)."""
    fig = plotting.plot_confusion([0] * 9 + [1] * 5 + [2], [0] * 9 + [1] * 3 + [0] * 2 + [2])
    ax = fig.axes[0]
    image = ax.images[0]
    for text in ax.texts:
        col, row = (round(v) for v in text.get_position())
        cell = image.to_rgba(image.get_array()[row, col])
        assert _contrast(cell, text.get_color()) >= 4.5, (text.get_text(), cell)


def _contrast(rgba, colour) -> float:
    from matplotlib.colors import to_rgb

    def lum(rgb) -> float:
        c = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in rgb[:3]]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    a, b = sorted((lum(rgba), lum(to_rgb(colour))))
    return (b + 0.05) / (a + 0.05)

