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
# # Convolution filters
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-lectures/nn-lectures/blob/main/notebooks/10_convolution_filters.ipynb)
#
# *A small kernel slid over an image:* feature maps, classic filters, padding, stride, dilation,
# channels — and a first filter that is learned instead of designed.

# %% slideshow={"slide_type": "skip"}
# Setup: install nbhelpers on Colab only, seed everything, pick the device.
import sys
if "google.colab" in sys.modules:
    # %pip install -q "nbhelpers @ git+https://github.com/nn-lectures/nn-lectures"
import nbhelpers
device = nbhelpers.setup(seed=0)

# %% slideshow={"slide_type": "skip"}
import torch
import torch.nn.functional as F
import matplotlib.pyplot as plt
from nbhelpers import images, kernels, plotting
from nbhelpers.display import show   # plt.show() with alt text
from nbhelpers.widgets import convolution as cw, kernel_editor as ke
import numpy as np

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What a filter computes
#
# A **kernel** (filter) is a small grid of weights, e.g. 3×3. Slide it over the image; at
# every position the output is the **sum of the element-wise products** of the kernel and the
# pixels under it, plus a bias $b$:
#
# $$y_{ij} = b + \sum_{k=0}^{F-1}\sum_{l=0}^{F-1} W_{kl}\; x_{i+k,\,j+l}$$
#
# $(i, j)$ is the window's top-left corner. The output image is a **feature map**.

# %% slideshow={"slide_type": "fragment"}
x = torch.tensor([[1., 2, 2, 1, 3],
                  [1, 1, 3, 2, 1],
                  [2, 0, 1, 0, 2],
                  [1, 3, 2, 1, 0],
                  [0, 1, 1, 2, 1]])      # a 5×5 "image"
W = torch.tensor([[-1., 0, 1]] * 3)     # 3×3: right column minus left column

# %% slideshow={"slide_type": "skip"}
assert torch.equal(x, cw.EXAMPLE_INPUT) and torch.equal(W, cw.EXAMPLE_KERNEL)  # as in demos

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### One output pixel, by hand
#
# The window at the top-left corner covers `x[0:3, 0:3]`:

# %% slideshow={"slide_type": "-"}
window = x[0:3, 0:3]
products = window * W              # element-wise, 3×3
print(products)
print("y[0, 0] = sum of the products =", products.sum().item())

# %% [markdown] slideshow={"slide_type": "fragment"}
# Left column $-(1 + 1 + 2) = -4$, middle column $0$, right column $2 + 3 + 1 = 6$:
# $y_{00} = -4 + 0 + 6 = 2$. Brightness grows from left to right here.

# %% slideshow={"slide_type": "skip"}
assert products.sum().item() == -(1 + 1 + 2) + (2 + 3 + 1) == 2

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### One step in detail
#
# The window, the kernel, their element-wise products and their sum, which fills one cell
# of the output (outlined). The slider (or ▶) moves the window; padding and stride too.

# %% slideshow={"slide_type": "-"}
fig = cw.sliding_window_figure(step=4, x=x, kernel=W)

# %% slideshow={"slide_type": "skip"}
y11 = F.conv2d(x[None, None], W[None, None])[0, 0, 1, 1]
assert y11 == (x[1:4, 1:4] * W).sum() == -1                 # the value in the figure

# %% slideshow={"slide_type": "subslide"} tags=["widget"]
cw.sliding_window_widget(x=x, kernel=W)

# %% [markdown] slideshow={"slide_type": "fragment"}
# *Try:* stride 2, then stride 3: which input cells does no window ever read (hatched)?

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The whole feature map, three ways
#
# The same sum at every position: plain loops (the definition), the course's vectorised
# `kernels.conv2d`, and PyTorch's `F.conv2d` (which wants batch × channels × H × W).

# %% slideshow={"slide_type": "-"}
y_loops = kernels.conv2d_loops(x, W)
y_ours = kernels.conv2d(x, W)
y_torch = F.conv2d(x[None, None], W[None, None])[0, 0]
print(y_torch)
print("identical:", torch.equal(y_loops, y_torch) and torch.equal(y_ours, y_torch))

# %% slideshow={"slide_type": "skip"}
assert torch.equal(y_loops, y_torch) and torch.equal(y_ours, y_torch)
assert y_torch.shape == (3, 3) and y_torch[0, 0] == 2

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Cross-correlation or convolution?
#
# What we computed is, strictly, **cross-correlation**. The mathematical **convolution**
# flips the kernel first: $(x * W)_{ij} = \sum_{k,l} W_{kl}\, x_{i-k,\,j-l}$.
# Deep-learning libraries compute cross-correlation and call it convolution. For learned
# kernels it makes no difference (the network learns the flipped kernel); for kernels that a
# 180° rotation leaves unchanged (blurs, Laplacian) the two are equal.

# %% slideshow={"slide_type": "fragment"}
a, v = np.array([1., 2, 0, 3, 1]), np.array([1., 0, -1])
conv = np.convolve(a, v, mode="valid")                   # true convolution (flips v)
corr = F.conv1d(torch.tensor(a)[None, None], torch.tensor(v)[None, None])[0, 0].numpy()
flip = F.conv1d(torch.tensor(a)[None, None], torch.tensor(v[::-1].copy())[None, None])[0, 0]
print("numpy convolve:", conv, "  torch:", corr, "  torch, kernel flipped:", flip.numpy())

# %% slideshow={"slide_type": "skip"}
assert np.allclose(conv, flip.numpy()) and not np.allclose(conv, corr)
# in 2-D: flipping our W (left-right) turns it into -W, so the map changes sign
assert torch.equal(F.conv2d(x[None, None], W.flip(0, 1)[None, None])[0, 0], -y_torch)
for name in ("box_blur", "gaussian_blur", "edge"):    # a 180° rotation changes nothing
    assert torch.equal(kernels.KERNELS[name].flip(0, 1), kernels.KERNELS[name])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Classic kernels
#
# Hand-designed in image processing long before neural networks. The sum of the weights
# tells you a lot: **1** keeps the brightness (identity, blurs, sharpen, emboss), **0** means
# "respond only to change" (edge detection, Sobel).

# %% slideshow={"slide_type": "-"}
fig, axes = plt.subplots(1, 8, figsize=(11, 1.9))
for ax, (name, k) in zip(axes, kernels.KERNELS.items()):
    plotting.plot_kernel(k, ax=ax, title=name.replace("_", " "))
    ax.title.set_fontsize(12)
show(fig, alt="The 8 classic 3×3 kernels with their weights written in: "
              f"{', '.join(n.replace('_', ' ') for n in kernels.KERNELS)}. The first four and "
              "emboss sum to 1 (keep the brightness); edge and the Sobels sum to 0.")

# %% slideshow={"slide_type": "skip"}
sums = {name: round(k.sum().item(), 6) for name, k in kernels.KERNELS.items()}
assert sums == {"identity": 1, "box_blur": 1, "gaussian_blur": 1, "sharpen": 1, "edge": 0,
                "sobel_x": 0, "sobel_y": 0, "emboss": 1}, sums

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### On a photograph
#
# Matplotlib ships a portrait of Grace Hopper; `images.sample_photo` loads it in grey.

# %% slideshow={"slide_type": "-"}
photo = images.sample_photo(size=150)          # 150×128, values in [0, 1]
names = ["identity", "box_blur", "sharpen", "edge", "sobel_x", "sobel_y"]
maps = torch.stack([kernels.conv2d(photo, kernels.KERNELS[n]) for n in names])
print("photo", tuple(photo.shape), "-> maps", tuple(maps.shape))
titles = [n.replace("_", " ") for n in names]
fig = plotting.plot_feature_maps(maps, titles=titles, ncols=6, shared_scale=False, size=1.8)
show(fig, alt="A portrait after six 3×3 kernels: identity gives the photo, box blur a blurred "
              "copy, sharpen a crisper one; edge, Sobel x and Sobel y are mid-grey where nothing "
              "changes, with light and dark outlines at edges (Sobel x at vertical edges, "
              "Sobel y at horizontal ones).")

# %% slideshow={"slide_type": "skip"}
assert photo.shape == (150, 128) and maps.shape == (6, 148, 126)
assert torch.equal(maps[0], photo[1:-1, 1:-1])                    # identity: a crop
assert abs(maps[1].mean() - photo.mean()) < 0.01                  # blur keeps brightness
flat = torch.full((5, 5), 0.7)                          # zero-sum kernels give 0 on flat
assert all(kernels.conv2d(flat, kernels.KERNELS[n]).abs().max() < 1e-6
           for n in ("edge", "sobel_x", "sobel_y"))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Feature maps: *where* is this feature?
#
# A map is large where the pixels under the kernel look like the kernel, and it keeps the
# image's layout. Sobel x is **positive** where brightness grows to the right (the left side
# of a bright stroke) and **negative** where it falls; Sobel y does the same top to bottom.
# Here on an MNIST digit.

# %% slideshow={"slide_type": "-"}
digit = images.mnist_digit(label=7)                  # 28×28 in [0, 1]
gx = kernels.conv2d(digit, kernels.KERNELS["sobel_x"])
gy = kernels.conv2d(digit, kernels.KERNELS["sobel_y"])
strength = (gx**2 + gy**2).sqrt()                    # edge strength, any direction
fig = plotting.plot_feature_maps(torch.stack([digit[1:-1, 1:-1], gx, gy, strength]),
                                 titles=["digit", "Sobel x", "Sobel y", "strength"],
                                 ncols=4, shared_scale=False, size=2.3)
show(fig, alt="A handwritten 7 and its edges: Sobel x marks the slanted stroke, light on one "
              "side and dark on the other, and hardly the top bar; Sobel y marks the top bar; "
              "the strength √(gx² + gy²) outlines the whole digit.")

# %% slideshow={"slide_type": "skip"}
assert digit.shape == (28, 28) and 0 <= digit.min() < digit.max() <= 1
assert gx.shape == gy.shape == (26, 26) and gx.max() > 0 > gx.min()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Checked on a clean vertical edge
#
# Dark on the left, bright from column 4 on: only the windows that straddle the edge respond.

# %% slideshow={"slide_type": "-"}
step = torch.zeros(6, 8)
step[:, 4:] = 1.0
sx = kernels.conv2d(step, kernels.KERNELS["sobel_x"])
sy = kernels.conv2d(step, kernels.KERNELS["sobel_y"])
print("Sobel x, one row:", sx[0].tolist())
print("Sobel y, largest |value|:", sy.abs().max().item())

# %% slideshow={"slide_type": "skip"}
assert sx[0].tolist() == [0, 0, 4, 4, 0, 0] and (sx == sx[0]).all()   # 1 + 2 + 1 = 4
assert sy.abs().max() == 0

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Try it: the kernel editor
#
# Every preset on the photo (kernel above, feature map below); then edit the numbers yourself,
# on this photo or on your own (the *photo* button: a PNG or JPEG under 5 MB).

# %% slideshow={"slide_type": "-"}
fig = ke.presets_figure(image=photo)

# %% slideshow={"slide_type": "skip"}
assert images.MAX_UPLOAD_MB == 5                  # "under 5 MB"; an upload is resized to the
editor = ke.kernel_editor_widget(image=photo, upload=True)      # photo's 150 px height
assert "under 5 MB" in editor.message.value and editor.image.shape[0] == photo.shape[0] == 150

# %% slideshow={"slide_type": "subslide"} tags=["widget"]
ke.kernel_editor_widget(image=photo, upload=True)

# %% [markdown] slideshow={"slide_type": "fragment"}
# *Try:* make the weights sum to 0; turn Sobel x into Sobel y; put a single 1 off-centre.

# %% [markdown] slideshow={"slide_type": "notes"}
# Things to try: make the weights sum to 0 (edges only); transpose Sobel x into Sobel y;
# multiply a blur by 2 (brighter); switch to 5×5 and compare the 5×5 blur with the 3×3 one;
# put a single 1 off-centre (the image shifts by one pixel).
# Students' own photos are made grey and 150 px high, like the default one. On Colab, files
# larger than about 1 MB may not arrive through the widget (a limit of Colab's widget
# bridge, ipywidgets issue 3452): use a small photo there.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Padding
#
# Without padding an F×F kernel shrinks the image by F − 1 (our 5×5 became 3×3).
# **Zero padding** adds P rings of zeros around the input. With stride 1, **"same" padding**
# P = (F − 1)/2 (odd F) keeps the size: F = 3 → P = 1, F = 5 → P = 2, F = 7 → P = 3.
# Below: P = 1 around our 5×5 example (zeros in grey); the 3×3 kernel now fits 5 × 5 times.

# %% slideshow={"slide_type": "-"}
fig = cw.sliding_window_figure(step=5, x=x, kernel=W, padding=1)

# %% slideshow={"slide_type": "skip"}
for f in (3, 5, 7):                              # "same" padding, checked with torch
    p = (f - 1) // 2
    out = F.conv2d(torch.zeros(1, 1, 28, 28), torch.zeros(1, 1, f, f), padding=p)
    same = F.conv2d(torch.zeros(1, 1, 28, 28), torch.zeros(1, 1, f, f), padding="same")
    assert out.shape[-2:] == same.shape[-2:] == (28, 28) and 28 - f + 2 * p + 1 == 28
assert torch.equal(kernels.conv2d(x, W, padding=1),
                   F.conv2d(x[None, None], W[None, None], padding=1)[0, 0])
assert kernels.conv2d(x, W, padding=1).shape == (5, 5)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Stride and the output size
#
# With **stride** S the window jumps S pixels. Along each axis:
#
# $$O = \left\lfloor \frac{N - F + 2P}{S} \right\rfloor + 1$$
#
# Example N = 7, F = 3, P = 0: S = 2 gives 4/2 + 1 = **3**, S = 3 gives ⌊4/3⌋ + 1 = **2**
# (a window that does not fit is dropped).
#
# > **The source notes said:** for S = 1, (7 − 3)/1 + 1 = 4. **In fact:** it is **5**; the
# > + 1 counts the first position.

# %% slideshow={"slide_type": "fragment"}
for s in (1, 2, 3):
    by_formula = (7 - 3 + 2 * 0) // s + 1
    by_torch = F.conv2d(torch.zeros(1, 1, 7, 7), W[None, None], stride=s).shape[-1]
    print(f"S={s}: formula {by_formula}, torch {by_torch}")

# %% slideshow={"slide_type": "skip"}
sizes = [F.conv2d(torch.zeros(1, 1, 7, 7), W[None, None], stride=s).shape[-1] for s in (1, 2, 3)]
assert sizes == [(7 - 3) // s + 1 for s in (1, 2, 3)] == [5, 3, 2]
assert (7 - 3) / 1 + 1 == 5 and (7 - 3) / 3 + 1 > 2.33 and int((7 - 3) / 3 + 1) == 2

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### A stride that does not fit
#
# S = 3: the windows start at 0 and 3 and cover columns 0–5. Column 6 (hatched) is never
# read: a third window would stick out. So changing it cannot change the output.

# %% slideshow={"slide_type": "-"}
fig = cw.output_size_figure(n=7, f=3, stride=3)

# %% slideshow={"slide_type": "fragment"}
img = torch.rand(1, 1, 7, 7)
changed = img.clone()
changed[..., 6, :] = changed[..., :, 6] = 100.0             # last row and last column
ones = torch.ones(1, 1, 3, 3)
before, after = F.conv2d(img, ones, stride=3), F.conv2d(changed, ones, stride=3)
print("output changed?", not torch.equal(before, after))

# %% slideshow={"slide_type": "skip"}
assert torch.equal(before, after)
assert not torch.equal(F.conv2d(img, ones, stride=2), F.conv2d(changed, ones, stride=2))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The output-size calculator
#
# The previous slide's figure, live: sliders for N, F, P, S (and D, next slide); the title compares the
# formula with the size torch produces.

# %% slideshow={"slide_type": "-"} tags=["widget"]
cw.output_size_widget()

# %% [markdown] slideshow={"slide_type": "fragment"}
# *Try:* N = 7, F = 3 at S = 1, 2, 3; then find the padding that keeps N = 7 at S = 1.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Dilation
#
# **Dilation** D spaces the kernel's taps D pixels apart: a 3×3 kernel with D = 2 spans 5×5
# with only 9 weights. Replace F by the span D(F − 1) + 1; torch's formula is
#
# $$O = \left\lfloor \frac{N + 2P - D(F-1) - 1}{S} \right\rfloor + 1$$

# %% slideshow={"slide_type": "fragment"}
for n, f, p, s, d in [(7, 3, 0, 1, 2), (28, 3, 2, 1, 2), (32, 5, 0, 2, 3)]:
    by_formula = (n + 2 * p - d * (f - 1) - 1) // s + 1
    by_torch = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, f, f), padding=p,
                        stride=s, dilation=d).shape[-1]
    print(f"N={n} F={f} P={p} S={s} D={d}: formula {by_formula}, torch {by_torch}")

# %% slideshow={"slide_type": "skip"}
cases = [(7, 3, 0, 1, 2), (28, 3, 2, 1, 2), (32, 5, 0, 2, 3)]
assert [F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, f, f), padding=p, stride=s,
                 dilation=d).shape[-1] for n, f, p, s, d in cases] == [3, 28, 10]
assert [(n + 2 * p - d * (f - 1) - 1) // s + 1 for n, f, p, s, d in cases] == [3, 28, 10]

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Channels
#
# A colour image has C_in = 3 channels (R, G, B). A kernel then has **one k×k slice per
# input channel**; each slice filters its channel and the results are **summed** into one
# map (plus one bias). C_out kernels give C_out output maps: weight **C_out × C_in × k × k**,
# parameters C_out · C_in · k · k + C_out, whatever the image size.

# %% slideshow={"slide_type": "fragment"}
rgb = images.sample_photo(size=150, rgb=True)         # 3×150×128
layer = torch.nn.Conv2d(in_channels=3, out_channels=8, kernel_size=3)
together = layer(rgb[None])[0, 0]                     # output map 0
per_channel = sum(F.conv2d(rgb[c][None, None], layer.weight[:1, c:c + 1])[0, 0]
                  for c in range(3)) + layer.bias[0]
print("map 0", tuple(together.shape), "= sum of 3 per-channel maps + bias:",
      torch.allclose(together, per_channel, atol=1e-5))
print("weight", tuple(layer.weight.shape), " bias", tuple(layer.bias.shape))
n_params = sum(p.numel() for p in layer.parameters())
print("parameters:", n_params, "= 8·3·3·3 + 8 =", 8 * 3 * 3 * 3 + 8)

# %% slideshow={"slide_type": "skip"}
assert rgb.shape == (3, 150, 128) and together.shape == (148, 126)
assert torch.allclose(together, per_channel, atol=1e-5)
assert layer.weight.shape == (8, 3, 3, 3) and layer.bias.shape == (8,)
assert n_params == 8 * 3 * 3 * 3 + 8 == 224

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### An RGB example: four hand-made kernels
#
# 3 input channels → 4 output channels, weight 4 × 3 × 3 × 3.

# %% slideshow={"slide_type": "-"}
W4 = torch.zeros(4, 3, 3, 3)
W4[0, 0, 1, 1], W4[0, 1, 1, 1] = 1.0, -1.0             # red minus green
W4[1, :, 1, 1] = torch.tensor(images.LUMA)             # grey: .299 R + .587 G + .114 B
W4[2] = kernels.KERNELS["sobel_x"] / 3                 # Sobel x on the mean of R, G, B
W4[3] = kernels.KERNELS["sobel_y"] / 3
maps = F.conv2d(rgb[None], W4)[0]                      # 4×148×126
titles = ["input (RGB)", "red − green", "brightness", "Sobel x", "Sobel y"]
fig, axes = plt.subplots(1, 5, figsize=(11, 2.9))
for ax, img, title in zip(axes, [rgb.permute(1, 2, 0), *maps], titles):
    ax.imshow(img, cmap="gray"); ax.set_title(title); ax.axis("off")
show(fig, alt="A colour portrait and the four maps of one convolution: red − green (bright "
              "where red dominates), brightness (the portrait in grey), Sobel x (vertical "
              "edges) and Sobel y (horizontal edges).")

# %% slideshow={"slide_type": "skip"}
assert maps.shape == (4, 148, 126)
assert torch.allclose(maps[1], images.to_grey(rgb)[1:-1, 1:-1], atol=1e-6)
sobel_of_mean = kernels.conv2d(rgb.mean(0), kernels.KERNELS["sobel_x"])
assert torch.allclose(maps[2], sobel_of_mean, atol=1e-5)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A first learned filter
#
# Instead of designing a kernel, **learn** it. Task: from the photo, produce its Sobel-x
# edge map. Model: one `nn.Conv2d(1, 1, 3)` with random weights. Loss: mean squared error
# to the target map. A few hundred steps of Adam: does it find Sobel x?

# %% slideshow={"slide_type": "fragment"} tags=["nbval-ignore-output"]
torch.manual_seed(0)
target = kernels.conv2d(photo, kernels.KERNELS["sobel_x"])[None, None]   # 1×1×148×126
learner = torch.nn.Conv2d(1, 1, kernel_size=3)
start = learner.weight.detach().clone()
opt = torch.optim.Adam(learner.parameters(), lr=0.05)
losses = []
for _ in range(600):
    loss = F.mse_loss(learner(photo[None, None]), target)
    opt.zero_grad(); loss.backward(); opt.step()
    losses.append(loss.item())
print(f"loss: {losses[0]:.3f} -> {losses[-1]:.1e}")

# %% slideshow={"slide_type": "skip"}
# over seeds 0-7: the loss below 1e-4 of its start
assert losses[-1] < 1e-3 * losses[0], losses[-1]

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The learned kernel next to Sobel x

# %% slideshow={"slide_type": "-"}
learned, sobel = learner.weight.detach()[0, 0], kernels.KERNELS["sobel_x"]
r = torch.corrcoef(torch.stack([learned.flatten(), sobel.flatten()]))[0, 1].item()
fig, axes = plt.subplots(1, 4, figsize=(11, 2.9), width_ratios=[1, 1, 1, 1.6])
plotting.plot_kernel(start[0, 0], ax=axes[0], title="random start", fmt=".2f")
plotting.plot_kernel(learned, ax=axes[1], title="learned", fmt=".1f")
plotting.plot_kernel(sobel, ax=axes[2], title="Sobel x")
axes[3].semilogy(losses); axes[3].set(xlabel="step", title="loss (MSE)")
show(fig, alt="Three 3×3 kernels with their weights: the random start, the learned kernel and "
              f"Sobel x; the learned one matches Sobel x (correlation {r:.2f}). Right: the "
              "training loss on a log scale, falling over the steps.")
print(f"correlation between learned and Sobel x weights: {r:.2f}")

# %% slideshow={"slide_type": "skip"}
assert r > 0.995, r      # over seeds 0-7: r >= 0.998 (300 steps: r down to 0.977); prints 1.00

# %% [markdown] slideshow={"slide_type": "notes"}
# Gradient descent recovered the kernel from examples of its output alone. A CNN does the
# same with a loss that measures classification, not a target map: its first-layer kernels
# typically end up looking like edge and blob detectors (lecture 11 shows trained maps).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# * A convolution layer slides kernels over the input: output = Σ weights × pixels + bias;
#   torch computes cross-correlation (no flip).
# * Kernel weights decide the feature: blur, sharpen, edges; a feature map says *where*.
# * Output size per axis: ⌊(N + 2P − D(F − 1) − 1)/S⌋ + 1; "same" padding P = (F − 1)/2.
# * Weight C_out × C_in × k × k, parameters C_out·C_in·k² + C_out, whatever the image size.
# * Kernels can be learned by gradient descent, like any other weights.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Write your answer in the cell under each exercise, run it, then run the check below it.

# %% slideshow={"slide_type": "-"}
from nbhelpers.check import convolution_filters as check


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: the output size
#
# Write `out_size(n, f, p, s)`: the output size (along one axis) of a convolution with input
# size `n`, kernel size `f`, padding `p` and stride `s`. It must return a whole number.
# Write the formula (plain arithmetic): the check compares it with the shapes torch produces.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
def out_size(n, f, p, s):
    return (n - f + 2 * p) // s + 1


# %% slideshow={"slide_type": "-"}
check.output_size(out_size)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: a diagonal-edge detector
#
# Design a 3×3 `kernel` that responds to a **diagonal** edge, dark top-left and bright
# bottom-right; gives 0 on the *other* diagonal edge (dark bottom-left, bright top-right);
# and gives 0 on a flat image. (Sobel x and Sobel y react to both diagonals.)

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
kernel = torch.tensor([[-2., -1, 0],
                       [-1, 0, 1],
                       [0, 1, 2]])

# %% slideshow={"slide_type": "-"}
check.diagonal_edge_kernel(kernel)


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: count the parameters
#
# Write `conv_params(c_in, c_out, k, bias=True)`: how many numbers
# `nn.Conv2d(c_in, c_out, k, bias=bias)` learns, as a formula (the check compares it with
# `numel()` of real layers). Check yourself: `nn.Conv2d(3, 8, 3)` has 224.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
def conv_params(c_in, c_out, k, bias=True):
    return c_out * c_in * k * k + (c_out if bias else 0)


# %% slideshow={"slide_type": "-"}
check.param_count(conv_params)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Reading
#
# * Goodfellow et al., chapter 9: 9.1–9.2 and 9.5 (convolution; stride, padding, channels;
#   the source notes say "chapter 8:
#   sections 9.1 to 9.3", but sections 9.x are chapter 9)
# * d2l.ai 7.1–7.4, *From Fully Connected Layers to Convolutions* to *Multiple Input and
#   Multiple Output Channels*
# * Dumoulin & Visin (2016), A guide to convolution arithmetic for deep learning
