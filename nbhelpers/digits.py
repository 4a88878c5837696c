"""Lecture 12: disturb one test digit, and a trained classifier's probabilities for digits.

- :func:`perturb` shifts, rotates, erases part of and adds noise to one digit (pure).
- :func:`class_probabilities` runs a classifier on digits with pixels in [0, 1]: the softmax
  over the classes, after the same normalisation as in training.
- :func:`perturb_batch` disturbs a set of digits the same way, with independent noise for
  every digit (reproducible from one seed).
- :func:`perturbed_accuracy` measures how often a classifier is still right when every one
  of a set of digits gets the same disturbance (one example is not evidence).
- :func:`normalisation_stats` is the (mean, std) these use (default: MNIST's).
- :func:`accuracy_table` lays out such accuracies, one row per model (or per set of models,
  shown as the range of their accuracies), one column per disturbance.

Images are float pixels in [0, 1] (as ``ToTensor`` gives them); pixels 0…255 or images
normalised already are refused with a message (:func:`nbhelpers.images.as_pixels`). The
digit widget (:mod:`nbhelpers.widgets.digits`) draws both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch
import torchvision.transforms.functional as TF
from torch import nn

from nbhelpers.images import as_pixels

__all__ = ["accuracy_table", "class_probabilities", "normalisation_stats", "perturb",
           "perturb_batch", "perturbed_accuracy"]


def _image(image: Any) -> torch.Tensor:
    """One digit as an H×W float tensor on the CPU (accepts H×W or 1×H×W, pixels in [0, 1])."""
    x = as_pixels(image, name="image")
    if x.ndim == 3 and x.shape[0] == 1:
        x = x[0]
    if x.ndim != 2:
        raise ValueError(f"image must be one grey image H×W or 1×H×W, got {tuple(image.shape)}")
    return x


def _check_perturbation(h: int, wd: int, shift_x: int, shift_y: int, noise: float,
                        erase: int) -> None:
    for value, name in ((shift_x, "shift_x"), (shift_y, "shift_y"), (erase, "erase")):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int number of pixels, got {value!r}")
    if not 0 <= erase <= min(h, wd):
        raise ValueError(f"erase must be between 0 and {min(h, wd)} pixels, got {erase}")
    if noise < 0:
        raise ValueError(f"noise is a standard deviation and must be >= 0, got {noise}")


def _shift(x: torch.Tensor, dx: int, dy: int) -> torch.Tensor:
    """x (H×W) moved dx pixels right and dy down; what moves out is lost, black comes in."""
    h, wd = x.shape
    shifted = torch.zeros_like(x)
    src = x[max(0, -dy):h - max(0, dy), max(0, -dx):wd - max(0, dx)]
    if src.numel():
        top, left = max(0, dy), max(0, dx)
        shifted[top:top + src.shape[0], left:left + src.shape[1]] = src
    return shifted


def perturb(
    image: torch.Tensor,
    *,
    shift_x: int = 0,
    shift_y: int = 0,
    angle: float = 0.0,
    noise: float = 0.0,
    erase: int = 0,
    seed: int = 0,
) -> torch.Tensor:
    """A disturbed copy of one digit ``image`` (H×W or 1×H×W, pixels in [0, 1]); returns H×W.

    In this order: rotate by ``angle`` degrees (counter-clockwise, about the centre, bilinear),
    shift by ``shift_x`` pixels right and ``shift_y`` pixels down (what moves out is lost,
    what comes in is black), black out a centred ``erase``×``erase`` square, add Gaussian noise
    with standard deviation ``noise`` (drawn from a generator seeded with ``seed``, so the
    same settings give the same image), and clip to [0, 1].
    """
    out = _image(image)
    h, wd = out.shape
    _check_perturbation(h, wd, shift_x, shift_y, noise, erase)
    if angle:
        out = TF.rotate(out[None], float(angle), interpolation=TF.InterpolationMode.BILINEAR)[0]
    if shift_x or shift_y:
        out = _shift(out, shift_x, shift_y)
    if erase:
        out = out.clone()
        top, left = (h - erase) // 2, (wd - erase) // 2
        out[top:top + erase, left:left + erase] = 0.0
    if noise:
        g = torch.Generator().manual_seed(seed)
        out = out + noise * torch.randn(out.shape, generator=g)
    return out.clamp(0.0, 1.0)


def perturb_batch(images: torch.Tensor, *, seed: int = 0, **kwargs: Any) -> torch.Tensor:
    """Every digit of ``images`` (N×H×W or N×1×H×W) disturbed by :func:`perturb` with
    ``kwargs``; returns N×H×W.

    The noise is independent from digit to digit: digit ``i`` gets its own noise seed, the
    ``i``-th number drawn from a generator seeded with ``seed``. So one ``seed`` reproduces
    the whole set, and another ``seed`` gives a new, independent draw.
    """
    if not isinstance(images, torch.Tensor) or images.ndim not in (3, 4) or len(images) == 0:
        raise ValueError("images must be a non-empty tensor of digits, N×H×W or N×1×H×W")
    g = torch.Generator().manual_seed(seed)
    seeds = torch.randint(0, 2**62, (len(images),), generator=g).tolist()
    return torch.stack([perturb(image, seed=s, **kwargs)
                        for image, s in zip(images, seeds, strict=True)])


def normalisation_stats(mean: float | None = None, std: float | None = None) -> tuple[float, float]:
    """``(mean, std)`` to normalise pixels with: the given values, and for the ones left
    ``None`` the MNIST training set's (:func:`nbhelpers.data.mean_std`)."""
    if mean is None or std is None:
        from nbhelpers.data import mean_std

        m, s = mean_std("mnist")
        mean = m if mean is None else mean
        std = s if std is None else std
    if std <= 0:
        raise ValueError(f"std must be positive, got {std}")
    return float(mean), float(std)


def class_probabilities(
    model: nn.Module,
    images: torch.Tensor,
    *,
    mean: float | None = None,
    std: float | None = None,
) -> torch.Tensor:
    """Softmax class probabilities of ``model`` for digits with pixels in [0, 1].

    ``images``: one digit H×W (returns shape ``(C,)``) or a batch N×H×W / N×1×H×W (returns
    ``(N, C)``), float pixels in [0, 1]: integer pixels (0…255) raise ``TypeError``, values
    outside [0, 1] (0…255 as floats, or normalised already) ``ValueError``. Pixels are
    normalised with :func:`normalisation_stats` of ``mean``/``std`` (default: the MNIST
    training set's); the model runs in eval mode without gradients, on its own device, and
    gets back the mode it had.
    """
    from nbhelpers.training import predict

    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    x = as_pixels(images, name="images")
    single = x.ndim == 2
    if single:
        x = x[None, None]
    elif x.ndim == 3:
        x = x[:, None]
    if x.ndim != 4 or x.shape[1] != 1:
        raise ValueError(f"images must be H×W, N×H×W or N×1×H×W, got {tuple(images.shape)}")
    m, s = normalisation_stats(mean, std)
    probs = predict(model, (x - m) / s, probs=True)
    return probs[0] if single else probs


def perturbed_accuracy(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    *,
    perturbations: Sequence[tuple[str, Mapping[str, Any]]],
    mean: float | None = None,
    std: float | None = None,
    seed: int = 0,
) -> dict[str, float]:
    """For each ``(name, perturb kwargs)`` in ``perturbations``: the fraction of ``images``
    that ``model`` still classifies as ``labels`` after :func:`perturb` with those kwargs.

    Noise is drawn independently for every digit (:func:`perturb_batch`); ``seed`` fixes the
    whole draw, so a different ``seed`` measures the same disturbance on fresh noise.

    ``images``: N×H×W or N×1×H×W, pixels in [0, 1]; ``labels``: (N,) int class indices.
    Probabilities come from :func:`class_probabilities` (normalised with ``mean``/``std``,
    default MNIST's). Returns ``{name: accuracy in [0, 1]}`` in the given order.
    """
    if not isinstance(images, torch.Tensor) or images.ndim not in (3, 4) or len(images) == 0:
        raise ValueError("images must be a non-empty tensor of digits, N×H×W or N×1×H×W")
    if not isinstance(labels, torch.Tensor) or labels.shape != (len(images),):
        got = tuple(labels.shape) if isinstance(labels, torch.Tensor) else type(labels).__name__
        raise ValueError(f"labels must be a tensor of shape ({len(images)},), got {got}")
    if not perturbations:
        raise ValueError("perturbations is empty: give at least one (name, kwargs) pair")
    result = {}
    for name, kwargs in perturbations:
        batch = perturb_batch(images, seed=seed, **kwargs)
        probs = class_probabilities(model, batch, mean=mean, std=std)
        result[name] = (probs.argmax(1) == labels.cpu()).sum().item() / len(labels)
    return result


def accuracy_table(rows: Mapping[str, Mapping[str, float | Sequence[float]]], *,
                   width: int = 13) -> str:
    """A text table of accuracies: one row per entry of ``rows`` (its name on the left), one
    column per disturbance (the keys of the first row, in order). A number prints as a
    percentage with one decimal (``99.2%``); a sequence of numbers (several models, seeds or
    draws) as its range, ``53.3–60.5%``. Every row must have the first row's columns."""
    if not rows:
        raise ValueError("rows is empty: give {row name: {disturbance: accuracy}}")
    columns = list(next(iter(rows.values())))
    label = max(len(name) for name in rows)

    def cell(value: float | Sequence[float]) -> str:
        if isinstance(value, (int, float)):
            return f"{value:.1%}"
        values = list(value)
        if not values:
            raise ValueError("an accuracy range needs at least one value")
        return f"{min(values):.1%}–{max(values):.1%}".replace("%–", "–")

    lines = [" " * label + "".join(f"{c:>{width}s}" for c in columns)]
    for name, accs in rows.items():
        missing = [c for c in columns if c not in accs]
        if missing:
            raise ValueError(f"row {name!r} has no accuracy for {missing}")
        lines.append(f"{name:{label}s}" + "".join(cell(accs[c]).rjust(width) for c in columns))
    return "\n".join(lines)
