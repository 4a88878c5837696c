"""The exercises of lectures 04 (losses) and 05 (gradient descent, backprop): each checker
accepts a reference answer, rejects plausible wrong ones with a hint, and never crashes."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from nbhelpers import check

# ------------------------------------------------------------------ lecture 04


def test_mse():
    assert check.losses_mse(lambda p, t: ((p - t) ** 2).mean())
    bad = check.losses_mse(lambda p, t: ((p - t) ** 2).sum())
    assert not bad and "sum" in bad.message
    bad = check.losses_mse(lambda p, t: (p - t).abs().mean())
    assert not bad and "L1" in bad.message
    assert not check.losses_mse(lambda p, t: (p - t) ** 2)  # not reduced
    assert not check.losses_mse(lambda p, t: 1 / 0)
    assert not check.losses_mse(...)


def test_cross_entropy():
    def stable(x, y):
        return (torch.logsumexp(x, 1) - x[torch.arange(len(y)), y]).mean()

    def naive(x, y):
        p = torch.exp(x) / torch.exp(x).sum(1, keepdim=True)
        return -torch.log(p[torch.arange(len(y)), y]).mean()

    def notes_formula(x, y):  # the lecture notes' formula, without the minus
        return -naive(x, y)

    assert check.losses_cross_entropy(stable)
    assert check.losses_cross_entropy(F.cross_entropy)
    bad = check.losses_cross_entropy(naive)
    assert not bad and "overflow" in bad.message
    bad = check.losses_cross_entropy(notes_formula)
    assert not bad and "sign" in bad.message
    assert not check.losses_cross_entropy(lambda x, y: None)


def test_bce_with_logits():
    def stable(z, y):
        return (z.clamp(min=0) - y * z + torch.log1p(torch.exp(-z.abs()))).mean()

    def naive(z, y):
        p = torch.sigmoid(z)
        return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()

    assert check.losses_bce_logits(stable)
    assert check.losses_bce_logits(F.binary_cross_entropy_with_logits)
    bad = check.losses_bce_logits(naive)
    assert not bad and "±60" in bad.message
    # torch's BCELoss on σ(z) is clamped to 100 per element: also wrong at |z| = 60
    assert not check.losses_bce_logits(lambda z, y: F.binary_cross_entropy(torch.sigmoid(z), y))
    assert not check.losses_bce_logits(lambda z, y: -stable(z, y))
    assert not check.losses_bce_logits(lambda z, y: z.unknown)


# ------------------------------------------------------------------ lecture 05


def test_learning_rate():
    assert check.descent_learning_rate(0.07)
    assert check.descent_learning_rate(0.05)
    bad = check.descent_learning_rate(0.1)
    assert not bad and "diverges" in bad.message
    bad = check.descent_learning_rate(0.01)
    assert not bad and "too slow" in bad.message
    bad = check.descent_learning_rate(0.08)  # exactly 2/λ: oscillates forever
    assert not bad and "zig-zags" in bad.message
    assert not check.descent_learning_rate(-0.05)
    assert not check.descent_learning_rate("0.07")
    assert not check.descent_learning_rate(...)


def _good_layer(delta_next, W_next, z, a_prev):
    s = torch.sigmoid(z)
    delta = (W_next.T @ delta_next) * s * (1 - s)
    return delta, torch.outer(delta, a_prev), delta


def test_backprop_layer():
    assert check.backprop_layer(_good_layer)

    def no_sigma_prime(delta_next, W_next, z, a_prev):
        delta = W_next.T @ delta_next
        return delta, torch.outer(delta, a_prev), delta

    def transposed_dW(delta_next, W_next, z, a_prev):
        delta, dW, db = _good_layer(delta_next, W_next, z, a_prev)
        return delta, dW.T, db

    def no_transpose(delta_next, W_next, z, a_prev):  # shape error inside student code
        return _good_layer(delta_next, W_next.T, z, a_prev)

    bad = check.backprop_layer(no_sigma_prime)
    assert not bad and "σ'" in bad.message
    bad = check.backprop_layer(transposed_dW)
    assert not bad and "shape" in bad.message
    bad = check.backprop_layer(no_transpose)
    assert not bad and "raised" in bad.message
    assert not check.backprop_layer(lambda *a: None)


def test_momentum_step():
    def good(w, grad, v, *, lr, momentum):
        v = momentum * v + grad
        return w - lr * v, v

    def dampened(w, grad, v, *, lr, momentum):
        v = momentum * v + (1 - momentum) * grad
        return w - lr * v, v

    def plain_sgd(w, grad, v, *, lr, momentum):
        return w - lr * grad, v

    assert check.optim_momentum_step(good)
    bad = check.optim_momentum_step(dampened)
    assert not bad and "1 − momentum" in bad.message
    assert not check.optim_momentum_step(plain_sgd)
    assert not check.optim_momentum_step(lambda w, g, v, **kw: w)
    assert not check.optim_momentum_step(lambda w, g, v: (w, v))  # no lr/momentum keywords


def test_blank_student_answers_get_a_hint_not_a_crash():
    def blank(*args, **kwargs):  # what tools/student_copies.py leaves: a body of `...`
        ...

    for name in ["losses_mse", "losses_cross_entropy", "losses_bce_logits"]:
        result = getattr(check, name)(blank)
        assert not result and "nothing yet" in result.message
    for name in ["backprop_layer", "optim_momentum_step"]:
        result = getattr(check, name)(blank)
        assert not result and "returned nothing" in result.message
    assert "no answer yet" in check.descent_learning_rate(...).message


def test_checkers_never_reveal_a_solution():
    for name in ["losses_mse", "losses_cross_entropy", "losses_bce_logits",
                 "backprop_layer", "optim_momentum_step"]:
        result = getattr(check, name)(lambda *a, **k: torch.tensor(0.0))
        assert not result
        for code in ("log1p", "torch.outer", "momentum * v", ".mean()", "W_next.T"):
            assert code not in result.message, (name, code)
