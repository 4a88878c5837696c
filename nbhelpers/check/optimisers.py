"""Exercises of lecture 07 (optimisers and learning-rate schedules).

* ``optim_momentum_step(fn)``: one step of SGD with momentum, checked against
  ``torch.optim.SGD`` (weights and velocity, with a learning rate that changes between steps);
* ``optim_one_cycle_lr(fn)``: the learning rate of the one-cycle policy at a step, checked
  against ``torch.optim.lr_scheduler.OneCycleLR`` at every step.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import torch

from nbhelpers.check import NotYet, Result, call, correct, exercise, not_yet, number
from nbhelpers.schedules import lr_trace

#: The momentum exercise: L = ½ Σ scale · w², so ∇L = scale ⊙ w; the learning rate of each
#: step changes, as under a scheduler.
_SCALE = (1.0, 4.0, 9.0)
_START = (2.0, -1.0, 0.5)
_LRS = (0.05, 0.05, 0.04, 0.03, 0.02)
_MU = 0.9


def _tensors(out: object, n: int, names: str) -> list[torch.Tensor]:
    """The student's ``n`` returned tensors (a tuple or list) as float64."""
    if not isinstance(out, tuple | list) or len(out) != n:
        raise NotYet(f"return {n} tensors: ({names}).")
    return [torch.as_tensor(t).detach().double() for t in out]


def _variant(kind: str, steps: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(w, velocity) after ``steps`` steps of a common wrong variant, for the hints:
    ``damped`` v ← μv + (1 − μ)g; ``sutskever`` v ← μv + lr·g, w ← w − v."""
    scale = torch.tensor(_SCALE, dtype=torch.float64)
    w, v = torch.tensor(_START, dtype=torch.float64), torch.zeros(3, dtype=torch.float64)
    for lr in _LRS[:steps]:
        g = scale * w
        if kind == "damped":
            v = _MU * v + (1 - _MU) * g
            w = w - lr * v
        else:
            v = _MU * v + lr * g
            w = w - v
    return w, v


@exercise
def optim_momentum_step(fn: Callable) -> Result:
    """``fn(w, grad, velocity, *, lr, momentum) -> (new_w, new_velocity)``: one step of
    ``torch.optim.SGD(lr=lr, momentum=momentum)``; ``velocity`` is torch's momentum buffer
    (zero before the first step). Five steps, with the learning rate changing between them."""
    scale = torch.tensor(_SCALE, dtype=torch.float64)
    ref = torch.tensor(_START, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([ref], lr=_LRS[0], momentum=_MU)
    w, v = torch.tensor(_START, dtype=torch.float64), torch.zeros(3, dtype=torch.float64)
    for step, lr in enumerate(_LRS, start=1):
        opt.param_groups[0]["lr"] = lr
        opt.zero_grad()
        (0.5 * (scale * ref**2).sum()).backward()
        opt.step()
        want_w, want_v = ref.detach(), opt.state[ref]["momentum_buffer"]
        out = call(fn, w.clone(), scale * w, v.clone(), lr=lr, momentum=_MU)
        w, v = _tensors(out, 2, "new_w, new_velocity")
        if w.shape != want_w.shape or v.shape != want_v.shape:
            return not_yet(f"return tensors of the weights' shape {tuple(want_w.shape)}, got "
                           f"{tuple(w.shape)} and {tuple(v.shape)}.")
        if torch.allclose(w, want_w, atol=1e-12) and torch.allclose(v, want_v, atol=1e-12):
            continue
        if all(torch.allclose(a, b, atol=1e-12) for a, b in zip((w, v), _variant("damped", step),
                                                                strict=True)):
            return not_yet("you scale the gradient by (1 − momentum); torch's SGD adds the "
                           "plain gradient to momentum × velocity.")
        if all(torch.allclose(a, b, atol=1e-12)
               for a, b in zip((w, v), _variant("sutskever", step), strict=True)):
            return not_yet("your velocity includes the learning rate (Sutskever's form): "
                           "that is the same path only while lr stays constant. In torch the "
                           "velocity sums plain gradients and lr multiplies it in the weight "
                           "update.")
        if torch.allclose(w, want_w, atol=1e-12):
            return not_yet(f"after step {step} your weights are right but your velocity is "
                           f"{v.tolist()}, torch's is {want_v.tolist()}.")
        return not_yet(f"after step {step} (lr = {lr:g}) your w is {w.tolist()}, torch's SGD "
                       f"gives {want_w.tolist()}.")
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


def _cycle_variant(settings: dict, *, peak_shift: float = 0.0, linear: bool = False) -> list:
    """A common wrong one-cycle schedule, for the hints: the warm-up ending ``peak_shift``
    steps late, or (``linear``) straight lines instead of half cosines."""
    peak, total = settings["max_lr"], settings["total_steps"]
    start = peak / settings.get("div_factor", 25.0)
    end = start / settings.get("final_div_factor", 1e4)
    turn = settings["pct_start"] * total - 1 + peak_shift
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
def optim_one_cycle_lr(fn: Callable) -> Result:
    """``fn(t, *, max_lr, total_steps, pct_start, div_factor=25.0, final_div_factor=1e4)``:
    the learning rate that ``OneCycleLR`` (two phases, cosine annealing) gives step
    ``t = 0, ..., total_steps − 1``."""
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
        t = next(i for i, (g, w) in enumerate(zip(got, want, strict=True))
                 if not math.isclose(g, w, rel_tol=1e-7, abs_tol=1e-12))
        return not_yet(f"with {name}: at step {t} you give {got[t]:.6g}, OneCycleLR gives "
                       f"{want[t]:.6g}.")
    return correct("every step of two schedules (lecture 12's and a short one) equals "
                   "torch.optim.lr_scheduler.OneCycleLR.")
