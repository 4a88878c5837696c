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
# # Pooling and CNN layers
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-lectures/nn-lectures/blob/main/notebooks/11_pooling_and_cnn_layers.ipynb)
#
# *From filters to a network:* max and average pooling, why convolutions need so few
# parameters, a small CNN built layer by layer, and what its feature maps look like before and
# after training.

# %% slideshow={"slide_type": "skip"}
# Setup: install nbhelpers on Colab only, seed everything, pick the device.
import sys
if "google.colab" in sys.modules:
    # %pip install -q "nbhelpers @ git+https://github.com/nn-lectures/nn-lectures"
import nbhelpers
device = nbhelpers.setup(seed=0)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Pooling
#
# A pooling layer slides a window too, but it has **no weights**: it keeps the **maximum**
# (max pooling) or the **mean** (average pooling) of each window, channel by channel.
# Most common: a 2×2 window with stride 2, which halves height and width.
# (Max pooling is sometimes called a "fixed convolution with a MAX kernel": it slides like
# one, but a maximum is not a weighted sum, so it is no convolution.)

# %% slideshow={"slide_type": "skip"}
import copy
import torch
import torch.nn.functional as F
from torch import nn
import matplotlib.pyplot as plt
from nbhelpers import data, plotting, training
from nbhelpers.kernels import get_kernel
from nbhelpers.layers import print_shapes, trace_shapes
from nbhelpers.display import show   # plt.show() with alt text
from nbhelpers.widgets import pooling as pw

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### By hand and by torch
#
# A 4×4 input, 2×2 windows, stride 2: four windows, four outputs.

# %% slideshow={"slide_type": "-"}
x = torch.tensor([[1., 3, 2, 1],
                  [4, 6, 5, 0],
                  [3, 1, 1, 2],
                  [0, 2, 4, 3]])
max_by_hand = torch.tensor([[6., 5], [3, 4]])                  # largest of each 2×2 block
avg_by_hand = torch.tensor([[1 + 3 + 4 + 6, 2 + 1 + 5 + 0],
                            [3 + 1 + 0 + 2, 1 + 2 + 4 + 3]]) / 4    # sums / 4
print(F.max_pool2d(x[None, None], 2)[0, 0])       # torch wants N×C×H×W
print(F.avg_pool2d(x[None, None], 2)[0, 0])

# %% slideshow={"slide_type": "skip"}
assert torch.equal(F.max_pool2d(x[None, None], 2)[0, 0], max_by_hand)
assert torch.equal(nn.MaxPool2d(2)(x[None, None])[0, 0], max_by_hand)
assert torch.allclose(F.avg_pool2d(x[None, None], 2)[0, 0], avg_by_hand)
assert torch.allclose(nn.AvgPool2d(2)(x[None, None])[0, 0], avg_by_hand)
assert avg_by_hand.tolist() == [[3.5, 2.0], [1.5, 2.5]]

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Windows and stride, drawn
#
# Each window outlined in colour (neighbours differ); for max pooling the winning cell is filled.

# %% slideshow={"slide_type": "-"}
fig = pw.pooling_figure()                  # 6×6 example, 2×2 windows, stride 2

# %% slideshow={"slide_type": "skip"}
pooled_example = F.max_pool2d(pw.EXAMPLE_POOL_INPUT[None, None], 2)[0, 0]
assert pooled_example.tolist() == [[6, 5, 3], [3, 4, 7], [5, 3, 6]]

# %% slideshow={"slide_type": "subslide"} tags=["widget"]
pw.pooling_widget()

# %% [markdown] slideshow={"slide_type": "fragment"}
# *Try:* window 3 with stride 2 (windows overlap), window 4 with stride 4 (cells left over).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The output size: the same formula as convolution
#
# ⌊(N − F)/S⌋ + 1 per axis (torch's default stride is the window size). With 7×7 and 2×2
# windows the last row and column are dropped, as with a stride that does not fit.

# %% slideshow={"slide_type": "-"}
for n, k, s in [(28, 2, 2), (7, 2, 2), (6, 3, 2), (6, 3, 1)]:
    by_torch = F.max_pool2d(torch.zeros(1, 1, n, n), k, stride=s).shape[-1]
    print(f"N={n}, window {k}, stride {s}: formula {(n - k) // s + 1}, torch {by_torch}")

# %% slideshow={"slide_type": "skip"}
for n, k, s in [(28, 2, 2), (7, 2, 2), (6, 3, 2), (6, 3, 1)]:
    assert (n - k) // s + 1 == F.max_pool2d(torch.zeros(1, 1, n, n), k, stride=s).shape[-1]
assert F.max_pool2d(torch.zeros(1, 1, 7, 7), 2).shape[-2:] == (3, 3)     # default stride = 2

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Why pool?
#
# * **Fewer parameters downstream**: a fully connected layer after the maps needs 4× fewer
#   weights per 2×2 pooling.
# * **Faster**: the next convolution runs on 4× fewer positions.
# * **Small shifts matter less** (max): the maximum of a window survives when the feature
#   moves within the window.
#
# The first two are arithmetic; the third we measure.

# %% slideshow={"slide_type": "fragment"}
no_pool = nn.Linear(16 * 28 * 28, 10)     # 16 maps of 28×28 flattened into 10 outputs
pooled = nn.Linear(16 * 7 * 7, 10)        # the same after two 2×2 poolings
count = lambda m: sum(p.numel() for p in m.parameters())
print(f"without pooling: {count(no_pool):,} parameters, after two: {count(pooled):,}")

# %% slideshow={"slide_type": "skip"}
assert count(no_pool) == 16 * 28 * 28 * 10 + 10 == 125_450
assert count(pooled) == 16 * 7 * 7 * 10 + 10 == 7_850
macs = lambda hw: 16 * 8 * 3 * 3 * hw * hw        # multiply-adds of Conv2d(8, 16, 3)
assert macs(28) == 4 * macs(14)                    # 4× fewer positions after 2×2 pooling

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Shift one pixel: how much do the feature maps change?
#
# 1000 test digits, each moved one pixel to the right. Feature maps: lecture 10's Sobel
# filters, both signs (edges in 4 directions), after a ReLU. Relative change ‖a − b‖ / ‖a‖
# of the 4 maps, averaged over the digits, without and with max pooling:

# %% slideshow={"slide_type": "-"}
digits, _ = data.load_tensors("mnist", train=False, normalize=False, limit=1000)
moved = F.pad(digits, (1, 0))[..., :28]                # one pixel right, zero fill
sx, sy = get_kernel("sobel_x"), get_kernel("sobel_y")
edges = torch.stack([sx, -sx, sy, -sy])[:, None]       # 4 filters, (4, 1, 3, 3)
maps, moved_maps = (F.relu(F.conv2d(x, edges, padding=1)) for x in (digits, moved))
def change(a, b):
    return ((a - b).flatten(1).norm(dim=1) / a.flatten(1).norm(dim=1)).mean().item()
changes = {k: change(F.max_pool2d(maps, k), F.max_pool2d(moved_maps, k)) for k in (1, 2, 4)}
for k, c in changes.items():
    print(f"max pool {k}×{k}: maps change by {c:.0%}" + (" (no pooling)" if k == 1 else ""))

# %% slideshow={"slide_type": "skip"}
assert maps.shape == (1000, 4, 28, 28) and maps.min() >= 0
assert changes[1] > 0.65 and changes[4] < 0.8 * changes[2] < 0.65 * changes[1], changes
assert torch.equal(F.max_pool2d(maps, 1), maps)           # a 1×1 "pool" changes nothing
two = F.max_pool2d(F.max_pool2d(maps, 2), 2)              # two 2×2 layers = one 4×4 here
assert torch.equal(two, F.max_pool2d(maps, 4))

# %% [markdown] slideshow={"slide_type": "notes"}
# Pooling reduces the change, but only partly: after a one-pixel shift the 2×2-pooled maps
# still change noticeably, only less than the unpooled ones. A larger window (4×4, the same as
# two 2×2 layers in a row) reduces it further; it is never full shift invariance.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The shift, seen
#
#
# One digit's first edge map (brightness growing to the right), before and after the shift.

# %% slideshow={"slide_type": "-"}
d, m = maps[0, :1], moved_maps[0, :1]                         # (1, 28, 28) each
pd, pm = F.max_pool2d(d, 2)[0], F.max_pool2d(m, 2)[0]
panels = {"edge map": d[0], "digit moved 1 px": m[0], "change, no pooling": (m - d).abs()[0],
          "change, 2×2 max pool": (pm - pd).abs()}
top = d.max().item()                                          # one grey scale for all four
fig, axes = plt.subplots(1, 4, figsize=(10, 3))
for ax, (title, img) in zip(axes, panels.items()):
    ax.imshow(img, cmap="gray", vmin=0, vmax=top); ax.set_title(title, fontsize=13)
    ax.axis("off")
show(fig, alt="A 7's edge map, the map after moving the digit 1 pixel right, their difference "
              "(bright all along the stroke) and the difference after 2×2 max pooling (a 14×14 "
              "grid instead of 28×28, fewer and mostly dimmer squares: smaller, not zero).")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Fully connected vs convolution: parameters
#
# A 100-pixel image (10×10), two ways to get 10 hidden features (both with biases):
#
# * **fully connected**, 10 hidden units: each sees all 100 pixels:
#   100 · 10 + 10 = **1010** parameters;
# * **3×3 convolution, 10 feature maps** (1 input channel): 10 kernels of 9 weights:
#   9 · 10 + 10 = **100** parameters, whatever the image size (weight sharing).

# %% slideshow={"slide_type": "fragment"}
fc = nn.Linear(100, 10)
conv = nn.Conv2d(1, 10, kernel_size=3)
print("fully connected:", count(fc), "  convolution:", count(conv))
print("outputs:", fc(torch.zeros(1, 100)).numel(), "numbers vs",
      conv(torch.zeros(1, 1, 10, 10)).numel(), "(10 maps of 8×8)")

# %% slideshow={"slide_type": "skip"}
assert count(fc) == fc.weight.numel() + fc.bias.numel() == 100 * 10 + 10 == 1010
assert count(conv) == conv.weight.numel() + conv.bias.numel() == 9 * 10 + 10 == 100
assert conv(torch.zeros(1, 1, 10, 10)).shape == (1, 10, 8, 8)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The same for a 28×28 MNIST digit
#
# Fully connected: 784 · 10 + 10 = **7850**. Convolution: still **100** — and it computes
# 10 maps of 26×26 = 6760 numbers with them.

# %% slideshow={"slide_type": "-"}
fc = nn.Linear(28 * 28, 10)
conv = nn.Conv2d(1, 10, kernel_size=3)
print("fully connected:", count(fc), "  convolution:", count(conv),
      "  conv output:", tuple(conv(torch.zeros(1, 1, 28, 28)).shape))

# %% slideshow={"slide_type": "skip"}
assert count(fc) == 28 * 28 * 10 + 10 == 7850 and count(conv) == 100
assert conv(torch.zeros(1, 1, 28, 28)).numel() == 10 * 26 * 26 == 6760

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A small CNN, layer by layer
#
# Two blocks of convolution → ReLU → 2×2 max pooling; `print_shapes` runs a dummy batch
# through and prints the shape after every layer. "Same" padding keeps 28×28 in the
# convolutions; each pooling halves the size.

# %% slideshow={"slide_type": "fragment"}
torch.manual_seed(0)
features = nn.Sequential(
    nn.Conv2d(1, 8, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
)
print_shapes(features, (1, 1, 28, 28))

# %% slideshow={"slide_type": "skip"}
shapes = [row.shape for row in trace_shapes(features, (1, 1, 28, 28))]
assert shapes == [(1, 8, 28, 28), (1, 8, 28, 28), (1, 8, 14, 14),
                  (1, 16, 14, 14), (1, 16, 14, 14), (1, 16, 7, 7)]
assert count(features[0]) == 8 * 1 * 9 + 8 == 80 and count(features[3]) == 16 * 8 * 9 + 16

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What the final layer sees
#
# 16 maps of 7×7: for each of 16 learned features, *roughly where* it occurs. Flattened,
# that is 16 · 7 · 7 = 784 numbers — the same count as the pixels, but a very different
# description. One `nn.Linear` turns them into 10 class scores.

# %% slideshow={"slide_type": "-"}
classifier = nn.Sequential(nn.Flatten(), nn.Linear(16 * 7 * 7, 10))
print_shapes(classifier, (1, 16, 7, 7))
model = nn.Sequential(features, classifier)
print(f"whole model: {count(model):,} parameters, {count(classifier):,} in the last layer")

# %% slideshow={"slide_type": "skip"}
assert count(model) == 80 + 1168 + 7850 == 9098
assert model(torch.zeros(2, 1, 28, 28)).shape == (2, 10)


# %% [markdown] slideshow={"slide_type": "slide"}
# ## The receptive field grows with depth
#
# The **receptive field** of a unit: the input pixels it depends on. Each layer adds
# (k − 1) × (the product of the strides before it): $r = 1 + \sum_l (k_l - 1) \prod_{m<l} s_m$.
# Our stack conv 3 → pool 2 (stride 2) → conv 3 → pool 2: r = 1 + 2 = **3**, + 1·1 = **4**,
# + 2·2 = **8**, + 1·2 = **10**. Measured: the input pixels whose gradient is non-zero for
# the centre unit (over 32 random images).

# %% slideshow={"slide_type": "fragment"}
def measured_rf(net):
    x = torch.rand(32, 1, 28, 28, requires_grad=True)
    out = net(x)
    out[:, :, out.shape[2] // 2, out.shape[3] // 2].sum().backward()
    cols = x.grad.abs().sum(dim=(0, 1, 2)).nonzero()  # columns that matter
    return int(cols.max() - cols.min() + 1)

for depth, end in enumerate([1, 3, 4, 6], start=1):  # features[:end]: the first layers
    print(f"after {depth} layer(s): measured {measured_rf(features[:end])}")

# %% slideshow={"slide_type": "skip"}
by_formula = [1 + 2, 1 + 2 + 1 * 1, 1 + 2 + 1 * 1 + 2 * 2, 1 + 2 + 1 * 1 + 2 * 2 + 1 * 2]
assert by_formula == [3, 4, 8, 10] == [measured_rf(features[:e]) for e in (1, 3, 4, 6)]

# %% [markdown] slideshow={"slide_type": "notes"}
# The receptive field is a property of the architecture, not of the weights: padding and
# ReLU do not change it. After the two blocks, each of the 7×7 positions sees a 10×10 patch
# of the digit; deeper networks see the whole image from a single unit.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Untrained vs trained feature maps
#
# Keep a copy of the random network, then train the model for 3 epochs on 5000 MNIST
# digits (a few seconds on a laptop CPU). 2000 other training digits are the validation set;
# the test set is used once, at the end.

# %% slideshow={"slide_type": "-"}
untrained = copy.deepcopy(model)
x_all, y_all = data.load_tensors("mnist", train=True, limit=7000)
train = data.TensorBatches(x_all[:5000], y_all[:5000], batch_size=64)
val = data.TensorBatches(x_all[5000:], y_all[5000:], batch_size=500, shuffle=False)
x_test, y_test = data.load_tensors("mnist", train=False, limit=2000)
test = data.TensorBatches(x_test, y_test, batch_size=500, shuffle=False)

# %% slideshow={"slide_type": "fragment"} tags=["nbval-ignore-output"]
# val: held-out training digits scored after every epoch (lecture 13 says more)
history = training.fit(model, train, epochs=3, val=val,
                       optimizer=torch.optim.Adam(model.parameters(), lr=3e-3))

# %% slideshow={"slide_type": "-"} tags=["nbval-ignore-output"]
accuracy = training.evaluate(model, test).accuracy            # the test set, once
print(f"validation accuracy {history.val_acc[-1]:.1%}; test accuracy {accuracy:.1%}")

# %% slideshow={"slide_type": "skip"}
assert accuracy > 0.9 and history.val_acc[-1] > 0.9, (accuracy, history.val_acc)
assert training.evaluate(untrained, val).accuracy < 0.3       # the copy stayed random

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### How far did the weights move?
#
# Per layer: the initial scale (RMS of the random weights; PyTorch's default gives
# 1/√(3·fan_in), lecture 08), the **RMS change per weight**, and the **relative change**
# ‖W_trained − W_random‖ / ‖W_random‖ (= RMS change / initial RMS).

# %% slideshow={"slide_type": "-"} tags=["nbval-ignore-output"]
layer_names = {"0.0.weight": "conv 1", "0.3.weight": "conv 2", "1.1.weight": "linear"}
now, start = dict(model.named_parameters()), dict(untrained.named_parameters())
rms = lambda t: t.detach().pow(2).mean().sqrt().item()
table = {label: (start[n][0].numel(), rms(start[n]), rms(now[n] - start[n]))
         for n, label in layer_names.items()}           # fan_in, initial RMS, RMS change
print("layer   fan_in  1/√(3·fan_in)  initial RMS  RMS change  relative")
for label, (fan_in, w0, dw) in table.items():
    print(f"{label:7s} {fan_in:6d}  {(3 * fan_in) ** -0.5:13.3f}  {w0:11.3f}  {dw:10.3f}"
          f"  {dw / w0:8.0%}")

# %% slideshow={"slide_type": "skip"}
for n, (fan_in, w0, dw) in zip(layer_names, table.values()):
    assert abs(w0 * (3 * fan_in) ** 0.5 - 1) < 0.15, (n, w0)      # the default init scale
    rel = ((now[n] - start[n]).norm() / start[n].norm()).item()
    assert abs(rel - dw / w0) < 1e-4                              # relative = RMS ratio
w0s, dws = [t[1] for t in table.values()], [t[2] for t in table.values()]
assert max(w0s) / min(w0s) > 7                  # initial scales: 9× apart (√(784/9) = 9.3)
assert max(dws) / min(dws) < 3                  # changes per weight: the same order
assert dws[0] == max(dws)                       # here the first layer moved most per weight
assert table["conv 1"][2] < table["conv 1"][1]  # conv 1: relative change below 100%

# %% [markdown] slideshow={"slide_type": "fragment"}
# Per weight, all layers moved by the same order of amount (Adam steps every weight by about
# the learning rate or less, whatever its scale); the first layer even moved most. The relative
# change ranks conv 1 < conv 2 < linear only because the initial scale shrinks with fan_in.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The first layer's 8 maps for one digit
#
# After the ReLU, random kernels (top) vs trained (bottom). Pair by pair they still look
# alike: each first-layer kernel changed by less than its own initial size (relative change
# below 100%, previous slide).

# %% slideshow={"slide_type": "-"}
digit = x_test[:1]                                            # 1×1×28×28 (normalised)
with torch.no_grad():
    before, after = untrained[0][:2](digit)[0], model[0][:2](digit)[0]   # 8×28×28 each
titles = [f"random {i}" for i in range(8)] + [f"trained {i}" for i in range(8)]
fig = plotting.plot_feature_maps(torch.cat([before, after]), titles=titles, ncols=8,
                                 shared_scale=False)

# %% slideshow={"slide_type": "skip"}
assert before.shape == after.shape == (8, 28, 28) and int(y_test[0]) == 7

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The second block's 16 maps
#
# Random network: rows 1–2; trained: rows 3–4. Several trained maps light up on one part of
# the digit (a bar, a diagonal stroke).

# %% slideshow={"slide_type": "-"}
with torch.no_grad():
    maps = torch.cat([untrained[0][:5](digit)[0], model[0][:5](digit)[0]])   # 32×14×14
fig = plotting.plot_feature_maps(maps, ncols=8, shared_scale=False, size=0.75)
show(fig, alt="The second block's 16 maps of 14×14 for the same digit: the random network's "
              "in rows 1 and 2, the trained network's in rows 3 and 4.")

# %% slideshow={"slide_type": "skip"}
assert maps.shape == (32, 14, 14)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### How many units are active?
#
# The share of second-block units that are switched on (> 0 after the ReLU), over 500
# test digits. One run: a random network's share depends on its random start.

# %% slideshow={"slide_type": "-"} tags=["nbval-ignore-output"]
with torch.no_grad():
    active = {name: (net[0][:5](x_test[:500]) > 0).float().mean().item()
              for name, net in [("random", untrained), ("trained", model)]}
print(", ".join(f"{name}: {a:.0%} active" for name, a in active.items()))

# %% slideshow={"slide_type": "skip"}
# over 9 random starts (seeds 0-5, 10-12) the trained share was 30-44 %, the random one
# 21-63 %: "fewer than random" does not hold on every start, so the slides do not claim it
assert 0.2 < active["trained"] < 0.5, active         # "a third to two fifths"

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What the last layer receives, trained
#
# The 16 maps of 7×7 after the second block, for the same digit: coarse "which feature,
# where". These 784 numbers are all the classifier sees.

# %% slideshow={"slide_type": "-"}
with torch.no_grad():
    seen = features(digit)[0]                                 # 16×7×7
    scores = model(digit)[0]
fig = plotting.plot_feature_maps(seen, ncols=8, shared_scale=False, size=1.1)
print("predicted class:", scores.argmax().item(), " true class:", y_test[0].item())

# %% slideshow={"slide_type": "skip"}
assert seen.shape == (16, 7, 7) and seen.min() >= 0           # after ReLU and max pooling

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# * Pooling (max or average) has no weights; 2×2 with stride 2 halves each side, with the
#   same output-size formula as a convolution.
# * It cuts parameters and work downstream and makes small shifts matter less (measured:
#   less, not zero).
# * Convolutions share weights: 100 parameters instead of 1010 (or 7850 for MNIST).
# * Stacking layers grows the receptive field; the final layer sees coarse feature maps.
# * Compare how far layers move per weight *and* relative to their initial scale: with
#   the default init the relative change ranks layers by fan_in, not by depth.
# * After training, a third to two fifths of the second block's units are on for a digit.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Write your answer in the cell under each exercise, run it, then run the check below it.

# %% slideshow={"slide_type": "-"}
from nbhelpers.check import pooling_and_cnn_layers as check


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: max pooling by hand
#
# Write `max_pool(x, k)`: max pooling of an H×W tensor with k×k windows and stride k, with
# loops or slicing (not `F.max_pool2d`). Windows that would stick out are dropped.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
def max_pool(x, k):
    h, w = x.shape[0] // k, x.shape[1] // k
    out = torch.empty(h, w)
    for i in range(h):
        for j in range(w):
            out[i, j] = x[i * k:(i + 1) * k, j * k:(j + 1) * k].max()
    return out


# %% slideshow={"slide_type": "-"}
check.max_pool(max_pool)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: the receptive field of any stack
#
# Write `rf(layers)`: `layers` is a list of `(kernel_size, stride)`, first layer first, e.g.
# `[(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)]` for conv 3×3 → max-pool 2×2 → conv 3×3 →
# max-pool 2×2 → conv 3×3. Return how many input pixels (along one axis) one unit of the
# last layer sees. The check compares with the receptive field measured by gradient.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
def rf(layers):
    r, jump = 1, 1                   # jump: input pixels between neighbouring units
    for k, s in layers:
        r += (k - 1) * jump
        jump *= s
    return r


# %% slideshow={"slide_type": "-"}
check.receptive_field(rf)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: a CNN under 5 000 parameters
#
# Build `model`: input N×1×28×28, output N×10 class scores, at least two `nn.Conv2d`, at
# least one pooling layer, and fewer than 5 000 parameters in total.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
model = nn.Sequential(
    nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),     # 4×14×14
    nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),     # 8×7×7
    nn.Flatten(), nn.Linear(8 * 7 * 7, 10),
)

# %% slideshow={"slide_type": "-"}
check.small_design(model)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Reading
#
# * Goodfellow et al., 9.3 (pooling)
# * d2l.ai 7.3–7.5, *Padding and Stride*, *Multiple Input and Multiple Output Channels*,
#   *Pooling*
# * Dumoulin & Visin (2016)
