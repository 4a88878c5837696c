"""nbhelpers.plotting: each function draws what it was given (checked on the artists, not by
eye), fits a 1280x720 slide at dpi 100, and rejects bad input with a clear error."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.colors import same_color
from matplotlib.figure import Figure
from shared import curves as _curves
from shared import fits_slide as _fits_slide

from nbhelpers import plotting as P
from nbhelpers.display import WRONG

plt.switch_backend("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")




def _no_new_figure(func, *args, error=ValueError, match=None, **kwargs):
    before = plt.get_fignums()
    with pytest.raises(error, match=match):
        func(*args, **kwargs)
    assert plt.get_fignums() == before, "a failed call must not leave a figure behind"


# ----------------------------------------------------------------------------- style


def test_functions_draw_in_slide_style_whatever_the_global_settings():
    with mpl.rc_context({"font.size": 8, "xtick.labelsize": 6, "lines.linewidth": 1}):
        fig = P.plot_functions({"relu": torch.relu})
    fig.canvas.draw()  # ticks are made at draw time, outside the style context
    ax = fig.axes[0]
    assert {t.get_fontsize() for t in ax.get_xticklabels()} == {12}
    assert _curves(ax)[0].get_linewidth() == 2.5
    assert fig.dpi == 100


# ----------------------------------------------------------------------------- plot_functions


def test_plot_functions_draws_each_function_on_one_axis():
    fig = P.plot_functions(
        {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.nn.ReLU()},
        xlim=(-3, 3),
        points=101,
        title="activations",
    )
    assert isinstance(fig, Figure) and len(fig.axes) == 1 and _fits_slide(fig)
    ax = fig.axes[0]
    lines = _curves(ax)
    assert [line.get_label() for line in lines] == ["sigmoid", "tanh", "relu"]
    x = torch.tensor(lines[0].get_xdata())
    assert len(x) == 101 and x[0] == -3 and x[-1] == 3
    assert np.allclose(lines[0].get_ydata(), torch.sigmoid(x))
    assert np.allclose(lines[2].get_ydata(), torch.relu(x))
    assert ax.get_title() == "activations" and ax.get_xlim() == (-3, 3)


def test_plot_functions_derivative_panel_matches_closed_forms():
    step = lambda x: (x > 0).float()  # noqa: E731  (no graph: derivative 0 almost everywhere)
    fig = P.plot_functions(
        {"sigmoid": torch.sigmoid, "sin (NumPy)": np.sin, "step": step},
        derivative=True,
        points=2001,
        ylim=(-2, 2),
        title="f and f′",
    )
    assert len(fig.axes) == 2 and _fits_slide(fig)
    assert fig.get_suptitle() == "f and f′" and fig.axes[0].get_ylim() == (-2, 2)
    d_sigmoid, d_sin, d_step = _curves(fig.axes[1])
    x = torch.tensor(d_sigmoid.get_xdata())
    s = torch.sigmoid(x)
    assert np.allclose(d_sigmoid.get_ydata(), s * (1 - s), atol=1e-6)  # autograd
    assert np.allclose(d_sin.get_ydata(), np.cos(x.numpy()), atol=1e-4)  # finite differences
    assert np.all(d_step.get_ydata() == 0)
    assert d_sigmoid.get_label() == "sigmoid′"


def test_plot_functions_accepts_a_single_callable_and_an_axis():
    fig, ax = plt.subplots(figsize=(6, 4))
    assert P.plot_functions(torch.tanh, ax=ax) is fig
    assert [line.get_label() for line in _curves(ax)] == ["tanh"]


@pytest.mark.parametrize(
    ("funcs", "kwargs", "error", "match"),
    [
        ({}, {}, ValueError, "non-empty dict"),
        ({"sum": torch.sum}, {}, ValueError, "element-wise"),
        ({"f": torch.relu}, {"xlim": (2, 1)}, ValueError, "low < high"),
        ({"f": torch.relu}, {"ylim": (1, 1)}, ValueError, "ylim"),
        ({"f": torch.relu}, {"points": 1}, ValueError, "points"),
        ({"f": 3.0}, {}, TypeError, "not callable"),
    ],
)
def test_plot_functions_rejects_bad_input(funcs, kwargs, error, match):
    if "ylim" in kwargs:  # checked after drawing: only the error matters here
        with pytest.raises(error, match=match):
            P.plot_functions(funcs, **kwargs)
    else:
        _no_new_figure(P.plot_functions, funcs, error=error, match=match, **kwargs)


def test_plot_functions_needs_two_panels_for_derivatives():
    _, ax = plt.subplots(figsize=(6, 4))
    with pytest.raises(ValueError, match="derivative"):
        P.plot_functions({"f": torch.relu}, ax=ax, derivative=True)


# ----------------------------------------------------------------------------- show_images


@pytest.mark.parametrize(
    "shape", [(5, 28, 28), (5, 1, 28, 28), (5, 3, 16, 16), (5, 16, 16, 3)], ids=str
)
def test_show_images_accepts_gray_and_colour_layouts(shape):
    images = torch.rand(shape)
    fig = P.show_images(images if len(shape) == 3 or shape[1] != 16 else images.numpy())
    assert len(fig.axes) == 5 and all(len(ax.images) == 1 for ax in fig.axes)
    shown = fig.axes[0].images[0].get_array()
    assert shown.shape[:2] == ((28, 28) if shape[-1] == 28 else (16, 16))
    assert _fits_slide(fig)


def test_show_images_marks_exactly_the_wrong_predictions_red():
    classes = ["cat", "dog", "bird"]
    true = torch.tensor([0, 1, 2, 0, 1, 2])
    pred = torch.tensor([0, 2, 2, 1, 1, 0])
    fig = P.show_images(torch.rand(6, 1, 8, 8), true=true, pred=pred, classes=classes, ncols=3)
    assert len(fig.axes) == 6
    for ax, t, p in zip(fig.axes, true.tolist(), pred.tolist(), strict=True):
        title = ax.title
        assert title.get_text() == f"{classes[t]}→{classes[p]}"
        red = same_color(title.get_color(), WRONG)
        frame = [
            s.get_visible() and same_color(s.get_edgecolor(), WRONG) for s in ax.spines.values()
        ]
        assert red == (t != p) and all(frame) == (t != p) and any(frame) == (t != p)


def test_show_images_long_class_names_break_at_the_arrow():
    classes = ["T-shirt/top", "Ankle boot"]
    fig = P.show_images(torch.rand(16, 28, 28), true=[0] * 16, pred=[1] * 16, classes=classes)
    assert fig.axes[0].get_title() == "T-shirt/top\n→Ankle boot"
    assert _fits_slide(fig)


def test_show_images_titles_and_labels_without_names():
    fig = P.show_images(torch.rand(3, 8, 8), titles=["a", "b", "c"], true=[1, 2, 3])
    assert [ax.get_title() for ax in fig.axes] == ["a\n1", "b\n2", "c\n3"]
    assert not any(same_color(ax.title.get_color(), WRONG) for ax in fig.axes)


def test_show_images_scales_normalised_images_per_image():
    x = torch.randn(4, 1, 8, 8) * torch.arange(1, 5).view(4, 1, 1, 1)  # like normalised MNIST
    fig = P.show_images(x)
    for ax, img in zip(fig.axes, x, strict=True):
        assert np.allclose(ax.images[0].get_clim(), (img.min(), img.max()))
    fig = P.show_images(torch.rand(2, 8, 8) * 0.5)  # pixels in [0, 1]: a dim image stays dim
    assert all(ax.images[0].get_clim() == (0, 1) for ax in fig.axes)
    fig = P.show_images(torch.randint(0, 100, (2, 8, 8), dtype=torch.uint8))
    assert all(ax.images[0].get_clim() == (0, 255) for ax in fig.axes)


def test_show_images_accepts_a_list_of_tensors():
    fig = P.show_images([torch.rand(1, 8, 8) for _ in range(4)], pred=[1, 2, 3, 4])
    assert [ax.get_title() for ax in fig.axes] == ["1", "2", "3", "4"]


def test_show_images_colour_images_are_rescaled_into_0_1():
    x = torch.randn(2, 3, 8, 8) * 3
    fig = P.show_images(x)
    rgb = np.asarray(fig.axes[0].images[0].get_array())
    assert rgb.shape == (8, 8, 3) and rgb.min() == 0 and np.isclose(rgb.max(), 1)


def test_show_images_many_images_still_fit_a_slide():
    fig = P.show_images(torch.rand(40, 8, 8), true=list(range(40)), pred=list(range(40)))
    assert len(fig.axes) == 40 and _fits_slide(fig)
    fig = P.show_images(torch.rand(3, 28, 28))  # fewer images than columns: no empty cells
    assert len(fig.axes) == 3


@pytest.mark.parametrize(
    ("images", "kwargs", "error", "match"),
    [
        (torch.rand(28, 28), {}, ValueError, r"N×H×W, N×1×H×W or N×3×H×W.*image\[None\]"),
        (torch.rand(2, 2, 8, 8), {}, ValueError, "N×1×H×W"),
        (torch.rand(1, 2, 1, 8, 8), {}, ValueError, "N×3×H×W"),
        (torch.rand(0, 8, 8), {}, ValueError, "empty"),
        (torch.rand(3, 8, 8), {"true": [0, 1]}, ValueError, "true has 2 entries"),
        (torch.rand(3, 8, 8), {"titles": ["a"]}, ValueError, "titles has 1"),
        (torch.rand(3, 8, 8), {"pred": torch.rand(3, 10)}, ValueError, r"argmax\(1\)"),
        (torch.rand(3, 8, 8), {"true": [0, 1, 5], "classes": ["a", "b"]}, ValueError, "label 5"),
        (torch.rand(3, 8, 8), {"true": [0, -1, 1]}, ValueError, "negative"),
        (torch.rand(3, 8, 8), {"true": [0.5, 1, 2]}, TypeError, "integer"),
        (torch.rand(3, 8, 8), {"ncols": 0}, ValueError, "ncols"),
        ("not images", {}, TypeError, "tensor"),
        (object(), {}, TypeError, "tensor"),
    ],
)
def test_show_images_rejects_bad_input(images, kwargs, error, match):
    _no_new_figure(P.show_images, images, error=error, match=match, **kwargs)


# ----------------------------------------------------------------------------- feature maps


def test_feature_maps_shared_scale_uses_one_vmin_vmax():
    maps = torch.randn(1, 6, 10, 10)
    fig = P.plot_feature_maps(maps, ncols=3)
    assert len(fig.axes) == 6 and _fits_slide(fig)
    assert {ax.images[0].get_clim() for ax in fig.axes} == {(maps.min().item(), maps.max().item())}


def test_feature_maps_per_map_scale_and_titles():
    maps = torch.randn(4, 5, 5) * torch.arange(1, 5).view(4, 1, 1)
    fig = P.plot_feature_maps(maps, shared_scale=False, titles=list("abcd"))
    for ax, m, name in zip(fig.axes, maps, "abcd", strict=True):
        assert np.allclose(ax.images[0].get_clim(), (m.min(), m.max()))
        assert np.array_equal(ax.images[0].get_array(), m.numpy())
        assert ax.get_title() == name


def test_feature_maps_symmetric_scale_is_centred_at_zero_with_one_colorbar():
    maps = torch.tensor([[[-0.2, 0.1]], [[0.5, 0.3]]])                # 2 maps of 1×2
    fig = P.plot_feature_maps(maps, symmetric=True, colorbar=True, cmap="RdBu_r")
    images, bars = fig.axes[:2], fig.axes[2:]
    assert {ax.images[0].get_clim() for ax in images} == {(-0.5, 0.5)}  # one scale, 0 central
    assert len(bars) == 1 and np.allclose(bars[0].get_ylim(), (-0.5, 0.5))
    assert images[0].images[0].get_cmap().name == "RdBu_r" and _fits_slide(fig)
    own = P.plot_feature_maps(maps, symmetric=True, shared_scale=False)
    assert np.allclose([ax.images[0].get_clim() for ax in own.axes], [(-0.2, 0.2), (-0.5, 0.5)])
    assert len(P.plot_feature_maps(torch.zeros(2, 3, 3), symmetric=True).axes) == 2  # all 0


def test_feature_maps_colorbar_needs_a_shared_scale():
    _no_new_figure(P.plot_feature_maps, torch.rand(2, 3, 3), shared_scale=False, colorbar=True,
                   match="shared_scale=True")


def test_feature_maps_of_a_conv_layer_with_grad():
    maps = torch.nn.Conv2d(1, 16, 3)(torch.rand(1, 1, 12, 12))  # requires grad
    fig = P.plot_feature_maps(maps)
    assert len(fig.axes) == 16 and _fits_slide(fig)


@pytest.mark.parametrize(
    ("maps", "kwargs", "match"),
    [
        (torch.rand(8, 8), {}, "C×H×W or 1×C×H×W"),
        (torch.rand(2, 3, 8, 8), {}, r"maps\[0\]"),
        (torch.rand(0, 8, 8), {}, "empty"),
        (torch.rand(3, 8, 8), {"titles": ["a"]}, "titles has 1"),
    ],
)
def test_feature_maps_reject_bad_input(maps, kwargs, match):
    _no_new_figure(P.plot_feature_maps, maps, match=match, **kwargs)


# ----------------------------------------------------------------------------- confusion


def test_confusion_matrix_equals_a_brute_force_count():
    gen = torch.Generator().manual_seed(0)
    y_true = torch.randint(0, 7, (500,), generator=gen)
    y_pred = torch.randint(0, 7, (500,), generator=gen)
    cm = P.confusion_matrix(y_true, y_pred)
    brute = torch.zeros(7, 7, dtype=torch.int64)
    for t, p in zip(y_true.tolist(), y_pred.tolist(), strict=True):
        brute[t, p] += 1
    assert cm.dtype == torch.int64 and torch.equal(cm, brute) and cm.sum() == 500


def test_confusion_matrix_rows_are_true_labels_and_num_classes_pads():
    cm = P.confusion_matrix(np.array([0, 0, 1]), [1, 1, 1], num_classes=3)
    assert cm.tolist() == [[0, 2, 0], [0, 1, 0], [0, 0, 0]]


@pytest.mark.parametrize(
    ("y_true", "y_pred", "kwargs", "error", "match"),
    [
        ([0, 1, 2], [0, 1], {}, ValueError, "y_pred has 2 entries"),
        ([0, 1], torch.rand(2, 3), {}, ValueError, r"y_pred.argmax\(1\)"),
        ([0, 3], [0, 1], {"num_classes": 3}, ValueError, "num_classes is 3"),
        ([], [], {}, ValueError, "empty"),
        ([0, -1], [0, 1], {}, ValueError, "negative"),
        ([0.0, 1.5], [0, 1], {}, TypeError, "integer"),
        (torch.zeros(2, 2, 2), [0, 1], {}, ValueError, r"shape \(N,\)"),
    ],
)
def test_confusion_matrix_rejects_bad_input(y_true, y_pred, kwargs, error, match):
    with pytest.raises(error, match=match):
        P.confusion_matrix(y_true, y_pred, **kwargs)


@pytest.mark.parametrize(("top", "kwargs", "classes"), [
    (1000, {}, 1001),                    # labels 0..1000
    (19_999, {}, 20_000),                # would be 20,000² int64: 3.2 GB
    (3, {"num_classes": 5000}, 5000),
])
def test_confusion_matrix_refuses_too_many_classes_before_counting(top, kwargs, classes):
    from nbhelpers.plotting.confusion import MAX_CLASSES

    assert P.confusion_matrix([0, MAX_CLASSES - 1], [1, 2]).shape == (1000, 1000)
    with pytest.raises(ValueError, match=f"{classes} classes .* at most 1000 classes"):
        P.confusion_matrix(torch.tensor([0, top]), torch.tensor([1, 2]), **kwargs)


def test_most_confused_largest_off_diagonal_first():
    cm = torch.tensor([[50, 3, 7], [7, 40, 0], [1, 9, 60]])
    assert P.most_confused(cm) == [(2, 1, 9), (0, 2, 7), (1, 0, 7), (0, 1, 3), (2, 0, 1)]
    assert P.most_confused(cm, k=2) == [(2, 1, 9), (0, 2, 7)]
    assert P.most_confused(torch.eye(3, dtype=torch.int64) * 5) == []  # no mistakes
    with pytest.raises(ValueError, match="square"):
        P.most_confused(torch.zeros(2, 3))


def test_plot_confusion_annotates_the_counts():
    y_true = torch.tensor([0, 0, 0, 1, 1, 2, 2, 2, 2])
    y_pred = torch.tensor([0, 0, 1, 1, 1, 2, 2, 0, 2])
    fig = P.plot_confusion(y_true, y_pred, classes=["a", "b", "c"])
    ax = fig.axes[0]
    assert len(fig.axes) == 1 and len(ax.images) == 1 and _fits_slide(fig)
    cm = P.confusion_matrix(y_true, y_pred)
    cells = {
        (round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts
    }
    assert cells == {(i, j): str(int(cm[i, j])) for i in range(3) for j in range(3) if cm[i, j]}
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.get_xlabel() == "predicted" and ax.get_ylabel() == "true"
    assert "77.8%" in ax.get_title()  # 7 of 9 correct
    assert np.array_equal(ax.images[0].get_array(), cm.numpy())


def test_plot_confusion_normalised_rows_sum_to_one():
    fig = P.plot_confusion([0, 0, 0, 1], [0, 1, 1, 1], normalize=True)
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == ["0.33", "0.67", "1.00"]
    assert np.allclose(np.asarray(fig.axes[0].images[0].get_array()).sum(1), 1)


def test_plot_confusion_ten_classes_fit_a_slide():
    gen = torch.Generator().manual_seed(1)
    labels = torch.randint(0, 10, (2000,), generator=gen)
    fig = P.plot_confusion(labels, labels.roll(1), classes=[f"class {i}" for i in range(10)])
    assert _fits_slide(fig) and len(fig.axes[0].texts) == int(
        (P.confusion_matrix(labels, labels.roll(1)) > 0).sum()
    )


def test_plot_confusion_class_names_must_cover_the_labels():
    with pytest.raises(ValueError, match="num_classes is 2"):
        P.plot_confusion([0, 2], [0, 1], classes=["a", "b"])


# ----------------------------------------------------------------------------- kernel


def test_plot_kernel_writes_every_value_in_its_cell():
    kernel = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    fig = P.plot_kernel(kernel, title="Sobel x")
    ax = fig.axes[0]
    assert len(fig.axes) == 1 and _fits_slide(fig) and ax.get_title() == "Sobel x"
    assert len(ax.texts) == 9
    for text in ax.texts:
        col, row = (round(v) for v in text.get_position())
        assert float(text.get_text()) == kernel[row, col]
    assert "-0" not in [t.get_text() for t in ax.texts]
    assert ax.images[0].get_clim() == (-2.0, 2.0)  # symmetric around 0
    white = {t.get_text() for t in ax.texts if same_color(t.get_color(), "white")}
    assert white == {"-2", "2"}  # the saturated cells


def test_plot_kernel_5x5_numbers_match_the_format():
    kernel = torch.randn(5, 5, generator=torch.Generator().manual_seed(0))
    fig = P.plot_kernel(kernel.view(1, 1, 5, 5), fmt=".3f")
    texts = sorted(fig.axes[0].texts, key=lambda t: (t.get_position()[1], t.get_position()[0]))
    assert [t.get_text() for t in texts] == [format(v, ".3f") for v in kernel.flatten().tolist()]
    assert min(t.get_fontsize() for t in texts) >= 10  # readable from the back of the room
    assert _fits_slide(fig)


def test_plot_kernel_draws_into_a_given_axis():
    fig, axes = plt.subplots(1, 3, figsize=(9, 3))
    for ax, name in zip(axes, ["a", "b", "c"], strict=True):
        assert P.plot_kernel(torch.eye(3), ax=ax, title=name) is fig
    assert [len(ax.texts) for ax in axes] == [9, 9, 9]


@pytest.mark.parametrize(
    ("kernel", "match"),
    [
        (torch.rand(2, 3, 3), r"k×k .*weight\[0, 0\].*\(2, 3, 3\)"),
        (torch.rand(3), "k×k"),
        (torch.rand(0, 0), "k×k"),
    ],
)
def test_plot_kernel_rejects_bad_input(kernel, match):
    _no_new_figure(P.plot_kernel, kernel, match=match)


# --------------------------------------------------------------------------- alt text


def _alt(fig) -> str:
    from nbhelpers.display import alt_problem, alt_text

    alt = alt_text(fig)
    assert alt_problem(alt) is None, alt
    return alt


def test_plot_functions_alt_names_each_function_its_range_and_where_the_slope_peaks():
    alt = _alt(P.plot_functions({"sigmoid": torch.sigmoid, "tanh": torch.tanh},
                                derivative=True))
    assert "sigmoid" in alt and "tanh" in alt and "x from -5 to 5" in alt
    assert "tanh goes from -1 to 1" in alt
    assert "sigmoid′ goes from 0.007 to 0.25, largest at x = 0" in alt
    assert "tanh′ goes from 0 to 1, largest at x = 0" in alt
    alt = _alt(P.plot_functions({"MSE": lambda r: r**2}, xlim=(-3, 3), title="squared error"))
    assert alt.startswith("squared error: plot of MSE") and "lowest 0 at x = 0" in alt


def test_plot_functions_into_a_callers_axes_describes_each_panel_until_the_caller_does():
    from nbhelpers.display import alt_text, describe

    fig, axes = plt.subplots(1, 2, figsize=(8, 3))
    P.plot_functions({"ReLU": torch.relu}, ax=axes[0])
    assert alt_text(fig).startswith("Plot of ReLU")
    P.plot_functions({"tanh": torch.tanh}, ax=axes[1])
    assert alt_text(fig).startswith("2 plots side by side: Plot of ReLU")
    assert "tanh goes from -1 to 1" in alt_text(fig)
    describe(fig, "ReLU and tanh side by side, both through the origin.")
    assert alt_text(fig) == "ReLU and tanh side by side, both through the origin."
    P.plot_functions({"sigmoid": torch.sigmoid}, ax=axes[0])  # the caller's text stays
    assert alt_text(fig) == "ReLU and tanh side by side, both through the origin."
    fig, ax = plt.subplots(figsize=(4, 3))
    describe(fig, "The caller's description, given before the helper draws.")
    P.plot_functions({"sigmoid": torch.sigmoid}, ax=ax)
    assert alt_text(fig) == "The caller's description, given before the helper draws."


def test_show_images_alt_gives_the_grid_and_the_data_labels():
    alt = _alt(P.show_images(torch.rand(16, 28, 28), true=[7, 2, 1, 0] * 4))
    assert alt.startswith("16 images of 28×28 pixels in 2 rows of 8.")
    assert "True labels: 7 2 1 0 7 2 1 0" in alt
    names = ["T-shirt", "trouser", "ankle boot"]
    alt = _alt(P.show_images(torch.rand(3, 8, 8), true=[0, 1, 2], classes=names))
    assert "T-shirt; trouser; ankle boot" in alt
    alt = _alt(P.show_images(torch.rand(4, 8, 8), titles=["variant"] * 4))
    assert "titled all “variant”" in alt


def test_show_images_alt_lists_predictions_only_when_asked():
    """Predicted labels come from training, which differs from CPU to CPU: by default the alt
    text names the layout only (nbval compares it); alt_labels=True lists them."""
    images, true, pred = torch.rand(6, 8, 8), [7, 2, 1, 0, 4, 1], [9, 2, 1, 0, 4, 1]
    confidence = ["97%", "88%", "90%", "99%", "71%", "64%"]
    alt = _alt(P.show_images(images, true=true, pred=pred, titles=confidence))
    assert "true→predicted" in alt and "red" in alt and "each with a caption" in alt
    assert "7" not in alt and "9" not in alt
    alt = _alt(P.show_images(images, true=true, pred=pred, alt_labels=True))
    assert "1 wrong: predicted 9 for the 7" in alt and "7→9 2→2" in alt


def test_plot_confusion_alt_names_the_classes_and_counts_only_when_asked():
    true, pred = [0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 0]
    alt = _alt(P.plot_confusion(true, pred, classes=["cat", "dog", "bird"]))
    assert "3 classes: cat, dog and bird" in alt and "rows the true class" in alt
    assert "times" not in alt and "%" not in alt
    alt = _alt(P.plot_confusion(true, pred, classes=["cat", "dog", "bird"], alt_counts=True))
    assert "Accuracy 50.0%" in alt
    assert "largest mistakes: bird taken for cat 2 times; cat taken for dog once" in alt


def test_plot_feature_maps_alt_gives_layout_titles_and_colour_scale():
    alt = _alt(P.plot_feature_maps(torch.randn(8, 26, 26), symmetric=True, cmap="RdBu_r",
                                   colorbar=True, titles=[f"filter {i}" for i in range(8)]))
    assert alt.startswith("8 feature maps of 26×26 in one row, titled filter 0; filter 1")
    assert "blue for negative values, white for 0, red for positive" in alt
    assert "one scale for all maps" in alt and "colour bar" in alt
    alt = _alt(P.plot_feature_maps(torch.randn(16, 5, 5), shared_scale=False))
    assert "in 2 rows of 8" in alt and "own lowest and highest" in alt
    assert "dark for low values, light for high" in alt


def test_plot_kernel_alt_reads_the_values_row_by_row():
    sobel = torch.tensor([[1.0, 0, -1], [2, 0, -2], [1, 0, -1]])
    alt = _alt(P.plot_kernel(sobel, title="Sobel x"))
    assert alt.startswith("Sobel x: 3×3 kernel, values row by row (1, 0, -1), (2, 0, -2), "
                          "(1, 0, -1).")
    fig, axes = plt.subplots(1, 2, figsize=(6, 3))
    P.plot_kernel(sobel, ax=axes[0], title="Sobel x")
    P.plot_kernel(torch.eye(3), ax=axes[1], title="identity")
    alt = _alt(fig)
    assert alt.startswith("2 kernels side by side: Sobel x: 3×3 kernel")
    assert "identity: 3×3 kernel, values row by row (1, 0, 0), (0, 1, 0), (0, 0, 1)" in alt
    assert alt.count("Cells coloured") == 1


def test_a_slope_held_over_a_stretch_is_not_said_to_peak_at_one_point():
    import torch.nn as nn

    from nbhelpers.display import alt_text

    fig = P.plot_functions({"ReLU": nn.ReLU(), "sigmoid": torch.sigmoid},
                                  xlim=(-4, 4), derivative=True)
    alt = alt_text(fig)
    assert "ReLU′ goes from 0 to 1, equal to 1 for x above 0" in alt, alt
    assert "sigmoid′ goes from 0.018 to 0.25, largest at x = 0" in alt, alt
    plt.close(fig)
