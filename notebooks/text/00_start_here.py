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
# | 01 | `01_neuron_and_perceptron` | the artificial neuron; perceptrons as AND / OR / NAND; why XOR needs a hidden layer |
# | 02 | `02_activation_functions` | step, sigmoid, tanh, ReLU, GELU and their derivatives |
# | 03 | `03_networks_and_tensors` | `nn.Linear`, `nn.Module`, `nn.Sequential`, shapes, universal approximation |
# | 04 | `04_loss_functions` | MSE, cross-entropy, hinge and friends, checked against torch |
# | 05 | `05_gradient_descent_and_backprop` | gradient descent, backprop by hand vs autograd, optimisers |
# | 10 | `10_convolution_filters` | kernels, feature maps, padding, stride, channels |

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The course map, continued
#
# | # | Notebook | What you will see |
# |---|---|---|
# | 11 | `11_pooling_and_cnn_layers` | pooling, parameter counts, a CNN layer by layer |
# | 12 | `12_mnist_cnn` | a CNN trained live to 99 % on MNIST |
# | 13 | `13_fashion_mnist_and_practical_issues` | FashionMNIST, overfitting, validation, reproducibility |
# | 14 | `14_cnn_regression` | CNNs that predict numbers (Inception3) |
# | 15 | `15_generative_vs_discriminative` | P(y\|x) vs P(x\|y): sampling new digits |

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
# Colab's *Runtime → Change runtime type → GPU* makes training lectures faster still.

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

fig, axes = plt.subplots(1, 8, figsize=(9, 1.6))
for ax, img, label in zip(axes, x[:8, 0], y[:8]):
    ax.imshow(img, cmap="gray"); ax.set_title(int(label)); ax.axis("off")
plt.show()

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
assert "NBHELPERS_DATA" in message and "train-images-idx3-ubyte" in message

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How every lecture checks itself
#
# * Each formula on a slide is computed in a cell and compared with torch (`assert`).
# * The notebooks are stored with their outputs and re-run by the tests (`make test`, nbval):
#   if a number on a slide changes, the tests fail.
# * Training cells print progress that varies; the cell after them asserts the result.
