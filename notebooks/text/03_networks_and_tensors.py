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
# # Networks and tensors
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-lectures/nn-lectures/blob/main/notebooks/03_networks_and_tensors.ipynb)
#
# *Lecture 03:* layers and their sizes, `nn.Linear` from the inside, `nn.Module` and
# `nn.Sequential`, counting parameters, batches, shapes and devices, and what "universal
# approximation" does and does not promise.

# %% slideshow={"slide_type": "skip"}
# Setup: install nbhelpers on Colab only, seed everything, pick the device.
import sys
if "google.colab" in sys.modules:
    # %pip install -q "nbhelpers @ git+https://github.com/nn-lectures/nn-lectures"
import nbhelpers
device = nbhelpers.setup(seed=0)

# %% slideshow={"slide_type": "skip"}
from nbhelpers.widgets.neuron import network_figure
import torch
from torch import nn
from nbhelpers.approximation import net_mse, net_output
from nbhelpers.widgets import approximation as demo
from tqdm.auto import tqdm

# %% [markdown] slideshow={"slide_type": "slide"}
# ## From neurons to layers
#
# * **input layer**: one unit per feature (an MNIST image: $28 \cdot 28 = 784$ pixels)
# * **output layer**: one unit per class (10 digits), or per number to predict
# * **hidden layers** in between: how many, and how wide, is your choice
# * **fully connected**: every unit sees every unit of the layer before

# %% slideshow={"slide_type": "-"}
fig = network_figure((4, 5, 3))

# %% slideshow={"slide_type": "skip"}
assert 28 * 28 == 784

# %% [markdown] slideshow={"slide_type": "notes"}
# Binary classification: one output unit with a sigmoid, or two units with a
#     softmax (the lecture notes say two is common). They are equivalent: a 2-class softmax is
#     the sigmoid of the score difference (checked in lecture 02).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## `nn.Linear` from the inside
#
# A fully connected layer $\mathbf{h} = W\mathbf{x} + \mathbf{b}$: `nn.Linear(in, out)` holds
# `weight` ($W$, **out × in**) and `bias` ($\mathbf{b}$, out), both `Parameter`s (tensors that
# training updates). They start uniform in $\pm 1/\sqrt{\text{in}}$, here $\pm 0.5$.

# %% slideshow={"slide_type": "-"}
hidden = nn.Linear(in_features=4, out_features=5)
for name, p in hidden.named_parameters():
    print(f"{name:6s} shape {tuple(p.shape)}, trainable: {p.requires_grad}")

# %% slideshow={"slide_type": "skip"}
assert hidden.weight.shape == (5, 4) and hidden.bias.shape == (5,)
bound = 1 / 4**0.5                                         # = 0.5
assert hidden.weight.abs().max() <= bound and hidden.bias.abs().max() <= bound
wide = nn.Linear(100, 1000)                                 # many draws: they fill the range
assert 0.099 < wide.weight.abs().max() <= 0.1 and abs(wide.weight.std() - 0.1 / 3**0.5) < 1e-3

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### A Linear is $W\mathbf{x} + \mathbf{b}$: check by hand
#
# One input: $\mathbf{y} = W\mathbf{x} + \mathbf{b}$. A batch, one example per row of $X$
# ($N \times \text{in}$): $Y = XW^\top + \mathbf{b}$, with $\mathbf{b}$ added to every row.

# %% slideshow={"slide_type": "-"}
x = torch.randn(4)
by_hand = hidden.weight @ x + hidden.bias
print("by hand:", by_hand.detach().numpy().round(4))
print("Linear: ", hidden(x).detach().numpy().round(4))
X = torch.randn(32, 4)                       # a batch of 32 inputs
Y = X @ hidden.weight.T + hidden.bias        # (32, 4) @ (4, 5) + (5,) -> (32, 5)

# %% slideshow={"slide_type": "skip"}
assert torch.allclose(hidden(x), by_hand) and torch.allclose(hidden(X), Y) and Y.shape == (32, 5)
assert torch.allclose(hidden(X)[7], hidden(X[7]))      # each row is computed on its own


# %% [markdown] slideshow={"slide_type": "slide"}
# ## A 2-layer network as an `nn.Module`
#
# Layers assigned in `__init__` are registered (their parameters are found for you);
# `forward` says how to compute the output. (The lab sheet's class, with `forward`
# indented inside the class where it belongs.)

# %% slideshow={"slide_type": "-"}
class TwoLayer(nn.Module):
    def __init__(self, in_features, hidden_features, out_features):
        super().__init__()
        self.lin1 = nn.Linear(in_features, hidden_features)
        self.act1 = nn.ReLU()
        self.lin2 = nn.Linear(hidden_features, out_features)
        self.act2 = nn.Sigmoid()

    def forward(self, x):
        return self.act2(self.lin2(self.act1(self.lin1(x))))

net = TwoLayer(4, 8, 3)
print(net)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The same network with `nn.Sequential`
#
# A plain chain of layers needs no class. Copy `net`'s weights in (same order: $W_1$,
# $\mathbf{b}_1$, $W_2$, $\mathbf{b}_2$) and both compute the same function:

# %% slideshow={"slide_type": "-"}
seq = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3), nn.Sigmoid())
X = torch.randn(16, 4)
print("before copying:", torch.allclose(seq(X), net(X)))
with torch.no_grad():
    for mine, theirs in zip(seq.parameters(), net.parameters()):
        mine.copy_(theirs)
print("after copying: ", torch.equal(seq(X), net(X)))

# %% slideshow={"slide_type": "skip"}
assert torch.equal(seq(X), net(X)) and not torch.equal(seq(X), TwoLayer(4, 8, 3)(X))
assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]

# %% [markdown] slideshow={"slide_type": "notes"}
# Sequential names its layers 0, 1, 2, ...; a Module subclass names them by
#     attribute (lin1, lin2). Use Sequential for a chain; write a class when forward needs more
#     than a chain: skip connections, branches, several inputs or outputs.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Counting parameters
#
# `nn.Linear(n_in, n_out)`: $n_\text{in} \cdot n_\text{out}$ weights $+\; n_\text{out}$
# biases; activations and `Flatten` have none. The lecture notes' MNIST network:
#
# $$(784 \cdot 512 + 512) + (512 \cdot 512 + 512) + (512 \cdot 10 + 10) = 669{,}706$$

# %% slideshow={"slide_type": "-"}
mnist_net = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 512), nn.ReLU(),
                          nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
sizes = [(784, 512), (512, 512), (512, 10)]
by_formula = sum(n_in * n_out + n_out for n_in, n_out in sizes)
by_numel = sum(p.numel() for p in mnist_net.parameters())
print(f"formula: {by_formula:,}   numel: {by_numel:,}")

# %% slideshow={"slide_type": "skip"}
assert by_formula == by_numel == 669_706
assert all(len(list(m.parameters())) == 0 for m in mnist_net if not isinstance(m, nn.Linear))
assert sum(p.numel() for p in net.parameters()) == (4 * 8 + 8) + (8 * 3 + 3)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Tensors, batches and shapes
#
# * the first dimension is the **batch**: $N$ examples go through together
# * images are $N \times C \times H \times W$; `nn.Flatten()` makes that
#   $N \times (C \cdot H \cdot W)$, here $N \times 784$
# * `nn.Linear` acts on the **last** dimension, whatever comes before it
# * a single image still needs a batch dimension, `x.unsqueeze(0)`: `Flatten` keeps
#   dimension 0 as the batch

# %% slideshow={"slide_type": "-"}
images = torch.randn(64, 1, 28, 28)          # a batch of 64 grey 28×28 images
h = images
for layer in mnist_net:
    h = layer(h)
    print(f"{type(layer).__name__:8s} -> {tuple(h.shape)}")

# %% slideshow={"slide_type": "skip"}
assert h.shape == (64, 10) and mnist_net(images[0].unsqueeze(0)).shape == (1, 10)
assert hidden(torch.randn(2, 3, 4)).shape == (2, 3, 5)          # only the last dim changes
assert nn.Flatten()(torch.randn(28, 28)).shape == (28, 28)      # no batch dim: rows as a batch
assert nn.Flatten()(torch.randn(3, 28, 28)).shape == (3, 784)   # 3 channels taken as 3 examples

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Devices
#
# Tensors and parameters live on a device: the CPU, a CUDA GPU, Apple's MPS. `.to(device)`
# moves a model's parameters (in place) and returns a moved copy of a tensor. The result
# does not depend on where it was computed (up to rounding):

# %% slideshow={"slide_type": "-"}
expected = net(X)                                  # on the CPU
out = net.to(device)(X.to(device))                 # `device` comes from the setup cell
print("same result:", torch.allclose(out.cpu(), expected, atol=1e-5))
net = net.cpu()

# %% slideshow={"slide_type": "skip"}
assert torch.allclose(out.cpu(), expected, atol=1e-5) and next(net.parameters()).device.type == "cpu"

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The classic bug: model and data on different devices
#
# Every machine has the `meta` device (shapes, no data), so we can show the error here:

# %% slideshow={"slide_type": "-"}
meta_layer = nn.Linear(4, 5).to("meta")
try:
    meta_layer(torch.randn(2, 4))                  # data on the CPU
except RuntimeError as err:
    message = str(err)
print(message)

# %% slideshow={"slide_type": "skip"}
assert "meta" in message and "cpu" in message


# %% [markdown] slideshow={"slide_type": "slide"}
# ## Universal approximation
#
# **Theorem** (Cybenko 1989, Hornik 1991; Leshno et al. 1993 for any continuous
# non-polynomial activation, ReLU included): for every continuous $f$ on a closed, bounded
# set of $\mathbb R^d$ and every $\varepsilon > 0$ there is a network with **one hidden
# layer** of finitely many units and a linear output that is within $\varepsilon$ of $f$
# everywhere on that set.
#
# It says such a network **exists**; not how many units, nor how to find the weights.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### A proof you can run, in 1-D
#
# Join the points $(x_k, f(x_k))$ by straight lines. That broken line is a ReLU network,
# $g(x) = f(x_0) + \sum_k c_k\,\text{ReLU}(x - x_k)$, with $c_k$ the change of slope at $x_k$:

# %% slideshow={"slide_type": "-"}
def relu_interpolant(f, knots):
    """One hidden layer, one ReLU per segment: joins (x_k, f(x_k)) by straight lines."""
    yk = f(knots)
    slopes = (yk[1:] - yk[:-1]) / (knots[1:] - knots[:-1])
    net = nn.Sequential(nn.Linear(1, len(slopes)), nn.ReLU(), nn.Linear(len(slopes), 1))
    with torch.no_grad():
        net[0].weight.fill_(1.0); net[0].bias.copy_(-knots[:-1])       # unit k: ReLU(x - x_k)
        net[2].weight.copy_(torch.diff(slopes, prepend=torch.zeros(1)).unsqueeze(0))
        net[2].bias.fill_(yk[0])
    return net


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### More units, smaller error
#
# For $f(x) = \sin 2x$ on $[-3, 3]$ with $n$ equal segments of width $h = 6/n$, linear
# interpolation is off by at most $h^2 \max|f''|/8 = h^2/2$:

# %% slideshow={"slide_type": "-"}
f = lambda x: torch.sin(2 * x)
xs = torch.linspace(-3, 3, 601).unsqueeze(1)
built, errors = {}, {}
for n in [3, 10, 50]:
    built[n] = relu_interpolant(f, torch.linspace(-3, 3, n + 1))
    errors[n] = (built[n](xs) - f(xs)).abs().max().item()
    print(f"{n:2d} ReLUs: max error {errors[n]:.4f}  (bound {(6 / n) ** 2 / 2:.4f})")

# %% slideshow={"slide_type": "skip"}
assert all(errors[n] <= (6 / n) ** 2 / 2 + 1e-6 for n in errors) and errors[3] > errors[10] > errors[50]
import numpy as np

knots = torch.linspace(-3, 3, 11)
g = relu_interpolant(f, knots)(xs).detach()[:, 0].numpy()
assert np.allclose(g, np.interp(xs[:, 0].numpy(), knots.numpy(), f(knots).numpy()), atol=1e-5)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The built networks

# %% slideshow={"slide_type": "-"}
fig = demo.fits_figure(xs, f(xs), built)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Or let training find the weights
#
# Networks of width 1, 3, 10 and 50 trained on 200 points of the same $f$: full-batch Adam
# on the mean squared error, learning rate 0.01, 1000 steps, one run (seed 0) per width.
#
# *Ahead of the course: the loss is lecture 04, gradient descent 05, backprop 06, Adam 07.*

# %% slideshow={"slide_type": "-"}
x_train = torch.linspace(-3, 3, 200).unsqueeze(1)
y_train = f(x_train)

def train(width, steps=1000, lr=0.01):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(1, width), nn.ReLU(), nn.Linear(width, 1))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        nn.functional.mse_loss(model(x_train), y_train).backward()
        opt.step()
    return model


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Train four widths (a few seconds)

# %% slideshow={"slide_type": "-"} tags=["nbval-ignore-output"]
nets = {width: train(width) for width in tqdm([1, 3, 10, 50], desc="widths")}

# %% slideshow={"slide_type": "skip"}
mse = {width: net_mse(model, x_train, y_train) for width, model in nets.items()}
assert mse[1] > 5 * mse[50] and mse[3] > mse[50] and mse[10] > mse[50]   # in these four runs

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Trained fits of growing width

# %% slideshow={"slide_type": "-"}
fig = demo.fits_figure(x_train, y_train, nets)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Try it: slide through the widths

# %% slideshow={"slide_type": "-"} tags=["widget"]
demo.approximation_widget(x_train, y_train, nets, width=1)

# %% [markdown] slideshow={"slide_type": "notes"}
# Each ReLU unit adds at most one kink: width 1 is a bent line (its one kink sits
#     near x = -2.8 in this run), width 3 has up to three kinks, width 50 follows the sine. The fits were
#     trained above; the slider only switches between them.

# %% slideshow={"slide_type": "skip"}
kinks = lambda model: (-model[0].bias / model[0].weight[:, 0]).detach()    # x where w x + b = 0
assert -3 < kinks(nets[1]).item() < -2.5 and len(kinks(nets[3])) == 3
bends = torch.diff(net_output(nets[1], x_train)[:, 0], 2).abs() > 1e-5    # slope changes
assert 1 <= int(bends.sum()) <= 2      # one kink (between two grid points: 1 or 2 flags)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Error against width
#
# One run per width, all at one learning rate (not tuned per width): the errors of these four
# fits, not a law about width.

# %% slideshow={"slide_type": "-"}
fig = demo.error_figure(x_train, y_train, nets)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What the theorem does not promise
#
# * **how many units**: here a few dozen; for functions of many inputs the number can grow
#   exponentially with the dimension
# * **that training finds the weights**: a 50-ReLU network within 0.01 of $f$ exists (we
#   built it), yet our 1000 Adam steps found a worse one of the same size
# * **anything outside the data**: a ReLU network is piecewise linear; beyond its last
#   kink it goes on as a straight line, while $\sin 2x$ keeps oscillating

# %% slideshow={"slide_type": "-"} tags=["nbval-ignore-output"]
max_err = lambda model, x: (net_output(model, x) - f(x)).abs().max().item()
outside = torch.linspace(3.5, 6, 101).unsqueeze(1)
print(f"on [-3, 3]: built {max_err(built[50], xs):.4f}, trained {max_err(nets[50], xs):.4f}")
print(f"on [3.5, 6]: trained {max_err(nets[50], outside):.2f}")

# %% slideshow={"slide_type": "skip"}
assert max_err(built[50], xs) < 0.01 < max_err(nets[50], xs)    # exists, was not found
assert max_err(nets[50], outside) > 0.5                        # no promise outside the data
last = kinks(nets[50]).max().item()
beyond = torch.linspace(last + 0.01, last + 10, 200).unsqueeze(1)
assert torch.allclose(torch.diff(net_output(nets[50], beyond)[:, 0], 2), torch.zeros(198), atol=1e-4)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Depth vs width
#
# One hidden layer suffices in principle; for some functions depth is exponentially cheaper.
# The tent $t(x) = 2\,\text{ReLU}(x) - 4\,\text{ReLU}(x - \frac12)$ is a 2-unit layer.
# Stacked $L$ times it zigzags in $2^L$ straight pieces on $[0, 1]$ with $2L$ units; one
# hidden layer of $k$ ReLUs has at most $k$ kinks ($k + 1$ pieces), so it needs at least
# $2^L - 1$ units.

# %% slideshow={"slide_type": "-"}
tent = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 1))
with torch.no_grad():
    tent[0].weight.fill_(1.0); tent[0].bias.copy_(torch.tensor([0.0, -0.5]))
    tent[2].weight.copy_(torch.tensor([[2.0, -4.0]])); tent[2].bias.zero_()
grid, pieces = torch.linspace(0, 1, 2**10 + 1).unsqueeze(1), {}
for L in [1, 2, 3, 4, 5]:
    saw = nn.Sequential(*[tent] * L)(grid)[:, 0].detach()      # the same block L times
    slopes = torch.diff(saw).sign()
    pieces[L] = 1 + int((slopes[1:] != slopes[:-1]).sum())
    print(f"depth {L}: {2 * L:2d} units, {pieces[L]:2d} pieces; one layer needs ≥ {2**L - 1:2d}")

# %% slideshow={"slide_type": "skip"}
assert all(pieces[L] == 2**L for L in pieces)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# * A fully connected layer is `nn.Linear`: weight out × in, bias out, $Y = XW^\top + \mathbf{b}$.
# * Build networks as an `nn.Module` subclass or, for a chain, with `nn.Sequential`.
# * Parameters per Linear: $n_\text{in} n_\text{out} + n_\text{out}$.
# * Batches first; `Linear` works on the last dimension; model and data on one device.
# * One hidden layer can approximate any continuous function, but the theorem does not
#   say how wide, nor that training finds it; depth can be far more economical (the
#   sawtooth: $2L$ units instead of at least $2^L - 1$).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Write your answer in the cell under each exercise and run it, then run the check below it.

# %% slideshow={"slide_type": "-"}
from nbhelpers.check import networks_and_tensors as check

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: count the parameters
#
# A fully connected network 784 → 128 → 64 → 10 with ReLUs between the layers. How many
# trainable parameters does it have? Use the formula, not `numel`.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
# the number of parameters of 784 -> 128 -> 64 -> 10
n_params = (784 * 128 + 128) + (128 * 64 + 64) + (64 * 10 + 10)

# %% slideshow={"slide_type": "-"}
check.count_params(n_params)


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: the `nn.Sequential` equivalent
#
# Build `model`, an `nn.Sequential` that computes the same function as this class:

# %% slideshow={"slide_type": "-"}
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(6, 16)
        self.out = nn.Linear(16, 3)

    def forward(self, x):
        return torch.softmax(self.out(torch.tanh(self.hidden(x))), dim=1)


# %% slideshow={"slide_type": "fragment"} tags=["answer"]
# the same function as Net, as an nn.Sequential
model = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 3), nn.Softmax(dim=1))

# %% slideshow={"slide_type": "-"}
check.sequential(model)


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: `nn.Linear`'s forward pass
#
# Write `linear(X, W, b)` returning what `nn.Linear` computes for `X` of shape
# (..., in), `W` (out, in) and `b` (out,). No `nn.Linear`, no `F.linear`.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
def linear(X, W, b):
    """X (..., in), W (out, in), b (out,) -> (..., out)."""
    return X @ W.T + b


# %% slideshow={"slide_type": "-"}
check.linear_forward(linear)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Reading
#
# * Goodfellow et al., 6.4 (architecture design, universal approximation)
# * Nielsen, chapter 4
# * d2l.ai 6.1–6.2, *Layers and Modules*, *Parameter Management*
