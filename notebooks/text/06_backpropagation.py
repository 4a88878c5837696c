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
# # Backpropagation
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-lectures/nn-lectures/blob/main/notebooks/06_backpropagation.ipynb)
#
# How $\nabla L$ is computed for every weight at once: the four equations of backpropagation,
# written from scratch and checked against autograd and finite differences, the same for a
# whole batch, why its matrix products cost at most twice the forward pass's, and the
# computational graph that `loss.backward()` walks.

# %% slideshow={"slide_type": "skip"}
# Setup: install nbhelpers on Colab only, seed everything, pick the device.
import sys
if "google.colab" in sys.modules:
    # %pip install -q "nbhelpers @ git+https://github.com/nn-lectures/nn-lectures"
import nbhelpers
device = nbhelpers.setup(seed=0)

# %% slideshow={"slide_type": "skip"}
import math
import torch
import torch.nn as nn
import torch.nn.functional as F
import matplotlib.pyplot as plt
from torch.utils.flop_counter import FlopCounterMode
from nbhelpers.compgraph import draw_graph
from nbhelpers.display import show   # plt.show() with alt text

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Backpropagation: notation
#
# A network of layers $l = 1, \dots, N$ with input $a^0 = x$:
#
# $$z^l = W^l a^{l-1} + b^l, \qquad a^l = \sigma(z^l)$$
#
# * $w^l_{jk}$ connects neuron $k$ of layer $l-1$ to neuron $j$ of layer $l$: $W^l$ is
#   (out × in), like `nn.Linear.weight`
# * the **error** of layer $l$ is $\delta^l = \partial L / \partial z^l$ (one number per neuron)
#
# Gradient descent (lecture 05) needs $\partial L/\partial w$ for every weight. Backpropagation
# computes every $\delta^l$ from the output backwards, in one pass, and reads all gradients off.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The four equations
#
# 1. output error: $\quad\delta^N = \nabla_a L \odot \sigma'(z^N)$
# 2. backward recursion: $\quad\delta^l = \big((W^{l+1})^T \delta^{l+1}\big) \odot \sigma'(z^l)$
# 3. biases: $\quad\dfrac{\partial L}{\partial b^l_j} = \delta^l_j$
# 4. weights: $\quad\dfrac{\partial L}{\partial w^l_{jk}} = a^{l-1}_k\, \delta^l_j$
#    $\;$ (as a matrix: $\delta^l (a^{l-1})^T$)
#
# $\odot$ is the element-wise product; $\nabla_a L = \partial L / \partial a^N$. With
# $L = \frac12\|a^N - y\|^2$, $\;\nabla_a L = a^N - y$.

# %% [markdown] slideshow={"slide_type": "notes"}
# Each equation is the chain rule once: (1) a^N = σ(z^N) element-wise; (2) z^{l+1} depends
# on z^l through W^{l+1} σ(z^l); (3) z^l = ... + b^l with derivative 1; (4) z^l_j = Σ_k
# w^l_jk a^{l-1}_k + b^l_j, so ∂z^l_j/∂w^l_jk = a^{l-1}_k. These are the equations BP1-BP4 of
# Nielsen, "Neural networks and deep learning", chapter 2. (1) assumes an element-wise output
# activation; for softmax with cross-entropy see exercise 2.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### A small network from scratch
#
# Sizes 3 → 4 → 4 → 2, sigmoid everywhere, float64 so we can compare to 1e-10.

# %% slideshow={"slide_type": "fragment"}
torch.manual_seed(0)
sizes = [3, 4, 4, 2]
Ws = [torch.randn(n_out, n_in, dtype=torch.float64) for n_in, n_out in zip(sizes, sizes[1:])]
bs = [torch.randn(n_out, dtype=torch.float64) for n_out in sizes[1:]]
x = torch.rand(3, dtype=torch.float64); y = torch.tensor([0.0, 1.0], dtype=torch.float64)

sigma_prime = lambda z: torch.sigmoid(z) * (1 - torch.sigmoid(z))   # σ' = σ(1 − σ)
def forward(x):
    """Returns the weighted inputs [z¹, ..., zᴺ] and activations [a⁰ = x, a¹, ..., aᴺ]."""
    zs, acts = [], [x]
    for W, b in zip(Ws, bs):
        zs.append(W @ acts[-1] + b)
        acts.append(torch.sigmoid(zs[-1]))
    return zs, acts


# %% slideshow={"slide_type": "skip"}
zs_, acts_ = forward(x)
z_ = zs_[0].clone().requires_grad_(True)
assert torch.allclose(torch.autograd.grad(torch.sigmoid(z_).sum(), z_)[0], sigma_prime(zs_[0]))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Backward: the four equations in code
#
# Python lists start at 0: `Ws[l]` maps `acts[l]` to `acts[l + 1]`.

# %% slideshow={"slide_type": "fragment"}
def backprop(x, y):
    zs, acts = forward(x)
    dWs, dbs = [None] * len(Ws), [None] * len(bs)
    delta = (acts[-1] - y) * sigma_prime(zs[-1])                  # (1)  ∇a L = a − y
    for l in reversed(range(len(Ws))):
        dbs[l] = delta                                             # (3)
        dWs[l] = torch.outer(delta, acts[l])                       # (4)  δ (a_prev)ᵀ
        if l > 0:
            delta = (Ws[l].T @ delta) * sigma_prime(zs[l - 1])     # (2)
    return dWs, dbs

dWs, dbs = backprop(x, y)
print([tuple(dW.shape) for dW in dWs], [tuple(db.shape) for db in dbs])

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Checked against autograd
#
# The same network as `nn.Sequential`, with our weights copied in:

# %% slideshow={"slide_type": "fragment"}
net = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 4), nn.Sigmoid(),
                    nn.Linear(4, 2), nn.Sigmoid()).double()
linears = [net[0], net[2], net[4]]
with torch.no_grad():
    for lin, W, b in zip(linears, Ws, bs):
        lin.weight.copy_(W); lin.bias.copy_(b)
loss = 0.5 * ((net(x) - y) ** 2).sum()
loss.backward()

# %% slideshow={"slide_type": "-"} tags=["nbval-ignore-output"]
diffs = [(lin.weight.grad - dW).abs().max().item() for lin, dW in zip(linears, dWs)]
diffs += [(lin.bias.grad - db).abs().max().item() for lin, db in zip(linears, dbs)]
print(f"largest difference between backprop and autograd: {max(diffs):.1e}")

# %% slideshow={"slide_type": "skip"}
for lin, dW, db in zip(linears, dWs, dbs):
    assert torch.allclose(lin.weight.grad, dW, rtol=0, atol=1e-10)
    assert torch.allclose(lin.bias.grad, db, rtol=0, atol=1e-10)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Checked by finite differences
#
# No autograd at all: nudge one weight by $\pm h$ and measure the loss,
# $\;\frac{\partial L}{\partial w} \approx \frac{L(w + h) - L(w - h)}{2h}$ (error $O(h^2)$).

# %% slideshow={"slide_type": "fragment"}
def loss_at(x, y):
    return 0.5 * ((forward(x)[1][-1] - y) ** 2).sum()

h, numeric = 1e-6, []
for P in Ws + bs:                                   # every weight and bias, one at a time
    G = torch.zeros_like(P)
    for i in range(P.numel()):
        old = P.view(-1)[i].item()
        P.view(-1)[i] = old + h; up = loss_at(x, y)
        P.view(-1)[i] = old - h; down = loss_at(x, y)
        P.view(-1)[i] = old                         # put the weight back
        G.view(-1)[i] = (up - down) / (2 * h)
    numeric.append(G)
error = max((n - b).abs().max().item() for n, b in zip(numeric, dWs + dbs))
print(f"{2 * sum(P.numel() for P in Ws + bs)} forward passes, within 1e-9 of backprop: {error < 1e-9}")

# %% slideshow={"slide_type": "skip"}
assert all(torch.allclose(n, b, rtol=0, atol=1e-9) for n, b in zip(numeric, dWs + dbs))
assert torch.equal(torch.cat([P.view(-1) for P in Ws]), torch.cat([lin.weight.view(-1)
                                                                   for lin in linears]))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### How small should $h$ be?
#
# The $O(h^2)$ truncation error falls with $h$, but $L(w+h) - L(w-h)$ loses digits to rounding,
# an error of about $\varepsilon_{float}/h$. The sum is smallest near $h \sim \varepsilon^{1/3}$
# (dashed: $6 \cdot 10^{-6}$ in float64, $5 \cdot 10^{-3}$ in float32), shifted by the size of
# the loss and of its third derivative: no single $h$ is best for every weight.

# %% slideshow={"slide_type": "fragment"}
hs = torch.logspace(-12, -1, 45, dtype=torch.float64)
W0, exact = Ws[0], dWs[0][0, 0].item()               # one weight, its backprop gradient
errors = []
for h in hs.tolist():
    old = W0[0, 0].item()
    W0[0, 0] = old + h; up = loss_at(x, y)
    W0[0, 0] = old - h; down = loss_at(x, y)
    W0[0, 0] = old
    errors.append(abs((up - down).item() / (2 * h) - exact))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The error of a central difference against $h$

# %% slideshow={"slide_type": "-"}
fig, ax = plt.subplots(figsize=(8, 3.4))
ax.loglog(hs, errors, "o-", ms=4)
ax.axvline(torch.finfo(torch.float64).eps ** (1 / 3), color="k", ls="--", label="$h = ε^{1/3}$")
best_h = hs[torch.tensor(errors).argmin()].item()
ax.set(xlabel="step $h$", ylabel="|finite difference − backprop|",
       title=f"this weight: smallest error at h = {best_h:.0e}"); ax.legend()
show(fig, alt="The error |finite difference − backprop| against the step h, from 1e-12 to 0.1, "
              "both on log scales: from the right it falls as h² (slope 2), it is smallest "
              "near the dashed line h = ε^(1/3) ≈ 6e-6, and to the left rounding error "
              "(about ε/h) makes it grow again, noisily.")

# %% slideshow={"slide_type": "skip"}
errors_ = torch.tensor(errors, dtype=torch.float64)
assert 1e-6 < best_h < 3e-3 and errors_.min() < 1e-9     # here 3e-5; 3e-6 to 6e-4 on seeds 0-9
log_h, log_e = hs.log10(), errors_.log10()
right, left = hs > 1e-3, hs < 1e-8                       # slopes: +2 (h²) and about −1 (ε/h)
assert abs((log_e[right].diff() / log_h[right].diff()).mean() - 2) < 0.2
fit = torch.linalg.lstsq(torch.stack([log_h[left], torch.ones_like(log_h[left])], 1),
                         log_e[left, None]).solution                 # least-squares line
assert -1.5 < fit[0].item() < -0.5                       # −1.04 here; −1.26 to −0.72 on 50 seeds
assert errors_[0] > 100 * errors_.min() and errors_[-1] > 100 * errors_.min()   # both sides rise
assert math.isclose(torch.finfo(torch.float64).eps ** (1 / 3), 6.06e-6, rel_tol=1e-3)
assert math.isclose(torch.finfo(torch.float32).eps ** (1 / 3), 4.92e-3, rel_tol=1e-2)
assert torch.equal(W0, net[0].weight.detach())                                  # put back

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### A whole batch at once
#
# Stack $B$ examples as rows (as `nn.Linear` does): $Z^l = A^{l-1} (W^l)^T + b^l$. Every
# equation runs on all rows at once; the weight and bias gradients **sum over the batch**:
# $\partial L/\partial W^l = (\Delta^l)^T A^{l-1}$, $\partial L/\partial b^l = \sum_n \delta^l_n$.
# Here $L$ is the sum over the batch; for the mean, divide by $B$.

# %% slideshow={"slide_type": "fragment"}
Xb, Yb = torch.rand(5, 3, dtype=torch.float64), torch.rand(5, 2, dtype=torch.float64)
A, Zs = [Xb], []
for W, b in zip(Ws, bs):
    Zs.append(A[-1] @ W.T + b); A.append(torch.sigmoid(Zs[-1]))    # rows are examples
D = (A[-1] - Yb) * sigma_prime(Zs[-1])                               # Δᴺ: (B, 2)
grads = [None] * len(Ws)
for l in reversed(range(len(Ws))):
    grads[l] = (D.T @ A[l], D.sum(dim=0))                            # (4), (3), summed
    if l > 0:
        D = (D @ Ws[l]) * sigma_prime(Zs[l - 1])                     # (2), row by row
net.zero_grad(); (0.5 * ((net(Xb) - Yb) ** 2).sum()).backward()
same = all(torch.allclose(dW, lin.weight.grad) and torch.allclose(db, lin.bias.grad)
           for (dW, db), lin in zip(grads, linears))
print("batch backprop == autograd:", same)

# %% slideshow={"slide_type": "skip"}
assert same
singles = [backprop(xn, yn) for xn, yn in zip(Xb, Yb)]          # = the sum of per-example grads
for l in range(len(Ws)):
    assert torch.allclose(grads[l][0], sum(s[0][l] for s in singles))
    assert torch.allclose(grads[l][1], sum(s[1][l] for s in singles))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Backpropagation is the chain rule
#
# $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial a^N}\cdot
# \frac{\partial a^N}{\partial z^N}\cdot\frac{\partial z^N}{\partial a^{N-1}}\cdot
# \frac{\partial a^{N-1}}{\partial z^{N-1}}\cdots\frac{\partial a^{1}}{\partial z^{1}}\cdot
# \frac{\partial z^{1}}{\partial x}$$
#
# Each factor is a Jacobian: $\partial a^l/\partial z^l = \mathrm{diag}\,\sigma'(z^l)$ and
# $\partial z^l/\partial a^{l-1} = W^l$. Backprop multiplies from the **left**: a row vector
# times a matrix at every step, never a matrix times a matrix. (The notes write
# $\frac{\partial L}{\partial a^l}$ first and $\frac{\partial a^1}{\partial z^l}\cdot
# \frac{\partial z^l}{\partial x}$ last: the first index must be $N$, the last $1$.)

# %% slideshow={"slide_type": "fragment"}
zs, acts = forward(x)
row = acts[-1] - y                                      # ∂L/∂aᴺ
for l in reversed(range(len(Ws))):
    row = row @ torch.diag(sigma_prime(zs[l])) @ Ws[l]  # · ∂aˡ/∂zˡ · ∂zˡ/∂aˡ⁻¹
x_auto = x.clone().requires_grad_(True)
(0.5 * ((net(x_auto) - y) ** 2).sum()).backward()
print("chain rule == autograd:", torch.allclose(row, x_auto.grad, rtol=0, atol=1e-12))

# %% slideshow={"slide_type": "skip"}
assert torch.allclose(row, x_auto.grad, rtol=0, atol=1e-12)
jac = torch.autograd.functional.jacobian(lambda z: torch.sigmoid(z), zs[0])
assert torch.allclose(jac, torch.diag(sigma_prime(zs[0])))          # ∂a/∂z = diag σ'(z)
assert torch.allclose(torch.autograd.functional.jacobian(lambda a: Ws[1] @ a + bs[1], acts[1]), Ws[1])

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Why backwards: the cost in matrix-product FLOPs
#
# Per layer, forward is one matrix product, $W a$. Backward is two of exactly the same size:
# $W^T\delta$, the gradient with respect to the layer's input, and $\delta\, a^T$, the gradient
# with respect to its weights. So backward's products cost **2×** forward's, or less where
# an input gradient is not needed (the first layer's, $\partial L/\partial x$); finite
# differences need $2P$ forward passes for $P$ weights. FLOPs counted by torch, batch of 64:

# %% slideshow={"slide_type": "fragment"}
torch.manual_seed(0)
mlp = nn.Sequential(nn.Linear(784, 256), nn.Sigmoid(), nn.Linear(256, 256), nn.Sigmoid(),
                    nn.Linear(256, 10))
images, labels = torch.randn(64, 784), torch.randint(0, 10, (64,))
with FlopCounterMode(display=False) as forward_count:
    loss = F.cross_entropy(mlp(images), labels)
with FlopCounterMode(display=False) as backward_count:
    loss.backward()
with FlopCounterMode(display=False) as both_count:    # again, with ∂L/∂x wanted too
    F.cross_entropy(mlp(images.requires_grad_()), labels).backward()
fwd, bwd = forward_count.get_total_flops(), backward_count.get_total_flops()
bwd_x, P = both_count.get_total_flops() - fwd, sum(p.numel() for p in mlp.parameters())
print(f"forward {fwd / 1e6:.1f} MFLOP, backward {bwd / 1e6:.1f} MFLOP: {bwd / fwd:.2f}×")
print(f"with ∂L/∂x as well: backward {bwd_x / 1e6:.1f} MFLOP, {bwd_x / fwd:.2f}×")
print(f"finite differences: {2 * P:,} forward passes for P = {P:,} weights")

# %% slideshow={"slide_type": "skip"}
first = 2 * 64 * 784 * 256                      # FLOPs of the first layer's product W a
assert fwd == first + 2 * 64 * 256 * 256 + 2 * 64 * 256 * 10
assert bwd == 2 * fwd - first                   # two products per layer, one for the first
assert bwd_x == 2 * fwd and 1 < bwd / fwd <= 2  # with ∂L/∂x: exactly two per layer
assert P == 269_322 and mlp[0].weight.numel() == 784 * 256 == 200_704    # the notes
assert round(bwd / fwd, 2) == 1.25

# %% [markdown] slideshow={"slide_type": "notes"}
# Here the first layer holds 200,704 of the 269,322 weights, so skipping its input gradient
# brings the ratio down to 1.25; with ∂L/∂x it is exactly 2. What is counted: the FLOPs of the
# matrix products only (torch's counter skips element-wise operations, the sigmoid, the loss
# and the bias sums, which cost O(B n) next to the products' O(B n_in n_out)). This is a count,
# not a timing: seconds depend on the machine. Multiplying from the right instead (forward
# mode) would carry a Jacobian with one column per input: for ∂L/∂W that is one pass per
# weight. Reverse mode carries one row, because the loss is a single number. Backprop's real
# price is memory: the backward pass needs every z^l and a^l stored by the forward pass.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What the recursion says: vanishing gradients
#
# Equation (2) multiplies by $(W^{l+1})^T$ and $\sigma'(z^l) \le \frac14$ at every layer: with
# small weights the error shrinks geometrically, here to about a millionth or less.

# %% slideshow={"slide_type": "fragment"}
def layer_grad_norms(seed):     # 8 sigmoid layers of width 32, default init, a batch of 128
    torch.manual_seed(seed)
    deep = nn.Sequential(*[m for _ in range(8) for m in (nn.Linear(32, 32), nn.Sigmoid())],
                         nn.Linear(32, 1))
    F.mse_loss(deep(torch.randn(128, 32)), torch.randn(128, 1)).backward()
    return [m.weight.grad.norm().item() for m in deep if isinstance(m, nn.Linear)]

norms = torch.tensor([layer_grad_norms(seed) for seed in range(10)])   # 10 seeds × 9 layers
fig, ax = plt.subplots(figsize=(8, 1.8))
ax.semilogy(range(1, 10), norms.T, "o-", ms=3, lw=1, alpha=0.6)
ax.set(xlabel="layer $l$ (1 = next to the input)", ylabel="$\\|\\partial L/\\partial W^l\\|$")
show(fig, alt="Gradient norms of the 9 weight matrices (log scale), one line per seed: each "
              "shrinks towards the input, to a millionth of the last layer's or less.")
ratio = norms[:, 0] / norms[:, -1]
print(f"first layer / last layer: {ratio.min():.0e} to {ratio.max():.0e} over 10 seeds")

# %% slideshow={"slide_type": "skip"}
z_ = torch.linspace(-10, 10, 2001, dtype=torch.float64)
assert math.isclose(sigma_prime(z_).max().item(), 0.25)     # σ' ≤ ¼, at z = 0
assert (sigma_prime(z_) <= 0.25).all()
assert (norms.diff(dim=1) > 0).all()                         # shrinks towards the input, every seed
assert 1e-8 < ratio.min() and ratio.max() < 2e-6             # seen: 3.9e-8 to 9.5e-7

# %% [markdown] slideshow={"slide_type": "notes"}
# Each line is one initialisation (seeds 0-9), the gradient norm of each of the nine weight
# matrices. ReLU (lecture 02) and lecture 08 (initialisation, batch norm) counter it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A computational graph
#
# Autograd records every operation as a node. **Forward**: values flow left to right.
# **Backward**: each node multiplies the gradient arriving from the right by its local
# derivative. One neuron with squared error, $L = (\sigma(w x + b) - y)^2$:

# %% slideshow={"slide_type": "subslide"}
w, xx, b, yy = (torch.tensor(v, requires_grad=True) for v in (2.0, 1.5, -2.0, 0.0))
u = w * xx; z = u + b; a = torch.sigmoid(z); r = a - yy; L = r**2
for t in (u, z, a, r):
    t.retain_grad()                                       # keep gradients of inner nodes
L.backward()
fig = draw_graph({"w": w, "x": xx, "u": u, "b": b, "z": z, "a": a, "y": yy, "r": r, "L": L},
                 [("w", "u"), ("x", "u"), ("u", "z"), ("b", "z"), ("z", "a"), ("a", "r"),
                  ("y", "r"), ("r", "L")],
                 ops={"u": "w·x", "z": "u + b", "a": "σ(z)", "r": "a − y", "L": "r²"})

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The same gradients by hand
#
# Right to left, one local derivative per node:

# %% slideshow={"slide_type": "fragment"}
dL_dr = 2 * r                         # L = r²
dL_da = dL_dr                         # r = a − y
dL_dz = dL_da * a * (1 - a)           # a = σ(z), σ' = σ(1 − σ)
dL_du = dL_db = dL_dz                 # z = u + b
dL_dw, dL_dx = dL_du * xx, dL_du * w  # u = w·x
dL_dy = -dL_dr
print(f"∂L/∂w = {dL_dw.item():.4f}   ∂L/∂x = {dL_dx.item():.4f}   ∂L/∂b = {dL_db.item():.4f}")

# %% slideshow={"slide_type": "skip"}
pairs = [(dL_dr, r), (dL_da, a), (dL_dz, z), (dL_du, u), (dL_db, b), (dL_dw, w),
         (dL_dx, xx), (dL_dy, yy)]
assert all(torch.isclose(hand, node.grad) for hand, node in pairs)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What `backward()` walks
#
# Each result remembers the operation that made it (`grad_fn`) and that operation's inputs
# (`next_functions`): the graph above, recorded during the forward pass. `backward()` visits
# it from $L$ to the leaves and **adds** each gradient into `.grad` (`AccumulateGrad`).

# %% slideshow={"slide_type": "fragment"}
node = L.grad_fn
while node is not None:
    inputs = [f for f, _ in node.next_functions if f is not None]
    print(f"{type(node).__name__:18s} <- {[type(f).__name__ for f in inputs]}")
    node = inputs[0] if inputs else None

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### A value used twice: the gradients add
#
# When $x$ feeds two operations, the chain rule sums over the paths:
# $L = x\,y + x^2 \;\Rightarrow\; \frac{\partial L}{\partial x} = y + 2x$. Autograd does the
# same, which is also why `.grad` accumulates across `backward()` calls (lecture 05:
# `zero_grad()`).

# %% slideshow={"slide_type": "fragment"}
x1, y1 = torch.tensor(3.0, requires_grad=True), torch.tensor(-1.0)
(x1 * y1 + x1**2).backward()
print(f"autograd {x1.grad.item()},  y + 2x = {(y1 + 2 * x1).item()}")
(x1 * y1 + x1**2).backward()                          # a second backward, no zero_grad
print(f"after a second backward(): {x1.grad.item()}")

# %% slideshow={"slide_type": "skip"}
assert x1.grad.item() == 2 * (y1 + 2 * x1).item() == 10.0

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# * $\delta^l = \partial L/\partial z^l$: $\delta^N$ from the loss, then backwards
#   $\delta^l = ((W^{l+1})^T\delta^{l+1}) \odot \sigma'(z^l)$; read off
#   $\partial L/\partial W^l = \delta^l (a^{l-1})^T$, $\partial L/\partial b^l = \delta^l$.
# * For a batch the same in matrix form; weight gradients sum over the examples.
# * Check gradients with central differences, $h$ near $\varepsilon^{1/3}$ (no single $h$ is
#   best for every weight): $2P$ forward passes for $P$ weights.
# * Backprop is the chain rule multiplied from the loss end: two matrix products per layer,
#   so at most twice the forward pass's matrix-product FLOPs.
# * `loss.backward()` walks the recorded graph and adds into `.grad`.
# * Products of $\sigma' \le \frac14$ make gradients vanish in deep sigmoid networks (lecture 08).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Fill in the cell tagged *answer*, run it, then run the check below it.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: one backward step through a layer
#
# Given $\delta^{l+1}$, $W^{l+1}$, $z^l$ and $a^{l-1}$ of a sigmoid layer $l$, return
# $\delta^l$ (equation 2), $\partial L/\partial W^l$ (4) and $\partial L/\partial b^l$ (3).

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
# Exercise 1: equations (2), (4) and (3) for one sigmoid layer.
def layer_backward(delta_next, W_next, z, a_prev):
    """delta_next (n_next,), W_next (n_next, n), z (n,), a_prev (n_prev,).
    Returns (delta, dW, db) of this layer."""
    s = torch.sigmoid(z)
    delta = (W_next.T @ delta_next) * s * (1 - s)
    return delta, torch.outer(delta, a_prev), delta


# %% slideshow={"slide_type": "-"}
from nbhelpers.check import backpropagation as check

check.layer_backward(layer_backward)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: the output error of softmax + cross-entropy
#
# Classifiers end in logits $z$ and `F.cross_entropy` (lecture 04), not in a sigmoid and the
# squared error. For a batch of logits `z` (B, C) and labels `y` (B,), return
# $\Delta^N = \partial L/\partial z$ of the **mean** cross-entropy, without autograd. Hint:
# differentiate $-\log \mathrm{softmax}(z)_y$ with respect to each $z_c$.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
# Exercise 2: ∂L/∂z for L = F.cross_entropy(z, y) (mean over the batch).
def output_delta(z, y):
    """z (B, C) logits, y (B,) class indices. Returns ∂L/∂z, shape (B, C)."""
    return (torch.softmax(z, dim=1) - F.one_hot(y, z.shape[1])) / len(z)


# %% slideshow={"slide_type": "-"}
check.output_delta(output_delta)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Reading
#
# * Goodfellow et al., 6.5 (back-propagation)
# * Nielsen, chapter 2
# * d2l.ai 5.3, *Forward Propagation, Backward Propagation, and Computational Graphs*
# * Rumelhart, Hinton & Williams (1986), Learning representations by back-propagating errors, *Nature* 323
