"""Alt text of every figure the widgets draw (issue 26): real alt text (``alt_problem`` is
None) that states the key facts of the figure, computed from what is drawn; a widget's redraw
carries its frame's alt text into the output (``text/plain`` and image metadata); and series
told apart by colour also differ in line style or marker."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import importlib  # noqa: E402
import inspect  # noqa: E402
import itertools  # noqa: E402
import pkgutil  # noqa: E402
import re  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.colors import same_color  # noqa: E402
from torch import nn  # noqa: E402

import nbhelpers.widgets  # noqa: E402
from nbhelpers.display import alt_problem, alt_text  # noqa: E402
from nbhelpers.widgets import (  # noqa: E402
    activations,
    approximation,
    convolution,
    descent,
    digits,
    draw_digit,
    kernel_editor,
    losses,
    neuron,
    pooling,
    series_style,  # noqa: E402
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


class _Pixel(nn.Module):
    """A fixed 'classifier': logit k is k times the mean pixel (brighter means larger k)."""

    def forward(self, x):
        return x.flatten(1).mean(1, keepdim=True) * torch.arange(10.0)


class _Scaled(nn.Module):
    """A fixed 'network' of a given width: output = x · (1 − 1/(width+1)), so its error
    against y = x shrinks with the width (known in closed form)."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(1 - 1 / (width + 1)), requires_grad=False)

    def forward(self, x):
        return x * self.scale


def _digit() -> torch.Tensor:
    img = torch.zeros(28, 28)
    img[6:22, 12:16] = 1.0
    return img


_X = torch.linspace(-2, 2, 41)[:, None]
_NETS = {1: _Scaled(1), 10: _Scaled(10), 100: _Scaled(100)}

#: figure function -> (call, facts its alt text states). Facts are computed by hand from the
#: inputs (closed forms), never read back from the function.
CASES = {
    "neuron.perceptron_figure": (lambda: neuron.perceptron_figure(1.0, 1.0, -1.5),
                                 ["AND", "1 only at (1,1)", "b = -1.5", "1,1 gives +0.5, y = 1"]),
    "neuron.gates_figure": (neuron.gates_figure,
                            ["AND", "OR", "NAND", "3 panels", "1 only at (0,0), (0,1) and (1,0)"]),
    "neuron.xor_figure": (neuron.xor_figure, ["XOR", "OR line", "NAND line", "AND line"]),
    "neuron.training_figure": (
        lambda: neuron.training_figure(
            torch.tensor([[0.1, 0.1], [0.2, 0.3], [0.8, 0.9], [0.9, 0.7]]),
            torch.tensor([0, 0, 1, 1]),
            [(torch.tensor([1.0, 0.0]), -0.95), (torch.tensor([1.0, 1.0]), -1.0)],
            true_line=(1.0, 1.0, -1.0)),
        ["4 points", "2 of class 0", "2 epochs", "separates the two classes", "dashed"]),
    "neuron.network_figure": (lambda: neuron.network_figure((4, 5, 3)),
                              ["input 4", "hidden 5", "output 3", "35 weights"]),
    "activations.sigmoid_beta_figure": (lambda: activations.sigmoid_beta_figure(2.0),
                                        ["β = 2", "step", "0.27"]),  # σ(−1) = 0.269
    "activations.sigmoid_betas_figure": (
        activations.sigmoid_betas_figure,
        ["0.5, 1, 2, 5 and 20", "0.62 for β = 1", "0.92 for β = 5", "step"]),
    "activations.activation_figure": (lambda: activations.activation_figure("tanh", 0.0),
                                      ["tanh", "tangent at x = 0", "slope at x = 0 is 1"]),
    "activations.saturation_figure": (
        activations.saturation_figure,
        ["sigmoid", "0.25 at x = 0", "0.1 at x = 2", "0.011 at x = 4.5", "flatter"]),
    "activations.vanishing_figure": (
        lambda: activations.vanishing_figure(10),
        ["sigmoid", "tanh", "ReLU", "After 10 neurons", "1 for ReLU", "(1/4)^10 is 9.5e-7"]),
    "activations.layer_gradients_figure": (
        lambda: activations.layer_gradients_figure(
            {"sigmoid": torch.logspace(-6, 0, 10), "ReLU, He": torch.ones(10)}),
        ["sigmoid (10 layers)", "shrinks towards the input", "ReLU, He (10 layers)",
         "within a factor 5"]),
    "approximation.fits_figure": (
        lambda: approximation.fits_figure(_X, _X, _NETS),
        ["3 panels", "1, 10 and 100", "dashed", "mean squared error"]),
    "approximation.error_figure": (lambda: approximation.error_figure(_X, _X, _NETS),
                                   ["1, 10 and 100", "one dot per", "logarithmic"]),
    "approximation.approximation_figure": (
        lambda: approximation.approximation_figure(_X, _X, _NETS, 1),
        ["width 1", "width 1 circled", "mean squared error 0.35",  # mean((x/2)^2), [-2, 2]
         "Width 100 has clearly the lowest error"]),
    "descent.descent_figure": (
        lambda: descent.descent_figure(lr=0.1, steps=20),
        ["parabola", "20 steps", "Learning rate 0.1: converges", "from 4 to 0.00053"]),
    "descent.descent_grid_figure": (
        descent.descent_grid_figure,
        ["3 panels", "2/λ = 1", "Learning rate 1.02: diverges", "grows from 4 to 10",
         "Learning rate 0.05: slow", "from 4 to 0.32"]),  # 4·0.9^24, 4·1.04^24
    "losses.loss_explorer_figure": (
        lambda: losses.loss_explorer_figure(prediction=2.0, target=0.0),
        ["MSE 4 (gradient 4)", "L1 2 (gradient 1)", "target 0", "ŷ = 2"]),
    "pooling.pooling_figure": (pooling.pooling_figure,
                               ["6×6 input", "3×3 output", "maximum", "6 5 3; 3 4 7; 5 3 6"]),
    "convolution.sliding_window_figure": (
        lambda: convolution.sliding_window_figure(step=0),
        ["Step 1 of 9", "rows 0 to 2", "-1 0 1", "= 2", "3×3 output"]),
    "convolution.output_size_figure": (
        lambda: convolution.output_size_figure(n=7, f=3, stride=3),
        ["N = 7", "F = 3", "2 positions", "= 2", "input cell 6, read by no window, is hatched"]),
    "kernel_editor.kernel_editor_figure": (
        lambda: kernel_editor.kernel_editor_figure(
            torch.tensor([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]]), image=torch.rand(20, 16)),
        ["20×16", "0 1 0; 1 -4 1; 0 1 0", "sum to 0", "18×14 feature map"]),
    "kernel_editor.presets_figure": (
        lambda: kernel_editor.presets_figure(image=torch.rand(20, 16),
                                             names=["identity", "edge"]),
        ["2 preset 3×3 kernels", "identity", "edge", "sum to 1", "sum to 0"]),
    "digits.digit_figure": (
        lambda: digits.digit_figure(_Pixel(), _digit(), label=9, erase=4, mean=0.0, std=1.0),
        ["28×28", "of a 9", "4×4 square erased", "predicts 9 (right)", "next is 8"]),
    "digits.perturbations_figure": (
        lambda: digits.perturbations_figure(_Pixel(), _digit(), label=9),
        ["of a 9", "6 disturbances", "rotate 45°", "framed in red"]),
    "draw_digit.drawn_digits_figure": (
        lambda: draw_digit.drawn_digits_figure(_Pixel(), examples={"1": [[(140, 40), (140, 240)]],
                                                                   "7": [[(60, 60), (220, 60),
                                                                          (120, 240)]]}),
        ["2 digits drawn", "1 and 7", "28×28", "red"]),
}


def _figure_functions():
    for info in pkgutil.iter_modules(nbhelpers.widgets.__path__):
        module = importlib.import_module(f"nbhelpers.widgets.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.endswith("_figure") and fn.__module__ == module.__name__:
                yield f"{info.name}.{name}"


def test_every_widget_figure_has_an_alt_text_case():
    assert sorted(_figure_functions()) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_alt_text_is_real_and_states_the_key_facts(name):
    draw, facts = CASES[name]
    text = alt_text(draw())
    assert alt_problem(text) is None, text
    missing = [fact for fact in facts if fact not in text]
    assert not missing, f"{name}: {missing} not in {text!r}"
    assert len(text) < 900, f"{name}: alt text of {len(text)} characters is too long"


def test_static_figures_of_trained_models_name_no_result_of_training():
    """nbval compares a static figure's alt text on every CPU: a trained model's errors and
    predictions (which differ from CPU to CPU) stay out of it."""
    texts = [alt_text(approximation.fits_figure(_X, _X, _NETS)),
             alt_text(approximation.error_figure(_X, _X, _NETS)),
             alt_text(digits.perturbations_figure(_Pixel(), _digit(), label=9)),
             alt_text(activations.layer_gradients_figure({"a": torch.tensor([1e-3, 1.0])}))]
    for text in texts:
        assert "%" not in text and "lowest" not in text and "predicts" not in text, text
    assert not re.search(r"\d\.\d", texts[0] + texts[1] + texts[3])  # no errors or norms


def test_impossible_output_size_says_why():
    text = alt_text(convolution.output_size_figure(n=2, f=5))
    assert alt_problem(text) is None and "impossible" in text


def test_each_frame_of_a_widget_has_its_own_alt_text():
    demo = pooling.pooling_widget()
    out = demo.children[-1]
    first = out.outputs[0]
    assert first["data"]["text/plain"] == first["metadata"]["image/png"]["alt"]
    assert "maximum" in first["data"]["text/plain"]
    demo.children[0].children[2].value = "avg"
    second = out.outputs[0]["data"]["text/plain"]
    assert "mean of its window" in second and second != first["data"]["text/plain"]
    assert f'alt="{second}"' in out.outputs[0]["data"]["text/html"]


def test_kernel_editor_frames_have_alt_text():
    editor = kernel_editor.kernel_editor_widget(image=torch.rand(20, 16))
    text = editor.out.outputs[0]["data"]["text/plain"]
    assert alt_problem(text) is None and "kernel 3×3" in text


def _cue(line) -> tuple:
    marker = line.get_marker()
    return line.get_linestyle(), "" if marker in ("", "None", None) else marker


@pytest.mark.parametrize("name", sorted(CASES))
def test_series_differ_in_more_than_colour(name):
    """Colour is never the only cue (WCAG 1.4.1): legend entries of different colours also
    differ in line style or marker (the check of tests/test_figure_colour.py)."""
    fig = CASES[name][0]()
    for ax in fig.axes:
        series = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
        for a, b in itertools.combinations(series, 2):
            if not same_color(a.get_color(), b.get_color()):
                assert _cue(a) != _cue(b), f"{name}: {a.get_label()!r}, {b.get_label()!r}"


def test_series_style():
    cues = {(s["linestyle"], s.get("marker", "")) for s in map(series_style, range(12))}
    assert len(cues) == 12
