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
# # Initialisation and batch normalisation
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-lectures/nn-lectures/blob/main/notebooks/08_initialisation_and_batch_norm.ipynb)
#
# *Lecture 08:* why the scale of the initial weights decides whether a deep network can learn
# at all; Xavier/Glorot and He/Kaiming initialisation and what PyTorch does by default; batch
# normalisation by hand and in PyTorch, training versus evaluation mode, and a measured
# ablation on lecture 12's CNN.

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
from functools import partial

import torch
import torch.nn.functional as F
from torch import nn
from nbhelpers import data, measured, models
from nbhelpers.initialisation import linear_stack, plot_lr_sweep, plot_signal_stats, signal_stats
from nbhelpers.training import fit, seed_everything
from nbhelpers.display import show   # plt.show() with alt text

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A deep network as a measuring instrument
#
# 30 layers `Linear(256, 256, bias=False) → activation`. Send 512 random inputs
# $x \sim N(0, 1)$ forward, and a gradient of std 1 backward from the output
# (loss $L = \sum \text{output} \cdot g$, $g \sim N(0,1)$), and measure at every layer $l$
# the std of its output $h_l$ and of the gradient $\partial L/\partial h_l$ reaching it.
# First: every weight drawn from $N(0, 1)$, or from $N(0, 0.01^2)$.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-ignore-output"]
def initialised(activation, init, depth=30, width=256):
    seed_everything(0)
    net = linear_stack(depth=depth, width=width, activation=activation)
    for layer in net[::2]:                      # the Linear layers
        init(layer.weight)                      # an in-place torch.nn.init function
    return net

naive = {f"{act}, N(0, {s}²)": signal_stats(initialised(act, partial(nn.init.normal_, std=s)))
         for act in ("tanh", "relu") for s in (1, 0.01)}
for name, st in naive.items():
    print(f"{name:17s} std of h_1: {st.forward[0]:.2g}, of h_30: {st.forward[-1]:.2g};"
          f"  of the gradient at layer 1: {st.backward[0]:.2g}")

# %% slideshow={"slide_type": "skip"}
# output not compared by nbval: tanh with N(0, 1) is chaotic, the 2nd digit of its gradient
# depends on the CPU's tanh; these ranges hold everywhere
zero = initialised("relu", nn.init.zeros_)                  # the slide's last bullet
assert len(zero) == 60 and all(isinstance(m, nn.Linear) and m.bias is None for m in zero[::2])
zero_stats = signal_stats(zero)
assert all(v == 0 for v in zero_stats.forward) and all(v == 0 for v in zero_stats.backward[:-1])
assert all(torch.count_nonzero(layer.weight.grad) == 0 for layer in zero[::2])
relu_big, relu_small = naive["relu, N(0, 1²)"], naive["relu, N(0, 0.01²)"]
tanh_big, tanh_small = naive["tanh, N(0, 1²)"], naive["tanh, N(0, 0.01²)"]
# ReLU: each layer multiplies E[h²] by n_in · Var[w] / 2 = 128 (std × 11.3), or by 0.0128
for st, factor in ((relu_big, 128 ** 0.5), (relu_small, 0.0128 ** 0.5)):
    assert abs((st.forward[-1] / st.forward[0]) ** (1 / 29) / factor - 1) < 0.05
    assert abs((st.backward[0] / st.backward[-1]) ** (1 / 29) / factor - 1) < 0.05
assert 1e30 < relu_big.forward[-1] < 1e33 and relu_small.forward[-1] < 1e-27
assert 0.9 < min(tanh_big.forward) and max(tanh_big.forward) < 1 and tanh_big.backward[0] > 1e12
assert tanh_small.forward[-1] < 1e-22 and tanh_small.backward[0] < 1e-22
# the notes: 40 layers overflow float32; the weight gradients of N(0, 0.01²) are all tiny
deeper = initialised("relu", lambda w: nn.init.normal_(w, std=1), depth=40)
assert not math.isfinite(signal_stats(deeper).forward[-1])
assert f"{torch.finfo(torch.float32).max:.1e}" == "3.4e+38"
signal_stats(net := initialised("relu", lambda w: nn.init.normal_(w, std=0.01)))
assert max(layer.weight.grad.norm() for layer in net[::2]) < 1e-20

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Naive initialisation: the signal explodes or vanishes

# %% slideshow={"slide_type": "-"}
fig = plot_signal_stats(naive)
show(fig, alt="Std of outputs (left), gradients (right) over 30 layers: N(0, 1²) weights make "
              "ReLU explode (~1e31), tanh's gradient grow (~1e13); N(0, 0.01²) makes both vanish.")

# %% [markdown] slideshow={"slide_type": "fragment"}
# * ReLU: a constant factor per layer, up or down, so a straight line on the log scale.
# * tanh with $N(0,1)$: outputs saturate at ±1 (std ≈ 1), but the gradient explodes on its
#   way back; with $N(0, 0.01^2)$ both vanish. Either way the first layers get steps far
#   too large or far too small.
# * All-zero weights are worse still: every $h_l$ and every weight gradient is exactly 0,
#   so gradient descent never moves them.

# %% [markdown] slideshow={"slide_type": "notes"}
# Float32 stops at about 3.4e38: the same stack with 40 ReLU layers of N(0, 1) weights
# overflows. The weight gradient of layer l is the gradient at its output z_l times its input
# h_(l-1) (summed over the batch): for N(0, 0.01²) one factor is tiny in every layer.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The variance of one layer
#
# $z_j = \sum_{i=1}^{n_\text{in}} w_{ji} x_i$ with weights drawn i.i.d., independently of the
# inputs, mean 0, variance $\mathrm{Var}[w]$. The $n_\text{in}$ terms are uncorrelated, each with
# variance $\mathrm{Var}[w]\,E[x_i^2]$, so
#
# $$\mathrm{Var}[z_j] = n_\text{in}\,\mathrm{Var}[w]\;E[x^2].$$
#
# $E[x^2]$, not $\mathrm{Var}[x]$: after a ReLU the inputs have a mean. If $z$ is symmetric
# about 0, $E[\mathrm{relu}(z)^2] = \frac12\mathrm{Var}[z]$.

# %% slideshow={"slide_type": "fragment"}
gen = torch.Generator().manual_seed(0)
z_prev = torch.randn(4000, 256, generator=gen)              # Var 1
x = z_prev.relu()                                            # the layer's input
w = torch.randn(256, 4096, generator=gen) * 0.1              # Var[w] = 0.01, 4096 units
z = x @ w
print(f"E[x²] = {x.pow(2).mean():.3f},  Var[x] = {x.var():.3f}")
predicted = 256 * 0.01 * x.pow(2).mean()                    # n_in · Var[w] · E[x²]
print(f"Var[z] measured {z.var():.3f},  n_in · Var[w] · E[x²] = {predicted:.3f}")

# %% slideshow={"slide_type": "skip"}
assert abs(x.pow(2).mean() - 0.5) < 0.01 and abs(x.var() - (0.5 - 1 / (2 * math.pi))) < 0.01
assert abs(z.var() / (256 * 0.01 * x.pow(2).mean()) - 1) < 0.02         # the formula
assert abs(z.var() / (256 * 0.01 * x.var()) - 1) > 0.4                  # Var[x] would be wrong

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Keep the variance the same in every layer
#
# * Forward, linear or tanh near 0 ($E[x^2] \approx \mathrm{Var}[z_\text{prev}]$):
#   $n_\text{in}\mathrm{Var}[w] = 1$ (LeCun 1998). Backward the same argument gives
#   $n_\text{out}\mathrm{Var}[w] = 1$.
# * **Xavier / Glorot** (2010), a compromise: $\mathrm{Var}[w] = \dfrac{2}{n_\text{in} + n_\text{out}}$;
#   uniform: $U(-a, a)$ with $a = \sqrt{\dfrac{6}{n_\text{in} + n_\text{out}}}$, as $\mathrm{Var}\,U(-a,a) = a^2/3$.
# * **He / Kaiming** (2015), for ReLU: half of $z$ is cut, $E[x^2] = \frac12\mathrm{Var}[z_\text{prev}]$,
#   so $\mathrm{Var}[w] = \dfrac{2}{n_\text{in}}$: std $\sqrt2 / \sqrt{n_\text{in}}$, the **gain** $\sqrt 2$.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Matched to the activation, the profile stays flat

# %% slideshow={"slide_type": "-"}
he_init = partial(nn.init.kaiming_normal_, nonlinearity="relu")
keep_default = lambda w: None                    # leave nn.Linear's own initialisation
good = {"tanh, Xavier": signal_stats(initialised("tanh", nn.init.xavier_normal_)),
        "relu, He": signal_stats(initialised("relu", he_init)),
        "relu, Xavier": signal_stats(initialised("relu", nn.init.xavier_normal_)),
        "relu, PyTorch default": signal_stats(initialised("relu", keep_default))}
fig = plot_signal_stats(good)
show(fig, alt="The same two panels with matched initialisations: ReLU with He init (dashed) "
              "stays near 1 in both directions; tanh with Xavier (solid) shrinks slowly, to "
              "0.1 forward; ReLU with Xavier (dotted) shrinks to about 1e-5 and ReLU with "
              "PyTorch's default (dash-dotted) to about 1e-12, forward and backward.")

# %% slideshow={"slide_type": "skip"}
he, xav_relu, default = good["relu, He"], good["relu, Xavier"], good["relu, PyTorch default"]
ratio = lambda s: s[-1] / s[0]                                      # noqa: E731
assert 0.7 < ratio(he.forward) < 1.4 and 0.7 < ratio(he.backward) < 1.4    # flat
tanh_x = good["tanh, Xavier"]                                       # drifts slowly
assert 0.15 < ratio(tanh_x.forward) < 0.3 and 2 < ratio(tanh_x.backward) < 6
# Xavier on ReLU halves E[x²] per layer (n_in = n_out): std × 0.707 per layer
assert abs(ratio(xav_relu.forward) ** (1 / 29) - 0.5 ** 0.5) < 0.03
# PyTorch's default on ReLU: E[x²] × 1/6 per layer, std × 0.41
assert abs(ratio(default.forward) ** (1 / 29) - (1 / 6) ** 0.5) < 0.03
net = initialised("tanh", lambda w: nn.init.xavier_normal_(w, gain=5 / 3))   # the notes' claim
tanh_gain = signal_stats(net).forward                               # within 30 %, every layer
assert 0.7 < min(tanh_gain) / tanh_gain[0] and max(tanh_gain) / tanh_gain[0] < 1.3

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What the profiles show
#
# He on ReLU stays flat; Xavier on tanh drifts slowly (tanh's slope is below 1 away from 0),
# a factor of a few over 30 layers instead of 20 to 30 orders of magnitude. Xavier on ReLU loses
# a factor $\sqrt2$ per layer, PyTorch's default (next slides) a factor $\sqrt6$.

# %% [markdown] slideshow={"slide_type": "notes"}
# With PyTorch's recommended tanh gain 5/3 (xavier_normal_(w, gain=5/3)) the forward profile
# of the tanh network stays within 30 % over the 30 layers (a hidden cell checks this). The
# default's fast decay matters for deep plain networks; shallow ones and networks with
# batch norm are fine with it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Images as tensors: $(N, C, H, W)$
#
# A batch of images is a 4-D tensor: $N$ images of $C$ **channels** (1 for grey MNIST, 3 for
# RGB) of $H \times W$ pixels. Convolution and channels are lecture 10's topic; today needs
# two facts about them:
#
# * `nn.Conv2d(C_in, C_out, k)` computes each output value from a $k \times k$ patch of all
#   $C_\text{in}$ input channels: its fan-in is $n_\text{in} = C_\text{in} \cdot k \cdot k$.
# * Its output has $C_\text{out}$ channels; batch norm treats each channel as one feature.

# %% slideshow={"slide_type": "fragment"}
images = torch.randn(32, 8, 14, 14)          # N = 32 images, C = 8 channels, 14 × 14 pixels
conv = nn.Conv2d(8, 16, 5)                   # C_in = 8, C_out = 16, 5 × 5 kernels
print("input", tuple(images.shape), "→ output", tuple(conv(images).shape))
print("weight", tuple(conv.weight.shape), "→ fan-in 8 · 5 · 5 =", conv.weight[0].numel())

# %% slideshow={"slide_type": "skip"}
# one output value = the sum over a 5 × 5 patch of all 8 input channels (+ bias): 200 inputs
patch = images[0, :, 2:7, 4:9]                                    # (C_in, k, k)
by_hand = (conv.weight[3] * patch).sum() + conv.bias[3]
assert torch.allclose(conv(images)[0, 3, 2, 4], by_hand, atol=1e-5) and patch.numel() == 200
assert conv(images).shape == (32, 16, 10, 10)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## In PyTorch: `torch.nn.init`
#
# Each function fills a tensor in place; the fans come from its shape:
# $n_\text{in}$ = `weight.shape[1]`, $n_\text{out}$ = `weight.shape[0]`, each times $k \cdot k$ for a
# $k \times k$ convolution (the previous slide).

# %% slideshow={"slide_type": "fragment"}
def formulas(n_in, n_out):    # what each function should give: (std or bound, which)
    return {"xavier_uniform_": (math.sqrt(6 / (n_in + n_out)), "bound"),
            "xavier_normal_": (math.sqrt(2 / (n_in + n_out)), "std"),
            "kaiming_uniform_": (math.sqrt(6 / n_in), "bound"),      # gain √2 · √(3 / n_in)
            "kaiming_normal_": (math.sqrt(2 / n_in), "std")}

for name, (formula, kind) in formulas(n_in=512, n_out=256).items():
    relu = {"nonlinearity": "relu"} if "kaiming" in name else {}
    w = getattr(nn.init, name)(torch.empty(256, 512), **relu)      # (n_out, n_in)
    got = w.abs().max() if kind == "bound" else w.std()
    print(f"{name:17s} {kind:5s}  formula {formula:.5f}   measured {got:.5f}")

# %% slideshow={"slide_type": "skip"}
for shape, fans in [((256, 512), (512, 256)), ((16, 8, 5, 5), (200, 400))]:
    assert nn.init._calculate_fan_in_and_fan_out(torch.empty(shape)) == fans
    for name, (formula, kind) in formulas(*fans).items():
        relu = {"nonlinearity": "relu"} if "kaiming" in name else {}
        w = getattr(nn.init, name)(torch.empty(shape), **relu)
        std = formula / math.sqrt(3) if kind == "bound" else formula   # Var U(-a, a) = a²/3
        assert abs(w.std() / std - 1) < 0.03, (name, shape)
        if kind == "bound":
            assert 0.99 * formula < w.abs().max() <= formula

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The gain of each activation
#
# `nn.init.calculate_gain(name)` is the factor on the std: He is $\text{gain}/\sqrt{n_\text{in}}$,
# Xavier $\text{gain}\cdot\sqrt{2/(n_\text{in}+n_\text{out})}$ (the Glorot paper uses gain 1).

# %% slideshow={"slide_type": "fragment"}
for args in [("linear",), ("relu",), ("tanh",), ("leaky_relu", 0.1)]:
    print(f"{str(args):22s} {nn.init.calculate_gain(*args):.4f}")
print(f"√2 = {math.sqrt(2):.4f}, 5/3 = {5 / 3:.4f}, √(2/1.01) = {math.sqrt(2 / 1.01):.4f}")

# %% slideshow={"slide_type": "skip"}
assert nn.init.calculate_gain("linear") == nn.init.calculate_gain("sigmoid") == 1
assert math.isclose(nn.init.calculate_gain("relu"), math.sqrt(2))
assert math.isclose(nn.init.calculate_gain("tanh"), 5 / 3)
assert math.isclose(nn.init.calculate_gain("leaky_relu", 0.1), math.sqrt(2 / (1 + 0.1**2)))
w = nn.init.kaiming_normal_(torch.empty(256, 512), nonlinearity="tanh")
assert abs(w.std() / (5 / 3 / math.sqrt(512)) - 1) < 0.01

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### PyTorch's default for `nn.Linear` and `nn.Conv2d`
#
# `reset_parameters()` calls `kaiming_uniform_(weight, a=√5)`: the leaky-ReLU gain
# $\sqrt{2/(1+5)} = 1/\sqrt3$ times the bound $\sqrt{3/n_\text{in}}$ is $1/\sqrt{n_\text{in}}$.
# So the weights are $U(-1/\sqrt{n_\text{in}}, 1/\sqrt{n_\text{in}})$, std $1/\sqrt{3\,n_\text{in}}$,
# and the biases $U(-1/\sqrt{n_\text{in}}, 1/\sqrt{n_\text{in}})$ too.
# For a convolution each output sees $C_\text{in} \cdot k \cdot k$ inputs (the $(N, C, H, W)$ slide):
# that is its $n_\text{in}$.

# %% slideshow={"slide_type": "fragment"}
for layer in [nn.Linear(512, 256), nn.Conv2d(8, 16, 5)]:
    fan_in = layer.weight[0].numel()                 # 512, and 8·5·5 = 200
    w, b = layer.weight.detach(), layer.bias.detach()
    print(f"{type(layer).__name__}: 1/√n_in = {1 / math.sqrt(fan_in):.4f},"
          f" max |w| {w.abs().max():.4f}, max |b| {b.abs().max():.4f}")
    print(f"        1/√(3 n_in) = {1 / math.sqrt(3 * fan_in):.4f}, std(w) {w.std():.4f}")

# %% slideshow={"slide_type": "skip"}
assert math.isclose(nn.init.calculate_gain("leaky_relu", math.sqrt(5)), 1 / math.sqrt(3))
for make in [lambda: nn.Linear(512, 256), lambda: nn.Conv2d(8, 16, 5),
             lambda: nn.Conv2d(64, 128, 3)]:
    seed_everything(1)
    layer = make()
    fan_in, w, b = layer.weight[0].numel(), layer.weight.detach(), layer.bias.detach()
    bound = 1 / math.sqrt(fan_in)
    assert 0.99 * bound < w.abs().max() <= bound and b.abs().max() <= bound
    assert abs(w.std() * math.sqrt(3 * fan_in) - 1) < 0.03
    seed_everything(1)
    assert torch.equal(w, nn.init.kaiming_uniform_(torch.empty_like(w), a=math.sqrt(5)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Batch normalisation (Ioffe & Szegedy, 2015)
#
# Normalise each channel $c$ over the mini-batch (for images: over $N$, $H$ and $W$):
#
# $$\mu_c = \frac1m\sum x, \qquad \sigma_c^2 = \frac1m\sum (x - \mu_c)^2, \qquad
# y = \gamma_c\,\frac{x - \mu_c}{\sqrt{\sigma_c^2 + \varepsilon}} + \beta_c$$
#
# with $m = N H W$ values per channel and the **biased** variance (divide by $m$).
# $\varepsilon = 10^{-5}$ avoids division by 0; $\gamma_c$ (init 1) and $\beta_c$ (init 0) are
# learned, so the layer can undo the normalisation where that helps.

# %% [markdown] slideshow={"slide_type": "notes"}
# A bias in the layer just before batch norm is subtracted away with the mean (a hidden cell
# checks it): that is why lecture 12's convolutions have bias=False; β takes its place.

# %% slideshow={"slide_type": "fragment"}
gen = torch.Generator().manual_seed(0)
x = 3 + 2 * torch.randn(16, 4, 5, 5, generator=gen)         # (N, C, H, W), not normalised
bn = nn.BatchNorm2d(4)
with torch.no_grad():                                        # some γ and β, for the test
    bn.weight.copy_(torch.tensor([1.0, 2.0, 0.5, 1.0]))
    bn.bias.copy_(torch.tensor([0.0, 1.0, -1.0, 3.0]))
c = lambda t: t.view(1, -1, 1, 1)                            # (C,) -> (1, C, 1, 1)
mu = x.mean(dim=(0, 2, 3), keepdim=True)                     # (1, C, 1, 1)
var = x.var(dim=(0, 2, 3), keepdim=True, unbiased=False)     # biased: divide by m
by_hand = c(bn.weight) * (x - mu) / torch.sqrt(var + bn.eps) + c(bn.bias)
out = bn.train()(x)
print(f"eps = {bn.eps}; equal to nn.BatchNorm2d:", torch.allclose(by_hand, out, atol=1e-5))

# %% slideshow={"slide_type": "skip"}
assert bn.eps == 1e-5 and bn.momentum == 0.1
assert torch.allclose(by_hand, out, atol=1e-5)
unbiased = x.var(dim=(0, 2, 3), keepdim=True)                # the wrong variance here
wrong = c(bn.weight) * (x - mu) / torch.sqrt(unbiased + bn.eps) + c(bn.bias)
assert not torch.allclose(wrong, out, atol=1e-5)
assert torch.allclose(out.mean(dim=(0, 2, 3)), bn.bias, atol=1e-5)       # per channel: mean β,
assert torch.allclose(out.std(dim=(0, 2, 3), unbiased=False), bn.weight, atol=1e-4)   # std γ
fresh = nn.BatchNorm2d(4)
assert torch.equal(fresh.weight, torch.ones(4)) and torch.equal(fresh.bias, torch.zeros(4))
assert torch.allclose(bn(x + c(torch.randn(4, generator=gen))), out, atol=1e-5)  # notes: bias

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Running statistics, for later
#
# In training mode each forward pass also updates two buffers (`momentum` = 0.1, the weight of
# the new batch):
#
# $$\hat\mu \leftarrow 0.9\,\hat\mu + 0.1\,\mu_B, \qquad
# \hat\sigma^2 \leftarrow 0.9\,\hat\sigma^2 + 0.1\,\frac{m}{m-1}\,\sigma_B^2$$
#
# The running variance uses the **unbiased** estimate (divide by $m - 1$), unlike the
# normalisation above. They start at $\hat\mu = 0$, $\hat\sigma^2 = 1$.

# %% slideshow={"slide_type": "fragment"}
bn2 = nn.BatchNorm2d(4)                                        # running_mean 0, running_var 1
bn2.train()(x)                                                  # one forward pass, training mode
m = x.numel() // 4                                              # N·H·W = 400 values per channel
mean_hand = 0.9 * torch.zeros(4) + 0.1 * mu.flatten()
var_hand = 0.9 * torch.ones(4) + 0.1 * var.flatten() * m / (m - 1)
print("running_mean", bn2.running_mean.numpy().round(4), " by hand", mean_hand.numpy().round(4))
print("running_var ", bn2.running_var.numpy().round(4), " by hand", var_hand.numpy().round(4))

# %% slideshow={"slide_type": "skip"}
assert torch.allclose(bn2.running_mean, mean_hand, atol=1e-6)
assert torch.allclose(bn2.running_var, var_hand, atol=1e-5)
biased_update = 0.9 + 0.1 * var.flatten()
assert not torch.allclose(bn2.running_var, biased_update, atol=1e-5)        # not the biased one
assert int(bn2.num_batches_tracked) == 1
fresh = nn.BatchNorm2d(4)
assert torch.equal(fresh.running_mean, torch.zeros(4)) and torch.equal(fresh.running_var, torch.ones(4))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Evaluation mode: the running statistics instead
#
# After `bn.eval()` the layer is a fixed affine map per channel, the same for every batch
# size, even for a single image:
# $y = \gamma_c\,(x - \hat\mu_c)/\sqrt{\hat\sigma_c^2 + \varepsilon} + \beta_c$.

# %% slideshow={"slide_type": "fragment"}
bn2.eval()
x_new = torch.randn(2, 4, 5, 5, generator=gen)
r_mean, r_var = c(bn2.running_mean), c(bn2.running_var)
eval_hand = c(bn2.weight) * (x_new - r_mean) / torch.sqrt(r_var + bn2.eps) + c(bn2.bias)
out = bn2(x_new)
print("equal to nn.BatchNorm2d in eval mode:", torch.allclose(eval_hand, out, atol=1e-6))
print("one image alone gives the same output:", torch.allclose(bn2(x_new[:1]), out[:1]))

# %% slideshow={"slide_type": "skip"}
assert torch.allclose(eval_hand, out, atol=1e-6) and int(bn2.num_batches_tracked) == 1
frozen = bn2.running_mean.clone()
assert torch.equal(bn2(x_new), out) and torch.equal(bn2.running_mean, frozen)   # no update
train_view = copy.deepcopy(bn2).train()(x_new)[:1]         # in training mode it would differ
assert not torch.allclose(train_view, out[:1], atol=1e-3)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### `nn.BatchNorm1d`: the same, per feature
#
# For inputs $(N, C)$ (after a linear layer) the statistics run over the batch only.

# %% slideshow={"slide_type": "fragment"}
h = 5 + torch.randn(32, 6, generator=gen)                       # (N, features)
bn1 = nn.BatchNorm1d(6)
train_hand = (h - h.mean(0)) / torch.sqrt(h.var(0, unbiased=False) + bn1.eps)
train_out = bn1.train()(h)                                       # γ = 1, β = 0 still
r_var = 0.9 + 0.1 * h.var(0)                                     # unbiased: divide by 32 - 1
eval_hand = (h - 0.1 * h.mean(0)) / torch.sqrt(r_var + bn1.eps)  # running mean 0.1 · batch
eval_out = bn1.eval()(h)
print("train:", torch.allclose(train_hand, train_out, atol=1e-5),
      " eval:", torch.allclose(eval_hand, eval_out, atol=1e-5))

# %% slideshow={"slide_type": "skip"}
assert torch.allclose(train_hand, train_out, atol=1e-5)
assert torch.allclose(eval_hand, eval_out, atol=1e-5)
assert torch.allclose(bn1.running_var, r_var) and torch.allclose(bn1.running_mean, 0.1 * h.mean(0))
assert torch.allclose(train_out, F.batch_norm(h, None, None, training=True), atol=1e-6)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Does it help? Lecture 12's CNN with and without batch norm
#
# `models.MnistCNN(batch_norm=False)` drops `bn1` and `bn2` (and gives the convolutions
# their biases back). Both train with lecture 12's recipe (`models.FAST_RECIPE`: SGD with
# Nesterov momentum, weight decay, one-cycle) on the first 10,000 training images for
# 2 epochs. First a live run: one seed, at 5× the recipe's learning rate 0.1.

# %% slideshow={"slide_type": "fragment"}
R = models.FAST_RECIPE
x_train, y_train = data.load_tensors("mnist", train=True, limit=10_000)
x_test, y_test = data.load_tensors("mnist", train=False)
test = data.TensorBatches(x_test, y_test, batch_size=2000, shuffle=False)

def train_cnn(batch_norm, lr, seed, epochs=2):
    seed_everything(seed)
    model = models.MnistCNN(batch_norm=batch_norm)
    train = data.TensorBatches(x_train, y_train, batch_size=R["batch_size"], seed=seed)
    opt, cycle = models.fast_recipe_optimizer(model, steps_per_epoch=len(train), lr=lr,
                                              epochs=epochs)     # lecture 12's SGD, one cycle
    return model, fit(model, train, epochs=epochs, optimizer=opt, scheduler=cycle, val=test,
                      progress=False)

# %% slideshow={"slide_type": "skip"}
assert R["lr"] == 0.1 and R["batch_size"] == 128 and R["pct_start"] == 0.25
assert models.count_parameters(models.MnistCNN(batch_norm=False)) == 56_066 - 48 + 24
assert not any(isinstance(m, nn.BatchNorm2d) for m in models.MnistCNN(batch_norm=False).modules())
assert len(x_train) == 10_000 and len(x_test) == 10_000

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Live: one seed at learning rate 0.5

# %% slideshow={"slide_type": "-"} tags=["nbval-ignore-output"]
runs = {bn: train_cnn(bn, lr=0.5, seed=0) for bn in (True, False)}
print("batch norm   test accuracy, epoch 1 → 2   train loss, epoch 1 → 2")
for bn, (_, h) in runs.items():
    print(f"{'with' if bn else 'without':10s}   {h.val_acc[0]:6.1%} → {h.val_acc[1]:6.1%}"
          f"              {h.train_loss[0]:.2f} → {h.train_loss[1]:.2f}")

# %% slideshow={"slide_type": "skip"}
# thresholds set from seeds 0-7 (1 thread), 0 (2 threads), 0-2 (portable code path). Worst
# seen: with BN 95.9 % after epoch 2; without BN 10.3 % after epoch 1, 25.1 % after epoch 2
# (2 threads: it can start to recover late), loss after epoch 2 within 0.052 of ln 10
acc = {bn: h.val_acc for bn, (_, h) in runs.items()}
loss = {bn: h.train_loss for bn, (_, h) in runs.items()}
assert acc[True][1] > 0.93 and acc[False][0] < 0.2                 # learns vs chance
assert acc[False][1] < 0.6 and acc[True][1] - acc[False][1] > 0.4
assert abs(loss[False][1] - math.log(10)) < 0.15 and f"{math.log(10):.2f}" == "2.30"

# %% [markdown] slideshow={"slide_type": "fragment"}
# With batch norm the network learns at this rate. Without it the first epoch learns nothing
# (chance, 10 %), and in epoch 2 the training loss is still near ln 10 ≈ 2.30, the loss of a
# uniform guess. But one seed at one learning rate is not a comparison: each network needs its
# own best learning rate, and a fair control.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### A fair comparison: three arms, each at its best learning rate
#
# *default* (no BN, PyTorch's init) → *He* (no BN, He init: one change) or *BN* (batch norm,
# default init: one change). Each arm: 7 peak learning rates, 3 seeds, 2 epochs on 10,000
# training images, the learning rate picked (★) on 5,000 *other* training images.

# %% slideshow={"slide_type": "-"}
sweep = measured.load("08/batch-norm")
names = {"default": "no BN, default init", "he": "no BN, He init", "bn": "BN, default init"}
fig = plot_lr_sweep(sweep["val_acc"], labels=names, best=sweep["best_lr"], zoom=(0.94, 0.99))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### At each arm's best learning rate: the test set, once

# %% slideshow={"slide_type": "-"}
test_acc = sweep["test_acc"]
for arm, name in names.items():
    print(f"{name:19s} lr {sweep['best_lr'][arm]:<4}  test accuracy"
          f" {min(test_acc[arm]):.2%} to {max(test_acc[arm]):.2%} over 3 seeds")
for arm in ("default", "he"):
    gaps = [100 * (b - a) for a, b in zip(test_acc[arm], test_acc["bn"])]
    print(f"BN minus {names[arm]}, per seed: {min(gaps):+.1f} to {max(gaps):+.1f} points")
print(measured.source("08/batch-norm"))

# %% slideshow={"slide_type": "skip"}
assert all(sweep["interior"].values()) and len(sweep["seeds"]) == 3     # the grid brackets
assert sweep["n_train"] == len(x_train) and sweep["epochs"] == 2 and len(sweep["grid"]) == 7
assert sweep["n_val"] == 5000 and sweep["n_test"] == len(x_test)
seeds = range(3)
assert all(test_acc["bn"][i] > max(test_acc["default"][i], test_acc["he"][i]) for i in seeds)
assert max(test_acc["bn"][i] - test_acc[arm][i] for i in seeds for arm in ("default", "he")) < 0.015
assert sweep["best_lr"] == {"default": 0.07, "he": 0.07, "bn": 0.2}      # the notes
he_gain = [test_acc["he"][i] - test_acc["default"][i] for i in seeds]
assert min(he_gain) < 0 < max(he_gain)                           # He alone: no consistent gain
val = {arm: {float(lr): v for lr, v in sweep["val_acc"][arm].items()} for arm in names}
worst = {arm: {lr: min(0.1 if math.isnan(a) else a for a in v) for lr, v in val[arm].items()}
         for arm in names}
assert all(a > 0.95 for a in worst["bn"].values())               # every lr, every seed
for arm, fails_from in (("default", 0.14), ("he", 0.1)):          # some seed at chance
    assert all((a < 0.2) == (lr >= fails_from) for lr, a in worst[arm].items()), arm

# %% [markdown] slideshow={"slide_type": "fragment"}
# * Batch norm won at each arm's own best learning rate on every seed, but by about a point
#   or less; 2 epochs on 10,000 images (longer training not measured).
# * He initialisation alone did not help this shallow network: no consistent gain.
# * The clear difference is the range of learning rates that work: with batch norm every
#   rate from 0.03 to 0.5 gave ≥ 95 % validation accuracy on every seed; without it some
#   seed was at chance from 0.14 up (default init) or from 0.1 up (He init).

# %% [markdown] slideshow={"slide_type": "notes"}
# What was measured: three arms that differ from "no BN, default init" in one thing each;
# lecture 12's recipe (SGD, Nesterov, weight decay, one-cycle) for 2 epochs on training images
# 1-10,000; the learning rate picked by the mean validation accuracy over the 3 seeds on
# training images 10,001-15,000; the test set used once, for the picked rates. Not measured:
# lecture 12's full 3 epochs on 60,000 images (the gap may shrink or grow), batch norm with He
# initialisation. The picked rate of batch norm (0.2) is about 3 times that of the others
# (0.07). The live run above at 0.5 differs slightly between CPUs: with 2 threads the network
# without batch norm started to recover in epoch 2 (25 % instead of 10 %).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The classic mistake: forgetting `model.eval()`
#
# In training mode every image is normalised with the statistics of *its batch*. On the test
# set sorted by digit (batches of 100, almost all of one digit) a test loop that
# forgets `model.eval()` measures:

# %% slideshow={"slide_type": "fragment"} tags=["nbval-ignore-output"]
bn_model = runs[True][0]                  # the live run with batch norm
order = y_test.argsort(stable=True)
by_digit = data.TensorBatches(x_test[order], y_test[order], batch_size=100, shuffle=False)

def test_accuracy(net, batches):                      # no net.eval() inside!
    with torch.no_grad():
        return sum((net(x).argmax(1) == y).sum().item() for x, y in batches) / len(x_test)

for mode in ("eval", "train"):
    net = copy.deepcopy(bn_model)
    getattr(net, mode)()
    print(f"{mode:5s} mode: {test_accuracy(net, test):.2%} in mixed batches of 2000,"
          f" {test_accuracy(net, by_digit):.2%} in batches sorted by digit")

# %% slideshow={"slide_type": "skip"}
net_e, net_t = copy.deepcopy(bn_model).eval(), copy.deepcopy(bn_model).train()
a_eval = test_accuracy(net_e, by_digit)
assert abs(a_eval - runs[True][1].val_acc[-1]) < 2e-4     # as fit measured it
assert abs(a_eval - test_accuracy(net_e, test)) < 2e-4             # the order is irrelevant
assert test_accuracy(net_t, by_digit) < a_eval - 0.02    # sorted: worse (seeds: 4.3-8.5 pts)
assert abs(test_accuracy(copy.deepcopy(bn_model).train(), test) - a_eval) < 0.01  # mixed: close

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### … and it quietly changes the model
#
# A forward pass in training mode also updates the running statistics, with test data. The
# same evaluation, run again in evaluation mode afterwards:

# %% slideshow={"slide_type": "fragment"} tags=["nbval-ignore-output"]
net = copy.deepcopy(bn_model)
before = net.bn1.running_mean.clone()
test_accuracy(net.train(), by_digit)                  # the forgetful evaluation
change = (net.bn1.running_mean - before).abs().max()
print(f"bn1.running_mean moved by up to {change:.3f}")
print(f"eval-mode accuracy now {test_accuracy(net.eval(), test):.2%}"
      f" (was {test_accuracy(copy.deepcopy(bn_model).eval(), test):.2%})")

# %% slideshow={"slide_type": "skip"}
assert change > 1e-3 and int(net.bn1.num_batches_tracked) > int(bn_model.bn1.num_batches_tracked)
assert not torch.equal(net.bn1.running_var, bn_model.bn1.running_var)

# %% [markdown] slideshow={"slide_type": "notes"}
# The rule: `model.train()` before training, `model.eval()` (and `torch.no_grad()`) before
# evaluating or predicting. `torch.no_grad()` alone does not switch batch norm to its running
# statistics: the forgetful loop above uses it. `nbhelpers.training.fit` and `evaluate` do
# both for you; dropout (lecture 09) depends on the mode in the same way.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Why does batch norm help?
#
# * A batch-normalised layer does not care about the **scale of the weights** before it:
#   $\mathrm{BN}(aWx) = \mathrm{BN}(Wx)$ for $a > 0$, and the gradient with respect to $W$
#   shrinks by $1/a$. This makes training less sensitive to the initialisation and allows
#   larger learning rates (Ioffe & Szegedy 2015).
# * The original explanation, reducing "**internal covariate shift**" (the changing
#   distribution of a layer's inputs), is disputed: Santurkar et al. (2018) found that BN
#   networks train well even with noise added after BN that makes those distributions shift,
#   and argue BN instead makes the loss surface smoother. The full story is still open.

# %% slideshow={"slide_type": "fragment"}
conv, bn = nn.Conv2d(1, 8, 5, bias=False), nn.BatchNorm2d(8)
digits = x_test[:64]
grads = []
for a in (1.0, 10.0):
    w = (a * conv.weight.detach()).requires_grad_()
    y = bn(F.conv2d(digits, w))
    (y.pow(3).mean()).backward()                         # any loss of the output
    grads.append(w.grad.norm().item())
    print(f"weights × {a:4}: output std {y.std():.3f}, |∂L/∂W| = {grads[-1]:.2f}")

# %% slideshow={"slide_type": "skip"}
y1, y10 = bn(F.conv2d(digits, conv.weight)), bn(F.conv2d(digits, 10 * conv.weight))
assert torch.allclose(y1, y10, atol=2e-3)        # scale invariant up to ε (8 inits: ≤ 4e-4)
assert abs(grads[0] / grads[1] - 10) < 0.01                             # gradient × 1/a

# %% [markdown] slideshow={"slide_type": "notes"}
# Batch norm has costs: a training-mode output depends on the other images in the batch, the
# statistics are noisy for small batches (a few images per GPU), and training and evaluation
# behave differently. Layer norm and group norm normalise within one example instead.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# * One layer multiplies $E[x^2]$ by $n_\text{in}\mathrm{Var}[w]$ (halved by a ReLU): over many
#   layers the signal explodes or vanishes unless that factor is 1.
# * Xavier: $\mathrm{Var}[w] = 2/(n_\text{in}+n_\text{out})$; He (ReLU): $2/n_\text{in}$.
#   PyTorch's default for `Linear`/`Conv2d` is $U(\pm 1/\sqrt{n_\text{in}})$, std $1/\sqrt{3 n_\text{in}}$.
# * Batch norm: per channel, batch mean and biased variance, then $\gamma$, $\beta$; running
#   statistics (momentum 0.1, unbiased variance) are used after `model.eval()`.
# * Measured here (lecture 12's CNN, 3 seeds, each at its best learning rate): batch norm won
#   by about a point or less, but it worked over a much wider range of learning rates.
# * Evaluate in `model.eval()`: in training mode batch norm uses each batch's statistics
#   and overwrites its running statistics with test data.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Write the function in the cell tagged *answer*, run it, then run the check below it.

# %% slideshow={"slide_type": "-"}
from nbhelpers.check import initialisation_and_batch_norm as check

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: He initialisation by hand
#
# Write `he_normal_(weight)`: fill a weight of shape $(n_\text{out}, n_\text{in})$ or
# $(C_\text{out}, C_\text{in}, k, k)$ **in place** with $N(0, 2/n_\text{in})$ values and return
# it, like `nn.init.kaiming_normal_(weight, nonlinearity="relu")`. It must also work on a
# layer's weight (a parameter that requires grad).

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
# Exercise 1: He (Kaiming) normal initialisation, in place.
def he_normal_(weight):
    """weight: (n_out, n_in) or (C_out, C_in, k, k). Fills it in place and returns it."""
    fan_in = weight[0].numel()                  # n_in, or C_in · k · k
    with torch.no_grad():
        return weight.normal_(0.0, math.sqrt(2 / fan_in))


# %% slideshow={"slide_type": "-"}
check.he_normal(he_normal_)


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: batch norm in training mode
#
# Write `batch_norm_train(x, gamma, beta, eps)` for images `x` of shape $(N, C, H, W)$ and
# `gamma`, `beta` of shape $(C,)$: the output of `nn.BatchNorm2d` in training mode.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
# Exercise 2: batch normalisation with the batch's statistics.
def batch_norm_train(x, gamma, beta, eps=1e-5):
    """x: (N, C, H, W); gamma, beta: (C,). Returns a tensor shaped like x."""
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    var = x.var(dim=(0, 2, 3), keepdim=True, unbiased=False)
    x_hat = (x - mean) / torch.sqrt(var + eps)
    return gamma.view(1, -1, 1, 1) * x_hat + beta.view(1, -1, 1, 1)


# %% slideshow={"slide_type": "-"}
check.batch_norm_train(batch_norm_train)


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: the running statistics
#
# Write `running_update(running_mean, running_var, x, momentum)`: the two buffers (shape
# $(C,)$) after `nn.BatchNorm2d` has seen the batch `x` $(N, C, H, W)$ in training mode.
# Return them as a pair.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
# Exercise 3: one update of the running mean and variance.
def running_update(running_mean, running_var, x, momentum=0.1):
    """running_mean, running_var: (C,); x: (N, C, H, W). Returns (new_mean, new_var)."""
    mean = x.mean(dim=(0, 2, 3))
    var = x.var(dim=(0, 2, 3), unbiased=True)
    return ((1 - momentum) * running_mean + momentum * mean,
            (1 - momentum) * running_var + momentum * var)


# %% slideshow={"slide_type": "-"}
check.running_update(running_update)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Reading
#
# * Goodfellow et al., 8.4 (initialisation), 8.7.1 (batch normalisation)
# * Glorot & Bengio (2010); He et al. (2015), Delving deep into rectifiers
# * Ioffe & Szegedy (2015), Batch normalization
# * d2l.ai 5.4, *Numerical Stability and Initialization*; 6.3, *Parameter Initialization*;
#   8.5, *Batch Normalization*
# * Nielsen, chapter 3 (weight initialization)
