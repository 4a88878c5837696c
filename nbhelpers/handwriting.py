"""Lecture 12: a digit drawn with the mouse, made into an MNIST-style 28×28 image.

MNIST's recipe (LeCun et al.): each digit was scaled to fit a **20×20 box** keeping its aspect
ratio (the anti-aliasing gives grey levels), then placed in a **28×28** image so that its
**centre of mass** is at the centre. Measured on the 60,000 training digits (lecture 12 checks
it): the longer side of the bounding box is 20 px for 99.7 %, and the centre of mass is at
(14.0, 14.0) in pixel indices, with a standard deviation of 0.3 px and never more than about
half a pixel off (whole-pixel shifts).

- :func:`render_strokes` draws strokes (lists of ``(x, y)`` points, as a mouse gives them) as
  white ink on black, ``size×size`` floats in [0, 1];
- :func:`mnist_style` makes any ``H×W`` ink image (white on black) look like an MNIST digit;
- :func:`centre_of_mass` is the ``(row, column)`` centre of an image's ink.
- :data:`EXAMPLE_STROKES` are a few digits drawn by code, for the static figure.

The classifier's normalisation is applied by :func:`nbhelpers.digits.class_probabilities`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw

from nbhelpers.images import as_pixels

__all__ = ["BOX", "CENTRE", "EXAMPLE_STROKES", "PEN", "SIZE", "Stroke", "centre_of_mass",
           "mnist_style", "redraw", "render_strokes"]

SIZE = 28        # MNIST images are 28×28
BOX = 20         # the digit is scaled to fit 20×20
CENTRE = 14.0    # where MNIST's centres of mass are, in pixel indices (row and column)
#: px: the pen of the drawing canvas (280×280). A digit drawn about 200 px tall is scaled by
#: 1/10 into its 20×20 box, so its strokes become ~2.5 MNIST pixels wide, like MNIST's; a
#: smaller drawing is scaled less and gets thicker strokes.
PEN = 26.0

Stroke = Sequence[tuple[float, float]]


def render_strokes(strokes: Sequence[Stroke], *, size: int = 280, width: float = PEN
                   ) -> torch.Tensor:
    """Strokes (each a sequence of ``(x, y)`` canvas points, ``x`` to the right, ``y`` down)
    drawn as round-ended white lines ``width`` px wide on black: ``size×size`` in {0, 1}
    (bilevel, like the NIST scans MNIST was made from). A one-point stroke is a dot."""
    if size < 8 or width <= 0:
        raise ValueError(f"need size >= 8 and width > 0, got size={size}, width={width}")
    img = Image.new("L", (size, size), 0)
    pen = ImageDraw.Draw(img)
    r = width / 2
    for stroke in strokes:
        points = [(float(x), float(y)) for x, y in stroke]
        if not points:
            continue
        if len(points) > 1:
            pen.line(points, fill=255, width=max(1, round(width)), joint="curve")
        for x, y in points[:1] + points[-1:]:          # round caps at both ends
            pen.ellipse((x - r, y - r, x + r, y + r), fill=255)
    return torch.frombuffer(bytearray(img.tobytes()), dtype=torch.uint8).view(size, size) \
        .float().div_(255)


def centre_of_mass(image: torch.Tensor) -> tuple[float, float]:
    """``(row, column)`` of the ink's centre of mass in pixel indices (``image``: H×W, ≥ 0)."""
    total = image.sum()
    if total <= 0:
        raise ValueError("the image has no ink: its centre of mass is undefined")
    rows = torch.arange(image.shape[0], dtype=image.dtype)
    cols = torch.arange(image.shape[1], dtype=image.dtype)
    return ((image.sum(1) * rows).sum() / total).item(), ((image.sum(0) * cols).sum() / total).item()


def mnist_style(ink: torch.Tensor, *, threshold: float = 0.0) -> torch.Tensor:
    """``H×W`` ink (white on black, [0, 1]) -> ``28×28`` in [0, 1], the way MNIST was made:
    crop to the ink's bounding box (pixels > ``threshold``), scale so that the longer side is
    20 px (area averaging: the grey level is about the share of a pixel covered by ink; exactly
    that when the scale is a whole number), and paste into 28×28 with the centre of mass moved
    to pixel (14, 14) by a whole-pixel shift (kept inside the image for a very lopsided digit).
    Raises ``ValueError`` when nothing is drawn, and (:func:`nbhelpers.images.as_pixels`)
    ``TypeError`` / ``ValueError`` for ink that is not float pixels in [0, 1] (0…255, or
    normalised already)."""
    if not isinstance(ink, torch.Tensor) or ink.ndim != 2:
        raise ValueError(f"ink must be an H×W tensor, got {getattr(ink, 'shape', type(ink))}")
    x = as_pixels(ink, name="ink")
    rows = (x > threshold).any(1).nonzero()
    cols = (x > threshold).any(0).nonzero()
    if len(rows) == 0:
        raise ValueError("nothing is drawn: draw a digit first")
    crop = x[rows[0]: rows[-1] + 1, cols[0]: cols[-1] + 1]
    h, w = crop.shape
    scale = BOX / max(h, w)
    new = (max(1, round(h * scale)), max(1, round(w * scale)))
    small = F.interpolate(crop[None, None], size=new, mode="area")[0, 0].clamp(0, 1)
    cy, cx = centre_of_mass(small)
    top = min(max(round(CENTRE - cy), 0), SIZE - new[0])
    left = min(max(round(CENTRE - cx), 0), SIZE - new[1])
    out = torch.zeros(SIZE, SIZE)
    out[top: top + new[0], left: left + new[1]] = small
    return out


def redraw(digits: torch.Tensor, *, seed: int = 0) -> torch.Tensor:
    """Digits as if drawn by hand on the widget's canvas, then made MNIST-style again: each
    ``28×28`` digit of ``digits`` (N, 28, 28) in [0, 1] enlarged 10× (bilinear), made bilevel
    (ink where > 0.5, pen on paper) and put at a random place (``seed``) on a 400×400 canvas,
    then :func:`mnist_style`. Returns (N, 28, 28). Lecture 12 checks that the recipe undoes
    drawing: the redrawn digits read about as well as the originals. Digits that are not float
    pixels in [0, 1] are refused as by :func:`mnist_style`."""
    if not isinstance(digits, torch.Tensor) or digits.ndim != 3 or digits.shape[1:] != (28, 28):
        raise ValueError(f"digits must be an (N, 28, 28) tensor, got "
                         f"{getattr(digits, 'shape', type(digits))}")
    g = torch.Generator().manual_seed(seed)
    out = []
    for digit in as_pixels(digits, name="digits"):
        big = F.interpolate(digit[None, None], scale_factor=10, mode="bilinear")[0, 0]
        canvas = torch.zeros(400, 400)
        top, left = torch.randint(0, 121, (2,), generator=g).tolist()
        canvas[top:top + 280, left:left + 280] = (big > 0.5).float()
        out.append(mnist_style(canvas))
    return torch.stack(out)


def _arc(cx: float, cy: float, rx: float, ry: float, start: float, stop: float,
         n: int = 24) -> list[tuple[float, float]]:
    """Points on an ellipse from angle ``start`` to ``stop`` (degrees, 0 = right, 90 = down)."""
    return [(cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
            for a in (start + (stop - start) * i / (n - 1) for i in range(n))]


#: Digits drawn by code on a 280×280 canvas, as a mouse would draw them (key: the digit meant).
#: The last one is small and off-centre, to show what the preprocessing does.
EXAMPLE_STROKES: dict[str, list[list[tuple[float, float]]]] = {
    "0": [_arc(140, 140, 62, 92, -90, 275, n=40)],
    "1": [[(128, 70), (150, 45), (146, 140), (140, 238)]],
    "2": [_arc(138, 100, 58, 52, 190, 380) + [(80, 232), (205, 232)]],
    "3": [_arc(135, 90, 55, 45, 200, 450) + _arc(135, 182, 62, 52, 270, 520)[1:]],
    "4": [[(120, 40), (78, 168), (205, 168)], [(172, 95), (170, 242)]],
    "7, small": [[(25, 30), (95, 30), (55, 125)]],
}
