"""Lecture 09's checkers accept correct answers (torch's own included), reject the usual
wrong ones with a hint that names the mistake, and never crash."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from shared import blank_function_gets_the_hint, never_reveals, rejects

from nbhelpers import check

NAMES = ["reg_l2_penalty", "reg_dropout", "reg_param_groups"]


def test_l2_penalty():
    assert check.reg_l2_penalty(
        lambda m, lam: lam / 2 * sum((p ** 2).sum() for p in m.parameters()))
    assert check.reg_l2_penalty(
        lambda m, lam: lam / 2 * torch.cat([p.flatten() for p in m.parameters()]).norm() ** 2)
    rejects(check.reg_l2_penalty(
        lambda m, lam: lam * sum((p ** 2).sum() for p in m.parameters())), "twice")
    rejects(check.reg_l2_penalty(
        lambda m, lam: lam / 2 * sum((p ** 2).sum() for p in m.parameters() if p.ndim > 1)),
        "biases")
    rejects(check.reg_l2_penalty(
        lambda m, lam: lam / 2 * torch.cat([p.flatten() for p in m.parameters()]).norm()),
        "square")
    rejects(check.reg_l2_penalty(lambda m, lam: torch.tensor(
        lam / 2 * sum((p ** 2).sum().item() for p in m.parameters()))), "autograd")
    rejects(check.reg_l2_penalty(
        lambda m, lam: lam / 2 * sum((p ** 2).sum().item() for p in m.parameters())),
        "torch.Tensor")
    rejects(check.reg_l2_penalty(lambda m, lam: lam / 2 * torch.ones(3)), "one number")
    rejects(check.reg_l2_penalty(lambda m, lam: 1 / 0), "ZeroDivisionError")


def _inverted(x, p, training):
    if not training:
        return x
    return x * (torch.rand_like(x) >= p) / (1 - p)


def test_dropout():
    assert check.reg_dropout(_inverted)
    assert check.reg_dropout(lambda x, p, training: F.dropout(x, p, training))
    rejects(check.reg_dropout(lambda x, p, t: x * (torch.rand_like(x) >= p) / (1 - p)),
            "training=False")
    rejects(check.reg_dropout(
        lambda x, p, t: x * (torch.rand_like(x) >= p) if t else x), "divide them")
    rejects(check.reg_dropout(
        lambda x, p, t: x * (torch.rand_like(x) >= p) * (1 - p) if t else x), "divide by it")
    rejects(check.reg_dropout(
        lambda x, p, t: x * (torch.rand_like(x) < p) / (1 - p) if t else x), "not of keeping")
    rejects(check.reg_dropout(lambda x, p, t: x.clone()), "nothing was set to 0")
    fixed = torch.Generator().manual_seed(1)
    masks = {}

    def same_mask(x, p, t):
        if not t:
            return x
        if x.shape not in masks:
            masks[x.shape] = torch.rand(x.shape, generator=fixed) >= p
        return x * masks[x.shape] / (1 - p)

    rejects(check.reg_dropout(same_mask), "new random")
    rejects(check.reg_dropout(  # one random number per row: whole rows dropped
        lambda x, p, t: x * (torch.rand(x.shape[0], 1) >= p) / (1 - p) if t else x), "rows")

    def in_place(x, p, t):
        if t:
            x.mul_((torch.rand_like(x) >= p) / (1 - p))
        return x

    rejects(check.reg_dropout(in_place), "in place")
    rejects(check.reg_dropout(lambda x, p, t: x[:1] if t else x), "shape")


def test_dropout_leaves_the_random_state_alone():
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    check.reg_dropout(_inverted)
    assert torch.equal(torch.rand(3), expected)


def _groups(model, lam):
    params = list(model.parameters())
    return [{"params": [p for p in params if p.ndim >= 2], "weight_decay": lam},
            {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0}]


def test_param_groups():
    assert check.reg_param_groups(_groups)
    rejects(check.reg_param_groups(
        lambda m, lam: [{"params": list(m.parameters()), "weight_decay": lam}]), "bias")
    rejects(check.reg_param_groups(lambda m, lam: [{**g, "weight_decay": lam - g[
        "weight_decay"]} for g in _groups(m, lam)]), "other way round")
    by_name = check.reg_param_groups(lambda m, lam: [
        {"params": [p for n, p in m.named_parameters() if n.endswith("weight")],
         "weight_decay": lam},
        {"params": [p for n, p in m.named_parameters() if n.endswith("bias")],
         "weight_decay": 0.0}])
    rejects(by_name, "batch norm's scale")
    rejects(check.reg_param_groups(lambda m, lam: _groups(m, lam)[:1]), "leave out")
    rejects(check.reg_param_groups(lambda m, lam: [{"params": g["params"]}
                                                   for g in _groups(m, lam)]), "its own")
    rejects(check.reg_param_groups(lambda m, lam: [
        {"params": list(m.parameters()), "weight_decay": 0.0}, _groups(m, lam)[0]]),
        "AdamW does not accept")
    rejects(check.reg_param_groups(lambda m, lam: list(m.parameters())), "list of dicts")
    rejects(check.reg_param_groups(lambda m, lam: [{"weight_decay": lam}]), "'params'")
    rejects(check.reg_param_groups(lambda m, lam: _groups(m, lam) + [
        {"params": [torch.zeros(2, requires_grad=True)], "weight_decay": 0.0}]), "not parameters")


def test_blank_student_answers_get_a_hint_not_a_crash():
    blank_function_gets_the_hint(NAMES)


def test_checkers_never_reveal_a_solution():
    never_reveals(NAMES, ("rand_like", "p.ndim", "** 2).sum()", ">= p"))
