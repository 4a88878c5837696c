from __future__ import annotations

import matplotlib.cbook as cbook
import numpy as np
import pytest
import torch
from PIL import Image

from nbhelpers import images


def test_sample_photo_grey_matches_pil_luma():
    grey = images.sample_photo()
    assert grey.shape == (600, 512) and grey.dtype == torch.float32
    assert 0 <= grey.min() < grey.max() <= 1
    with Image.open(cbook.get_sample_data(images.PHOTO, asfileobj=False)) as img:
        pil = torch.from_numpy(np.asarray(img.convert("L"), dtype=np.float32) / 255)
    # PIL rounds its "L" conversion to whole grey levels: at most half a level apart
    assert (grey - pil).abs().max() <= 0.5 / 255 + 1e-6


def test_sample_photo_rgb_and_resizing():
    rgb = images.sample_photo(rgb=True)
    assert rgb.shape == (3, 600, 512)
    assert torch.allclose(images.to_grey(rgb), images.sample_photo())
    small = images.sample_photo(size=150)
    assert small.shape == (150, 128)  # aspect ratio kept: 512 * 150 / 600
    assert images.sample_photo(size=(64, 32), rgb=True).shape == (3, 64, 32)
    assert 0 <= small.min() and small.max() <= 1
    assert abs(small.mean() - images.sample_photo().mean()) < 0.01  # resizing keeps brightness


def test_to_grey_weights_and_batches():
    rgb = torch.zeros(2, 3, 1, 1)
    rgb[0, 0], rgb[1, 1] = 1.0, 1.0
    assert images.to_grey(rgb).flatten().tolist() == pytest.approx([0.299, 0.587])
    assert images.to_grey(torch.ones(3, 4, 5)).allclose(torch.ones(4, 5))


@pytest.mark.parametrize(
    ("bad", "error", "match"),
    [
        (torch.zeros(4, 5), ValueError, "3×H×W"),
        (torch.zeros(4, 5, 3), ValueError, "permute"),
        (torch.zeros(3, 4, 5, dtype=torch.uint8), TypeError, "float"),
        (np.zeros((3, 4, 5)), TypeError, "torch.Tensor"),
    ],
)
def test_to_grey_rejects_bad_input(bad, error, match):
    with pytest.raises(error, match=match):
        images.to_grey(bad)


def test_sample_photo_rejects_bad_size():
    with pytest.raises(TypeError, match="size"):
        images.sample_photo(size=1.5)
    with pytest.raises(ValueError, match="positive"):
        images.sample_photo(size=(0, 10))


@pytest.mark.parametrize("size", [(4097, 10), (10, 5000), 4097, 20_000])
def test_sample_photo_refuses_sizes_that_would_exhaust_memory(size):
    # size=20_000 would be 20000×17067 floats per channel: 10 GB while resizing in colour
    with pytest.raises(ValueError, match="at most 4096 pixels a side"):
        images.sample_photo(size=size, rgb=True)
    assert images.sample_photo(size=(4096, 8)).shape == (4096, 8)


@pytest.mark.parametrize(("bad", "error", "match"), [
    (torch.full((2, 2), 255, dtype=torch.uint8), TypeError, r"got torch.uint8: .*x.float\(\) / 255"),
    (torch.tensor([0.0, 255.0]), ValueError, "from 0 to 255: for pixels 0…255 divide by 255"),
    (torch.tensor([-0.42, 2.8]), ValueError, r"from -0.42 to 2.8: they look normalised already"),
    (torch.tensor([0.5, float("nan")]), ValueError, "NaN"),
    ([0.5], TypeError, "torch tensor"),
])
def test_as_pixels_refuses_what_is_not_pixels_in_0_1(bad, error, match):
    with pytest.raises(error, match=match):
        images.as_pixels(bad, name="x")


def test_as_pixels_gives_float32_on_the_cpu():
    x = images.as_pixels(torch.tensor([[0.0, 1.0]], dtype=torch.float64))
    assert x.dtype == torch.float32 and x.tolist() == [[0.0, 1.0]]
    assert images.as_pixels(torch.zeros(0)).shape == (0,)


def test_mnist_digit_by_label_and_index(mnist_available):
    from nbhelpers.data import load_dataset

    ds = load_dataset("mnist", train=False)
    seven = images.mnist_digit(label=7)
    first_seven = int((ds.targets == 7).nonzero()[0])
    assert seven.shape == (28, 28) and seven.dtype == torch.float32
    assert torch.equal(seven, ds.data[first_seven].float() / 255)
    assert torch.equal(images.mnist_digit(index=3), ds.data[3].float() / 255)
    assert int(ds.targets[(ds.targets == 2).nonzero()[4]]) == 2
    assert torch.equal(images.mnist_digit(label=2, index=4),
                       ds.data[int((ds.targets == 2).nonzero()[4])].float() / 255)


def test_mnist_digit_rejects_bad_arguments(mnist_available):
    with pytest.raises(ValueError, match="label"):
        images.mnist_digit(label=10)
    with pytest.raises(ValueError, match="index"):
        images.mnist_digit(index=10_000)
