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
# # Regularisation: weight decay and dropout
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-lectures/nn-lectures/blob/main/notebooks/09_regularisation.ipynb)
#
# *Lecture 09:* a network with more weights than training examples overfits; two standard
# cures, measured on it: weight decay (the L2 penalty; in SGD, Adam and AdamW) and dropout;
# and where the other regularisers are taught.

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
import torch.nn.functional as F
from torch import nn
from nbhelpers import data, measured, models, regularisation
from nbhelpers.training import evaluate, fit, plot_history, seed_everything
from nbhelpers.display import show   # plt.show() with alt text

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Overfitting: more weights than examples
#
# An MLP 784 → 256 → 256 → 10 gets only **1,000** MNIST training images. To see how it does
# on images it has not seen, 2,000 *other* training images are held out for
# **validation** (the test set is looked at once, at the end, in the stored sweeps).

# %% slideshow={"slide_type": "fragment"}
x, y = data.load_tensors("mnist", train=True)          # (60000, 1, 28, 28), (60000,)
x_small, y_small = x[:1000], y[:1000]                   # to train on
x_val, y_val = x[50_000:52_000], y[50_000:52_000]       # held out: to compare on
val = data.TensorBatches(x_val, y_val, batch_size=2000, shuffle=False)

def small_data_mlp(p=0.0):            # p: dropout probability, used later (0: no dropout)
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Dropout(p),
                         nn.Linear(256, 256), nn.ReLU(), nn.Dropout(p), nn.Linear(256, 10))

print(f"{models.count_parameters(small_data_mlp()):,} weights and biases,",
      f"{len(x_small):,} training images")

# %% slideshow={"slide_type": "skip"}
assert models.count_parameters(small_data_mlp()) == 785 * 256 + 257 * 256 + 257 * 10 == 269_322
assert x_small.shape == (1000, 1, 28, 28) and len(x_val) == 2000
assert torch.bincount(y_small, minlength=10).min() >= 80      # every digit is there

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Training it: 30 epochs of SGD with momentum

# %% slideshow={"slide_type": "-"}
def train(p=0.0, weight_decay=0.0, epochs=30):
    seed_everything(0)                                  # the same start for every run
    model = small_data_mlp(p)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9,
                                weight_decay=weight_decay)
    batches = data.TensorBatches(x_small, y_small, batch_size=100, seed=0)
    history = fit(model, batches, epochs=epochs, optimizer=optimizer, val=val,
                  progress=False)
    return model, history

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Its curves

# %% slideshow={"slide_type": "-"}
model, history = train()
fig = plot_history(history)
show(fig, alt="Loss (left) and accuracy (right) per epoch over 30 epochs, training solid, "
              "validation dashed: the training loss falls to almost 0 and its accuracy reaches "
              "100%; the validation loss is lowest after a few epochs, then rises again, and "
              "the validation accuracy levels off below 90%.")

# %% slideshow={"slide_type": "skip"}
# Thresholds set over 5 seeds, 1 and 2 threads and the portable path: see the lecture's report.
best = 1 + min(range(30), key=history.val_loss.__getitem__)
assert history.train_loss[-1] < 0.005 and history.train_acc[-1] == 1.0
assert 3 <= best <= 12 and history.val_loss[-1] > 1.1 * min(history.val_loss)
assert 0.85 < history.val_acc[-1] < 0.9 and max(history.val_acc) - history.val_acc[-1] < 0.01


def mistakes_loss(model):
    """Mean cross-entropy over the validation images that model gets wrong."""
    with torch.no_grad():
        logits = model.eval()(x_val)
    wrong = logits.argmax(1) != y_val
    return F.cross_entropy(logits[wrong], y_val[wrong]).item()


at_best = train(epochs=best)[0]                  # the same run, stopped at its best epoch
assert 2.5 < mistakes_loss(at_best) < 3.5 and 4.4 < mistakes_loss(model) < 5.1

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What the curves show
#
# The training loss goes to almost 0: the network memorises its 1,000 images. The
# validation loss is lowest after a few epochs and then *rises*, while the validation
# accuracy stays flat, below 90 %: the network grows more and more confident in its
# mistakes (their mean loss, checked in a hidden cell: about 3 at the best epoch, 4.5 to 5
# at epoch 30).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Regularisation
#
# > "any modification we make to a learning algorithm that is intended to reduce its
# > generalization error but not its training error" (Goodfellow et al., *Deep Learning*,
# > ch. 7)
#
# * **weight decay**: prefer small weights, with a penalty on $\lVert w\rVert^2$;
# * **dropout**: train with noise, so that no unit can rely on any other being there;
# * more data and data augmentation, early stopping: lecture 13.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Weight decay and the L2 penalty
#
# Minimise $L(w) + \frac{\lambda}{2}\lVert w\rVert^2$ with $\lVert w\rVert^2 = \sum_i w_i^2$
# (Krogh & Hertz, 1992). The penalty's gradient is $\lambda w$, so every gradient step also
# pulls each weight towards 0, in proportion to its size:
#
# $$\nabla\Big(L + \frac{\lambda}{2}\lVert w\rVert^2\Big) = \nabla L + \lambda w$$

# %% slideshow={"slide_type": "fragment"}
lam = 0.1
w = torch.randn(5, requires_grad=True)
penalty = lam / 2 * (w ** 2).sum()
penalty.backward()                                  # autograd's gradient of the penalty
print("gradient of the penalty:", w.grad)
print("λ·w:                    ", lam * w.detach())

# %% slideshow={"slide_type": "skip"}
assert torch.allclose(w.grad, lam * w.detach(), rtol=1e-6, atol=0)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### SGD's `weight_decay=λ` is exactly this gradient
#
# `torch.optim.SGD(..., weight_decay=λ)` adds $\lambda w$ to the gradient $g$ before the step:
# $\;w \leftarrow w - \eta\,(g + \lambda w) = (1 - \eta\lambda)\,w - \eta\, g$.
# For plain SGD each step shrinks the weights by the factor $1 - \eta\lambda$ ("decay"): here
# L2 penalty and weight decay are the same thing. With momentum, $\lambda w$ goes into the
# velocity with $g$: still exactly the L2 penalty, but no longer a clean shrink per step.

# %% slideshow={"slide_type": "fragment"}
def sgd_step(w, g, *, lr, weight_decay):
    return w - lr * (g + weight_decay * w)

w0, g = torch.randn(5), torch.randn(5)
w = w0.clone().requires_grad_()
optimizer = torch.optim.SGD([w], lr=0.1, weight_decay=0.01)
w.grad = g.clone()                                  # as if backward() had computed g
optimizer.step()
print("torch:", w.detach())
print("ours: ", sgd_step(w0, g, lr=0.1, weight_decay=0.01))

# %% slideshow={"slide_type": "skip"}
# 20 steps: plain SGD, SGD with momentum (torch: v <- mu v + (g + lam w), w <- w - lr v),
# and weight decay = the penalty added to the loss, on the small-data MLP itself
w_torch = w0.clone().requires_grad_()
plain = torch.optim.SGD([w_torch], lr=0.1, weight_decay=0.01)
w_mom = w0.clone().requires_grad_()
heavy = torch.optim.SGD([w_mom], lr=0.1, momentum=0.9, weight_decay=0.01)
ours, ours_mom, v = w0.clone(), w0.clone(), torch.zeros(5)
for g_t in torch.randn(20, 5):
    w_torch.grad, w_mom.grad = g_t.clone(), g_t.clone()
    plain.step(); heavy.step()
    ours = sgd_step(ours, g_t, lr=0.1, weight_decay=0.01)
    v = 0.9 * v + (g_t + 0.01 * ours_mom); ours_mom = ours_mom - 0.1 * v
assert torch.allclose(w_torch.detach(), ours, atol=1e-6)
assert torch.allclose(w_mom.detach(), ours_mom, atol=1e-6)
assert torch.allclose(sgd_step(w0, torch.zeros(5), lr=0.1, weight_decay=0.01),
                      (1 - 0.1 * 0.01) * w0, rtol=1e-6)
net_a, net_b = small_data_mlp(), small_data_mlp()
net_b.load_state_dict(net_a.state_dict())
opt_a = torch.optim.SGD(net_a.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-2)
opt_b = torch.optim.SGD(net_b.parameters(), lr=0.05, momentum=0.9)
for i in range(0, 300, 100):
    xb, yb = x_small[i:i + 100], y_small[i:i + 100]
    opt_a.zero_grad(); F.cross_entropy(net_a(xb), yb).backward(); opt_a.step()
    l2 = sum((q ** 2).sum() for q in net_b.parameters())
    opt_b.zero_grad(); (F.cross_entropy(net_b(xb), yb) + 1e-2 / 2 * l2).backward(); opt_b.step()
assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(net_a.parameters(), net_b.parameters()))

# %% [markdown] slideshow={"slide_type": "notes"}
# A hidden cell checks more: 20 steps against torch, with momentum too (torch adds
# λw to the gradient *before* the momentum buffer: v ← μv + g + λw, w ← w − ηv), and that
# adding (λ/2)‖w‖² to the loss of the MLP gives the same weights as `weight_decay=λ`.
# Loshchilov & Hutter (2019) call "weight decay" the shrink w ← (1 − λ')w itself; it equals
# L2 (with λ' = ηλ) for plain SGD only, not with momentum and not with Adam.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### How strong? λ from 0.001 to 0.1, on three seeds
#
# Stored sweep: λ a factor √10 apart, the same lr 0.05 and 30 epochs; each seed its own
# initial weights, batch order. The range over the seeds of the weight norm and of the
# final validation loss and accuracy (λ = 0: no weight decay):

# %% slideshow={"slide_type": "fragment"}
wd = measured.load("09/weight-decay")
print(measured.source("09/weight-decay"))
rows = {"0": (wd["plain_weight_norm"], wd["plain_val_loss"]["0.05"], wd["plain_val_acc"]["0.05"])}
rows.update({lam: (wd["decay_weight_norm"][lam], wd["decay_val_loss"][lam],
                   wd["decay_val_acc"][lam]) for lam in wd["decay_val_loss"]})
print("     λ   weight norm      val loss          val acc")
for lam, (n, loss, acc) in rows.items():
    print(f"{float(lam):6g}   {min(n):4.1f} to {max(n):4.1f}   {min(loss):.3f} to {max(loss):.3f}"
          f"   {min(acc):.1%} to {max(acc):.1%}")

# %% slideshow={"slide_type": "skip"}
lams = list(rows)                                       # "0", "0.001", ..., "0.1"
for i in range(3):                                      # more λ, smaller weights: every seed
    norms = [rows[lam][0][i] for lam in lams]
    assert norms == sorted(norms, reverse=True)
assert wd["best_lambda"] == 0.01 and wd["best_lambda_interior"]
val_loss = {lam: rows[lam][1] for lam in lams}
for i in range(3):                      # 0.01 beats its neighbours and λ = 0 on every seed
    assert all(val_loss["0.01"][i] < val_loss[lam][i] for lam in lams if lam != "0.01")
assert max(val_loss["0.01"]) < 0.75 * min(val_loss["0"])

# %% [markdown] slideshow={"slide_type": "fragment"}
# More λ, smaller weights. The final validation loss is lowest at λ = 0.01, on every seed;
# 0.003 and 0.03 are both worse, so the grid brackets it. λ is a hyperparameter, chosen on
# the validation set: here 0.01.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Epoch by epoch: λ = 0, 0.01 and 0.1 (loss on a log scale)

# %% slideshow={"slide_type": "-"}
trained = {lam: train(weight_decay=lam) for lam in (1e-2, 1e-1)}
trained[0.0] = (model, history)                         # the run above
fig = regularisation.compare_runs(
    {f"λ = {lam:g}": trained[lam][1] for lam in (0.0, 1e-2, 1e-1)})
show(fig, alt="Training and validation loss per epoch: larger λ keeps the training loss higher; "
              "λ = 0 turns round on validation, λ = 0.01 does not, λ = 0.1 underfits.")

# %% slideshow={"slide_type": "skip"}
h0, h2, h1 = trained[0.0][1], trained[1e-2][1], trained[1e-1][1]
norm = {lam: regularisation.weight_norm(m) for lam, (m, h) in trained.items()}
assert h2.val_loss[-1] - min(h2.val_loss) < 0.05                # no longer turns round
assert norm[1e-2] < 0.5 * norm[0.0] and h1.train_loss[-1] > 0.3
assert mistakes_loss(trained[1e-2][0]) < mistakes_loss(model) - 1.0

# %% [markdown] slideshow={"slide_type": "fragment"}
# With λ = 0.01 the validation loss no longer turns round, and the weights end at less than
# half the norm; at λ = 0.1 the network *underfits*: even its training loss stays high.
# The penalty mostly stops the network from becoming overconfident: the mean loss on its
# mistakes ends well below the unregularised network's (a hidden cell checks it).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Against no regulariser at its own best learning rate
#
# A smaller learning rate also keeps the validation loss down: in 30 epochs the network
# trains less (a kind of early stopping). So the sweep also tuned the unregularised
# network's rate (0.0016 to 0.1, factor 2, on validation loss). The test set, once:

# %% slideshow={"slide_type": "fragment"}
print(f"{'':27s}  test loss (3 seeds)   test accuracy")
for name, loss in wd["test_loss"].items():
    acc = wd["test_acc"][name]
    print(f"{name:27s}  {min(loss):.3f} to {max(loss):.3f}      {min(acc):.1%} to {max(acc):.1%}")

# %% slideshow={"slide_type": "skip"}
test_loss, test_acc = wd["test_loss"], wd["test_acc"]
assert wd["best_lr"] == 0.00625 and wd["best_lr_interior"]
decay, tuned, same = "weight decay 0.01, lr 0.05", "none, lr 0.00625", "none, lr 0.05"
for i in range(3):                                      # on every seed
    assert test_loss[decay][i] < min(test_loss[tuned][i], test_loss[same][i]) - 0.05
    assert test_acc[decay][i] > max(test_acc[tuned][i], test_acc[same][i])
gain = [d - n for d, n in zip(test_acc[decay], test_acc[same])]
assert f"{min(test_loss[tuned]):.2f} {max(test_loss[tuned]):.2f}" == "0.43 0.44"
assert f"{min(test_loss[decay]):.2f} {max(test_loss[decay]):.2f}" == "0.36 0.37"
assert f"{min(gain):.1%} {max(gain):.1%}" == "0.2% 0.8%"

# %% [markdown] slideshow={"slide_type": "fragment"}
# The unregularised network's best rate is 0.00625: a smaller rate does lower its test loss
# (to 0.43–0.44), but weight decay's stays lower on every seed (0.36–0.37). Its test
# accuracy is higher too, but only by 0.2 to 0.8 points over the same network at lr 0.05:
# weight decay mostly fixed the loss (the overconfidence), not the accuracy.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Adam: L2 in the gradient, or decoupled (AdamW)
#
# Adam divides each weight's step by a running RMS of its gradients (lecture 07).
# `Adam(weight_decay=λ)` adds $\lambda w$ to the gradient *before* that division, so the pull
# towards 0 is rescaled per weight too. Loshchilov & Hutter (2019) *decouple* it: `AdamW`
# shrinks the weights directly, $w \leftarrow w - \eta\lambda w$, then takes the Adam step.
# PyTorch scales this decay by the learning rate $\eta$ (the paper only by the schedule's
# multiplier); `AdamW`'s default is $\lambda = 0.01$, `Adam`'s is 0.

# %% slideshow={"slide_type": "fragment"}
def adam_step(w, g, m, v, t, *, lr, weight_decay, decoupled, b1=0.9, b2=0.999, eps=1e-8):
    if decoupled:
        w = w - lr * weight_decay * w          # AdamW: decay the weight itself
    else:
        g = g + weight_decay * w               # Adam: L2 gradient, rescaled below
    m = b1 * m + (1 - b1) * g                  # running mean of the gradients
    v = b2 * v + (1 - b2) * g ** 2             # running mean of their squares
    m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)     # bias correction, t = 1, 2, ...
    return w - lr * m_hat / (v_hat.sqrt() + eps), m, v

# %% slideshow={"slide_type": "skip"}
grads = torch.randn(20, 5)
for optimizer_class, decoupled in [(torch.optim.Adam, False), (torch.optim.AdamW, True)]:
    w = w0.clone().requires_grad_()
    optimizer = optimizer_class([w], lr=0.01, weight_decay=0.1)
    ours, m, v = w0.clone(), torch.zeros(5), torch.zeros(5)
    for t, g_t in enumerate(grads, start=1):
        w.grad = g_t.clone(); optimizer.step()
        ours, m, v = adam_step(ours, g_t, m, v, t, lr=0.01, weight_decay=0.1,
                               decoupled=decoupled)
    assert torch.allclose(w.detach(), ours, atol=1e-6), optimizer_class
assert torch.optim.AdamW([w]).defaults["weight_decay"] == 0.01
assert torch.optim.Adam([w]).defaults["weight_decay"] == 0

# %% [markdown] slideshow={"slide_type": "fragment"}
# A hidden cell runs both variants for 20 steps next to `torch.optim.Adam` and
# `torch.optim.AdamW`: the same weights, to float precision.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Measured: how much does weight decay shrink each weight?
#
# Three weights start at 1 and get 100 random gradients of different sizes (standard
# deviation 0.1, 1 and 10); lr $\eta = 10^{-3}$, $\lambda = 0.01$. A decay of $\eta\lambda w$
# per step would take off about $100\,\eta\lambda = 10^{-3}$. The shrink, in units of $10^{-3}$:

# %% slideshow={"slide_type": "fragment"}
gradients = torch.randn(100, 3, generator=torch.Generator().manual_seed(0))
gradients = gradients * torch.tensor([0.1, 1.0, 10.0])     # (steps, weights)
def after_100_steps(optimizer_class, weight_decay):
    w = torch.ones(3, requires_grad=True)
    optimizer = optimizer_class([w], lr=1e-3, weight_decay=weight_decay)
    for g_t in gradients:
        w.grad = g_t.clone()
        optimizer.step()
    return w.detach()

for optimizer_class in (torch.optim.Adam, torch.optim.AdamW):
    shrink = (after_100_steps(optimizer_class, 0.0) - after_100_steps(optimizer_class, 0.01))
    print(f"{optimizer_class.__name__:9s}", "".join(f"{s:6.1f}" for s in shrink / 1e-3))
rms = gradients.pow(2).mean(dim=0).sqrt()                  # each weight's gradient RMS
print("predicted", "".join(f"{s:6.1f}" for s in 100 * 1e-3 * 0.01 / rms / 1e-3))

# %% slideshow={"slide_type": "skip"}
adam_l2 = (after_100_steps(torch.optim.Adam, 0.0) - after_100_steps(torch.optim.Adam, 0.01))
adamw = (after_100_steps(torch.optim.AdamW, 0.0) - after_100_steps(torch.optim.AdamW, 0.01))
assert torch.allclose(adamw / 1e-3, torch.ones(3), atol=0.03)
assert torch.allclose(adam_l2 / (100 * 1e-3 * 0.01 / rms), torch.ones(3), atol=0.2)

# %% [markdown] slideshow={"slide_type": "fragment"}
# Adam's L2 term $\lambda w$ is divided by each weight's gradient RMS: the shrink is about
# $100\,\eta\lambda w/\mathrm{RMS}(g)$ ("predicted"): 10× the decay for gradients of size
# 0.1, 1× for 1, 0.1× for 10, so weights with large gradients are hardly regularised.
# AdamW decays every weight by the same $\eta\lambda w$, whatever its gradients: that is
# the decay Loshchilov & Hutter recommend with Adam (their experiments; this lecture
# measures only the shrink).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Dropout (Hinton et al., 2012; Srivastava et al., 2014)
#
# In training, set each unit's output to 0 with probability $p$, independently for every
# example and every step, and scale the survivors by $\frac{1}{1-p}$ (**inverted dropout**):
#
# $$y = \frac{m \odot x}{1 - p}, \qquad m_i \sim \text{Bernoulli}(1 - p), \qquad
#   \mathbb{E}[y_i] = x_i$$
#
# In evaluation, $y = x$: nothing to rescale.

# %% slideshow={"slide_type": "fragment"}
torch.manual_seed(0)
drop = nn.Dropout(p=0.5)                 # no weights; what it does depends on the mode
x_demo = torch.arange(1.0, 9.0)
print("train:", drop.train()(x_demo))
print("eval: ", drop.eval()(x_demo))

# %% slideshow={"slide_type": "skip"}
torch.manual_seed(0)
out = nn.Dropout(p=0.5).train()(x_demo)
assert set(out[out != 0].div(x_demo[out != 0]).tolist()) == {2.0} and (out == 0).any()
assert torch.equal(drop.eval()(x_demo), x_demo)

# %% [markdown] slideshow={"slide_type": "notes"}
# The paper's p is the probability of *keeping* a unit (0.5 for hidden units, 0.8
# for inputs) and it scales the weights by p at test time instead; PyTorch's p is the
# probability of *dropping*, and it scales in training. The expected values are the same.
# The paper's argument for why it can help: a unit cannot rely on particular other units
# being there (no "co-adaptation"), and each training example, at each step, trains one of
# the 2^n "thinned" networks (n droppable units) that share the weights. Whether it helps here
# is measured below (claim 09/dropout).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Checked on a million numbers

# %% slideshow={"slide_type": "-"}
p, xs = 0.3, torch.rand(1_000_000) + 0.5    # inputs in [0.5, 1.5): none is 0
y_drop = F.dropout(xs, p=p, training=True)
kept = y_drop != 0                                   # the mask, read off the output
scale = y_drop[kept] / xs[kept]
print(f"fraction set to 0: {1 - kept.float().mean():.3f}   (p = {p})")
print(f"survivors multiplied by {scale.min():.4f} to {scale.max():.4f}",
      f"  (1/(1 - p) = {1 / (1 - p):.4f})")
draws = torch.stack([F.dropout(xs[:1000], p=p) for _ in range(10_000)])
ratio = draws.mean(dim=0) / xs[:1000]                # (1000,): should all be about 1
print(f"mean of 10,000 draws / input: {ratio.min():.2f} to {ratio.max():.2f},",
      f"on average {ratio.mean():.3f}")
print("eval mode is the identity:", torch.equal(F.dropout(xs, p=p, training=False), xs))

# %% slideshow={"slide_type": "skip"}
n = xs.numel()
assert abs((1 - kept.float().mean()) - p) < 5 * math.sqrt(p * (1 - p) / n)
assert torch.allclose(y_drop[kept], xs[kept] / (1 - p), rtol=1e-6, atol=0)
sem = math.sqrt(p / (1 - p) / 10_000)                   # std of the mean of ratio draws
assert abs(ratio.mean() - 1) < 5 * sem / math.sqrt(1000) and (ratio - 1).abs().max() < 6 * sem
assert torch.equal(nn.Dropout(p).eval()(xs), xs)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Dropout on the small-data MLP
#
# The same network with dropout $p = 0.5$ after each hidden layer (the paper's rate for
# hidden units), without and with weight decay; the same seed as above, training loss
# measured in eval mode:

# %% slideshow={"slide_type": "fragment"} tags=["nbval-ignore-output"]
compared = {"no regulariser": trained[0.0], "weight decay 0.01": trained[1e-2],
            "dropout 0.5": train(p=0.5), "both": train(p=0.5, weight_decay=1e-2)}
small = data.TensorBatches(x_small, y_small, batch_size=1000, shuffle=False)
print(f"{'':17s}  weights  train loss  val loss  val acc")
for name, (m, h) in compared.items():
    print(f"{name:17s} {regularisation.weight_norm(m):8.1f} {evaluate(m, small).loss:11.3f}"
          f" {h.val_loss[-1]:9.3f} {h.val_acc[-1]:8.1%}")

# %% slideshow={"slide_type": "skip"}
# Thresholds set over 5 seeds, 1 and 2 threads and the portable path: see the lecture's report.
hist = {name: h for name, (m, h) in compared.items()}
wnorm = {name: regularisation.weight_norm(m) for name, (m, h) in compared.items()}
fitted = {name: evaluate(m, small).loss for name, (m, h) in compared.items()}
assert hist["dropout 0.5"].val_acc[-1] > hist["no regulariser"].val_acc[-1] + 0.005
assert hist["dropout 0.5"].val_loss[-1] > 1.03 * min(hist["dropout 0.5"].val_loss)
assert hist["dropout 0.5"].val_loss[-1] > hist["weight decay 0.01"].val_loss[-1]
assert fitted["dropout 0.5"] < 0.01 and fitted["no regulariser"] < 0.01
assert wnorm["dropout 0.5"] > wnorm["no regulariser"] > 1.5 * wnorm["both"]
assert abs(hist["both"].val_loss[-1] - hist["weight decay 0.01"].val_loss[-1]) < 0.05

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Epoch by epoch (from epoch 3, loss on a log scale)

# %% slideshow={"slide_type": "-"}
hist = {name: h for name, (m, h) in compared.items()}      # the histories of the runs above
fig = regularisation.compare_runs(hist, metrics=("val_loss", "val_acc"), from_epoch=3)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Dropout on three seeds, each arm tuned
#
# Stored sweep: p from 0.1 to 0.7 at lr 0.05, picked on validation accuracy; then the
# learning rate (0.025 to 0.2, factor 2) of the network without and with that dropout, each
# picked on validation accuracy. Test accuracy, once, at the end:

# %% slideshow={"slide_type": "fragment"}
dr = measured.load("09/dropout")
print(measured.source("09/dropout"))
acc = dr["test_acc"]
for name in ("none, lr 0.05", "none, lr 0.1", "dropout 0.5, lr 0.05"):
    print(f"{name:21s} test accuracy, seeds 0, 1, 2: {', '.join(f'{a:.2%}' for a in acc[name])}")
for base in ("none, lr 0.05", "none, lr 0.1"):
    gain = [d - n for d, n in zip(acc["dropout 0.5, lr 0.05"], acc[base])]
    print(f"dropout − ({base}): {', '.join(f'{100 * g:+.2f}' for g in gain)} points")

# %% slideshow={"slide_type": "skip"}
assert dr["best_p"] == 0.5 and dr["best_lr_dropout"] == 0.05 and dr["best_lr_plain"] == 0.1
assert dr["best_p_interior"] and dr["best_lr_dropout_interior"] and dr["best_lr_plain_interior"]
same = [d - n for d, n in zip(acc["dropout 0.5, lr 0.05"], acc["none, lr 0.05"])]
tuned = [d - n for d, n in zip(acc["dropout 0.5, lr 0.05"], acc["none, lr 0.1"])]
assert min(same) > 0.003 and min(tuned) < 0 < max(tuned) and max(map(abs, tuned)) < 0.005

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What the numbers say
#
# * Dropout raised the validation accuracy on this seed, but its validation loss still rises
#   after its minimum: it slows overfitting, it does not stop it. In eval mode it fits the
#   1,000 training images as closely as the plain network does.
# * Dropout made the weights *larger*: it does not work by keeping the weights small.
# * Weight decay kept the loss down; both together: about the loss of weight decay alone.
# * Three seeds, each arm at its own learning rate: dropout's gain in test accuracy over
#   the network at the same rate (0.4 to 0.6 points) is gone against the network at its
#   own best rate, 0.1 (−0.07 to +0.35): here dropout gives no consistent gain.
# * Dropout also costs time: Srivastava et al. report 2–3× longer training.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### `model.train()` and `model.eval()` matter
#
# In training mode every forward pass drops a fresh random half (on average) of the hidden
# units, independently for every image.

# %% slideshow={"slide_type": "fragment"} tags=["nbval-ignore-output"]
net = compared["dropout 0.5"][0]
with torch.no_grad():
    net.train()                                      # dropout on
    passes = [(net(x_val).argmax(1) == y_val).float().mean().item() for _ in range(3)]
    mean_probs = torch.stack([net(x_val).softmax(1) for _ in range(20)]).mean(0)
    net.eval()                                       # dropout off: the whole network
    whole = (net(x_val).argmax(1) == y_val).float().mean().item()
print("train mode, three passes:", ", ".join(f"{a:.1%}" for a in passes))
print(f"average of 20 train-mode passes: {(mean_probs.argmax(1) == y_val).float().mean():.1%}")
print(f"eval mode: {whole:.1%}")

# %% slideshow={"slide_type": "skip"}
ensemble = (mean_probs.argmax(1) == y_val).float().mean().item()
assert len(set(passes)) > 1 and max(passes) < whole
assert abs(ensemble - whole) < 0.02 and abs(whole - compared["dropout 0.5"][1].val_acc[-1]) < 1e-6

# %% [markdown] slideshow={"slide_type": "fragment"}
# Forgetting `model.eval()` scores one random thinned network at a time. The whole network
# in eval mode scores about as well as the average of many thinned ones: that is what the
# 1/(1 − p) scaling buys.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Other regularisers, and where they are taught
#
# * **Early stopping**: keep the weights of the epoch with the lowest validation loss
#   (lecture 13). For a quadratic loss it acts like L2 (Goodfellow et al., §7.8).
# * **Data augmentation**: shifted, rotated, zoomed training images (lecture 13).
# * **Batch norm**: each example is normalised with the statistics of its random batch,
#   a little noise with a mild regularising effect (lecture 08).
# * **Label smoothing**: `nn.CrossEntropyLoss(label_smoothing=0.1)` trains towards
#   probabilities 0.91 and 0.01 (10 classes) instead of 1 and 0.
# * **L1 penalty** $\lambda\sum_i |w_i|$: its gradient $\lambda\,\mathrm{sign}(w)$ does not
#   shrink with the weight, so its minimum has many weights at exactly 0 (§7.1.2).

# %% slideshow={"slide_type": "skip"}
logits, labels = torch.randn(6, 10), torch.randint(0, 10, (6,))
soft = F.one_hot(labels, 10) * 0.9 + 0.1 / 10                 # 0.91 and 0.01
assert torch.allclose(soft.max(1).values, torch.tensor(0.91))
assert torch.allclose(soft.min(), torch.tensor(0.01))
assert torch.isclose(F.cross_entropy(logits, labels, label_smoothing=0.1),
                     F.cross_entropy(logits, soft))
w_l1 = torch.tensor([-2.0, -0.1, 0.3, 5.0], requires_grad=True)
(0.5 * w_l1.abs().sum()).backward()
assert torch.equal(w_l1.grad, 0.5 * torch.sign(w_l1.detach()))
# minimum of (w - a)²/2 + λ|w| on a grid: soft thresholding, small a become exactly 0 (L2: a/(1+λ))
a, grid = w_l1.detach(), torch.linspace(-6, 6, 120_001, dtype=torch.float64)
w_star = grid[((grid[:, None] - a) ** 2 / 2 + 0.5 * grid[:, None].abs()).argmin(0)]
assert torch.allclose(w_star.float(), torch.tensor([-1.5, 0.0, 0.0, 4.5]), atol=1e-3)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# * Too many weights for too little data: the training loss → 0, the validation loss rises.
# * Weight decay adds $\frac{\lambda}{2}\lVert w\rVert^2$ to the loss, $\lambda w$ to the
#   gradient: SGD's `weight_decay=λ` (with or without momentum). With Adam, L2 is not
#   weight decay: `AdamW` shrinks every $w$ by $\eta\lambda w$ per step.
# * λ is chosen on the validation set: too small overfits, too large underfits.
# * Dropout zeroes units with probability $p$ and scales the rest by $\frac{1}{1-p}$ in
#   training; in eval mode it does nothing. Call `model.train()` / `model.eval()`.
# * Measure, each arm tuned: here weight decay lowered the loss on every seed; dropout's
#   accuracy gain did not survive tuning the unregularised network's learning rate.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Write your answer in the cell under each exercise, run it, then run the check below it.

# %% slideshow={"slide_type": "-"}
from nbhelpers.check import regularisation as check


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: the L2 penalty of a model
#
# Write `l2_penalty(model, weight_decay)`: $\frac{\lambda}{2}\sum w^2$ over **all**
# parameters of `model` (biases too: SGD decays every parameter it is given), as a tensor
# autograd can differentiate. Added to the loss, it must give plain SGD the same step as
# `SGD(..., weight_decay=λ)`.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
def l2_penalty(model, weight_decay):
    return weight_decay / 2 * sum((p ** 2).sum() for p in model.parameters())


# %% slideshow={"slide_type": "-"}
check.l2_penalty(l2_penalty)


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: dropout by hand
#
# Write `dropout(x, p, training)`: inverted dropout of a tensor `x` of any shape. In
# training, each element independently becomes 0 with probability `p` or is divided by
# `1 - p`; otherwise `x` comes back unchanged. Use `torch.rand_like`, not `F.dropout`.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
def dropout(x, p, training):
    if not training or p == 0:
        return x
    keep = torch.rand_like(x) >= p
    return x * keep / (1 - p)


# %% slideshow={"slide_type": "-"}
check.dropout(dropout)


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: decay the weights, not the biases
#
# Goodfellow et al. (§7.1) penalise the weights only: biases need little data to fit, and
# decaying them can cause underfitting. Write `param_groups(model, weight_decay)`: a list
# of two dicts for an optimizer, `{"params": [...], "weight_decay": ...}`: the weight
# matrices and kernels (2 or more dimensions) with `weight_decay`, all other parameters
# (biases, batch norm's γ and β) with 0.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
def param_groups(model, weight_decay):
    params = list(model.parameters())
    return [{"params": [p for p in params if p.ndim >= 2], "weight_decay": weight_decay},
            {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0}]


# %% slideshow={"slide_type": "-"}
check.param_groups(param_groups)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Reading
#
# * Goodfellow et al., 7.1–7.12 (regularisation)
# * Nielsen, chapter 3 (overfitting and regularisation)
# * d2l.ai 3.7, *Weight Decay*; 5.6, *Dropout*
# * Srivastava et al. (2014), Dropout, *JMLR* 15
