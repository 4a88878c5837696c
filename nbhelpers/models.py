"""The course's model definitions, shared by the lectures and the benchmark.

- :class:`MnistCNN`: the small, fast CNN that lecture 12 trains live to 99 % MNIST test accuracy
  on a laptop CPU (see ``benchmarks/mnist_speed.py``).
- :class:`QuickstartMLP`: the 784-512-512-10 network of the PyTorch "quickstart" tutorial
  (FashionMNIST), with a choice of activation (lecture 13).
- :func:`mlp`: a one-hidden-layer perceptron 784-hidden-10, the baseline of lecture 12.
- :class:`ReferenceNet`: the network of the well-known PyTorch MNIST example
  (two 3×3 convolutions with 32 and 64 channels, dropout, a 9216-128-10 head).

Every model takes images of shape ``(N, 1, 28, 28)`` (normalised pixels) and returns class
scores (logits) of shape ``(N, 10)``; :class:`ReferenceNet` returns log-probabilities, as the
example does (``F.cross_entropy`` on them equals the example's ``F.nll_loss``, because
log-softmax of log-probabilities changes nothing).
"""

from __future__ import annotations

from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "ACTIVATIONS",
    "FAST_RECIPE",
    "fast_recipe_optimizer",
    "MnistCNN",
    "QuickstartMLP",
    "ReferenceNet",
    "count_parameters",
    "mlp",
]

#: How lecture 12 (and ``benchmarks/mnist_speed.py``) trains :class:`MnistCNN`: SGD with
#: Nesterov momentum and weight decay, a one-cycle learning rate that peaks at ``lr`` after
#: ``pct_start`` of the steps, mini-batches of ``batch_size``, ``epochs`` passes. SGD needs a
#: ``momentum`` > 0 for Nesterov, but ``OneCycleLR`` (``cycle_momentum=True``) overwrites it on
#: every step, cycling it 0.95 -> 0.85 -> 0.95 against the learning rate (lecture 07).
FAST_RECIPE: dict[str, float | int] = {
    "epochs": 3,
    "batch_size": 128,
    "lr": 0.1,
    "momentum": 0.9,
    "weight_decay": 5e-4,
    "pct_start": 0.25,
}

def fast_recipe_optimizer(
    model: nn.Module, *, steps_per_epoch: int, lr: float | None = None, epochs: int | None = None
) -> tuple[torch.optim.SGD, torch.optim.lr_scheduler.OneCycleLR]:
    """Lecture 12's recipe (:data:`FAST_RECIPE`) for ``model``'s parameters: SGD with Nesterov
    momentum and weight decay, and a one-cycle schedule peaking at ``lr`` over ``epochs`` x
    ``steps_per_epoch`` steps (defaults: the recipe's lr and epochs). Step the scheduler after
    every batch (``training.fit`` does)."""
    r = FAST_RECIPE
    lr = r["lr"] if lr is None else lr
    epochs = int(r["epochs"]) if epochs is None else epochs
    if steps_per_epoch < 1 or epochs < 1 or not lr > 0:
        raise ValueError(f"need steps_per_epoch >= 1, epochs >= 1 and lr > 0; got "
                         f"{steps_per_epoch}, {epochs}, {lr}")
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=r["momentum"],
                                nesterov=True, weight_decay=r["weight_decay"])
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=lr, epochs=epochs, steps_per_epoch=steps_per_epoch,
        pct_start=r["pct_start"])
    return optimizer, scheduler


#: Activation functions by name, for the MLPs.
ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "gelu": nn.GELU,
}


def count_parameters(model: nn.Module, *, trainable: bool = True) -> int:
    """Number of (trainable, with ``trainable``) parameters of ``model``."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable)


def _activation(name: str) -> nn.Module:
    key = name.lower() if isinstance(name, str) else name
    if key not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[key]()


def _positive(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


def mlp(hidden: int = 100, *, activation: str = "relu", inputs: int = 784,
        classes: int = 10) -> nn.Sequential:
    """``Flatten -> Linear(inputs, hidden) -> activation -> Linear(hidden, classes)``.

    Input ``(N, 1, 28, 28)`` (or ``(N, 784)``), output logits ``(N, classes)``;
    ``(inputs + 1) * hidden + (hidden + 1) * classes`` parameters.
    """
    hidden, inputs, classes = (_positive(v, n) for v, n in
                               ((hidden, "hidden"), (inputs, "inputs"), (classes, "classes")))
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(inputs, hidden),
        _activation(activation),
        nn.Linear(hidden, classes),
    )


class MnistCNN(nn.Sequential):
    """The fast MNIST CNN of lecture 12: a LeNet-5-sized network with batch norm.

    ====================================  ==============  ===========
    layer                                 output          parameters
    ====================================  ==============  ===========
    conv1: 5×5, 1->8, padding 2           (N, 8, 28, 28)  200
    pool1: max 2×2                        (N, 8, 14, 14)
    bn1 + relu1                           (N, 8, 14, 14)  16
    conv2: 5×5, 8->16                     (N, 16, 10, 10) 3,200
    pool2: max 2×2                        (N, 16, 5, 5)
    bn2 + relu2                           (N, 16, 5, 5)   32
    flatten, fc1: 400->128, relu3         (N, 128)        51,328
    fc2: 128->10                          (N, 10)         1,290
    ====================================  ==============  ===========

    56,066 parameters. Chosen for a laptop CPU: few channels on the 28×28 input (the most
    expensive layer), pooling before batch norm and ReLU (so those run on a quarter of the
    pixels; ReLU commutes with max-pooling), and no bias in the convolutions (batch norm
    right after adds its own). Input ``(N, 1, 28, 28)`` normalised pixels, output logits
    ``(N, 10)``.

    ``batch_norm=False`` (the ablation of lecture 08) leaves out ``bn1`` and ``bn2`` and gives
    the convolutions their biases back: 56,042 parameters, otherwise the same layers.
    """

    def __init__(self, *, batch_norm: bool = True) -> None:
        if not isinstance(batch_norm, bool):
            raise TypeError(f"batch_norm must be True or False, got {batch_norm!r}")
        layers = [
            ("conv1", nn.Conv2d(1, 8, 5, padding=2, bias=not batch_norm)),
            ("pool1", nn.MaxPool2d(2)),
            ("bn1", nn.BatchNorm2d(8)),
            ("relu1", nn.ReLU(inplace=True)),
            ("conv2", nn.Conv2d(8, 16, 5, bias=not batch_norm)),
            ("pool2", nn.MaxPool2d(2)),
            ("bn2", nn.BatchNorm2d(16)),
            ("relu2", nn.ReLU(inplace=True)),
            ("flatten", nn.Flatten()),
            ("fc1", nn.Linear(16 * 5 * 5, 128)),
            ("relu3", nn.ReLU(inplace=True)),
            ("fc2", nn.Linear(128, 10)),
        ]
        super().__init__(OrderedDict(
            (name, layer) for name, layer in layers if batch_norm or not name.startswith("bn")))

    def __getitem__(self, idx: int | slice) -> nn.Module:
        """``model[i]`` is a layer; ``model[a:b]`` a plain ``nn.Sequential`` of those layers
        (sharing their weights), e.g. ``model[:4]`` is block 1."""
        if isinstance(idx, slice):
            return nn.Sequential(OrderedDict(list(self._modules.items())[idx]))
        return super().__getitem__(idx)


class QuickstartMLP(nn.Module):
    """The PyTorch quickstart network: ``Flatten -> 784-512-512-10`` with an activation after
    each hidden layer (ReLU in the tutorial; ``activation="sigmoid"`` gives the textbook
    version). Input ``(N, 1, 28, 28)``, output logits ``(N, 10)``; 669,706 parameters."""

    def __init__(self, *, activation: str = "relu", hidden: int = 512) -> None:
        super().__init__()
        hidden = _positive(hidden, "hidden")
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(  # the tutorial's name, whatever the activation
            nn.Linear(28 * 28, hidden),
            _activation(activation),
            nn.Linear(hidden, hidden),
            _activation(activation),
            nn.Linear(hidden, 10),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear_relu_stack(self.flatten(x))


class ReferenceNet(nn.Module):
    """The network of the PyTorch MNIST example (``pytorch/examples``, ``mnist/main.py``).

    ``conv 3×3 1->32 -> ReLU -> conv 3×3 32->64 -> ReLU -> max-pool 2 -> dropout 0.25 ->
    flatten (9216) -> Linear 9216->128 -> ReLU -> dropout 0.5 -> Linear 128->10 ->
    log-softmax``. Input ``(N, 1, 28, 28)``, output log-probabilities ``(N, 10)``;
    1,199,882 parameters, almost all in the first linear layer.
    """

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)
