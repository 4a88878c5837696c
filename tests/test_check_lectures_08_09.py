"""Checkers of lectures 08-09 accept a correct answer and reject plausible wrong ones."""

from __future__ import annotations

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


def test_mnist_conv_params():
    assert check.mnist_conv_params(lambda c_in, c_out, k: c_out * (c_in * k * k + 1))
    no_bias = check.mnist_conv_params(lambda c_in, c_out, k: c_in * c_out * k * k)
    assert not no_bias and "bias" in no_bias.message
    assert not check.mnist_conv_params(lambda c_in, c_out, k: c_out * k * k + c_out)
    assert not check.mnist_conv_params(lambda c_in, c_out, k: None)
    assert "c_in × k × k" not in check.mnist_conv_params(lambda *a: 0).message


@pytest.mark.slow
def test_mnist_mlp_accuracy(mnist_available):
    from nbhelpers.data import TensorBatches, load_tensors
    from nbhelpers.models import mlp
    from nbhelpers.training import fit

    torch.manual_seed(0)
    conv = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(4 * 26 * 26, 10))
    assert "nn.Linear" in check.mnist_mlp_accuracy(conv).message
    untrained = mlp(64)
    result = check.mnist_mlp_accuracy(untrained)
    assert not result and "below" in result.message
    assert not check.mnist_mlp_accuracy("model")

    x, y = load_tensors("mnist", train=True)
    torch.manual_seed(0)
    model = mlp(256)
    batches = TensorBatches(x, y, batch_size=128)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    cycle = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, epochs=3,
                                                steps_per_epoch=len(batches))
    fit(model, batches, epochs=3, optimizer=optimizer, scheduler=cycle, device="cpu",
        live=False, progress=False)
    assert check.mnist_mlp_accuracy(model)


def _split(n, val_fraction, seed):
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    k = round(n * val_fraction)
    return order[k:], order[:k]


def test_split_indices():
    assert check.split_indices(_split)
    unshuffled = check.split_indices(lambda n, f, s: (torch.arange(round(n * (1 - f))),
                                                      torch.arange(round(n * (1 - f)), n)))
    assert not unshuffled and "shuffle" in unshuffled.message
    def overlap(n, f, s):
        return torch.randperm(n)[: n - round(n * f)], torch.randperm(n)[: round(n * f)]

    def unseeded(n, f, s):
        return _split(n, f, int(torch.randint(0, 10**6, ())))

    assert not check.split_indices(overlap)
    result = check.split_indices(unseeded)
    assert not result and "seed" in result.message
    assert not check.split_indices(lambda n, f, s: _split(n, 0.5, s))
    assert not check.split_indices(lambda n, f, s: 1 / 0)


def _early(losses, patience):
    best, best_epoch, waited = float("inf"), 0, 0
    for epoch, loss in enumerate(losses, start=1):
        if loss < best:
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited >= patience:
                break
    return best_epoch


def test_early_stopping_epoch():
    assert check.early_stopping_epoch(_early)
    def hindsight(losses, patience):
        return min(range(len(losses)), key=losses.__getitem__) + 1

    def ties_improve(losses, patience):  # a later equal loss counts as better
        return _early([v - 1e-9 * i for i, v in enumerate(losses)], patience)

    result = check.early_stopping_epoch(hindsight)
    assert not result and "future" in result.message
    zero_based = check.early_stopping_epoch(lambda losses, p: _early(losses, p) - 1)
    assert not zero_based and "from 1" in zero_based.message
    assert not check.early_stopping_epoch(ties_improve)
    assert not check.early_stopping_epoch(lambda losses, p: len(losses))


def test_predict_labels():
    def good(model, x):
        model.eval()
        with torch.no_grad():
            return model(x).argmax(1)

    def no_eval(model, x):
        with torch.no_grad():
            return model(x).argmax(1)

    def with_grad(model, x):
        model.eval()
        return model(x).argmax(1)

    assert check.predict_labels(good)
    assert "eval" in check.predict_labels(no_eval).message
    assert "no_grad" in check.predict_labels(with_grad).message
    assert not check.predict_labels(lambda m, x: m(x))  # scores, not labels
    assert not check.predict_labels(lambda m, x: 1 / 0)
