"""nbhelpers.training: an explicit ``fit`` (it trains where the caller put the model, with
the features the caller turned on) and the mistakes it refuses before training, each with
one message that names the fix (issue 25, items 1 and 2)."""

from __future__ import annotations

import inspect

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from nbhelpers.data import TensorBatches
from nbhelpers.training import evaluate, fit, live, predict


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def blobs(n: int = 40, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 3, (n,), generator=g)
    centres = torch.tensor([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])
    return centres[y] + 0.6 * torch.randn(n, 2, generator=g), y


def mlp(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))


def digits(n: int = 8) -> TensorBatches:
    """MNIST-shaped batches: inputs (n, 1, 28, 28), labels (n,)."""
    g = torch.Generator().manual_seed(0)
    return TensorBatches(torch.rand(n, 1, 28, 28, generator=g),
                         torch.randint(0, 10, (n,), generator=g), batch_size=4)


def weights(model: nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in model.parameters()]


def unchanged(model: nn.Module, before: list[torch.Tensor]) -> bool:
    return all(torch.equal(p, q) for p, q in zip(model.parameters(), before, strict=True))


# --------------------------------------------------------------------------- item 1: explicit


def test_fit_trains_where_the_model_is_and_picks_no_device(monkeypatch):
    """device=None: the model's device, never one fit picks (it used to move a CPU model to
    get_device(), the GPU when there is one)."""
    from nbhelpers.training import speed

    monkeypatch.setattr(speed, "get_device", lambda **_: torch.device("meta"), raising=False)
    x, y = blobs()
    model = mlp()
    fit(model, TensorBatches(x, y, batch_size=10), epochs=1,
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1), progress=False)
    assert next(model.parameters()).device.type == "cpu"


def test_a_device_the_model_is_not_on_is_refused_with_the_fix():
    x, y = blobs()
    model = mlp()
    before = weights(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"model\.to\(device\)"):
        fit(model, TensorBatches(x, y, batch_size=10), epochs=1, optimizer=opt, device="meta",
            progress=False)
    assert next(model.parameters()).device.type == "cpu" and unchanged(model, before)
    with pytest.raises(ValueError, match=r"model\.to\(device\)"):
        evaluate(model, TensorBatches(x, y), device="meta")
    with pytest.raises(ValueError, match=r"model\.to\(device\)"):
        predict(model, x, device="meta")
    assert next(model.parameters()).device.type == "cpu"
    # the same device, written another way, is fine
    fit(model, TensorBatches(x, y, batch_size=10), epochs=1, optimizer=opt,
        device=torch.device("cpu"), progress=False)


def test_defaults_match_the_lectures():
    """No live figure, no channels_last, no mixed precision unless asked; no test=."""
    params = inspect.signature(fit).parameters
    assert params["live"].default is False
    assert params["channels_last"].default is False
    assert "test" not in params
    assert not any("precision" in name or "autocast" in name for name in params)
    assert "first batch" in fit.__doc__  # the check before training is documented


def test_no_live_figure_and_no_channels_last_by_default(monkeypatch):
    shown = []
    monkeypatch.setattr(live, "in_notebook", lambda: True)
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append(a))
    torch.manual_seed(0)
    images = TensorBatches(torch.rand(8, 2, 6, 6), torch.randint(0, 10, (8,)), batch_size=4)
    model = nn.Sequential(nn.Conv2d(2, 2, 3), nn.Flatten(), nn.Linear(2 * 4 * 4, 10))
    layouts = []
    model[0].register_forward_hook(
        lambda m, i, o: layouts.append(i[0].is_contiguous(memory_format=torch.channels_last)))
    fit(model, images, epochs=1, optimizer=torch.optim.SGD(model.parameters(), lr=0.01),
        progress=False)
    assert shown == []
    assert layouts and not any(layouts)
    layouts.clear()
    fit(model, images, epochs=1, optimizer=torch.optim.SGD(model.parameters(), lr=0.01),
        progress=False, channels_last=True)
    assert layouts[-2:] == [True, True]  # turned on, it holds for every training batch
    assert model[0].weight.is_contiguous()  # and the weights come back contiguous


def test_one_documented_look_at_the_first_batch_no_other_hidden_pass():
    """Before training: one forward of two examples per data set (train, val), in eval mode
    without gradients; no other pass (e.g. a trial run in channels_last)."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(2 * 26 * 26, 10))
    calls = []
    model.register_forward_hook(lambda m, i, o: calls.append((m.training, len(i[0]))))
    fit(model, digits(), epochs=1, optimizer=torch.optim.SGD(model.parameters(), lr=0.01),
        val=digits(), progress=False)
    assert calls[:3] == [(False, 2), (False, 2), (True, 4)]


# --------------------------------------------------------------------------- item 2: refused


def test_first_layer_that_does_not_fit_the_data_names_layer_and_shapes():
    model = nn.Sequential(nn.Flatten(), nn.Linear(100, 10))
    before = weights(model)
    with pytest.raises(ValueError, match=r"layer '1' \(Linear.*in_features=100.*\(B, 784\)"
                       r".*nn\.Linear\(784, 10\)"):
        fit(model, digits(), epochs=1, optimizer=torch.optim.SGD(model.parameters(), lr=0.1))
    assert unchanged(model, before)


def test_a_forgotten_flatten_says_add_nn_flatten():
    model = nn.Sequential(nn.Linear(784, 10))
    with pytest.raises(ValueError, match=r"layer '0' \(Linear.*\(B, 1, 28, 28\).*nn\.Flatten\(\)"):
        fit(model, digits(), epochs=1, optimizer=torch.optim.SGD(model.parameters(), lr=0.1))


def test_conv_channels_that_do_not_fit_the_data():
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Flatten(), nn.Linear(4 * 26 * 26, 10))
    with pytest.raises(ValueError, match=r"layer '0' \(Conv2d.*3 input channels.*\(B, 1, 28, "
                       r"28\).*nn\.Conv2d\(1, "):
        fit(model, digits(), epochs=1, optimizer=torch.optim.SGD(model.parameters(), lr=0.1))


def test_loss_class_instead_of_an_instance():
    x, y = blobs()
    model = mlp()
    with pytest.raises(TypeError, match=r"pass an instance, nn\.CrossEntropyLoss\(\)"):
        fit(model, TensorBatches(x, y), epochs=1, loss_fn=nn.CrossEntropyLoss,
            optimizer=torch.optim.SGD(model.parameters(), lr=0.1))


def test_a_loss_that_returns_no_scalar():
    x, y = blobs()
    model = mlp()
    before = weights(model)
    with pytest.raises(ValueError, match=r"one number.*shape \(2,\).*reduction='mean'"):
        fit(model, TensorBatches(x, y), epochs=1, loss_fn=nn.CrossEntropyLoss(reduction="none"),
            optimizer=torch.optim.SGD(model.parameters(), lr=0.1))
    assert unchanged(model, before)


class TwoOutputs(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(2, 3)

    def forward(self, x):
        out = self.fc(x)
        return out, out.softmax(1)


def test_a_model_that_returns_a_tuple():
    x, y = blobs()
    model = TwoOutputs()
    with pytest.raises(TypeError, match=r"returns a tuple.*one tensor"):
        fit(model, TensorBatches(x, y), epochs=1,
            optimizer=torch.optim.SGD(model.parameters(), lr=0.1))


def test_a_scheduler_built_on_another_optimizer():
    x, y = blobs()
    model = mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    other = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(other, step_size=1, gamma=0.5)
    before = weights(model)
    with pytest.raises(ValueError, match=r"another optimizer.*StepLR\(optimizer"):
        fit(model, TensorBatches(x, y, batch_size=10), epochs=2, optimizer=opt,
            scheduler=sched)
    assert unchanged(model, before)


def test_a_onecycle_shorter_than_the_training_is_refused_before_it():
    x, y = blobs()
    train = TensorBatches(x, y, batch_size=10)  # 4 batches
    model = mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.5, epochs=2,
                                                steps_per_epoch=len(train))
    before = weights(model)
    with pytest.raises(ValueError, match=r"OneCycleLR has 8 steps.*3 epochs x 4 batches = 12"
                       r".*epochs=3, steps_per_epoch=len\(train\)"):
        fit(model, train, epochs=3, optimizer=opt, scheduler=sched, progress=False)
    assert unchanged(model, before)
    # exactly long enough is fine, also when fit is called one epoch at a time
    fit(model, train, epochs=1, optimizer=opt, scheduler=sched, progress=False)
    fit(model, train, epochs=1, optimizer=opt, scheduler=sched, progress=False)
    with pytest.raises(ValueError, match=r"OneCycleLR has 0 steps left"):
        fit(model, train, epochs=1, optimizer=opt, scheduler=sched, progress=False)


def test_nll_loss_on_logits_is_refused_and_on_log_probabilities_accepted():
    x, y = blobs()
    model = mlp()
    with pytest.raises(ValueError, match=r"log-probabilities.*nn\.LogSoftmax\(dim=1\).*"
                       r"F\.cross_entropy"):
        fit(model, TensorBatches(x, y), epochs=1, loss_fn=F.nll_loss,
            optimizer=torch.optim.SGD(model.parameters(), lr=0.1))
    with pytest.raises(ValueError, match="log-probabilities"):
        evaluate(model, TensorBatches(x, y), loss_fn=nn.NLLLoss())
    logs = nn.Sequential(mlp(), nn.LogSoftmax(dim=1))
    h = fit(logs, TensorBatches(x, y, batch_size=10), epochs=2, loss_fn=F.nll_loss,
            optimizer=torch.optim.SGD(logs.parameters(), lr=0.1), progress=False)
    assert 0 < h.train_loss[-1] < h.train_loss[0]
