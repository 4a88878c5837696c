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

from nbhelpers.check import (
    NotYet,
    Result,
    call,
    correct,
    exercise,
    not_yet,
    number,
    refuse_shortcuts,
    tensor,
)


def _model() -> nn.Module:
    """A fixed small model with weight matrices, biases and batch-norm parameters."""
    g = torch.Generator().manual_seed(9)
    model = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g))
    return model


def _conv_model() -> nn.Module:
    """A second fixed model: conv kernels (4 dimensions, one conv without a bias), batch norm
    and a linear layer, so its parameters do not sit where the first model's do."""
    g = torch.Generator().manual_seed(10)
    model = nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.ReLU(),
                          nn.Conv2d(3, 2, 1, bias=False), nn.Flatten(), nn.Linear(8, 2))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g))
    return model


# ----------------------------------------------------------------------------- exercise 1


def _l2_hint(value: float, model: nn.Module, lam: float) -> str | None:
    """None when ``value`` is (λ/2)·Σ w² over the parameters of ``model``, else the hint."""
    params = list(model.parameters())
    squares = sum((p.detach().double() ** 2).sum().item() for p in params)
    if math.isclose(value, lam / 2 * squares, rel_tol=1e-4):
        return None
    weights_only = sum((p.detach().double() ** 2).sum().item() for p in params if p.ndim >= 2)
    named = sum((p.detach().double() ** 2).sum().item() for n, p in model.named_parameters()
                if n.endswith("weight"))
    buffers = sum((b.double() ** 2).sum().item() for b in model.buffers())
    guesses = {
        "twice too large: the penalty is λ/2 times the sum of squares, so that its gradient "
        "is λ·w (the 2 of the derivative cancels the ½).": lam * squares,
        "you left out the biases and batch-norm parameters: SGD's weight_decay decays every "
        "parameter it is given, so include all of model.parameters().": lam / 2 * weights_only,
        "you left out the biases: SGD's weight_decay decays every parameter it is given, so "
        "include all of model.parameters(), whatever their names.": lam / 2 * named,
        "that is the norm, not its square: sum the squared entries, no square root.":
            lam / 2 * math.sqrt(squares),
        "you take the mean of each tensor's squares; the penalty is their sum.":
            lam / 2 * sum((p.detach().double() ** 2).mean().item() for p in params),
        "that is the square of each tensor's sum; the penalty sums the squares of the "
        "entries.": lam / 2 * sum(p.detach().double().sum().item() ** 2 for p in params),
        "that sums absolute values (an L1 penalty); L2 sums squares.":
            lam / 2 * sum(p.detach().double().abs().sum().item() for p in params),
        "you also count the buffers (batch norm's running statistics, in state_dict()): they "
        "are not parameters; use model.parameters().": lam / 2 * (squares + buffers),
    }
    for hint, guess in guesses.items():
        if math.isclose(value, guess, rel_tol=1e-4):
            return hint
    return (f"for a model with λ = {lam} you return {value:.5f}; (λ/2)·Σ w² over all its "
            f"parameters is {lam / 2 * squares:.5f}.")


@exercise
def l2_penalty(fn: Callable[[nn.Module, float], Any]) -> Result:
    """``fn(model, weight_decay) -> scalar tensor``: (λ/2)·Σ w² over all parameters, with
    autograd gradient λ·w for every parameter; tried on two models (λ = 0.03, then a conv
    model with λ = 0.1), and λ = 0 must give 0."""
    for model, lam in ((_model(), 0.03), (_conv_model(), 0.1)):
        where = "" if lam == 0.03 else f"for a second model (with a conv layer) and λ = {lam}: "
        out = call(fn, model, lam)
        got = tensor(out, hint="the penalty is a tensor built from the parameters")
        if got.numel() != 1:
            raise NotYet(f"return one number (a sum over all parameters), got a tensor of "
                         f"shape {tuple(got.shape)}.")
        value = got.item()
        hint = _l2_hint(value, model, lam)
        if hint is None:
            pass
        elif lam != 0.03 and _l2_hint(value, model, 0.03) is None:
            hint = "you use λ = 0.03 whatever the weight_decay (λ) argument is."
        if hint is not None:
            return not_yet(where + hint)
        if not isinstance(out, torch.Tensor) or not out.requires_grad:
            return not_yet("the value is right, but autograd cannot differentiate it (did you "
                           "use .item(), .data, .detach() or torch.no_grad()?): build it from "
                           "the parameters themselves.")
        model.zero_grad()
        out.sum().backward()
        for name, p in model.named_parameters():
            if p.grad is None or not torch.allclose(p.grad, lam * p.detach(), rtol=1e-4,
                                                    atol=1e-7):
                return not_yet(f"{where}the value is right, but its gradient for {name} is not "
                               "λ·w: compute it from the parameters of the model you are "
                               "given.")
    if not math.isclose(number(call(fn, _model(), 0.0)), 0.0, abs_tol=1e-12):
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


def _shared_along(mask: torch.Tensor) -> int | None:
    """A dimension along which ``mask`` repeats itself (neighbours agree far more often than
    the p² + (1 − p)² of independent draws), or None."""
    for dim in range(mask.ndim):
        if mask.shape[dim] > 1 and (mask == mask.roll(1, dim)).double().mean() > 0.8:
            return dim
    return None


#: functions that drop out for the student (the exercise asks for torch.rand_like instead)
_DROPOUT_SHORTCUTS = {"dropout", "Dropout", "dropout_", "alpha_dropout", "feature_dropout",
                      "dropout1d", "dropout2d", "dropout3d", "Dropout1d", "Dropout2d",
                      "Dropout3d"}


@exercise
def dropout(fn: Callable[..., Any]) -> Result:
    """``fn(x, p, training)``: inverted dropout of a tensor of any shape, with an independent
    random number per element; identity when not training. Written by hand: an answer that
    calls torch's dropout is refused."""
    refused = refuse_shortcuts(fn, _DROPOUT_SHORTCUTS, "dropout",
                               "the exercise asks for your own mask, not F.dropout or "
                               "nn.Dropout: draw it with torch.rand_like")
    if refused is not None:
        return refused
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
        if (per_row - per_row.mean()).abs().max() > 0.035:
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
        if torch.allclose(ratio, torch.full_like(ratio, 1 / p), rtol=1e-5):
            return not_yet("divide the survivors by 1 − p, the probability of keeping them, "
                           "not by p.")
        if not torch.allclose(ratio, torch.full_like(ratio, 1 / (1 - p)), rtol=1e-5):
            return not_yet("each surviving element must be exactly x / (1 − p).")
        again = _dropout_output(fn, x, p, True)
        if torch.equal(again == 0, out == 0):
            return not_yet("two calls dropped exactly the same elements: draw a new random "
                           "mask on every call.")
        if not torch.equal(_dropout_output(fn, x, 0.0, True), x.double()):
            return not_yet("with p = 0 nothing may be dropped: return x unchanged.")
        exact = []
        for shape, p in (((40, 5_000), 0.3), ((20, 30, 40), 0.6)):
            x = torch.rand(shape) + 0.5
            try:
                out = _dropout_output(fn, x, p, True)
            except (RuntimeError, IndexError, ValueError) as err:
                return not_yet(f"on an input of shape {shape} your function raised "
                               f"{type(err).__name__}: {err}. Dropout works on a tensor of any "
                               "shape: draw the mask with x's own shape.")
            dim = _shared_along(out == 0)
            if dim is not None:
                return not_yet(f"on an input of shape {shape} the same elements are dropped "
                               f"all along dimension {dim} (one random number shared by "
                               f"{shape[dim]} elements): draw an independent random number "
                               "for every element, of x's full shape.")
            zeroed = (out == 0).double().mean().item()
            kept = out != 0
            if abs(zeroed - p) > 0.015 or not torch.allclose(
                    out[kept] / x.double()[kept], torch.full((int(kept.sum()),), 1 / (1 - p),
                                                            dtype=torch.float64), rtol=1e-5):
                return not_yet(f"with p = {p} on an input of shape {shape} you zero "
                               f"{zeroed:.1%} of the elements (expected about {p:.0%}) or "
                               "scale the survivors by another factor than 1 / (1 − p): use "
                               "the argument p, not a constant.")
            exact.append(int((out == 0).sum()) == round(p * out.numel()))
        if all(exact):
            return not_yet("you drop exactly p·n elements on every call; dropout drops each "
                           "element independently with probability p, so how many are "
                           "dropped varies from call to call.")
    return correct("zeroed with probability p, survivors divided by 1 − p, a fresh mask each "
                   "call, and the identity in eval mode: that is nn.Dropout.")


# ----------------------------------------------------------------------------- exercise 3


@exercise
def param_groups(fn: Callable[[nn.Module, float], Any]) -> Result:
    """``fn(model, weight_decay) -> [groups]``: parameters with 2+ dimensions decayed with
    ``weight_decay``, the others (biases, batch-norm γ and β) with 0; tried on two models
    (the second with a conv kernel, 4 dimensions) and two values of ``weight_decay``."""
    for model, lam in ((_model(), 0.05), (_conv_model(), 0.2)):
        hint = _groups_hint(call(fn, model, lam), model, lam)
        if hint is not None:
            return not_yet(hint if lam == 0.05 else f"for a second model (convolutions, batch "
                           f"norm, a linear layer) and weight_decay = {lam}: {hint}")
    return correct("weight matrices decayed, biases and batch-norm parameters not: "
                   "ready for torch.optim.AdamW(groups, lr=...).")


def _groups_hint(groups: Any, model: nn.Module, lam: float) -> str | None:
    """None when ``groups`` decay exactly the parameters of ``model`` with 2+ dimensions by
    ``lam``, else the hint."""
    if isinstance(groups, dict):
        groups = [groups]
    if not isinstance(groups, list | tuple) or not all(isinstance(g, dict) for g in groups):
        return "return a list of dicts, each {'params': [...], 'weight_decay': ...}."
    if not all("params" in g for g in groups):
        return "every group needs a 'params' entry: the list of its parameters."
    if not all("weight_decay" in g for g in groups):
        return "give every group its own 'weight_decay' (λ for the weights, 0 for the rest)."
    try:
        optimizer = torch.optim.AdamW(groups, lr=1e-3)
    except (TypeError, ValueError) as err:
        return f"torch.optim.AdamW does not accept these groups: {err}"
    decay_of = {id(p): group["weight_decay"] for group in optimizer.param_groups
                for p in group["params"]}
    names = {id(p): name for name, p in model.named_parameters()}
    missing = [name for i, name in names.items() if i not in decay_of]
    if missing:
        return (f"the groups leave out {', '.join(missing)}: every parameter of the model "
                "must be in exactly one group.")
    if len(decay_of) != len(names):
        return "the groups hold tensors that are not parameters of this model."
    weights = [p for p in model.parameters() if p.ndim >= 2]
    others = [p for p in model.parameters() if p.ndim < 2]
    if all(decay_of[id(p)] == 0 for p in weights) and all(decay_of[id(p)] == lam
                                                           for p in others):
        return "the other way round: decay the weight matrices, not the biases."
    for p in weights:
        if decay_of[id(p)] != lam:
            what = "a weight matrix" if p.ndim == 2 else "a convolution kernel"
            return (f"{names[id(p)]} is {what} ({p.ndim} dimensions): it should get "
                    f"weight_decay = {lam}, it gets {decay_of[id(p)]}.")
    for p in others:
        if decay_of[id(p)] != 0:
            hint = (" (batch norm's scale γ is called 'weight' too, but has one dimension)"
                    if names[id(p)].endswith("weight") else "")
            return (f"{names[id(p)]} has one dimension{hint}: it should get "
                    f"weight_decay = 0, it gets {decay_of[id(p)]}.")
    return None
