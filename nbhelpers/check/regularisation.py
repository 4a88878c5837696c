"""Exercises of lecture 09 (regularisation): the L2 penalty of a model, dropout by hand,
parameter groups that decay the weights but not the biases.

Each checker runs the student's function on models and tensors of its own and compares with
torch (autograd, ``torch.optim``, the definition of inverted dropout); the hints name the
usual mistakes, never the solution.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from nbhelpers.check import NotYet, Result, call, correct, exercise, not_yet, number, tensor


def _model() -> nn.Module:
    """A fixed small model with weight matrices, biases and batch-norm parameters."""
    g = torch.Generator().manual_seed(9)
    model = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g))
    return model


# ----------------------------------------------------------------------------- exercise 1


@exercise
def reg_l2_penalty(fn: Callable[[nn.Module, float], Any]) -> Result:
    """``fn(model, weight_decay) -> scalar tensor``: (λ/2)·Σ w² over all parameters, with
    autograd gradient λ·w for every parameter."""
    model, lam = _model(), 0.03
    params = list(model.parameters())
    squares = sum((p.detach().double() ** 2).sum().item() for p in params)
    weights_only = sum((p.detach().double() ** 2).sum().item() for p in params if p.ndim >= 2)
    out = call(fn, model, lam)
    got = tensor(out, hint="the penalty is a tensor built from the parameters")
    if got.numel() != 1:
        raise NotYet(f"return one number (a sum over all parameters), got a tensor of shape "
                     f"{tuple(got.shape)}.")
    value = got.item()
    if math.isclose(value, lam * squares, rel_tol=1e-4):
        return not_yet("twice too large: the penalty is λ/2 times the sum of squares, so "
                       "that its gradient is λ·w (the 2 of the derivative cancels the ½).")
    if math.isclose(value, lam / 2 * weights_only, rel_tol=1e-4):
        return not_yet("you left out the biases and batch-norm parameters: SGD's weight_decay "
                       "decays every parameter it is given, so include all of "
                       "model.parameters().")
    if math.isclose(value, lam / 2 * math.sqrt(squares), rel_tol=1e-4):
        return not_yet("that is the norm, not its square: sum the squared entries, no square "
                       "root.")
    if not math.isclose(value, lam / 2 * squares, rel_tol=1e-4):
        return not_yet(f"for a model with λ = {lam} you return {value:.5f}; (λ/2)·Σ w² over "
                       f"all its parameters is {lam / 2 * squares:.5f}.")
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return not_yet("the value is right, but autograd cannot differentiate it (did you use "
                       ".item(), .data, .detach() or torch.no_grad()?): build it from the "
                       "parameters themselves.")
    model.zero_grad()
    out.sum().backward()
    for name, p in model.named_parameters():
        if p.grad is None or not torch.allclose(p.grad, lam * p.detach(), rtol=1e-4,
                                                atol=1e-7):
            return not_yet(f"the value is right, but its gradient for {name} is not λ·w: "
                           "compute it from the parameters of the model you are given.")
    if not math.isclose(number(call(fn, model, 0.0)), 0.0, abs_tol=1e-12):
        return not_yet("with weight_decay = 0 the penalty must be 0.")
    return correct("your penalty is (λ/2)·Σ w², and autograd's gradient of it is λ·w for "
                   "every parameter: plain SGD on loss + penalty is SGD(weight_decay=λ).")


# ----------------------------------------------------------------------------- exercise 2


def _dropout_output(fn: Callable[..., Any], x: torch.Tensor, p: float,
                    training: bool) -> torch.Tensor:
    """``fn(x, p, training)`` as a float64 tensor of x's shape; x must come back unchanged."""
    before = x.clone()
    out = tensor(call(fn, x, p, training), shape=tuple(x.shape),
                 hint="dropout returns a tensor of the input's shape")
    if not torch.equal(x, before):
        raise NotYet("your function changed its input x in place; return a new tensor "
                     "instead (no x *= ..., no x[...] = 0).")
    return out


@exercise
def reg_dropout(fn: Callable[..., Any]) -> Result:
    """``fn(x, p, training)``: inverted dropout; identity when not training."""
    with torch.random.fork_rng():  # leave the student's random state as it was
        torch.manual_seed(9)
        x = torch.rand(40, 5_000) + 0.5                  # no zeros, so the mask shows
        if not torch.equal(_dropout_output(fn, x, 0.3, False), x.double()):
            return not_yet("with training=False dropout must return x unchanged (eval mode "
                           "is the identity).")
        p = 0.3
        out = _dropout_output(fn, x, p, True)
        zeroed = (out == 0).double().mean().item()
        if abs(zeroed - (1 - p)) < 0.01:
            return not_yet(f"with p = {p} you zero {zeroed:.0%} of the elements: p is the "
                           "probability of dropping an element, not of keeping it.")
        if zeroed == 0:
            return not_yet("in training mode nothing was set to 0: zero each element with "
                           "probability p.")
        per_row = (out == 0).double().mean(dim=1)
        if (per_row - p).abs().max() > 0.035:
            return not_yet("some rows are dropped much more than others: draw an independent "
                           "random number for every element, of x's full shape.")
        if abs(zeroed - p) > 0.01:
            return not_yet(f"with p = {p} you zero {zeroed:.1%} of the elements; expected "
                           f"about {p:.0%}.")
        kept = out != 0
        ratio = out[kept] / x.double()[kept]
        if torch.allclose(ratio, torch.ones_like(ratio)):
            return not_yet("the survivors keep their value: divide them by (1 − p), so that "
                           "the expected output equals the input.")
        if torch.allclose(ratio, torch.full_like(ratio, 1 - p)):
            return not_yet("you multiply the survivors by (1 − p); divide by it instead.")
        if not torch.allclose(ratio, torch.full_like(ratio, 1 / (1 - p)), rtol=1e-5):
            return not_yet("each surviving element must be exactly x / (1 − p).")
        again = _dropout_output(fn, x, p, True)
        if torch.equal(again == 0, out == 0):
            return not_yet("two calls dropped exactly the same elements: draw a new random "
                           "mask on every call.")
        if not torch.equal(_dropout_output(fn, x, 0.0, True), x.double()):
            return not_yet("with p = 0 nothing may be dropped: return x unchanged.")
    return correct("zeroed with probability p, survivors divided by 1 − p, a fresh mask each "
                   "call, and the identity in eval mode: that is nn.Dropout.")


# ----------------------------------------------------------------------------- exercise 3


@exercise
def reg_param_groups(fn: Callable[[nn.Module, float], Any]) -> Result:
    """``fn(model, weight_decay) -> [groups]``: parameters with 2+ dimensions decayed with
    ``weight_decay``, the others (biases, batch-norm γ and β) with 0."""
    model, lam = _model(), 0.05
    groups = call(fn, model, lam)
    if isinstance(groups, dict):
        groups = [groups]
    if not isinstance(groups, list | tuple) or not all(isinstance(g, dict) for g in groups):
        return not_yet("return a list of dicts, each {'params': [...], 'weight_decay': ...}.")
    if not all("params" in g for g in groups):
        return not_yet("every group needs a 'params' entry: the list of its parameters.")
    if not all("weight_decay" in g for g in groups):
        return not_yet("give every group its own 'weight_decay' (λ for the weights, 0 for "
                       "the rest).")
    try:
        optimizer = torch.optim.AdamW(groups, lr=1e-3)
    except (TypeError, ValueError) as err:
        return not_yet(f"torch.optim.AdamW does not accept these groups: {err}")
    decay_of = {id(p): group["weight_decay"] for group in optimizer.param_groups
                for p in group["params"]}
    names = {id(p): name for name, p in model.named_parameters()}
    missing = [name for i, name in names.items() if i not in decay_of]
    if missing:
        return not_yet(f"the groups leave out {', '.join(missing)}: every parameter of the "
                       "model must be in exactly one group.")
    if len(decay_of) != len(names):
        return not_yet("the groups hold tensors that are not parameters of this model.")
    weights = [p for p in model.parameters() if p.ndim >= 2]
    others = [p for p in model.parameters() if p.ndim < 2]
    if all(decay_of[id(p)] == 0 for p in weights) and all(decay_of[id(p)] == lam
                                                           for p in others):
        return not_yet("the other way round: decay the weight matrices, not the biases.")
    for p in weights:
        if decay_of[id(p)] != lam:
            return not_yet(f"{names[id(p)]} is a weight matrix ({p.ndim} dimensions): it "
                           f"should get weight_decay = {lam}, it gets {decay_of[id(p)]}.")
    for p in others:
        if decay_of[id(p)] != 0:
            hint = (" (batch norm's scale γ is called 'weight' too, but has one dimension)"
                    if names[id(p)].endswith("weight") else "")
            return not_yet(f"{names[id(p)]} has one dimension{hint}: it should get "
                           f"weight_decay = 0, it gets {decay_of[id(p)]}.")
    return correct("weight matrices decayed, biases and batch-norm parameters not: "
                   "ready for torch.optim.AdamW(groups, lr=...).")
