"""nbhelpers.ellipses (lecture 14): synthetic ellipses and their regression targets."""

from __future__ import annotations

import math

import pytest
import torch

from nbhelpers import ellipses


def test_images_and_params_shapes_and_ranges():
    x, p = ellipses.make_ellipses(64, size=32, seed=1)
    assert x.shape == (64, 1, 32, 32) and p.shape == (64, 4)
    assert (p[:, :2] >= 9.6).all() and (p[:, :2] <= 22.4).all()
    assert (p[:, 3] >= 0).all() and (p[:, 3] < math.pi).all()


def test_brightest_region_is_at_the_centre_parameter():
    x, p = ellipses.make_ellipses(32, size=48, noise=0.0, seed=2)
    rows, cols = torch.meshgrid(torch.arange(48) + 0.5, torch.arange(48) + 0.5, indexing="ij")
    w = x[:, 0]
    cx = (w * cols).sum((1, 2)) / w.sum((1, 2))
    cy = (w * rows).sum((1, 2)) / w.sum((1, 2))
    assert torch.allclose(cx, p[:, 0], atol=0.3) and torch.allclose(cy, p[:, 1], atol=0.3)


def test_orientation_is_visible_in_second_moments():
    x, p = ellipses.make_ellipses(32, size=48, noise=0.0, seed=3)
    rows, cols = torch.meshgrid(torch.arange(48) + 0.5, torch.arange(48) + 0.5, indexing="ij")
    w = x[:, 0] / x[:, 0].sum((1, 2), keepdim=True)
    dx, dy = cols - p[:, 0, None, None], rows - p[:, 1, None, None]
    sxx, syy, sxy = (w * dx * dx).sum((1, 2)), (w * dy * dy).sum((1, 2)), (w * dx * dy).sum((1, 2))
    est = 0.5 * torch.atan2(2 * sxy, sxx - syy)
    d = (est - p[:, 3]).remainder(math.pi)  # orientations: period pi
    assert (torch.minimum(d, math.pi - d) < 0.05).all()


def test_same_seed_same_data():
    a, pa = ellipses.make_ellipses(5, seed=7)
    b, pb = ellipses.make_ellipses(5, seed=7)
    assert torch.equal(a, b) and torch.equal(pa, pb)


def test_encode_decode_round_trip_and_periodicity():
    _, p = ellipses.make_ellipses(50, seed=4)
    assert torch.allclose(ellipses.decode(ellipses.encode(p)), p, atol=1e-5)
    turned = p.clone()
    turned[:, 3] += math.pi  # the same ellipse
    assert torch.allclose(ellipses.encode(turned), ellipses.encode(p), atol=1e-5)


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: ellipses.make_ellipses(0), "n >= 1"),
        (lambda: ellipses.make_ellipses(3, aspect=1.0), "aspect"),
        (lambda: ellipses.encode(torch.zeros(3, 5)), r"\(n, 4\)"),
        (lambda: ellipses.decode(torch.zeros(3, 4)), r"\(n, 5\)"),
        (lambda: ellipses.encode([[16.0, 16.0, 5.0, 0.0]]), r"tensor of shape \(n, 4\).*list"),
        (lambda: ellipses.decode(torch.zeros(5)), r"\(n, 5\), got \(5,\)"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_draw_ellipses_is_make_ellipses_without_noise():
    x, p = ellipses.make_ellipses(20, size=40, noise=0.0, aspect=0.3, seed=5)
    drawn = ellipses.draw_ellipses(p, size=40, aspect=0.3)
    assert drawn.shape == (20, 1, 40, 40) and drawn.dtype == torch.float32
    assert torch.equal(drawn, x)


def test_draw_ellipses_turned_by_pi_is_the_same_image_but_not_by_half_pi():
    p = torch.tensor([[16.0, 15.0, 6.0, 0.4]])
    turned, quarter = p.clone(), p.clone()
    turned[:, 3] += math.pi
    quarter[:, 3] += math.pi / 2
    image = ellipses.draw_ellipses(p)
    assert torch.allclose(ellipses.draw_ellipses(turned), image, atol=1e-5)
    assert (ellipses.draw_ellipses(quarter) - image).abs().max() > 0.5


def test_draw_ellipses_area_matches_the_ellipse_formula():
    # brightness sigmoid(8 (1 - r)) with r the elliptic radius: the summed brightness is
    # pi a b * integral of 2 r sigmoid(8 (1 - r)) dr = pi a b (1 + pi^2 / (3 * 8^2)) (logistic moments)
    p = torch.tensor([[20.0, 20.0, 8.0, 1.0], [20.0, 20.0, 12.0, 2.5]])
    area = ellipses.draw_ellipses(p, size=40, aspect=0.5).sum((1, 2, 3))
    expected = math.pi * p[:, 2] * 0.5 * p[:, 2] * (1 + math.pi**2 / 192)
    assert torch.allclose(area, expected, rtol=0.005)


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: ellipses.draw_ellipses(torch.zeros(3, 5)), r"\(n, 4\)"),
        (lambda: ellipses.draw_ellipses([[1.0, 2.0, 3.0, 0.0]]), r"\(n, 4\)"),
        (lambda: ellipses.draw_ellipses(torch.ones(1, 4), size=4), "size >= 8"),
        (lambda: ellipses.draw_ellipses(torch.ones(1, 4), aspect=0.0), "aspect"),
    ],
)
def test_draw_ellipses_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
