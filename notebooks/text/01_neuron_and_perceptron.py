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
# # The neuron and the perceptron
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-lectures/nn-lectures/blob/main/notebooks/01_neuron_and_perceptron.ipynb)
#
# *Lecture 01:* the artificial neuron, Rosenblatt's perceptron as AND / OR / NAND,
# why XOR needs a hidden layer, NAND builds everything, the perceptron learning rule,
# the matrix form, and why deep networks took over.

# %% slideshow={"slide_type": "skip"}
# Setup: install nbhelpers on Colab only, seed everything, pick the device.
import sys
if "google.colab" in sys.modules:
    # %pip install -q "nbhelpers @ git+https://github.com/nn-lectures/nn-lectures"
import nbhelpers
device = nbhelpers.setup(seed=0)

# %% slideshow={"slide_type": "skip"}
import torch
from nbhelpers.widgets import neuron as demo
from nbhelpers import ilsvrc

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Inspiration: the biological neuron
#
# | biology | model |
# |---|---|
# | dendrites receive signals from other neurons | inputs $x_1, \dots, x_n$ |
# | synapses are stronger or weaker | weights $w_1, \dots, w_n$ |
# | the cell body adds the incoming signals up | weighted sum $\sum_k w_k x_k + b$ |
# | the axon fires when the sum passes a threshold | activation $\varphi$, e.g. a step |
#
# A loose analogy: real neurons spike in time, adapt, and are far more complex.
# An artificial "neuron" is just the formula on the next slide.

# %% [markdown] slideshow={"slide_type": "notes"}
# McCulloch and Pitts (1943) proposed the threshold unit (fixed weights);
#     Rosenblatt (1958) published the perceptron, a threshold unit that learns its weights
#     (simulated on an IBM 704, then built as the Mark I Perceptron). Keep this slide short:
#     from here on a neuron is a formula, not biology.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The artificial neuron
#
# $$y = \varphi\Big(\sum_{k=1}^{n} w_k x_k + b\Big) = \varphi(\mathbf{w}\cdot\mathbf{x} + b)$$
#
# * $x_k$ inputs, $w_k$ **weights** (how much each input counts), $b$ **bias**
# * $z = \mathbf{w}\cdot\mathbf{x} + b$ is the *weighted input*
# * $\varphi$ is the **activation function** (lecture 02); here the step: $1$ if $z > 0$, else $0$

# %% slideshow={"slide_type": "fragment"}
x = torch.tensor([1.0, 0.0, 1.0])      # three inputs
w = torch.tensor([0.6, -0.4, 0.3])     # one weight per input
b = -0.5                               # the bias
z = sum(w[k] * x[k] for k in range(3)) + b   # weighted input
y = 1.0 if z > 0 else 0.0                    # step activation
print(f"z = {z:.2f}, y = {y}")

# %% slideshow={"slide_type": "skip"}
assert torch.isclose(z, torch.dot(w, x) + b) and torch.isclose(z, torch.tensor(0.4)) and y == 1

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Weights and bias
#
# * A weight's **sign** says whether its input excites (+) or inhibits (−) the neuron,
#   its **size** how strongly.
# * The classic form has a threshold $\theta$: fire if $\mathbf{w}\cdot\mathbf{x} > \theta$.
#   Moving $\theta$ to the left gives the bias $b = -\theta$: fire if
#   $\mathbf{w}\cdot\mathbf{x} + b > 0$.
# * A large bias makes the neuron fire easily; a very negative one, hardly ever.

# %% slideshow={"slide_type": "skip"}
theta, inputs = 0.5, torch.rand(1000, 3)
assert torch.equal(inputs @ w > theta, inputs @ w + (-theta) > 0)   # threshold θ = bias −θ


# %% [markdown] slideshow={"slide_type": "slide"}
# ## Rosenblatt's perceptron (1958)
#
# * output $1$ if $\mathbf{w}\cdot\mathbf{x} + b > 0$, else $0$: a binary decision
# * for logic gates the inputs are binary too, $x_k \in \{0, 1\}$ (as in Nielsen, ch. 1);
#   the same unit takes real-valued inputs (the training example below)
# * with two inputs, the line $w_1x_1 + w_2x_2 + b = 0$ splits the plane into the half
#   where it fires and the half where it does not: a **linear decision boundary**

# %% slideshow={"slide_type": "fragment"}
def perceptron(x, w, b):
    """x: one input (2,) or a batch (N, 2); returns 0. or 1. per input."""
    return (x @ w + b > 0).float()

X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])   # the four inputs, one per row

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### AND, OR and NAND with one perceptron each
#
# Choose the weights by hand, then read off the truth table:

# %% slideshow={"slide_type": "-"}
gates = {"AND": ([1., 1.], -1.5), "OR": ([1., 1.], -0.5), "NAND": ([-2., -2.], 3.)}
print("x1 x2 | AND OR NAND")
for x in X:
    a, o, n = (int(perceptron(x, torch.tensor(w), b)) for w, b in gates.values())
    print(f" {int(x[0])}  {int(x[1])} |  {a}   {o}   {n}")

# %% slideshow={"slide_type": "skip"}
x1, x2 = X[:, 0].bool(), X[:, 1].bool()
truth = {"AND": x1 & x2, "OR": x1 | x2, "NAND": ~(x1 & x2)}
for name, (w_g, b_g) in gates.items():
    assert torch.equal(perceptron(X, torch.tensor(w_g), b_g).bool(), truth[name]), name

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Each gate is a line
#
# On the orange side of the line, where the points are labelled 1: $\mathbf{w}\cdot\mathbf{x}
# + b > 0$, output 1. Each gate's line cuts off the corners that must output 1.

# %% slideshow={"slide_type": "-"}
fig = demo.gates_figure()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Try it: move $w_1$, $w_2$, $b$
#
# Can you make NOR? "$x_1$ and not $x_2$"? XOR?

# %% slideshow={"slide_type": "-"} tags=["widget"]
demo.perceptron_widget()

# %% [markdown] slideshow={"slide_type": "notes"}
# Drag b first: the line moves parallel to itself. Then change w1 and w2: the line
#     turns (w is perpendicular to it and points to the firing side). Ask the class to find XOR;
#     after a minute, go to the next slide for why nobody can.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## XOR: one line is not enough
#
# XOR is 1 when exactly one input is 1. Suppose one perceptron computed it:
# * 01 and 10 fire: $w_2 + b > 0$ and $w_1 + b > 0$, so $w_1 + w_2 + 2b > 0$;
# * 00 and 11 do not: $b \le 0$ and $w_1 + w_2 + b \le 0$, so $w_1 + w_2 + 2b \le 0$.
#
# A contradiction. Geometrically: the firing half-plane is convex, so it holds the midpoint
# $(\frac12, \frac12)$ of 01 and 10; the other half-plane, also convex, holds the midpoint
# of 00 and 11: the same point.

# %% [markdown] slideshow={"slide_type": "notes"}
# Minsky and Papert's book Perceptrons (1969) made this limitation famous; it
#     contributed to the first 'AI winter'. The fix, hidden layers, was known, but how to train
#     them (backpropagation, lecture 06) became popular only in the 1980s (Rumelhart, Hinton
#     and Williams, 1986).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Check it by brute force
#
# Try $17^3 = 4913$ weight settings $w_1, w_2, b \in \{-2, -1.75, \dots, 2\}$ and collect
# every truth table they produce:

# %% slideshow={"slide_type": "-"}
grid = torch.linspace(-2, 2, 17)
W1, W2, B = torch.meshgrid(grid, grid, grid, indexing="ij")
Z = X @ torch.stack([W1.flatten(), W2.flatten()]) + B.flatten()      # 4 × 4913
tables = {tuple(col.tolist()) for col in (Z > 0).int().T}
print(len(tables), "of the 16 two-input functions; XOR among them:", (0, 1, 1, 0) in tables)

# %% slideshow={"slide_type": "skip"}
assert Z.shape == (4, 17**3) and 17**3 == 4913 and len(tables) == 14
assert torch.allclose((Z[1] + Z[2]) / 2, (Z[0] + Z[3]) / 2)    # both = z at (1/2, 1/2)
assert (0, 1, 1, 0) not in tables and (1, 0, 0, 1) not in tables   # XOR, XNOR


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Two layers solve XOR
#
# $\text{XOR}(\mathbf{x}) = \text{AND}\big(\text{OR}(\mathbf{x}),\,
# \text{NAND}(\mathbf{x})\big)$: two hidden perceptrons feed one output perceptron.

# %% slideshow={"slide_type": "-"}
def xor_net(x):
    h = torch.stack([perceptron(x, torch.tensor([1., 1.]), -0.5),        # OR
                     perceptron(x, torch.tensor([-2., -2.]), 3.)], -1)   # NAND
    return perceptron(h, torch.tensor([1., 1.]), -1.5)                   # AND

print("XOR network on 00, 01, 10, 11:", xor_net(X).int().tolist())

# %% slideshow={"slide_type": "skip"}
assert torch.equal(xor_net(X).bool(), x1 ^ x2)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What the hidden layer does
#
# It maps the inputs to new coordinates $(h_1, h_2)$ = (OR, NAND) in which one line works.

# %% slideshow={"slide_type": "-"}
fig = demo.xor_figure()


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### NAND alone builds everything
#
# Every logical function can be wired from NAND gates only (Nielsen, ch. 1), so networks of
# perceptrons compute any logical function. A **half adder** adds two bits: its sum bit is
# XOR, its carry bit AND; here from NAND perceptrons $\mathbf{w} = (-2, -2)$, $b = 3$ only:

# %% slideshow={"slide_type": "-"}
def nand(a, b):
    return perceptron(torch.stack([a, b], dim=-1), torch.tensor([-2., -2.]), 3.)

def half_adder(a, b):
    n = nand(a, b)
    total = nand(nand(a, n), nand(b, n))      # the sum bit: XOR, from four NANDs
    carry = nand(n, n)                        # the carry bit: NOT NAND = AND
    return total, carry

s, c = half_adder(X[:, 0], X[:, 1])
print("x1 x2 | sum carry")
for (a, b), si, ci in zip(X.int().tolist(), s.int().tolist(), c.int().tolist()):
    print(f" {a}  {b} |  {si}    {ci}")

# %% slideshow={"slide_type": "skip"}
assert torch.equal(s.bool(), x1 ^ x2) and torch.equal(c.bool(), x1 & x2)    # XOR and AND
assert torch.equal(2 * c + s, X.sum(dim=1))             # binary: x1 + x2 = 2·carry + sum
n = nand(X[:, 0], X[:, 1])                               # Nielsen merges nand(n, n) into
assert torch.equal(perceptron(n[:, None], torch.tensor([-4.]), 3.), c)   # one weight −4

# %% [markdown] slideshow={"slide_type": "fragment"}
# Reassuring and disappointing (Nielsen): perceptrons are as powerful as any circuit, but
# then they are just another kind of NAND gate. What is new is that they can *learn* the weights.


# %% [markdown] slideshow={"slide_type": "slide"}
# ## Learning the weights: the perceptron rule
#
# For each example $(\mathbf{x}, y)$ predict $\hat y = \text{step}(\mathbf{w}\cdot\mathbf{x} + b)$, then
#
# $$\mathbf{w} \leftarrow \mathbf{w} + \eta\,(y - \hat y)\,\mathbf{x}, \qquad
#   b \leftarrow b + \eta\,(y - \hat y)$$
#
# * right answer: $y - \hat y = 0$, nothing changes
# * missed a 1 ($+1$): add $\mathbf{x}$, so $\mathbf{w}\cdot\mathbf{x} + b$ grows; false alarm ($-1$): subtract it
# * **Convergence theorem** (Novikoff, 1962): if a separating line exists, the rule makes at
#   most $(R/\gamma)^2$ mistakes, then stops changing. With $\tilde{\mathbf{x}} = (\mathbf{x}, 1)$:
#   $R = \max\|\tilde{\mathbf{x}}\|$, and $\gamma$ = the smallest $\pm\,\mathbf{u}\cdot\tilde{\mathbf{x}}$ for a
#   separating unit vector $\mathbf{u} \propto (\mathbf{w}, b)$ (+ for class 1, − for class 0)

# %% [markdown] slideshow={"slide_type": "notes"}
# gamma is the margin in the extended space (x, 1), which carries the bias: any separating
#     unit vector u gives a valid bound, the best one the smallest. The training slide checks the
#     bound with u from the line that generated the data. With w and b starting at 0 the
#     learning rate does not change the predictions, only the scale of w and b.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The rule in code

# %% slideshow={"slide_type": "-"}
def train_perceptron(X, y, *, lr=1.0, max_epochs=100):
    w, b = torch.zeros(X.shape[1]), 0.0
    lines, mistakes = [], 0
    for _ in range(max_epochs):
        errors = 0
        for xi, yi in zip(X, y):
            delta = yi - perceptron(xi, w, b)                # 0, +1 or -1
            w, b = w + lr * delta * xi, b + lr * float(delta)
            errors += int(delta != 0)
        lines.append((w, b)); mistakes += errors
        if errors == 0:                                      # a clean pass: done
            return w, b, lines, mistakes
    raise RuntimeError("no convergence: is the data linearly separable?")


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Training on a small separable data set
#
# 30 random points labelled by the line $x_2 = 0.5x_1 + 0.3$ (points closer than 0.05 to it
# dropped, so there is a margin):

# %% slideshow={"slide_type": "-"}
gen = torch.Generator().manual_seed(1)
P = torch.rand(60, 2, generator=gen)
dist = (P[:, 1] - 0.5 * P[:, 0] - 0.3) / (1 + 0.5**2) ** 0.5    # signed distance to the line
P, labels = P[dist.abs() > 0.05][:30], (dist[dist.abs() > 0.05][:30] > 0).float()
w, b, lines, mistakes = train_perceptron(P, labels)
wrong = int((perceptron(P, w, b) != labels).sum())
print(f"{len(lines)} epochs, {mistakes} mistakes on the way, {wrong} training errors now")
Pe = torch.cat([P, torch.ones(30, 1)], 1)              # x̃ = (x, 1)
u = torch.tensor([-0.5, 1.0, -0.3]); u = u / u.norm()  # the generating line, unit length
R, gamma = Pe.norm(dim=1).max(), ((2 * labels - 1) * (Pe @ u)).min()
print(f"Novikoff's bound: (R/γ)² = {(R / gamma) ** 2:.0f} ≥ {mistakes} mistakes")

# %% slideshow={"slide_type": "skip"}
assert len(P) == 30 and wrong == 0                              # converged: zero errors
assert gamma > 0 and mistakes <= (R / gamma) ** 2                # the convergence bound
w_half, b_half, lines_half, mistakes_half = train_perceptron(P, labels, lr=0.5)
assert torch.equal(2 * w_half, w) and 2 * b_half == b and mistakes_half == mistakes  # η: scale only

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Where the line ended up
#
# The rule stops at *a* separating line, not at the best one: any line with zero errors
# ends training.

# %% slideshow={"slide_type": "-"}
fig = demo.training_figure(P, labels, lines, true_line=(-0.5, 1.0, -0.3))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Matrix form: a layer of neurons
#
# Stack the weights of $m$ neurons as the rows of $W$ ($m \times n$):
# $\mathbf{z} = W\mathbf{x} + \mathbf{b}$. Stack $N$ inputs as the rows of $X$
# ($N \times n$): $Z = XW^\top + \mathbf{b}$. That is exactly `torch.nn.Linear(n, m)`.

# %% slideshow={"slide_type": "-"}
W = torch.tensor([[1., 1.], [1., 1.], [-2., -2.]])      # rows: AND, OR, NAND neurons
bias = torch.tensor([-1.5, -0.5, 3.0])
Z = X @ W.T + bias                                      # 4 inputs × 3 neurons at once
layer = torch.nn.Linear(in_features=2, out_features=3)
with torch.no_grad():
    layer.weight.copy_(W); layer.bias.copy_(bias)
print((layer(X) > 0).int())                             # columns: AND, OR, NAND

# %% slideshow={"slide_type": "skip"}
assert torch.allclose(layer(X), Z) and torch.allclose(Z[1], W @ X[1] + bias)
assert torch.equal((Z > 0).T, torch.stack([truth["AND"], truth["OR"], truth["NAND"]]))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### "Multilayer perceptron": a historical name
#
# Layers of neurons one after another are called a **multilayer perceptron** (MLP), but
# their units are usually sigmoid or ReLU neurons (lecture 02), not step perceptrons
# (Nielsen, ch. 1). The step's slope is 0 wherever it has one, so gradient descent
# (lecture 05) could not learn its weights. torchvision's `MLP`, for one:

# %% slideshow={"slide_type": "-"}
from torchvision.ops import MLP

mlp = MLP(in_channels=2, hidden_channels=[4, 1])     # 2 inputs → 4 hidden → 1 output
print(mlp)

# %% slideshow={"slide_type": "skip"}
assert isinstance(mlp[1], torch.nn.ReLU) and [m.out_features for m in mlp
                                               if isinstance(m, torch.nn.Linear)] == [4, 1]
z, h = torch.tensor([-2.0, -0.1, 0.3, 2.0]), 1e-3
assert torch.equal(perceptron(z[:, None] + h, torch.ones(1), 0.)              # slope 0 at
                   - perceptron(z[:, None] - h, torch.ones(1), 0.), torch.zeros(4))   # z ≠ 0
assert not (z.requires_grad_() > 0).float().requires_grad    # autograd cannot pass a step

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Why deep learning took over
#
# The ImageNet challenge (ILSVRC): 1000 classes, 1.28 million labelled training photos.
# In 2012 a deep convolutional network (AlexNet, trained on GPUs) cut the winning top-5
# error from 25.8 % to 16.4 %; every later winner was a deep network, and from 2015 on
# the winners' error was below the 5.1 % of one trained human annotator (on 1500 test images).

# %% slideshow={"slide_type": "-"}
fig = ilsvrc.plot_top5_errors()       # published results: Russakovsky et al. 2015 and
                                      # image-net.org/challenges/LSVRC (see notes)

# %% slideshow={"slide_type": "skip"}
err = {r.year: r.top5_error for r in ilsvrc.WINNERS}
assert (ilsvrc.CLASSES, round(ilsvrc.TRAIN_IMAGES / 1e6, 2)) == (1000, 1.28)
assert (err[2011], err[2012], ilsvrc.HUMAN_TOP5_ERROR) == (25.8, 16.4, 5.1)
assert all(r.deep for r in ilsvrc.WINNERS if r.year >= 2012)
assert min(y for y, e in err.items() if e < ilsvrc.HUMAN_TOP5_ERROR) == 2015
assert all(e < ilsvrc.HUMAN_TOP5_ERROR for y, e in err.items() if y >= 2015)

# %% [markdown] slideshow={"slide_type": "notes"}
# Top-5 error: the true class is not among the five the model ranks highest. Sources:
#     Russakovsky et al., "ImageNet Large Scale Visual Recognition Challenge", IJCV 2015 (2010-2014
#     and the human estimate: A. Karpathy on 1500 test images), the challenge's result pages,
#     He et al. 2016 (ResNet, 3.57 %), Hu et al. 2018 (SENet, 2.25 %). 2012 and 2013 show the
#     best entries trained on the supplied data only: AlexNet with extra ImageNet images scored
#     15.3 % (the number in its paper), Clarifai 11.2 %. 2010 and 2011 had other test sets.
#     Three things came together: big labelled data, GPUs, and training tricks (ReLU, dropout).
#     "Beats a human" is narrow: one annotator, top-5, ImageNet's 1000 classes.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# * A neuron: weighted sum plus bias, then an activation, $y = \varphi(\mathbf{w}\cdot\mathbf{x} + b)$.
# * A perceptron draws one line: AND, OR, NAND yes; XOR no.
# * Two layers solve XOR: the hidden layer re-describes the input so that a line works.
# * NAND perceptrons alone build any logical function (a half adder, for one).
# * The perceptron rule finds a separating line whenever one exists.
# * A layer of neurons is one matrix product, `nn.Linear`; stacked layers of smooth neurons
#   are (for historical reasons) called multilayer perceptrons.
# * Deep networks took over image recognition after 2012 (ImageNet).
#
# Next: smooth activation functions, which make learning by gradients possible.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Write your answer in the cell under each exercise and run it, then run the check below it.

# %% slideshow={"slide_type": "-"}
from nbhelpers.check import neuron_and_perceptron as check

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: NOR
#
# Choose `(w1, w2, b)` so that the perceptron computes NOR: output 1 only for the input 00.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
# (w1, w2, b) of a NOR perceptron
nor = (-1.0, -1.0, 0.5)

# %% slideshow={"slide_type": "-"}
check.nor(nor)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: majority of three
#
# One perceptron with three binary inputs that outputs 1 when at least two of them are 1.
# Give its 3 weights `w_maj` and its bias `b_maj`.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
# three weights and a bias: 1 when at least two inputs are 1
w_maj = torch.tensor([1.0, 1.0, 1.0])
b_maj = -1.5

# %% slideshow={"slide_type": "-"}
check.majority((w_maj, b_maj))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: XNOR with two layers
#
# XNOR is 1 when both inputs are equal. Give a hidden layer `W1` (2×2), `b1` (2) and an output
# neuron `w2` (2), `b2`; every neuron uses the step: $y = \text{step}(\mathbf{w}_2\cdot
# \text{step}(W_1\mathbf{x} + \mathbf{b}_1) + b_2)$.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
# hidden layer W1 (2×2), b1 (2,); output neuron w2 (2,), b2
W1 = torch.tensor([[1.0, 1.0], [-1.0, -1.0]])   # hidden neurons: AND, NOR
b1 = torch.tensor([-1.5, 0.5])
w2 = torch.tensor([1.0, 1.0])                    # output neuron: OR
b2 = -0.5

# %% slideshow={"slide_type": "-"}
check.xnor_network(W1, b1, w2, b2)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Reading
#
# * Goodfellow, Bengio & Courville, *Deep Learning*, 6.1 (learning XOR)
# * Nielsen, *Neural Networks and Deep Learning*, chapter 1
# * d2l.ai 5.1, *Multilayer Perceptrons* (why one linear unit is not enough)
# * Rosenblatt (1958), The perceptron, *Psychological Review* 65(6)
