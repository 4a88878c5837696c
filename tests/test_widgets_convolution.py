from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import pytest
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from nbhelpers.kernels import KERNELS, conv2d, get_kernel, window_positions
from nbhelpers.widgets import LiveDemo
from nbhelpers.widgets import convolution as cw
from nbhelpers.widgets import kernel_editor as ke
from nbhelpers.widgets import pooling as pw


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def image() -> torch.Tensor:
    return torch.rand(20, 17, generator=torch.Generator().manual_seed(0))


def _fits_slide(fig: Figure) -> None:
    w, h = fig.get_size_inches()
    assert w <= 11 + 1e-9 and h <= 4 + 1e-9, (w, h)


# ----------------------------------------------------------------------------- presets


@pytest.mark.parametrize("name", list(KERNELS))
def test_preset_5x5_computes_the_same_as_3x3_unless_it_is_a_blur(name, image):
    k3, k5 = ke.preset(name), ke.preset(name, size=5)
    assert k3.shape == (3, 3) and k5.shape == (5, 5)
    if name in ("box_blur", "gaussian_blur"):
        assert torch.equal(k5, get_kernel(name, size=5))
    else:  # zero ring: the same feature map, cropped by the larger window
        want = F.conv2d(image[None, None], k3[None, None])[0, 0, 1:-1, 1:-1]
        assert torch.allclose(conv2d(image, k5), want, atol=1e-6)


def test_preset_rejects_other_sizes():
    with pytest.raises(ValueError, match="3 or 5"):
        ke.preset("edge", size=7)


def test_kernel_inputs_must_be_one_image(image):
    with pytest.raises(ValueError, match="H×W"):
        ke.kernel_editor_figure(torch.ones(3, 3), image=torch.zeros(2, 3, 4, 4))
    with pytest.raises(TypeError, match="torch.Tensor"):
        cw.sliding_window_figure(x=[[1.0, 2.0]])
    with pytest.raises(ValueError, match="3 or 5"):
        ke.kernel_editor_widget(image=image, size=4)


def test_editor_and_presets_figures(image):
    fig = ke.kernel_editor_figure(KERNELS["sobel_x"], image=image)
    assert len(fig.axes) == 3 and "18×15" in fig.axes[2].get_title()
    _fits_slide(fig)
    fig = ke.presets_figure(image=image)
    assert len(fig.axes) == 2 * len(KERNELS)
    _fits_slide(fig)
    _fits_slide(ke.presets_figure(image=image, size=5, names=["edge", "box_blur"]))


# ----------------------------------------------------------------------------- kernel editor


def test_kernel_editor_presets_edits_and_sizes(image):
    demo = ke.kernel_editor_widget(image=image)
    assert isinstance(demo, LiveDemo) and repr(demo).startswith("LiveDemo(controls: preset")
    assert torch.equal(demo.kernel(), KERNELS["edge"]) and demo.draws == 1
    demo.menu.value = "sobel_y"
    assert torch.equal(demo.kernel(), KERNELS["sobel_y"])
    assert demo.draws == 2  # nine boxes changed, one redraw
    demo.boxes[4].value = 7.0  # the user edits a box
    assert demo.menu.value == "custom" and demo.kernel()[1, 1] == 7 and demo.draws == 3
    demo.size.value = 5  # a custom kernel keeps its values, padded with zeros
    assert len(demo.boxes) == 25 and len(demo.grid.children) == 25
    want = F.pad(KERNELS["sobel_y"].clone().index_put_((torch.tensor(1), torch.tensor(1)),
                                                        torch.tensor(7.0)), (1, 1, 1, 1))
    assert torch.equal(demo.kernel(), want)
    demo.menu.value = "gaussian_blur"
    assert torch.allclose(demo.kernel(), get_kernel("gaussian_blur", size=5), atol=1e-4)
    demo.size.value = 3
    assert torch.allclose(demo.kernel(), KERNELS["gaussian_blur"], atol=1e-4)
    # every redraw replaces the output area in one step: one PNG, no clear_output history
    outputs = demo.children[-1].outputs
    assert len(outputs) == 1 and "image/png" in outputs[0]["data"]


# ----------------------------------------------------------------------------- sliding window


@pytest.mark.parametrize(("n", "f", "p", "s", "d"),
                         list(itertools.product([5, 7, 10], [1, 3, 4], [0, 1, 2], [1, 2, 3], [1, 2])))
def test_window_positions_reproduce_torch(n, f, p, s, d):
    if d * (f - 1) + 1 > n + 2 * p:
        with pytest.raises(ValueError):
            window_positions(n, f, padding=p, stride=s, dilation=d)
        return
    gen = torch.Generator().manual_seed(n * 100 + f * 10 + p)
    x, w = torch.randn(n, generator=gen), torch.randn(f, generator=gen)
    want = F.conv1d(x[None, None], w[None, None], padding=p, stride=s, dilation=d)[0, 0]
    padded = F.pad(x, (p, p))
    got = torch.stack([(padded[pos] * w).sum() for pos in
                       window_positions(n, f, padding=p, stride=s, dilation=d)])
    assert torch.allclose(got, want, atol=1e-5)


@pytest.mark.parametrize(("padding", "stride"), [(0, 1), (1, 1), (1, 2), (2, 3)])
def test_sliding_window_figure_shows_torch_values(padding, stride):
    x, k = cw.EXAMPLE_INPUT, cw.EXAMPLE_KERNEL
    out = F.conv2d(x[None, None], k[None, None], padding=padding, stride=stride)[0, 0]
    for step in sorted({0, 1, out.numel() // 2, out.numel() - 1}):
        fig = cw.sliding_window_figure(step=step, padding=padding, stride=stride)
        r, c = divmod(step, out.shape[1])
        title = fig._suptitle.get_text()
        assert f"step {step + 1} of {out.numel()}" in title
        assert f"out[{r}, {c}] = " in title
        assert title.endswith(f"= {out[r, c].item():g}")
        _fits_slide(fig)
        plt.close(fig)
    last = cw.sliding_window_figure(step=999, padding=padding, stride=stride)  # clipped
    assert f"step {out.numel()} of {out.numel()}" in last._suptitle.get_text()


def test_sliding_window_marks_unused_input():
    x = torch.arange(49.0).view(7, 7)
    *_, used, is_pad = cw._setup_window(x, torch.ones(3, 3), 0, 3, 1)
    assert used.sum() == 36 and not used[6].any() and not used[:, 6].any()
    *_, used, is_pad = cw._setup_window(x, torch.ones(3, 3), 1, 1, 1)
    assert used.all() and is_pad.sum() == 9 * 9 - 7 * 7


def test_sliding_window_widget_rescales_the_step_slider():
    demo = cw.sliding_window_widget()
    assert isinstance(demo, LiveDemo)
    label, play = demo.children[0].children
    assert label.value.startswith("play the steps:<style>") and play.description == "play the steps"
    assert "nn-play" in play._dom_classes and 'content: " pause"' in label.value
    step = demo.children[1].children[0]
    padding, stride = demo.children[1].children[1], demo.children[1].children[2]
    assert step.max == play.max == 8  # 3×3 outputs
    step.value = 8
    stride.value = 2  # 5×5 input, 3×3 kernel, stride 2: 2×2 outputs
    assert step.max == play.max == 3 and step.value == 3
    padding.value = 1  # 7 padded, stride 2: 3×3 outputs
    assert step.max == 8


# ----------------------------------------------------------------------------- output size


@pytest.mark.parametrize(("n", "f", "p", "s", "d", "want"), [
    (7, 3, 0, 1, 1, "(7 + 2·0 − 3) + 1 = 4 + 1 = 5"),
    (7, 3, 0, 2, 1, "⌊(7 + 2·0 − 3)/2⌋ + 1 = ⌊4/2⌋ + 1 = 2 + 1 = 3"),
    (7, 3, 0, 3, 1, "⌊(7 + 2·0 − 3)/3⌋ + 1 = ⌊4/3⌋ + 1 = ⌊1.33⌋ + 1 = 2"),
    (7, 3, 1, 2, 2, "⌊(7 + 2·1 − (2·(3−1)+1))/2⌋ + 1 = ⌊4/2⌋ + 1 = 2 + 1 = 3"),
])
def test_output_size_text_examples(n, f, p, s, d, want):
    assert cw.output_size_text(n, f, padding=p, stride=s, dilation=d) == want


@pytest.mark.parametrize(("n", "f", "p", "s", "d"),
                         list(itertools.product([1, 6, 13], [1, 2, 5], [0, 2], [1, 3], [1, 3])))
def test_output_size_text_ends_with_torch_size(n, f, p, s, d):
    if d * (f - 1) + 1 > n + 2 * p:
        with pytest.raises(ValueError, match="larger than the padded input"):
            cw.output_size_text(n, f, padding=p, stride=s, dilation=d)
        return
    torch_size = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, f, f), padding=p,
                          stride=s, dilation=d).shape[-1]
    assert cw.output_size_text(n, f, padding=p, stride=s, dilation=d).endswith(f"= {torch_size}")


def test_output_size_figure_and_impossible_settings():
    fig = cw.output_size_figure(n=7, f=3, stride=3)
    assert "output 2 in torch" in fig.axes[0].get_title()
    _fits_slide(fig)
    _fits_slide(cw.output_size_figure(n=20, f=7, padding=3, stride=1, dilation=3))
    bad = cw.output_size_figure(n=2, f=5)
    assert "impossible" in bad.axes[0].texts[0].get_text()


def test_output_size_widget_redraws():
    demo = cw.output_size_widget()
    sliders = [c for row in demo.children[:-1] for c in row.children]
    assert [s.description for s in sliders] == ["input N", "kernel F", "padding P", "stride S",
                                              "dilation D"]
    sliders[1].value = 7  # F = N = 7: one position
    sliders[4].value = 2  # dilated span 13 > 7: drawn as "impossible", no exception
    assert repr(demo).startswith("LiveDemo(controls: N, F, P, S, D)")


# ----------------------------------------------------------------------------- pooling


@pytest.mark.parametrize(("k", "s", "mode"), [(2, 2, "max"), (3, 2, "avg"), (2, 1, "max"),
                                              (4, 4, "avg")])
def test_pooling_figure_shows_torch_output(k, s, mode):
    fig = pw.pooling_figure(kernel_size=k, stride=s, mode=mode)
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    want = pool(pw.EXAMPLE_POOL_INPUT[None, None], k, stride=s)[0, 0]
    shown = [t.get_text() for t in fig.axes[1].texts]
    assert shown == [format(v, ".3g") for v in want.flatten().tolist()]
    assert f"output {want.shape[0]}×{want.shape[1]}" in fig.axes[1].get_title()
    _fits_slide(fig)


def test_pooling_widget():
    demo = pw.pooling_widget()
    assert repr(demo).startswith("LiveDemo(controls: kernel_size, stride, mode)")
    demo.children[0].children[2].value = "avg"
    with pytest.raises(ValueError, match="H×W"):
        pw.pooling_figure(x=torch.zeros(1, 4, 4))
