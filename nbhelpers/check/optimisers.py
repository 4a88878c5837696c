"""Exercises of lecture 07 (optimisers and learning-rate schedules).

* ``momentum_step(fn)``: one step of SGD with momentum, checked against
  ``torch.optim.SGD`` (weights and velocity, with a learning rate that changes between steps);
* ``one_cycle_lr(fn)``: the learning rate of the one-cycle policy at a step, checked
  against ``torch.optim.lr_scheduler.OneCycleLR`` at every step.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import torch

from nbhelpers.check import (
    NotYet,
    Result,
    call,
    correct,
    exercise,
    not_yet,
    number,
    refuse_shortcuts,
)
from nbhelpers.schedules import lr_trace

#: The momentum exercise: L = ½ Σ scale · w², so ∇L = scale ⊙ w; the learning rate of each
#: step changes, as under a scheduler. Two runs: the lecture's momentum 0.9 on three weights,
#: then momentum 0.5 on a (2, 3) weight.
_SCALE = (1.0, 4.0, 9.0)
_START = (2.0, -1.0, 0.5)
_LRS = (0.05, 0.05, 0.04, 0.03, 0.02)
_MU = 0.9
_RUNS = (
    (_MU, (_START,), (_SCALE,)),
    (0.5, ((1.0, -2.0, 0.5), (3.0, 0.25, -1.5)), ((2.0, 1.0, 5.0), (0.5, 3.0, 1.5))),
)


def _tensors(out: object, n: int, names: str) -> list[torch.Tensor]:
    """The student's ``n`` returned tensors (a tuple or list) as float64."""
    if not isinstance(out, tuple | list) or len(out) != n:
        raise NotYet(f"return {n} tensors: ({names}).")
    return [torch.as_tensor(t).detach().double() for t in out]


def _variant(kind: str, steps: int, mu: float = _MU, start: tuple = (_START,),
             scale: tuple = (_SCALE,)) -> tuple[torch.Tensor, torch.Tensor]:
    """(w, velocity) after ``steps`` steps of a common wrong variant, for the hints:
    ``damped`` v ← μv + (1 − μ)g; ``sutskever`` v ← μv + lr·g, w ← w − v; ``lr_twice``
    v ← μv + lr·g, w ← w − lr·v; ``old`` w ← w − lr·v before v ← μv + g; ``nesterov``
    w ← w − lr(g + μv) with the new v."""
    sc = torch.tensor(scale, dtype=torch.float64).squeeze(0)
    w = torch.tensor(start, dtype=torch.float64).squeeze(0)
    v = torch.zeros_like(w)
    for lr in _LRS[:steps]:
        g = sc * w
        if kind == "damped":
            v = mu * v + (1 - mu) * g
            w = w - lr * v
        elif kind == "sutskever":
            v = mu * v + lr * g
            w = w - v
        elif kind == "lr_twice":
            v = mu * v + lr * g
            w = w - lr * v
        elif kind == "old":
            w, v = w - lr * v, mu * v + g
        else:  # nesterov
            v = mu * v + g
            w = w - lr * (g + mu * v)
    return w, v


_MOMENTUM_HINTS = {
    "damped": "you scale the gradient by (1 − momentum); torch's SGD adds the plain gradient "
              "to momentum × velocity.",
    "sutskever": "your velocity includes the learning rate (Sutskever's form): that is the "
                 "same path only while lr stays constant. In torch the velocity sums plain "
                 "gradients and lr multiplies it in the weight update.",
    "lr_twice": "your velocity includes the learning rate and the weight update multiplies "
                "by lr again: in torch the velocity sums plain gradients, and lr enters once, "
                "in the weight update.",
    "old": "you move the weights with the old velocity: update the velocity first, then step "
           "the weights with the new velocity.",
    "nesterov": "that is Nesterov's momentum (the step looks ahead with the gradient once "
                "more); torch.optim.SGD(momentum=...) without nesterov=True steps with the "
                "velocity alone.",
}


def _momentum_hint(w: torch.Tensor, v: torch.Tensor, want_w: torch.Tensor,
                   want_v: torch.Tensor, step: int, lr: float, mu: float, start: tuple,
                   scale: tuple) -> str:
    """The hint for a wrong (w, v) after ``step`` steps of a run with momentum ``mu``."""
    for kind, hint in _MOMENTUM_HINTS.items():
        if all(torch.allclose(a, b, atol=1e-12) for a, b in
               zip((w, v), _variant(kind, step, mu, start, scale), strict=True)):
            return hint
    if mu != _MU and all(torch.allclose(a, b, atol=1e-12) for a, b in
                         zip((w, v), _torch_sgd(step, _MU, start, scale), strict=True)):
        return (f"with momentum = {mu} you still step as with momentum {_MU}: use the "
                "momentum argument, not a constant.")
    if torch.allclose(w, want_w, atol=1e-12):
        return (f"after step {step} your weights are right but your velocity is "
                f"{v.tolist()}, torch's is {want_v.tolist()}.")
    return (f"after step {step} (lr = {lr:g}) your w is {w.tolist()}, torch's SGD gives "
            f"{want_w.tolist()}.")


def _torch_sgd(steps: int, mu: float, start: tuple, scale: tuple
               ) -> tuple[torch.Tensor, torch.Tensor]:
    """(w, momentum buffer) of torch.optim.SGD(momentum=mu) after ``steps`` steps."""
    sc = torch.tensor(scale, dtype=torch.float64).squeeze(0)
    ref = torch.tensor(start, dtype=torch.float64).squeeze(0).requires_grad_(True)
    opt = torch.optim.SGD([ref], lr=_LRS[0], momentum=mu)
    for lr in _LRS[:steps]:
        opt.param_groups[0]["lr"] = lr
        opt.zero_grad()
        (0.5 * (sc * ref**2).sum()).backward()
        opt.step()
    return ref.detach(), opt.state[ref]["momentum_buffer"]


@exercise
def momentum_step(fn: Callable) -> Result:
    """``fn(w, grad, velocity, *, lr, momentum) -> (new_w, new_velocity)``: one step of
    ``torch.optim.SGD(lr=lr, momentum=momentum)``; ``velocity`` is torch's momentum buffer
    (zero before the first step). Five steps, with the learning rate changing between them;
    momentum 0.9 on three weights, then momentum 0.5 on a (2, 3) weight."""
    for mu, start, scale_of in _RUNS:
        scale = torch.tensor(scale_of, dtype=torch.float64).squeeze(0)
        w = torch.tensor(start, dtype=torch.float64).squeeze(0)
        v = torch.zeros_like(w)
        where = "" if mu == _MU else f"with momentum = {mu} and a {tuple(w.shape)} weight: "
        for step, lr in enumerate(_LRS, start=1):
            want_w, want_v = _torch_sgd(step, mu, start, scale_of)
            out = call(fn, w.clone(), scale * w, v.clone(), lr=lr, momentum=mu)
            w, v = _tensors(out, 2, "new_w, new_velocity")
            if w.shape != want_w.shape or v.shape != want_v.shape:
                return not_yet(f"{where}return tensors of the weights' shape "
                               f"{tuple(want_w.shape)}, got {tuple(w.shape)} and "
                               f"{tuple(v.shape)}.")
            if torch.allclose(w, want_w, atol=1e-12) and torch.allclose(v, want_v, atol=1e-12):
                continue
            return not_yet(where + _momentum_hint(w, v, want_w, want_v, step, lr, mu, start,
                                                  scale_of))
    return correct("five steps equal torch.optim.SGD(momentum=0.9), weights and velocity, to "
                   "1e-12, also when lr changes.")


#: The one-cycle exercise's settings: lecture 12's schedule and a short one with other factors.
_CYCLES = (
    {"max_lr": 0.1, "total_steps": 3 * 469, "pct_start": 0.25},
    {"max_lr": 0.02, "total_steps": 60, "pct_start": 0.3, "div_factor": 10.0,
     "final_div_factor": 100.0},
)


@functools.cache
def _torch_cycle(index: int) -> tuple[float, ...]:
    """OneCycleLR's learning rate at every step of ``_CYCLES[index]`` (read by ``lr_trace``)."""
    settings = _CYCLES[index]
    trace = lr_trace(lambda o: torch.optim.lr_scheduler.OneCycleLR(o, **settings),
                     steps=settings["total_steps"], lr=settings["max_lr"])
    return tuple(trace.lr.tolist())


def _cycle_variant(settings: dict, *, peak_shift: float = 0.0, linear: bool = False,
                   whole: Callable[[float], float] | None = None) -> list:
    """A common wrong one-cycle schedule, for the hints: the warm-up ending ``peak_shift``
    steps late, or at ``whole(pct_start · total_steps) − 1`` (a rounded turn), or
    (``linear``) straight lines instead of half cosines."""
    peak, total = settings["max_lr"], settings["total_steps"]
    start = peak / settings.get("div_factor", 25.0)
    end = start / settings.get("final_div_factor", 1e4)
    turn = settings["pct_start"] * total
    turn = (whole(turn) if whole is not None else turn) - 1 + peak_shift
    out = []
    for t in range(total):
        a, b, p = (start, peak, t / turn) if t <= turn else (peak, end, (t - turn) /
                                                              (total - 1 - turn))
        out.append(a + (b - a) * p if linear else b + (a - b) * (1 + math.cos(math.pi * p)) / 2)
    return out


def _same(got: list[float], want: list[float]) -> bool:
    return all(math.isclose(g, w, rel_tol=1e-7, abs_tol=1e-12) for g, w in
               zip(got, want, strict=True))


@exercise
def one_cycle_lr(fn: Callable) -> Result:
    """``fn(t, *, max_lr, total_steps, pct_start, div_factor=25.0, final_div_factor=1e4)``:
    the learning rate that ``OneCycleLR`` (two phases, cosine annealing) gives step
    ``t = 0, ..., total_steps − 1``, written by hand (an answer that calls torch's scheduler
    is refused)."""
    refused = refuse_shortcuts(fn, {"OneCycleLR", "lr_scheduler", "lr_trace"},
                               "the schedule", "write the two half cosines yourself")
    if refused is not None:
        return refused
    for index, settings in enumerate(_CYCLES):
        total = settings["total_steps"]
        want = list(_torch_cycle(index))
        got = [number(call(fn, t, **settings)) for t in range(total)]
        if _same(got, want):
            continue
        name = ", ".join(f"{k}={v:g}" for k, v in settings.items())
        if not math.isclose(got[0], want[0], rel_tol=1e-7):
            return not_yet(f"with {name}: at step 0 you give {got[0]:.6g}; the schedule starts "
                           "at max_lr / div_factor.")
        if not math.isclose(got[-1], want[-1], rel_tol=1e-7, abs_tol=1e-15):
            return not_yet(f"with {name}: at the last step, t = total_steps − 1, you give "
                           f"{got[-1]:.6g}; it ends at (max_lr / div_factor) / "
                           "final_div_factor.")
        if _same(got, _cycle_variant(settings, linear=True)):
            return not_yet("your phases are straight lines: OneCycleLR anneals with half a "
                           "cosine, start + (end − start)·(1 − cos(π·p))/2 for p from 0 to 1.")
        if _same(got, _cycle_variant(settings, peak_shift=1.0)):
            return not_yet("your peak is one step late: the warm-up ends at step "
                           "pct_start·total_steps − 1 (steps count from 0).")
        if any(_same(got, _cycle_variant(settings, whole=whole))
               for whole in (math.floor, round, math.ceil)):
            return not_yet(f"with {name}: you round the end of the warm-up to a whole step; "
                           "OneCycleLR keeps pct_start·total_steps − 1 as it is (here "
                           f"{settings['pct_start'] * total - 1:g}), a fraction if need be.")
        t = next(i for i, (g, w) in enumerate(zip(got, want, strict=True))
                 if not math.isclose(g, w, rel_tol=1e-7, abs_tol=1e-12))
        return not_yet(f"with {name}: at step {t} you give {got[t]:.10g}, OneCycleLR gives "
                       f"{want[t]:.10g}.")
    return correct("every step of two schedules (lecture 12's and a short one) equals "
                   "torch.optim.lr_scheduler.OneCycleLR.")
