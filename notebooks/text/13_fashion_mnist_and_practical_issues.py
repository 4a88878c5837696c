# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # FashionMNIST and practical issues
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-lectures/nn-lectures/blob/main/notebooks/13_fashion_mnist_and_practical_issues.ipynb)
#
# *Lecture 13:* the PyTorch quickstart model on FashionMNIST with its default settings and with
# sensible ones; what the modern "details" (ReLU, cross-entropy, mini-batches) buy; and the
# practical side of training: validation, overfitting, early stopping, augmentation, batch
# size, reproducibility, `model.eval()` and `torch.no_grad()`.

# %% slideshow={"slide_type": "skip"}
# Setup: install nbhelpers on Colab only, seed everything, pick the device.
import sys
if "google.colab" in sys.modules:
    # %pip install -q "nbhelpers @ git+https://github.com/nn-lectures/nn-lectures"
import nbhelpers
device = nbhelpers.setup(seed=0)

# %% slideshow={"slide_type": "skip"}
import copy
import math

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn
from torchvision import transforms
from nbhelpers import data, models, plotting
from nbhelpers.training import evaluate, fit, seed_everything

# %% [markdown] slideshow={"slide_type": "slide"}
# ## FashionMNIST
#
# A drop-in replacement for MNIST (Zalando, 2017): the same 60,000 / 10,000 split of
# 28×28 grey images, but of ten kinds of clothing, with exactly 6,000 training images each.
# Harder than digits: shirts, pullovers and coats look alike.

# %% slideshow={"slide_type": "-"}
fashion = data.load_dataset("fashionmnist", train=True)
classes = data.CLASSES["fashionmnist"]
fig = plotting.show_images(fashion.data[:16], true=fashion.targets[:16], classes=classes,
                           ncols=8)

# %% slideshow={"slide_type": "skip"}
assert len(fashion) == 60_000 and fashion.data.shape[1:] == (28, 28)
assert torch.equal(torch.bincount(fashion.targets), torch.full((10,), 6000))
assert classes == fashion.classes

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The quickstart model
#
# The PyTorch quickstart tutorial's network: flatten, 784 → 512 → 512 → 10 with ReLU,
# cross-entropy loss; 669,706 parameters.

# %% slideshow={"slide_type": "fragment"}
print(models.QuickstartMLP())

# %% slideshow={"slide_type": "skip"}
assert models.count_parameters(models.QuickstartMLP()) == 785 * 512 + 513 * 512 + 513 * 10
assert models.count_parameters(models.QuickstartMLP()) == 669_706


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Two recipes, the same two epochs
#
# | | the tutorial's defaults | sensible settings |
# |---|---|---|
# | inputs | `ToTensor`: pixels in [0, 1] | normalised: mean 0, std 1 |
# | batches of | 64 | 128 |
# | optimiser | SGD, lr 0.001 | SGD, lr 0.05, momentum 0.9 |
#
# Both are scored on 10,000 training images held out for **validation** (why not on the
# test set: later in this lecture).

# %% slideshow={"slide_type": "fragment"}
def train_fashion(normalize, batch_size, optimizer, epochs=2):
    seed_everything(0)
    x, y = data.load_tensors("fashionmnist", train=True, normalize=normalize)
    model = models.QuickstartMLP()
    start = [p.detach().clone() for p in model.parameters()]
    train = data.TensorBatches(x[:50_000], y[:50_000], batch_size=batch_size)
    val = data.TensorBatches(x[50_000:], y[50_000:], batch_size=2000, shuffle=False)
    history = fit(model, train, epochs=epochs, val=val, live=False,
                  optimizer=optimizer(model.parameters()))
    moved = sum(((p.detach() - s) ** 2).sum() for p, s in zip(model.parameters(), start))
    return history, moved.sqrt().item()      # how far the weights travelled


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Training both

# %% slideshow={"slide_type": "-"}
# NBVAL_IGNORE_OUTPUT
tutorial, tutorial_moved = train_fashion(False, 64, lambda p: torch.optim.SGD(p, lr=1e-3))
sensible, sensible_moved = train_fashion(
    True, 128, lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Side by side

# %% slideshow={"slide_type": "-"}
# NBVAL_IGNORE_OUTPUT
for name, h, moved in [("tutorial", tutorial, tutorial_moved),
                       ("sensible", sensible, sensible_moved)]:
    print(f"{name}: validation accuracy {h.val_acc[0]:.1%} after epoch 1, "
          f"{h.val_acc[1]:.1%} after epoch 2; the weights moved {moved:.2f}")

# %% slideshow={"slide_type": "skip"}
assert tutorial.val_acc[-1] < 0.75 and sensible.val_acc[-1] > 0.83
assert tutorial.val_loss[1] < tutorial.val_loss[0] - 0.15     # still falling fast ...
assert tutorial.val_loss[1] > 3 * sensible.val_loss[1]         # ... and far from done
assert sensible_moved > 5 * tutorial_moved and 2 * math.ceil(50_000 / 64) == 1564

# %% [markdown] slideshow={"slide_type": "fragment"}
# * **The tutorial's model is fine, its settings are slow.** Each SGD step moves the weights
#   by lr × gradient; with lr 0.001 and no momentum, 1,564 steps add up to a short walk,
#   and the loss is still falling fast when training stops.
# * Momentum 0.9 adds up consistent steps (about 10× longer), lr 0.05 is 50× larger, and
#   normalised inputs give the first layer well-scaled gradients.

# %% [markdown] slideshow={"slide_type": "notes"}
# The tutorial trains for 5 epochs; its settings are chosen to be safe, not fast.
#     Printed above: how far the weights travelled (the Euclidean norm of the change of all
#     parameters), an order of magnitude more with the sensible settings.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The details we glossed over
#
# The lecture notes: *sigmoid → ReLU, MSE → cross-entropy, gradient descent → stochastic
# gradient descent* are "modern drop-in replacements". Measured on MNIST with the same
# 784-512-512-10 network, one change at a time, the same budget for every row: 3 epochs
# over 10,000 training images (30,000 examples' gradients), SGD with lr 0.1, scored on
# 10,000 other training images held out for validation.

# %% slideshow={"slide_type": "fragment"}
x_all, y_all = data.load_tensors("mnist", train=True)
x10k, y10k = x_all[:10_000], y_all[:10_000]                    # to train on
mnist_val = data.TensorBatches(x_all[50_000:], y_all[50_000:], batch_size=2000,
                               shuffle=False)                  # held out: to compare on
mnist_test = data.TensorBatches(*data.load_tensors("mnist", train=False), shuffle=False)

def mse_on_sigmoid(scores, labels):          # the textbook: sigmoid outputs vs one-hot targets
    return F.mse_loss(torch.sigmoid(scores), F.one_hot(labels, 10).float())

rows = {"sigmoid, MSE, full-batch GD":   ("sigmoid", mse_on_sigmoid, 10_000),
        "sigmoid, MSE, SGD (batch 64)":  ("sigmoid", mse_on_sigmoid, 64),
        "sigmoid, cross-entropy, SGD":   ("sigmoid", None, 64),
        "ReLU, cross-entropy, SGD":      ("relu", None, 64)}

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### One change at a time

# %% slideshow={"slide_type": "-"}
# NBVAL_IGNORE_OUTPUT
results = {}
for name, (activation, loss_fn, batch_size) in rows.items():
    seed_everything(0)
    net = models.QuickstartMLP(activation=activation)
    batches = data.TensorBatches(x10k, y10k, batch_size=batch_size)
    fit(net, batches, epochs=3, loss_fn=loss_fn, live=False, progress=False,
        optimizer=torch.optim.SGD(net.parameters(), lr=0.1))
    results[name] = evaluate(net, mnist_val).accuracy
    print(f"{name:30s} {3 * len(batches):4d} steps   validation accuracy {results[name]:.1%}")

# %% slideshow={"slide_type": "skip"}
acc = list(results.values())
assert acc[0] < 0.15 and acc[1] < 0.3 and acc[2] > 0.6 and acc[3] > 0.9
assert acc[0] <= acc[1] < acc[2] < acc[3]                 # every change helps
assert 3 * math.ceil(10_000 / 64) == 471

# %% [markdown] slideshow={"slide_type": "fragment"}
# * **Full-batch GD** spends the whole budget on 3 careful steps; SGD takes 471 noisy ones.
# * **MSE on sigmoid outputs** learns slowly: a saturated sigmoid has a tiny slope, and MSE
#   does not compensate; cross-entropy's gradient is simply *prediction − target*.
# * **ReLU** does not saturate for positive inputs, so gradients reach the first layers.

# %% [markdown] slideshow={"slide_type": "notes"}
# Measured beforehand with each row at its best learning rate from 0.01, 0.1, 1
#     and 10: the order is the same (about 10 %, 15 %, 88 %, 93 %). Given many more epochs,
#     sigmoid + MSE does learn MNIST (Nielsen's book reaches 95 %), just slowly.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Train, validation, test
#
# * The **test set** is for the very end: look at it once, to report.
# * Every choice before that (epochs, learning rate, architecture) is made on a
#   **validation set**, split off the training data at random.

# %% slideshow={"slide_type": "fragment"}
order = torch.randperm(60_000, generator=torch.Generator().manual_seed(0))
train_idx, val_idx = order[:50_000], order[50_000:]
print(len(train_idx), "images for training,", len(val_idx), "for validation")

# %% slideshow={"slide_type": "skip"}
assert len(torch.unique(torch.cat([train_idx, val_idx]))) == 60_000

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Overfitting
#
# 669,706 parameters and only 1,000 training images: the network can memorise them.
# Train 30 epochs and measure the loss on 2,500 held-out validation images after each:

# %% slideshow={"slide_type": "-"}
seed_everything(0)
small = lambda: data.TensorBatches(x_all[train_idx[:1000]], y_all[train_idx[:1000]],
                                   batch_size=100, seed=0)
val = data.TensorBatches(x_all[val_idx[:2500]], y_all[val_idx[:2500]], batch_size=2500,
                         shuffle=False)
net = models.QuickstartMLP()
over = fit(net, small(), epochs=30, val=val, live=False, progress=False,
           optimizer=torch.optim.Adam(net.parameters(), lr=1e-3))
best = over.val_loss.index(min(over.val_loss)) + 1

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Training loss vs validation loss
#
# The training loss keeps falling; the validation loss turns round after a few epochs.

# %% slideshow={"slide_type": "-"}
fig, ax = plt.subplots(figsize=(9, 3.2))
ax.plot(over.epoch, over.train_loss, label="training loss (1,000 images)")
ax.plot(over.epoch, over.val_loss, label="validation loss")
ax.axvline(best, color="gray", linestyle="--", label="lowest validation loss")
ax.set(xlabel="epoch", ylabel="cross-entropy", ylim=(0, 1)); ax.legend()
plt.show()

# %% slideshow={"slide_type": "skip"}
assert best == 1 + min(range(30), key=over.val_loss.__getitem__)
assert over.train_loss[-1] < 0.01 and 2 <= best < 15
assert over.val_loss[-1] > 1.2 * min(over.val_loss)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Early stopping
#
# Watch the validation loss after every epoch; stop when it has not improved for
# `patience` epochs, and keep the weights of the best epoch.

# %% slideshow={"slide_type": "fragment"}
# NBVAL_IGNORE_OUTPUT
seed_everything(0)
net, batches = models.QuickstartMLP(), small()
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
best_loss, best_epoch, patience = math.inf, 0, 3
for epoch in range(1, 31):
    fit(net, batches, epochs=1, optimizer=optimizer, live=False, progress=False)
    val_loss = evaluate(net, val).loss
    if val_loss < best_loss:
        best_loss, best_epoch, best_state = val_loss, epoch, copy.deepcopy(net.state_dict())
    elif epoch - best_epoch >= patience:
        break
net.load_state_dict(best_state)
print(f"stopped after epoch {epoch}; kept epoch {best_epoch} (validation loss {best_loss:.3f})")
print(f"the one look at the test set, at the end: accuracy {evaluate(net, mnist_test).accuracy:.1%}")

# %% slideshow={"slide_type": "skip"}
assert best_epoch == best and epoch == best + patience      # the same run as above
assert math.isclose(evaluate(net, val).loss, min(over.val_loss), rel_tol=1e-4)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Data augmentation
#
# More training data for free: small random shifts, rotations and zooms of the training
# images (never of the test images); the label stays. Each epoch sees new variants, so it
# takes more epochs, and it pays off most when data are scarce.

# %% slideshow={"slide_type": "fragment"}
augment = transforms.RandomAffine(degrees=15, translate=(0.1, 0.1), scale=(0.9, 1.1))
torch.manual_seed(0)
digit = data.load_dataset("mnist").data[0][None].float() / 255      # (1, 28, 28)
variants = torch.stack([digit] + [augment(digit) for _ in range(7)])
fig = plotting.show_images(variants, titles=["original"] + ["augmented"] * 7, ncols=8)

# %% slideshow={"slide_type": "skip"}
assert variants.shape == (8, 1, 28, 28) and not torch.equal(variants[1], variants[0])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Batch size and learning rate
#
# One epoch over 10,000 images with a small MLP (784-100-10), plain SGD. Larger batches
# mean fewer (but less noisy) steps: with the same learning rate they learn less per epoch.
# The usual fix is to scale the learning rate with the batch size (Goyal et al., 2017)…

# %% slideshow={"slide_type": "fragment"}
# NBVAL_IGNORE_OUTPUT
scaled = {}
for batch_size in (16, 64, 256, 1024):
    for lr in (0.05, 0.05 * batch_size / 64):
        seed_everything(0)
        net = models.mlp(100)
        fit(net, data.TensorBatches(x10k, y10k, batch_size=batch_size), epochs=1,
            optimizer=torch.optim.SGD(net.parameters(), lr=lr), live=False, progress=False)
        scaled[batch_size, lr] = evaluate(net, mnist_test).accuracy
    print(f"batch {batch_size:4d}: lr 0.05 → {scaled[batch_size, 0.05]:.1%},  "
          f"lr {lr:g} → {scaled[batch_size, lr]:.1%}")

# %% slideshow={"slide_type": "skip"}
fixed = [scaled[b, 0.05] for b in (16, 64, 256, 1024)]
assert fixed == sorted(fixed, reverse=True)                  # same lr: bigger batch, worse
assert scaled[256, 0.2] > scaled[256, 0.05] + 0.01           # scaling helps ...
assert scaled[1024, 0.05 * 1024 / 64] < scaled[1024, 0.05]   # ... until lr is too large


# %% [markdown] slideshow={"slide_type": "fragment"}
# … which works until the learning rate gets too large to be stable: here lr 0.8 right
# from the first step. Large-batch training therefore *warms up* the learning rate, as
# the one-cycle schedule of lecture 12 does.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Reproducibility
#
# Training is random: the initial weights, the order of the batches, dropout. Fix every
# seed (`seed_everything` seeds Python, NumPy and torch) and the data order, and a run
# repeats exactly, on the same machine and versions.

# %% slideshow={"slide_type": "fragment"}
def train_tiny(seed):
    seed_everything(seed)
    net = models.mlp(32)
    fit(net, data.TensorBatches(x10k[:2000], y10k[:2000], batch_size=100, seed=seed),
        epochs=1, optimizer=torch.optim.SGD(net.parameters(), lr=0.1),
        live=False, progress=False)
    return net.state_dict()

run_a, run_b, run_c = train_tiny(0), train_tiny(0), train_tiny(1)
print("seed 0 twice, identical weights:", all(torch.equal(run_a[k], run_b[k]) for k in run_a))
print("seed 0 vs seed 1, identical:   ", all(torch.equal(run_a[k], run_c[k]) for k in run_a))

# %% slideshow={"slide_type": "skip"}
assert all(torch.equal(run_a[k], run_b[k]) for k in run_a)
assert not any(torch.equal(run_a[k], run_c[k]) for k in run_a)

# %% [markdown] slideshow={"slide_type": "notes"}
# On a GPU some kernels are non-deterministic (atomic additions in a different
#     order): `torch.use_deterministic_algorithms(True)` forces deterministic ones, at some
#     cost in speed. Across machines or library versions, expect small differences.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## `model.eval()`: dropout and batch norm change behaviour
#
# * **Dropout** (training): zero each activation with probability p, scale the others by
#   1/(1 − p). Evaluation: do nothing.
# * **Batch norm** (training): normalise with *this batch's* mean and variance, update the
#   running averages. Evaluation: use the running averages.

# %% slideshow={"slide_type": "fragment"}
torch.manual_seed(0)
layers = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.5))
x = torch.randn(16, 4)
layers.train()
print("train: same input twice gives equal outputs:", torch.equal(layers(x), layers(x)))
layers.eval()
print("eval:  same input twice gives equal outputs:", torch.equal(layers(x), layers(x)))
print("eval:  one example alone = the same example in a batch:",
      torch.allclose(layers(x[:1]), layers(x)[:1]))

# %% slideshow={"slide_type": "skip"}
drop = nn.Dropout(0.5).train()
ones = torch.ones(100_000)
kept = drop(ones)
assert set(kept.unique().tolist()) == {0.0, 2.0} and abs((kept == 0).float().mean() - 0.5) < 0.01
assert torch.equal(drop.eval()(ones), ones)
bn = nn.BatchNorm1d(8).train()
assert not torch.allclose(bn(x[:2] @ torch.ones(4, 8))[0], bn(x @ torch.ones(4, 8))[0])


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### `torch.no_grad()`: no graph, less memory
#
# For `backward()`, autograd keeps every tensor a gradient will need (layer inputs,
# activations). When you only predict, that memory is wasted; on a GPU it is what runs
# out first. Count the bytes kept for a batch of 1,000 through the quickstart MLP:

# %% slideshow={"slide_type": "fragment"}
def kept_for_backward(model, x):
    kept = {}
    def pack(t):
        kept[t.data_ptr()] = t.numel() * t.element_size(); return t
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = model(x)
    return out, sum(kept.values())

mlp, batch = models.QuickstartMLP(), torch.randn(1000, 1, 28, 28)
out, with_grad = kept_for_backward(mlp, batch)
with torch.no_grad():
    out_ng, without = kept_for_backward(mlp, batch)
print(f"with autograd: {with_grad / 1e6:.1f} MB kept; under no_grad: {without} bytes")

# %% slideshow={"slide_type": "skip"}
assert without == 0 and out_ng.grad_fn is None and out.grad_fn is not None
activations = 1000 * (784 + 512 + 512) * 4              # the inputs of the 3 linear layers
weights = (784 * 512 + 512 * 512 + 512 * 10) * 4        # at most all weights besides
assert activations <= with_grad <= activations + weights

# %% [markdown] slideshow={"slide_type": "notes"}
# On a GPU, `torch.cuda.max_memory_allocated()` shows the same effect in the
#     device's memory. Out of memory? Use a smaller batch, evaluate under `torch.no_grad()`,
#     and do not keep tensors that hold a graph (e.g. `losses.append(loss)`: use
#     `loss.item()`).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# * Defaults from tutorials are safe, not fast: normalise, use momentum (or Adam) and a
#   learning rate that makes progress.
# * ReLU, cross-entropy and mini-batches each buy a large, measurable improvement.
# * Tune on a validation set; stop early when the validation loss turns round.
# * Augment when data are scarce; scale the learning rate with the batch size.
# * Seed everything; predict under `model.eval()` and `torch.no_grad()`.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Write your answer in the cell under each exercise, run it, then run the check below it.

# %% slideshow={"slide_type": "-"}
from nbhelpers import check


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: a validation split
#
# Write `split(n, val_fraction, seed)` returning `(train_idx, val_idx)`: a random split of
# the indices `0 … n−1`, with `round(n · val_fraction)` of them for validation, the same
# split for the same seed.

# %% slideshow={"slide_type": "-"} tags=["answer"]
def split(n, val_fraction, seed):
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    n_val = round(n * val_fraction)
    return order[n_val:], order[:n_val]


# %% slideshow={"slide_type": "-"}
check.split_indices(split)


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: which epoch does early stopping keep?
#
# Write `kept_epoch(val_losses, patience)`: training stops after `patience` epochs in a row
# without a strictly lower validation loss; return the (1-based) epoch whose weights are
# kept.

# %% slideshow={"slide_type": "-"} tags=["answer"]
def kept_epoch(val_losses, patience):
    best, best_epoch = math.inf, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best:
            best, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            break
    return best_epoch


# %% slideshow={"slide_type": "-"}
check.early_stopping_epoch(kept_epoch)


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: predict properly
#
# Write `predict_labels(model, x)`: the predicted class of every row of `x`, as a tensor of
# shape (N,), with dropout and batch norm in evaluation mode and without building a graph.

# %% slideshow={"slide_type": "-"} tags=["answer"]
def predict_labels(model, x):
    model.eval()
    with torch.no_grad():
        return model(x).argmax(dim=1)


# %% slideshow={"slide_type": "-"}
check.predict_labels(predict_labels)
