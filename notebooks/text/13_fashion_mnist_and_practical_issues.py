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
# sensible ones; what the modern "details" (ReLU, cross-entropy, mini-batches) buy; a CNN on
# FashionMNIST and what it confuses; and the practical side of training: validation, early
# stopping, data augmentation (measured), batch size, reproducibility, `torch.no_grad()`.

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
from torchvision.transforms.v2 import functional as TF
from nbhelpers import data, measured, models, plotting
from nbhelpers.training import evaluate, fit, seed_everything
from nbhelpers.display import show   # plt.show() with alt text

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
#
# > **The source notes said:** test loss `total_loss += loss_fn(pred, y).item()` per batch,
# > then `/ num_test_samples`. **In fact:** each term is a batch *mean*: that is about 64×
# > (the batch size) too small.
# > Add `loss_fn(pred, y).item() * len(y)`, then divide by `num_test_samples` (the quickstart's
# > `/ num_batches` is close, exact only when all batches have the same size).

# %% slideshow={"slide_type": "fragment"}
print(models.QuickstartMLP())

# %% slideshow={"slide_type": "skip"}
assert models.count_parameters(models.QuickstartMLP()) == 785 * 512 + 513 * 512 + 513 * 10
assert models.count_parameters(models.QuickstartMLP()) == 669_706
# the notes' test loss vs the true mean loss, on 1,000 images in batches of 64 (the last of 40)
with torch.random.fork_rng():                        # leaves the lecture's random state alone
    torch.manual_seed(0)
    quick = models.QuickstartMLP()
x1k, y1k = data.load_tensors("fashionmnist", train=False, limit=1000)
with torch.no_grad():
    batch_means = [(F.cross_entropy(quick(x1k[i:i + 64]), y1k[i:i + 64]).item(), len(y1k[i:i + 64]))
                   for i in range(0, 1000, 64)]
    true_mean = F.cross_entropy(quick(x1k), y1k).item()
notes_loss = sum(m for m, _ in batch_means) / 1000
assert math.isclose(sum(m * n for m, n in batch_means) / 1000, true_mean, rel_tol=1e-5)
assert 55 < true_mean / notes_loss < 70              # about the batch size, 64, too small


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Two recipes, the same two epochs
#
# | | the tutorial's defaults | sensible settings |
# |---|---|---|
# | inputs | `ToTensor`: pixels in [0, 1] | normalised: mean 0, std 1 |
# | batches of | 64 | 128 |
# | optimiser | SGD, lr 0.001 | SGD, lr 0.05, momentum 0.9 |
#
# Both train on 20,000 images and are scored on 10,000 other training images held out for
# **validation** (why not on the test set: later in this lecture).

# %% slideshow={"slide_type": "fragment"}
def train_fashion(normalize, batch_size, optimizer, epochs=2):
    seed_everything(0)
    x, y = data.load_tensors("fashionmnist", train=True, normalize=normalize)
    model = models.QuickstartMLP()
    start = [p.detach().clone() for p in model.parameters()]
    train = data.TensorBatches(x[:20_000], y[:20_000], batch_size=batch_size)
    val = data.TensorBatches(x[50_000:], y[50_000:], batch_size=2000, shuffle=False)
    history = fit(model, train, epochs=epochs, val=val,
                  optimizer=optimizer(model.parameters()))
    moved = sum(((p.detach() - s) ** 2).sum() for p, s in zip(model.parameters(), start))
    return history, moved.sqrt().item()      # how far the weights travelled


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Training both

# %% slideshow={"slide_type": "-"} tags=["nbval-ignore-output"]
tutorial, tutorial_moved = train_fashion(False, 64, lambda p: torch.optim.SGD(p, lr=1e-3))
sensible, sensible_moved = train_fashion(
    True, 128, lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Side by side

# %% slideshow={"slide_type": "-"} tags=["nbval-ignore-output"]
for name, h, moved in [("tutorial", tutorial, tutorial_moved),
                       ("sensible", sensible, sensible_moved)]:
    print(f"{name}: validation accuracy {h.val_acc[0]:.1%} after epoch 1, "
          f"{h.val_acc[1]:.1%} after epoch 2; the weights moved {moved:.2f}")

# %% slideshow={"slide_type": "skip"}
assert tutorial.val_acc[-1] < 0.6 and sensible.val_acc[-1] > 0.78
assert tutorial.val_loss[1] < tutorial.val_loss[0] - 0.02     # still falling ...
assert tutorial.val_loss[1] > 3 * sensible.val_loss[1]         # ... and far from done
assert sensible_moved > 10 * tutorial_moved and 2 * math.ceil(20_000 / 64) == 626

# %% [markdown] slideshow={"slide_type": "fragment"}
# * **The tutorial's model is fine, its settings are slow.** Each SGD step moves the weights
#   by lr × gradient; with lr 0.001 and no momentum, 626 steps add up to a short walk,
#   and the loss is still falling when training stops.
# * The recipes differ in three settings at once (lr and momentum, inputs, batch size), so
#   this run shows that the defaults are slow, not which change matters most: that needs
#   one change at a time, each at its own learning rate, as on the next slides.

# %% [markdown] slideshow={"slide_type": "notes"}
# The tutorial trains for 5 epochs; its settings are chosen to be safe, not fast.
#     Printed above: how far the weights travelled (the Euclidean norm of the change of all
#     parameters): more than ten times as far with the sensible settings. Momentum 0.9
#     adds up consistent steps (about 10× longer) and lr 0.05 is 50× larger.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The details we glossed over
#
# The lecture notes: *sigmoid → ReLU, MSE → cross-entropy, gradient descent → stochastic
# gradient descent* are "modern drop-in replacements". Measured on MNIST with a
# 784-100-100-10 network, one change per row, the same budget for every row: 2 epochs
# over 5,000 training images, plain SGD, scored on 10,000 other training images. The
# outputs go through softmax in every row; only the loss on them changes.

# %% slideshow={"slide_type": "fragment"}
x_all, y_all = data.load_tensors("mnist", train=True)
x5k, y5k = x_all[:5000], y_all[:5000]                          # to train on here
mnist_test = data.TensorBatches(*data.load_tensors("mnist", train=False), shuffle=False)

def mse_on_softmax(scores, labels):          # softmax outputs vs one-hot targets
    return F.mse_loss(scores.softmax(dim=1), F.one_hot(labels, 10).float())

rows = {"sigmoid, MSE, full-batch GD":   ("sigmoid", mse_on_softmax, 5000),
        "sigmoid, MSE, SGD":             ("sigmoid", mse_on_softmax, 64),   # batch 64
        "sigmoid, cross-entropy, SGD":   ("sigmoid", F.cross_entropy, 64),
        "ReLU, cross-entropy, SGD":      ("relu", F.cross_entropy, 64)}

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### One learning rate for all would be unfair
#
# `F.mse_loss` *averages* over the 10 outputs; Nielsen's quadratic cost sums them and halves.
# The gradients at the start of training, on the untrained network's scores:

# %% slideshow={"slide_type": "-"}
seed_everything(0)
start_scores = models.QuickstartMLP(activation="sigmoid", hidden=100)(x5k[:256]).detach()
labels = y5k[:256]

def grad_of(loss_fn):                       # d loss / d scores, shape (256, 10)
    s = start_scores.clone().requires_grad_()
    loss_fn(s, labels).backward()
    return s.grad

def nielsen(s, l):                          # C = 1/(2n) Σ_x ||y(x) − a(x)||²
    return 0.5 * ((s.softmax(dim=1) - F.one_hot(l, 10)) ** 2).sum(dim=1).mean()

g_mse, g_quad, g_ce = grad_of(mse_on_softmax), grad_of(nielsen), grad_of(F.cross_entropy)
print(f"Nielsen's cost / F.mse_loss: {g_quad.norm() / g_mse.norm():.1f}× the gradient")
print(f"cross-entropy / F.mse_loss:  {g_ce.norm() / g_mse.norm():.0f}× the gradient")

# %% slideshow={"slide_type": "skip"}
assert torch.allclose(g_quad, 5 * g_mse)                   # sum/2 instead of mean over 10
assert 35 < g_ce.norm() / g_mse.norm() < 65
p_soft = start_scores.softmax(dim=1)                       # MSE: J_softmax^T (a − y)·2/(10n)
v = (p_soft - F.one_hot(labels, 10)) * 2 / 2560
assert torch.allclose(g_mse, p_soft * (v - (p_soft * v).sum(dim=1, keepdim=True)), atol=1e-9)
assert torch.allclose(g_ce, (p_soft - F.one_hot(labels, 10)) / 256)

# %% [markdown] slideshow={"slide_type": "fragment"}
# A learning rate that suits one loss is far too small for another. So every row gets its
# own learning rate, picked on the validation images from a grid that brackets its best.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### How the comparisons in this lecture are measured
#
# * Every arm (a row, a variant, a batch size) trains on a grid of learning rates, 3 seeds
#   each, and is scored on validation images split off the *training* data.
# * Each arm gets the rate with the best mean validation accuracy; that best must not sit at
#   the edge of the grid (else the grid is widened). Then the arms are compared seed by seed.
# * Too slow for a lecture: `make claims` runs these sweeps (claims/l13.py); the slides plot
#   its stored numbers.

# %% slideshow={"slide_type": "fragment"}
def spread(acc, grid):                      # acc[str(lr)]: one accuracy per seed
    return ([sum(acc[str(g)]) / len(acc[str(g)]) for g in grid],
            [min(acc[str(g)]) for g in grid], [max(acc[str(g)]) for g in grid])

def plot_sweep(arms, grid, ax):             # line: mean over seeds; band: lowest to highest
    picked = {}
    for (name, acc), style in zip(arms.items(), ["o-", "s--", "^-.", "D:"]):
        mean, lo, hi = spread(acc, grid)
        i = max(range(len(grid)), key=mean.__getitem__)
        picked[name] = grid[i]
        ax.plot(grid, mean, style, ms=4, label=f"{name}: best lr {grid[i]:g}, "
                f"{lo[i]:.1%} to {hi[i]:.1%}")
        ax.fill_between(grid, lo, hi, alpha=0.25)
    ax.set(xscale="log", xlabel="learning rate", ylabel="validation accuracy"); ax.legend()
    return picked

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### One change at a time, each at its own best learning rate
#
# Validation accuracy against the learning rate, from 0.01 to 1,000 (a run whose loss blew
# up scores 0); the legend gives each row's best rate and its range there over the 3 seeds.

# %% slideshow={"slide_type": "-"}
details = measured.load("13/details")
fig, ax = plt.subplots(figsize=(9, 3.4))
picked = plot_sweep({n: details["arms"][n] for n in rows}, details["grid"], ax)
ax.set_title("MNIST, 784-100-100-10, 2 epochs over 5,000 images, plain SGD")
show(fig, alt="Validation accuracy (mean of 3 seeds, band: their range) against the learning "
              "rate, 0.01 to 1,000: " + "; ".join(ax.get_legend_handles_labels()[1]) + ".")
print(measured.source("13/details"))

# %% slideshow={"slide_type": "skip"}
grid, arms = details["grid"], details["arms"]
assert set(arms) == set(rows) and (grid[0], grid[-1]) == (0.01, 1000)
assert max(a for acc in arms["sigmoid, MSE, full-batch GD"].values() for a in acc) < 0.15
sgd = list(rows)[1:]                                      # each at its picked rate:
assert all(0 < grid.index(picked[n]) < len(grid) - 1 for n in sgd)     # interior
for a, b in zip(sgd, sgd[1:]):                            # better on every seed
    assert all(x < y for x, y in zip(arms[a][str(picked[a])], arms[b][str(picked[b])]))
assert picked["sigmoid, MSE, SGD"] == 20 * picked["sigmoid, cross-entropy, SGD"]
assert 2 * math.ceil(5000 / 64) == 158

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What the sweep shows
#
# * **Full-batch GD** spends the budget on 2 careful steps: below 15 % at every learning
#   rate from 0.01 to 1,000. SGD takes 158 noisy ones.
# * **MSE** needs a 20× larger learning rate than cross-entropy (its gradient is about 50×
#   smaller at the start) and, even at its best, learns less: the softmax's slope multiplies
#   its gradient, tiny once an output saturates; cross-entropy's is *softmax − target*.
# * **ReLU** does not saturate for positive inputs, so gradients reach the first layers.

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
# A recap of lecture 09 with the quickstart MLP: 669,706 parameters, only 1,000 training
# images. Train 30 epochs, measure the loss on 2,500 validation images after each:

# %% slideshow={"slide_type": "-"}
seed_everything(0)
small = lambda: data.TensorBatches(x_all[train_idx[:1000]], y_all[train_idx[:1000]],
                                   batch_size=100, seed=0)
val = data.TensorBatches(x_all[val_idx[:2500]], y_all[val_idx[:2500]], batch_size=2500,
                         shuffle=False)
net = models.QuickstartMLP()
over = fit(net, small(), epochs=30, val=val, progress=False,
           optimizer=torch.optim.Adam(net.parameters(), lr=1e-3))
best = over.val_loss.index(min(over.val_loss)) + 1

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Training loss vs validation loss
#
# The training loss keeps falling; the validation loss turns round after a few epochs.

# %% slideshow={"slide_type": "-"}
fig, ax = plt.subplots(figsize=(9, 3.2))
ax.plot(over.epoch, over.train_loss, label="training loss (1,000 images)")
ax.plot(over.epoch, over.val_loss, "o--", ms=4, label="validation loss")
ax.axvline(best, color="gray", linestyle="--", label="lowest validation loss")
ax.set(xlabel="epoch", ylabel="cross-entropy", ylim=(0, 1)); ax.legend()
show(fig, alt=f"Cross-entropy per epoch over {len(over.epoch)} epochs: the training loss on "
              "1,000 images falls towards 0; the validation loss falls for a few epochs, is "
              "lowest at the vertical grey dashed line, then rises again.")

# %% slideshow={"slide_type": "skip"}
assert best == 1 + min(range(30), key=over.val_loss.__getitem__)
assert over.train_loss[-1] < 0.01 and 2 <= best < 15
assert over.val_loss[-1] > 1.1 * min(over.val_loss)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Early stopping
#
# Watch the validation loss after every epoch; stop when it has not improved for
# `patience` epochs, and keep the weights of the best epoch.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-ignore-output"]
seed_everything(0)
net, batches = models.QuickstartMLP(), small()
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
best_loss, best_epoch, patience = math.inf, 0, 3
for epoch in range(1, 31):
    fit(net, batches, epochs=1, optimizer=optimizer, progress=False)
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
# ## A CNN on FashionMNIST, from 2,000 images
#
# Lecture 12's CNN (56,066 parameters), trained for 12 epochs on only 2,000 FashionMNIST
# images (the setting where augmentation should matter, next) and validated on 5,000 others.
# Both accuracies below are measured the same way: in eval mode, on the images as they are.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-ignore-output"]
fx, fy = data.load_tensors("fashionmnist", train=True)         # normalised, (60000, 1, 28, 28)
few = train_idx[:2000]                                        # the small training set
fashion_val = data.TensorBatches(fx[val_idx[:5000]], fy[val_idx[:5000]], batch_size=2500,
                                 shuffle=False)
seed_everything(0)
cnn = models.MnistCNN()
plain = fit(cnn, data.TensorBatches(fx[few], fy[few], batch_size=64, seed=0), epochs=12,
            val=fashion_val, progress=False,
            optimizer=torch.optim.Adam(cnn.parameters(), lr=2e-3))
clean_train = evaluate(cnn, data.TensorBatches(fx[few], fy[few], shuffle=False)).accuracy
print(f"training accuracy {clean_train:.1%}, validation accuracy {plain.val_acc[-1]:.1%}")

# %% slideshow={"slide_type": "skip"}
assert 0.78 < plain.val_acc[-1] < 0.9 and clean_train > 0.95
assert clean_train - plain.val_acc[-1] > 0.08                 # it memorises

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What it confuses

# %% slideshow={"slide_type": "-"} tags=["nbval-ignore-output"]
cnn.eval()
with torch.no_grad():
    val_pred = cnn(fashion_val.x).argmax(dim=1)
fig = plotting.plot_confusion(fashion_val.y, val_pred, classes=classes, alt_counts=True)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Where the mistakes are

# %% slideshow={"slide_type": "-"} tags=["nbval-ignore-output"]
tops = {0: "T-shirt", 2: "pullover", 4: "coat", 6: "shirt"}
cm = plotting.confusion_matrix(fashion_val.y, val_pred, num_classes=10)
errors = cm.sum() - cm.trace()
within = cm[list(tops)][:, list(tops)].sum() - cm.diag()[list(tops)].sum()
print(f"{within / errors:.0%} of all mistakes are among T-shirt, pullover, coat and shirt")

# %% slideshow={"slide_type": "skip"}
per_class = cm.diag() / cm.sum(dim=1)
assert per_class.argmin() == 6                                  # shirt is the hardest
assert within / errors > 0.4
assert sum(t in tops and p in tops for t, p, _ in plotting.most_confused(cm, k=6)) >= 3

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Data augmentation
#
# New variants of the training images, drawn afresh for every batch (never for validation
# or test images); the label stays. Two candidates for clothes: shift by up to 2 pixels (a
# random 28×28 crop of the image padded to 32×32), and also mirror left-right half of the time.

# %% slideshow={"slide_type": "fragment"}
def augment(x, pad=2):                                         # x: (B, 1, 28, 28)
    b = len(x)
    flip = torch.rand(b) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(-1), x)     # mirror half of them
    padded = F.pad(x, (pad,) * 4, mode="replicate")               # (B, 1, 32, 32)
    dy, dx = torch.randint(0, 2 * pad + 1, (2, b, 1, 1))          # a crop corner per image
    rows = torch.arange(28)[None, :, None] + dy                   # (B, 28, 1)
    cols = torch.arange(28)[None, None, :] + dx                   # (B, 1, 28)
    return padded[torch.arange(b)[:, None, None], 0, rows, cols][:, None]

torch.manual_seed(0)
variants = augment(fx[few[:1]].expand(8, -1, -1, -1))
fig = plotting.show_images(variants, titles=["variant"] * 8, ncols=8)
show(fig, alt="Eight augmented copies of one clothing image, each mirrored or not and shifted by "
              "up to 2 pixels: all plainly the same garment, so the label still holds.")

# %% slideshow={"slide_type": "skip"}
torch.manual_seed(1)
batch = fx[few[:32]]
out = augment(batch)
padded = F.pad(batch, (2,) * 4, mode="replicate")
for pad_img, new_img in zip(padded, out):     # each is one crop (of a mirror)
    crops = [TF.crop(src, top, left, 28, 28) for src in (pad_img, pad_img.flip(-1))
             for top in range(5) for left in range(5)]
    assert any(torch.equal(c, new_img) for c in crops)
assert out.shape == batch.shape and not torch.equal(out, batch)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Measured: none, shift, shift + flip
#
# The CNN above, 2,000 images, 12 epochs of Adam, 3 seeds; each variant at its own learning
# rate (picked on the validation images from a grid around its best). Per seed, both
# accuracies in eval mode on the images as they are:

# %% slideshow={"slide_type": "-"}
aug, at = measured.load("13/augmentation"), {}
for arm, grid in aug["grids"].items():
    mean, _, _ = spread(aug["val"][arm], grid)
    lr = grid[max(range(len(grid)), key=mean.__getitem__)]
    at[arm] = lr, aug["val"][arm][str(lr)], aug["train"][arm][str(lr)]
    print(f"{arm:12s} lr {lr:<6g} validation " + " ".join(f"{v:.1%}" for v in at[arm][1])
          + ",  training " + " ".join(f"{t:.1%}" for t in at[arm][2]))
print(measured.source("13/augmentation"))

# %% slideshow={"slide_type": "skip"}
for arm, (lr, _, _) in at.items():
    assert 0 < aug["grids"][arm].index(lr) < len(aug["grids"][arm]) - 1   # interior
gap = {arm: [t - v for v, t in zip(val, train)] for arm, (_, val, train) in at.items()}
for arm in ("shift", "shift + flip"):
    ahead = [a - n for a, n in zip(at[arm][1], at["none"][1])]
    assert max(ahead) < 0.015 and min(ahead) < 0 < max(ahead)      # no clear gain
    assert all(a < n - 0.05 for a, n in zip(gap[arm], gap["none"]))  # smaller gap
    assert max(gap[arm]) < 0.08 < min(gap["none"])
assert all(0.8 < v < 0.85 for _, val, _ in at.values() for v in val)

# %% [markdown] slideshow={"slide_type": "fragment"}
# * **No gain here.** At its own best rate each variant reaches 80 to 85 % on every seed;
#   neither augmentation is ahead of none by more than 1.5 points, and which one is ahead
#   depends on the seed.
# * Augmentation does stop the memorising: on the clean training images the CNN scores
#   within 8 points of validation with it, more than 8 points above without it.
# * So measure before relying on it: at 2,000 images and 12 epochs it did not pay off. Mirror
#   only what stays in its class when mirrored: a mirrored shirt is a shirt, not so for digits.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Batch size and learning rate
#
# Batches of 16 to 1,024, each over a grid of learning rates; 3 seeds, scored on 10,000
# held-out training images. Larger batches: fewer (less noisy) steps per epoch.

# %% slideshow={"slide_type": "-"}
sizes = measured.load("13/batch-size")
fig, ax = plt.subplots(figsize=(9, 2.7))
by_size = sorted(sizes["val"].items(), key=lambda item: int(item[0]))   # 16 … 1,024
picked = plot_sweep({f"batch {b}": acc for b, acc in by_size}, sizes["grid"], ax)
ax.set(ylim=(0.5, 1), title="MNIST, 784-100-10, 1 epoch over 10,000 images, plain SGD")
show(fig, alt="Validation accuracy (mean of 3 seeds, band: their range) against the learning "
              "rate, one line per batch size: " + "; ".join(ax.get_legend_handles_labels()[1]))
best_lr = {int(name.split()[1]): lr for name, lr in picked.items()}
print(measured.source("13/batch-size"))

# %% slideshow={"slide_type": "skip"}
at_best = {b: sizes["val"][str(b)][str(lr)] for b, lr in best_lr.items()}
assert all(0 < sizes["grid"].index(lr) < len(sizes["grid"]) - 1 for lr in best_lr.values())
assert 0.025 <= min(best_lr.values()) and max(best_lr.values()) <= 0.1
assert max(best_lr.values()) / min(best_lr.values()) <= 4
assert all(at_best[16][s] > at_best[64][s] > max(at_best[256][s], at_best[1024][s])
           for s in range(len(sizes["seeds"])))
assert all(a - b > 0.09 for a, b in zip(at_best[16], at_best[1024]))
ahead = [a > b for a, b in zip(at_best[256], at_best[1024])]
assert any(ahead) and not all(ahead)                       # 256 vs 1,024: depends on the seed
assert [math.ceil(10_000 / b) for b in (16, 1024)] == [625, 10]

# %% [markdown] slideshow={"slide_type": "notes"}
# * Each batch size has its own best learning rate, but here it hardly moves: 0.025 to 0.1
#   for batches of 16 to 1,024. Larger rates make plain SGD unstable before they make up
#   for the fewer steps.
# * So in a fixed number of epochs smaller batches win: batch 16 (625 steps) beats batch
#   1,024 (10 steps) by 9 points or more on every seed. 256 vs 1,024 depends on the seed.
# * "Scale the learning rate with the batch size" (Goyal et al., 2017) did not hold here. It
#   was made for long runs of many steps, with a warm-up (as in lecture 07's one-cycle).

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
    fit(net, data.TensorBatches(x_all[:2000], y_all[:2000], batch_size=100, seed=seed),
        epochs=1, optimizer=torch.optim.SGD(net.parameters(), lr=0.1), progress=False)
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
# ## Predicting: `model.eval()` and `torch.no_grad()`
#
# `model.eval()` switches dropout off and makes batch norm use its running statistics
# (lectures 08 and 09). `torch.no_grad()` saves memory: for `backward()`, autograd keeps every tensor a gradient will need (layer inputs,
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
# * Defaults from tutorials are safe, not fast: the quickstart's settings were still far from
#   done after 2 epochs.
# * Compare one change at a time, each at its own best learning rate, over several seeds,
#   on a validation set; look at the test set once, at the end.
# * Measured that way, ReLU, cross-entropy and mini-batches each beat what they replace.
# * Stop early when the validation loss turns round.
# * FashionMNIST's hard classes are the tops: shirt, T-shirt, pullover, coat.
# * Augmentation stopped the CNN memorising 2,000 images but, in 12 epochs, did not raise
#   its validation accuracy: measure it before relying on it.
# * In a fixed number of epochs, smaller batches won; the best rate hardly moved.
# * Seed everything; predict under `model.eval()` and `torch.no_grad()`.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Write your answer in the cell under each exercise, run it, then run the check below it.
#
# **Exercise 1: a validation split.** Write `split(n, val_fraction, seed)` returning
# `(train_idx, val_idx)`: a random split of the indices `0 … n−1`, with
# `round(n · val_fraction)` of them for validation, the same split for the same seed.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
def split(n, val_fraction, seed):
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    n_val = round(n * val_fraction)
    return order[n_val:], order[:n_val]


# %% slideshow={"slide_type": "-"}
from nbhelpers.check import fashion_mnist_and_practical_issues as check
check.split_indices(split)


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: which epoch does early stopping keep?
#
# Write `kept_epoch(val_losses, patience)`: training stops after `patience` epochs in a row
# without a strictly lower validation loss; return the (1-based) epoch whose weights are
# kept.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
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

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
def predict_labels(model, x):
    model.eval()
    with torch.no_grad():
        return model(x).argmax(dim=1)


# %% slideshow={"slide_type": "-"}
check.predict_labels(predict_labels)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Reading
#
# * Goodfellow et al., 11.1–11.4 (practical methodology), 5.3 (validation sets), 7.4
#   (augmentation), 7.8 (early stopping), 8.1.3 (minibatch size)
# * d2l.ai 4.2, *The Image Classification Dataset* (Fashion-MNIST); 14.1, *Image Augmentation*
# * Nielsen, chapter 3 (overfitting; how to choose hyper-parameters)
# * Xiao, Rasul & Vollgraf (2017), Fashion-MNIST
