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
# # Loss functions
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-lectures/nn-lectures/blob/main/notebooks/04_loss_functions.ipynb)
#
# How a network's output is scored: regression losses (MSE, L1, Huber), binary and multi-class
# cross-entropy, margin losses and the cosine embedding loss. Every formula is computed by hand
# and checked against torch.

# %% slideshow={"slide_type": "skip"}
# Setup: install nbhelpers on Colab only, seed everything, pick the device.
import sys
if "google.colab" in sys.modules:
    # %pip install -q "nbhelpers @ git+https://github.com/nn-lectures/nn-lectures"
import nbhelpers
device = nbhelpers.setup(seed=0)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Regression or classification?
#
# | task | the network outputs | the target | loss |
# |---|---|---|---|
# | regression | a number $\hat y$ (no output activation) | a number $y$ | MSE, L1, Huber |
# | binary classification | one logit $z$, probability $p = \sigma(z)$ | $0$ or $1$ | binary cross-entropy |
# | $C$ classes | $C$ logits $x_1, \dots, x_C$ | a class index $y$ | cross-entropy |
# | embeddings | a vector | "similar" or "different" pair | cosine embedding |
#
# A loss is $\ge 0$ and small when the prediction is good. Training (lecture 05) changes the
# weights to make its **mean over the data** small, following its **gradient**.

# %% slideshow={"slide_type": "skip"}
import math
import torch
import torch.nn as nn
import torch.nn.functional as F
import matplotlib.pyplot as plt
from nbhelpers.plotting import plot_functions

def show(values):  # print {name: number} on one line
    print("   ".join(f"{name} {torch.as_tensor(v).item():.4f}" for name, v in values.items()))


# %% [markdown] slideshow={"slide_type": "slide"}
# ## Mean squared error (MSE)
#
# $$\mathrm{MSE} = \frac{1}{n}\sum_{i=1}^{n} (\hat y_i - y_i)^2$$
#
# For one example this is the lecture notes' $L = (x - y)^2$. Four predictions, one of them
# off by 4:

# %% slideshow={"slide_type": "fragment"}
y_hat = torch.tensor([2.5, 0.0, 2.0, 11.0])     # predictions
y     = torch.tensor([3.0, -0.5, 2.0, 7.0])     # targets
mse_hand = ((y_hat - y) ** 2).mean()           # (0.25 + 0.25 + 0 + 16) / 4
show({"by hand": mse_hand, "nn.MSELoss": nn.MSELoss()(y_hat, y)})

# %% slideshow={"slide_type": "skip"}
assert mse_hand == nn.MSELoss()(y_hat, y) == 4.125

# %% [markdown] slideshow={"slide_type": "notes"}
# The single outlier contributes 16 of the 16.5 summed squares: MSE is dominated by the
# worst predictions. `nn.MSELoss()` averages over all elements (`reduction="mean"`);
# `reduction="sum"` and `"none"` give the sum or the per-element losses.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### L1 and Huber: gentler on outliers
#
# $$\mathrm{L1} = \frac{1}{n}\sum_i |\hat y_i - y_i| \qquad
# \mathrm{Huber}_\delta = \frac{1}{n}\sum_i \begin{cases} \frac12 r_i^2 & |r_i| \le \delta \\
# \delta\,(|r_i| - \frac12\delta) & \text{otherwise}\end{cases}\quad r_i = \hat y_i - y_i$$

# %% slideshow={"slide_type": "fragment"}
r = y_hat - y
l1_hand = r.abs().mean()                                            # (0.5+0.5+0+4) / 4
huber_hand = torch.where(r.abs() <= 1, 0.5 * r**2, r.abs() - 0.5).mean()   # δ = 1
show({"L1 by hand": l1_hand, "nn.L1Loss": nn.L1Loss()(y_hat, y)})
show({"Huber by hand": huber_hand, "nn.HuberLoss": nn.HuberLoss(delta=1.0)(y_hat, y)})

# %% slideshow={"slide_type": "skip"}
assert l1_hand == nn.L1Loss()(y_hat, y) == 1.25
assert huber_hand == nn.HuberLoss(delta=1.0)(y_hat, y) == 0.9375

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The gradient is what training feels
#
# MSE's slope $2r$ grows with the error; L1 and Huber cap it at 1 (Huber is quadratic, so
# smooth, near 0).

# %% slideshow={"slide_type": "fragment"}
huber = lambda r: F.huber_loss(r, torch.zeros_like(r), reduction="none", delta=1.0)
fig = plot_functions({"MSE": lambda r: r**2, "L1": torch.abs, "Huber (δ=1)": huber},
                     xlim=(-3, 3), ylim=(-0.2, 5), derivative=True)
fig.axes[0].set_xlabel("residual r = ŷ − y"); fig.axes[1].set_xlabel("residual r")
plt.show()

# %% slideshow={"slide_type": "skip"}
r3 = torch.tensor(3.0, requires_grad=True)
slopes = [torch.autograd.grad(f(r3), r3)[0].item() for f in (lambda r: r**2, torch.abs, huber)]
assert slopes == [6.0, 1.0, 1.0]   # at r = 3: 2r, sign(r), δ·sign(r)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Binary cross-entropy (BCE) on probabilities
#
# The network predicts $p_i$ = probability that example $i$ is class 1; labels $y_i \in \{0, 1\}$:
#
# $$\mathrm{BCE} = -\frac{1}{n}\sum_{i} \big[\,y_i \log p_i + (1 - y_i)\log(1 - p_i)\,\big]$$
#
# Only one term is alive per example: $-\log p_i$ if $y_i = 1$, $-\log(1 - p_i)$ if $y_i = 0$.

# %% slideshow={"slide_type": "fragment"}
p = torch.tensor([0.9, 0.2, 0.6])         # predicted probabilities of class 1
t = torch.tensor([1.0, 0.0, 1.0])         # labels
bce_hand = -(t * torch.log(p) + (1 - t) * torch.log(1 - p)).mean()
show({"by hand": bce_hand, "nn.BCELoss": nn.BCELoss()(p, t)})

# %% slideshow={"slide_type": "skip"}
assert torch.isclose(bce_hand, nn.BCELoss()(p, t))
assert math.isclose(bce_hand, -(math.log(.9) + math.log(.8) + math.log(.6)) / 3, rel_tol=1e-6)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Perfectly wrong: why does torch say 100?
#
# The lecture notes: predictions `[0, 1, 0]` for labels `[1, 0, 1]` give "100.0 (poor)".

# %% slideshow={"slide_type": "fragment"}
y_true = torch.tensor([1.0, 0.0, 1.0])
y_pred = torch.tensor([0.0, 1.0, 0.0])                  # certain, and wrong every time
print("perfect:", nn.BCELoss()(y_true, y_true).item())
print("wrong:  ", nn.BCELoss(reduction="none")(y_pred, y_true).tolist())
print("the formula needs log 0 =", torch.log(torch.tensor(0.0)).item())

# %% [markdown] slideshow={"slide_type": "fragment"}
# The true loss is $-\log 0 = \infty$. `nn.BCELoss` **clamps each log at −100** (documented),
# so every element costs exactly 100: a cap, not a score. $p = 10^{-40}$ is below no cap:

# %% slideshow={"slide_type": "-"}
print(nn.BCELoss()(torch.tensor([1e-40]), torch.tensor([1.0])).item(), -math.log(1e-40))

# %% slideshow={"slide_type": "skip"}
assert nn.BCELoss()(y_pred, y_true) == 100 and nn.BCELoss()(y_true, y_true) == 0
assert torch.equal(nn.BCELoss(reduction="none")(y_pred, y_true), torch.full((3,), 100.0))
assert math.isclose(nn.BCELoss()(torch.tensor([1e-40]), torch.tensor([1.0])).item(), 92.1034, rel_tol=1e-5)

# %% [markdown] slideshow={"slide_type": "notes"}
# Any probability below e^-100 ≈ 3.7e-44 (close to the smallest float32, 1.4e-45) gives the
# same 100. The clamp keeps the loss and its gradient finite, so one hopeless example cannot
# turn the whole batch into inf/nan; but it hides how wrong the model is.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## BCE on logits: `BCEWithLogitsLoss`
#
# Networks output a **logit** $z$ and $p = \sigma(z) = 1/(1 + e^{-z})$. Put the sigmoid into
# the loss and simplify ($\log\sigma(z) = -\log(1 + e^{-z})$):
#
# $$\ell(z, y) = \log(1 + e^{z}) - y\,z = \max(z, 0) - y\,z + \log\big(1 + e^{-|z|}\big)$$
#
# The last form never exponentiates a large positive number.

# %% slideshow={"slide_type": "fragment"}
z = torch.tensor([2.2, -1.4, 0.4])                    # logits
stable = (z.clamp(min=0) - t * z + torch.log1p(torch.exp(-z.abs()))).mean()
show({"by hand": stable, "BCEWithLogitsLoss": nn.BCEWithLogitsLoss()(z, t),
      "BCELoss(σ(z))": nn.BCELoss()(torch.sigmoid(z), t)})

# %% slideshow={"slide_type": "skip"}
assert torch.allclose(stable, nn.BCEWithLogitsLoss()(z, t))
assert torch.allclose(stable, nn.BCELoss()(torch.sigmoid(z), t))
assert torch.allclose(stable, (torch.log1p(torch.exp(z)) - t * z).mean())

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Why logits are safer
#
# A confident, wrong logit $z = 17$ for label 0. The true loss is $17 + \log(1 + e^{-17}) \approx 17$.

# %% slideshow={"slide_type": "fragment"}
z17 = torch.tensor([17.0], requires_grad=True); y0 = torch.tensor([0.0])
print("σ(17) in float32:", torch.sigmoid(z17).item())           # 1 − 4e-8 rounds to 1.0
via_sigmoid = nn.BCELoss()(torch.sigmoid(z17), y0)
on_logits = nn.BCEWithLogitsLoss()(z17, y0)
show({"BCELoss(σ(z))": via_sigmoid, "BCEWithLogitsLoss(z)": on_logits})
g_sig, = torch.autograd.grad(via_sigmoid, z17); g_log, = torch.autograd.grad(on_logits, z17)
print(f"gradient dL/dz:  via sigmoid {g_sig.item()}   on logits {g_log.item()}")

# %% slideshow={"slide_type": "skip"}
assert torch.sigmoid(z17).item() == 1.0 and via_sigmoid.item() == 100.0
assert math.isclose(on_logits.item(), 17 + math.log1p(math.exp(-17)), rel_tol=1e-6)
assert g_sig.item() == 0.0 and g_log.item() == 1.0    # exact: σ(z) − y = 1.0 in float32

# %% [markdown] slideshow={"slide_type": "notes"}
# Through the sigmoid the loss is capped at 100 and, worse, its gradient is exactly 0:
# the most wrong example stops teaching the network. On logits the loss is 17 and the
# gradient σ(z) − y = 1. Rule: the model outputs logits; use BCEWithLogitsLoss (and
# CrossEntropyLoss for many classes), and apply sigmoid/softmax only to report
# probabilities.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The same, for every logit
#
# Label 0, logit $z$ from 0 to 25: the exact loss (float64) is a straight line $\approx z$.

# %% slideshow={"slide_type": "subslide"}
bce, bce_logits = nn.BCELoss(reduction="none"), nn.BCEWithLogitsLoss(reduction="none")
fig = plot_functions({"BCELoss(σ(z), 0)": lambda z: bce(torch.sigmoid(z), 0 * z),
                      "BCEWithLogitsLoss(z, 0)": lambda z: bce_logits(z, 0 * z)},
                     xlim=(0, 25), ylim=(0, 30), points=501)
fig.axes[0].annotate("σ(z) rounds to 1:\nclamped at 100", xy=(16.7, 29), xytext=(18.5, 18),
                     arrowprops=dict(arrowstyle="->"), fontsize=13)
fig.axes[0].set_xlabel("logit z (label 0)"); fig.axes[0].set_ylabel("loss")
plt.show()

# %% slideshow={"slide_type": "skip"}
zs = torch.linspace(0, 25, 501)
exact = F.softplus(zs.double())                         # log(1 + e^z), float64
err_sig = (bce(torch.sigmoid(zs), 0 * zs) - exact).abs()
err_log = (bce_logits(zs, 0 * zs) - exact).abs()
assert err_log.max() < 1e-5 and err_sig[zs >= 17].min() > 70
assert err_sig[(zs > 14) & (zs < 16)].max() > 0.1     # precision already lost before 16.6

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Cross-entropy over softmax logits
#
# $C$ classes, logits $x \in \mathbb{R}^C$, true class $y$:
# $\;\mathrm{softmax}(x)_i = \dfrac{e^{x_i}}{\sum_j e^{x_j}}$, and
#
# $$L = -\log \mathrm{softmax}(x)_y = -x_y + \log\sum_j e^{x_j}$$
#
# ⚠️ The lecture notes write $L = \log\frac{e^{x_y}}{\sum_i e^{x_i}}$: the **minus is missing**.
# That value is $\le 0$, and minimising it would push the true class's probability *down*.

# %% slideshow={"slide_type": "fragment"}
x = torch.tensor([[2.0, 1.0, 0.1]]); label = torch.tensor([0])
ce_hand = -x[0, 0] + torch.logsumexp(x[0], dim=0)
notes_version = torch.log(torch.exp(x[0, 0]) / torch.exp(x[0]).sum())
show({"by hand": ce_hand, "F.cross_entropy": F.cross_entropy(x, label),
      "notes' formula": notes_version})

# %% slideshow={"slide_type": "skip"}
assert torch.isclose(ce_hand, F.cross_entropy(x, label))
assert torch.isclose(ce_hand, -torch.log_softmax(x, 1)[0, 0])
assert torch.isclose(notes_version, -F.cross_entropy(x, label)) and notes_version < 0

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### NLL with log-softmax
#
# `nn.NLLLoss` expects **log-probabilities** and returns $-\frac1n\sum_i \log p_{i, y_i}$: it only
# picks and averages. So
#
# $$\texttt{CrossEntropyLoss}(x, y) = \texttt{NLLLoss}(\texttt{LogSoftmax}(x), y)$$
#
# Models ending in `nn.LogSoftmax` train with `NLLLoss`; models that output raw logits use
# `CrossEntropyLoss`. Never apply softmax before `CrossEntropyLoss`.

# %% slideshow={"slide_type": "fragment"}
logits = torch.randn(5, 4)                     # 5 examples, 4 classes
labels = torch.tensor([0, 3, 1, 1, 2])
log_p = nn.LogSoftmax(dim=1)(logits)
nll_hand = -log_p[torch.arange(5), labels].mean()
show({"by hand": nll_hand, "NLLLoss": nn.NLLLoss()(log_p, labels),
      "CrossEntropyLoss": nn.CrossEntropyLoss()(logits, labels)})

# %% slideshow={"slide_type": "skip"}
assert torch.isclose(nll_hand, nn.NLLLoss()(log_p, labels))
assert torch.isclose(nll_hand, nn.CrossEntropyLoss()(logits, labels))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### `log_softmax`, not `log(softmax)`
#
# Large logits: $e^{1000}$ overflows. `log_softmax` subtracts the largest logit first
# ($\log\sum_j e^{x_j} = m + \log\sum_j e^{x_j - m}$), so it never does.

# %% slideshow={"slide_type": "fragment"}
big = torch.tensor([[1000.0, 0.0]])
print("log(softmax):", torch.log(torch.softmax(big, dim=1)).tolist())
print("log_softmax: ", torch.log_softmax(big, dim=1).tolist())
print("cross-entropy for label 1:", F.cross_entropy(big, torch.tensor([1])).item())

# %% slideshow={"slide_type": "skip"}
assert torch.log(torch.softmax(big, 1))[0, 1] == -math.inf
assert torch.log_softmax(big, 1)[0, 1] == -1000 and F.cross_entropy(big, torch.tensor([1])) == 1000

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Margin losses: hinge and logistic
#
# Labels $t \in \{-1, +1\}$, a score $s$. The **margin** $m = t\,s$ is $> 0$ when the
# prediction is on the right side, and larger when it is more confident.
#
# * **0-1 loss** $\;[m \le 0]$: what we care about, but its gradient is 0 almost everywhere
# * **hinge** $\;\max(0, 1 - m)$: the support-vector machine's loss
# * **logistic** $\;\log(1 + e^{-m})$: BCE on logits, written for $t = \pm 1$
#
# Both are convex upper bounds of the 0-1 loss (logistic after dividing by $\log 2$).

# %% slideshow={"slide_type": "subslide"}
zero_one = lambda m: (m <= 0).float()
hinge = lambda m: torch.clamp(1 - m, min=0)
logistic = lambda m: torch.log1p(torch.exp(-m))
fig = plot_functions({"0-1": zero_one, "hinge": hinge, "logistic": logistic,
                      "logistic / log 2": lambda m: logistic(m) / math.log(2)},
                     xlim=(-3, 3), ylim=(-0.1, 4), title="loss against the margin m = t·s")
fig.axes[0].lines[3].set_linestyle("--")
fig.axes[0].set_xlabel("margin m   (m = 1: right, with room to spare;  m = −1: wrong)")
plt.show()

# %% slideshow={"slide_type": "skip"}
m = torch.linspace(-5, 5, 1001)
assert (hinge(m) >= zero_one(m)).all()
assert (logistic(m) / math.log(2) >= zero_one(m) - 1e-6).all()
assert hinge(torch.tensor(1.0)) == 0 and hinge(torch.tensor(-1.0)) == 2
assert math.isclose(logistic(torch.tensor(1.0)).item(), math.log(1 + math.exp(-1)), rel_tol=1e-6)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Margin losses in torch
#
# * logistic: `nn.SoftMarginLoss` is $\frac1n\sum\log(1 + e^{-t s})$; it equals BCE on logits
#   with $y = (t + 1)/2$
# * hinge: torch has no binary hinge loss; `nn.MultiMarginLoss` is its $C$-class form,
#   $\frac1C\sum_{i \ne y}\max(0, 1 - x_y + x_i)$. With 2 classes and scores $(0, s)$ it is hinge / 2

# %% slideshow={"slide_type": "fragment"}
s = torch.tensor([2.0, 0.3, -1.0, -0.5]); tt = torch.tensor([1.0, -1.0, 1.0, -1.0])
show({"logistic by hand": logistic(tt * s).mean(), "SoftMarginLoss": nn.SoftMarginLoss()(s, tt),
      "BCEWithLogits": nn.BCEWithLogitsLoss()(s, (tt + 1) / 2)})
two_class = torch.stack([torch.zeros_like(s), s], dim=1)      # scores (0, s)
multi = nn.MultiMarginLoss()(two_class, (tt > 0).long())
show({"hinge by hand": hinge(tt * s).mean(), "2 × MultiMarginLoss": 2 * multi})

# %% slideshow={"slide_type": "skip"}
assert torch.isclose(logistic(tt * s).mean(), nn.SoftMarginLoss()(s, tt))
assert torch.isclose(nn.SoftMarginLoss()(s, tt), nn.BCEWithLogitsLoss()(s, (tt + 1) / 2))
assert torch.isclose(hinge(tt * s).mean(), 2 * multi)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Cosine embedding loss
#
# For pairs of vectors $(a, b)$ that should be similar ($t = 1$) or different ($t = -1$):
#
# $$\ell(a, b, t) = \begin{cases} 1 - \cos(a, b) & t = 1 \\
# \max\big(0, \cos(a, b) - \text{margin}\big) & t = -1 \end{cases}
# \qquad \cos(a, b) = \frac{a \cdot b}{\|a\|\,\|b\|}$$
#
# Only directions count, not lengths: used to train embeddings (faces, search, retrieval).

# %% slideshow={"slide_type": "fragment"}
a = torch.tensor([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]])
b = torch.tensor([[2.0, 0.0], [1.0, -1.0], [1.0, 1.0]])
pair = torch.tensor([1, 1, -1])                     # similar, similar, different
cos = (a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1))   # 1, 0, 0.707
cel_hand = torch.where(pair == 1, 1 - cos, (cos - 0.2).clamp(min=0)).mean()
cel = nn.CosineEmbeddingLoss(margin=0.2)
print("cos:", cos.round(decimals=3).tolist())
show({"by hand": cel_hand, "nn.CosineEmbeddingLoss": cel(a, b, pair)})

# %% slideshow={"slide_type": "skip"}
assert torch.allclose(cos, F.cosine_similarity(a, b))
assert torch.isclose(cel_hand, cel(a, b, pair))
assert torch.isclose(cel(a, 3 * b, pair), cel(a, b, pair))    # lengths do not matter

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Move a prediction: each loss and its gradient
#
# Regression, target $y = 0$, prediction $\hat y = 1.5$: the dots are the values the legend lists.

# %% slideshow={"slide_type": "fragment"}
from nbhelpers.losses import loss_and_grad
from nbhelpers.widgets.losses import loss_explorer_figure, loss_explorer_widget

fig = loss_explorer_figure(task="regression", prediction=1.5, target=0.0)

# %% slideshow={"slide_type": "skip"}
here = loss_and_grad(task="regression", prediction=torch.tensor(1.5), target=0.0)
assert {k: (round(v.item(), 4), round(g.item(), 4)) for k, (v, g) in here.items()} == {
    "MSE": (2.25, 3.0), "L1": (1.5, 1.0), "Huber (δ=1)": (1.0, 1.0)}

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Classification: a logit far on the wrong side
#
# Label 1, logit $z = -3$. BCE's slope stays near $\sigma(z) - 1 \approx -1$; squared error
# on the probability $\sigma(z)$ has almost **no slope**: it learns slowly exactly when it is
# most wrong. That is why classifiers use cross-entropy.

# %% slideshow={"slide_type": "fragment"}
fig = loss_explorer_figure(task="binary", prediction=-3.0, target=1.0)

# %% slideshow={"slide_type": "skip"}
far = loss_and_grad(task="binary", prediction=torch.tensor(-6.0), target=1.0)
assert math.isclose(far["BCE on logit"][1], 1 / (1 + math.exp(6)) - 1)         # σ(z) − y
assert far["BCE on logit"][1] < -0.99 and -0.01 < far["MSE on σ(z)"][1] < 0
assert far["hinge"][1] == -1

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Try it
#
# Pick the task, drag the prediction, flip the target: watch which losses keep a useful
# gradient far from the target.

# %% slideshow={"slide_type": "fragment"} tags=["widget"]
loss_explorer_widget()


# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# | output | torch loss | feed it |
# |---|---|---|
# | a number | `MSELoss`, `L1Loss`, `HuberLoss` | raw outputs |
# | one logit (2 classes) | `BCEWithLogitsLoss` | logits (not `BCELoss` on $\sigma(z)$) |
# | $C$ logits | `CrossEntropyLoss` | logits (= `NLLLoss` on `log_softmax`) |
# | embedding pairs | `CosineEmbeddingLoss` | two vectors and $t = \pm 1$ |
#
# Read torch's docs for the edges: clamps (`BCELoss`: log ≥ −100) and reductions (mean by default).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Write the function in the cell tagged *answer*, run it, then run the check below it.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: mean squared error
#
# Write `mse(pred, target)` returning $\frac1n\sum (\hat y - y)^2$ over **all** elements
# (any shape), as one number. No `F.mse_loss`!

# %% slideshow={"slide_type": "-"} tags=["answer"]
# Exercise 1: the mean squared error of two tensors of the same shape.
def mse(pred, target):
    """pred, target: tensors of the same shape. Returns a scalar tensor."""
    return ((pred - target) ** 2).mean()


# %% slideshow={"slide_type": "-"}
from nbhelpers import check

check.losses_mse(mse)


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: cross-entropy from logits
#
# Write `cross_entropy(logits, labels)` for logits of shape $(N, C)$ and int labels of shape
# $(N,)$: the mean of $-x_{i, y_i} + \log\sum_j e^{x_{ij}}$. It must also work for logits
# around 800 (where `exp` overflows).

# %% slideshow={"slide_type": "-"} tags=["answer"]
# Exercise 2: mean cross-entropy, numerically stable.
def cross_entropy(logits, labels):
    """logits: (N, C) floats, labels: (N,) int64. Returns a scalar tensor."""
    m = logits.max(dim=1, keepdim=True).values
    log_sum_exp = m.squeeze(1) + torch.log(torch.exp(logits - m).sum(dim=1))
    true_logit = logits[torch.arange(len(labels)), labels]
    return (log_sum_exp - true_logit).mean()


# %% slideshow={"slide_type": "-"}
check.losses_cross_entropy(cross_entropy)


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: BCE on logits
#
# Write `bce_with_logits(z, y)`: the mean of $-[y\log\sigma(z) + (1-y)\log(1-\sigma(z))]$ for
# logits `z` and labels `y` (0./1.), correct even for $|z| = 60$, where $\sigma(z)$ rounds to
# exactly 0 or 1.

# %% slideshow={"slide_type": "-"} tags=["answer"]
# Exercise 3: mean binary cross-entropy on logits, numerically stable.
def bce_with_logits(z, y):
    """z: logits, y: labels 0./1., same shape. Returns a scalar tensor."""
    return (z.clamp(min=0) - y * z + torch.log1p(torch.exp(-z.abs()))).mean()


# %% slideshow={"slide_type": "-"}
check.losses_bce_logits(bce_with_logits)
