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
# # Generative vs discriminative models
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-lectures/nn-lectures/blob/main/notebooks/15_generative_vs_discriminative.ipynb)
#
# A classifier can learn **P(y | x)** directly, or learn what each class looks like, **P(x | y)**,
# and turn that into a prediction with Bayes' rule. Only the second can *draw* new digits.

# %% slideshow={"slide_type": "skip"}
# Setup: install nbhelpers on Colab only, seed everything, pick the device.
import sys
if "google.colab" in sys.modules:
    # %pip install -q "nbhelpers @ git+https://github.com/nn-lectures/nn-lectures"
import nbhelpers
device = nbhelpers.setup(seed=0)

# %% slideshow={"slide_type": "skip"}
from nbhelpers import data, measured, plotting
from nbhelpers.generative import GaussianClassifier
from nbhelpers.generative import plot_learning_curves
from nbhelpers.display import show   # plt.show() with alt text
import torch
from nbhelpers import models, training

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Two ways to model digits
#
# | | learns | can it... |
# |---|---|---|
# | **discriminative** (the CNN of lecture 12) | $P(y \mid x)$ | classify |
# | **generative** | $P(x \mid y)$ and $P(y)$, so $P(x, y) = P(x \mid y)\,P(y)$ | classify *and* sample new $x$ |
#
# Bayes' rule turns a generative model into a classifier:
# $$P(y \mid x) = \frac{P(x \mid y)\,P(y)}{\sum_{y'} P(x \mid y')\,P(y')}$$

# %% slideshow={"slide_type": "subslide"}
x, y = data.load_tensors("mnist", train=True, normalize=False)   # pixels in [0, 1]
x_test, y_test = data.load_tensors("mnist", train=False, normalize=False)
prior = torch.bincount(y) / len(y)
print("P(y):", [round(p, 3) for p in prior.tolist()])

# %% slideshow={"slide_type": "skip"}
assert torch.isclose(prior.sum(), torch.tensor(1.0)) and prior.min() > 0.08

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The simplest picture of P(x | y): the class means
#
# The average of all training images of each digit: what a "typical" 0, 1, … looks like.

# %% slideshow={"slide_type": "-"}
means = torch.stack([x[y == c].mean(0) for c in range(10)])   # (10, 1, 28, 28)
fig = plotting.show_images(means, titles=[f"mean {c}" for c in range(10)], ncols=10)
show(fig, alt="The average training image of each digit 0 to 9: blurry grey digits, each "
              "still recognisable, brightest where most writers put their strokes.")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A Gaussian per class
#
# Model each class as a multivariate normal over the 784 pixels:
# $$\log P(x \mid y) = -\tfrac12 (x-\mu_y)^\top \Sigma_y^{-1} (x-\mu_y) - \tfrac12 \log\det(2\pi\Sigma_y)$$
# $\mu_y$: class mean, $\Sigma_y$: class covariance (784×784). Many border pixels are always 0,
# so $\Sigma_y$ is singular: we *shrink* it towards a multiple of the identity.

# %% slideshow={"slide_type": "subslide"}
model = GaussianClassifier(shrinkage=0.1).fit(x, y)
d, x0 = model.dists[3], x_test[:1].reshape(1, -1).double()
diff = x0 - d.mean
by_hand = (-0.5 * diff @ torch.linalg.solve(d.covariance_matrix, diff.T)
           - 0.5 * torch.logdet(2 * torch.pi * d.covariance_matrix))
print(f"by hand {by_hand.item():.3f}   torch {d.log_prob(x0).item():.3f}")

# %% slideshow={"slide_type": "skip"}
assert torch.allclose(by_hand.flatten(), d.log_prob(x0), rtol=1e-9)
# "many border pixels are always 0": every class has > 50 constant pixels, so S_y is singular
flat = x.reshape(len(x), -1).double()
for c in range(10):
    assert (flat[y == c].var(0) == 0).sum() > 50
    assert torch.linalg.matrix_rank(torch.cov(flat[y == c].T)) < 784

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Two objectives, both log-likelihoods (lecture 04)
#
# **Discriminative**: minimise the cross-entropy $-\frac1n\sum_i \log P(y_i \mid x_i; w)$, the
# categorical NLL of lecture 04. No closed form: gradient descent.
#
# **Generative**: maximise the joint log-likelihood
# $$\sum_i \log P(x_i, y_i) = \sum_i \log P(x_i \mid y_i) + \sum_i \log P(y_i)$$
# The terms separate: $P(y)$ = class frequencies; each Gaussian = its class's mean and covariance,
# in closed form (our $\Sigma_y$ is that covariance shrunk, a regulariser like weight decay).

# %% slideshow={"slide_type": "subslide"}
import torch.nn.functional as F
from torch.distributions import MultivariateNormal

mu = model.dists[3].mean.clone().requires_grad_()       # the fitted mean of class 3
x3 = x[y == 3].reshape(-1, 784).double()
MultivariateNormal(mu, model.dists[3].covariance_matrix).log_prob(x3).sum().backward()
print("largest |∂ Σ log P(x_i | y=3) / ∂μ| at the class mean:", round(mu.grad.abs().max().item(), 6))

logits, labels = torch.randn(4, 10), y[:4]                # any model's output scores
nll = -torch.log_softmax(logits, dim=1)[range(4), labels].mean()
print(f"−mean log P(y|x) {nll:.4f}   F.cross_entropy {F.cross_entropy(logits, labels):.4f}")

# %% slideshow={"slide_type": "skip"}
assert mu.grad.abs().max() < 1e-6 and torch.isclose(nll, F.cross_entropy(logits, labels))
assert torch.allclose(model.log_prior.exp().float(), prior)   # MLE of P(y): class frequencies
# the mean is a maximum, not just a stationary point: moving it lowers the log-likelihood
with torch.no_grad():
    moved = MultivariateNormal(mu + 0.01, model.dists[3].covariance_matrix).log_prob(x3).sum()
    assert moved < MultivariateNormal(mu, model.dists[3].covariance_matrix).log_prob(x3).sum()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Classifying by likelihood
#
# Predict the class with the largest $\log P(x \mid y) + \log P(y)$.
# The naive-Bayes variant assumes pixels are independent given the class (diagonal $\Sigma_y$).

# %% slideshow={"slide_type": "fragment"}
naive = GaussianClassifier(shrinkage=0.1, diagonal=True).fit(x, y)
acc_gauss = (model.predict(x_test) == y_test).float().mean().item()
acc_naive = (naive.predict(x_test) == y_test).float().mean().item()
print(f"full-covariance Gaussian: {acc_gauss:.2%}   naive Bayes: {acc_naive:.2%}")

# %% slideshow={"slide_type": "skip"}
assert acc_gauss > 0.90 and acc_gauss - acc_naive > 0.10  # closed-form fits: no seed
post = model.predict_proba(x_test[:5])
manual = torch.softmax(model.log_likelihood(x_test[:5]) + prior.log().double(), dim=1)
assert torch.allclose(post.sum(1), torch.ones(5)) and torch.allclose(post, manual.float(), atol=1e-6)

# %% [markdown] slideshow={"slide_type": "notes"}
# Pixel correlations: neighbouring pixels of a stroke are on together. Naive Bayes
# ignores them; with the same shrinkage 0.1 for both, it scores more than 10 points lower
# here (asserted above; both fits are closed-form, with no seed). With each model's shrinkage
# picked on validation data the gap is still over 10 points (claim 15/gaussians, printed two
# slides on).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A generative model can *draw*
#
# Sample new images from $P(x \mid y)$: each row is a fresh draw from one class's Gaussian.
# None of these images is in the training set.

# %% slideshow={"slide_type": "-"}
samples = torch.cat([model.sample(c, 2, generator_seed=c) for c in range(10)])
samples = samples.clamp(0, 1).reshape(-1, 1, 28, 28)
fig = plotting.show_images(samples, titles=[str(c) for c in range(10) for _ in range(2)], ncols=10)
show(fig, alt="20 digits drawn by the generative model, two for each class 0 to 9: speckled, "
              "noisy images whose shapes are mostly recognisable as the digit asked for.")

# %% slideshow={"slide_type": "skip"}
agree = (model.predict(samples) == torch.arange(10).repeat_interleave(2)).float().mean()
assert agree >= 0.9, agree   # the model recognises its own samples

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How does the discriminative CNN compare?
#
# The CNN of lecture 12 learns only $P(y \mid x)$, with all its capacity spent on the
# boundaries between classes. Train it briefly (one epoch, Adam at 3·10⁻³, not tuned) and
# compare (it cannot draw anything); below, the measured comparison over 3 seeds.

# %% slideshow={"slide_type": "subslide"} tags=["nbval-ignore-output"]
cnn = models.MnistCNN().to(device)
train_batches, test_batches = data.mnist_batches("mnist", batch_size=128, device=device)
history = training.fit(cnn, train_batches, epochs=1, val=test_batches, device=device,
                       optimizer=torch.optim.Adam(cnn.parameters(), lr=3e-3))
acc_cnn = history.val_acc[-1]                # on the test set

# %% slideshow={"slide_type": "-"} tags=["nbval-ignore-output"]
print(f"this run: Gaussian (generative) {acc_gauss:.1%}   CNN (discriminative) {acc_cnn:.1%}")

# %% slideshow={"slide_type": "-"}
g = measured.load("15/gaussians")         # shrinkage picked on validation; 3 seeds
span = {k: f"{100 * min(v):.1f}" + (f"–{100 * max(v):.1f}" if max(v) > min(v) else "") + " %"
        for k, v in g["test"].items()}                    # one number when the seeds agree
print(f"measured: full Gaussian {span['full']} (shrinkage {min(g['pick']['full'])}–"
      f"{max(g['pick']['full'])}), naive Bayes {span['naive']} (shrinkage "
      f"{g['pick']['naive'][0]}), CNN {span['cnn']}")
print(measured.source("15/gaussians"))

# %% slideshow={"slide_type": "skip"}
assert acc_cnn > 0.97 and acc_cnn > acc_gauss
assert min(g["test"]["cnn"]) > max(g["test"]["full"])
assert min(g["test"]["full"]) > max(g["test"]["naive"]) + 0.10
assert set(g["pick"]["naive"]) == {1.0}        # the end of its range, on every seed

# %% [markdown] slideshow={"slide_type": "notes"}
# Naive Bayes' best shrinkage is 1, the end of its range: every pixel then has the same
# variance, and the model is close to the template matcher of exercise 3 (nearest class
# mean). "This run" is one more seed of the CNN (the lecture's), and the Gaussian at
# shrinkage 0.1. The full Gaussian's test accuracy is flat over the shrinkages picked on the three
# validation splits. The Gaussians are refitted on all 60,000 images, so the seeds vary only
# the validation split (the pick) and the CNN's initial weights and batches.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Does the CNN recognise the Gaussian's drawings?
#
# The discriminative model never saw these samples; if it labels them as the class they were
# drawn from, the generative model captured something real about each digit.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-ignore-output"]
x_norm = (samples - data.mean_std("mnist")[0]) / data.mean_std("mnist")[1]
cnn_says = training.predict(cnn, x_norm)
recognised = (cnn_says == torch.arange(10).repeat_interleave(2)).float().mean().item()
print(f"CNN agrees with the sampled class for {recognised:.0%} of the samples")

# %% slideshow={"slide_type": "skip"}
assert recognised >= 0.5


# %% [markdown] slideshow={"slide_type": "slide"}
# ## Does generative ever win? With little data (Ng & Jordan, 2002)
#
# Ng & Jordan compared **naive Bayes** with **logistic regression**: the generative model has the
# higher asymptotic error (unless its independence assumption holds), but approaches it with far
# fewer examples ($O(\log d)$ vs $O(d)$ for $d$ features), so on small training sets it can win.
#
# A fair pair: naive Bayes with shared variances has $\log P(y \mid x) = w_y^\top x + b_y$ +
# const, exactly the form of softmax regression. One fits $w$ by averaging (max $\log P(x, y)$),
# the other by minimising $-\log P(y \mid x)$. Features: 7×7 average-pooled images.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Measured: 5 draws of the training set per size
#
# Each model's knob (naive Bayes: shrinkage; softmax regression: weight decay, L-BFGS) picked
# per size and draw on 10,000 validation images, then tested once.

# %% slideshow={"slide_type": "-"}
NB, LR = "naive Bayes (generative)", "softmax regression (discriminative)"
r = measured.load("15/mnist-small-data")
acc = {name: {int(n): a for n, a in runs.items()} for name, runs in r["tuned"].items()}
fig = plot_learning_curves(acc)                # line: mean over the draws; dots: each draw
print(measured.source("15/mnist-small-data"))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What the measurement shows

# %% slideshow={"slide_type": "-"}
def leads(setting):           # softmax regression's lead in points, per size, one per draw
    return {int(n): [100 * (a - b) for a, b in zip(r[setting][LR][n], r[setting][NB][n],
                                                   strict=True)] for n in r[setting][NB]}
tuned, fixed = leads("tuned"), leads("fixed")
print("per class   softmax regression ahead by (points; min to max over the 5 draws)")
print(f"{'':>9}   {'each knob tuned':>15}   {'fixed, hardly regularised':>25}")
for n in sorted(tuned):
    print(f"{n:>9}   {min(tuned[n]):6.1f} to {max(tuned[n]):4.1f}   "
          f"{min(fixed[n]):15.1f} to {max(fixed[n]):4.1f}")

# %% slideshow={"slide_type": "skip"}
sizes, big = sorted(tuned), max(tuned)
gain = {name: [a - b for a, b in zip(runs[big], runs[100], strict=True)]
        for name, runs in acc.items()}
assert r["seeds"] == [0, 1, 2, 3, 4] and sizes == [2, 5, 10, 20, 50, 100, 500, 4000]
assert all(d > 0 for n in sizes if n >= 5 for d in tuned[n])      # tuned: ahead on every draw
assert all(d > 0 for d in tuned[2])                               # at 2: on these draws
assert any(d < 0 for d in fixed[2])                   # fixed: at 2 per class, NB on some draw
assert max(gain[NB]) < min(gain[LR])                              # NB levels off sooner
assert min(tuned[big]) > 8                                        # its asymptote is worse
assert r["fixed_knobs"] == {NB: 0.1, LR: 1e-4}

# %% [markdown] slideshow={"slide_type": "fragment"}
# - Tuned, softmax regression is ahead at every size from 5 per class on, on every draw (at 2
#   per class too, on these 5 draws only). Fixed and hardly regularised (weight decay 10⁻⁴,
#   shrinkage 0.1, our choice) naive Bayes was ahead on a draw at 2 per class.
# - Ng & Jordan predict two things. The discriminative model's lower asymptotic error holds
#   (naive Bayes over 8 points behind at 4,000 per class), and naive Bayes levels off sooner
#   (it gains less from 100 to 4,000). But the regime where naive Bayes *wins* does not appear
#   here: MNIST pixels are far from independent.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Synthetic data: when the assumption holds, and when it does not
#
# Two classes, 50 features, $x \mid y \sim \mathcal N(\mu_y, \Sigma)$, the same pair and
# settings. **Independent**: $\Sigma = I$, exactly naive Bayes' assumption, so this data set
# favours it by construction. **Correlated**: unit variances, correlation $0.8^{|i-j|}$
# between features $i$ and $j$. Both families contain the Bayes-optimal rule (linear); the means
# are scaled so that it scores $\Phi(1.7) \approx 95.5\,\%$ on both.

# %% slideshow={"slide_type": "fragment"}
syn = measured.load("15/synthetic")        # 5 seeds; each: 2 training sets per size
rows = [("independent", "fixed"), ("independent", "tuned"), ("correlated", "tuned")]
print("softmax regression minus naive Bayes, points, min to max over 5 seeds; per class:")
print(f"{'':<21}" + "".join(f"{n:>13}" for n in syn["sizes"]))
for kind, setting in rows:
    runs = syn["kinds"][kind][setting]
    d = {n: [100 * (a - b) for a, b in zip(runs[LR][str(n)], runs[NB][str(n)], strict=True)]
         for n in syn["sizes"]}
    print(f"{kind + ', ' + setting:<21}" + "".join(
        f"{min(d[n]):5.1f} to{max(d[n]):5.1f}" for n in syn["sizes"]))
print(measured.source("15/synthetic"))

# %% slideshow={"slide_type": "skip"}
syn_lead = {(k, st): {int(n): [a - b for a, b in zip(runs[st][LR][n], runs[st][NB][n],
                                                        strict=True)] for n in runs[st][NB]}
            for k, runs in syn["kinds"].items() for st in ("tuned", "fixed")}
assert all(d < 0 for n, ds in syn_lead["independent", "fixed"].items() if n >= 30 for d in ds)
assert all(d > -0.01 for n, ds in syn_lead["independent", "tuned"].items() if n >= 10
           for d in ds)
assert all(d > 0 for n, ds in syn_lead["correlated", "tuned"].items() if n >= 10 for d in ds)
assert abs(syn["bayes"] - 0.9554) < 1e-4 and syn["rho"] == 0.8 and syn["dim"] == 50

# %% [markdown] slideshow={"slide_type": "fragment"}
# - Independent features: against almost unregularised softmax regression (weight decay
#   10⁻⁴, as in Ng & Jordan's comparison), naive Bayes is ahead from 30 per class on, on every
#   seed. With each knob picked on validation data naive Bayes is never more than 1 point
#   ahead from 10 per class on: tuned regularisation closes its small-data advantage.
# - Correlated features: tuned softmax regression is ahead from 10 per class on, on every
#   seed, and naive Bayes stays far from the optimum: its assumption is wrong, as on MNIST.

# %% [markdown] slideshow={"slide_type": "notes"}
# Why tuning levels the independent case: the weight decay picked there is mostly large (10 or
# more), and a strongly penalised softmax regression turns its weights towards the difference
# of the class means, which is what naive Bayes with a common variance uses. At 5 and 10 per
# class the fixed row can favour softmax regression: naive Bayes at shrinkage 0.1 still
# estimates 50 variances from 10 to 20 points, and those noisy estimates cost it; tuned, it
# picks shrinkage 1 (one common variance) at 5 per class on every seed.

# %% slideshow={"slide_type": "skip"}
picks = syn["kinds"]["independent"]["picks"]
assert set(picks[NB]["5"]) == {1.0}
wd = sorted(p for n in picks[LR] for p in picks[LR][n])
assert wd[len(wd) // 2] >= 10                                      # the median pick

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Modern generative models, in one slide
#
# | model | learns | generates by |
# |---|---|---|
# | **Gaussian / naive Bayes** (today) | $P(x\mid y)$ in closed form | sampling the Gaussian |
# | **VAE** | encoder $q(z\mid x)$, decoder $p(x\mid z)$; maximises a lower bound on $\log p(x)$ | decoding $z \sim \mathcal N(0, I)$ |
# | **GAN** | a generator that fools a discriminator (no explicit density) | one pass of the generator |
# | **Autoregressive** (GPT, PixelCNN) | $p(x) = \prod_i p(x_i \mid x_{<i})$ | one element at a time |
# | **Diffusion** | to remove noise step by step (equivalently the score $\nabla_x \log p$) | denoising pure noise |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: the class prior
#
# Write `priors(labels)` that returns $P(y)$: for each class, the fraction of labels equal to it.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
def priors(labels):
    """labels: (N,) int64 -> (C,) float, sums to 1."""
    return torch.bincount(labels).float() / len(labels)


# %% slideshow={"slide_type": "-"}
from nbhelpers.check import generative_vs_discriminative as check
check.priors(priors)


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: Bayes' rule, in log space
#
# Write `posterior(log_lik, log_prior)`: `log_lik` is (N, C) with values like −300, so `exp`
# underflows. Return P(y | x), shape (N, C), each row summing to 1.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
def posterior(log_lik, log_prior):
    scores = log_lik + log_prior
    return torch.softmax(scores, dim=1)


# %% slideshow={"slide_type": "-"}
check.posterior(posterior)


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: a template matcher
#
# Write `nearest(x, means)`: for each row of `x` (N, D) the index of the closest class mean
# (C, D). Bonus: which Gaussian classifier is this (what $\Sigma_y$ and $P(y)$)? Measure its
# MNIST test accuracy with the class means above.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
def nearest(x, means):
    return torch.cdist(x, means).argmin(dim=1)


# %% slideshow={"slide_type": "-"}
check.nearest_mean(nearest)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Reading
#
# * Goodfellow et al., 5.7 (supervised learning) and chapter 20 (generative models)
# * Ng & Jordan (2002), On discriminative vs. generative classifiers
# * d2l.ai 22.9, *Naive Bayes* (appendix: Mathematics for Deep Learning)
