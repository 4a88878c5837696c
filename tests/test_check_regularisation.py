"""Lecture 09's checkers accept correct answers (torch's own included), reject the usual
wrong ones with a hint that names the mistake, and never crash."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from shared import blank_function_gets_the_hint, never_reveals, rejects, right, wrong

from nbhelpers.check import regularisation as check

NAMES = ["l2_penalty", "dropout", "param_groups"]


def test_l2_penalty():
    assert check.l2_penalty(
        lambda m, lam: lam / 2 * sum((p ** 2).sum() for p in m.parameters()))
    assert check.l2_penalty(
        lambda m, lam: lam / 2 * torch.cat([p.flatten() for p in m.parameters()]).norm() ** 2)
    rejects(check.l2_penalty(
        lambda m, lam: lam * sum((p ** 2).sum() for p in m.parameters())), "twice")
    rejects(check.l2_penalty(
        lambda m, lam: lam / 2 * sum((p ** 2).sum() for p in m.parameters() if p.ndim > 1)),
        "biases")
    rejects(check.l2_penalty(
        lambda m, lam: lam / 2 * torch.cat([p.flatten() for p in m.parameters()]).norm()),
        "square")
    rejects(check.l2_penalty(lambda m, lam: torch.tensor(
        lam / 2 * sum((p ** 2).sum().item() for p in m.parameters()))), "autograd")
    rejects(check.l2_penalty(
        lambda m, lam: lam / 2 * sum((p ** 2).sum().item() for p in m.parameters())),
        "torch.Tensor")
    rejects(check.l2_penalty(lambda m, lam: lam / 2 * torch.ones(3)), "one number")
    rejects(check.l2_penalty(lambda m, lam: 1 / 0), "ZeroDivisionError")


def _inverted(x, p, training):
    if not training:
        return x
    return x * (torch.rand_like(x) >= p) / (1 - p)


def test_dropout():
    assert check.dropout(_inverted)
    # the exercise says "use torch.rand_like, not F.dropout"
    rejects(check.dropout(lambda x, p, training: F.dropout(x, p, training)), "F.dropout")
    rejects(check.dropout(lambda x, p, t: torch.nn.Dropout(p).train(t)(x)), "Dropout")
    rejects(check.dropout(lambda x, p, t: x * (torch.rand_like(x) >= p) / (1 - p)),
            "training=False")
    rejects(check.dropout(
        lambda x, p, t: x * (torch.rand_like(x) >= p) if t else x), "divide them")
    rejects(check.dropout(
        lambda x, p, t: x * (torch.rand_like(x) >= p) * (1 - p) if t else x), "divide by it")
    rejects(check.dropout(
        lambda x, p, t: x * (torch.rand_like(x) < p) / (1 - p) if t else x), "not of keeping")
    rejects(check.dropout(lambda x, p, t: x.clone()), "nothing was set to 0")
    fixed = torch.Generator().manual_seed(1)
    masks = {}

    def same_mask(x, p, t):
        if not t:
            return x
        if x.shape not in masks:
            masks[x.shape] = torch.rand(x.shape, generator=fixed) >= p
        return x * masks[x.shape] / (1 - p)

    rejects(check.dropout(same_mask), "new random")
    rejects(check.dropout(  # one random number per row: whole rows dropped
        lambda x, p, t: x * (torch.rand(x.shape[0], 1) >= p) / (1 - p) if t else x), "rows")

    def in_place(x, p, t):
        if t:
            x.mul_((torch.rand_like(x) >= p) / (1 - p))
        return x

    rejects(check.dropout(in_place), "in place")
    rejects(check.dropout(lambda x, p, t: x[:1] if t else x), "shape")


def test_dropout_leaves_the_random_state_alone():
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    check.dropout(_inverted)
    assert torch.equal(torch.rand(3), expected)


def _groups(model, lam):
    params = list(model.parameters())
    return [{"params": [p for p in params if p.ndim >= 2], "weight_decay": lam},
            {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0}]


def test_param_groups():
    assert check.param_groups(_groups)
    rejects(check.param_groups(
        lambda m, lam: [{"params": list(m.parameters()), "weight_decay": lam}]), "bias")
    rejects(check.param_groups(lambda m, lam: [{**g, "weight_decay": lam - g[
        "weight_decay"]} for g in _groups(m, lam)]), "other way round")
    by_name = check.param_groups(lambda m, lam: [
        {"params": [p for n, p in m.named_parameters() if n.endswith("weight")],
         "weight_decay": lam},
        {"params": [p for n, p in m.named_parameters() if n.endswith("bias")],
         "weight_decay": 0.0}])
    rejects(by_name, "batch norm's scale")
    rejects(check.param_groups(lambda m, lam: _groups(m, lam)[:1]), "leave out")
    rejects(check.param_groups(lambda m, lam: [{"params": g["params"]}
                                                   for g in _groups(m, lam)]), "its own")
    rejects(check.param_groups(lambda m, lam: [
        {"params": list(m.parameters()), "weight_decay": 0.0}, _groups(m, lam)[0]]),
        "AdamW does not accept")
    rejects(check.param_groups(lambda m, lam: list(m.parameters())), "list of dicts")
    rejects(check.param_groups(lambda m, lam: [{"weight_decay": lam}]), "'params'")
    rejects(check.param_groups(lambda m, lam: _groups(m, lam) + [
        {"params": [torch.zeros(2, requires_grad=True)], "weight_decay": 0.0}]), "not parameters")


def test_blank_student_answers_get_a_hint_not_a_crash():
    blank_function_gets_the_hint(check, NAMES)


def test_checkers_never_reveal_a_solution():
    never_reveals(check, NAMES, ("rand_like", "p.ndim", "** 2).sum()", ">= p"))


# ----------------------------------------------------------------------------- catalogue


def _l2_reference(model, weight_decay):
    return weight_decay / 2 * sum((p ** 2).sum() for p in model.parameters())


def _l2_one_element(model, weight_decay):   # a (1,)-shaped tensor, NumPy λ
    import numpy as np
    total = torch.zeros(1)
    for p in model.parameters():
        total = total + p.pow(2).sum()
    return np.float64(weight_decay) * total / 2


def _l2_state_dict(model, weight_decay):    # buffers too, and no gradient
    return weight_decay / 2 * sum((v.float() ** 2).sum() for v in model.state_dict().values())


def _l2_named_weights(model, weight_decay):
    return weight_decay / 2 * sum((p ** 2).sum() for n, p in model.named_parameters()
                                  if n.endswith("weight"))


def _dropout_bernoulli(x, p, training):
    if not training:
        return x.clone()
    return x * torch.bernoulli(torch.full_like(x, 1 - p)) / (1 - p)


def _dropout_where(x, p, training):
    if not training:
        return x
    return torch.where(torch.rand(x.shape) > p, x / (1 - p), torch.zeros_like(x))


def _dropout_per_column(x, p, training):     # one number per column, shared by every row
    if not training:
        return x
    return x * (torch.rand(x.shape[-1]) >= p) / (1 - p)


def _dropout_per_example(x, p, training):    # one mask for the whole batch
    if not training:
        return x
    return x * (torch.rand(x.shape[1:]) >= p) / (1 - p)


def _dropout_2d_only(x, p, training):
    if not training:
        return x
    return x * (torch.rand(x.shape[0], x.shape[1]) >= p) / (1 - p)


def _dropout_by_p(x, p, training):
    if not training:
        return x
    return x * (torch.rand_like(x) >= p) / p


def _dropout_seeded(x, p, training):
    if not training:
        return x
    torch.manual_seed(0)
    return x * (torch.rand_like(x) >= p) / (1 - p)


def _dropout_in_place(x, p, training):
    if training:
        x.mul_((torch.rand_like(x) >= p) / (1 - p))
    return x


def _dropout_exact_count(x, p, training):  # exactly p·n zeros: not independent
    if not training:
        return x
    keep = torch.ones(x.numel())
    keep[torch.randperm(x.numel())[:round(p * x.numel())]] = 0
    return x * keep.view(x.shape) / (1 - p)


def _groups_generators(model, weight_decay):
    return [{"params": filter(lambda p: p.dim() > 1, model.parameters()),
             "weight_decay": weight_decay},
            {"params": (p for p in model.parameters() if p.dim() <= 1), "weight_decay": 0}]


def _groups_by_module(model, weight_decay):  # weights of the layers that hold a matrix
    decay, rest = [], []
    for module in model.modules():
        for name, p in module.named_parameters(recurse=False):
            (decay if name == "weight" and not isinstance(
                module, torch.nn.modules.batchnorm._BatchNorm) else rest).append(p)
    return [{"params": decay, "weight_decay": weight_decay},
            {"params": rest, "weight_decay": 0.0}]


def _groups_two_dims(model, weight_decay):   # matrices only: kernels left out
    params = list(model.parameters())
    return [{"params": [p for p in params if p.ndim == 2], "weight_decay": weight_decay},
            {"params": [p for p in params if p.ndim != 2], "weight_decay": 0.0}]


def _groups_linear_only(model, weight_decay):
    decay = [m.weight for m in model.modules() if isinstance(m, torch.nn.Linear)]
    ids = {id(p) for p in decay}
    return [{"params": decay, "weight_decay": weight_decay},
            {"params": [p for p in model.parameters() if id(p) not in ids],
             "weight_decay": 0.0}]


def _groups_hard_coded(model, weight_decay):
    return _groups(model, 0.05)


def _groups_by_index(model, weight_decay):   # the lecture's model: weights at 0, 4
    params = list(model.parameters())
    return [{"params": [params[0], params[4]], "weight_decay": weight_decay},
            {"params": params[1:4] + params[5:], "weight_decay": 0.0}]


CATALOGUE = {
    "l2_penalty": [
        right("the lecture's answer", _l2_reference),
        right("the squared norm of all parameters", lambda m, lam: lam / 2 * torch.cat(
            [p.flatten() for p in m.parameters()]).norm() ** 2),
        right("a (1,) tensor, λ a NumPy float", _l2_one_element),
        wrong("λ·Σw², no ½", lambda m, lam: 2 * _l2_reference(m, lam), hint="twice"),
        wrong("weights only", lambda m, lam: lam / 2 * sum(
            (p ** 2).sum() for p in m.parameters() if p.ndim > 1), hint="biases"),
        wrong("names ending in weight", _l2_named_weights, hint="biases"),
        wrong("the norm, not squared", lambda m, lam: lam / 2 * torch.cat(
            [p.flatten() for p in m.parameters()]).norm(), hint="square"),
        wrong("mean of the squares", lambda m, lam: lam / 2 * sum(
            (p ** 2).mean() for p in m.parameters()), hint="mean"),
        wrong("square of the sum", lambda m, lam: lam / 2 * sum(
            p.sum() ** 2 for p in m.parameters()), hint="square of"),
        wrong("absolute values (L1)", lambda m, lam: lam / 2 * sum(
            p.abs().sum() for p in m.parameters()), hint="L1"),
        wrong("the state dict, buffers included", _l2_state_dict, hint="buffers"),
        wrong("a float via .item()", lambda m, lam: torch.tensor(lam / 2 * sum(
            (p ** 2).sum().item() for p in m.parameters())), hint="autograd"),
        wrong("built from p.data", lambda m, lam: lam / 2 * sum(
            (p.data ** 2).sum() for p in m.parameters()), hint="autograd"),
        wrong("λ = 0.03 hard-coded", lambda m, lam: _l2_reference(m, 0.03), hint="λ"),
        wrong("a Python float", lambda m, lam: _l2_reference(m, lam).item(),
              hint="torch.Tensor"),
    ],
    "dropout": [
        right("the lecture's answer", _inverted),
        right("bernoulli mask, a copy in eval mode", _dropout_bernoulli),
        right("torch.where with rand(x.shape), > p", _dropout_where),
        right("a float mask from rand(x.size())", lambda x, p, t: x * (
            torch.rand(x.size()) > p).float() / (1 - p) if t else x),
        wrong("dropout in eval mode", lambda x, p, t: x * (torch.rand_like(x) >= p) / (1 - p),
              hint="training=False"),
        wrong("survivors not rescaled",
              lambda x, p, t: x * (torch.rand_like(x) >= p) if t else x, hint="divide them"),
        wrong("survivors times (1 − p)",
              lambda x, p, t: x * (torch.rand_like(x) >= p) * (1 - p) if t else x,
              hint="divide by it"),
        wrong("survivors divided by p", _dropout_by_p, hint="not by p"),
        wrong("p is the keep probability",
              lambda x, p, t: x * (torch.rand_like(x) < p) / (1 - p) if t else x,
              hint="not of keeping"),
        wrong("nothing dropped", lambda x, p, t: x.clone(), hint="nothing was set to 0"),
        wrong("one number per row",
              lambda x, p, t: x * (torch.rand(x.shape[0], 1) >= p) / (1 - p) if t else x,
              hint="independent"),
        wrong("one number per column, shared by the rows", _dropout_per_column,
              hint="independent"),
        wrong("one mask for the whole batch", _dropout_per_example, hint="independent"),
        wrong("a 2-D mask only", _dropout_2d_only, hint="shape"),
        wrong("seeds the generator: the same mask every call", _dropout_seeded,
              hint="new random"),
        wrong("in place", _dropout_in_place, hint="in place"),
        wrong("a coin flip, whatever p", lambda x, p, t: x * torch.randint(0, 2, x.shape)
              / (1 - p) if t else x, hint="expected about 30%"),
        wrong("exactly p·n elements dropped", _dropout_exact_count, hint="exactly p·n"),
        wrong("p = 0.3 hard-coded (and p = 0 handled)", lambda x, p, t: x if not t or p == 0
              else x * (torch.rand_like(x) >= 0.3) / 0.7, hint="the argument p"),
        wrong("F.dropout, which the exercise rules out",
              lambda x, p, training: F.dropout(x, p, training), hint="F.dropout"),
    ],
    "param_groups": [
        right("the lecture's answer", _groups),
        right("generators and dim(), weight_decay 0 as an int", _groups_generators),
        right("by module: weights of layers other than batch norm", _groups_by_module),
        wrong("all parameters decayed", lambda m, lam: [{"params": list(m.parameters()),
                                                          "weight_decay": lam}], hint="bias"),
        wrong("the other way round", lambda m, lam: [{**g, "weight_decay": lam - g[
            "weight_decay"]} for g in _groups(m, lam)], hint="other way round"),
        wrong("by name: batch norm's γ decayed", lambda m, lam: [
            {"params": [p for n, p in m.named_parameters() if n.endswith("weight")],
             "weight_decay": lam},
            {"params": [p for n, p in m.named_parameters() if n.endswith("bias")],
             "weight_decay": 0.0}], hint="batch norm's scale"),
        wrong("2-D matrices only: conv kernels not decayed", _groups_two_dims,
              hint="4 dimensions"),
        wrong("nn.Linear weights only", _groups_linear_only, hint="4 dimensions"),
        wrong("λ = 0.05 hard-coded", _groups_hard_coded, hint="weight_decay ="),
        wrong("parameters picked by index", _groups_by_index, hint="weight_decay ="),
        wrong("weights only, biases left out", lambda m, lam: _groups(m, lam)[:1],
              hint="leave out"),
        wrong("no weight_decay keys", lambda m, lam: [{"params": g["params"]}
                                                      for g in _groups(m, lam)],
              hint="its own"),
        wrong("a parameter in two groups", lambda m, lam: [
            {"params": list(m.parameters()), "weight_decay": 0.0}, _groups(m, lam)[0]],
            hint="AdamW does not accept"),
        wrong("a list of tensors", lambda m, lam: list(m.parameters()), hint="list of dicts"),
    ],
}
