"""Lecture 07's checkers: one step of SGD with momentum (against torch.optim.SGD) and the
one-cycle learning rate at every step (against OneCycleLR)."""

from __future__ import annotations

import math

import torch
from shared import blank_function_gets_the_hint, never_reveals, rejects

from nbhelpers import check

NAMES = ["optim_momentum_step", "optim_one_cycle_lr"]


def _good_momentum(w, grad, v, *, lr, momentum):
    v = momentum * v + grad
    return w - lr * v, v


def test_momentum_step():
    assert check.optim_momentum_step(_good_momentum)

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

    rejects(check.optim_momentum_step(dampened), "1 − momentum")
    rejects(check.optim_momentum_step(sutskever), "Sutskever", "constant")
    rejects(check.optim_momentum_step(plain_sgd), "after step")
    rejects(check.optim_momentum_step(nesterov), "after step 1")
    rejects(check.optim_momentum_step(stale_velocity), "velocity")
    rejects(check.optim_momentum_step(lambda w, g, v, **kw: w), "return 2 tensors")
    rejects(check.optim_momentum_step(lambda w, g, v, **kw: (w[:2], v)), "shape")
    rejects(check.optim_momentum_step(lambda w, g, v: (w, v)), "raised")  # no lr/momentum


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
    assert check.optim_one_cycle_lr(_good_cycle)
    assert check.optim_one_cycle_lr(lambda t, **kw: torch.tensor(_good_cycle(t, **kw)))
    rejects(check.optim_one_cycle_lr(_variant(linear=True)), "straight lines", "cosine")
    rejects(check.optim_one_cycle_lr(_variant(shift=1.0)), "pct_start·total_steps − 1")
    rejects(check.optim_one_cycle_lr(_variant(div=25.0)), "step 0", "div_factor")  # ignores it
    rejects(check.optim_one_cycle_lr(_variant(final=1e4)), "last step", "final_div_factor")
    rejects(check.optim_one_cycle_lr(_variant(last=0)), "last step")      # ends at total_steps
    rejects(check.optim_one_cycle_lr(_variant(shift=0.5)), "at step")     # some other error
    rejects(check.optim_one_cycle_lr(lambda t, **kw: kw["max_lr"]), "step 0")
    rejects(check.optim_one_cycle_lr(lambda t, **kw: [0.1]), "one number")
    rejects(check.optim_one_cycle_lr(lambda t: 0.1), "raised")             # no keywords


def test_blank_student_answers_get_a_hint_not_a_crash():
    blank_function_gets_the_hint(NAMES)


def test_checkers_never_reveal_a_solution():
    never_reveals(NAMES, ("momentum * v", "math.cos", "(t - turn)", "total_steps - 1 -"))
