"""Lecture 04's checkers accept a reference loss, reject plausible wrong ones with a hint
(sum, L1, sign, overflow), and never crash."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from shared import blank_function_gets_the_hint, never_reveals, right, wrong

from nbhelpers.check import loss_functions as check

NAMES = ["mse", "cross_entropy", "bce_with_logits"]


def test_mse():
    assert check.mse(lambda p, t: ((p - t) ** 2).mean())
    bad = check.mse(lambda p, t: ((p - t) ** 2).sum())
    assert not bad and "sum" in bad.message
    bad = check.mse(lambda p, t: (p - t).abs().mean())
    assert not bad and "L1" in bad.message
    assert not check.mse(lambda p, t: (p - t) ** 2)  # not reduced
    assert not check.mse(lambda p, t: 1 / 0)
    assert not check.mse(...)


def test_cross_entropy():
    def stable(x, y):
        return (torch.logsumexp(x, 1) - x[torch.arange(len(y)), y]).mean()

    def naive(x, y):
        p = torch.exp(x) / torch.exp(x).sum(1, keepdim=True)
        return -torch.log(p[torch.arange(len(y)), y]).mean()

    def notes_formula(x, y):  # the lecture notes' formula, without the minus
        return -naive(x, y)

    assert check.cross_entropy(stable)
    assert check.cross_entropy(F.cross_entropy)
    bad = check.cross_entropy(naive)
    assert not bad and "overflow" in bad.message
    bad = check.cross_entropy(notes_formula)
    assert not bad and "sign" in bad.message
    assert not check.cross_entropy(lambda x, y: None)


def test_bce_with_logits():
    def stable(z, y):
        return (z.clamp(min=0) - y * z + torch.log1p(torch.exp(-z.abs()))).mean()

    def naive(z, y):
        p = torch.sigmoid(z)
        return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()

    assert check.bce_with_logits(stable)
    assert check.bce_with_logits(F.binary_cross_entropy_with_logits)
    bad = check.bce_with_logits(naive)
    assert not bad and "±60" in bad.message and "log 0" in bad.message
    # torch's BCELoss on σ(z) is clamped to 100 per element: also wrong at |z| = 60
    assert not check.bce_with_logits(lambda z, y: F.binary_cross_entropy(torch.sigmoid(z), y))
    assert not check.bce_with_logits(lambda z, y: -stable(z, y))
    assert not check.bce_with_logits(lambda z, y: z.unknown)


def test_blank_student_answers_get_a_hint_not_a_crash():
    blank_function_gets_the_hint(check, NAMES)


def test_checkers_never_reveal_a_solution():
    never_reveals(check, NAMES, ("log1p", "torch.outer", "momentum * v", ".mean()", "W_next.T"))


def _mse_in_place(pred, target):
    pred -= target
    return (pred**2).mean()


def _mse_numpy(pred, target):
    return torch.tensor(np.mean((pred.numpy() - target.numpy()) ** 2))


def _rows(labels):
    return torch.arange(len(labels))


def _ce_reference(logits, labels):
    m = logits.max(dim=1, keepdim=True).values
    log_sum_exp = m.squeeze(1) + torch.log(torch.exp(logits - m).sum(dim=1))
    return (log_sum_exp - logits[_rows(labels), labels]).mean()


def _ce_naive(logits, labels):
    p = torch.exp(logits) / torch.exp(logits).sum(1, keepdim=True)
    return -torch.log(p[_rows(labels), labels]).mean()


def _ce_global_max(logits, labels):
    m = logits.max()
    return (m + torch.log(torch.exp(logits - m).sum(1)) - logits[_rows(labels), labels]).mean()


def _ce_max_not_added_back(logits, labels):
    m = logits.max(dim=1, keepdim=True).values
    return (torch.log(torch.exp(logits - m).sum(1)) - logits[_rows(labels), labels]).mean()


def _ce_one_hot_mean(logits, labels):
    one_hot = F.one_hot(labels, logits.shape[1]).to(logits.dtype)
    return -(one_hot * torch.log_softmax(logits, dim=1)).mean()


def _ce_in_place(logits, labels):
    logits -= logits.max(dim=1, keepdim=True).values
    return (torch.logsumexp(logits, 1) - logits[_rows(labels), labels]).mean()


def _ce_detached_true_logit(logits, labels):
    return (torch.logsumexp(logits, 1) - logits[_rows(labels), labels].detach()).mean()


def _bce_reference(z, y):
    return (z.clamp(min=0) - y * z + torch.log1p(torch.exp(-z.abs()))).mean()


def _bce_naive(z, y):
    p = torch.sigmoid(z)
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


def _bce_piecewise(z, y):  # both branches computed, the overflowing one discarded
    softplus = torch.where(z > 0, z + torch.log1p(torch.exp(-z)), torch.log1p(torch.exp(z)))
    return (softplus - y * z).mean()


def _bce_in_place(z, y):
    loss = torch.log1p(torch.exp(-z.abs())) - y * z
    return (loss + z.clamp_(min=0)).mean()


CATALOGUE = {
    "mse": [
        right("the reference ((p − t)²).mean()", lambda p, t: ((p - t) ** 2).mean()),
        right("(t − p)², torch.square", lambda p, t: torch.square(t - p).mean()),
        right("sum / numel", lambda p, t: ((p - t) ** 2).sum() / p.numel()),
        right("mean over the last dim, then the mean",
              lambda p, t: ((p - t) ** 2).mean(dim=-1).mean()),
        wrong("F.mse_loss, which the exercise rules out", F.mse_loss, hint="without F.mse_loss"),
        wrong("nn.MSELoss", lambda p, t: torch.nn.MSELoss()(p, t), hint="without F.mse_loss"),
        wrong("the sum", lambda p, t: ((p - t) ** 2).sum(), hint="sum of squares"),
        wrong("the mean absolute error", lambda p, t: (p - t).abs().mean(), hint="L1"),
        wrong("the mean, then squared", lambda p, t: (p - t).mean() ** 2, hint="square each"),
        wrong("half the MSE", lambda p, t: 0.5 * ((p - t) ** 2).mean(), hint="half the MSE"),
        wrong("the RMSE", lambda p, t: ((p - t) ** 2).mean().sqrt(), hint="RMSE"),
        wrong("divides by n − 1", lambda p, t: ((p - t) ** 2).sum() / (p.numel() - 1),
              hint="n − 1"),
        wrong("divides by len(pred)", lambda p, t: ((p - t) ** 2).sum() / len(p),
              hint="ALL elements"),
        wrong("not reduced", lambda p, t: (p - t) ** 2, hint="one number"),
        wrong("mean over dim 0 only", lambda p, t: ((p - t) ** 2).mean(dim=0), hint="one number"),
        wrong("a Python float (.item())", lambda p, t: ((p - t) ** 2).mean().item(),
              hint="no .item()"),
        wrong("via NumPy: cut off from autograd", _mse_numpy, hint="cut off"),
        wrong("detached", lambda p, t: ((p - t) ** 2).mean().detach(), hint="cut off"),
        wrong("pred -= target: changes the input", _mse_in_place, hint="in place"),
    ],
    "cross_entropy": [
        right("the reference: row max, then log-sum-exp", _ce_reference),
        right("torch.logsumexp", lambda x, y: (torch.logsumexp(x, 1) - x[_rows(y), y]).mean()),
        right("F.cross_entropy (the exercise allows it)", F.cross_entropy),
        right("NLL of log_softmax", lambda x, y: F.nll_loss(torch.log_softmax(x, 1), y)),
        right("nn.CrossEntropyLoss", lambda x, y: torch.nn.CrossEntropyLoss()(x, y)),
        right("gather", lambda x, y: (torch.logsumexp(x, 1)
                                      - x.gather(1, y.unsqueeze(1)).squeeze(1)).mean()),
        wrong("naive softmax: overflows", _ce_naive, hint="overflow"),
        wrong("log of torch.softmax: log 0 for large logits",
              lambda x, y: -torch.log(torch.softmax(x, 1)[_rows(y), y]).mean(), hint="±800"),
        wrong("one max for the whole batch", _ce_global_max, hint="each row's maximum"),
        wrong("the max subtracted, never added back", _ce_max_not_added_back,
              hint="add it back"),
        wrong("the notes' formula without the minus", lambda x, y: -_ce_naive(x, y),
              hint="sign"),
        wrong("summed over the batch",
              lambda x, y: (torch.logsumexp(x, 1) - x[_rows(y), y]).sum(), hint="sum over"),
        wrong("one-hot, mean over N·C entries", _ce_one_hot_mean, hint="N·C"),
        wrong("softmax applied twice",
              lambda x, y: F.cross_entropy(torch.softmax(x, 1), y), hint="softmax twice"),
        wrong("logits[:, labels]: whole columns",
              lambda x, y: (torch.logsumexp(x, 1) - x[:, y]).mean(), hint="one entry per row"),
        wrong("batch size hard-coded to 6",
              lambda x, y: (torch.logsumexp(x, 1) - x[torch.arange(6), y]).mean(),
              hint=("(10, 7)", "raised")),
        wrong("per-sample losses, not reduced",
              lambda x, y: torch.logsumexp(x, 1) - x[_rows(y), y], hint="one number"),
        wrong("subtracts the max from the logits in place", _ce_in_place, hint="in place"),
        wrong("true-class logit detached", _ce_detached_true_logit, hint="wrong gradient"),
        wrong("a Python float", lambda x, y: F.cross_entropy(x, y).item(), hint="torch.Tensor"),
    ],
    "bce_with_logits": [
        right("the reference: clamp, log1p(exp(−|z|))", _bce_reference),
        right("F.binary_cross_entropy_with_logits (the exercise allows it)",
              F.binary_cross_entropy_with_logits),
        right("softplus(z) − y·z", lambda z, y: (F.softplus(z) - y * z).mean()),
        right("logsigmoid of z and −z",
              lambda z, y: -(y * F.logsigmoid(z) + (1 - y) * F.logsigmoid(-z)).mean()),
        right("logaddexp(0, z) − y·z",
              lambda z, y: (torch.logaddexp(torch.zeros_like(z), z) - y * z).mean()),
        right("torch.where of two softplus branches", _bce_piecewise),
        right("log instead of log1p: still stable", lambda z, y: (
            z.clamp(min=0) - y * z + torch.log(1 + torch.exp(-z.abs()))).mean()),
        right("nn.BCEWithLogitsLoss", lambda z, y: torch.nn.BCEWithLogitsLoss()(z, y)),
        wrong("naive log σ and log(1 − σ)", _bce_naive, hint=("±60", "log 0")),
        wrong("BCELoss on σ(z): clamped at 100",
              lambda z, y: F.binary_cross_entropy(torch.sigmoid(z), y), hint="±60"),
        wrong("σ clamped to [1e-7, 1 − 1e-7]",
              lambda z, y: F.binary_cross_entropy(torch.sigmoid(z).clamp(1e-7, 1 - 1e-7), y),
              hint="±60"),
        wrong("log(1 + e^z) − y·z: e^z overflows at 1000",
              lambda z, y: (torch.log1p(torch.exp(z)) - y * z).mean(), hint="±1000"),
        wrong("the sign flipped", lambda z, y: -_bce_reference(z, y), hint="sign"),
        wrong("the sum", lambda z, y: F.binary_cross_entropy_with_logits(z, y, reduction="sum"),
              hint="the sum"),
        wrong("y and 1 − y swapped", lambda z, y: _bce_reference(z, 1 - y), hint="swapped"),
        wrong("z taken as a probability", lambda z, y: F.binary_cross_entropy(
            z.clamp(0, 1), y), hint="p = σ(z)"),
        wrong("abs forgotten in the stable formula",
              lambda z, y: (z.clamp(min=0) - y * z + torch.log1p(torch.exp(-z))).mean(),
              hint="Remember p = σ(z)"),
        wrong("clamps z in place", _bce_in_place, hint="in place"),
        wrong("not reduced", lambda z, y: F.softplus(z) - y * z, hint="one number"),
        wrong("detached", lambda z, y: _bce_reference(z, y).detach(), hint="cut off"),
        wrong("an attribute that does not exist", lambda z, y: z.unknown, hint="AttributeError"),
    ],
}
