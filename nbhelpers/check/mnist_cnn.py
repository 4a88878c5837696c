"""Exercises of lecture 12 (the MNIST CNN): the test loop, a Conv2d parameter count, and an MLP
that reaches 97.5 % on a validation split (and is then tested once)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

from nbhelpers.check import (
    CallLog,
    Result,
    call,
    correct,
    exercise,
    not_yet,
    number,
    refuse_shortcuts,
    tiny_classifier,
)

#: Validation accuracy the MLP exercise asks for.
_MLP_TARGET = 0.975

_Batches = Sequence[tuple[torch.Tensor, torch.Tensor]]


def _batches(n: int, batch_size: int, seed: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Random (x (B, 1, 4, 4), y (B,)) batches for :func:`tiny_classifier`."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 1, 4, 4, generator=g)
    y = torch.randint(0, 3, (n,), generator=g)
    return [(x[i:i + batch_size], y[i:i + batch_size]) for i in range(0, n, batch_size)]


def _accuracy(model: nn.Module, batches: _Batches) -> float:
    """The fraction of images whose argmax score is the label (eval mode, no graph); the
    model's mode is restored afterwards."""
    was_training = model.training
    model.eval()
    right = total = 0
    with torch.no_grad():
        for x, y in batches:
            right += (model(x).argmax(1) == y).sum().item()
            total += len(y)
    model.train(was_training)
    return right / total


def _count_hint(got: float, model: nn.Module, batches: _Batches) -> str:
    """Which usual counting mistake ``got`` is (not the accuracy over all images)."""
    was_training = model.training
    model.eval()
    with torch.no_grad():
        hits = [(model(x).argmax(1) == y).sum().item() for x, y in batches]
    model.train(was_training)
    if abs(got - sum(hits) / len(batches)) < 1e-6:
        return ("you divide by the number of batches: divide the count of correct predictions "
                "by the number of images")
    if abs(got - sum(hits) / (len(batches) * len(batches[0][1]))) < 1e-6:
        return ("the last batch is smaller: divide by the number of images you counted, not "
                "by batches × batch size")
    return ("count correct predictions (argmax over the classes equals the label) "
            "over all batches, then divide by the number of images (not by the "
            "number of batches)")


@exercise
def test_accuracy(fn: Callable[[nn.Module, _Batches], float]) -> Result:
    """``fn(model, batches) -> float``: test accuracy in [0, 1] over (x, y) batches."""
    batches = _batches(203, 50, seed=1)  # a last, smaller batch: averaging must be per image
    expected = _accuracy(tiny_classifier(), batches)
    model = tiny_classifier()
    modes: list[bool] = []                    # model.training at every forward pass
    model.register_forward_pre_hook(lambda module, args: modes.append(module.training))
    grad_was = torch.is_grad_enabled()
    try:
        got = number(call(fn, model, batches))
        if torch.is_grad_enabled() != grad_was:
            return not_yet("your function leaves autograd switched off for the rest of the "
                           "notebook (torch.set_grad_enabled(False)): use `with "
                           "torch.no_grad():`, which switches it back on at the end")
    finally:
        torch.set_grad_enabled(grad_was)
    if not modes:
        return not_yet("call the model on the images of each batch")
    if any(modes):
        if 1 < got <= 100:
            return not_yet("return a fraction in [0, 1], not a percentage")
        return not_yet("the model has dropout and batch norm: call model.eval() before "
                       "testing, otherwise every run gives a different answer")
    if abs(got - expected) > 1e-6:        # one image is 1/203 ≈ 0.005: float32 is precise enough
        if abs(got - 100 * expected) < 1e-4:
            return not_yet("return a fraction in [0, 1], not a percentage")
        return not_yet(_count_hint(got, tiny_classifier(), batches))
    if number(call(fn, model, batches)) != got:
        return not_yet("two calls give different accuracies: is the model in eval mode?")
    return correct("that is the test loop of every PyTorch tutorial.")


@exercise
def conv_params(fn: Callable[[int, int, int], int]) -> Result:
    """``fn(c_in, c_out, k) -> int``: parameters of ``nn.Conv2d(c_in, c_out, k)`` (with bias),
    from the shapes, without building the layer."""
    refused = refuse_shortcuts(fn, {"Conv2d", "conv2d", "parameters", "numel"},
                               "the count", "multiply the shapes yourself")
    if refused is not None:
        return refused
    for c_in, c_out, k in [(1, 8, 5), (8, 16, 5), (3, 64, 3), (32, 64, 3), (16, 1, 1),
                           (5, 7, 4)]:
        got = number(call(fn, c_in, c_out, k))   # 208, 208.0, np.int64(208), a tensor
        expected = sum(p.numel() for p in nn.Conv2d(c_in, c_out, k).parameters())
        if got != expected:
            if got == c_out * k * k + c_out:
                return not_yet("each kernel spans every input channel: it has c_in × k × k "
                               "weights")
            if got == c_in * c_out * k * k:
                return not_yet("almost: every output channel also has a bias")
            if got in {c_in * c_out * k * k + c_in, c_in * c_out * k * k + 1}:
                return not_yet("count the biases again: each output channel (each kernel) has "
                               "its own")
            if got == c_out * (c_in * k + 1):
                return not_yet("a kernel is k × k: square the kernel size")
            return not_yet(f"for Conv2d({c_in}, {c_out}, {k}) count the weights of all kernels "
                           "and the biases")
    return correct("the count does not depend on the image size: weights are shared.")


def _fingerprints(x: torch.Tensor) -> set[int]:
    """One number per image (a fixed random projection, rounded), to find the same images in
    two tensors without comparing every pair."""
    w = torch.randn(x[0].numel(), generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    return set(torch.round(x.reshape(len(x), -1).double().cpu() @ w * 100).long().tolist())


def _convolves(model: nn.Module, x: torch.Tensor) -> bool:
    """Whether ``model`` has a convolution layer, or convolves in its forward pass."""
    if any(isinstance(m, nn.modules.conv._ConvNd) for m in model.modules()):
        return True

    was_training = model.training
    model.eval()
    try:
        with torch.no_grad(), CallLog() as calls:
            model(x)
    finally:
        model.train(was_training)
    return any("conv" in name for name in calls.names)


@exercise
def mlp_accuracy(model: nn.Module, x_val: torch.Tensor, y_val: torch.Tensor) -> Result:
    """A trained MLP (no convolutions) that reaches 97.5 % on the validation images
    ``x_val``, ``y_val`` (split off the training set; normalised inputs of shape
    (N, 1, 28, 28)). Only then is the MNIST test set used, once, and its accuracy reported."""
    if isinstance(model, type):
        return not_yet(f"pass your trained model, not the class {model.__name__}")
    if not isinstance(model, nn.Module):
        return not_yet(f"pass your trained model (an nn.Module), not {type(model).__name__}")
    if not isinstance(x_val, torch.Tensor) or not isinstance(y_val, torch.Tensor) \
            or len(x_val) != len(y_val) or len(y_val) == 0:
        return not_yet("pass the validation split too: mlp_accuracy(mlp_model, x_val, "
                       "y_val)")
    if not x_val.is_floating_point() or x_val[0].numel() != 28 * 28 or y_val.dim() != 1 \
            or y_val.is_floating_point():
        return not_yet("pass the images first, then the labels: x_val holds (N, 1, 28, 28) "
                       "float images, y_val (N,) integer labels")
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    x_val, y_val = x_val.to(device), y_val.to(device)
    if _convolves(model, x_val[:2]):
        return not_yet("this exercise is about an MLP: use nn.Linear layers only")
    from nbhelpers.data import load_tensors

    x, y = load_tensors("mnist", train=False, device=device)
    seen = _fingerprints(x)
    if sum(f in seen for f in _fingerprints(x_val)) > len(x_val) // 2:
        return not_yet("x_val, y_val are test images: judge your tries on a validation split "
                       "carved from the training set (x_val, y_val above), and leave the test "
                       "set for one measurement at the end")
    val = _accuracy(model, [(x_val[i:i + 2000], y_val[i:i + 2000])
                            for i in range(0, len(y_val), 2000)])
    if val < _MLP_TARGET:
        return not_yet(f"validation accuracy {val:.2%} is below {_MLP_TARGET:.1%}: try a wider "
                       "hidden layer, another learning rate or more epochs, and judge each "
                       "try on the validation split")
    test = _accuracy(model, [(x[i:i + 2000], y[i:i + 2000]) for i in range(0, len(y), 2000)])
    return correct(f"validation accuracy {val:.2%}; measured once at the end, test accuracy "
                   f"{test:.2%}, without a single convolution.")
