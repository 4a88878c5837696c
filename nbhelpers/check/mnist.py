"""Checkers for lectures 08 (MNIST CNN) and 09 (FashionMNIST and practical issues)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

from nbhelpers.check import Result, exercise, failed, guard, passed

#: Test accuracy the MLP exercise asks for.
_MLP_TARGET = 0.975


# ----------------------------------------------------------------------------- lecture 08


def _tiny_classifier() -> nn.Module:
    """A fixed small model with dropout and batch norm, so eval mode and no_grad matter."""
    g = torch.Generator().manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 12), nn.BatchNorm1d(12), nn.ReLU(),
                          nn.Dropout(0.5), nn.Linear(12, 3))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g))
        model[2].running_mean.copy_(torch.randn(12, generator=g))
        model[2].running_var.copy_(torch.rand(12, generator=g) + 0.5)
    return model.train()  # left in training mode on purpose: the answer must switch


class _GradSpy(nn.Module):
    """Wraps a model and records whether autograd was on during each forward pass."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner
        self.grad_enabled: list[bool] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.grad_enabled.append(torch.is_grad_enabled())
        return self.inner(x)


def _batches(n: int, batch_size: int, seed: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 1, 4, 4, generator=g)
    y = torch.randint(0, 3, (n,), generator=g)
    return [(x[i:i + batch_size], y[i:i + batch_size]) for i in range(0, n, batch_size)]


def _reference_accuracy(model: nn.Module, batches) -> float:
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in batches:
            correct += (model(x).argmax(1) == y).sum().item()
            total += len(y)
    return correct / total


@exercise("mnist_test_accuracy")
def mnist_test_accuracy(fn: Callable[[nn.Module, Sequence], float]) -> Result:
    """``fn(model, batches) -> float``: test accuracy in [0, 1] over (x, y) batches."""
    name = "mnist_test_accuracy"

    def run() -> Result:
        batches = _batches(203, 50, seed=1)  # a last, smaller batch: averaging must be per image
        expected = _reference_accuracy(_tiny_classifier(), batches)
        model = _tiny_classifier()
        got = fn(model, batches)
        if isinstance(got, torch.Tensor):
            got = got.item() if got.numel() == 1 else got
        if not isinstance(got, (int, float)):
            return failed(name, f"return one number (a float in [0, 1]), not {type(got).__name__}")
        if 1 < got <= 100:
            return failed(name, "return a fraction in [0, 1], not a percentage")
        if model.training:
            return failed(name, "the model has dropout and batch norm: call model.eval() "
                          "before testing, otherwise every run gives a different answer")
        if abs(got - expected) > 1e-9:
            return failed(name, "count correct predictions (argmax over the classes equals the "
                          "label) over all batches, then divide by the number of images "
                          "(not by the number of batches)")
        again = fn(model, batches)
        again = again.item() if isinstance(again, torch.Tensor) else again
        if again != got:
            return failed(name, "two calls give different accuracies: is the model in eval mode?")
        return passed(name, "that is the test loop of every PyTorch tutorial.")

    return guard(name, run)


@exercise("mnist_conv_params")
def mnist_conv_params(fn: Callable[[int, int, int], int]) -> Result:
    """``fn(c_in, c_out, k) -> int``: parameters of ``nn.Conv2d(c_in, c_out, k)`` (with bias)."""
    name = "mnist_conv_params"

    def run() -> Result:
        for c_in, c_out, k in [(1, 8, 5), (8, 16, 5), (3, 64, 3), (32, 64, 3), (16, 1, 1)]:
            got = fn(c_in, c_out, k)
            expected = sum(p.numel() for p in nn.Conv2d(c_in, c_out, k).parameters())
            if not isinstance(got, (int, torch.Tensor)) or int(got) != expected:
                if got == c_out * k * k + c_out:
                    return failed(name, "each kernel spans every input channel: it has "
                                  "c_in × k × k weights")
                if got == c_in * c_out * k * k:
                    return failed(name, "almost: every output channel also has a bias")
                return failed(name, f"for Conv2d({c_in}, {c_out}, {k}) count the weights of "
                              "all kernels and the biases")
        return passed(name, "the count does not depend on the image size: weights are shared.")

    return guard(name, run)


@exercise("mnist_mlp_accuracy")
def mnist_mlp_accuracy(model: nn.Module) -> Result:
    """A trained MLP (no convolutions) that reaches 97.5 % on the MNIST test set (normalised
    inputs of shape (N, 1, 28, 28))."""
    name = "mnist_mlp_accuracy"

    def run() -> Result:
        if not isinstance(model, nn.Module):
            return failed(name, f"pass your trained model (an nn.Module), not {type(model).__name__}")
        if any(isinstance(m, nn.modules.conv._ConvNd) for m in model.modules()):
            return failed(name, "this exercise is about an MLP: use nn.Linear layers only")
        from nbhelpers.data import TensorBatches, load_tensors
        from nbhelpers.training import evaluate

        x, y = load_tensors("mnist", train=False)
        device = next((p.device for p in model.parameters()), torch.device("cpu"))
        acc = evaluate(model, TensorBatches(x, y, batch_size=2000, shuffle=False),
                       device=device).accuracy
        if acc < _MLP_TARGET:
            return failed(name, f"test accuracy {acc:.2%} is below {_MLP_TARGET:.1%}: a wider "
                          "hidden layer, Adam (lr about 1e-3) and a few more epochs help")
        return passed(name, f"over {_MLP_TARGET:.1%} test accuracy without a single convolution.")

    return guard(name, run)


# ----------------------------------------------------------------------------- lecture 09


@exercise("split_indices")
def split_indices(fn: Callable[..., tuple[torch.Tensor, torch.Tensor]]) -> Result:
    """``fn(n, val_fraction, seed) -> (train_idx, val_idx)``: a random split of range(n)."""
    name = "split_indices"

    def run() -> Result:
        n, frac = 1000, 0.2
        tr, va = fn(n, frac, 0)
        tr, va = torch.as_tensor(tr).long(), torch.as_tensor(va).long()
        if len(va) != round(n * frac) or len(tr) != n - round(n * frac):
            return failed(name, f"with n={n} and val_fraction={frac} the validation set has "
                          f"{round(n * frac)} indices and the training set the rest")
        both = torch.cat([tr, va])
        if len(torch.unique(both)) != n or both.min() < 0 or both.max() >= n:
            return failed(name, "every index 0..n-1 must be in exactly one of the two sets: "
                          "no overlap (that would leak validation data into training)")
        if torch.equal(torch.sort(va).values, torch.arange(n - len(va), n)) or torch.equal(
            torch.sort(va).values, torch.arange(len(va))
        ):
            return failed(name, "shuffle before splitting (torch.randperm): data sets are often "
                          "sorted, and the last 20 % may not look like the rest")
        tr2, va2 = fn(n, frac, 0)
        if not torch.equal(torch.as_tensor(va2).long(), va):
            return failed(name, "the same seed must give the same split: use a "
                          "torch.Generator().manual_seed(seed)")
        _, va3 = fn(n, frac, 1)
        if torch.equal(torch.as_tensor(va3).long(), va):
            return failed(name, "a different seed should give a different split")
        return passed(name, "disjoint, complete, shuffled and reproducible.")

    return guard(name, run)


@exercise("early_stopping_epoch")
def early_stopping_epoch(fn: Callable[[Sequence[float], int], int]) -> Result:
    """``fn(val_losses, patience) -> epoch``: the (1-based) epoch whose weights early stopping
    keeps, when training stops after ``patience`` epochs without a new best."""
    name = "early_stopping_epoch"

    def reference(losses: Sequence[float], patience: int) -> int:
        best, best_epoch, waited = float("inf"), 0, 0
        for epoch, loss in enumerate(losses, start=1):
            if loss < best:
                best, best_epoch, waited = loss, epoch, 0
            else:
                waited += 1
                if waited >= patience:
                    break
        return best_epoch

    cases = [
        ([0.9, 0.7, 0.6, 0.65, 0.7, 0.72, 0.5], 3),   # stops before the late minimum
        ([0.9, 0.7, 0.6, 0.65, 0.7, 0.72, 0.5], 4),   # patient enough to find it
        ([1.0, 0.8, 0.6, 0.5, 0.45, 0.44], 2),        # never stops: the last epoch
        ([0.5, 0.6, 0.5, 0.7], 2),                    # a tie is not an improvement
    ]

    def run() -> Result:
        for losses, patience in cases:
            got = fn(list(losses), patience)
            expected = reference(losses, patience)
            if got != expected:
                if got == min(range(len(losses)), key=losses.__getitem__) + 1:
                    return failed(name, "early stopping cannot see the future: after "
                                  "`patience` epochs without improvement training has stopped")
                if got == expected - 1:
                    return failed(name, "number epochs from 1, as fit() does")
                return failed(name, f"for val_losses={losses} and patience={patience} your "
                              f"answer is epoch {got}; walk through the epochs, remember the "
                              "best loss and its epoch, and stop after `patience` epochs "
                              "without a strictly smaller loss")
        return passed(name, "you keep the best weights seen before patience ran out.")

    return guard(name, run)


@exercise("predict_labels")
def predict_labels(fn: Callable[[nn.Module, torch.Tensor], torch.Tensor]) -> Result:
    """``fn(model, x) -> labels (N,)``: predictions in eval mode, without building a graph."""
    name = "predict_labels"

    def run() -> Result:
        g = torch.Generator().manual_seed(3)
        x = torch.randn(64, 1, 4, 4, generator=g)
        reference = _tiny_classifier().eval()
        with torch.no_grad():
            expected = reference(x).argmax(1)
        model = _GradSpy(_tiny_classifier())
        got = fn(model, x)
        if not isinstance(got, torch.Tensor) or got.shape != (64,):
            return failed(name, "return one label per input: a tensor of shape (N,) (argmax "
                          "over dim 1)")
        if not model.grad_enabled:
            return failed(name, "call the model on x to get its scores")
        if any(model.grad_enabled):
            return failed(name, "wrap the forward pass in `with torch.no_grad():` - no graph "
                          "is needed to predict, and it costs memory")
        if not torch.equal(got.long(), expected):
            return failed(name, "switch to model.eval() first: dropout must be off and batch "
                          "norm must use its running statistics")
        return passed(name, "eval() for the layers, no_grad() for the memory.")

    return guard(name, run)
