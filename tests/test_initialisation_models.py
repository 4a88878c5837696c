"""MnistCNN(batch_norm=False), lecture 08's ablation: the same layers without bn1/bn2, with
conv biases; the default model is unchanged."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from nbhelpers.layers import trace_shapes
from nbhelpers.models import MnistCNN, count_parameters


def test_without_batch_norm():
    model = MnistCNN(batch_norm=False)
    names = [name for name, _ in model.named_children()]
    assert names == ["conv1", "pool1", "relu1", "conv2", "pool2", "relu2", "flatten", "fc1",
                     "relu3", "fc2"]
    assert not any(isinstance(m, nn.BatchNorm2d) for m in model.modules())
    assert model.conv1.bias is not None and model.conv2.bias is not None
    assert count_parameters(model) == 8 * 25 + 8 + 16 * 8 * 25 + 16 + 401 * 128 + 129 * 10
    assert count_parameters(model) == 56_042
    rows = {r.name: r.shape for r in trace_shapes(model, (2, 1, 28, 28))}
    assert rows["pool2"] == (2, 16, 5, 5) and rows["fc2"] == (2, 10)


def test_default_keeps_batch_norm_and_its_weights():
    torch.manual_seed(0)
    default = MnistCNN()
    torch.manual_seed(0)
    explicit = MnistCNN(batch_norm=True)
    assert [n for n, _ in default.named_children()][:4] == ["conv1", "pool1", "bn1", "relu1"]
    assert default.conv1.bias is None and count_parameters(default) == 56_066
    assert all(torch.equal(a, b) for a, b in zip(default.state_dict().values(),
                                                 explicit.state_dict().values(), strict=True))


def test_batch_norm_flag_type():
    with pytest.raises(TypeError, match="batch_norm"):
        MnistCNN(batch_norm="no")
