"""nbhelpers.handwriting: strokes to ink, and ink to an MNIST-style 28×28 digit."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from nbhelpers import handwriting as hw


def test_render_strokes_draws_bilevel_round_lines():
    ink = hw.render_strokes([[(40, 140), (240, 140)]], size=280, width=20)
    assert ink.shape == (280, 280) and set(ink.unique().tolist()) == {0.0, 1.0}
    rows = ink.any(1).nonzero().flatten()
    cols = ink.any(0).nonzero().flatten()
    assert 129 <= rows[0] <= 131 and 149 <= rows[-1] <= 151        # 20 px thick
    assert 29 <= cols[0] <= 31 and 249 <= cols[-1] <= 251          # round caps: +10 px
    dot = hw.render_strokes([[(100, 100)]], width=10)               # one point: a dot
    assert 60 < dot.sum() < 100                                      # about π·5²
    assert hw.render_strokes([[]]).sum() == 0


def test_render_strokes_rejects_bad_sizes():
    with pytest.raises(ValueError, match="size >= 8"):
        hw.render_strokes([[(1, 1)]], size=4)
    with pytest.raises(ValueError, match="width > 0"):
        hw.render_strokes([[(1, 1)]], width=0)


def test_centre_of_mass_of_a_point_and_of_nothing():
    img = torch.zeros(10, 12)
    img[3, 7] = 2.0
    assert hw.centre_of_mass(img) == (3.0, 7.0)
    with pytest.raises(ValueError, match="no ink"):
        hw.centre_of_mass(torch.zeros(5, 5))


@pytest.mark.parametrize(("h", "w"), [(200, 80), (60, 150), (5, 5)])
def test_mnist_style_fits_20x20_and_centres_the_mass(h, w):
    ink = torch.zeros(300, 300)
    ink[17:17 + h, 201 - w // 2: 201 + (w - w // 2)] = 1.0       # anywhere on the canvas
    ink[17 + h // 2:, :] *= 0.5                                    # a lopsided mass
    out = hw.mnist_style(ink)
    assert out.shape == (28, 28) and 0 <= out.min() and out.max() <= 1
    box = (out.any(1).sum().item(), out.any(0).sum().item())
    assert max(box) == hw.BOX                                      # longer side 20 px
    assert abs(box[0] / box[1] - h / w) < 0.15 * h / w + 0.1       # aspect ratio kept
    cy, cx = hw.centre_of_mass(out)
    assert abs(cy - hw.CENTRE) <= 0.5 and abs(cx - hw.CENTRE) <= 0.5   # whole-pixel shift


def test_mnist_style_grey_levels_are_the_covered_share():
    ink = torch.zeros(200, 200)
    ink[:, :100] = 1.0                                  # 200×100 -> 20×10, exactly
    out = hw.mnist_style(ink)
    assert out.sum().item() == pytest.approx(200.0)            # 20×10 fully covered pixels
    ink = torch.zeros(200, 200)
    ink[::2] = 1.0                                      # every other row inked
    ink[-1] = 1.0                                       # a 200×200 box: 10 rows per pixel
    out = hw.mnist_style(ink)
    grey = {round(v, 4) for v in out[out > 0].tolist()}
    assert grey == {0.5, 0.6}                           # 5 of 10 rows inked (6 at the end)


def test_mnist_style_undoes_a_bigger_off_centre_copy_of_an_mnist_like_digit():
    digit = torch.zeros(28, 28)
    digit[4:24, 11:18] = 1.0                            # 20 high, with a foot to the right:
    digit[20:24, 18:20] = 1.0                           # mass at (13.93, 14.24), nearest 14
    assert [round(c, 2) for c in hw.centre_of_mass(digit)] == [13.93, 14.24]
    big = F.interpolate(digit[None, None], scale_factor=10, mode="nearest")[0, 0]
    canvas = torch.zeros(400, 400)
    canvas[90:370, 13:293] = big
    out = hw.mnist_style(canvas)
    assert torch.equal(out, digit)          # no whole-pixel shift brings the mass nearer 14
    assert torch.equal(hw.mnist_style(torch.roll(canvas, (-60, 70), (0, 1))), digit)


def test_mnist_style_rejects_blank_and_bad_input():
    with pytest.raises(ValueError, match="nothing is drawn"):
        hw.mnist_style(torch.zeros(50, 50))
    with pytest.raises(ValueError, match="H×W"):
        hw.mnist_style(torch.zeros(1, 50, 50))


@pytest.mark.parametrize(("scale", "error", "match"), [
    (lambda ink: (ink * 255).to(torch.uint8), TypeError, r"ink must be float pixels .* / 255"),
    (lambda ink: ink * 255, ValueError, r"ink must be pixels in \[0, 1\].*divide by 255"),
    (lambda ink: (ink - 0.1307) / 0.3081, ValueError, "normalised already"),
])
def test_mnist_style_and_redraw_refuse_ink_that_is_not_floats_in_0_1(scale, error, match):
    ink = torch.zeros(200, 200)
    ink[40:160, 90:110] = 1.0
    assert hw.mnist_style(ink).max() == 1.0
    with pytest.raises(error, match=match):
        hw.mnist_style(scale(ink))
    with pytest.raises(error, match=match.replace("ink", "digits")):
        hw.redraw(scale(hw.mnist_style(ink))[None])


def test_example_strokes_render_inside_the_canvas():
    for meant, strokes in hw.EXAMPLE_STROKES.items():
        ink = hw.render_strokes(strokes)
        assert ink.sum() > 500, meant
        assert ink[0].sum() == ink[-1].sum() == ink[:, 0].sum() == ink[:, -1].sum() == 0, meant
        assert meant[0].isdigit()


def test_redraw_gives_mnist_style_digits_the_same_for_a_seed():
    digits = torch.zeros(3, 28, 28)
    digits[:, 6:22, 12:16] = 1.0                       # a thick "1"
    digits[1, 6:10, 8:20] = 1.0                        # a "T"
    out = hw.redraw(digits, seed=0)
    assert out.shape == (3, 28, 28) and 0 <= out.min() and out.max() <= 1
    for image in out:                                  # each fits MNIST's 20x20 box
        rows, cols = (image > 0).any(1).nonzero(), (image > 0).any(0).nonzero()
        assert max(rows.max() - rows.min(), cols.max() - cols.min()) + 1 <= 20
    assert torch.equal(out, hw.redraw(digits, seed=0))
    assert torch.equal(out[0], out[2])                 # placement does not change the result


def test_redraw_rejects_other_shapes():
    with pytest.raises(ValueError, match=r"\(N, 28, 28\)"):
        hw.redraw(torch.zeros(28, 28))
