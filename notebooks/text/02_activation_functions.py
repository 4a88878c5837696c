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
# # Activation functions
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-lectures/nn-lectures/blob/main/notebooks/02_activation_functions.ipynb)
#
# *Lecture 02:* step, logistic, tanh, ReLU and friends; their derivatives; saturation and
# vanishing gradients; ReLU's kink; which activation goes on the output.

# %% slideshow={"slide_type": "skip"}
# Setup: install nbhelpers on Colab only, seed everything, pick the device.
import sys
if "google.colab" in sys.modules:
    # %pip install -q "nbhelpers @ git+https://github.com/nn-lectures/nn-lectures"
import nbhelpers
device = nbhelpers.setup(seed=0)

# %% slideshow={"slide_type": "skip"}
import torch
from torch import nn
from nbhelpers.widgets import activations as demo
from nbhelpers.plotting import plot_functions
from nbhelpers.display import show   # plt.show() with alt text

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Why a non-linear activation?
#
# Without $\varphi$, two layers collapse into one:
# $W_2(W_1\mathbf{x} + \mathbf{b}_1) + \mathbf{b}_2 = (W_2W_1)\mathbf{x} + (W_2\mathbf{b}_1 + \mathbf{b}_2)$,
# again a single linear layer (one matrix and one bias). However deep, a network without
# activations computes an affine map; the activation bends it, and only then can more layers
# compute what one cannot.

# %% slideshow={"slide_type": "-"}
lin1, lin2 = nn.Linear(3, 4), nn.Linear(4, 2)
x = torch.randn(10, 3)
W, b = lin2.weight @ lin1.weight, lin2.weight @ lin1.bias + lin2.bias   # one layer
print("two layers = one layer:", torch.allclose(lin2(lin1(x)), x @ W.T + b, atol=1e-6))

# %% slideshow={"slide_type": "skip"}
assert torch.allclose(lin2(lin1(x)), x @ W.T + b, atol=1e-6)
assert not torch.allclose(lin2(torch.relu(lin1(x))), x @ W.T + b, atol=1e-3)   # φ breaks it

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The step (threshold) function
#
# $$H(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}$$
#
# The perceptron's activation. Its slope is 0 everywhere except at 0, where it jumps:
# a small change of a weight changes the output by 0 or by 1. Gradient descent
# (lecture 05) needs slopes, and for `torch.heaviside` torch does not even define one:

# %% slideshow={"slide_type": "-"}
z = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
try:
    torch.heaviside(z, torch.tensor(0.0)).sum().backward()
except RuntimeError as err:
    message = str(err)
print(message.splitlines()[0])

# %% slideshow={"slide_type": "skip"}
assert "not implemented" in message and z.grad is None

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The logistic function $\sigma(\beta x)$
#
# $$\sigma(\beta x) = \frac{1}{1 + e^{-\beta x}} \in (0, 1), \qquad \sigma(0) = \tfrac12$$
#
# A smooth step. The larger $\beta$, the steeper: for $|x| \ge \delta$ the gap to the step
# is at most $\sigma(-\beta\delta)$, which shrinks to 0 as $\beta$ grows
# (at $x = 0$ it stays $\frac12$ for every $\beta$).

# %% slideshow={"slide_type": "fragment"}
x = torch.linspace(-5, 5, 2001, dtype=torch.float64)
step, far = (x > 0).double(), x.abs() >= 0.5 - 1e-9     # the grid holds ±0.5 (to rounding)
gaps = {}
for beta in [1, 2, 5, 10, 50]:
    sig = 1 / (1 + torch.exp(-beta * x))
    gaps[beta] = (sig - step)[far].abs().max()
    print(f"beta = {beta:2d}: max gap for |x| >= 0.5 is {gaps[beta]:.2e}")

# %% slideshow={"slide_type": "skip"}
from nbhelpers import activations, data

for beta, gap in gaps.items():
    assert torch.allclose(1 / (1 + torch.exp(-beta * x)), torch.sigmoid(beta * x))
    assert torch.isclose(gap, torch.sigmoid(torch.tensor(-beta * 0.5, dtype=torch.float64)))
    assert abs(activations.gap_to_step(beta) - gap) < 1e-12
gaps = [activations.gap_to_step(beta) for beta in [0.5, 1, 2, 5, 10, 50]]
assert all(a > b for a, b in zip(gaps, gaps[1:]))       # the gap shrinks as beta grows
assert torch.sigmoid(torch.tensor(0.0)) == 0.5          # but sigma(0) = 1/2, always
assert activations.gap_to_step(10) < 0.007              # the speaker notes' number below

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### σ(βx) for a few β

# %% slideshow={"slide_type": "-"}
fig = demo.sigmoid_betas_figure([0.5, 1, 2, 5, 20])

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Try it: drag β

# %% slideshow={"slide_type": "-"} tags=["widget"]
demo.sigmoid_beta_widget(beta=1.0)

# %% [markdown] slideshow={"slide_type": "notes"}
# Drag beta from 0.1 to 100 (the slider is logarithmic). Around beta = 10 the curve
#     is already within 0.007 of the step outside the grey band; at x = 0 it stays at 1/2.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## tanh: a zero-centred logistic
#
# $$\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2\sigma(2x) - 1 \in (-1, 1)$$
#
# The lecture notes' example, `nn.Linear(4, 5)` then `nn.Tanh()`, computed again (inputs
# in $[0, 10)$, so most pre-activations are large and tanh is close to $\pm 1$):

# %% slideshow={"slide_type": "-"}
x = torch.rand(4) * 10
hidden, act = nn.Linear(in_features=4, out_features=5), nn.Tanh()
pre_act = hidden(x)
post_act = act(pre_act)
print("pre: ", pre_act.detach().numpy().round(4))
print("post:", post_act.detach().numpy().round(4))

# %% slideshow={"slide_type": "skip"}
e, p = torch.exp(pre_act), torch.exp(-pre_act)
assert torch.allclose(post_act, (e - p) / (e + p), atol=1e-6)
assert torch.allclose(post_act, 2 * torch.sigmoid(2 * pre_act) - 1, atol=1e-6)
seed_pre = torch.tensor([0.3864, -2.1247, 3.0473, 2.4152, -2.6261])   # the notes' numbers
seed_post = torch.tensor([0.3683, -0.9719, 0.9955, 0.9842, -0.9896])
assert torch.allclose(torch.tanh(seed_pre), seed_post, atol=1e-4)      # they are consistent

# %% [markdown] slideshow={"slide_type": "slide"}
# ## ReLU and LeakyReLU
#
# $$\text{ReLU}(x) = \max(0, x) \qquad \text{LeakyReLU}_\alpha(x)
#   = \begin{cases} x & x > 0 \\ \alpha x & x \le 0 \end{cases} = \max(\alpha x, x)
#   \ \text{ for } 0 < \alpha < 1$$
#
# * needs no exponential, and does not saturate for $x > 0$: the default in hidden layers
# * a unit whose input is always negative outputs 0 and gets no gradient ("dead ReLU");
#   LeakyReLU keeps a small slope $\alpha$ there (torch's default: $\alpha = 0.01$)
#
# > **The source notes said:** ReLU is "not differentiable". **In fact:** only at $x = 0$;
# > there autograd uses the slope 0 (one valid subgradient: any value in [0, 1] is), as
# > printed below.

# %% slideshow={"slide_type": "-"}
z = torch.tensor([-2.0, -0.5, 0.0, 0.5, 2.0], requires_grad=True)
for layer in [nn.ReLU(), nn.LeakyReLU()]:
    (slope,) = torch.autograd.grad(layer(z).sum(), z)
    print(f"{str(layer):30s} out {layer(z).detach().numpy()}  slope {slope.numpy()}")

# %% slideshow={"slide_type": "skip"}
x = torch.linspace(-5, 5, 1001)
assert torch.equal(nn.ReLU()(x), torch.maximum(x, torch.zeros_like(x)))
assert nn.LeakyReLU().negative_slope == 0.01
assert torch.allclose(nn.LeakyReLU(0.1)(x), torch.maximum(0.1 * x, x))
assert not torch.allclose(nn.LeakyReLU(2.0)(x), torch.maximum(2.0 * x, x))   # needs alpha < 1
(relu_slope,) = torch.autograd.grad(nn.ReLU()(z).sum(), z)
assert relu_slope.tolist() == [0, 0, 0, 1, 1]          # slope 0 at x = 0, exactly 0 or 1 elsewhere
h = 1e-3                                               # at 0 the one-sided slopes differ: a kink
assert (nn.ReLU()(torch.tensor(h)) - 0) / h == 1 and (0 - nn.ReLU()(torch.tensor(-h))) / h == 0

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Two modern ones: GELU and SiLU
#
# $$\text{GELU}(x) = x\,\Phi(x), \quad \Phi(x) = \tfrac12\big(1 + \text{erf}(x/\sqrt2)\big)
#   \qquad \text{SiLU}(x) = x\,\sigma(x)$$
#
# $\Phi$ is the standard normal CDF. Smooth versions of ReLU, slightly negative for
# $x < 0$; GELU is the default in transformers (BERT, GPT), SiLU ("swish") in many CNNs.
# GELU's tanh approximation differs from it by less than $10^{-3}$.

# %% slideshow={"slide_type": "-"}
x = torch.linspace(-5, 5, 1001)
Phi = 0.5 * (1 + torch.erf(x / 2**0.5))                  # the normal CDF
for name, values in {"GELU": x * Phi, "SiLU": x * torch.sigmoid(x)}.items():
    i = values.argmin()
    print(f"{name}: smallest value {values[i]:.3f}, at x = {x[i]:.2f}")
tanh_gap = (nn.GELU(approximate="tanh")(x) - nn.GELU()(x)).abs().max().item()
print(f"GELU's tanh approximation is off by at most {tanh_gap:.1e}")

# %% slideshow={"slide_type": "skip"}
assert torch.allclose(nn.GELU()(x), x * Phi, atol=1e-6)
assert torch.allclose(nn.SiLU()(x), x * torch.sigmoid(x), atol=1e-6)
wide = torch.linspace(-50, 50, 100_001, dtype=torch.float64)     # the largest gap is near 0
assert (nn.GELU(approximate="tanh")(wide) - nn.GELU()(wide)).abs().max() < 1e-3

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### All of torch's modules against the closed forms
#
# One table, on 1001 points in $[-5, 5]$:

# %% slideshow={"slide_type": "-"}
closed = {
    nn.Sigmoid(): 1 / (1 + torch.exp(-x)),
    nn.Tanh(): (torch.exp(x) - torch.exp(-x)) / (torch.exp(x) + torch.exp(-x)),
    nn.ReLU(): x * (x > 0),
    nn.LeakyReLU(0.01): torch.where(x > 0, x, 0.01 * x),
    nn.GELU(): x * Phi,
    nn.SiLU(): x / (1 + torch.exp(-x)),
}
worst = {str(module): (module(x) - formula).abs().max().item()
         for module, formula in closed.items()}
print("torch = formula (to < 1e-6) for", ", ".join(name.split("(")[0] for name in worst))

# %% slideshow={"slide_type": "skip"}
assert max(worst.values()) < 1e-6, worst

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Derivatives side by side
#
# The saturating pair: flat tails, slopes at most $\frac14$ (σ) and $1$ (tanh).

# %% slideshow={"slide_type": "-"}
fig = plot_functions({"sigmoid": torch.sigmoid, "tanh": torch.tanh}, derivative=True)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The ReLU family
#
# Slope 1 for large $x$: no saturation on the positive side. (GELU's and SiLU's slopes
# overshoot 1 a little before they settle.)

# %% slideshow={"slide_type": "-"}
fig = plot_functions({"ReLU": nn.ReLU(), "LeakyReLU(0.1)": nn.LeakyReLU(0.1),
                      "GELU": nn.GELU(), "SiLU": nn.SiLU()}, xlim=(-4, 4), derivative=True)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Closed-form derivatives = autograd
#
# | $\varphi$ | $\varphi'$ |
# |---|---|
# | $\sigma$ | $\sigma(1 - \sigma)$ |
# | $\tanh$ | $1 - \tanh^2$ |
# | ReLU, LeakyReLU | $1$ for $x > 0$, else $0$ resp. $\alpha$ |
# | SiLU | $\sigma(x)\,\big(1 + x(1 - \sigma(x))\big)$ |
# | GELU | $\Phi(x) + x\,\phi(x)$, $\phi$ the normal density |

# %% slideshow={"slide_type": "-"}
s, t = torch.sigmoid(x), torch.tanh(x)
pdf = torch.exp(-x**2 / 2) / (2 * torch.pi) ** 0.5
formulas = {nn.Sigmoid(): s * (1 - s), nn.Tanh(): 1 - t**2, nn.ReLU(): (x > 0).float(),
            nn.LeakyReLU(0.01): torch.where(x > 0, 1.0, 0.01),
            nn.SiLU(): s * (1 + x * (1 - s)), nn.GELU(): Phi + x * pdf}
errors = {str(module).split("(")[0]: (activations.derivative(module, x) - formula).abs().max()
          for module, formula in formulas.items()}
print("autograd = formula (to < 1e-5) for", ", ".join(k for k, v in errors.items() if v < 1e-5))

# %% slideshow={"slide_type": "skip"}
assert all(err < 1e-5 for err in errors.values()), errors
slope = lambda f, v: activations.derivative(f, torch.tensor([v]))[0]
assert slope(nn.GELU(), 1.5) > 1.1 and slope(nn.SiLU(), 2.4) > 1.09      # the overshoot

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Saturation
#
# $\sigma'(x) = \sigma(x)(1 - \sigma(x)) \le \frac14$, largest at $x = 0$. Far from 0 the
# curve is flat: $\sigma'(5) \approx 0.0066$, $\sigma'(10) \approx 4.5\cdot10^{-5}$,
# $\tanh'(5) \approx 1.8\cdot10^{-4}$. The output of a **saturated** neuron barely moves
# when its weights change: their gradient is tiny, so they learn very slowly.

# %% slideshow={"slide_type": "-"}
for name in ["sigmoid", "tanh"]:
    f = activations.activation_function(name)
    slopes = activations.derivative(f, torch.tensor([0.0, 5.0, 10.0], dtype=torch.float64))
    print(f"{name:7s} slope at 0, 5, 10: " + "  ".join(f"{v:.2g}" for v in slopes))

# %% slideshow={"slide_type": "skip"}
ds = lambda v: activations.derivative(torch.sigmoid, torch.tensor([v]))[0]
assert torch.isclose(ds(0.0), torch.tensor(0.25)) and (activations.derivative(torch.sigmoid, x) <= 0.25).all()
assert abs(ds(5.0) - 0.0066) < 1e-4 and abs(ds(10.0) - 4.5e-5) < 1e-6
assert abs(activations.derivative(torch.tanh, torch.tensor([5.0]))[0] - 1.8e-4) < 1e-5
assert (activations.derivative(torch.tanh, x) <= 1).all()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The tangent's slope is the local gradient

# %% slideshow={"slide_type": "-"}
fig = demo.saturation_figure("sigmoid", points=[0, 2, 4])

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Try it: pick φ, move the point

# %% slideshow={"slide_type": "-"} tags=["widget"]
demo.activation_widget("sigmoid", x0=2.0)

# %% [markdown] slideshow={"slide_type": "notes"}
# Try tanh at x0 = 3 (slope 0.01), ReLU at negative x0 (slope exactly 0: no gradient
#     passes; a unit whose inputs are all negative is "dead"), GELU at -1 (slope -0.08).

# %% slideshow={"slide_type": "skip"}
at = lambda name, v: activations.derivative(activations.activation_function(name), torch.tensor([v]))[0]
assert abs(at("tanh", 3.0) - 0.01) < 5e-4 and at("ReLU", -1.0) == 0
assert abs(at("GELU", -1.0) + 0.08) < 5e-3

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Vanishing gradients: a chain without weights
#
# Chain $n$ neurons $y_k = \varphi(y_{k-1})$, each with weight 1 and bias 0. By the chain
# rule $\frac{dy_n}{dx} = \prod_{k=1}^{n} \varphi'(y_{k-1})$, and for the sigmoid every
# factor is at most $\frac14$: through **this** chain the gradient is at most $4^{-n}$.

# %% slideshow={"slide_type": "-"}
y = x0 = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
factors = []
for _ in range(10):
    factors.append(torch.sigmoid(y) * (1 - torch.sigmoid(y)))    # sigma'(y_{k-1})
    y = torch.sigmoid(y)
(grad,) = torch.autograd.grad(y, x0)
print(f"dy10/dx = {grad:.3e}, product of sigma' = {torch.stack(factors).prod():.3e}")

# %% slideshow={"slide_type": "skip"}
assert torch.isclose(grad, torch.stack(factors).prod()) and grad <= 0.25**10
assert torch.isclose(activations.chain_slopes("sigmoid", 10)[-1], grad)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The same chain: sigmoid vs tanh vs ReLU
#
# Without weights, ReLU (slope 1 where active) passes the gradient on unchanged, tanh
# ($\tanh' \le 1$, near 1 as $y_k \to 0$) loses it slowly, the sigmoid loses it fast.

# %% slideshow={"slide_type": "-"}
fig = demo.vanishing_figure(depth=15)

# %% slideshow={"slide_type": "skip"}
relu, tanh_chain = activations.chain_slopes("ReLU", 15), activations.chain_slopes("tanh", 15)
assert torch.equal(relu, torch.ones(15, dtype=torch.float64))
factors = tanh_chain[1:] / tanh_chain[:-1]                   # tanh'(y_k), k = 1..14
assert (factors <= 1).all() and (torch.diff(factors) > 0).all()   # each closer to 1
assert activations.chain_slopes("sigmoid", 15)[-1] < 1e-9 < tanh_chain[-1]

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### In a network, each factor is $w \cdot \varphi'(z)$
#
# Backprop (lecture 06) sends the gradient back through layer $l$ as
# $\boldsymbol\delta^l = \big((W^{l+1})^\top \boldsymbol\delta^{l+1}\big) \odot \varphi'(\mathbf{z}^l)$:
# the weights multiply it as much as $\varphi'$ does. Measured: $\|\boldsymbol\delta^l\|$ on 20
# `Linear` layers of width 128, PyTorch's default init, one batch of 256 MNIST digits, 5 inits:
#
# *Ahead of the course: the loss is lecture 04, backprop 06, He init 08.*

# %% slideshow={"slide_type": "-"}
images, labels = data.load_tensors("mnist", train=False, limit=256)     # one batch
setups = {"sigmoid": (nn.Sigmoid, "default"), "tanh": (nn.Tanh, "default"),
          "ReLU": (nn.ReLU, "default"), "ReLU, He init": (nn.ReLU, "he")}
def layer_deltas(act, init, seed):              # ||δ^l|| = ||dL/dz^l||, l = 1 (input) .. 20
    torch.manual_seed(seed)
    net, zs, h = activations.deep_mlp(act, depth=20, width=128, init=init), [], images
    for layer in net:
        h = layer(h)
        zs += [h] if isinstance(layer, nn.Linear) else []       # z^l, each Linear's output
    deltas = torch.autograd.grad(nn.functional.cross_entropy(h, labels), zs)   # dL/dz^l
    return torch.stack([d.norm() for d in deltas])
grads = {name: [layer_deltas(*setup, seed) for seed in range(5)] for name, setup in setups.items()}
for name, gs in grads.items():
    ratio = sorted((g[0] / g[-1]).item() for g in gs)            # layer 1 / layer 20
    print(f"{name:13s} layer 1 / layer 20: {ratio[0]:.0e} to {ratio[-1]:.0e}")

# %% slideshow={"slide_type": "skip"}
assert all(len(g) == 20 and (g > 0).all() for gs in grads.values() for g in gs)
for seed in range(5):                       # every claim of the next slide, on every init
    ratio = {name: (gs[seed][0] / gs[seed][-1]).item() for name, gs in grads.items()}
    shrink = {name: r ** (-1 / 19) for name, r in ratio.items()}     # mean shrink per layer
    assert ratio["sigmoid"] < 1e-12 and 6 < shrink["sigmoid"] < 8.5     # about 7x: > 4x
    assert 1e-9 < ratio["ReLU"] < 1e-6 and 2 < shrink["ReLU"] < 3       # about 2.4x a layer
    assert 1e-6 < ratio["tanh"] < 1e-3 and 1 < shrink["tanh"] < shrink["ReLU"]
    assert 0.2 < ratio["ReLU, He init"] < 5                              # about the same

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What the measurement shows
#
# On each of the 5 inits:
#
# * sigmoid: about 7× smaller per layer ($\varphi' \le$ ¼, and the default weights scale the
#   signal by about $\sqrt{1/3} \approx 0.58$ more)
# * ReLU with the default init shrinks too: about 2.4× per layer, $10^{-7}$ or less over 20
# * ReLU with He init (weights $\sim \mathcal N(0, 2/\text{fan\_in})$, lecture 08): level

# %% slideshow={"slide_type": "-"}
fig = demo.layer_gradients_figure({name: gs[0] for name, gs in grads.items()})  # seed 0
show(fig, alt="Gradient norm per layer (log scale), 20 layers, one line per network: towards "
              "the input sigmoid's falls steepest, ReLU's less, tanh's least; ReLU + He stays level.")

# %% [markdown] slideshow={"slide_type": "notes"}
# Not the activation alone: the product w * phi'(z) decides. With phi' <= 1/4 a sigmoid
#     net's gradient shrinks at every layer; ReLU avoids that factor, but only a well-chosen
#     weight scale (lecture 08) keeps the gradient level. With the default init tanh (slope
#     near 1 around 0) shrinks least of the three, on each of the 5 inits.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## ReLU's kink at 0
#
# ReLU has slope 0 on the left and 1 on the right: at $x = 0$ it has no derivative. Any
# value in $[0, 1]$ is a valid *subgradient*; autograd must return one. Which one depends on
# how the function is written:

# %% slideshow={"slide_type": "-"}
def grad_at_0(f):
    z = torch.zeros(1, requires_grad=True)
    f(z).sum().backward()
    return z.grad.item()

kinks = {"torch.relu": torch.relu, "nn.ReLU()": nn.ReLU(),
         "x * (x > 0)": lambda v: v * (v > 0),
         "torch.maximum(x, 0)": lambda v: torch.maximum(v, torch.zeros_like(v)),
         "nn.LeakyReLU(0.01)": nn.LeakyReLU(0.01)}
for label, f in kinks.items():
    print(f"{label:20s} slope at 0: {grad_at_0(f):.4g}")

# %% slideshow={"slide_type": "skip"}
assert grad_at_0(torch.relu) == grad_at_0(nn.ReLU()) == 0.0        # torch's convention
assert grad_at_0(lambda v: torch.maximum(v, torch.zeros_like(v))) == 0.5
assert abs(grad_at_0(nn.LeakyReLU(0.01)) - 0.01) < 1e-9

# %% [markdown] slideshow={"slide_type": "notes"}
# In practice this never matters: a weighted input is exactly 0.0 almost never,
#     and any subgradient keeps gradient descent working. It matters when you compare your own
#     backprop with autograd (lecture 06): use torch's convention, 0.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Output activations: match the task
#
# | task | output layer | activation | output |
# |---|---|---|---|
# | binary classification | 1 unit | sigmoid | $P(y = 1) \in (0, 1)$ |
# | $C$ classes | $C$ units | softmax | $C$ probabilities, sum 1 |
# | regression | as many as targets | identity | any real number |
#
# $$\text{softmax}(\mathbf{z})_i = \frac{e^{z_i}}{\sum_j e^{z_j}}$$

# %% [markdown] slideshow={"slide_type": "notes"}
# Hidden layers use ReLU/GELU etc.; the output activation is chosen by the task.
#     torch's losses nn.CrossEntropyLoss and nn.BCEWithLogitsLoss take the raw scores (logits)
#     and apply softmax / sigmoid inside, for numerical stability (lecture 04).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Softmax, checked

# %% slideshow={"slide_type": "-"}
z = torch.tensor([[2.0, 1.0, 0.1], [-1.0, 0.0, 3.0]])      # scores of 2 examples, 3 classes
p = torch.exp(z) / torch.exp(z).sum(dim=1, keepdim=True)
print(p.numpy().round(3))

# %% slideshow={"slide_type": "skip"}
assert torch.allclose(p, nn.Softmax(dim=1)(z)) and torch.allclose(p.sum(dim=1), torch.ones(2))
assert torch.allclose(torch.softmax(z + 100.0, dim=1), p)           # shift invariant
two = torch.tensor([0.3, 1.7])                                       # 2 classes = sigmoid
assert torch.isclose(torch.softmax(two, 0)[1], torch.sigmoid(two[1] - two[0]))

# %% [markdown] slideshow={"slide_type": "fragment"}
# * softmax only depends on *differences* of scores: adding a constant to all changes nothing
# * with two classes, softmax is the sigmoid of the score difference
# * a sigmoid output can never reach a regression target of 3.7; use the identity there

# %% slideshow={"slide_type": "skip"}
assert torch.sigmoid(torch.tensor(50.0)) <= 1.0 < 3.7

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# * Without a non-linear activation, depth adds nothing.
# * The step has no useful slope; σ(βx) is its smooth version, tanh its zero-centred cousin.
# * Sigmoid and tanh saturate: far from 0 their slopes are nearly 0.
# * Backprop multiplies by $w \cdot \varphi'(z)$ per layer: with $\sigma' \le \frac14$ deep
#   sigmoid nets' gradients vanish; with ReLU the weights' scale decides (lecture 08).
# * ReLU (and LeakyReLU, GELU, SiLU) keep slope 1 for large inputs: the hidden-layer default.
# * At ReLU's kink torch's autograd returns 0.
# * Output: sigmoid for binary, softmax for classes, identity for regression.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Write your answer in the cell under each exercise and run it, then run the check below it.
#
# **Exercise 1: the ReLU derivative.** Write `relu_grad(x)`: the derivative of ReLU at
# every element of the tensor `x` (use torch's convention at 0). No autograd.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
def relu_grad(x):
    """dReLU/dx element-wise; same shape as x."""
    return (x > 0).to(x.dtype)


# %% slideshow={"slide_type": "-"}
from nbhelpers.check import activation_functions as check
check.relu_grad(relu_grad)


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: the sigmoid derivative
#
# Write `sigmoid_grad(x)` using `torch.sigmoid` (no autograd). It must stay finite for
# large $|x|$.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
def sigmoid_grad(x):
    """dσ/dx element-wise; same shape as x."""
    s = torch.sigmoid(x)
    return s * (1 - s)


# %% slideshow={"slide_type": "-"}
check.sigmoid_grad(sigmoid_grad)


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: a softmax that does not overflow
#
# Write `softmax(z)` over the last dimension of `z` (a vector, or a batch of rows) without
# `torch.softmax`. It must work for scores like `[1000, 1001, 1002]`, where $e^{1000}$
# overflows.

# %% slideshow={"slide_type": "fragment"} tags=["answer"]
def softmax(z):
    """Softmax over the last dimension of z."""
    e = torch.exp(z - z.max(dim=-1, keepdim=True).values)
    return e / e.sum(dim=-1, keepdim=True)


# %% slideshow={"slide_type": "-"}
check.softmax(softmax)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Reading
#
# * Goodfellow et al., 6.3 (hidden units)
# * Nielsen, chapters 3 and 5
# * d2l.ai 5.1.2, *Activation Functions*
# * Glorot & Bengio (2010), Understanding the difficulty of training deep feedforward networks
