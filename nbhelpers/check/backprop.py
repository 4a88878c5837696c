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

from nbhelpers.check import Result, exercise, failed, guard, passed

_EMPTY = "no answer yet: fill in the answer cell above, run it, then check again."

#: The exercise's ravine L(w) = ½(w₁² + 25 w₂²), from (1, 1), 100 steps, target loss.
RAVINE_CURVATURES = (1.0, 25.0)
RAVINE_START = (1.0, 1.0)
RAVINE_STEPS = 100
RAVINE_TARGET = 1e-4


def ravine_loss(w: torch.Tensor) -> torch.Tensor:
    """The exercise's loss ½(w₁² + 25 w₂²) for ``w`` of shape ``(..., 2)``."""
    c = torch.tensor(RAVINE_CURVATURES, dtype=w.dtype)
    return 0.5 * (c * w**2).sum(-1)


@exercise("descent_learning_rate")
def learning_rate(lr) -> Result:
    """``lr``: a number with which 100 steps of gradient descent on ½(w₁² + 25 w₂²) from
    (1, 1) bring the loss below 1e-4."""
    name = "descent_learning_rate"
    if lr is None or lr is Ellipsis:
        return failed(name, _EMPTY)
    if isinstance(lr, bool) or not isinstance(lr, int | float) or not math.isfinite(lr):
        return failed(name, f"lr must be a plain number such as 0.01, got {lr!r}")
    if lr <= 0:
        return failed(name, "a learning rate must be positive: a negative one walks uphill.")
    w = torch.tensor(RAVINE_START, dtype=torch.float64)
    start = ravine_loss(w).item()
    for _ in range(RAVINE_STEPS):
        w = w - lr * torch.tensor(RAVINE_CURVATURES, dtype=torch.float64) * w  # ∇L = c ⊙ w
        if not bool(torch.isfinite(w).all()):
            break
    loss = ravine_loss(w).item()
    if not math.isfinite(loss) or loss >= start:
        return failed(name, f"with lr = {lr:g} the loss grows ({loss:.3g} after "
                            f"{RAVINE_STEPS} steps): it diverges. Which direction is steepest, "
                            "what is its curvature, and what limit does that put on lr?")
    if loss < RAVINE_TARGET:
        return passed(name, f"lr = {lr:g} brings the loss to {loss:.2g} in {RAVINE_STEPS} "
                            "steps.")
    flat, steep = 0.5 * RAVINE_CURVATURES[0] * w[0] ** 2, 0.5 * RAVINE_CURVATURES[1] * w[1] ** 2
    if steep > flat:
        return failed(name, f"with lr = {lr:g} the loss is still {loss:.2g} after {RAVINE_STEPS} "
                            "steps: the steep direction zig-zags and barely shrinks, because lr "
                            "is (almost) at the limit where it would diverge. Back off a little.")
    return failed(name, f"with lr = {lr:g} the loss is still {loss:.2g} after {RAVINE_STEPS} "
                        f"steps (want < {RAVINE_TARGET:g}): too slow along the flat direction. "
                        "Go as large as the steep direction allows.")


@exercise("backprop_layer")
def layer_step(fn: Callable) -> Result:
    """``fn(delta_next, W_next, z, a_prev) -> (delta, dW, db)`` for a sigmoid layer l:
    δˡ = ((Wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ'(zˡ), ∂L/∂Wˡ = δˡ (aˡ⁻¹)ᵀ, ∂L/∂bˡ = δˡ (vectors are 1-D)."""
    name = "backprop_layer"
    if not callable(fn):
        return failed(name, _EMPTY)

    def run() -> Result:
        g = torch.Generator().manual_seed(7)
        n_prev, n, n_next = 3, 4, 2
        a_prev = torch.rand(n_prev, generator=g, dtype=torch.float64)
        W = torch.randn(n, n_prev, generator=g, dtype=torch.float64, requires_grad=True)
        b = torch.randn(n, generator=g, dtype=torch.float64, requires_grad=True)
        W_next = torch.randn(n_next, n, generator=g, dtype=torch.float64)
        target = torch.rand(n_next, generator=g, dtype=torch.float64)
        z = W @ a_prev + b
        z.retain_grad()
        z_next = W_next @ torch.sigmoid(z)
        z_next.retain_grad()
        loss = 0.5 * ((z_next - target) ** 2).sum()  # so δ of the next layer is z_next − t
        loss.backward()
        delta_next = z_next.grad.detach()
        out = fn(delta_next.clone(), W_next.clone(), z.detach().clone(), a_prev.clone())
        if out is None or out is Ellipsis:
            return failed(name, "your function returned nothing; return (delta, dW, db).")
        if not isinstance(out, tuple | list) or len(out) != 3:
            return failed(name, "return three tensors: (delta, dW, db).")
        delta, dW, db = (torch.as_tensor(t).detach().double() for t in out)
        want_delta, want_dW, want_db = z.grad, W.grad, b.grad
        if delta.shape != want_delta.shape:
            return failed(name, f"delta has shape {tuple(delta.shape)}, want "
                                f"{tuple(want_delta.shape)} (one entry per neuron of layer l).")
        if not torch.allclose(delta, want_delta, atol=1e-10):
            if torch.allclose(delta, W_next.T @ delta_next, atol=1e-10):
                return failed(name, "delta is missing the factor σ'(zˡ) (element-wise).")
            return failed(name, "delta differs from autograd: δˡ = ((Wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ'(zˡ), "
                                "with σ'(z) = σ(z)(1 − σ(z)).")
        if dW.shape == want_dW.T.shape and dW.shape != want_dW.shape:
            return failed(name, f"dW has shape {tuple(dW.shape)}; it must have W's shape "
                                f"{tuple(want_dW.shape)} (out × in): entry (j, k) is "
                                "aₖˡ⁻¹ δⱼˡ.")
        if dW.shape != want_dW.shape or not torch.allclose(dW, want_dW, atol=1e-10):
            return failed(name, "dW differs from autograd: ∂L/∂wⱼₖ = aₖˡ⁻¹ δⱼˡ "
                                "(an outer product).")
        if db.shape != want_db.shape or not torch.allclose(db, want_db, atol=1e-10):
            return failed(name, "db differs from autograd: ∂L/∂bⱼ = δⱼ.")
        return passed(name, "delta, dW and db equal autograd's to 1e-10.")

    return guard(name, run)


@exercise("optim_momentum_step")
def momentum_step(fn: Callable) -> Result:
    """``fn(w, grad, velocity, *, lr, momentum) -> (new_w, new_velocity)``: one step of
    ``torch.optim.SGD(lr=lr, momentum=momentum)`` (velocity starts at zero)."""
    name = "optim_momentum_step"
    if not callable(fn):
        return failed(name, _EMPTY)

    def run() -> Result:
        lr, mu = 0.05, 0.9
        start = torch.tensor([2.0, -1.0, 0.5], dtype=torch.float64)
        scale = torch.tensor([1.0, 4.0, 9.0], dtype=torch.float64)
        ref = start.clone().requires_grad_(True)
        opt = torch.optim.SGD([ref], lr=lr, momentum=mu)
        w, v = start.clone(), torch.zeros(3, dtype=torch.float64)
        for step in range(1, 6):
            opt.zero_grad()
            (0.5 * (scale * ref**2).sum()).backward()
            opt.step()
            out = fn(w.clone(), scale * w, v.clone(), lr=lr, momentum=mu)
            if out is None or out is Ellipsis:
                return failed(name, "your function returned nothing; return (new_w, "
                                    "new_velocity).")
            if not isinstance(out, tuple | list) or len(out) != 2:
                return failed(name, "return two tensors: (new_w, new_velocity).")
            w, v = (torch.as_tensor(t).detach().double() for t in out)
            if not torch.allclose(w, ref.detach(), atol=1e-12):
                damp = _damped(start, scale, lr, mu, step)
                if torch.allclose(w, damp, atol=1e-12):
                    return failed(name, "you scale the gradient by (1 − momentum); torch's "
                                        "SGD adds the plain gradient to momentum × velocity.")
                return failed(name, f"after step {step} your w is {w.tolist()}, torch's SGD "
                                    f"gives {ref.detach().tolist()}.")
        return passed(name, "five steps equal torch.optim.SGD(momentum=0.9) to 1e-12.")

    return guard(name, run)


def _damped(start: torch.Tensor, scale: torch.Tensor, lr: float, mu: float, steps: int):
    """The common wrong variant v ← μv + (1 − μ)g (for the hint)."""
    w, v = start.clone(), torch.zeros_like(start)
    for _ in range(steps):
        v = mu * v + (1 - mu) * scale * w
        w = w - lr * v
    return w
