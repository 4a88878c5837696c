"""nbhelpers.widgets.digits: perturbing a digit and showing a model's class probabilities."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from torch import nn  # noqa: E402

from nbhelpers.widgets import LiveDemo  # noqa: E402
from nbhelpers.widgets import digits as demo  # noqa: E402

MEAN, STD = 0.1307, 0.3081


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _digit(seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    img = torch.zeros(28, 28)
    img[6:22, 10:18] = torch.rand(16, 8, generator=g)
    return img


class _Pixel(nn.Module):
    """A 'classifier' whose logit k is k times the mean pixel: brighter means larger k."""

    def forward(self, x):
        return x.flatten(1).mean(1, keepdim=True) * torch.arange(10.0)


def test_no_perturbation_is_the_identity_and_pixels_stay_in_range():
    img = _digit()
    assert torch.equal(demo.perturb(img), img)
    assert torch.equal(demo.perturb(img[None]), img)
    out = demo.perturb(img, noise=0.8, angle=33.0, shift_x=3, erase=6)
    assert out.shape == (28, 28) and out.min() >= 0 and out.max() <= 1


@pytest.mark.parametrize(("dx", "dy"), [(3, 0), (0, -4), (-5, 2), (27, 0), (0, 28)])
def test_shift_moves_pixels_and_fills_with_black(dx, dy):
    img = _digit()
    out = demo.perturb(img, shift_x=dx, shift_y=dy)
    expected = torch.zeros_like(img)
    for r in range(28):
        for c in range(28):
            if 0 <= r - dy < 28 and 0 <= c - dx < 28:
                expected[r, c] = img[r - dy, c - dx]
    assert torch.equal(out, expected)


def test_rotation_by_90_degrees_matches_rot90():
    img = _digit(1)
    out = demo.perturb(img, angle=90.0)
    torch.testing.assert_close(out, torch.rot90(img, 1, dims=(0, 1)), atol=1e-5, rtol=0)
    torch.testing.assert_close(demo.perturb(img, angle=360.0), img, atol=1e-4, rtol=0)


def test_erase_blanks_a_centred_square_only():
    img = torch.ones(28, 28)
    out = demo.perturb(img, erase=10)
    assert out[9:19, 9:19].sum() == 0
    assert out.sum() == 28 * 28 - 100


def test_noise_is_gaussian_reproducible_and_seeded():
    img = torch.full((28, 28), 0.5)
    a = demo.perturb(img, noise=0.1, seed=3)
    assert torch.equal(a, demo.perturb(img, noise=0.1, seed=3))
    assert not torch.equal(a, demo.perturb(img, noise=0.1, seed=4))
    big = demo.perturb(torch.full((280, 280), 0.5), noise=0.1)
    assert abs((big - 0.5).std().item() - 0.1) < 0.005


def test_perturb_rejects_bad_input():
    with pytest.raises(TypeError, match="torch tensor"):
        demo.perturb([[0.0]])
    with pytest.raises(ValueError, match="one grey image"):
        demo.perturb(torch.zeros(2, 28, 28))
    with pytest.raises(TypeError, match="shift_x"):
        demo.perturb(_digit(), shift_x=1.5)
    with pytest.raises(ValueError, match="erase"):
        demo.perturb(_digit(), erase=29)
    with pytest.raises(ValueError, match="noise"):
        demo.perturb(_digit(), noise=-0.1)


def test_class_probabilities_normalise_like_training_and_restore_mode():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10), nn.Dropout(0.5)).train()
    img = _digit()
    probs = demo.class_probabilities(model, img, mean=MEAN, std=STD)
    model.eval()
    with torch.no_grad():
        expected = model(((img - MEAN) / STD)[None, None]).softmax(1)[0]
    torch.testing.assert_close(probs, expected)
    assert model.training is False
    model.train()
    demo.class_probabilities(model, img, mean=MEAN, std=STD)
    assert model.training
    batch = demo.class_probabilities(model, torch.stack([img, img]), mean=MEAN, std=STD)
    assert batch.shape == (2, 10)
    torch.testing.assert_close(batch.sum(1), torch.ones(2))
    with pytest.raises(ValueError, match="std"):
        demo.class_probabilities(model, img, mean=0.0, std=0.0)
    with pytest.raises(TypeError, match="nn.Module"):
        demo.class_probabilities(lambda x: x, img, mean=MEAN, std=STD)


def test_digit_figure_bars_are_the_probabilities():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    img = _digit()
    fig = demo.digit_figure(model, img, label=3, angle=20.0, mean=MEAN, std=STD)
    assert isinstance(fig, Figure)
    ax_img, ax_bar = fig.axes
    heights = torch.tensor([p.get_height() for p in ax_bar.patches], dtype=torch.float32)
    x = demo.perturb(img, angle=20.0)
    expected = demo.class_probabilities(model, x, mean=MEAN, std=STD)
    torch.testing.assert_close(heights, expected)
    pred = int(expected.argmax())
    assert ax_bar.get_title().startswith(f"prediction: {pred} (")
    assert ax_img.get_title() == "true: 3"
    w, h = fig.get_size_inches()
    assert w <= 11 and h <= 4


def test_perturbations_figure_titles_and_fallback_size():
    model = _Pixel()
    fig = demo.perturbations_figure(model, _digit(), label=9, mean=MEAN, std=STD)
    titles = [ax.get_title() for ax in fig.axes]
    assert len(titles) == len(demo.DEFAULT_PERTURBATIONS)
    assert titles[0].startswith("original")
    assert all("→" in t and "%" in t for t in titles)
    w, h = fig.get_size_inches()
    assert w <= 11 and h <= 4
    with pytest.raises(ValueError, match="perturbations"):
        demo.perturbations_figure(model, _digit(), label=1, perturbations=[])


def test_digit_widget_controls_and_redraw():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    images = torch.stack([_digit(i) for i in range(4)])
    widget = demo.digit_widget(model, images, torch.tensor([1, 2, 3, 4]), mean=MEAN, std=STD)
    assert isinstance(widget, LiveDemo)
    assert widget._control_names == ("index", "shift_x", "shift_y", "angle", "noise", "erase")
    assert "LiveDemo(controls: index" in repr(widget)
    sliders = [c for row in widget.children[:-1] for c in row.children]
    sliders[0].value = 3  # redraws without error
    sliders[3].value = 45.0
    assert sliders[0].max == 3
    with pytest.raises(ValueError, match="labels"):
        demo.digit_widget(model, images, torch.tensor([1]), mean=MEAN, std=STD)
    with pytest.raises(ValueError, match="index"):
        demo.digit_widget(model, images, index=9, mean=MEAN, std=STD)
