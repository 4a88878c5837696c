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
# # Gradient descent
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-lectures/nn-lectures/blob/main/notebooks/05_gradient_descent.ipynb)
#
# How a network learns: step against the gradient. The learning rate and its limit $2/\lambda$,
# ravines and the condition number, local minima, the PyTorch training loop, and stochastic
# and mini-batch gradient descent with batches and epochs.

# %% slideshow={"slide_type": "skip"}
# Setup: install nbhelpers on Colab only, seed everything, pick the device.
import sys
if "google.colab" in sys.modules:
    # %pip install -q "nbhelpers @ git+https://github.com/nn-lectures/nn-lectures"
import nbhelpers
device = nbhelpers.setup(seed=0)

# %% slideshow={"slide_type": "skip"}
import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import matplotlib.pyplot as plt
from nbhelpers import descent
from nbhelpers.data import TensorBatches
from nbhelpers.display import show   # plt.show() with alt text
from nbhelpers.widgets.descent import descent_grid_figure, descent_widget
from nbhelpers import measured

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The optimisation problem
#
# Data $(x_n, y_n)_{n=1}^N$, a model $f_w$ with weights $w$, a loss $\ell$ (lecture 04):
#
# $$w^* = \arg\min_w\; L(w), \qquad L(w) = \frac{1}{N}\sum_{n=1}^{N} \ell\big(f_w(x_n), y_n\big)$$
#
# For a network there is no formula for $w^*$. But $\nabla L(w)$ points **uphill**, so step
# the other way, with a **learning rate** $\eta > 0$:
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

# %% slideshow={"slide_type": "skip"}
residual = w[0].detach() * x + w[1].detach() - y          # ∂L/∂slope = mean 2r·x, ∂L/∂b = mean 2r
assert torch.allclose(w.grad, torch.stack([(2 * residual * x).mean(), (2 * residual).mean()]))
assert w.grad.tolist() == [-17.0, -8.0] and math.isclose(loss.item(), 21.0)
assert new_loss < loss

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Why minus the gradient: steepest descent
#
# For a small step $\epsilon d$ with $\|d\| = 1$: $\;L(w + \epsilon d) \approx L(w) + \epsilon\,
# \nabla L(w) \cdot d$. By Cauchy–Schwarz $\nabla L \cdot d \ge -\|\nabla L\|$, with equality
# only for $d = -\nabla L / \|\nabla L\|$: the **locally** steepest way down. Locally only:
# on the ravine of the next slides it points far away from the minimum.

# %% slideshow={"slide_type": "fragment"}
ravine = descent.SURFACES["ravine"]                     # ½(w₁² + 100 w₂²), start (−4, 1)
w0 = torch.tensor(ravine.start, dtype=torch.float64)
g = descent.gradient(ravine, w0)
dirs = F.normalize(torch.randn(1000, 2, dtype=torch.float64), dim=1)
print(f"∇L = {g.tolist()},  slope along −∇L/‖∇L‖: {-g.norm():.2f}")
print(f"steepest of 1000 random directions: {(dirs @ g).min():.2f}")
to_min = -w0 / w0.norm()                                # straight to the minimum (0, 0)
angle = torch.rad2deg(torch.arccos(to_min @ (-g / g.norm())))
print(f"angle between −∇L and the way to the minimum: {angle:.0f}°")

# %% slideshow={"slide_type": "skip"}
assert (dirs @ g >= -g.norm() - 1e-12).all() and (dirs @ g).min() < -0.99 * g.norm()
eps = 1e-6                                              # the first-order Taylor slope is ∇L·d
for d in (dirs[0], -g / g.norm()):
    fd = (ravine(w0 + eps * d) - ravine(w0 - eps * d)) / (2 * eps)
    assert math.isclose(fd.item(), (g @ d).item(), rel_tol=1e-6)
assert 70 < angle < 80

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Gradient descent in 1-D: the learning rate
#
# $L(w) = w^2$, so $L'(w) = 2w$ and one step gives $w \leftarrow w - 2\eta w = (1 - 2\eta)\,w$.
#
# * converges if $|1 - 2\eta| < 1$, i.e. $0 < \eta < 1$ (it oscillates when $\eta > \frac12$)
# * bounces between $\pm w$ forever at $\eta = 1$, diverges if $\eta > 1$

# %% slideshow={"slide_type": "fragment"}
fig = descent_grid_figure(surface="parabola", lrs=(0.05, 0.4, 1.02), steps=12)

# %% slideshow={"slide_type": "skip"}
for lr in (0.05, 0.4, 0.9, 1.0, 1.02):
    path = descent.gradient_descent("parabola", lr=lr, steps=12)[:, 0]
    assert torch.allclose(path, -2.0 * (1 - 2 * lr) ** torch.arange(13.0, dtype=path.dtype))
assert descent.gradient_descent("parabola", lr=0.5, steps=1)[-1].item() == 0.0

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The limit is $2/\lambda$
#
# Take a quadratic bowl (all curvatures $> 0$) and let $\lambda$ be its largest **curvature**
# (second derivative; with many weights, the largest eigenvalue of the Hessian). Gradient
# descent converges for $\eta < 2/\lambda$ and, from a generic start, diverges for
# $\eta > 2/\lambda$. Check it on $w^2$ ($\lambda = 2$) and on a ravine
# $\frac12(w_1^2 + 100\,w_2^2)$ ($\lambda = 100$):

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
# Why: near a strict minimum every smooth loss looks quadratic, and along the Hessian's
# eigenvector with curvature λ one step multiplies the distance to the minimum by (1 − ηλ).
# That factor has size below 1 exactly when 0 < η < 2/λ. The steepest direction sets the
# limit. "Generic start": a start with no component along the steepest eigenvector never
# feels that direction.

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
assert torch.allclose(slow[1:, 0] / slow[:-1, 0], torch.tensor(1 - 0.019, dtype=slow.dtype))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### How slow: the condition number
#
# Curvatures $\lambda_{min} \dots \lambda_{max}$, **condition number** $\kappa = \lambda_{max} /
# \lambda_{min}$. The best fixed rate $\eta = 2/(\lambda_{max} + \lambda_{min})$ shrinks the
# distance to the minimum by (at worst) $\frac{\kappa - 1}{\kappa + 1}$ per step; reaching $10^{-3}$ of
# it takes about $\frac{\kappa}{2}\ln 1000$ steps: **linear in $\kappa$**.

# %% slideshow={"slide_type": "fragment"}
print("    κ    best lr  factor/step  steps to 1e-3  (κ/2)·ln 1000")
for kappa in (1, 10, 100, 1000):
    curv = torch.tensor([1.0, kappa], dtype=torch.float64)   # ½(λ₁w₁² + λ₂w₂²)
    lr = 2 / (curv.min() + curv.max())
    w, steps = torch.ones(2, dtype=torch.float64), 0
    while w.norm() >= 1e-3 * math.sqrt(2):
        w, steps = w - lr * curv * w, steps + 1             # ∇L = λ ⊙ w
    factor = (kappa - 1) / (kappa + 1)
    print(f"{kappa:5d}  {lr:9.4f}  {factor:11.3f}  {steps:13d}  {kappa / 2 * math.log(1000):13.0f}")

# %% slideshow={"slide_type": "skip"}
for kappa in (10, 100, 1000):   # the measured count is the closed form ⌈ln 1e-3 / ln((κ−1)/(κ+1))⌉
    curv = torch.tensor([1.0, kappa], dtype=torch.float64)
    lr = 2 / (curv.min() + curv.max())
    w, steps = torch.ones(2, dtype=torch.float64), 0
    while w.norm() >= 1e-3 * math.sqrt(2):
        w, steps = w - lr * curv * w, steps + 1
    assert steps == math.ceil(math.log(1e-3) / math.log((kappa - 1) / (kappa + 1)))
    assert abs(steps - kappa / 2 * math.log(1000)) < 0.02 * steps + 2
etas = torch.linspace(1e-4, 0.0199, 10_000, dtype=torch.float64)   # no fixed η beats 2/(λ₁ + λ₂)
worst = torch.maximum((1 - etas).abs(), (1 - 100 * etas).abs())
assert worst.min() >= 99 / 101 - 1e-12 and abs(etas[worst.argmin()] - 2 / 101) < 1e-5

# %% [markdown] slideshow={"slide_type": "notes"}
# With η = 2/(λmax + λmin) the two extreme directions shrink by |1 − ηλmin| = |1 − ηλmax| =
# (κ − 1)/(κ + 1), and every other direction by less; no fixed η does better (raise η and the
# steep direction grows worse, lower it and the flat one does). ln((κ+1)/(κ−1)) ≈ 2/κ for large
# κ gives the κ/2 · ln(1/ε) estimate. Lecture 07's momentum is built for exactly this problem.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Beyond bowls: local minima
#
# $L(w) = w^4 - 2w^2 + w/2$ has a global minimum near $-1.06$ and a local one near $0.93$.
# From $w = 1.8$, gradient descent finds **a** minimum, not necessarily the best: which one
# depends on the start and on the step size.

# %% slideshow={"slide_type": "fragment"}
fig = descent_grid_figure(surface="double well", lrs=(0.05, 0.12), steps=30)

# %% slideshow={"slide_type": "skip"}
well = descent.SURFACES["double well"]
assert well.start == (1.8,)
ends = {lr: descent.gradient_descent(well, lr=lr, steps=100)[-1].item() for lr in (0.05, 0.12)}
assert abs(ends[0.05] - 0.9304) < 1e-3 and abs(ends[0.12] - well.minimum[0]) < 1e-6
roots = torch.linalg.eigvals(torch.tensor([[0, 1, -0.125], [1, 0, 0], [0, 1, 0]],
                                          dtype=torch.float64)).real  # L' = 4w³ − 4w + ½ = 0
assert torch.allclose(roots.sort().values[[0, 2]], torch.tensor([well.minimum[0], 0.9304],
                                                                 dtype=torch.float64), atol=1e-4)
assert descent.gradient_descent(well, lr=0.02, steps=300, start=(0.0,))[-1].item() < -1

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Try it: learning rate, surface, steps
#
# The log slider spans 0.0001 to 2. Find the largest learning rate that still converges on
# each surface; on *rosenbrock*, a curved valley, count the steps it needs.

# %% slideshow={"slide_type": "fragment"} tags=["widget"]
descent_widget()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Why η = 0.12 found the global minimum
#
# A large step on a steep wall can jump the hump. At $w = 1.8$ the wall is steep
# ($L' = 16.6$), so the first step jumps by $16.6\,\eta$ and lands left or right of the hump
# between the minima ($L' = 0$ at $w = 0.127$). For $\eta \le 0.20$ every later step stays on
# that side; at $\eta = 0.21$ the second step jumps back. Near the bottom of the basin the
# slope is small: started at $w = 1.0$, no $\eta$ below $2/L''(0.93) = 0.31$ gets out.

# %% slideshow={"slide_type": "fragment"}
well = descent.SURFACES["double well"]
hump = sorted(np.roots([4, 0, -4, 0.5]).real)[1]               # L'(w) = 4w³ − 4w + ½ = 0
slope = descent.gradient(well, torch.tensor(well.start)).item()  # L'(1.8)
for lr in (0.09, 0.10, 0.11, 0.12, 0.21):
    first = well.start[0] - lr * slope
    end = descent.gradient_descent(well, lr=lr, steps=300)[-1].item()
    side = "left" if first < hump else "right"
    print(f"η = {lr:.2f}: first step to {first:6.3f} ({side:5s} of the hump), ends at {end:6.3f}")
inside = {lr: descent.gradient_descent(well, lr=lr, steps=300, start=(1.0,))[-1].item()
          for lr in (0.01, 0.1, 0.2, 0.3)}
print("from w = 1.0:", ", ".join(f"η = {lr}: ends at {end:.3f}" for lr, end in inside.items()))

# %% slideshow={"slide_type": "skip"}
assert abs(hump - 0.127) < 5e-4 and abs(slope - 16.628) < 1e-3
curv = lambda v: 12 * v ** 2 - 4                                # L''
assert abs(2 / curv(0.9304029) - 0.313) < 1e-3
def well_paths(etas, start, steps=300):       # gradient descent for many η at once
    w, path = torch.full_like(etas, start), [torch.full_like(etas, start)]
    for _ in range(steps):
        w = w - etas * (4 * w ** 3 - 4 * w + 0.5)
        path.append(w)
    return torch.stack(path)                   # (steps + 1, len(etas)); overflow gives inf/nan
etas = torch.arange(1, 36, dtype=torch.float64) / 100                   # 0.01 … 0.35
paths, inside_paths = well_paths(etas, 1.8), well_paths(etas, 1.0)
for lr in (0.09, 0.10, 0.11, 0.12, 0.21):                               # = gradient_descent
    k = round(lr * 100) - 1
    assert torch.allclose(paths[:, k], descent.gradient_descent(well, lr=lr, steps=300)[:, 0])
local, glob = 0.9304029, well.minimum[0]
for k, lr in enumerate(etas.tolist()):
    path = paths[:, k]
    if lr <= 0.20:                   # after the first step, never across the hump again
        left = path[1] < hump
        assert bool((path[1:] < hump).all() if left else (path[1:] > hump).all()), lr
        assert abs(path[-1].item() - (glob if left else local)) < 1e-4, lr
    elif k == 20:                    # η = 0.21: lands left, jumps back, ends local
        assert path[1] < hump < path[2] and abs(path[-1].item() - local) < 1e-4
    else:                            # η ≥ 0.22: diverges
        assert not torch.isfinite(path[-1]) or abs(path[-1]) > 1e6, lr
    if lr <= 0.31:                   # from w = 1.0, inside the local basin: always local
        assert abs(inside_paths[-1, k].item() - local) < 1e-4, lr
assert (well.start[0] - 0.10 * slope > hump) and (well.start[0] - 0.11 * slope < hump)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The training loop in PyTorch
#
# `backward()` **adds** $\nabla L$ into every parameter's `.grad`; `opt.step()` does
# $w \leftarrow w - \eta\,$`w.grad`. So every step starts with `zero_grad()`.
# Full-batch gradient descent on 256 noisy points of $y = 3x - 1$:

# %% slideshow={"slide_type": "fragment"}
g = torch.Generator().manual_seed(0)
X = torch.randn(256, 1, generator=g); Y = 3 * X - 1 + 0.5 * torch.randn(256, 1, generator=g)
torch.manual_seed(0); model = nn.Linear(1, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for _ in range(100):
    opt.zero_grad()                        # forget the last step's gradient
    loss = F.mse_loss(model(X), Y)         # forward
    loss.backward()                        # ∇L into .grad
    opt.step()                             # w ← w − η · w.grad
print(f"slope {model.weight.item():.2f}, intercept {model.bias.item():.2f}, "
      f"loss {loss.item():.3f}")

# %% slideshow={"slide_type": "skip"}
assert abs(model.weight.item() - 3) < 0.1 and abs(model.bias.item() + 1) < 0.1
twice = nn.Linear(1, 1)                    # without zero_grad, gradients add up
for _ in range(2):
    F.mse_loss(twice(X), Y).backward()
once = torch.autograd.grad(F.mse_loss(twice(X), Y), twice.weight)[0]
assert torch.allclose(twice.weight.grad, 2 * once)

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
# In PyTorch, *SGD* means any of these: `torch.optim.SGD` steps on whatever batch you give it.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The formula is `torch.optim.SGD` on the batch mean

# %% slideshow={"slide_type": "fragment"}
torch.manual_seed(0)
model, Xb, Yb, eta = nn.Linear(3, 1), torch.randn(8, 3), torch.randn(8, 1), 0.1  # m = 8
params = list(model.parameters())                      # [w (1×3), b (1,)]
per_example = [torch.autograd.grad(F.mse_loss(model(Xb[j:j + 1]), Yb[j:j + 1]), params)
               for j in range(8)]                      # ∂L_Xj/∂w, ∂L_Xj/∂b
by_formula = [(p - eta / 8 * sum(g[i] for g in per_example)).detach()
              for i, p in enumerate(params)]
opt = torch.optim.SGD(params, lr=eta)                  # torch: SGD on the batch mean loss
opt.zero_grad(); F.mse_loss(model(Xb), Yb).backward(); opt.step()
same = all(torch.allclose(a, p) for a, p in zip(by_formula, params))
print("the notes' formula gives the same weights as torch.optim.SGD:", same)

# %% slideshow={"slide_type": "skip"}
assert all(torch.allclose(a, p, atol=1e-7) for a, p in zip(by_formula, params))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### A mini-batch gradient is a noisy, unbiased estimate
#
# A random batch's gradient averages to the full gradient $\nabla L$; its spread shrinks like
# $\sigma/\sqrt{m}$ ($\sigma$: the spread of single examples' gradients; exactly
# $\frac{\sigma}{\sqrt m}\sqrt{\frac{N-m}{N-1}}$ when drawn without replacement). The slope's
# gradient on the 256 points, at the start $w = b = 0$:

# %% slideshow={"slide_type": "fragment"}
r = -Y                                                  # residual of w = b = 0
per_slope = 2 * r[:, 0] * X[:, 0]                       # ∂(w x_n + b − y_n)²/∂w, one per point
full, sigma = per_slope.mean(), per_slope.std(correction=0)
gen = torch.Generator().manual_seed(1)
print(f"full gradient {full:.2f};  per-example spread σ = {sigma:.2f}")
for m in (1, 4, 16, 64):
    batches = torch.stack([torch.randperm(256, generator=gen)[:m] for _ in range(2000)])
    est = per_slope[batches].mean(dim=1)                # 2000 mini-batch gradients
    predicted = sigma / math.sqrt(m) * math.sqrt((256 - m) / 255)
    print(f"m = {m:2d}: mean {est.mean():5.2f}, spread {est.std():.2f} (predicted {predicted:.2f})")

# %% slideshow={"slide_type": "skip"}
w_ = torch.zeros(1, 1, requires_grad=True)            # the per-example formula is autograd's
assert torch.isclose(torch.autograd.grad(F.mse_loss(X @ w_, Y), w_)[0].squeeze(), full)
gen = torch.Generator().manual_seed(1)
for m in (1, 4, 16, 64):
    est = per_slope[torch.stack([torch.randperm(256, generator=gen)[:m] for _ in range(2000)])]
    est = est.mean(dim=1)
    predicted = sigma / math.sqrt(m) * math.sqrt((256 - m) / 255)
    assert abs(est.mean() - full) < 4 * predicted / math.sqrt(2000)   # unbiased
    assert abs(est.std() / predicted - 1) < 0.1                         # spread σ/√m · fpc


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Batches and epochs
#
# * a **batch**: $m$ examples, one update
# * an **epoch**: one pass over all $N$ examples, $\lceil N/m \rceil$ updates (the last batch
#   is smaller when $m$ does not divide $N$)
#
# Fit the line to the $N = 256$ points for 5 epochs with three batch sizes, reshuffling every
# epoch, each with **its own** $\eta$: the best of a grid, tuned by `make claims` (next slides).

# %% slideshow={"slide_type": "fragment"}
def train_line(m, lr, epochs=5):
    torch.manual_seed(0); model = nn.Linear(1, 1)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    losses = [F.mse_loss(model(X), Y).item()]          # loss on all the data
    for epoch in range(epochs):
        for xb, yb in TensorBatches(X, Y, batch_size=m, seed=epoch):
            opt.zero_grad(); F.mse_loss(model(xb), yb).backward(); opt.step()
            losses.append(F.mse_loss(model(X), Y).item())
    return losses
tuned = {int(m): lr for m, lr in measured.load("05/batch-size")["best_lr"].items()}
runs = {m: train_line(m, lr) for m, lr in tuned.items()}
print({m: len(TensorBatches(X, Y, batch_size=m)) for m in runs}, "updates per epoch; η", tuned)

# %% slideshow={"slide_type": "skip"}
assert {m: len(TensorBatches(X, Y, batch_size=m)) for m in runs} == {1: 256, 16: 16, 256: 1}
assert all(len(r) == 1 + 5 * math.ceil(256 / m) for m, r in runs.items())
assert len(TensorBatches(X, Y, batch_size=100)) == 3                   # ⌈256/100⌉
assert [len(xb) for xb, _ in TensorBatches(X, Y, batch_size=100)] == [100, 100, 56]
assert tuned == {1: 0.002828, 16: 0.045255, 256: 0.512}

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Same epochs, each batch size at its own η
#
# The loss's Hessian here has eigenvalues 1.75 and 2.01, so full batch is stable up to
# $\eta = 2/\lambda_{max} \approx 1$: at its tuned $\eta = 0.512$ its 5 steps reach the
# least-squares loss (dashed). $m = 16$ and $m = 1$ end just above it.

# %% [markdown] slideshow={"slide_type": "notes"}
# With one $\eta = 0.05$ for all three, full batch would take steps a tenth of its tuned
# $\eta$: that compares step sizes, not batch sizes.

# %% slideshow={"slide_type": "fragment"}
A = torch.cat([X, torch.ones_like(X)], dim=1)                 # rows [x, 1]
best = F.mse_loss(A @ torch.linalg.lstsq(A, Y).solution, Y)   # the least-squares line
print("Hessian eigenvalues:", torch.linalg.eigvalsh(2 * A.T @ A / 256).numpy().round(2))
fig, ax = plt.subplots(figsize=(9, 2.3))
for m, losses in runs.items():
    label = f"m = {m}, η = {tuned[m]:.3g}" + (" (full batch)" if m == 256 else "")
    style = {"lw": 1.2} if m == 1 else {"lw": 2.5, "marker": "o" if m == 256 else ""}
    ax.semilogy(torch.linspace(0, 5, len(losses)), losses, label=label, **style)
ax.axhline(best.item(), color="k", ls="--", lw=1.5, label="least squares")
ax.set(xlabel="epoch", ylabel="loss on all 256 points"); ax.legend()
show(fig, alt="Loss (log scale) over 5 epochs, one line per batch size at its tuned η: full "
              "batch drops once per epoch, smaller ones in many noisy steps; all reach least squares.")

# %% slideshow={"slide_type": "skip"}
hessian = torch.autograd.functional.hessian(
    lambda w: F.mse_loss(A @ w, Y), torch.zeros(2, 1)).reshape(2, 2)
assert torch.allclose(torch.linalg.eigvalsh(hessian), torch.tensor([1.7536, 2.0108]), atol=1e-3)
ratio = {m: r[-1] / best.item() for m, r in runs.items()}      # end of epoch 5
assert ratio[256] < 1 + 1e-5 and all(1 - 1e-6 < ratio[m] < 1.01 for m in (1, 16))
slow = train_line(256, 0.05)                                    # one η = 0.05 for all
assert slow[-1] > 5 * best and train_line(16, 0.05)[-1] < 1.01 * best
assert abs(2 / torch.linalg.eigvalsh(hessian).max() - 1) < 0.01           # 2/λ ≈ 1
assert abs(0.05 / tuned[256] - 0.1) < 0.005                             # a tenth

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Over 5 seeds: per epoch and per measured time
#
# Each seed draws new data, initial weights and batch order; bands span the seeds. Time is
# each step's measured median time, in units of a full-batch step. A loss excess below
# $10^{-7}$ is float32 rounding.

# %% slideshow={"slide_type": "fragment"}
r = measured.load("05/batch-size")
fig = descent.batch_size_figure(r)
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Over 5 seeds: the numbers

# %% slideshow={"slide_type": "-"}
full = r["median_step_seconds"]["256"]
for m in ("1", "16", "256"):
    excess = [f"{v - 1:.0e}" if v - 1 >= 1e-7 else "<1e-7" for v in sorted(r["ratio"][m])]
    span = excess[0] if excess[0] == excess[-1] else f"{excess[0]} to {excess[-1]}"
    step = r["median_step_seconds"][m] / full                  # time per step / full batch's
    print(f"m = {m:3s}: loss / least squares − 1 after 5 epochs {span};"
          f" time per step {step:.2f}, per epoch {step * 256 / int(m):.0f} (full batch: 1)")
print(measured.source("05/batch-size"))

# %% slideshow={"slide_type": "skip"}
assert all(r["interior"].values()) and r["seeds"] == [0, 1, 2, 3, 4]
assert max(r["ratio"]["256"]) < 1 + 1e-4
assert all(min(a, b) >= c for a, b, c in zip(*(r["ratio"][m] for m in ("1", "16", "256")),
                                             strict=True))      # per seed, as the claim
assert max(r["ratio"]["1"] + r["ratio"]["16"]) < 1.003
step = r["median_step_seconds"]
assert max(step.values()) < 2 * min(step.values())              # "about the same" per step
assert all(t["1"] * 256 > 100 * t["256"] for t in r["step_seconds"])   # every timing round
held = list(zip(*(r["held_out"][m] for m in ("1", "16", "256")), strict=True))   # per seed
assert all(max(h) < 1.01 * min(h) for h in held)                          # under 1 %
assert {h.index(min(h)) for h in held} >= {1, 2}           # m = 16 best on some, full on others

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What this shows, and what it does not
#
# * After 5 epochs, each $\eta$ constant and tuned for that budget: on the training loss full
#   batch is as good as or better here. Shorter budgets were not measured.
# * On 1024 held-out points of the same line the three differ by under 1 %, in either order
#   from seed to seed: none generalises better here.
# * Per second: on 256 points a step takes about the same time for every $m$ (measured,
#   within a factor 2), so an epoch of $m = 1$ costs as much as hundreds of full-batch epochs.
# * The case for mini-batches is elsewhere. With $N$ in the millions a full-batch step costs
#   $N$ examples' arithmetic, while a mini-batch step is a cheap, unbiased estimate (the
#   slide on noise). This problem is too small, and too convex, to show that.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# * Gradient descent: $w \leftarrow w - \eta\nabla L(w)$, the locally steepest way down.
# * On a quadratic it converges exactly when $\eta < 2/\lambda_{max}$; it needs about
#   $\frac{\kappa}{2}\ln\frac{1}{\epsilon}$ steps, $\kappa = \lambda_{max}/\lambda_{min}$.
# * On non-convex losses it finds a local minimum, depending on start and $\eta$ (where the
#   first steps land: a large step on a steep wall can jump a hump; started near a basin's
#   bottom, no stable $\eta$ gets out).
# * PyTorch: `zero_grad()`, forward, `backward()`, `step()`; gradients accumulate otherwise.
# * Mini-batch SGD: the average gradient of $m$ examples, an unbiased estimate with spread
#   $\propto 1/\sqrt{m}$; $\lceil N/m \rceil$ updates per epoch.
# * Batch sizes, each at its tuned $\eta$: here full batch did as well after 5 epochs.
# * Lecture 06 computes $\nabla L$ (backpropagation), lecture 07 improves the step (optimisers).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Fill in the cell tagged *answer*, run it, then run the check below it.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: a learning rate that converges
#
# Gradient descent on $L(w) = \frac12(w_1^2 + 25\,w_2^2)$ from $(1, 1)$: choose `lr` so that
# after 100 steps $L < 10^{-4}$. Too small crawls, too large diverges.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
# Exercise 1: a learning rate for L(w) = ½(w₁² + 25·w₂²), 100 steps from (1, 1).
lr = 0.07

# %% slideshow={"slide_type": "-"}
from nbhelpers.check import gradient_descent as check

check.learning_rate(lr)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: one epoch of mini-batch SGD
#
# Write the training loop: one pass over `X, Y` in batches `X[0:m]`, `X[m:2m]`, … (in this
# order, the last one may be smaller), one `torch.optim.SGD` step on the mean squared error of
# each batch. Return the model. The checker compares with its own loop.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
# Exercise 2: one epoch of mini-batch SGD on the MSE, batches in order.
def sgd_epoch(model, X, Y, *, lr, batch_size):
    """model: nn.Module; X (N, d), Y (N, k). Updates model in place and returns it."""
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    for i in range(0, len(X), batch_size):
        opt.zero_grad()
        F.mse_loss(model(X[i:i + batch_size]), Y[i:i + batch_size]).backward()
        opt.step()
    return model


# %% slideshow={"slide_type": "-"}
check.sgd_epoch(sgd_epoch)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Reading
#
# * Goodfellow et al., 4.3 (gradient-based optimisation), 8.1–8.3
# * Nielsen, chapter 1 (gradient descent)
# * d2l.ai 12.3–12.5, *Gradient Descent*, *Stochastic Gradient Descent*, *Minibatch SGD*
