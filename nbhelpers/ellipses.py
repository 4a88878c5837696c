"""Synthetic ellipses with known continuous parameters, for CNN regression (lecture 14).

Each image shows one bright ellipse on a dark, slightly noisy background. The parameters that
generated it are the regression targets, so the ground truth is exact and nothing is downloaded.

Raw parameters (one row per image):

=========  =====================================  ============
name       meaning                                range
=========  =====================================  ============
x          centre column, pixels                  [0.3 S, 0.7 S]
y          centre row, pixels                     [0.3 S, 0.7 S]
length     semi-major axis, pixels                [0.12 S, 0.24 S]
angle      orientation, radians (0 = horizontal)  [0, pi)
=========  =====================================  ============

An ellipse turned by pi looks the same, so ``angle`` is not learnable as a number (0 and
3.1 look alike but are far apart). :func:`encode` replaces it by ``(cos 2a, sin 2a)``, which is
continuous and periodic with period pi; :func:`decode` inverts that.
"""

from __future__ import annotations

import math

import torch

RAW_NAMES = ("x", "y", "length", "angle")
TARGET_NAMES = ("x", "y", "length", "cos 2a", "sin 2a")


def make_ellipses(
    n: int, *, size: int = 32, noise: float = 0.05, aspect: float = 0.45, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` images ``(n, 1, size, size)`` float32 in about [0, 1] and their raw parameters
    ``(n, 4)`` (x, y, length, angle), drawn uniformly from the ranges in the module docstring.

    ``aspect`` is the ratio of minor to major axis; ``noise`` the std of added Gaussian noise.
    """
    if n <= 0 or size < 8:
        raise ValueError(f"need n >= 1 and size >= 8, got n={n}, size={size}")
    if not 0 < aspect < 1:
        raise ValueError(f"aspect must be in (0, 1) so the orientation is visible, got {aspect}")
    g = torch.Generator().manual_seed(seed)
    u = torch.rand(n, 4, generator=g)
    x = size * (0.3 + 0.4 * u[:, 0])
    y = size * (0.3 + 0.4 * u[:, 1])
    length = size * (0.12 + 0.12 * u[:, 2])
    angle = math.pi * u[:, 3]
    params = torch.stack([x, y, length, angle], dim=1)
    images = draw_ellipses(params, size=size, aspect=aspect)
    images = images + noise * torch.randn(images.shape, generator=g)
    return images, params


def draw_ellipses(params: torch.Tensor, *, size: int = 32, aspect: float = 0.45) -> torch.Tensor:
    """Noise-free images ``(n, 1, size, size)`` float32 in [0, 1] of the ellipses with raw
    parameters ``params`` ``(n, 4)``: x, y, length (pixels), angle (radians); any values are
    allowed (e.g. an angle beyond pi, to see that it draws the same ellipse as angle - pi).
    """
    _check_columns(params, 4, "raw parameters (x, y, length, angle)")
    if size < 8:
        raise ValueError(f"need size >= 8, got size={size}")
    if not 0 < aspect < 1:
        raise ValueError(f"aspect must be in (0, 1) so the orientation is visible, got {aspect}")
    x, y, length, angle = params.float().unbind(1)
    rows, cols = torch.meshgrid(torch.arange(size) + 0.5, torch.arange(size) + 0.5, indexing="ij")
    dx = cols[None] - x[:, None, None]  # (n, size, size)
    dy = rows[None] - y[:, None, None]
    c, s = torch.cos(angle)[:, None, None], torch.sin(angle)[:, None, None]
    along, across = dx * c + dy * s, -dx * s + dy * c
    a = length[:, None, None]
    r = torch.sqrt((along / a) ** 2 + (across / (aspect * a)) ** 2)
    return torch.sigmoid((1 - r) * 8).unsqueeze(1)  # soft edge, about one pixel wide


def encode(params: torch.Tensor) -> torch.Tensor:
    """Raw parameters ``(n, 4)`` -> regression targets ``(n, 5)``: x, y, length, cos 2a, sin 2a."""
    _check_columns(params, 4, "raw parameters (x, y, length, angle)")
    angle = params[:, 3]
    return torch.cat([params[:, :3], torch.cos(2 * angle)[:, None], torch.sin(2 * angle)[:, None]], 1)


def decode(targets: torch.Tensor) -> torch.Tensor:
    """Targets ``(n, 5)`` -> raw parameters ``(n, 4)``, the angle back in [0, pi)."""
    _check_columns(targets, 5, "targets (x, y, length, cos 2a, sin 2a)")
    angle = torch.atan2(targets[:, 4], targets[:, 3]).remainder(2 * math.pi) / 2
    return torch.cat([targets[:, :3], angle[:, None]], 1)



def _check_columns(t: object, columns: int, what: str) -> None:
    """Raise ``ValueError`` unless ``t`` is a tensor of shape ``(n, columns)``."""
    if not isinstance(t, torch.Tensor) or t.ndim != 2 or t.shape[1] != columns:
        got = tuple(t.shape) if isinstance(t, torch.Tensor) else type(t).__name__
        raise ValueError(f"expected {what} as a tensor of shape (n, {columns}), got {got}")
