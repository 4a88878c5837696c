"""nbhelpers.layers: the shape trace agrees with running the layers one by one, restores the
model's mode, and names the layer that fails."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from nbhelpers import layers as L


def small_cnn() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3), nn.ReLU(), nn.Flatten(), nn.Linear(16 * 12 * 12, 10),
    )


def test_trace_shapes_matches_running_the_layers():
    model = small_cnn()
    rows = L.trace_shapes(model, (2, 1, 28, 28))
    assert [r.name for r in rows] == [str(i) for i in range(len(model))]
    x = torch.zeros(2, 1, 28, 28)
    model.eval()
    for row, layer in zip(rows, model, strict=True):
        x = layer(x)
        assert row.shape == tuple(x.shape)
        assert row.params == sum(p.numel() for p in layer.parameters())
        assert row.layer.startswith(type(layer).__name__) and len(row.layer) <= 40
    assert rows[-1].shape == (2, 10)


def test_trace_shapes_on_a_custom_module_restores_training_mode():
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.features = nn.Sequential(nn.Conv2d(1, 4, 5), nn.BatchNorm2d(4), nn.ReLU())
            self.head = nn.Linear(4 * 24 * 24, 3)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.head(self.features(x).flatten(1))

    model = Net().train()
    rows = L.trace_shapes(model, (1, 1, 28, 28))  # batch 1 with BatchNorm: needs eval mode
    assert [(r.name, r.shape) for r in rows] == [
        ("features.0", (1, 4, 24, 24)), ("features.1", (1, 4, 24, 24)),
        ("features.2", (1, 4, 24, 24)), ("head", (1, 3))]
    assert model.training and all(m.training for m in model.modules())
    assert not any(m._forward_hooks or m._forward_pre_hooks for m in model.modules())
    (row,) = L.trace_shapes(nn.Linear(3, 2), [5, 3])  # a model that is itself a leaf
    assert (row.name, row.shape, row.params) == ("Linear", (5, 2), 8)
    assert row.layer.startswith("Linear(in_features=3, out_features=2") and row.layer[-1] == "…"


def test_trace_shapes_names_the_failing_layer():
    model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.Flatten(), nn.Linear(100, 10))
    with pytest.raises(ValueError, match=r"layer 2 \(Linear.*0 -> \(1, 8, 26, 26\).*"
                                         r"mat1 and mat2 shapes cannot be multiplied"):
        L.trace_shapes(model, (1, 1, 28, 28))
    assert not any(m._forward_hooks for m in model.modules())
    with pytest.raises(ValueError, match="input_shape must be positive"):
        L.trace_shapes(model, (0, 1, 28, 28))


def test_print_shapes_prints_an_aligned_table_with_the_total(capsys):
    model = small_cnn()
    L.print_shapes(model, (1, 1, 28, 28))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["layer", "type", "output", "shape", "params"]
    assert lines[1].split() == ["input", "(1,", "1,", "28,", "28)"]
    assert len(lines) == len(model) + 3
    total = sum(p.numel() for p in model.parameters())
    assert lines[-1] == f"total parameters: {total:,}"
    assert lines[-2].endswith(f"{16 * 144 * 10 + 10:,}") and "(1, 10)" in lines[-2]
    shape_col = lines[0].index("output shape")
    assert all(line[shape_col - 2 : shape_col] == "  " for line in lines[1:-1])
