"""Lecture 12 demo: take a test digit, disturb it, and watch the trained network's answer.

The maths is in :mod:`nbhelpers.digits` (:func:`~nbhelpers.digits.perturb`,
:func:`~nbhelpers.digits.class_probabilities`); this module draws it:

- :func:`digit_figure` draws the (disturbed) digit next to the class-probability bars.
- :func:`perturbations_figure` is the static fallback: one digit under several disturbances,
  each titled with the prediction and its confidence.
- :func:`digit_widget` wraps :func:`digit_figure` in sliders (which test digit, shift,
  rotation, noise, erased square).

Images are pixels in [0, 1] (as ``ToTensor`` gives them); they are normalised with the
training set's mean and std before they reach the model, as in training.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as w
import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure
from torch import nn

from nbhelpers.digits import class_probabilities, normalisation_stats, perturb
from nbhelpers.display import PALETTE, WRONG, describe, slide_figure
from nbhelpers.plotting import show_images
from nbhelpers.widgets import LiveDemo, listing, live, num

__all__ = ["DEFAULT_PERTURBATIONS", "digit_figure", "digit_widget", "perturbations_figure"]

#: The disturbances the static figure shows: (title, keyword arguments of
#: :func:`nbhelpers.digits.perturb`).
DEFAULT_PERTURBATIONS: list[tuple[str, dict[str, Any]]] = [
    ("original", {}),
    ("shift 5 px", {"shift_x": 5}),
    ("rotate 45°", {"angle": 45.0}),
    ("rotate 90°", {"angle": 90.0}),
    ("noise 0.5", {"noise": 0.5}),
    ("erase 10×10", {"erase": 10}),
]


def _classes(classes: Sequence[str] | None, n: int) -> list[str]:
    names = [str(c) for c in classes] if classes is not None else [str(i) for i in range(n)]
    if len(names) != n:
        raise ValueError(f"classes has {len(names)} names but the model gives {n} outputs")
    return names


@slide_figure
def digit_figure(
    model: nn.Module,
    image: torch.Tensor,
    *,
    label: int | None = None,
    shift_x: int = 0,
    shift_y: int = 0,
    angle: float = 0.0,
    noise: float = 0.0,
    erase: int = 0,
    mean: float | None = None,
    std: float | None = None,
    classes: Sequence[str] | None = None,
    figsize: tuple[float, float] = (9.0, 3.6),
) -> Figure:
    """The digit ``image`` after :func:`perturb` (left) and ``model``'s class probabilities
    as bars (right; the predicted class in colour, red when it differs from ``label``)."""
    x = perturb(image, shift_x=shift_x, shift_y=shift_y, angle=angle, noise=noise, erase=erase)
    probs = class_probabilities(model, x, mean=mean, std=std)
    names = _classes(classes, len(probs))
    pred = int(probs.argmax())
    wrong = label is not None and pred != int(label)
    fig, (ax_img, ax_bar) = plt.subplots(1, 2, figsize=figsize, width_ratios=[1, 2.2])
    ax_img.imshow(x.numpy(), cmap="gray", vmin=0, vmax=1)
    ax_img.set_xticks([])
    ax_img.set_yticks([])
    ax_img.grid(False)
    ax_img.set_title("input" if label is None else f"true: {names[int(label)]}")
    colours = ["#BBBBBB"] * len(probs)
    colours[pred] = WRONG if wrong else PALETTE[0]
    ax_bar.bar(range(len(probs)), probs.numpy(), color=colours)
    ax_bar.set_xticks(range(len(probs)), names, rotation=45 if classes else 0,
                      ha="right" if classes else "center")
    ax_bar.set_ylim(0, 1.05)
    ax_bar.set_ylabel("probability")
    ax_bar.set_title(f"prediction: {names[pred]} ({probs[pred]:.1%})",
                     color=WRONG if wrong else "black")
    changes = [text for text, on in (
        (f"shifted {num(shift_x)} px right", shift_x), (f"shifted {num(shift_y)} px down", shift_y),
        (f"rotated {num(angle, 3)}°", angle), (f"with noise σ = {num(noise)}", noise),
        (f"with a {erase}×{erase} square erased", erase)) if on]
    runner_up = int(probs.argsort(descending=True)[1]) if len(probs) > 1 else pred
    verdict = ("" if label is None else " (wrong)" if wrong else " (right)")
    return describe(fig, (
        f"Left: the {x.shape[-2]}×{x.shape[-1]} input image"
        + ("" if label is None else f" of a {names[int(label)]}")
        + (f", {listing(changes)}" if changes else "") + ". Right: the network's probability "
        f"for each of the {len(probs)} classes as bars: it predicts {names[pred]}{verdict} with "
        f"{probs[pred]:.0%}; next is {names[runner_up]} with {probs[runner_up]:.0%}."))


@slide_figure
def perturbations_figure(
    model: nn.Module,
    image: torch.Tensor,
    *,
    label: int,
    perturbations: Sequence[tuple[str, dict[str, Any]]] = tuple(DEFAULT_PERTURBATIONS),
    mean: float | None = None,
    std: float | None = None,
    classes: Sequence[str] | None = None,
) -> Figure:
    """One digit under several disturbances (``(title, perturb kwargs)`` pairs), each titled
    with the disturbance, the prediction and its confidence; wrong ones framed in red."""
    if not perturbations:
        raise ValueError("perturbations is empty: give at least one (title, kwargs) pair")
    batch = torch.stack([perturb(image, **kw) for _, kw in perturbations])
    probs = class_probabilities(model, batch, mean=mean, std=std)
    conf, pred = probs.max(dim=1)
    titles = [f"{t}\n{c:.0%}" for (t, _), c in zip(perturbations, conf.tolist(), strict=True)]
    fig = show_images(batch, titles=titles, true=[int(label)] * len(batch), pred=pred,
                      classes=classes, ncols=len(batch), size=1.6)
    name = str(label) if classes is None else str(classes[int(label)])
    # The predictions come from a trained model and may differ from CPU to CPU: the alt text
    # (the figure's text/plain, which nbval compares) names only what the caller fixed.
    return describe(fig, (
        f"One test image of a {name} under {len(perturbations)} disturbances in a row: "
        f"{listing(t for t, _ in perturbations)}. Each is titled with the network's prediction "
        "and its confidence; the predictions that are not the true label are framed in red."))


def digit_widget(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor | None = None,
    *,
    index: int = 0,
    mean: float | None = None,
    std: float | None = None,
    classes: Sequence[str] | None = None,
) -> LiveDemo:
    """Sliders: which digit of ``images`` (N×H×W or N×1×H×W, pixels in [0, 1]; ``labels``
    (N,) optional), shift x/y, rotation, noise and an erased square; redraws
    :func:`digit_figure` with ``model``'s prediction."""
    if not isinstance(images, torch.Tensor) or images.ndim not in (3, 4) or len(images) == 0:
        raise ValueError("images must be a non-empty tensor of digits, N×H×W or N×1×H×W")
    if labels is not None and len(labels) != len(images):
        raise ValueError(f"labels has {len(labels)} entries but there are {len(images)} images")
    if not 0 <= index < len(images):
        raise ValueError(f"index must be in [0, {len(images)}), got {index}")
    m, s = normalisation_stats(mean, std)
    size = images.shape[-1]

    def draw(index: int, shift_x: int, shift_y: int, angle: float, noise: float,
             erase: int) -> Figure:
        label = None if labels is None else int(labels[index])
        return digit_figure(model, images[index], label=label, shift_x=shift_x,
                            shift_y=shift_y, angle=angle, noise=noise, erase=erase, mean=m,
                            std=s, classes=classes)

    style = {"description_width": "initial"}
    layout = w.Layout(width="300px")

    def int_slider(description: str, value: int, lo: int, hi: int) -> w.IntSlider:
        return w.IntSlider(value=value, min=lo, max=hi, description=description, style=style,
                           layout=layout, continuous_update=False)

    def float_slider(description: str, lo: float, hi: float, step: float) -> w.FloatSlider:
        return w.FloatSlider(value=0.0, min=lo, max=hi, step=step, description=description,
                             style=style, layout=layout, continuous_update=False)

    return live(draw, {
        "index": int_slider("test digit", index, 0, len(images) - 1),
        "shift_x": int_slider("shift right", 0, -size // 3, size // 3),
        "shift_y": int_slider("shift down", 0, -size // 3, size // 3),
        "angle": float_slider("rotate °", -180.0, 180.0, 5.0),
        "noise": float_slider("noise σ", 0.0, 1.0, 0.05),
        "erase": int_slider("erase square", 0, 0, size // 2),
    })
