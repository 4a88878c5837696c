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
# # Neural networks, from the neuron to the CNN
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-lectures/nn-lectures/blob/main/notebooks/00_start_here.ipynb)
#
# *Start here:* what the course covers, how to open the lectures as slides, how to run them
# on Colab, and where the data comes from.

# %% slideshow={"slide_type": "skip"}
# Setup: install nbhelpers on Colab only, seed everything, pick the device.
import sys
if "google.colab" in sys.modules:
    # %pip install -q "nbhelpers @ git+https://github.com/nn-lectures/nn-lectures"
import nbhelpers
device = nbhelpers.setup(seed=0)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The course map
#
# | # | Notebook | What you will see |
# |---|---|---|
# | 01 | `01_neuron_and_perceptron` | the neuron; perceptrons as logic gates; XOR needs a hidden layer |
# | 02 | `02_activation_functions` | step, sigmoid, tanh, ReLU, GELU and their derivatives |
# | 03 | `03_networks_and_tensors` | `nn.Linear`, `nn.Module`, `nn.Sequential`, shapes, universal approximation |
# | 04 | `04_loss_functions` | MSE, cross-entropy and friends as negative log-likelihoods, checked against torch |
# | 05 | `05_gradient_descent` | the learning rate, ravines, the training loop, stochastic and mini-batch descent |
# | 06 | `06_backpropagation` | backprop's four equations by hand vs autograd; the computational graph |
# | 07 | `07_optimisers` | momentum, Nesterov, Adam & co.; learning-rate schedules, one-cycle |
# | 08 | `08_initialisation_and_batch_norm` | Xavier and He initialisation; batch normalisation, train vs eval mode |

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The course map, continued
#
# | # | Notebook | What you will see |
# |---|---|---|
# | 09 | `09_regularisation` | weight decay, dropout |
# | 10 | `10_convolution_filters` | kernels, feature maps, padding, stride, channels |
# | 11 | `11_pooling_and_cnn_layers` | pooling, parameter counts, a CNN layer by layer |
# | 12 | `12_mnist_cnn` | a CNN trained live to ≥ 99 % on MNIST |
# | 13 | `13_fashion_mnist_and_practical_issues` | FashionMNIST: a CNN, its confusions, augmentation measured, validation, reproducibility |
# | 14 | `14_cnn_regression` | CNNs that predict numbers; an optional Inception3 appendix |
# | 15 | `15_generative_vs_discriminative` | P(y\|x) vs P(x\|y): sampling new digits; naive Bayes vs softmax regression, measured |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The tools: PyTorch, TensorFlow, JAX
#
# | | PyTorch (this course) | TensorFlow | JAX |
# |---|---|---|---|
# | maintained by | PyTorch Foundation (Linux Foundation), started at Meta | Google | Google |
# | runs code | eagerly, op by op, as Python runs | eagerly (TF 2); `tf.function` traces a graph | eagerly; `jax.jit` compiles a function |
# | gradients | autograd: `loss.backward()` | `tf.GradientTape` | `jax.grad(f)` returns a function |
# | compiling (optional) | `torch.compile` | XLA: `jit_compile=True` | XLA, through `jax.jit` |
# | models | `nn.Module` objects | Keras layers and models | pure functions + Flax, Optax |
#
# All three do the same job: arrays on CPUs and accelerators (GPU, TPU) plus automatic
# gradients; Keras 3 runs on any of them. What this course teaches carries over unchanged.

# %% [markdown] slideshow={"slide_type": "notes"}
# The source lecture notes name TensorFlow and PyTorch as the two main contenders and call
#     the choice otherwise arbitrary; the course uses PyTorch. JAX is the third big one today.
#     All three are open source; Colab has all three installed.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### PyTorch: NumPy on accelerators, plus autograd
#
# A tensor is a NumPy-like array that can live on a GPU:

# %% slideshow={"slide_type": "-"}
import numpy as np
import torch

a = np.arange(6.0).reshape(2, 3)           # a NumPy array
t = torch.from_numpy(a)                    # a tensor on the same memory (no copy)
print(a @ a.T)                             # NumPy's matrix product ...
print(t @ t.T)                             # ... and torch's, on the same numbers
t_dev = t.to(device)                       # a copy on the GPU, if there is one
back = t_dev.cpu().numpy()                 # and back to NumPy, via the CPU
print(type(back).__name__, back.shape, "from", t_dev.device)

# %% slideshow={"slide_type": "skip"}
assert np.shares_memory(a, t.numpy()) and np.array_equal(back, a)
assert np.array_equal((t @ t.T).numpy(), a @ a.T)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Autograd: gradients without the calculus
#
# Mark the inputs with `requires_grad=True`; `backward()` fills in $\partial y/\partial x$.
# For $y = \sum_k x_k^2 \sin x_k$ the product rule gives $2x\sin x + x^2\cos x$:

# %% slideshow={"slide_type": "-"}
x = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)
y = (x**2 * torch.sin(x)).sum()
y.backward()                                             # autograd: dy/dx into x.grad
by_hand = 2 * x * torch.sin(x) + x**2 * torch.cos(x)     # the product rule
print("autograd:", x.grad.round(decimals=3))
print("by hand: ", by_hand.detach().round(decimals=3))

# %% slideshow={"slide_type": "skip"}
assert torch.allclose(x.grad, by_hand)
assert torch.allclose(torch.func.grad(lambda v: (v**2 * torch.sin(v)).sum())(x.detach()), by_hand)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### CPU or GPU: one big matrix product
#
# A GPU does many thousands of multiply-adds at once. Time a $1024 \times 1024$ product
# ($2n^3$ floating-point operations) on the CPU and, if this machine has one, on the GPU: five
# rounds side by side, the median of each. The times vary from run to run and machine to machine.

# %% slideshow={"slide_type": "-"} tags=["nbval-ignore-output"]
import time
def seconds_per_product(a, b, products=3):
    (a @ b).sum().item()                   # warm-up; .item() waits for the device
    start = time.perf_counter()
    for _ in range(products):
        c = a @ b                          # a GPU queues these and returns at once,
    c.sum().item()                         # so wait for the last result
    return (time.perf_counter() - start) / products

n, on = 1024, [torch.device("cpu")] + ([device] if device.type != "cpu" else [])
ab = [(torch.randn(n, n, device=d), torch.randn(n, n, device=d)) for d in on]
med = np.median([[seconds_per_product(a, b) for a, b in ab] for _ in range(5)], axis=0)
print(f"CPU: {med[0] * 1e3:.0f} ms per product ({2 * n**3 / med[0] / 1e9:.0f} GFLOP/s)")
print("no GPU here: CPU only" if len(on) == 1 else
      f"{device}: {med[1] * 1e3:.2f} ms per product; CPU time / GPU time = {med[0] / med[1]:.0f}")

# %% slideshow={"slide_type": "skip"}
from torch.utils.flop_counter import FlopCounterMode
assert med.shape == (len(on),) and (0 < med).all() and (med < 60).all()   # it ran, and finished
assert device.type != "cpu" or not torch.cuda.is_available()     # a CUDA GPU would be used
with FlopCounterMode(display=False) as count:
    ab[0][0] @ ab[0][1]
assert count.get_total_flops() == 2 * n**3                       # torch counts 2n³ too
a, b = torch.randn(64, 64), torch.randn(64, 64)
assert torch.allclose((a.to(device) @ b.to(device)).cpu(), a @ b, atol=1e-3)   # same result

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Present as slides
#
# 1. `make lab` opens JupyterLab on this folder.
# 2. Open a notebook, then press **Alt+R** (or the *Render as Reveal Slideshow* button).
# 3. **Space / Shift+Space** move through slides; click a cell and press **Ctrl+Enter** to run it.
# 4. Cells of type *notes* are speaker notes: press **T** in the slideshow for the speaker view.
#
# No kernel at hand? `make slides` writes static reveal.js slides to `build/slides/`.

# %% [markdown] slideshow={"slide_type": "notes"}
# Every cell carries slide metadata (View → Property Inspector → Slide Type).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Run on Google Colab
#
# Click the **Open in Colab** badge at the top of a notebook. Its first code cell notices
# Colab and installs `nbhelpers` from the course repository; everything else is the same.
# Colab's *Runtime → Change runtime type → GPU* adds a GPU, which `nbhelpers.setup` then uses;
# no lecture needs one.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Where the data comes from
#
# MNIST and FashionMNIST are read through `torchvision.datasets` from one folder:
#
# * the environment variable `NBHELPERS_DATA`, if it is set;
# * otherwise `~/.cache/nbhelpers` — downloaded there the first time (needs internet once).

# %% slideshow={"slide_type": "subslide"}
from nbhelpers import data

x, y = data.load_tensors("mnist", train=False)
print("images:", tuple(x.shape), x.dtype, " labels:", tuple(y.shape), y.dtype)

# %% slideshow={"slide_type": "skip"}
assert x.shape == (10_000, 1, 28, 28) and y.shape == (10_000,)
assert sorted(y.unique().tolist()) == list(range(10))

# %% slideshow={"slide_type": "fragment"}
import matplotlib.pyplot as plt
from nbhelpers.display import show      # plt.show() with alt text for screen readers

fig, axes = plt.subplots(1, 8, figsize=(9, 1.6))
for ax, img, label in zip(axes, x[:8, 0], y[:8]):
    ax.imshow(img, cmap="gray"); ax.set_title(int(label)); ax.axis("off")
show(fig, alt="The first 8 test images: handwritten digits in white on black, titled with "
              f"their labels {' '.join(str(int(v)) for v in y[:8])}.")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Offline and no data?
#
# You get one clear message, not a traceback from deep inside torchvision:

# %% slideshow={"slide_type": "fragment"}
import tempfile

with tempfile.TemporaryDirectory() as empty:
    try:
        data.load_dataset("mnist", root=empty, download=False)
    except data.DataNotFoundError as err:
        message = str(err)
print(message.splitlines()[-1])

# %% slideshow={"slide_type": "skip"}
assert "NBHELPERS_DATA" in message and "train-images-idx3-ubyte" in message

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How every lecture checks itself
#
# * Each formula and number on a slide is computed in a cell and checked (`assert`, against
#   torch where torch has it), in a hidden cell right after it.
# * The notebooks are stored with their outputs and re-run by the tests (`make test`, nbval):
#   if a number on a slide changes, the tests fail.
# * Outputs that vary (timings, training progress) are not compared; the hidden cell after
#   them asserts the result within a margin instead.
# * Comparisons ("A beats B") are measured over several seeds, each arm tuned, by
#   `make claims`: the slide shows the spread and says where the numbers come from.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Reading for the whole course
#
# Each lecture ends with its own list; these three books cover the course:
#
# * Goodfellow, Bengio & Courville (2016), *Deep Learning*, chapters 6–9 (with 4.3, 5.5,
#   5.7 and 11), and 20 for lecture 15 (free at deeplearningbook.org)
# * Nielsen (2015), *Neural Networks and Deep Learning*, chapters 1–6 (free online)
# * Zhang, Lipton, Li & Smola, *Dive into Deep Learning* (d2l.ai), chapters 3–8, 12
#   (optimisation), 14.1 and 22.9, with runnable PyTorch code
