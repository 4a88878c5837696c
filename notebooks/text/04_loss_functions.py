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
# cross-entropy (MSE, BCE and cross-entropy derived as negative log-likelihoods), margin losses and the
# cosine embedding loss. Every formula is computed by hand and checked against torch.

# %% slideshow={"slide_type": "skip"}
# Setup: install nbhelpers on Colab only, seed everything, pick the device.
import sys
if "google.colab" in sys.modules:
    # %pip install -q "nbhelpers @ git+https://github.com/nn-lectures/nn-lectures"
import nbhelpers
device = nbhelpers.setup(seed=0)

# %% slideshow={"slide_type": "skip"}
from nbhelpers.losses import loss_and_grad
from nbhelpers.widgets.losses import loss_explorer_figure, loss_explorer_widget

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Regression or classification?
#
# | task | the network outputs | the target | loss |
# |---|---|---|---|
# | regression | a number $\hat y$ (no output activation) | a number $y$ | MSE, L1, Huber |
# | binary classification | one logit $z$, probability $p = \sigma(z)$ | $0$ or $1$ | binary cross-entropy |
# | $C$ classes | $C$ logits $z_1, \dots, z_C$ | a class index $y$ | cross-entropy |
# | embeddings | a vector | "similar" or "different" pair | cosine embedding |
#
# A loss scores one prediction against its target: the smaller, the better. Training changes
# the weights to make its **mean over the data** small, following its **gradient** (gradient
# descent: lecture 05; the gradient by backpropagation: lecture 06).

# %% slideshow={"slide_type": "skip"}
import math
import torch
import torch.nn as nn
import torch.nn.functional as F
import matplotlib.pyplot as plt
from torch.distributions import Bernoulli, Categorical, Laplace, Normal
from nbhelpers.display import print_values as show   # {name: number} on one line
from nbhelpers.display import describe   # alt text for a figure drawn here
from nbhelpers.plotting import plot_functions


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
assert ((y_hat - y) ** 2).tolist() == [0.25, 0.25, 0.0, 16.0]   # the outlier: 16 of 16.5
assert nn.MSELoss(reduction="sum")(y_hat, y) == 16.5
assert torch.equal(nn.MSELoss(reduction="none")(y_hat, y), (y_hat - y) ** 2)

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
delta = 2.0   # the general δ of the formula, against torch
huber_2 = torch.where(r.abs() <= delta, 0.5 * r**2, delta * (r.abs() - 0.5 * delta)).mean()
assert torch.isclose(huber_2, nn.HuberLoss(delta=delta)(y_hat, y))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The gradient is what training feels
#
# MSE's slope $2r$ grows with the error; L1's stays $\pm 1$; Huber's is $r$, capped at $\pm\delta$.

# %% [markdown] slideshow={"slide_type": "notes"}
# MSE's slope $2r$ grows with the error. L1's is $\pm 1$ however large the error; Huber's is
# $r$ near 0 (quadratic, smooth) and $\pm\delta$ beyond $|r| = \delta$.

# %% slideshow={"slide_type": "fragment"}
huber = lambda r: F.huber_loss(r, torch.zeros_like(r), reduction="none", delta=1.0)
fig = plot_functions({"MSE": lambda r: r**2, "L1": torch.abs, "Huber (δ=1)": huber},
                     xlim=(-3, 3), ylim=(-0.2, 5), derivative=True)
fig.axes[0].set_title("loss of one example"); fig.axes[1].set_title("its slope d loss / dr")
fig.axes[0].set_xlabel("residual r = ŷ − y"); fig.axes[1].set_xlabel("residual r")
describe(fig, "Left: loss against residual r: MSE a parabola, L1 a V, Huber a parabola for "
         "|r| < 1, straight beyond. Right, slopes: MSE's 2r grows, L1's is ±1, Huber's r to ±1.")
plt.show()

# %% slideshow={"slide_type": "skip"}
def slopes_at(r0):  # d loss / dr of MSE, L1, Huber at r0, by autograd
    r0 = torch.tensor(r0, requires_grad=True)
    return [torch.autograd.grad(f(r0), r0)[0].item() for f in (lambda r: r**2, torch.abs, huber)]

assert slopes_at(3.0) == [6.0, 1.0, 1.0]      # 2r, sign(r), δ·sign(r)
assert slopes_at(-3.0) == [-6.0, -1.0, -1.0]
assert slopes_at(0.5) == [1.0, 1.0, 0.5]      # inside |r| ≤ δ Huber's slope is r

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Where losses come from: maximum likelihood
#
# Let the network's output define a **probability model** $P(y \mid x; w)$ of the target (a
# *discriminative* model, lecture 15). For $n$ independent examples the **likelihood** of the
# weights $w$ is $\prod_i P(y_i \mid x_i; w)$. The log turns the product into a sum and does
# not move the maximum, so
#
# $$\arg\max_w \prod_{i=1}^n P(y_i \mid x_i; w) \;=\; \arg\min_w\,
# \underbrace{-\frac1n\sum_{i=1}^n \log P(y_i \mid x_i; w)}_{\text{mean negative log-likelihood (NLL)}}$$
#
# Each choice of $P$ gives a loss: Gaussian → MSE, Bernoulli → BCE, categorical → cross-entropy.

# %% slideshow={"slide_type": "fragment"}
P_true = torch.full((1000,), 0.9)     # the probability the model gives each of 1000 labels
print("likelihood ∏ P(y_i | x_i):", P_true.prod().item())      # 0.9^1000 ≈ 1.7e-46 underflows
print(f"mean NLL −(1/n) Σ log P(y_i | x_i): {-P_true.log().mean().item():.4f}")

# %% slideshow={"slide_type": "skip"}
assert P_true.prod() == 0 and 0.9**1000 < 2.0**-149   # below the smallest float32: underflow
assert math.isclose(0.9**1000, 1.7e-46, rel_tol=0.03)
assert math.isclose(-P_true.log().mean().item(), -math.log(0.9), rel_tol=1e-6)
# argmax of the likelihood = argmin of the mean NLL: a constant Bernoulli model P(y=1) = q
# for 10 labels, seven of them 1; both pick q = 7/10 on a grid of q
labels01 = torch.tensor([1, 0, 1, 1, 0, 1, 1, 1, 0, 1], dtype=torch.float64)
qs = torch.linspace(0.01, 0.99, 99, dtype=torch.float64)
lik = torch.stack([(q**labels01 * (1 - q) ** (1 - labels01)).prod() for q in qs])
nll = torch.stack([-(labels01 * q.log() + (1 - labels01) * (1 - q).log()).mean() for q in qs])
assert lik.argmax() == nll.argmin() and math.isclose(qs[nll.argmin()].item(), 0.7)
assert torch.allclose(nll, -lik.log() / len(labels01))

# %% [markdown] slideshow={"slide_type": "notes"}
# The mean (not the sum) keeps the loss on the same scale for any batch size, and it does not
# move the minimum. Working with logs is not only tidier: the product of many probabilities
# underflows (here to exactly 0), while the mean NLL is a well-scaled number.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Gaussian noise → MSE
#
# Regression: the target is the prediction plus Gaussian noise of a fixed variance $\sigma^2$,
# $y \sim \mathcal N(\hat y, \sigma^2)$. The negative log of its density is
#
# $$-\log p(y \mid x) = \frac{(y - \hat y)^2}{2\sigma^2} + \tfrac12\log(2\pi\sigma^2)$$
#
# so the mean NLL is $\mathrm{MSE} / (2\sigma^2)$ plus a constant: for every $\sigma$ the same
# weights minimise it as minimise MSE. (Laplace noise gives L1 the same way.)

# %% slideshow={"slide_type": "fragment"}
var = 2.0                                                 # σ², fixed
nll_hand = ((y - y_hat) ** 2 / (2 * var) + 0.5 * math.log(2 * math.pi * var)).mean()
gauss = F.gaussian_nll_loss(y_hat, y, torch.full_like(y, var), full=True)
show({"by hand": nll_hand, "F.gaussian_nll_loss": gauss,
      "MSE/(2σ²) + const": mse_hand / (2 * var) + 0.5 * math.log(2 * math.pi * var)})

# %% slideshow={"slide_type": "skip"}
assert torch.isclose(nll_hand, gauss) and torch.isclose(nll_hand, -Normal(y_hat, var**0.5).log_prob(y).mean())
assert torch.isclose(gauss, mse_hand / (2 * var) + 0.5 * math.log(2 * math.pi * var))
# full=False (torch's default) leaves out the constant ½ log 2π
assert math.isclose((gauss - F.gaussian_nll_loss(y_hat, y, torch.full_like(y, var))).item(),
                    0.5 * math.log(2 * math.pi), rel_tol=1e-6)
# the same minimiser for any σ: over constant predictions c, MSE and Gaussian NLL both pick mean(y)
y64, cs = y.double(), torch.linspace(0, 6, 481, dtype=torch.float64)   # step 0.0125: holds mean(y)
mse_c = torch.stack([F.mse_loss(c.expand(4), y64) for c in cs])
assert cs[mse_c.argmin()] == y64.mean() == 2.875
for v in (0.1, 2.0, 50.0):
    nll_c = torch.stack([F.gaussian_nll_loss(c.expand(4), y64, torch.full_like(y64, v)) for c in cs])
    assert nll_c.argmin() == mse_c.argmin()
# Laplace noise with scale b: −log p = |y − ŷ| / b + log(2b), the L1 loss up to scale and constant
b = 1.5
assert torch.isclose(-Laplace(y_hat, b).log_prob(y).mean(), l1_hand / b + math.log(2 * b))

# %% [markdown] slideshow={"slide_type": "notes"}
# If the network also outputs σ² (a second output), `F.gaussian_nll_loss` with that variance
# trains it to say how unsure it is; then the loss is no longer MSE. torch leaves out the
# constant ½ log 2π unless `full=True`. The NLL of a density can be negative (small σ): a loss
# needs a minimum at the right place, not a sign.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Binary cross-entropy (BCE): the Bernoulli NLL
#
# Labels $y \in \{0, 1\}$; the network predicts $p = P(y{=}1 \mid x)$. The Bernoulli model
# gives each label the likelihood $P(y \mid x) = p^{\,y}(1 - p)^{1-y}$, so
#
# $$-\log P(y \mid x) = -\big[\,y \log p + (1 - y)\log(1 - p)\,\big]$$
#
# and **BCE** is its mean over the data. One term is alive per example: $-\log p$ if $y = 1$,
# $-\log(1 - p)$ if $y = 0$.

# %% slideshow={"slide_type": "fragment"}
p = torch.tensor([0.9, 0.2, 0.6])         # P(y = 1 | x) of three examples
t = torch.tensor([1.0, 0.0, 1.0])         # their labels
likelihood = p**t * (1 - p) ** (1 - t)    # P(label | x): 0.9, 0.8, 0.6
bce_hand = -(t * torch.log(p) + (1 - t) * torch.log(1 - p)).mean()
show({"−mean log P(y|x)": -likelihood.log().mean(), "BCE by hand": bce_hand,
      "nn.BCELoss": nn.BCELoss()(p, t)})

# %% slideshow={"slide_type": "skip"}
assert torch.allclose(likelihood, torch.tensor([0.9, 0.8, 0.6]))
assert torch.isclose(bce_hand, -likelihood.log().mean())
assert torch.isclose(bce_hand, nn.BCELoss()(p, t)) and torch.isclose(bce_hand, F.binary_cross_entropy(p, t))
assert torch.isclose(bce_hand, F.binary_cross_entropy_with_logits(torch.logit(p), t))
assert torch.isclose(bce_hand, -Bernoulli(probs=p).log_prob(t).mean())
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
# The true loss is $-\log 0 = \infty$: the model gave the observed label probability 0.
# `nn.BCELoss` **clamps each log at −100** (documented), so every element costs exactly 100:
# a cap, not a score. $p = 10^{-30}$ is not capped yet:

# %% slideshow={"slide_type": "-"}
tiny = nn.BCELoss()(torch.tensor([1e-30]), torch.tensor([1.0]))
print(f"BCELoss(1e-30, 1) = {tiny.item():.4f}   −log(1e-30) = {-math.log(1e-30):.4f}")

# %% slideshow={"slide_type": "skip"}
assert nn.BCELoss()(y_pred, y_true) == 100 and nn.BCELoss()(y_true, y_true) == 0
assert torch.equal(nn.BCELoss(reduction="none")(y_pred, y_true), torch.full((3,), 100.0))
assert math.isclose(tiny.item(), 69.0776, rel_tol=1e-5) and math.isclose(tiny.item(), -math.log(1e-30), rel_tol=1e-5)
assert torch.finfo(torch.float32).tiny < 1e-30    # a normal float32, not a subnormal one
assert math.isclose(math.exp(-100), 3.7e-44, rel_tol=0.01) and math.isclose(2.0**-149, 1.4e-45, rel_tol=0.01)
assert nn.BCELoss()(torch.tensor([1e-44]), torch.tensor([1.0])) == 100   # below e^-100: capped
p0 = torch.tensor([0.0], requires_grad=True)       # the gradient stays finite too
assert torch.isfinite(torch.autograd.grad(nn.BCELoss()(p0, torch.tensor([1.0])), p0)[0]).all()

# %% [markdown] slideshow={"slide_type": "notes"}
# Any probability below e^-100 ≈ 3.7e-44 (close to the smallest float32, 1.4e-45) gives the
# same 100. The clamp keeps the loss and its gradient finite, so one hopeless example cannot
# turn the whole batch into inf/nan; but it hides how wrong the model is.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## BCE on logits: `BCEWithLogitsLoss`
#
# Networks output a **logit** $z$ and $p = \sigma(z) = 1/(1 + e^{-z})$. Put the sigmoid into
# the loss, with $\log\sigma(z) = -\log(1 + e^{-z})$ and $\log(1 - \sigma(z)) = -\log(1 + e^{z})$:
#
# $$\ell(z, y) = \log(1 + e^{z}) - y\,z = \max(z, 0) - y\,z + \log\big(1 + e^{-|z|}\big)$$
#
# The same Bernoulli NLL, as a function of the logit. The last form never exponentiates a
# large positive number.

# %% slideshow={"slide_type": "fragment"}
z = torch.tensor([2.2, -1.4, 0.4])                    # logits
stable = (z.clamp(min=0) - t * z + torch.log1p(torch.exp(-z.abs()))).mean()
show({"by hand": stable, "BCEWithLogitsLoss": nn.BCEWithLogitsLoss()(z, t),
      "BCELoss(σ(z))": nn.BCELoss()(torch.sigmoid(z), t)})

# %% slideshow={"slide_type": "skip"}
assert torch.allclose(stable, nn.BCEWithLogitsLoss()(z, t))
assert torch.allclose(stable, F.binary_cross_entropy_with_logits(z, t))
assert torch.allclose(stable, nn.BCELoss()(torch.sigmoid(z), t))
assert torch.allclose(stable, (torch.log1p(torch.exp(z)) - t * z).mean())
assert torch.allclose(stable, -Bernoulli(logits=z).log_prob(t).mean())
assert torch.allclose(F.logsigmoid(z), -torch.log1p(torch.exp(-z)))
assert torch.allclose(F.logsigmoid(-z), torch.log(1 - torch.sigmoid(z)))   # log(1 − σ(z)) = log σ(−z)
assert torch.allclose(F.logsigmoid(-z), -torch.log1p(torch.exp(z)))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Why logits are safer
#
# A confident, wrong logit $z = 17$ for label 0. The true loss is $17 + \log(1 + e^{-17}) \approx 17$.

# %% slideshow={"slide_type": "fragment"}
z17 = torch.tensor([17.0], requires_grad=True); y0 = torch.tensor([0.0])
print("σ(17) in float32:", torch.sigmoid(z17).item())     # 1 + e^-17 rounds to 1, so σ = 1.0
via_sigmoid = nn.BCELoss()(torch.sigmoid(z17), y0)
on_logits = nn.BCEWithLogitsLoss()(z17, y0)
show({"BCELoss(σ(z))": via_sigmoid, "BCEWithLogitsLoss(z)": on_logits})
g_sig, = torch.autograd.grad(via_sigmoid, z17); g_log, = torch.autograd.grad(on_logits, z17)
print(f"gradient dL/dz:  via sigmoid {g_sig.item()}   on logits {g_log.item()}")

# %% slideshow={"slide_type": "skip"}
assert torch.sigmoid(z17).item() == 1.0 and via_sigmoid.item() == 100.0
assert 1 + torch.exp(torch.tensor(-17.0)) == 1          # e^-17 ≈ 4e-8 is lost next to 1 ...
assert torch.sigmoid(torch.tensor(17.0, dtype=torch.float64)).float() < 1   # ... σ(17) itself is not 1
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

# %% [markdown] slideshow={"slide_type": "notes"}
# Label 0, logit $z$ from 0 to 25. The exact loss $\log(1 + e^{z})$ approaches the line $z$;
# through $\sigma(z)$ in float32 it is off by more than 0.1 before $z = 16.5$, then clamped.

# %% slideshow={"slide_type": "fragment"}
bce, bce_logits = nn.BCELoss(reduction="none"), nn.BCEWithLogitsLoss(reduction="none")
fig = plot_functions({"BCELoss(σ(z), 0)": lambda z: bce(torch.sigmoid(z), 0 * z),
                      "BCEWithLogitsLoss(z, 0)": lambda z: bce_logits(z, 0 * z)},
                     xlim=(0, 25), ylim=(0, 30), points=501)
fig.axes[0].annotate("σ(z) rounds to 1:\nclamped at 100", xy=(16.7, 29), xytext=(18.5, 18),
                     arrowprops=dict(arrowstyle="->"), fontsize=13)
fig.axes[0].set_xlabel("logit z (label 0)"); fig.axes[0].set_ylabel("loss")
describe(fig, "Loss for label 0 against the logit z: BCEWithLogitsLoss rises smoothly near the "
         "line z; BCELoss on σ(z) follows until σ(z) rounds to 1 at z ≈ 16.6, then jumps to 100.")
plt.show()

# %% slideshow={"slide_type": "skip"}
zs = torch.linspace(0, 25, 501)
exact = F.softplus(zs.double())                         # log(1 + e^z), float64
err_sig = (bce(torch.sigmoid(zs), 0 * zs) - exact).abs()
err_log = (bce_logits(zs, 0 * zs) - exact).abs()
assert err_log.max() < 1e-5 and err_sig[zs >= 17].min() > 70
assert err_sig[(zs > 14.5) & (zs < 16.5)].max() > 0.1   # precision already lost before the clamp
assert 16.6 < zs[torch.sigmoid(zs) == 1].min() < 16.7 and math.isclose(24 * math.log(2), 16.64, abs_tol=0.01)
assert math.isclose((exact - zs.double()).max().item(), math.log(2)) and (exact - zs.double())[-1] < 1e-10   # → the line z

# %% [markdown] slideshow={"slide_type": "notes"}
# In float32, 1 + e^{−z} rounds to 1 once e^{−z} ≤ 2^{−24}, i.e. z ≥ 24 log 2 ≈ 16.6; from
# there σ(z) is exactly 1 and BCELoss sees log 0.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Cross-entropy: the categorical NLL
#
# $C$ classes, logits $z \in \mathbb{R}^C$, class probabilities
# $P(y{=}k \mid x) = \mathrm{softmax}(z)_k = e^{z_k} / \sum_j e^{z_j}$. The likelihood of the
# true class $y$ is $\mathrm{softmax}(z)_y$, so the **cross-entropy** loss is
#
# $$-\log P(y \mid x) = -\log \mathrm{softmax}(z)_y = -z_y + \log\sum_j e^{z_j}$$
#
# > **The source notes said:** $L = \log\frac{e^{x_y}}{\sum_i e^{x_i}}$. **In fact:** the
# > **minus is missing**. That value is $< 0$, and minimising it would push the true class's
# > probability *down*.

# %% slideshow={"slide_type": "fragment"}
z = torch.tensor([[2.0, 1.0, 0.1]]); label = torch.tensor([0])   # one example, C = 3
probs = torch.softmax(z, dim=1)                      # P(y = k | x): 0.66, 0.24, 0.10
ce_hand = -z[0, label] + torch.logsumexp(z[0], dim=0)
notes_version = torch.log(torch.exp(z[0, 0]) / torch.exp(z[0]).sum())
show({"−log P(y|x)": -probs[0, label].log(), "−z_y + logsumexp(z)": ce_hand})
show({"F.cross_entropy": F.cross_entropy(z, label), "notes' formula": notes_version})

# %% slideshow={"slide_type": "skip"}
assert torch.allclose(probs, torch.tensor([[0.66, 0.24, 0.10]]), atol=0.005)
assert torch.isclose(ce_hand, F.cross_entropy(z, label)) and torch.isclose(ce_hand, -probs[0, label].log())
assert torch.isclose(ce_hand, F.nll_loss(F.log_softmax(z, dim=1), label))
assert torch.isclose(ce_hand, -Categorical(logits=z).log_prob(label))
assert torch.isclose(notes_version, -F.cross_entropy(z, label)) and notes_version < 0
onehot = F.one_hot(label, num_classes=3).float()     # cross-entropy H(onehot, q) = −Σ_k onehot_k log q_k
assert torch.isclose(-(onehot * probs.log()).sum(), ce_hand) and torch.isclose(F.cross_entropy(z, onehot), ce_hand)
# two classes with logits (0, z) are the binary case: softmax gives σ(z), CE gives BCE on the logit
zb = torch.tensor([2.2, -1.4, 0.4]); yb = torch.tensor([1, 0, 1])
two = torch.stack([torch.zeros_like(zb), zb], dim=1)
assert torch.allclose(torch.softmax(two, 1)[:, 1], torch.sigmoid(zb))
assert torch.isclose(F.cross_entropy(two, yb), F.binary_cross_entropy_with_logits(zb, yb.float()))

# %% [markdown] slideshow={"slide_type": "notes"}
# BCE is the case C = 2: with logits (0, z), softmax gives the second class probability σ(z)
# and the cross-entropy equals BCE on the logit z. The name: −log q_y is the cross-entropy
# between the one-hot target distribution and the predicted distribution q = softmax(z).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### `F.cross_entropy` = `F.nll_loss` on `log_softmax`
#
# `nn.NLLLoss` expects **log-probabilities** $\log P(y{=}k \mid x)$ and returns
# $-\frac1n\sum_i \log P(y_i \mid x_i)$: it only picks and averages. So
#
# $$\texttt{CrossEntropyLoss}(z, y) = \texttt{NLLLoss}(\texttt{LogSoftmax}(z), y)$$
#
# Models ending in `nn.LogSoftmax` train with `NLLLoss`; models that output raw logits use
# `CrossEntropyLoss`. Never apply softmax before `CrossEntropyLoss` (last line):

# %% slideshow={"slide_type": "fragment"}
logits = torch.randn(5, 4, generator=torch.Generator().manual_seed(0))   # 5 examples, 4 classes
labels = torch.tensor([0, 3, 1, 1, 2])
log_p = nn.LogSoftmax(dim=1)(logits)
nll_hand = -log_p[torch.arange(5), labels].mean()
show({"by hand": nll_hand, "NLLLoss": nn.NLLLoss()(log_p, labels),
      "CrossEntropyLoss": nn.CrossEntropyLoss()(logits, labels)})
show({"CrossEntropyLoss(softmax(z)) (wrong)": nn.CrossEntropyLoss()(logits.softmax(1), labels)})

# %% slideshow={"slide_type": "skip"}
assert torch.isclose(nll_hand, nn.NLLLoss()(log_p, labels))
assert torch.isclose(nll_hand, nn.CrossEntropyLoss()(logits, labels))
assert torch.isclose(nll_hand, F.nll_loss(F.log_softmax(logits, dim=1), labels))
assert torch.isclose(nll_hand, F.cross_entropy(logits, labels))
assert not torch.isclose(nll_hand, F.cross_entropy(logits.softmax(1), labels), atol=0.05)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The gradient: predicted probabilities minus the target
#
# $$\frac{\partial}{\partial z_k}\Big(-z_y + \log\sum_j e^{z_j}\Big)
# = \mathrm{softmax}(z)_k - [k = y]$$
#
# Each entry lies in $(-1, 1)$ and all shrink to 0 as the true class's probability goes to 1.
# BCE on a logit has the same form, $\sigma(z) - y$. Backpropagation (lecture 06) starts here.

# %% slideshow={"slide_type": "fragment"}
z = logits.clone().requires_grad_(True)
loss = F.cross_entropy(z, labels, reduction="sum")          # sum: one gradient per example
grad_autograd, = torch.autograd.grad(loss, z)
grad_formula = torch.softmax(z, dim=1) - F.one_hot(labels, num_classes=4)
print("example 0, label", labels[0].item())
print("  autograd:        ", grad_autograd[0].numpy().round(3))
print("  softmax − onehot:", grad_formula[0].detach().numpy().round(3))
print("all 5 examples equal:", torch.allclose(grad_autograd, grad_formula))

# %% slideshow={"slide_type": "skip"}
assert torch.allclose(grad_autograd, grad_formula, atol=1e-6)
assert (grad_formula.abs() < 1).all() and torch.allclose(grad_formula.sum(1), torch.zeros(5), atol=1e-6)
mean_grad, = torch.autograd.grad(F.cross_entropy(z, labels), z)    # default mean: divided by n
assert torch.allclose(mean_grad, grad_formula / 5, atol=1e-7)
zb1 = torch.tensor([2.2, -1.4, 0.4], requires_grad=True); yb1 = torch.tensor([1.0, 0.0, 1.0])
g_bce, = torch.autograd.grad(F.binary_cross_entropy_with_logits(zb1, yb1, reduction="sum"), zb1)
assert torch.allclose(g_bce, torch.sigmoid(zb1) - yb1)                  # σ(z) − y
confident = torch.tensor([[30.0, 0.0, 0.0]], requires_grad=True)      # P(true class) ≈ 1
g_conf, = torch.autograd.grad(F.cross_entropy(confident, torch.tensor([0])), confident)
assert g_conf.abs().max() < 1e-12

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### `log_softmax`, not `log(softmax)`
#
# Large logits: $e^{1000}$ overflows. `torch.softmax` subtracts the largest logit first, but then
# $e^{-1000}$ underflows to 0 and $\log 0 = -\infty$. `log_softmax` returns
# $z_k - m - \log\sum_j e^{z_j - m}$ ($m = \max_j z_j$) directly: no overflow, no $\log 0$.

# %% slideshow={"slide_type": "fragment"}
big = torch.tensor([[1000.0, 0.0]])
print("exp(z)/Σexp(z):", (torch.exp(big) / torch.exp(big).sum()).tolist())
print("log(softmax):", torch.log(torch.softmax(big, dim=1)).tolist())
print("log_softmax: ", torch.log_softmax(big, dim=1).tolist())
print("cross-entropy for label 1:", F.cross_entropy(big, torch.tensor([1])).item())

# %% slideshow={"slide_type": "skip"}
assert torch.exp(big).isinf().any() and torch.softmax(big, 1)[0, 1] == 0
assert (torch.exp(big) / torch.exp(big).sum())[0, 0].isnan()
assert torch.log(torch.softmax(big, 1))[0, 1] == -math.inf
assert torch.log_softmax(big, 1)[0, 1] == -1000 and F.cross_entropy(big, torch.tensor([1])) == 1000
m_big = big.max(dim=1, keepdim=True).values
assert torch.equal(torch.logsumexp(big, 1), (m_big + torch.exp(big - m_big).sum(1, keepdim=True).log())[:, 0])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Margin losses: hinge and logistic, convex bounds of the 0-1 loss

# %% [markdown] slideshow={"slide_type": "notes"}
# Labels $t = \pm 1$, a score $s$, the **margin** $m = t\,s$: $> 0$ on the right side, larger
# when more confident. The **0-1 loss** $[m \le 0]$ is what we care about, but its gradient is
# 0 almost everywhere. Two convex upper bounds of it (logistic after dividing by $\log 2$):
# **hinge** $\max(0, 1 - m)$, the support-vector machine's loss, and **logistic**
# $\log(1 + e^{-m})$, which is BCE on logits written for $t = \pm 1$.

# %% slideshow={"slide_type": "fragment"}
zero_one = lambda m: (m <= 0).float()
hinge = lambda m: torch.clamp(1 - m, min=0)
logistic = lambda m: torch.log1p(torch.exp(-m))
fig, ax = plt.subplots(figsize=(10, 3.3))
plot_functions({"0-1": zero_one, "hinge": hinge, "logistic": logistic,
                "logistic / log 2": lambda m: logistic(m) / math.log(2)},
               xlim=(-3, 3), ylim=(-0.1, 4), ax=ax)
ax.set_xlabel("margin m = t·s   (m = 1: right, with room to spare;  m = −1: wrong)")
describe(fig, "Four losses against the margin m from −3 to 3. The 0-1 loss steps from 1 to 0 "
         "at m = 0. Hinge falls in a straight line to 0 at m = 1. Logistic falls smoothly and "
         "stays above 0. Logistic / log 2 is 1 at m = 0; it and hinge lie above 0-1.")
plt.show()

# %% slideshow={"slide_type": "skip"}
m = torch.linspace(-5, 5, 1001, dtype=torch.float64)
for bound in (hinge(m), logistic(m) / math.log(2)):
    assert (bound >= zero_one(m) - 1e-12).all()                           # upper bound
    assert (bound[:-2] - 2 * bound[1:-1] + bound[2:] >= -1e-12).all()     # convex
assert hinge(torch.tensor(1.0)) == 0 and hinge(torch.tensor(-1.0)) == 2
assert math.isclose(logistic(torch.tensor(0.0)).item(), math.log(2), rel_tol=1e-6)
tpm, sc = torch.tensor([1.0, -1.0, 1.0]), torch.tensor([0.4, 2.0, -3.0])      # logistic = BCE on logits
assert torch.allclose(logistic(tpm * sc), F.binary_cross_entropy_with_logits(sc, (tpm + 1) / 2, reduction="none"))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Margin losses in torch
#
# * logistic: `nn.SoftMarginLoss` is $\frac1n\sum\log(1 + e^{-t s})$; it equals BCE on logits
#   with $y = (t + 1)/2$
# * hinge: torch has no SVM-style binary hinge loss (`nn.HingeEmbeddingLoss` is another loss,
#   on distances); `nn.MultiMarginLoss` is its $C$-class form,
#   $\frac1C\sum_{k \ne y}\max(0, 1 - s_y + s_k)$. With 2 classes and scores $(0, s)$ it is hinge / 2

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
scores3, y3 = torch.tensor([[0.5, 1.2, -0.3]]), torch.tensor([0])      # the C-class formula, C = 3
assert math.isclose(nn.MultiMarginLoss()(scores3, y3).item(), ((1 - 0.5 + 1.2) + (1 - 0.5 - 0.3)) / 3, rel_tol=1e-6)

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
print("cos:", [round(c, 3) for c in cos.tolist()])
show({"by hand": cel_hand, "nn.CosineEmbeddingLoss": cel(a, b, pair)})

# %% slideshow={"slide_type": "skip"}
assert torch.allclose(cos, F.cosine_similarity(a, b))
assert torch.allclose(cos, torch.tensor([1.0, 0.0, 0.5**0.5]), atol=1e-6)
assert torch.isclose(cel_hand, cel(a, b, pair))
assert torch.isclose(cel(a, 3 * b, pair), cel(a, b, pair))    # lengths do not matter

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Move a prediction: each loss and its gradient
#
# Regression, target $y = 0$, prediction $\hat y = 1.5$: the dots are the values the legend lists.

# %% slideshow={"slide_type": "fragment"}
fig = loss_explorer_figure(task="regression", prediction=1.5, target=0.0)

# %% slideshow={"slide_type": "skip"}
here = loss_and_grad(task="regression", prediction=torch.tensor(1.5), target=0.0)
assert {k: (round(v.item(), 4), round(g.item(), 4)) for k, (v, g) in here.items()} == {
    "MSE": (2.25, 3.0), "L1": (1.5, 1.0), "Huber (δ=1)": (1.0, 1.0)}

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Classification: a logit far on the wrong side
#
# Label 1, logit $z = -3$. BCE's slope is $\sigma(z) - 1 \approx -0.95$ and stays near $-1$
# however wrong $z$ gets; squared error on the probability $\sigma(z)$ has almost **no slope**
# ($-0.09$); below $z = -\log 2$ it shrinks towards 0 as $z$ gets more wrong ($z = -6$: above
# $-0.01$). A gradient step there barely moves $z$: one reason classifiers use cross-entropy.

# %% slideshow={"slide_type": "fragment"}
fig = loss_explorer_figure(task="binary", prediction=-3.0, target=1.0)

# %% slideshow={"slide_type": "skip"}
sig = lambda v: 1 / (1 + math.exp(-v))
for z0 in (-3.0, -6.0):
    at = loss_and_grad(task="binary", prediction=torch.tensor(z0), target=1.0)
    assert math.isclose(at["BCE on logit"][1], sig(z0) - 1)                           # σ(z) − y
    assert math.isclose(at["MSE on σ(z)"][1], 2 * (sig(z0) - 1) * sig(z0) * (1 - sig(z0)))
    assert at["hinge"][1] == -1
assert round(sig(-3) - 1, 2) == -0.95 and round(2 * (sig(-3) - 1) * sig(-3) * (1 - sig(-3)), 2) == -0.09
assert at["BCE on logit"][1] < -0.99 and -0.01 < at["MSE on σ(z)"][1] < 0              # z = −6
zg = torch.linspace(-8, 0, 8001, dtype=torch.float64)     # MSE on σ(z): slope −2σ(1 − σ)², steepest
slope_mse = -2 * torch.sigmoid(zg) * (1 - torch.sigmoid(zg)) ** 2       # at σ = 1/3, z = −log 2
assert abs(zg[slope_mse.argmin()].item() + math.log(2)) < 2e-3 and (slope_mse[zg < -math.log(2)].diff() < 0).all()

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
# | output | model $P(y \mid x)$ | torch loss | feed it |
# |---|---|---|---|
# | a number $\hat y$ | Gaussian $\mathcal N(\hat y, \sigma^2)$; Laplace for L1 | `MSELoss` (`L1Loss`; `HuberLoss` between the two) | raw outputs |
# | one logit $z$ | Bernoulli, $p = \sigma(z)$ | `BCEWithLogitsLoss` | logits |
# | $C$ logits $z$ | categorical, $\mathrm{softmax}(z)$ | `CrossEntropyLoss` | logits |
# | embedding pairs | | `CosineEmbeddingLoss` | two vectors, $t = \pm 1$ |
#
# MSE (up to scale and a constant), BCE and cross-entropy are mean negative log-likelihoods:
# minimising them is maximum likelihood. Their gradients: $2(\hat y - y)$, $\sigma(z) - y$,
# $\mathrm{softmax}(z) - \mathrm{onehot}(y)$. Feed logits, never $\sigma(z)$ or $\mathrm{softmax}(z)$;
# `CrossEntropyLoss` = `NLLLoss` on `log_softmax`.
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

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
# Exercise 1: the mean squared error of two tensors of the same shape.
def mse(pred, target):
    """pred, target: tensors of the same shape. Returns a scalar tensor."""
    return ((pred - target) ** 2).mean()


# %% slideshow={"slide_type": "-"}
from nbhelpers.check import loss_functions as check

check.mse(mse)


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: cross-entropy from logits
#
# Write `cross_entropy(logits, labels)` for logits $z$ of shape $(N, C)$ and int labels of
# shape $(N,)$: the mean NLL $-z_{i, y_i} + \log\sum_j e^{z_{ij}}$. It must also work for logits
# around 800 (where `exp` overflows).

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
# Exercise 2: mean cross-entropy, numerically stable.
def cross_entropy(logits, labels):
    """logits: (N, C) floats, labels: (N,) int64. Returns a scalar tensor."""
    m = logits.max(dim=1, keepdim=True).values
    log_sum_exp = m.squeeze(1) + torch.log(torch.exp(logits - m).sum(dim=1))
    true_logit = logits[torch.arange(len(labels)), labels]
    return (log_sum_exp - true_logit).mean()


# %% slideshow={"slide_type": "-"}
check.cross_entropy(cross_entropy)


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: BCE on logits
#
# Write `bce_with_logits(z, y)`: the mean of $-[y\log\sigma(z) + (1-y)\log(1-\sigma(z))]$ for
# logits `z` and labels `y` (0./1.), correct for large $|z|$ too (the check goes up to
# $\pm 1000$): already at $z = 60$, $\sigma(z)$ rounds to exactly 1 and $\log(1 - \sigma(z))$
# becomes $\log 0$.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
# Exercise 3: mean binary cross-entropy on logits, numerically stable.
def bce_with_logits(z, y):
    """z: logits, y: labels 0./1., same shape. Returns a scalar tensor."""
    return (z.clamp(min=0) - y * z + torch.log1p(torch.exp(-z.abs()))).mean()


# %% slideshow={"slide_type": "-"}
check.bce_with_logits(bce_with_logits)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Reading
#
# * Goodfellow et al., 5.5 (maximum likelihood), 6.2.1–6.2.2 (cost functions, output units)
# * Nielsen, chapter 3 (cross-entropy)
# * d2l.ai 3.1.1.2 (the squared loss), 3.1.3, *The Normal Distribution and Squared Loss*;
#   4.1, *Softmax Regression* (4.1.2, the loss)
