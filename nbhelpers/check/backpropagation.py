"""Exercises of lecture 06 (backpropagation).

* ``layer_backward(fn)``: one backward step through a sigmoid layer (the recursion and the
  weight/bias gradients), checked against autograd;
* ``output_delta(fn)``: the output error ∂L/∂z of softmax + mean cross-entropy for
  a batch, checked against autograd through ``F.cross_entropy``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from nbhelpers.check import NotYet, Result, call, correct, exercise, not_yet, tensor


def _tensors(out: object, n: int, names: str) -> list[torch.Tensor]:
    """The student's ``n`` returned tensors (a tuple or list) as float64."""
    if not isinstance(out, tuple | list) or len(out) != n:
        raise NotYet(f"return {n} tensors: ({names}).")
    return [torch.as_tensor(t).detach().double() for t in out]


def _float64(out: object) -> bool:
    """Whether every tensor the student returned is float64 (so 1e-10 is a fair tolerance)."""
    items = out if isinstance(out, tuple | list) else (out,)
    return all(torch.as_tensor(t).dtype == torch.float64 for t in items)


def _same(got: torch.Tensor, want: torch.Tensor, exact: bool) -> bool:
    """Equal to 1e-10 for a float64 answer, to float32 precision for a lower-precision one."""
    if got.shape != want.shape:
        return False
    if exact:
        return bool(torch.allclose(got, want, rtol=0, atol=1e-10))
    return bool(torch.allclose(got, want, rtol=1e-5, atol=1e-7))


def _unchanged(before: list[torch.Tensor], after: list[torch.Tensor], names: str) -> None:
    """NotYet when the student's function changed one of its inputs in place."""
    for name, b, a in zip(names.split(", "), before, after, strict=True):
        if not torch.equal(a, b):
            raise NotYet(f"your function changed its input {name} in place (an in-place "
                         "operation such as sigmoid_(), -= or [...] =): the caller still "
                         "needs it; compute new tensors instead.")


#: (n_prev, n, n_next, seed) of the sigmoid layers layer_backward tries: a square one first
#: (so a missing transpose shows in the values, not as a shape error), then the lecture's
#: (3, 4, 2) and one more.
_LAYERS = ((5, 5, 5, 11), (3, 4, 2, 7), (2, 6, 3, 12))


def _sigmoid_layer_grads(g: torch.Generator, n_prev: int = 3, n: int = 4,
                         n_next: int = 2) -> dict[str, torch.Tensor]:
    """A random sigmoid layer l between a_prev (n_prev,) and a linear layer (n_next, n), its
    input ``delta_next`` (n_next,) and autograd's δˡ (n,), ∂L/∂W (n, n_prev) and ∂L/∂b (n,)."""
    a_prev = torch.rand(n_prev, generator=g, dtype=torch.float64)
    W = torch.randn(n, n_prev, generator=g, dtype=torch.float64, requires_grad=True)
    b = torch.randn(n, generator=g, dtype=torch.float64, requires_grad=True)
    W_next = torch.randn(n_next, n, generator=g, dtype=torch.float64)
    target = torch.rand(n_next, generator=g, dtype=torch.float64)
    z = W @ a_prev + b
    z.retain_grad()
    z_next = W_next @ torch.sigmoid(z)
    z_next.retain_grad()
    (0.5 * ((z_next - target) ** 2).sum()).backward()  # so δ of the next layer is z_next − t
    return {"delta_next": z_next.grad.detach(), "W_next": W_next, "z": z.detach(),
            "a_prev": a_prev, "delta": z.grad, "dW": W.grad, "db": b.grad}


def _layer_hint(r: dict[str, torch.Tensor], delta: torch.Tensor, dW: torch.Tensor,
                db: torch.Tensor, exact: bool) -> str | None:
    """None when (delta, dW, db) equal autograd's for the layer ``r``, else the hint."""
    if delta.shape != r["delta"].shape:
        return (f"delta has shape {tuple(delta.shape)}, want {tuple(r['delta'].shape)} "
                "(one entry per neuron of layer l).")
    if not _same(delta, r["delta"], exact):
        back, z = r["W_next"].T @ r["delta_next"], r["z"]
        if torch.allclose(delta, back, atol=1e-7):
            return "delta is missing the factor σ'(zˡ) (element-wise)."
        if torch.allclose(delta, back * z * (1 - z), atol=1e-7):
            return ("you multiplied by z(1 − z): that is σ'(z) only if z were the activation "
                    "σ(z); here z is the layer's input to the sigmoid.")
        s = torch.sigmoid(z)
        if torch.allclose(delta, (r["W_next"] @ r["delta_next"]) * s * (1 - s), atol=1e-7):
            return ("the error flows back through the transpose of Wˡ⁺¹: (Wˡ⁺¹)ᵀ δˡ⁺¹ (it "
                    "has one entry per neuron of layer l).")
        return ("delta differs from autograd: δˡ = ((Wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ'(zˡ), with "
                "σ'(z) = σ(z)(1 − σ(z)).")
    want_dW = r["dW"]
    if dW.shape != want_dW.shape or (dW.shape == want_dW.T.shape and
                                     _same(dW, want_dW.T, exact)):
        return (f"dW has shape {tuple(dW.shape)} and holds the transpose; it must have W's "
                f"shape {tuple(want_dW.shape)} (out × in): entry (j, k) is aₖˡ⁻¹ δⱼˡ.")
    if not _same(dW, want_dW, exact):
        return "dW differs from autograd: ∂L/∂wⱼₖ = aₖˡ⁻¹ δⱼˡ (an outer product)."
    if not _same(db, r["db"], exact):
        return "db differs from autograd: ∂L/∂bⱼ = δⱼ."
    return None


@exercise
def layer_backward(fn: Callable) -> Result:
    """``fn(delta_next, W_next, z, a_prev) -> (delta, dW, db)`` for a sigmoid layer l:
    δˡ = ((Wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ'(zˡ), ∂L/∂Wˡ = δˡ (aˡ⁻¹)ᵀ, ∂L/∂bˡ = δˡ (vectors are 1-D).
    Tried on three layers of different sizes (a square one among them); the inputs must come
    back unchanged."""
    names = "delta_next, W_next, z, a_prev"
    exact = True
    for n_prev, n, n_next, seed in _LAYERS:
        r = _sigmoid_layer_grads(torch.Generator().manual_seed(seed), n_prev, n, n_next)
        inputs = [r[k].clone() for k in names.split(", ")]
        out = call(fn, *inputs)
        _unchanged([r[k] for k in names.split(", ")], inputs, names)
        exact = exact and _float64(out)
        hint = _layer_hint(r, *_tensors(out, 3, "delta, dW, db"), _float64(out))
        if hint is not None:
            return not_yet(f"for a layer of {n} neurons between {n_prev} inputs and {n_next} "
                           f"outputs: {hint}")
    if not exact:
        return correct("delta, dW and db equal autograd's to float32 precision (in float64 "
                       "they would agree to 1e-10).")
    return correct("delta, dW and db equal autograd's to 1e-10.")


#: (logits, labels) of the softmax exercise after the lecture's batch: B = 3, C = 6 with
#: class 5 absent from the labels; then huge logits with rows far apart (+800, −800).
def _softmax_batches() -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(3)
    first = 2 * torch.randn(5, 4, generator=g, dtype=torch.float64)
    other = 3 * torch.randn(3, 6, generator=g, dtype=torch.float64)
    big = 40 * torch.randn(4, 5, generator=g, dtype=torch.float64)
    big = big + torch.tensor([800.0, -800.0, 0.0, 400.0], dtype=torch.float64)[:, None]
    return [(first, torch.tensor([0, 3, 1, 3, 2])), (other, torch.tensor([4, 0, 2])),
            (big, torch.tensor([1, 4, 0, 2]))]


def _delta_hint(got: torch.Tensor, want: torch.Tensor, z: torch.Tensor,
                y: torch.Tensor) -> str:
    """The hint for a ∂L/∂z ``got`` that differs from autograd's ``want``."""
    B, C = z.shape
    if not torch.isfinite(got).all():
        return ("on large logits (rows around +800 and −800) your result holds nan or inf: "
                "exp overflows or underflows there. Softmax is unchanged when each row is "
                "shifted by a constant of its own: use each row's largest logit.")
    onehot = F.one_hot(y, C).double()
    flat = want.flatten()
    k = float(got.flatten() @ flat / (flat @ flat))
    if torch.allclose(got, k * want, atol=1e-9) and abs(k - 1) > 1e-6:
        if abs(k - B) < 1e-6:
            return ("F.cross_entropy averages over the batch, so each row of ∂L/∂z carries "
                    "a factor 1/B.")
        if abs(k + 1) < 1e-6:
            return ("the sign is flipped: raising the true class's logit must lower the "
                    "loss, so its entry is negative.")
        return (f"your ∂L/∂z is {k:.4g} times autograd's: each row carries the factor 1/B, "
                f"with B the batch size (here {B}, the length of z), not a constant.")
    if torch.allclose(got, torch.softmax(z, dim=1) / B, atol=1e-9) or \
            torch.allclose(got, torch.softmax(z, dim=1), atol=1e-9):
        return ("the true class's logit also appears outside the softmax: "
                "−log softmax(z)_y = −z_y + log Σ exp z_c. Where does −z_y go?")
    if torch.allclose(got, (torch.sigmoid(z) - onehot) / B, atol=1e-9):
        return ("cross-entropy on logits uses the softmax over the classes (each row "
                "sums to 1), not the sigmoid of each logit.")
    if torch.allclose(got, (torch.softmax(z, dim=0) - onehot) / B, atol=1e-9):
        return ("your softmax runs over the batch (dim 0); it runs over the classes of each "
                "example (dim 1), so that each row sums to 1.")
    return ("∂L/∂z differs from autograd's: differentiate −log softmax(z)_y with respect "
            "to every z_c (c = y and c ≠ y), then average over the batch; softmax works on "
            "each row (one example) separately.")


@exercise
def output_delta(fn: Callable) -> Result:
    """``fn(z, y) -> dL_dz``: for logits ``z`` (B, C) and labels ``y`` (B,), the gradient of
    ``F.cross_entropy(z, y)`` (the batch mean) with respect to ``z``, shape (B, C); checked
    against autograd on B = 5, C = 4, then on B = 3, C = 6 (a class absent from the labels),
    then on huge logits (rows around ±800); z and y must come back unchanged."""
    exact = True
    for z, y in _softmax_batches():
        B, C = z.shape
        leaf = z.clone().requires_grad_(True)
        (want,) = torch.autograd.grad(F.cross_entropy(leaf, y), leaf)
        zc, yc = z.clone(), y.clone()
        try:
            out = call(fn, zc, yc)
        except (RuntimeError, IndexError) as err:
            if (B, C) == (5, 4):
                raise
            raise NotYet(f"for B = {B} examples and C = {C} classes (class {C - 1} absent "
                         f"from y) your function raised {type(err).__name__}: {err}. Take the "
                         "batch size and the number of classes from z's shape, not from y "
                         "or constants.") from err
        _unchanged([z, y], [zc, yc], "z, y")
        if isinstance(out, np.ndarray):  # a NumPy array is fine too
            out = torch.from_numpy(out)
        got = tensor(out, shape=(B, C), hint="one entry per logit, (B, C)"
                     if (B, C) == (5, 4) else f"one entry per logit, here ({B}, {C}): take the "
                     "batch size and the number of classes from z's shape")
        exact = exact and _float64(out)
        if _same(got, want, _float64(out)):
            continue
        hint = _delta_hint(got, want, z, y)
        if (B, C) == (3, 6) and torch.isfinite(got).all():
            present = F.one_hot(y, C).sum(0) > 0
            if torch.allclose(got[:, present], want[:, present], atol=1e-7):
                hint = ("the columns of classes absent from y are wrong: the number of "
                        "classes is z.shape[1], not what the labels show.")
        return not_yet(hint if (B, C) == (5, 4) else f"for B = {B}, C = {C}: {hint}")
    if not exact:
        return correct("equal to autograd's ∂L/∂z to float32 precision (in float64 it would "
                       "agree to 1e-10): softmax minus the one-hot label, over B.")
    return correct("equal to autograd's ∂L/∂z to 1e-10: softmax minus the one-hot label, "
                   "over B.")
