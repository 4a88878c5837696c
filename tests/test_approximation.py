"""nbhelpers.approximation (lecture 03): a trained 1-D network's output and error."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from nbhelpers.approximation import net_mse, net_output


def test_net_mse_and_net_output_match_torch():
    torch.manual_seed(0)
    x = torch.linspace(-2, 2, 50).unsqueeze(1)
    y = torch.sin(x)
    net = nn.Sequential(nn.Linear(1, 4), nn.ReLU(), nn.Linear(4, 1))
    with torch.no_grad():
        expected = nn.functional.mse_loss(net(x), y).item()
    assert net_mse(net, x, y) == pytest.approx(expected, rel=1e-6)
    out = net_output(net, x)
    assert out.shape == (50, 1) and not out.requires_grad and out.device.type == "cpu"
