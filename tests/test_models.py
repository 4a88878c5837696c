"""nbhelpers.models: the course's networks build, have the documented sizes, and run."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from nbhelpers.layers import trace_shapes
from nbhelpers.models import (
    ACTIVATIONS,
    FAST_RECIPE,
    MnistCNN,
    QuickstartMLP,
    ReferenceNet,
    count_parameters,
    fast_recipe_optimizer,
    mlp,
)


def _closed_form_linear(sizes):
    return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (MnistCNN, 56_066),
        (QuickstartMLP, 669_706),
        (ReferenceNet, 1_199_882),
        (lambda: mlp(100), 79_510),
    ],
)
def test_parameter_counts(make, expected):
    model = make()
    assert count_parameters(model) == expected
    assert count_parameters(model) == sum(p.numel() for p in model.parameters())


def test_parameter_counts_match_closed_forms():
    assert count_parameters(QuickstartMLP()) == _closed_form_linear([784, 512, 512, 10])
    assert count_parameters(mlp(37)) == _closed_form_linear([784, 37, 10])
    # conv: c_out * c_in * k * k weights (+ c_out biases); BN: 2 per channel
    cnn = 8 * 1 * 25 + 2 * 8 + 16 * 8 * 25 + 2 * 16 + _closed_form_linear([400, 128, 10])
    assert count_parameters(MnistCNN()) == cnn
    ref = 32 * 9 + 32 + 64 * 32 * 9 + 64 + _closed_form_linear([9216, 128, 10])
    assert count_parameters(ReferenceNet()) == ref


def test_count_parameters_trainable_flag_and_type_check():
    model = mlp(10)
    model[1].weight.requires_grad_(False)
    assert count_parameters(model) == 10 + 11 * 10
    assert count_parameters(model, trainable=False) == _closed_form_linear([784, 10, 10])
    with pytest.raises(TypeError, match="nn.Module"):
        count_parameters("model")


@pytest.mark.parametrize("make", [MnistCNN, QuickstartMLP, ReferenceNet, lambda: mlp(20)])
def test_forward_shapes_and_gradients(make):
    torch.manual_seed(0)
    model = make()
    x = torch.randn(5, 1, 28, 28)
    out = model(x)
    assert out.shape == (5, 10) and out.dtype == torch.float32
    F.cross_entropy(out, torch.arange(5)).backward()
    assert all(p.grad is not None for p in model.parameters())


def test_mnist_cnn_shape_trace():
    rows = {r.name: r.shape for r in trace_shapes(MnistCNN(), (2, 1, 28, 28))}
    assert rows["conv1"] == (2, 8, 28, 28)
    assert rows["pool1"] == rows["bn1"] == (2, 8, 14, 14)
    assert rows["conv2"] == (2, 16, 10, 10)
    assert rows["pool2"] == (2, 16, 5, 5)
    assert rows["flatten"] == (2, 400)
    assert rows["fc2"] == (2, 10)


def test_mnist_cnn_slices_share_layers():
    model = MnistCNN()
    block1 = model[:4]
    assert type(block1) is nn.Sequential and list(dict(block1.named_children())) == [
        "conv1", "pool1", "bn1", "relu1"]
    assert block1.conv1 is model.conv1 and model[0] is model.conv1
    x = torch.randn(2, 1, 28, 28)
    model.eval()
    torch.testing.assert_close(model[4:](model[:4](x)), model(x))


def test_mnist_cnn_runs_channels_last_identically():
    torch.manual_seed(0)
    model = MnistCNN().eval()
    x = torch.randn(4, 1, 28, 28)
    ref = model(x)
    model.to(memory_format=torch.channels_last)
    out = model(x.contiguous(memory_format=torch.channels_last))
    torch.testing.assert_close(out, ref, rtol=1e-4, atol=1e-5)


def test_reference_net_returns_log_probabilities_like_the_example():
    torch.manual_seed(0)
    model = ReferenceNet().eval()
    out = model(torch.randn(3, 1, 28, 28))
    torch.testing.assert_close(out.exp().sum(1), torch.ones(3))
    y = torch.tensor([1, 2, 3])
    # cross-entropy on log-probabilities equals the example's nll_loss
    torch.testing.assert_close(F.cross_entropy(out, y), F.nll_loss(out, y))
    names = [type(m).__name__ for m in model.children()]
    assert names == ["Conv2d", "Conv2d", "Dropout", "Dropout", "Linear", "Linear"]
    assert model.dropout1.p == 0.25 and model.dropout2.p == 0.5


def test_dropout_makes_reference_net_random_in_train_mode_only():
    torch.manual_seed(0)
    model = ReferenceNet()
    x = torch.randn(2, 1, 28, 28)
    assert not torch.equal(model(x), model(x))
    model.eval()
    assert torch.equal(model(x), model(x))


def test_mlp_activations_and_validation():
    for name, cls in ACTIVATIONS.items():
        assert isinstance(mlp(5, activation=name)[2], cls)
        acts = [m for m in QuickstartMLP(activation=name).modules() if isinstance(m, cls)]
        assert len(acts) == 2
    assert isinstance(QuickstartMLP().linear_relu_stack[1], nn.ReLU)
    with pytest.raises(ValueError, match="activation"):
        mlp(5, activation="swish")
    with pytest.raises(ValueError, match="hidden"):
        mlp(0)
    with pytest.raises(ValueError, match="hidden"):
        QuickstartMLP(hidden=2.5)
    assert mlp(5)(torch.randn(3, 784)).shape == (3, 10)  # already flat inputs work too


def test_fast_recipe_is_complete():
    assert set(FAST_RECIPE) == {"epochs", "batch_size", "lr", "momentum", "weight_decay",
                                "pct_start"}
    assert isinstance(FAST_RECIPE["epochs"], int) and isinstance(FAST_RECIPE["batch_size"], int)
    assert 0 < FAST_RECIPE["pct_start"] < 1


def test_fast_recipe_optimizer_is_the_recipe():
    model = nn.Linear(3, 2)
    opt, cycle = fast_recipe_optimizer(model, steps_per_epoch=100)   # the peak falls on a step
    group = opt.param_groups[0]
    assert group["nesterov"] and group["weight_decay"] == FAST_RECIPE["weight_decay"]
    assert cycle.total_steps == 100 * FAST_RECIPE["epochs"]
    assert max(cycle.get_last_lr()) < FAST_RECIPE["lr"]          # warm-up starts low
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(cycle.total_steps - 1):
        opt.step()
        cycle.step()
        lrs.append(opt.param_groups[0]["lr"])
    assert abs(max(lrs) - FAST_RECIPE["lr"]) < 1e-9                # peaks at the recipe's lr
    _, other = fast_recipe_optimizer(model, steps_per_epoch=4, lr=0.5, epochs=2)
    assert other.total_steps == 8 and other.optimizer.defaults["lr"] == 0.5


def test_fast_recipe_optimizer_bad_input():
    with pytest.raises(ValueError, match="steps_per_epoch"):
        fast_recipe_optimizer(nn.Linear(3, 2), steps_per_epoch=0)
