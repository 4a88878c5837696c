"""Lecture 06's checkers: one backward step of a sigmoid layer, the output error of softmax +
cross-entropy (both against autograd)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from shared import blank_function_gets_the_hint, never_reveals, right, wrong

from nbhelpers.check import backpropagation as check

NAMES = ["layer_backward", "output_delta"]


def _good_layer(delta_next, W_next, z, a_prev):
    s = torch.sigmoid(z)
    delta = (W_next.T @ delta_next) * s * (1 - s)
    return delta, torch.outer(delta, a_prev), delta


def test_backprop_layer():
    assert check.layer_backward(_good_layer)

    def no_sigma_prime(delta_next, W_next, z, a_prev):
        delta = W_next.T @ delta_next
        return delta, torch.outer(delta, a_prev), delta

    def transposed_dW(delta_next, W_next, z, a_prev):
        delta, dW, db = _good_layer(delta_next, W_next, z, a_prev)
        return delta, dW.T, db

    def no_transpose(delta_next, W_next, z, a_prev):  # shape error inside student code
        return _good_layer(delta_next, W_next.T, z, a_prev)

    def wrong_db(delta_next, W_next, z, a_prev):
        delta, dW, _ = _good_layer(delta_next, W_next, z, a_prev)
        return delta, dW, 2 * delta

    bad = check.layer_backward(no_sigma_prime)
    assert not bad and "σ'" in bad.message
    bad = check.layer_backward(transposed_dW)
    assert not bad and "shape" in bad.message
    bad = check.layer_backward(no_transpose)  # seen on the square layer, not as a crash
    assert not bad and "transpose" in bad.message
    bad = check.layer_backward(wrong_db)
    assert not bad and "db" in bad.message
    assert not check.layer_backward(lambda *a: None)
    assert "return 3 tensors" in check.layer_backward(lambda *a: (a[0], a[1])).message


def _good_delta(z, y):
    return (torch.softmax(z, dim=1) - F.one_hot(y, z.shape[1])) / len(z)


def test_softmax_delta():
    assert check.output_delta(_good_delta)

    def by_autograd(z, y):
        z = z.clone().requires_grad_(True)
        return torch.autograd.grad(F.cross_entropy(z, y), z)[0]

    assert check.output_delta(by_autograd)
    cases = {
        "1/B": lambda z, y: _good_delta(z, y) * len(z),
        "sign": lambda z, y: -_good_delta(z, y),
        "outside the softmax": lambda z, y: torch.softmax(z, dim=1) / len(z),
        "not the sigmoid": lambda z, y: (torch.sigmoid(z) - F.one_hot(y, 4)) / len(z),
        "dim 0": lambda z, y: (torch.softmax(z, dim=0) - F.one_hot(y, 4)) / len(z),  # wrong axis
        "batch size": lambda z, y: (torch.softmax(z, dim=1) - F.one_hot(y, 4)) / (len(z) + 1),
        "differs": lambda z, y: (torch.softmax(z, dim=1) - 0.9 * F.one_hot(y, 4)) / len(z),
    }
    for words, fn in cases.items():
        result = check.output_delta(fn)
        assert not result and words in result.message, (words, result.message)
    bad = check.output_delta(lambda z, y: z.sum(dim=1))
    assert not bad and "shape" in bad.message
    assert not check.output_delta(lambda z, y: z.tolist())


def test_blank_student_answers_get_a_hint_not_a_crash():
    blank_function_gets_the_hint(check, NAMES)


def test_checkers_never_reveal_a_solution():
    never_reveals(check, NAMES, ("torch.outer", "W_next.T", "softmax(z, dim", "one_hot"))


# ----------------------------------------------------------------------------- catalogue


def _layer_autograd(delta_next, W_next, z, a_prev):
    W = torch.zeros(len(z), len(a_prev), dtype=z.dtype, requires_grad=True)
    b = z.detach().clone().requires_grad_(True)
    z_here = W @ a_prev + b                       # equals z at W = 0, b = z
    (W_next @ torch.sigmoid(z_here)).backward(delta_next)
    return b.grad, W.grad, b.grad


def _layer_broadcast(delta_next, W_next, z, a_prev):
    s = 1 / (1 + torch.exp(-z))
    delta = (delta_next @ W_next) * s * (1 - s)
    return [delta, delta[:, None] * a_prev[None, :], delta.clone()]


def _layer_float32(delta_next, W_next, z, a_prev):
    return tuple(t.float() for t in _good_layer(delta_next, W_next, z, a_prev))


def _layer_in_place(delta_next, W_next, z, a_prev):
    s = z.sigmoid_()                              # overwrites the caller's z
    delta = (W_next.T @ delta_next) * s * (1 - s)
    return delta, torch.outer(delta, a_prev), delta


def _layer_z_as_activation(delta_next, W_next, z, a_prev):
    delta = (W_next.T @ delta_next) * z * (1 - z)  # σ'(z) written as z(1 − z)
    return delta, torch.outer(delta, a_prev), delta


def _layer_tanh(delta_next, W_next, z, a_prev):
    delta = (W_next.T @ delta_next) * (1 - torch.tanh(z) ** 2)
    return delta, torch.outer(delta, a_prev), delta


def _layer_W_next_not_transposed(delta_next, W_next, z, a_prev):
    s = torch.sigmoid(z)
    delta = (W_next.reshape(W_next.shape[1], -1) @ delta_next) * s * (1 - s)
    return delta, torch.outer(delta, a_prev), delta


def _layer_dW_transposed(delta_next, W_next, z, a_prev):
    delta, dW, db = _good_layer(delta_next, W_next, z, a_prev)
    return delta, dW.T.reshape(dW.shape), db     # the transpose, squeezed into W's shape


def _layer_dW_from_delta_next(delta_next, W_next, z, a_prev):
    delta, _, db = _good_layer(delta_next, W_next, z, a_prev)
    return delta, torch.outer(delta, torch.sigmoid(a_prev)), db


def _layer_hard_coded(delta_next, W_next, z, a_prev):
    g = torch.Generator().manual_seed(7)           # the checker's own numbers, once
    a = torch.rand(3, generator=g, dtype=torch.float64)
    W = torch.randn(4, 3, generator=g, dtype=torch.float64)
    b = torch.randn(4, generator=g, dtype=torch.float64)
    Wn = torch.randn(2, 4, generator=g, dtype=torch.float64)
    t = torch.rand(2, generator=g, dtype=torch.float64)
    zz = W @ a + b
    dn = Wn @ torch.sigmoid(zz) - t
    return _good_layer(dn, Wn, zz, a)


def _delta_float32(z, y):
    out = torch.zeros(z.shape)                    # float32 by default
    out += torch.softmax(z, dim=1) - F.one_hot(y, z.shape[1])
    return out / len(z)


def _delta_log_softmax(z, y):
    p = torch.log_softmax(z, dim=1).exp()
    p[torch.arange(len(y)), y] -= 1
    return p / z.shape[0]


def _delta_unstable(z, y):
    e = torch.exp(z)
    return (e / e.sum(dim=1, keepdim=True) - F.one_hot(y, z.shape[1])) / len(z)


def _delta_global_max(z, y):
    e = torch.exp(z - z.max())                    # one max for the whole batch
    return (e / e.sum(dim=1, keepdim=True) - F.one_hot(y, z.shape[1])) / len(z)


def _delta_column_max(z, y):
    e = torch.exp(z - z.max(dim=0, keepdim=True).values)
    return (e / e.sum(dim=1, keepdim=True) - F.one_hot(y, z.shape[1])) / len(z)


def _delta_one_hot_guessed(z, y):
    return (torch.softmax(z, dim=1) - F.one_hot(y)) / len(z)   # C from the labels present


def _delta_C_hard_coded(z, y):
    return (torch.softmax(z, dim=1) - F.one_hot(y, 4)) / len(z)


def _delta_B_hard_coded(z, y):
    return (torch.softmax(z, dim=1) - F.one_hot(y, z.shape[1])) / 5


def _delta_over_C(z, y):
    return (torch.softmax(z, dim=1) - F.one_hot(y, z.shape[1])) / z.shape[1]


def _delta_in_place(z, y):
    z -= z.max(dim=1, keepdim=True).values        # changes the caller's logits
    return (torch.softmax(z, dim=1) - F.one_hot(y, z.shape[1])) / len(z)


CATALOGUE = {
    "layer_backward": [
        right("the lecture's answer", _good_layer),
        right("autograd through the layer", _layer_autograd),
        right("broadcast outer product, a list, sigmoid by hand", _layer_broadcast),
        right("float32 tensors", _layer_float32),
        right("NumPy arrays", lambda *a: tuple(t.numpy() for t in _good_layer(*a))),
        wrong("no σ'(z)", lambda dn, Wn, z, a: (lambda d: (d, torch.outer(d, a), d))(Wn.T @ dn),
              hint="σ'(zˡ)"),
        wrong("σ'(z) written as z(1 − z)", _layer_z_as_activation, hint="z(1 − z)"),
        wrong("tanh's derivative", _layer_tanh, hint="σ'(z) = σ(z)(1 − σ(z))"),
        wrong("W_next not transposed", _layer_W_next_not_transposed, hint="transpose"),
        wrong("dW transposed", _layer_dW_transposed, hint="entry (j, k)"),
        wrong("dW of the wrong vectors", _layer_dW_from_delta_next, hint="outer product"),
        wrong("db doubled", lambda *a: (lambda d, w, b: (d, w, 2 * b))(*_good_layer(*a)),
              hint="db"),
        wrong("changes z in place", _layer_in_place, hint="in place"),
        wrong("hard-codes the checker's numbers", _layer_hard_coded, hint="delta has shape"),
        wrong("two tensors", lambda *a: _good_layer(*a)[:2], hint="return 3 tensors"),
    ],
    "output_delta": [
        right("the lecture's answer", _good_delta),
        right("autograd", lambda z, y: _by_autograd(z, y)),
        right("log_softmax, subtract 1 at the label", _delta_log_softmax),
        right("float32 result", _delta_float32),
        right("a NumPy array", lambda z, y: _good_delta(z, y).numpy()),
        right("stable by logsumexp", lambda z, y: (torch.exp(z - torch.logsumexp(
            z, 1, keepdim=True)) - F.one_hot(y, z.shape[1])) / len(y)),
        wrong("times B", lambda z, y: _good_delta(z, y) * len(z), hint="1/B"),
        wrong("sign flipped", lambda z, y: -_good_delta(z, y), hint="sign"),
        wrong("softmax only", lambda z, y: torch.softmax(z, dim=1) / len(z),
              hint="outside the softmax"),
        wrong("sigmoid", lambda z, y: (torch.sigmoid(z) - F.one_hot(y, z.shape[1])) / len(z),
              hint="not the sigmoid"),
        wrong("softmax over the batch", lambda z, y: (torch.softmax(z, dim=0)
                                                      - F.one_hot(y, z.shape[1])) / len(z),
              hint="dim"),
        wrong("exp without a shift: overflows", _delta_unstable, hint="large logits"),
        wrong("subtracts one max for the whole batch", _delta_global_max, hint="each row"),
        wrong("subtracts each column's max", _delta_column_max, hint="each row"),
        wrong("F.one_hot(y) without the number of classes", _delta_one_hot_guessed,
              hint="number of classes"),
        wrong("C = 4 hard-coded", _delta_C_hard_coded, hint="number of classes"),
        wrong("B = 5 hard-coded", _delta_B_hard_coded, hint="batch size"),
        wrong("divides by C", _delta_over_C, hint="1/B"),
        wrong("changes z in place", _delta_in_place, hint="in place"),
        wrong("row max without keepdim", lambda z, y: (torch.softmax(
            z - z.max(1).values, 1) - F.one_hot(y, z.shape[1])) / len(y), hint="raised"),
        wrong("one value per example", lambda z, y: z.sum(dim=1), hint="shape"),
    ],
}


def _by_autograd(z, y):
    z = z.clone().requires_grad_(True)
    return torch.autograd.grad(F.cross_entropy(z, y), z)[0]
