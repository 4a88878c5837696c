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
# # Gradient descent and backpropagation
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-lectures/nn-lectures/blob/main/notebooks/05_gradient_descent_and_backprop.ipynb)
#
# How a network learns: gradient descent and its learning rate, mini-batches and epochs,
# backpropagation written out and checked against autograd, and five optimisers compared.

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
from nbhelpers import descent
from nbhelpers.data import TensorBatches

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The optimisation problem
#
# Data $(x_n, y_n)_{n=1}^N$, a model $f_w$ with weights $w$, a loss $\ell$ (lecture 04):
#
# $$w^* = \arg\min_w\; L(w), \qquad L(w) = \frac{1}{N}\sum_{n=1}^{N} \ell\big(f_w(x_n), y_n\big)$$
#
# There is no formula for $w^*$. But $\nabla L(w)$ points **uphill**, so step the other way,
# with a **learning rate** $\eta > 0$:
#
# $$w \leftarrow w - \eta\, \nabla L(w)$$

# %% slideshow={"slide_type": "fragment"}
x = torch.tensor([0.0, 1.0, 2.0, 3.0]); y = 2 * x + 1      # data from y = 2x + 1
w = torch.zeros(2, requires_grad=True)                     # (slope, intercept)
loss = ((w[0] * x + w[1] - y) ** 2).mean()
loss.backward()                                            # autograd: ∇L(w)
with torch.no_grad():
    w_new = w - 0.1 * w.grad                               # one step, η = 0.1
new_loss = ((w_new[0] * x + w_new[1] - y) ** 2).mean()
print(f"gradient {w.grad.tolist()}   loss {loss.item():.3f} -> {new_loss.item():.3f}")

# %% slideshow={"slide_type": "-"}
residual = w[0].detach() * x + w[1].detach() - y
assert torch.allclose(w.grad, torch.stack([(2 * residual * x).mean(), (2 * residual).mean()]))
assert new_loss < loss

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Gradient descent in 1-D: the learning rate
#
# $L(w) = w^2$, so $L'(w) = 2w$ and one step gives $w \leftarrow w - 2\eta w = (1 - 2\eta)\,w$.
#
# * converges if $|1 - 2\eta| < 1$, i.e. $0 < \eta < 1$ (it oscillates when $\eta > \frac12$)
# * diverges if $\eta > 1$

# %% slideshow={"slide_type": "fragment"}
from nbhelpers.widgets.descent import descent_figure, descent_grid_figure, descent_widget

fig = descent_grid_figure(surface="parabola", lrs=(0.05, 0.4, 1.02), steps=12)

# %% slideshow={"slide_type": "skip"}
for lr in (0.05, 0.4, 0.9, 1.02):
    path = descent.gradient_descent("parabola", lr=lr, steps=12)[:, 0]
    assert torch.allclose(path, -2.0 * (1 - 2 * lr) ** torch.arange(13.0, dtype=path.dtype))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The limit is $2/\lambda$
#
# For any quadratic loss, let $\lambda$ be its largest **curvature** (second derivative; with
# many weights, the largest eigenvalue of the Hessian). Gradient descent converges for
# $\eta < 2/\lambda$ and diverges for $\eta > 2/\lambda$. Check it on $w^2$ ($\lambda = 2$)
# and on a ravine $\frac12(w_1^2 + 100\,w_2^2)$ ($\lambda = 100$):

# %% slideshow={"slide_type": "fragment"}
for name in ("parabola", "ravine"):
    s = descent.SURFACES[name]
    for factor in (0.98, 1.02):
        path = descent.gradient_descent(s, lr=factor * 2 / s.curvature, steps=500)
        print(f"{name:8s} lr = {factor} × 2/λ = {factor * 2 / s.curvature:.4f}: "
              f"{descent.verdict(s, path, 500)}")

# %% slideshow={"slide_type": "skip"}
for name in ("parabola", "ravine"):
    s = descent.SURFACES[name]
    hessian = torch.autograd.functional.hessian(s, torch.tensor(s.start, dtype=torch.float64))
    assert math.isclose(torch.linalg.eigvalsh(hessian).max().item(), s.curvature)
    for factor, want in ((0.98, "converges"), (1.02, "diverges")):
        path = descent.gradient_descent(s, lr=factor * 2 / s.curvature, steps=500)
        assert descent.verdict(s, path, 500) == want

# %% [markdown] slideshow={"slide_type": "notes"}
# Why: near a minimum every smooth loss looks quadratic, and along the eigenvector with
# curvature λ one step multiplies the distance to the minimum by (1 − ηλ). That factor has
# size below 1 exactly when 0 < η < 2/λ. The steepest direction sets the limit.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A 2-D loss surface: the ravine
#
# $L(w) = \frac12(w_1^2 + 100\,w_2^2)$: steep across ($\lambda = 100$), flat along ($1$).
# The steep direction caps $\eta < 0.02$; with that $\eta$ the flat direction shrinks by only
# $1 - \eta \approx 0.98$ per step. Gradient descent **zig-zags and crawls**.

# %% slideshow={"slide_type": "fragment"}
fig = descent_grid_figure(surface="ravine", lrs=(0.002, 0.019, 0.0205), steps=40)

# %% slideshow={"slide_type": "skip"}
slow = descent.gradient_descent("ravine", lr=0.019, steps=40)
assert (slow[1:, 1] * slow[:-1, 1] < 0).all()          # w2 flips sign every step: zig-zag
assert slow[-1, 0] < -1.5                               # w1 still far from 0 after 40 steps

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Try it: learning rate, surface, steps
#
# The log slider spans 0.0001 to 2. Find the largest learning rate that still converges on
# each surface. On the *double well*, which minimum you reach depends on the step size;
# *rosenbrock* is a curved valley.

# %% slideshow={"slide_type": "fragment"} tags=["widget"]
descent_widget()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Stochastic and mini-batch gradient descent
#
# $\nabla L$ averages over all $N$ examples: one step = one full pass. Instead, draw $m$
# examples $X_1, \dots, X_m$ and use their average gradient (the lecture notes' formula):
#
# $$w_k' = w_k - \frac{\eta}{m}\sum_{j=1}^{m} \frac{\partial L_{X_j}}{\partial w_k}, \qquad
# b_l' = b_l - \frac{\eta}{m}\sum_{j=1}^{m} \frac{\partial L_{X_j}}{\partial b_l}$$
#
# $m = 1$: *stochastic* GD; $1 < m < N$: *mini-batch* GD; $m = N$: (full-batch) GD.

# %% slideshow={"slide_type": "subslide"}
torch.manual_seed(0)
model, X, Y, eta = nn.Linear(3, 1), torch.randn(8, 3), torch.randn(8, 1), 0.1  # m = 8
params = list(model.parameters())                      # [w (1×3), b (1,)]
per_example = [torch.autograd.grad(F.mse_loss(model(X[j:j + 1]), Y[j:j + 1]), params)
               for j in range(8)]                      # ∂L_Xj/∂w, ∂L_Xj/∂b
by_formula = [(p - eta / 8 * sum(g[i] for g in per_example)).detach()
              for i, p in enumerate(params)]
opt = torch.optim.SGD(params, lr=eta)                  # torch: SGD on the batch mean loss
opt.zero_grad(); F.mse_loss(model(X), Y).backward(); opt.step()
same = all(torch.allclose(a, p) for a, p in zip(by_formula, params))
print("the notes' formula gives the same weights as torch.optim.SGD:", same)

# %% slideshow={"slide_type": "skip"}
assert all(torch.allclose(a, p, atol=1e-7) for a, p in zip(by_formula, params))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Batches and epochs
#
# * a **batch**: $m$ examples, one update
# * an **epoch**: one pass over all $N$ examples, $\lceil N/m \rceil$ updates
#
# Fit a line to $N = 256$ noisy points for 5 epochs with $\eta = 0.05$ and three batch sizes:

# %% slideshow={"slide_type": "fragment"}
g = torch.Generator().manual_seed(0)
X = torch.randn(256, 1, generator=g); Y = 3 * X - 1 + 0.5 * torch.randn(256, 1, generator=g)

def train_line(m, epochs=5, lr=0.05):
    torch.manual_seed(0); model = nn.Linear(1, 1)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    losses = [F.mse_loss(model(X), Y).item()]          # loss on all the data
    for epoch in range(epochs):
        for xb, yb in TensorBatches(X, Y, batch_size=m, seed=epoch):
            opt.zero_grad(); F.mse_loss(model(xb), yb).backward(); opt.step()
            losses.append(F.mse_loss(model(X), Y).item())
    return losses

runs = {m: train_line(m) for m in (1, 16, 256)}
print({m: len(TensorBatches(X, Y, batch_size=m)) for m in runs}, "updates per epoch")

# %% slideshow={"slide_type": "skip"}
assert {m: len(TensorBatches(X, Y, batch_size=m)) for m in runs} == {1: 256, 16: 16, 256: 1}
assert all(len(r) == 1 + 5 * math.ceil(256 / m) for m, r in runs.items())

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Same epochs, different progress
#
# More, noisier updates beat few exact ones: after 5 epochs $m = 16$ sits at the best
# possible loss (least squares, dashed), $m = 1$ jitters around it, full-batch GD has made
# only 5 steps.

# %% slideshow={"slide_type": "subslide"}
A = torch.cat([X, torch.ones_like(X)], dim=1)                 # rows [x, 1]
best = F.mse_loss(A @ torch.linalg.lstsq(A, Y).solution, Y)   # the least-squares line
fig, ax = plt.subplots(figsize=(9, 3.6))
for m, losses in runs.items():
    label = f"m = {m}" + (" (full batch)" if m == 256 else "")
    epochs = torch.linspace(0, 5, len(losses))
    ax.semilogy(epochs, losses, lw=1.2 if m == 1 else 2.5, label=label)
ax.axhline(best.item(), color="k", ls="--", lw=1.5, label="least squares")
ax.set(xlabel="epoch", ylabel="loss on all 256 points"); ax.legend()
plt.show()

# %% slideshow={"slide_type": "skip"}
final = {m: r[-1] for m, r in runs.items()}
assert final[16] < 1.01 * best and final[1] < 1.2 * best and final[256] > 10 * best
assert max(runs[1][-256:]) > min(runs[1][-256:]) * 1.02       # m = 1 is noisy

# %% [markdown] slideshow={"slide_type": "notes"}
# Compare per update and per epoch: full-batch GD takes the best direction but only once per
# epoch; m = 1 takes 256 cheap, noisy steps. In practice m is 32-512: large enough to use the
# hardware (GPUs work on whole batches at once), small enough for many updates per epoch.
# The noise of small batches never settles completely unless the learning rate decays.

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
# Backpropagation computes every $\delta^l$ from the output backwards, in one pass, and
# reads all gradients off them.

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
# w^l_jk a^{l-1}_k + b^l_j, so ∂z^l_j/∂w^l_jk = a^{l-1}_k. These are the equations of
# Nielsen, "Neural networks and deep learning", chapter 2.

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

# %% slideshow={"slide_type": "-"}
# NBVAL_IGNORE_OUTPUT
diffs = [(lin.weight.grad - dW).abs().max().item() for lin, dW in zip(linears, dWs)]
diffs += [(lin.bias.grad - db).abs().max().item() for lin, db in zip(linears, dbs)]
print(f"largest difference between backprop and autograd: {max(diffs):.1e}")

# %% slideshow={"slide_type": "-"}
for lin, dW, db in zip(linears, dWs, dbs):
    assert torch.allclose(lin.weight.grad, dW, rtol=0, atol=1e-10)
    assert torch.allclose(lin.bias.grad, db, rtol=0, atol=1e-10)

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
# times a matrix at every step, never a matrix times a matrix.
# (The notes end with $\frac{\partial a^1}{\partial z^l}\cdot\frac{\partial z^l}{\partial x}$:
# the last index must be 1.)

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

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A computational graph
#
# Autograd records every operation as a node. **Forward**: values flow left to right.
# **Backward**: each node multiplies the gradient arriving from the right by its local
# derivative. One neuron with squared error, $L = (\sigma(w x + b) - y)^2$:

# %% slideshow={"slide_type": "subslide"}
from nbhelpers.compgraph import draw_graph

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

# %% slideshow={"slide_type": "-"}
pairs = [(dL_dr, r), (dL_da, a), (dL_dz, z), (dL_du, u), (dL_db, b), (dL_dw, w),
         (dL_dx, xx), (dL_dy, yy)]
assert all(torch.isclose(hand, node.grad) for hand, node in pairs)


# %% [markdown] slideshow={"slide_type": "slide"}
# ## Optimisers: five update rules
#
# $g$ = gradient at step $t = 1, 2, \dots$; squares, roots and divisions are per weight.
#
# | optimiser | update (torch's defaults) |
# |---|---|
# | SGD | $w \leftarrow w - \eta\, g$ |
# | momentum | $v \leftarrow \mu v + g,\;\; w \leftarrow w - \eta\, v \quad (\mu = 0.9)$ |
# | Adagrad | $G \leftarrow G + g^2,\;\; w \leftarrow w - \eta\, g / (\sqrt{G} + \epsilon)$ |
# | RMSProp | $r \leftarrow \alpha r + (1 - \alpha) g^2,\;\; w \leftarrow w - \eta\, g / (\sqrt{r} + \epsilon) \quad (\alpha = 0.99)$ |
# | Adam | $m \leftarrow \beta_1 m + (1 - \beta_1) g,\;\; v \leftarrow \beta_2 v + (1 - \beta_2) g^2,\;\; w \leftarrow w - \eta\, \frac{m / (1 - \beta_1^t)}{\sqrt{v / (1 - \beta_2^t)} + \epsilon}$ |
#
# Momentum keeps going where gradients agree; the others divide each weight's step by the
# size of its recent gradients. ($\epsilon = 10^{-8}$, Adagrad $10^{-10}$; $\beta = (0.9, 0.999)$.)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The rules in code (1/2)

# %% slideshow={"slide_type": "-"}
# w: weights, g: gradient, s: the optimiser's state (a dict), t: step number 1, 2, ...
def sgd(w, g, s, t, lr):
    return w - lr * g

def momentum(w, g, s, t, lr, mu=0.9):
    s["v"] = mu * s.get("v", 0) + g
    return w - lr * s["v"]

def adagrad(w, g, s, t, lr, eps=1e-10):
    s["G"] = s.get("G", 0) + g**2
    return w - lr * g / (s["G"].sqrt() + eps)


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The rules in code (2/2)

# %% slideshow={"slide_type": "-"}
def rmsprop(w, g, s, t, lr, alpha=0.99, eps=1e-8):
    s["r"] = alpha * s.get("r", 0) + (1 - alpha) * g**2
    return w - lr * g / (s["r"].sqrt() + eps)

def adam(w, g, s, t, lr, b1=0.9, b2=0.999, eps=1e-8):
    s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0) + (1 - b2) * g**2
    m_hat, v_hat = s["m"] / (1 - b1**t), s["v"] / (1 - b2**t)   # bias correction
    return w - lr * m_hat / (v_hat.sqrt() + eps)


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Our rules against `torch.optim`, on the ravine
#
# 50 steps each, with the learning rates used on the next slides:

# %% slideshow={"slide_type": "-"}
ravine = descent.SURFACES["ravine"]
optimisers = {  # name: (our rule, torch class, torch settings, learning rate)
    "SGD": (sgd, torch.optim.SGD, {}, 0.019),
    "momentum": (momentum, torch.optim.SGD, {"momentum": 0.9}, 0.01),
    "Adagrad": (adagrad, torch.optim.Adagrad, {}, 0.5),
    "RMSProp": (rmsprop, torch.optim.RMSprop, {}, 0.1),
    "Adam": (adam, torch.optim.Adam, {}, 0.1),
}
for name, (rule, cls, settings, lr) in optimisers.items():
    w, state = torch.tensor(ravine.start, dtype=torch.float64), {}
    for t in range(1, 51):
        w = rule(w, descent.gradient(ravine, w), state, t, lr)
    torch_w = descent.trajectory(ravine, cls, steps=50, lr=lr, **settings)[-1]
    print(f"{name:9s} same as torch.optim: {torch.allclose(w, torch_w, rtol=0, atol=1e-10)}")
    assert torch.allclose(w, torch_w, rtol=0, atol=1e-10)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Five optimisers on the ravine
#
# SGD gets the largest safe rate, $0.019 < 2/\lambda = 0.02$; the others a rate that suits them.

# %% slideshow={"slide_type": "-"}
paths = {name: descent.trajectory(ravine, cls, steps=100, lr=lr, **settings)
         for name, (rule, cls, settings, lr) in optimisers.items()}
fig = descent.plot_paths(ravine, paths, title="100 steps from (−4, 1)")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Loss after 100 steps
#
# Plain SGD is still far away. Momentum builds up speed along the flat valley floor; Adagrad,
# RMSProp and Adam take similar-sized steps in the steep and the flat direction.

# %% slideshow={"slide_type": "-"}
final = {name: ravine(path[-1]).item() for name, path in paths.items()}
for name, value in final.items():
    print(f"{name:9s} lr = {optimisers[name][3]:<6g} loss {value:.1e}")

# %% slideshow={"slide_type": "skip"}
assert final["momentum"] < final["SGD"] / 100 and final["Adam"] < final["SGD"] / 100
assert all(value < final["SGD"] / 100 for name, value in final.items() if name != "SGD")

# %% [markdown] slideshow={"slide_type": "notes"}
# Careful with the conclusion: this ravine is aligned with the axes, the best case for the
# per-weight rescaling of Adagrad/RMSProp/Adam. Real loss surfaces are not, but networks'
# weights do differ a lot in gradient scale, which is why Adam is a robust default.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The same network, five optimisers
#
# Three interleaved spirals (600 points) and a small network, 2 → 32 → 32 → 3:

# %% slideshow={"slide_type": "-"}
X, Y = descent.spirals(n=200, classes=3)
fig, ax = plt.subplots(figsize=(3.6, 3.6))
ax.scatter(X[:, 0], X[:, 1], c=Y, cmap="viridis", s=10); ax.set_aspect("equal")
plt.show()


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Training: the same loop for every optimiser
#
# Ten epochs of mini-batches of 64 (100 updates), seeded: every run starts from the same weights.

# %% slideshow={"slide_type": "-"}
def train_spirals(make_optimizer, lr, epochs=10):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
                          nn.Linear(32, 3))
    opt = make_optimizer(model.parameters(), lr=lr)
    for epoch in range(epochs):
        for xb, yb in TensorBatches(X, Y, batch_size=64, seed=epoch):
            opt.zero_grad(); F.cross_entropy(model(xb), yb).backward(); opt.step()
    with torch.no_grad():
        return F.cross_entropy(model(X), Y).item()       # final loss on all 600 points


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Final loss for each optimiser and learning rate

# %% slideshow={"slide_type": "-"}
# NBVAL_IGNORE_OUTPUT
lrs = (0.001, 0.01, 0.1)
makers = {"SGD": torch.optim.SGD,
          "momentum": lambda params, lr: torch.optim.SGD(params, lr=lr, momentum=0.9),
          "Adagrad": torch.optim.Adagrad, "RMSProp": torch.optim.RMSprop,
          "Adam": torch.optim.Adam}
table = {name: [train_spirals(make, lr) for lr in lrs] for name, make in makers.items()}
print(f"{'lr':10s}" + "".join(f"{lr:>9g}" for lr in lrs))
for name, row in table.items():
    print(f"{name:10s}" + "".join(f"{v:9.3f}" for v in row))

# %% slideshow={"slide_type": "skip"}
for i in range(len(lrs)):       # at the same learning rate, momentum and Adam beat SGD
    assert table["momentum"][i] < table["SGD"][i] and table["Adam"][i] < table["SGD"][i]
best = {name: min(row) for name, row in table.items()}
assert all(best[name] < best["SGD"] / 4 for name in best if name != "SGD")
assert table["RMSProp"][1] < table["SGD"][1] / 5 and table["Adam"][1] < table["SGD"][1] / 5

# %% [markdown] slideshow={"slide_type": "notes"}
# Read the table by columns and by rows. At the same small learning rate RMSProp and Adam are
# far ahead: they rescale each weight's step, so lr means something different for each
# optimiser. Each row has its own best learning rate; compare optimisers only after tuning
# the learning rate of each. Plain SGD has not finished in ten epochs: it needs a larger
# rate or more epochs.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# * Gradient descent: $w \leftarrow w - \eta\nabla L(w)$; on a quadratic it converges
#   exactly when $\eta < 2/\lambda$ (largest curvature).
# * Mini-batch SGD: the average gradient of $m$ examples, one update per batch,
#   $\lceil N/m \rceil$ updates per epoch.
# * Backpropagation: $\delta^N$, then $\delta^l$ backwards; $\partial L/\partial W^l = \delta^l (a^{l-1})^T$,
#   $\partial L/\partial b^l = \delta^l$. It is the chain rule, and it is what `loss.backward()` does.
# * Optimisers: momentum accumulates, Adagrad/RMSProp/Adam rescale each weight's step.
#   Tune the learning rate for each.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Fill in the cell tagged *answer*, run it, then run the check below it.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: a learning rate that converges
#
# Gradient descent on $L(w) = \frac12(w_1^2 + 25\,w_2^2)$ from $(1, 1)$: choose `lr` so that
# after 100 steps $L < 10^{-4}$. Too small crawls, too large diverges.

# %% slideshow={"slide_type": "-"} tags=["answer"]
# Exercise 1: a learning rate for L(w) = ½(w₁² + 25·w₂²), 100 steps from (1, 1).
lr = 0.07

# %% slideshow={"slide_type": "-"}
from nbhelpers import check

check.descent_learning_rate(lr)


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: one backward step through a layer
#
# Given $\delta^{l+1}$, $W^{l+1}$, $z^l$ and $a^{l-1}$ of a sigmoid layer $l$, return
# $\delta^l$ (equation 2), $\partial L/\partial W^l$ (4) and $\partial L/\partial b^l$ (3).

# %% slideshow={"slide_type": "-"} tags=["answer"]
# Exercise 2: equations (2), (4) and (3) for one sigmoid layer.
def layer_backward(delta_next, W_next, z, a_prev):
    """delta_next (n_next,), W_next (n_next, n), z (n,), a_prev (n_prev,).
    Returns (delta, dW, db) of this layer."""
    s = torch.sigmoid(z)
    delta = (W_next.T @ delta_next) * s * (1 - s)
    return delta, torch.outer(delta, a_prev), delta


# %% slideshow={"slide_type": "-"}
check.backprop_layer(layer_backward)


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: SGD with momentum
#
# Write one step of `torch.optim.SGD(lr=lr, momentum=momentum)`: update the velocity, then
# the weights; return both. The checker runs five steps against torch.

# %% slideshow={"slide_type": "-"} tags=["answer"]
# Exercise 3: one step of SGD with momentum (the velocity starts at zero).
def momentum_step(w, grad, velocity, *, lr, momentum):
    """w, grad, velocity: tensors of one shape -> (new_w, new_velocity)."""
    velocity = momentum * velocity + grad
    return w - lr * velocity, velocity


# %% slideshow={"slide_type": "-"}
check.optim_momentum_step(momentum_step)
