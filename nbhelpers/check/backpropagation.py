"""Exercises of lecture 06 (backpropagation).

* ``backprop_layer(fn)``: one backward step through a sigmoid layer (the recursion and the
  weight/bias gradients), checked against autograd;
* ``backprop_softmax_delta(fn)``: the output error ∂L/∂z of softmax + mean cross-entropy for
  a batch, checked against autograd through ``F.cross_entropy``.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from nbhelpers.check import NotYet, Result, call, correct, exercise, not_yet, tensor


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
def backprop_softmax_delta(fn: Callable) -> Result:
    """``fn(z, y) -> dL_dz``: for logits ``z`` (B, C) and labels ``y`` (B,), the gradient of
    ``F.cross_entropy(z, y)`` (the batch mean) with respect to ``z``, shape (B, C); checked
    against autograd on B = 5, C = 4."""
    g = torch.Generator().manual_seed(3)
    z = 2 * torch.randn(5, 4, generator=g, dtype=torch.float64)
    y = torch.tensor([0, 3, 1, 3, 2])
    leaf = z.clone().requires_grad_(True)
    (want,) = torch.autograd.grad(F.cross_entropy(leaf, y), leaf)
    got = tensor(call(fn, z.clone(), y.clone()), shape=(5, 4),
                 hint=": one entry per logit, (B, C)")
    if torch.allclose(got, want, rtol=0, atol=1e-10):
        return correct("equal to autograd's ∂L/∂z to 1e-10: softmax minus the one-hot label, "
                       "over B.")
    onehot = F.one_hot(y, 4).double()
    B = len(z)
    if torch.allclose(got, B * want, atol=1e-10):
        return not_yet("F.cross_entropy averages over the batch, so each row of ∂L/∂z carries "
                       "a factor 1/B.")
    if torch.allclose(got, -want, atol=1e-10):
        return not_yet("the sign is flipped: raising the true class's logit must lower the "
                       "loss, so its entry is negative.")
    if torch.allclose(got, torch.softmax(z, dim=1) / B, atol=1e-10) or \
            torch.allclose(got, torch.softmax(z, dim=1), atol=1e-10):
        return not_yet("the true class's logit also appears outside the softmax: "
                       "−log softmax(z)_y = −z_y + log Σ exp z_c. Where does −z_y go?")
    if torch.allclose(got, (torch.sigmoid(z) - onehot) / B, atol=1e-10):
        return not_yet("cross-entropy on logits uses the softmax over the classes (each row "
                       "sums to 1), not the sigmoid of each logit.")
    return not_yet("∂L/∂z differs from autograd's: differentiate −log softmax(z)_y with respect "
                   "to every z_c (c = y and c ≠ y), then average over the batch.")
