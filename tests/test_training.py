"""nbhelpers.training: fit / train_epoch / the speed pieces / evaluate / predict, checked
against plain torch."""

from __future__ import annotations

import base64
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from nbhelpers.data import TensorBatches  # noqa: E402
from nbhelpers.training import (  # noqa: E402
    Evaluation,
    History,
    NonFiniteLossError,
    RunningMetrics,
    Speedups,
    evaluate,
    fit,
    live,
    predict,
    train_epoch,
)


@pytest.fixture(autouse=True)
def _cpu(monkeypatch):
    """CPU, one thread: these tiny models gain nothing from threads, and on a busy machine
    idle-spinning worker threads can make each step many times slower."""
    monkeypatch.setenv("NBHELPERS_DEVICE", "cpu")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
    plt.close("all")


def blobs(n: int = 400, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Three Gaussian blobs in 2-D: an easy 3-class problem."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 3, (n,), generator=g)
    centres = torch.tensor([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])
    return centres[y] + 0.6 * torch.randn(n, 2, generator=g), y


def mlp(seed: int = 0, dropout: float = 0.0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Dropout(dropout), nn.Linear(16, 3))


def sgd(model: nn.Module, lr: float = 0.1) -> torch.optim.Optimizer:
    return torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)


def quiet(**kw):
    return {"live": False, "progress": False, **kw}


def small_cnn() -> nn.Module:
    return nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.Flatten(),
                         nn.Linear(4 * 64, 2))


# --------------------------------------------------------------------------- fit learns


def test_fit_learns_with_tensor_batches():
    x, y = blobs()
    model = mlp()
    before = evaluate(model, TensorBatches(x, y, shuffle=False))
    h = fit(model, TensorBatches(x, y, batch_size=32), epochs=4, optimizer=sgd(model),
            val=TensorBatches(x, y, batch_size=100, shuffle=False), **quiet())
    assert isinstance(h, History) and h.epoch == [1, 2, 3, 4] and len(h) == 4
    assert h.train_loss[-1] < 0.5 * h.train_loss[0]
    assert h.train_loss[-1] < before.loss
    assert h.val_acc[-1] > 0.9 > before.accuracy
    assert all(s > 0 for s in h.seconds) and h.lr == [0.1] * 4
    # the recorded val numbers are exactly what evaluate() says afterwards
    after = evaluate(model, TensorBatches(x, y, batch_size=100, shuffle=False))
    assert after.loss == pytest.approx(h.val_loss[-1], rel=1e-6)
    assert after.accuracy == h.val_acc[-1]


def test_fit_learns_with_dataloader_and_train_numbers_are_exact():
    x, y = blobs()
    model = mlp()
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
    h = fit(model, loader, epochs=3, optimizer=sgd(model), **quiet())
    assert h.train_loss[-1] < h.train_loss[0] and h.train_acc[-1] > 0.9
    assert h.val_loss == [None] * 3 and h.val_acc == [None] * 3
    # train loss/acc of an epoch = per-example mean over the batches as they were trained:
    # re-run one epoch by hand from the same state and compare (fit's look at the first
    # batch before training must not change the shuffled order)
    model2 = mlp()
    opt2 = sgd(model2)
    torch.manual_seed(1)
    h2 = fit(model2, DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True), epochs=1,
             optimizer=opt2, **quiet())
    model3 = mlp()
    opt3 = sgd(model3)
    torch.manual_seed(1)
    total, correct = 0.0, 0
    for xb, yb in DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True):
        out = model3(xb)
        loss = F.cross_entropy(out, yb)
        opt3.zero_grad()
        loss.backward()
        opt3.step()
        total += loss.item() * len(yb)
        correct += (out.argmax(1) == yb).sum().item()
    assert h2.train_loss[0] == pytest.approx(total / len(x), rel=1e-5)
    assert h2.train_acc[0] == correct / len(x)
    for p2, p3 in zip(model2.parameters(), model3.parameters(), strict=True):
        torch.testing.assert_close(p2, p3)


def test_train_epoch_is_the_tutorial_loop():
    """train_epoch = lecture 12's hand-written loop (to device, forward, loss, backward, step,
    zero_grad), with a per-batch schedule, on the same batches: the same weights."""
    x, y = blobs(200)
    model, by_hand = mlp(), mlp()
    opt, opt_hand = sgd(model), sgd(by_hand)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    sched_hand = torch.optim.lr_scheduler.StepLR(opt_hand, step_size=2, gamma=0.5)
    metrics = train_epoch(model, TensorBatches(x, y, batch_size=32, seed=3), optimizer=opt,
                          scheduler=sched)
    losses, sizes = [], []
    for xb, yb in TensorBatches(x, y, batch_size=32, seed=3):
        loss = F.cross_entropy(by_hand(xb), yb)
        loss.backward()
        opt_hand.step()
        opt_hand.zero_grad()
        sched_hand.step()
        losses.append(loss.item())
        sizes.append(len(yb))
    for p, q in zip(model.parameters(), by_hand.parameters(), strict=True):
        torch.testing.assert_close(p, q)
    assert isinstance(metrics, RunningMetrics) and metrics.n == 200 and metrics.batches == 7
    assert metrics.loss == pytest.approx(sum(v * n for v, n in zip(losses, sizes, strict=True)) / 200)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1 * 0.5**3)  # 7 batches: 3 halvings


def test_regression_with_mse_and_no_accuracy():
    torch.manual_seed(0)
    x = torch.rand(256, 1) * 4 - 2
    y = 3 * x - 1
    model = nn.Linear(1, 1)
    h = fit(model, TensorBatches(x, y, batch_size=32), epochs=20, loss_fn=nn.MSELoss(),
            optimizer=torch.optim.SGD(model.parameters(), lr=0.1), accuracy=False,
            val=TensorBatches(x, y, batch_size=64, shuffle=False), **quiet())
    assert h.train_acc == [None] * 20 and h.val_acc == [None] * 20
    assert h.val_loss[-1] < 1e-3 < h.train_loss[0]
    assert model.weight.item() == pytest.approx(3, abs=0.05)
    assert "acc" not in h.table()
    ev = evaluate(model, TensorBatches(x, y, batch_size=50), loss_fn=nn.MSELoss(), accuracy=False)
    assert ev.accuracy is None
    assert ev.loss == pytest.approx(F.mse_loss(model(x), y).item(), rel=1e-5)


def test_soft_label_targets_for_cross_entropy():
    x, y = blobs(120)
    soft = F.one_hot(y, 3).float() * 0.9 + 0.1 / 3  # label smoothing by hand
    model = mlp()
    h = fit(model, TensorBatches(x, soft, batch_size=30), epochs=3, optimizer=sgd(model),
            accuracy=False, **quiet())
    assert h.train_loss[-1] < h.train_loss[0]
    ev = evaluate(model, TensorBatches(x, soft, shuffle=False), accuracy=False)
    assert ev.loss == pytest.approx(F.cross_entropy(model(x), soft).item(), rel=1e-5)


# --------------------------------------------------------------------------- speed pieces


def test_speedups_prepare_channels_last():
    """The pieces of a Speedups, each on its own: channels_last batches and weights."""
    torch.manual_seed(0)
    x = torch.randn(64, 2, 8, 8)
    y = (x[:, 0].mean((1, 2)) > x[:, 1].mean((1, 2))).long()
    fast = Speedups(torch.device("cpu"), channels_last=True)
    xb, yb = fast.prepare(x[:4], y[:4])
    assert xb.is_contiguous(memory_format=torch.channels_last) and torch.equal(yb, y[:4])
    flat = x[:4].flatten(1)
    assert fast.prepare(flat, y[:4])[0] is flat  # only 4-D inputs change layout
    model = small_cnn()
    with fast.applied_to(model):
        assert model[0].weight.is_contiguous(memory_format=torch.channels_last)
        metrics = train_epoch(model, TensorBatches(x, y, batch_size=16),
                              optimizer=sgd(model, 0.05), speed=fast)
    assert math.isfinite(metrics.loss) and metrics.n == 64
    model[0].weight.view(4, -1)  # afterwards ordinary contiguous weights again


def test_channels_last_when_asked_holds_for_every_batch_val_included():
    torch.manual_seed(0)
    x, y = torch.randn(32, 2, 8, 8), torch.randint(0, 2, (32,))
    model = small_cnn()
    layouts = []
    model[0].register_forward_hook(
        lambda m, i, o: layouts.append(i[0].is_contiguous(memory_format=torch.channels_last)))
    fit(model, TensorBatches(x, y, batch_size=16), epochs=3, optimizer=sgd(model),
        val=TensorBatches(x, y, batch_size=16, shuffle=False), channels_last=True, **quiet())
    assert layouts[-12:] == [True] * 12  # every batch of every epoch, val included
    assert model[0].weight.is_contiguous()  # and back to the ordinary layout afterwards
    model[0].weight.view(4, -1)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_trains_where_the_model_is_in_float32():
    torch.manual_seed(0)
    x, y = torch.randn(256, 3, 16, 16), torch.randint(0, 4, (256,))
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                          nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 4))
    fit(model, TensorBatches(x, y, batch_size=64), epochs=1, optimizer=sgd(model), **quiet())
    assert next(model.parameters()).device.type == "cpu"  # a GPU there, but never moved to it
    model.to("cuda")
    dtypes, layouts = [], []
    model[0].register_forward_hook(lambda m, i, o: dtypes.append(o.dtype))
    model[0].register_forward_hook(
        lambda m, i, o: layouts.append(i[0].is_contiguous(memory_format=torch.channels_last)))
    h = fit(model, TensorBatches(x, y, batch_size=64), epochs=2, optimizer=sgd(model),
            val=TensorBatches(x, y, shuffle=False), device="cuda", **quiet())
    assert next(model.parameters()).device.type == "cuda"
    assert set(dtypes) == {torch.float32} and not any(layouts)
    assert all(math.isfinite(v) for v in h.train_loss + h.val_loss)
    assert predict(model, x).device.type == "cpu"
    ev = evaluate(model, TensorBatches(x, y, shuffle=False))
    assert ev.loss == pytest.approx(h.val_loss[-1], rel=1e-5)
    fit(model, TensorBatches(x, y, batch_size=64), epochs=1, optimizer=sgd(model),
        channels_last=True, **quiet())
    assert layouts[-1] is True


class ViewNet(nn.Module):
    """Flattens with ``.view()``, which fails on channels_last activations."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(2, 3, 3, padding=1)
        self.fc = nn.Linear(3 * 8 * 8, 2)

    def forward(self, x):
        return self.fc(self.conv(x).view(len(x), -1))


def test_view_models_train_by_default_and_channels_last_is_their_callers_choice():
    torch.manual_seed(0)
    x, y = torch.randn(32, 2, 8, 8), torch.randint(0, 2, (32,))
    seen = []
    model = ViewNet()
    model.conv.register_forward_hook(lambda m, i, o: seen.append(i[0].is_contiguous()))
    fit(model, TensorBatches(x, y, batch_size=16), epochs=1, optimizer=sgd(model), **quiet())
    assert seen[-2:] == [True, True]  # trained in the ordinary layout
    with pytest.raises(RuntimeError, match="view"):
        fit(model, TensorBatches(x, y, batch_size=16), epochs=1, optimizer=sgd(model),
            channels_last=True, **quiet())
    assert model.conv.weight.is_contiguous()  # restored after the failure too


# --------------------------------------------------------------------------- schedulers


def test_scheduler_steps_per_batch_onecycle():
    x, y = blobs(200)
    train = TensorBatches(x, y, batch_size=50)  # 4 batches per epoch
    model = mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=3 * len(train))
    h = fit(model, train, epochs=3, optimizer=opt, scheduler=sched, **quiet())
    # replay the same schedule on a dummy optimizer
    dummy = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    ref = torch.optim.lr_scheduler.OneCycleLR(dummy, max_lr=0.5, total_steps=3 * len(train))
    expected = []
    for _ in range(3):
        expected.append(dummy.param_groups[0]["lr"])
        for _ in range(len(train)):
            dummy.step()
            ref.step()
    assert h.lr == pytest.approx(expected)
    assert h.lr[0] == pytest.approx(0.5 / 25)  # OneCycleLR starts at max_lr / div_factor
    assert sched.last_epoch == 3 * len(train)
    assert opt.param_groups[0]["lr"] == pytest.approx(dummy.param_groups[0]["lr"])


def test_steplr_counts_batches():
    x, y = blobs(200)
    model = mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.5)  # 4 batches: 1 epoch
    h = fit(model, TensorBatches(x, y, batch_size=50), epochs=3, optimizer=opt, scheduler=sched,
            **quiet())
    assert h.lr == pytest.approx([0.1, 0.05, 0.025])
    assert opt.param_groups[0]["lr"] == pytest.approx(0.0125)


# --------------------------------------------------------------------------- NaN / inf


class NanOnPass:
    """Unshuffled batches whose inputs in batch ``batch`` (1-based) of pass ``epoch`` are NaN.
    Passes count when they finish (fit's look at the first batch is not one)."""

    def __init__(self, x, y, *, batch_size, epoch, batch):
        self.inner = TensorBatches(x, y, batch_size=batch_size, shuffle=False)
        self.epoch, self.batch, self.done = epoch, batch, 0

    def __len__(self):
        return len(self.inner)

    def __iter__(self):
        for i, (xb, yb) in enumerate(self.inner, start=1):
            if self.done + 1 == self.epoch and i == self.batch:
                xb = torch.full_like(xb, float("nan"))
            yield xb, yb
        self.done += 1


@pytest.mark.parametrize(("epoch", "batch"), [(1, 3), (2, 23), (2, 30)])
def test_nan_loss_names_epoch_and_batch(epoch, batch):
    x, y = blobs(300)
    data = NanOnPass(x, y, batch_size=10, epoch=epoch, batch=batch)  # 30 batches
    model = mlp()
    with pytest.raises(NonFiniteLossError, match=rf"epoch {epoch}, batch {batch}\b") as info:
        fit(model, data, epochs=3, optimizer=sgd(model), **quiet())
    assert isinstance(info.value, FloatingPointError)
    assert (info.value.epoch, info.value.batch) == (epoch, batch)
    assert "lower learning rate" in str(info.value)


def test_huge_learning_rate_diverges_with_clear_error():
    x, y = blobs()
    model = mlp()
    with pytest.raises(NonFiniteLossError, match="learning rate"):
        fit(model, TensorBatches(x, y, batch_size=20), epochs=5,
            optimizer=torch.optim.SGD(model.parameters(), lr=1e10), **quiet())


# --------------------------------------------------------------------------- evaluate


@pytest.mark.parametrize("batch_size", [10, 64, 1000])
def test_evaluate_matches_cross_entropy_over_all_data(batch_size):
    x, y = blobs(103)  # the last batch is short
    model = mlp()
    ev = evaluate(model, TensorBatches(x, y, batch_size=batch_size, shuffle=False))
    assert isinstance(ev, Evaluation)
    with torch.no_grad():
        out = model(x)
    assert ev.loss == pytest.approx(F.cross_entropy(out, y).item(), rel=1e-6)
    assert ev.accuracy == pytest.approx((out.argmax(1) == y).float().mean().item())
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size)
    assert evaluate(model, loader).loss == pytest.approx(ev.loss, rel=1e-6)


@pytest.mark.parametrize("mode", [True, False])
def test_evaluate_and_predict_restore_training_mode(mode):
    x, y = blobs(50)
    model = mlp(dropout=0.5).train(mode)
    ev1 = evaluate(model, TensorBatches(x, y, shuffle=False))
    assert model.training is mode
    assert evaluate(model, TensorBatches(x, y, shuffle=False)) == ev1  # dropout is off
    predict(model, x)
    assert model.training is mode


# --------------------------------------------------------------------------- predict


def test_predict_labels_and_probabilities():
    x, y = blobs(50)
    model = mlp()
    with torch.no_grad():
        logits = model(x)
    labels = predict(model, x, batch_size=7)
    assert labels.shape == (50,) and labels.dtype == torch.int64 and labels.device.type == "cpu"
    assert torch.equal(labels, logits.argmax(1))
    p = predict(model, x, probs=True, batch_size=16)
    assert p.shape == (50, 3) and p.dtype == torch.float32
    torch.testing.assert_close(p.sum(1), torch.ones(50))
    torch.testing.assert_close(p, logits.softmax(1))
    assert torch.equal(predict(model, TensorBatches(x, y, batch_size=8, shuffle=False)), labels)
    assert not p.requires_grad


# --------------------------------------------------------------------------- bad input


def _good():
    x, y = blobs(40)
    model = mlp()
    return model, TensorBatches(x, y, batch_size=10), sgd(model)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"epochs": 0}, ValueError, "epochs must be an int >= 1"),
        ({"epochs": 2.5}, ValueError, "epochs must be an int >= 1"),
        ({"optimizer": "sgd"}, TypeError, "optimizer must be a torch.optim.Optimizer"),
        ({"model": lambda x: x}, TypeError, "model must be a torch.nn.Module"),
        ({"train": DataLoader(TensorDataset(torch.zeros(0, 2), torch.zeros(0).long()))},
         ValueError, "empty"),
        ({"train": torch.zeros(4, 2)}, TypeError, "TensorBatches"),
        ({"train": (b for b in [])}, TypeError, "DataLoader or nbhelpers.data.TensorBatches"),
        ({"scheduler": 0.5}, TypeError, "scheduler must be"),
        ({"resume": True}, ValueError, "resume=True needs checkpoint_dir"),
        ({"optimizer": torch.optim.SGD(nn.Linear(2, 3).parameters(), lr=0.1)},
         ValueError, "does not hold this model's parameters"),
        ({"train": TensorBatches(torch.randn(8, 2), torch.randint(0, 3, (8,)).int())},
         TypeError, "labels must be int64 class indices"),
        ({"train": TensorBatches(torch.randn(8, 2), torch.rand(8)), "loss_fn": nn.MSELoss()},
         TypeError, "for regression pass accuracy=False"),
        ({"train": TensorBatches(torch.randn(8, 2), torch.rand(8, 2)), "loss_fn": nn.MSELoss()},
         TypeError, "for regression pass accuracy=False"),
        ({"train": TensorBatches(torch.randn(8, 2), torch.tensor([0, 1, 2, 3] * 2))},
         ValueError, r"labels must lie in 0\.\.2"),
        ({"train": [(torch.randn(4, 2), torch.zeros(4).long(), 0)]}, TypeError,
         "pair"),
        ({"train": [(torch.randn(4, 2), torch.zeros(3).long())]}, ValueError,
         "4 inputs but 3 targets"),
        ({"val": TensorBatches(torch.randn(8, 2), torch.zeros(8))}, TypeError,
         "labels must be int64 class indices for cross-entropy, but val"),
        ({"train": TensorBatches(torch.randn(8, 2), torch.zeros(8, dtype=torch.uint8)),
          "loss_fn": nn.CrossEntropyLoss()}, TypeError, "labels must be int64 class indices"),
    ],
)
def test_fit_bad_input(change, error, message):
    model, train, opt = _good()
    kwargs = {"model": model, "train": train, "epochs": 1, "optimizer": opt, **quiet()}
    kwargs.update(change)
    with pytest.raises(error, match=message):
        fit(kwargs.pop("model"), kwargs.pop("train"), **kwargs)


def test_fit_rejects_a_plateau_scheduler_with_what_to_do():
    model, train, opt = _good()
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt)
    with pytest.raises(TypeError, match="ReduceLROnPlateau needs a measured loss.*OneCycleLR"):
        fit(model, train, epochs=1, optimizer=opt, scheduler=plateau, **quiet())


def test_accuracy_on_non_class_outputs_names_the_shapes():
    x = torch.randn(8, 2)
    model = nn.Sequential(nn.Linear(2, 3), nn.Unflatten(1, (3, 1)))
    with pytest.raises(ValueError, match=r"got outputs \(N, 3, 1\) and labels \(8,\)"):
        fit(model, TensorBatches(x, torch.zeros(8).long()), epochs=1, optimizer=sgd(model),
            loss_fn=lambda out, y: out.sum(), **quiet())


def test_evaluate_and_predict_bad_input():
    model, train, _ = _good()
    with pytest.raises(TypeError, match="nn.Module"):
        evaluate("model", train)
    with pytest.raises(ValueError, match="empty"):
        evaluate(model, DataLoader(TensorDataset(torch.zeros(0, 2), torch.zeros(0).long())))
    with pytest.raises(TypeError, match="int64"):
        evaluate(model, TensorBatches(torch.randn(4, 2), torch.zeros(4)))
    with pytest.raises(ValueError, match="batch_size"):
        predict(model, torch.randn(4, 2), batch_size=0)
    with pytest.raises(ValueError, match="N >= 1"):
        predict(model, torch.zeros(0, 2))
    with pytest.raises(ValueError, match=r"outputs of shape \(N, classes\)"):
        predict(nn.Flatten(0), torch.zeros(3, 2))


# --------------------------------------------------------------------------- output


def test_script_mode_prints_one_line_per_epoch(capsys):
    model, train, opt = _good()
    fit(model, train, epochs=2, optimizer=opt, live=True, progress=False)  # not a notebook
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("epoch 1: train loss")
    fit(model, train, epochs=2, optimizer=opt, **quiet())
    assert capsys.readouterr().out == ""


def test_live_figure_updates_one_display_handle(monkeypatch):
    import IPython.display

    calls = []

    class Handle:
        def update(self, obj, metadata=None, raw=False):
            calls.append(("update", obj, metadata))

    def fake_display(obj, metadata=None, raw=False, display_id=False):
        calls.append(("display", obj, metadata, display_id))
        return Handle()

    monkeypatch.setattr(live, "in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", fake_display)
    model, train, opt = _good()
    x, y = blobs(40, seed=1)
    fit(model, train, epochs=3, optimizer=opt, live=True, progress=False, val=TensorBatches(x, y))
    assert [c[0] for c in calls] == ["display", "update", "update", "update"]
    assert calls[0][3] is True
    frames = [c[1] for c in calls]
    assert all(base64.b64decode(f["image/png"])[:8] == b"\x89PNG\r\n\x1a\n" for f in frames)
    # each frame says what it shows, in its text form, its <img alt> and its image metadata
    assert [c[2]["image/png"]["alt"] for c in calls] == [f["text/plain"] for f in frames]
    assert all(f'alt="{f["text/plain"]}"' in f["text/html"] for f in frames)
    assert "0 of 3 epochs" in frames[0]["text/plain"]
    assert "training the first epoch ..." in frames[0]["text/plain"]
    assert "epoch 3 of 3" in frames[-1]["text/plain"]
    assert "epoch 3: train loss" in frames[-1]["text/plain"]
    assert "val acc" in frames[-1]["text/plain"]
    assert plt.get_fignums() == []  # shown only through the handle, not again by the backend


def test_live_figure_has_its_final_layout_from_the_start():
    empty = live.live_figure(History(), epochs=5, has_val=True, has_acc=True)
    assert [ax.get_title() for ax in empty.axes] == ["loss", "accuracy"]
    assert [[line.get_label() for line in ax.lines] for ax in empty.axes] == [["train", "val"]] * 2
    assert empty.axes[0].get_xlim() == pytest.approx((0.8, 5.2))
    assert empty.get_suptitle() == "training the first epoch ..."
