"""Lecture 07's checkers: one step of SGD with momentum (against torch.optim.SGD) and the
one-cycle learning rate at every step (against OneCycleLR)."""

from __future__ import annotations

import math

import torch
from shared import blank_function_gets_the_hint, never_reveals, rejects, right, wrong

from nbhelpers.check import optimisers as check

NAMES = ["momentum_step", "one_cycle_lr"]


def _good_momentum(w, grad, v, *, lr, momentum):
    v = momentum * v + grad
    return w - lr * v, v


def test_momentum_step():
    assert check.momentum_step(_good_momentum)

    def dampened(w, grad, v, *, lr, momentum):
        v = momentum * v + (1 - momentum) * grad
        return w - lr * v, v

    def sutskever(w, grad, v, *, lr, momentum):  # same path only while lr is constant
        v = momentum * v + lr * grad
        return w - v, v

    def plain_sgd(w, grad, v, *, lr, momentum):
        return w - lr * grad, v

    def stale_velocity(w, grad, v, *, lr, momentum):  # right weights, velocity not returned
        new_w, _ = _good_momentum(w, grad, v, lr=lr, momentum=momentum)
        return new_w, v + grad

    def nesterov(w, grad, v, *, lr, momentum):
        v = momentum * v + grad
        return w - lr * (grad + momentum * v), v

    rejects(check.momentum_step(dampened), "1 − momentum")
    rejects(check.momentum_step(sutskever), "Sutskever", "constant")
    rejects(check.momentum_step(plain_sgd), "after step")
    rejects(check.momentum_step(nesterov), "Nesterov")
    rejects(check.momentum_step(stale_velocity), "velocity")
    rejects(check.momentum_step(lambda w, g, v, **kw: w), "return 2 tensors")
    rejects(check.momentum_step(lambda w, g, v, **kw: (w[:2], v)), "shape")
    rejects(check.momentum_step(lambda w, g, v: (w, v)), "raised")  # no lr/momentum


def _good_cycle(t, *, max_lr, total_steps, pct_start, div_factor=25.0, final_div_factor=1e4):
    start = max_lr / div_factor
    end, turn = start / final_div_factor, pct_start * total_steps - 1
    a, b, p = ((start, max_lr, t / turn) if t <= turn
               else (max_lr, end, (t - turn) / (total_steps - 1 - turn)))
    return b + (a - b) * (1 + math.cos(math.pi * p)) / 2


def _variant(*, shift=0.0, linear=False, last=1, div=None, final=None):
    def answer(t, *, max_lr, total_steps, pct_start, div_factor=25.0, final_div_factor=1e4):
        start = max_lr / (div if div is not None else div_factor)
        end = start / (final if final is not None else final_div_factor)
        turn = pct_start * total_steps - 1 + shift
        a, b, p = ((start, max_lr, t / turn) if t <= turn
                   else (max_lr, end, (t - turn) / (total_steps - last - turn)))
        return a + (b - a) * p if linear else b + (a - b) * (1 + math.cos(math.pi * p)) / 2
    return answer


def test_one_cycle_lr():
    assert check.one_cycle_lr(_good_cycle)
    assert check.one_cycle_lr(lambda t, **kw: torch.tensor(_good_cycle(t, **kw)))
    rejects(check.one_cycle_lr(_variant(linear=True)), "straight lines", "cosine")
    rejects(check.one_cycle_lr(_variant(shift=1.0)), "pct_start·total_steps − 1")
    rejects(check.one_cycle_lr(_variant(div=25.0)), "step 0", "div_factor")  # ignores it
    rejects(check.one_cycle_lr(_variant(final=1e4)), "last step", "final_div_factor")
    rejects(check.one_cycle_lr(_variant(last=0)), "last step")      # ends at total_steps
    rejects(check.one_cycle_lr(_variant(shift=0.5)), "at step")     # some other error
    rejects(check.one_cycle_lr(lambda t, **kw: kw["max_lr"]), "step 0")
    rejects(check.one_cycle_lr(lambda t, **kw: [0.1]), "one number")
    rejects(check.one_cycle_lr(lambda t: 0.1), "raised")             # no keywords


def test_blank_student_answers_get_a_hint_not_a_crash():
    blank_function_gets_the_hint(check, NAMES)


def test_checkers_never_reveal_a_solution():
    never_reveals(check, NAMES, ("momentum * v", "math.cos", "(t - turn)", "total_steps - 1 -"))


# ----------------------------------------------------------------------------- catalogue


def _momentum_in_place(w, grad, v, *, lr, momentum):   # as torch does it, on its buffers
    v.mul_(momentum).add_(grad)
    w.sub_(lr * v)
    return w, v


def _momentum_numpy(w, grad, v, *, lr, momentum):
    v = momentum * v.numpy() + grad.numpy()
    return w.numpy() - lr * v, v


def _momentum_hard_coded(w, grad, v, *, lr, momentum):
    v = 0.9 * v + grad
    return w - lr * v, v


def _momentum_old_velocity(w, grad, v, *, lr, momentum):  # weights moved with the old velocity
    return w - lr * v, momentum * v + grad


def _momentum_lr_in_both(w, grad, v, *, lr, momentum):
    v = momentum * v + lr * grad
    return w - lr * v, v


def _cycle_numpy(t, **kw):
    import numpy as np
    return np.float64(_good_cycle(t, **kw))


def _cycle_strict(t, *, max_lr, total_steps, pct_start, div_factor=25.0, final_div_factor=1e4):
    start, turn = max_lr / div_factor, pct_start * total_steps - 1
    end = start / final_div_factor
    if t < turn:                                     # < instead of <=: the same at the peak
        return start + (max_lr - start) * (1 - math.cos(math.pi * t / turn)) / 2
    p = (t - turn) / (total_steps - 1 - turn)
    return end + (max_lr - end) * (1 + math.cos(math.pi * p)) / 2


def _cycle_int_turn(t, *, max_lr, total_steps, pct_start, div_factor=25.0,
                    final_div_factor=1e4):
    start = max_lr / div_factor
    end, turn = start / final_div_factor, int(pct_start * total_steps) - 1
    a, b, p = ((start, max_lr, t / turn) if t <= turn
               else (max_lr, end, (t - turn) / (total_steps - 1 - turn)))
    return b + (a - b) * (1 + math.cos(math.pi * p)) / 2


def _cycle_by_torch(t, *, max_lr, total_steps, pct_start, **kw):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=max_lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=max_lr, total_steps=total_steps,
                                                pct_start=pct_start, **kw)
    for _ in range(t):
        opt.step()
        sched.step()
    return opt.param_groups[0]["lr"]


CATALOGUE = {
    "momentum_step": [
        right("the lecture's answer", _good_momentum),
        right("in place, as torch updates its buffers", _momentum_in_place),
        right("NumPy arrays back", _momentum_numpy),
        right("a list", lambda w, g, v, **kw: list(_good_momentum(w, g, v, **kw))),
        wrong("(1 − momentum) on the gradient",
              lambda w, g, v, *, lr, momentum: (w - lr * (momentum * v + (1 - momentum) * g),
                                                momentum * v + (1 - momentum) * g),
              hint="1 − momentum"),
        wrong("Sutskever's velocity with lr inside",
              lambda w, g, v, *, lr, momentum: (w - (momentum * v + lr * g),
                                                momentum * v + lr * g),
              hint="Sutskever"),
        wrong("lr in the velocity and in the step", _momentum_lr_in_both, hint="velocity"),
        wrong("plain SGD", lambda w, g, v, *, lr, momentum: (w - lr * g, v), hint="after step"),
        wrong("Nesterov", lambda w, g, v, *, lr, momentum: (
            w - lr * (g + momentum * (momentum * v + g)), momentum * v + g), hint="Nesterov"),
        wrong("weights moved with the old velocity", _momentum_old_velocity,
              hint="new velocity"),
        wrong("momentum 0.9 hard-coded", _momentum_hard_coded, hint="momentum = 0.5"),
        wrong("velocity not returned",
              lambda w, g, v, **kw: (_good_momentum(w, g, v, **kw)[0], v), hint="velocity"),
        wrong("one tensor", lambda w, g, v, **kw: w, hint="return 2 tensors"),
    ],
    "one_cycle_lr": [
        right("the lecture's answer", _good_cycle),
        right("a NumPy float", _cycle_numpy),
        right("a one-element tensor", lambda t, **kw: torch.tensor([_good_cycle(t, **kw)])),
        right("< instead of <= at the turn, rising cosine written the other way",
              _cycle_strict),
        wrong("straight lines", _variant(linear=True), hint="straight lines"),
        wrong("peak one step late", _variant(shift=1.0), hint="pct_start·total_steps − 1"),
        wrong("div_factor ignored", _variant(div=25.0), hint="div_factor"),
        wrong("final_div_factor ignored", _variant(final=1e4), hint="final_div_factor"),
        wrong("ends at total_steps", _variant(last=0), hint="last step"),
        wrong("the turn rounded to a whole step", _cycle_int_turn, hint="round"),
        wrong("steps counted from 1", lambda t, **kw: _good_cycle(t + 1, **kw), hint="step 0"),
        wrong("calls OneCycleLR", _cycle_by_torch, hint="OneCycleLR"),
        wrong("a list", lambda t, **kw: [0.1], hint="one number"),
    ],
}
