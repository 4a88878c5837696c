"""Lecture 12's checkers: the test loop, the Conv2d parameter count, the MLP on MNIST."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from nbhelpers import check


def _accuracy(model, batches):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in batches:
            correct += (model(x).argmax(1) == y).sum().item()
            total += len(y)
    return correct / total


def test_mnist_test_accuracy():
    assert check.mnist_test_accuracy(_accuracy)

    def no_eval(model, batches):
        correct = total = 0
        with torch.no_grad():
            for x, y in batches:
                correct += (model(x).argmax(1) == y).sum().item()
                total += len(y)
        return correct / total

    def per_batch_mean(model, batches):
        model.eval()
        with torch.no_grad():
            accs = [(model(x).argmax(1) == y).float().mean().item() for x, y in batches]
        return sum(accs) / len(accs)

    result = check.mnist_test_accuracy(no_eval)
    assert not result and "eval" in result.message
    assert not check.mnist_test_accuracy(per_batch_mean)
    assert not check.mnist_test_accuracy(lambda m, b: 100 * _accuracy(m, b))
    assert not check.mnist_test_accuracy(lambda m, b: 1 / 0)

    def restores_mode(model, batches):          # as nbhelpers.training.evaluate does
        was_training = model.training
        accuracy = _accuracy(model, batches)
        model.train(was_training)
        return accuracy

    def eval_after_the_loop(model, batches):    # the first batch still in training mode
        correct = total = 0
        with torch.no_grad():
            for x, y in batches:
                correct += (model(x).argmax(1) == y).sum().item()
                total += len(y)
                model.eval()
        return correct / total

    assert check.mnist_test_accuracy(restores_mode)
    assert check.mnist_test_accuracy(lambda m, b: torch.tensor(_accuracy(m, b)))
    assert not check.mnist_test_accuracy(eval_after_the_loop)


def test_mnist_conv_params():
    assert check.mnist_conv_params(lambda c_in, c_out, k: c_out * (c_in * k * k + 1))
    no_bias = check.mnist_conv_params(lambda c_in, c_out, k: c_in * c_out * k * k)
    assert not no_bias and "bias" in no_bias.message
    assert not check.mnist_conv_params(lambda c_in, c_out, k: c_out * k * k + c_out)
    assert not check.mnist_conv_params(lambda c_in, c_out, k: None)
    assert "c_in × k × k" not in check.mnist_conv_params(lambda *a: 0).message
    # right answers in other types
    assert check.mnist_conv_params(lambda c_in, c_out, k: float(c_out * (c_in * k * k + 1)))
    assert check.mnist_conv_params(lambda c_in, c_out, k: np.int64(c_out * (c_in * k * k + 1)))
    assert not check.mnist_conv_params(lambda c_in, c_out, k: c_out * (c_in * k * k + 1) + 0.5)
    assert not check.mnist_conv_params(lambda c_in, c_out, k: "208")


@pytest.mark.slow
def test_mnist_mlp_accuracy(mnist_available):
    from nbhelpers.data import TensorBatches, load_tensors
    from nbhelpers.models import mlp
    from nbhelpers.training import fit

    x, y = load_tensors("mnist", train=True)
    order = torch.randperm(60_000, generator=torch.Generator().manual_seed(0))
    x_fit, y_fit = x[order[:50_000]], y[order[:50_000]]
    x_val, y_val = x[order[50_000:]], y[order[50_000:]]
    torch.manual_seed(0)
    conv = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(4 * 26 * 26, 10))
    assert "nn.Linear" in check.mnist_mlp_accuracy(conv, x_val, y_val).message
    untrained = mlp(64)
    result = check.mnist_mlp_accuracy(untrained, x_val, y_val)
    assert not result and "validation accuracy" in result.message and "below" in result.message
    assert not check.mnist_mlp_accuracy("model", x_val, y_val)
    assert "validation split" in check.mnist_mlp_accuracy(untrained, x_val, y_val[:5]).message

    torch.manual_seed(0)
    model = mlp(256)
    batches = TensorBatches(x_fit, y_fit, batch_size=128)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    cycle = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, epochs=3,
                                                steps_per_epoch=len(batches))
    fit(model, batches, epochs=3, optimizer=optimizer, scheduler=cycle, device="cpu",
        live=False, progress=False)
    result = check.mnist_mlp_accuracy(model, x_val, y_val)
    assert result and "test accuracy" in result.message
