"""Exercises of lecture 05 (gradient descent and backpropagation).

* ``descent_learning_rate(lr)``: a learning rate with which gradient descent converges on a
  ravine;
* ``backprop_layer(fn)``: one backward step through a sigmoid layer (the recursion and the
  weight/bias gradients), checked against autograd;
* ``optim_momentum_step(fn)``: one step of SGD with momentum, checked against
  ``torch.optim.SGD``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from nbhelpers.check import NotYet, Result, call, correct, exercise, not_yet

#: The exercise's ravine L(w) = ½(w₁² + 25 w₂²), from (1, 1), 100 steps, target loss.
_CURVATURES = torch.tensor([1.0, 25.0], dtype=torch.float64)
_START = (1.0, 1.0)
_STEPS = 100
_TARGET = 1e-4


def _ravine_loss(w: torch.Tensor) -> float:
    """½(w₁² + 25 w₂²) for ``w`` of shape (2,)."""
    return float(0.5 * (_CURVATURES * w**2).sum())


@exercise
def descent_learning_rate(lr: float) -> Result:
    """``lr``: a number with which 100 steps of gradient descent on ½(w₁² + 25 w₂²) from
    (1, 1) bring the loss below 1e-4."""
    if isinstance(lr, bool) or not isinstance(lr, int | float) or not math.isfinite(lr):
        return not_yet(f"lr must be a plain number such as 0.01, got {lr!r}")
    if lr <= 0:
        return not_yet("a learning rate must be positive: a negative one walks uphill.")
    w = torch.tensor(_START, dtype=torch.float64)
    start = _ravine_loss(w)
    for _ in range(_STEPS):
        w = w - lr * _CURVATURES * w  # ∇L = c ⊙ w
        if not bool(torch.isfinite(w).all()):
            break
    loss = _ravine_loss(w)
    if not math.isfinite(loss) or loss >= start:
        return not_yet(f"with lr = {lr:g} the loss grows ({loss:.3g} after {_STEPS} steps): it "
                       "diverges. Which direction is steepest, what is its curvature, and what "
                       "limit does that put on lr?")
    if loss < _TARGET:
        return correct(f"lr = {lr:g} brings the loss to {loss:.2g} in {_STEPS} steps.")
    flat, steep = (0.5 * _CURVATURES * w**2).tolist()
    if steep > flat:
        return not_yet(f"with lr = {lr:g} the loss is still {loss:.2g} after {_STEPS} steps: the "
                       "steep direction zig-zags and barely shrinks, because lr is (almost) at "
                       "the limit where it would diverge. Back off a little.")
    return not_yet(f"with lr = {lr:g} the loss is still {loss:.2g} after {_STEPS} steps (want < "
                   f"{_TARGET:g}): too slow along the flat direction. Go as large as the steep "
                   "direction allows.")


def _tensors(out: object, n: int, names: str) -> list[torch.Tensor]:
    """The student's ``n`` returned tensors (a tuple or list) as float64."""
    if not isinstance(out, tuple | list) or len(out) != n:
        raise NotYet(f"return {n} tensors: ({names}).")
    return [torch.as_tensor(t).detach().double() for t in out]


def _sigmoid_layer_grads(g: torch.Generator) -> dict[str, torch.Tensor]:
    """A random sigmoid layer l between a_prev (3,) and a linear layer (2, 4), its input
    ``delta_next`` (2,) and autograd's δˡ (4,), ∂L/∂W (4, 3) and ∂L/∂b (4,)."""
    a_prev = torch.rand(3, generator=g, dtype=torch.float64)
    W = torch.randn(4, 3, generator=g, dtype=torch.float64, requires_grad=True)
    b = torch.randn(4, generator=g, dtype=torch.float64, requires_grad=True)
    W_next = torch.randn(2, 4, generator=g, dtype=torch.float64)
    target = torch.rand(2, generator=g, dtype=torch.float64)
    z = W @ a_prev + b
    z.retain_grad()
    z_next = W_next @ torch.sigmoid(z)
    z_next.retain_grad()
    (0.5 * ((z_next - target) ** 2).sum()).backward()  # so δ of the next layer is z_next − t
    return {"delta_next": z_next.grad.detach(), "W_next": W_next, "z": z.detach(),
            "a_prev": a_prev, "delta": z.grad, "dW": W.grad, "db": b.grad}


@exercise
def backprop_layer(fn: Callable) -> Result:
    """``fn(delta_next, W_next, z, a_prev) -> (delta, dW, db)`` for a sigmoid layer l:
    δˡ = ((Wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ'(zˡ), ∂L/∂Wˡ = δˡ (aˡ⁻¹)ᵀ, ∂L/∂bˡ = δˡ (vectors are 1-D)."""
    r = _sigmoid_layer_grads(torch.Generator().manual_seed(7))
    out = call(fn, *(r[k].clone() for k in ("delta_next", "W_next", "z", "a_prev")))
    delta, dW, db = _tensors(out, 3, "delta, dW, db")
    if delta.shape != r["delta"].shape:
        return not_yet(f"delta has shape {tuple(delta.shape)}, want {tuple(r['delta'].shape)} "
                       "(one entry per neuron of layer l).")
    if not torch.allclose(delta, r["delta"], atol=1e-10):
        if torch.allclose(delta, r["W_next"].T @ r["delta_next"], atol=1e-10):
            return not_yet("delta is missing the factor σ'(zˡ) (element-wise).")
        return not_yet("delta differs from autograd: δˡ = ((Wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ'(zˡ), with "
                       "σ'(z) = σ(z)(1 − σ(z)).")
    want_dW = r["dW"]
    if dW.shape == want_dW.T.shape and dW.shape != want_dW.shape:
        return not_yet(f"dW has shape {tuple(dW.shape)}; it must have W's shape "
                       f"{tuple(want_dW.shape)} (out × in): entry (j, k) is aₖˡ⁻¹ δⱼˡ.")
    if dW.shape != want_dW.shape or not torch.allclose(dW, want_dW, atol=1e-10):
        return not_yet("dW differs from autograd: ∂L/∂wⱼₖ = aₖˡ⁻¹ δⱼˡ (an outer product).")
    if db.shape != r["db"].shape or not torch.allclose(db, r["db"], atol=1e-10):
        return not_yet("db differs from autograd: ∂L/∂bⱼ = δⱼ.")
    return correct("delta, dW and db equal autograd's to 1e-10.")


@exercise
def optim_momentum_step(fn: Callable) -> Result:
    """``fn(w, grad, velocity, *, lr, momentum) -> (new_w, new_velocity)``: one step of
    ``torch.optim.SGD(lr=lr, momentum=momentum)`` (velocity starts at zero)."""
    lr, mu = 0.05, 0.9
    start = torch.tensor([2.0, -1.0, 0.5], dtype=torch.float64)
    scale = torch.tensor([1.0, 4.0, 9.0], dtype=torch.float64)  # L = ½ Σ scale · w², ∇L = scale w
    ref = start.clone().requires_grad_(True)
    opt = torch.optim.SGD([ref], lr=lr, momentum=mu)
    w, v = start.clone(), torch.zeros(3, dtype=torch.float64)
    for step in range(1, 6):
        opt.zero_grad()
        (0.5 * (scale * ref**2).sum()).backward()
        opt.step()
        out = call(fn, w.clone(), scale * w, v.clone(), lr=lr, momentum=mu)
        w, v = _tensors(out, 2, "new_w, new_velocity")
        if not torch.allclose(w, ref.detach(), atol=1e-12):
            if torch.allclose(w, _damped(start, scale, lr, mu, step), atol=1e-12):
                return not_yet("you scale the gradient by (1 − momentum); torch's SGD adds the "
                               "plain gradient to momentum × velocity.")
            return not_yet(f"after step {step} your w is {w.tolist()}, torch's SGD gives "
                           f"{ref.detach().tolist()}.")
    return correct("five steps equal torch.optim.SGD(momentum=0.9) to 1e-12.")


def _damped(start: torch.Tensor, scale: torch.Tensor, lr: float, mu: float,
            steps: int) -> torch.Tensor:
    """The common wrong variant v ← μv + (1 − μ)g (for the hint)."""
    w, v = start.clone(), torch.zeros_like(start)
    for _ in range(steps):
        v = mu * v + (1 - mu) * scale * w
        w = w - lr * v
    return w
