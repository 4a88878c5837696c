"""nbhelpers.digits (lecture 12): disturbing a digit and a model's class probabilities."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from nbhelpers.digits import (
    accuracy_table,
    class_probabilities,
    normalisation_stats,
    perturb,
    perturbed_accuracy,
)

MEAN, STD = 0.1307, 0.3081


def _digit(seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    img = torch.zeros(28, 28)
    img[6:22, 10:18] = torch.rand(16, 8, generator=g)
    return img


def test_no_perturbation_is_the_identity_and_pixels_stay_in_range():
    img = _digit()
    assert torch.equal(perturb(img), img)
    assert torch.equal(perturb(img[None]), img)
    out = perturb(img, noise=0.8, angle=33.0, shift_x=3, erase=6)
    assert out.shape == (28, 28) and out.min() >= 0 and out.max() <= 1


@pytest.mark.parametrize(("dx", "dy"), [(3, 0), (0, -4), (-5, 2), (27, 0), (0, 28)])
def test_shift_moves_pixels_and_fills_with_black(dx, dy):
    img = _digit()
    out = perturb(img, shift_x=dx, shift_y=dy)
    expected = torch.zeros_like(img)
    for r in range(28):
        for c in range(28):
            if 0 <= r - dy < 28 and 0 <= c - dx < 28:
                expected[r, c] = img[r - dy, c - dx]
    assert torch.equal(out, expected)


def test_rotation_by_90_degrees_matches_rot90():
    img = _digit(1)
    out = perturb(img, angle=90.0)
    torch.testing.assert_close(out, torch.rot90(img, 1, dims=(0, 1)), atol=1e-5, rtol=0)
    torch.testing.assert_close(perturb(img, angle=360.0), img, atol=1e-4, rtol=0)


def test_erase_blanks_a_centred_square_only():
    img = torch.ones(28, 28)
    out = perturb(img, erase=10)
    assert out[9:19, 9:19].sum() == 0
    assert out.sum() == 28 * 28 - 100


def test_noise_is_gaussian_reproducible_and_seeded():
    img = torch.full((28, 28), 0.5)
    a = perturb(img, noise=0.1, seed=3)
    assert torch.equal(a, perturb(img, noise=0.1, seed=3))
    assert not torch.equal(a, perturb(img, noise=0.1, seed=4))
    big = perturb(torch.full((280, 280), 0.5), noise=0.1)
    assert abs((big - 0.5).std().item() - 0.1) < 0.005


def test_perturb_rejects_bad_input():
    with pytest.raises(TypeError, match="torch tensor"):
        perturb([[0.0]])
    with pytest.raises(ValueError, match="one grey image"):
        perturb(torch.zeros(2, 28, 28))
    with pytest.raises(TypeError, match="shift_x"):
        perturb(_digit(), shift_x=1.5)
    with pytest.raises(ValueError, match="erase"):
        perturb(_digit(), erase=29)
    with pytest.raises(ValueError, match="noise"):
        perturb(_digit(), noise=-0.1)


def test_class_probabilities_normalise_like_training_and_restore_mode():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10), nn.Dropout(0.5)).train()
    img = _digit()
    probs = class_probabilities(model, img, mean=MEAN, std=STD)
    model.eval()
    with torch.no_grad():
        expected = model(((img - MEAN) / STD)[None, None]).softmax(1)[0]
    torch.testing.assert_close(probs, expected)
    assert model.training is False
    model.train()
    class_probabilities(model, img, mean=MEAN, std=STD)
    assert model.training
    batch = class_probabilities(model, torch.stack([img, img]), mean=MEAN, std=STD)
    assert batch.shape == (2, 10)
    torch.testing.assert_close(batch.sum(1), torch.ones(2))
    with pytest.raises(ValueError, match="std"):
        class_probabilities(model, img, mean=0.0, std=0.0)
    with pytest.raises(TypeError, match="nn.Module"):
        class_probabilities(lambda x: x, img, mean=MEAN, std=STD)


def test_normalisation_stats_keep_what_is_given():
    assert normalisation_stats(0.5, 0.25) == (0.5, 0.25)
    with pytest.raises(ValueError, match="std must be positive"):
        normalisation_stats(0.0, -1.0)


def test_perturbed_accuracy_counts_right_answers_per_disturbance():
    from nbhelpers.digits import perturbed_accuracy

    class Brightness(nn.Module):  # class 1 when the digit has ink in the centre, else 0
        def forward(self, x):
            centre = (x[:, 0, 9:19, 9:19] * STD + MEAN).sum((1, 2))
            return torch.stack([-centre + 1.0, centre - 1.0], dim=1)

    images = torch.stack([_digit(s) for s in range(4)] + [torch.zeros(28, 28)] * 2)
    labels = torch.tensor([1, 1, 1, 1, 0, 0])
    got = perturbed_accuracy(Brightness(), images, labels, mean=MEAN, std=STD,
                             perturbations=[("none", {}), ("erased", {"erase": 10}),
                                            ("shifted", {"shift_x": 20})])
    assert list(got) == ["none", "erased", "shifted"]
    assert got["none"] == 1.0                          # ink in the centre: all right
    assert got["erased"] == got["shifted"] == 2 / 6    # centre now blank: only the blanks right
    with pytest.raises(ValueError, match="shape \\(6,\\)"):
        perturbed_accuracy(Brightness(), images, labels[:3], perturbations=[("none", {})])
    with pytest.raises(ValueError, match="perturbations is empty"):
        perturbed_accuracy(Brightness(), images, labels, perturbations=[])
    with pytest.raises(ValueError, match="non-empty"):
        perturbed_accuracy(Brightness(), images[:0], labels[:0], perturbations=[("none", {})])


def test_perturb_batch_draws_independent_noise_per_digit_from_one_seed():
    from nbhelpers.digits import perturb_batch

    images = torch.full((5, 28, 28), 0.5)               # five identical digits
    a = perturb_batch(images, noise=0.3, seed=1)
    assert a.shape == (5, 28, 28)
    assert all(not torch.equal(a[0], a[i]) for i in range(1, 5))   # each its own noise
    assert torch.equal(a, perturb_batch(images, noise=0.3, seed=1))  # reproducible
    assert not torch.equal(a, perturb_batch(images, noise=0.3, seed=2))
    shifted = perturb_batch(images[:, None], shift_x=3)           # N×1×H×W accepted
    assert torch.equal(shifted[0], perturb(images[0], shift_x=3))
    with pytest.raises(ValueError, match="non-empty"):
        perturb_batch(images[:0])


def test_perturbed_accuracy_noise_differs_per_digit_and_per_seed():
    from nbhelpers.digits import perturbed_accuracy

    class Bright(nn.Module):  # class 1 when pixel (0, 0) is brighter than 0.5
        def forward(self, x):
            v = x[:, 0, 0, 0] * STD + MEAN - 0.5
            return torch.stack([-v, v], dim=1)

    images = torch.full((400, 28, 28), 0.5)
    labels = torch.ones(400, dtype=torch.long)
    runs = [perturbed_accuracy(Bright(), images, labels, mean=MEAN, std=STD, seed=s,
                               perturbations=[("noise", {"noise": 0.3})])["noise"]
            for s in range(3)]
    assert all(0.4 < r < 0.6 for r in runs)   # one shared draw would give 0 or 1
    assert len(set(runs)) > 1


def test_accuracy_table_shows_numbers_and_ranges_in_columns():
    table = accuracy_table({"this model": {"original": 0.992, "noise 0.5": 0.516},
                            "5 seeds": {"original": [0.99, 0.996], "noise 0.5": (0.6, 0.372)}})
    assert table.splitlines() == [
        " " * 15 + "original" + " " * 4 + "noise 0.5",
        "this model" + " " * 8 + "99.2%" + " " * 8 + "51.6%",
        "5 seeds" + " " * 6 + "99.0–99.6%" + " " * 3 + "37.2–60.0%",
    ]
    with pytest.raises(ValueError, match="no accuracy for"):
        accuracy_table({"a": {"x": 0.5, "y": 0.5}, "b": {"x": 0.5}})
    with pytest.raises(ValueError, match="empty"):
        accuracy_table({})


@pytest.mark.parametrize(("bad", "error", "match"), [
    ((_digit() * 255).to(torch.uint8), TypeError, r"float pixels in \[0, 1\], got torch.uint8: "
                                                  r"for pixels 0…255 pass images.float\(\) / 255"),
    (_digit() * 255, ValueError, r"from 0 to 2\d\d.*: for pixels 0…255 divide by 255"),
    ((_digit() - MEAN) / STD, ValueError, r"from -0.4242 to .*normalised already.*std \+ mean"),
])
def test_class_probabilities_refuses_pixels_that_are_not_floats_in_0_1(bad, error, match):
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    with pytest.raises(error, match=match):
        class_probabilities(model, bad, mean=MEAN, std=STD)
    with pytest.raises(error, match=match.replace("images", "image")):
        perturb(bad)                     # it would clip them to [0, 1] without a word
    with pytest.raises(error):
        perturbed_accuracy(model, bad[None], torch.tensor([0]), mean=MEAN, std=STD,
                           perturbations=[("none", {})])
