"""Self-checking exercises: ``check.<exercise>(your_answer)`` says pass or fail, with a hint.

One module per lecture, named after its notebook without the number
(``01_neuron_and_perceptron.ipynb`` -> :mod:`nbhelpers.check.neuron_and_perceptron`), which the
lecture imports itself: ``from nbhelpers.check import neuron_and_perceptron as check``, then
``check.nor(nor)``. An exercise is named after the function or value the student writes; names
are unique within a lecture's module, not across lectures. A checker tests the
student's answer against torch, a closed form or a private reference of its own, and returns a
:class:`Result`; it never prints or returns the solution.

Writing a checker: decorate a function with :func:`exercise`; its name is the exercise's name.
Return :func:`correct` or :func:`not_yet`; the shared checks below (:func:`call`,
:func:`tensor`, :func:`number`) raise :class:`NotYet` with a hint, and the decorator turns that
into the failed :class:`Result`; :func:`close` compares tensors, :func:`tiny_classifier` is
the model the lectures' eval-mode exercises test on. The decorator also answers a blank answer
(``...`` or ``None``) with :data:`NO_ANSWER` and turns an exception raised by the student's code into a failed
Result that names it, so a checker never crashes on a wrong answer.

Notebook convention: the exercise is a ``### Exercise ...`` subslide, the answer goes in a code
cell tagged ``answer`` (blanked in student copies, see ``tools/student_copies.py``), and the
next cell calls the checker.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import numbers
import pkgutil
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec

import numpy as np
import torch
from torch import nn
from torch.overrides import TorchFunctionMode

_P = ParamSpec("_P")

#: The one answer to a blank exercise: a ``...`` left in place, or a function that returns nothing.
NO_ANSWER = ("no answer yet: replace the ... in the answer cell above (a function must `return` "
             "its result), run it, then check again.")

#: ``"<lecture module>.<exercise>"`` -> checker; filled by :func:`exercise` in the lecture modules.
EXERCISES: dict[str, Callable[..., Result]] = {}


@dataclasses.dataclass(frozen=True)
class Result:
    """The outcome of one check: ``passed`` and a message (a hint when it failed)."""

    passed: bool
    message: str
    exercise: str = ""

    def __repr__(self) -> str:
        mark = "✔ Correct" if self.passed else "✘ Not yet"   # glyphs DejaVu Sans prints
        return f"{mark} ({self.exercise}): {self.message}"

    def __bool__(self) -> bool:
        return self.passed

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else "#cf222e"
        text = repr(self).replace("&", "&amp;").replace("<", "&lt;")
        return f"<div style='color:{colour};font-weight:600'>{text}</div>"


def correct(message: str = "well done.") -> Result:
    """A passed check."""
    return Result(True, message)


def not_yet(hint: str) -> Result:
    """A failed check; ``hint`` says what to look at (never the solution)."""
    return Result(False, hint)


class NotYet(Exception):
    """Raised by a shared check (or a checker) to fail the exercise with the message as hint."""


def _blank(answer: Any) -> bool:
    """``...`` or ``None``, also inside a tuple or list (``check.x((w, b))``)."""
    if isinstance(answer, tuple | list):
        return any(_blank(a) for a in answer)
    return answer is Ellipsis or answer is None


def exercise(check: Callable[_P, Result]) -> Callable[_P, Result]:
    """Register ``check`` as the exercise ``check.__name__`` of its lecture module (in
    :data:`EXERCISES` as ``"<module>.<name>"``).

    The registered function answers a blank answer with :data:`NO_ANSWER`, turns
    :class:`NotYet` and any exception raised by the student's code into a failed
    :class:`Result`, and stamps the exercise name on the result.
    """
    name = check.__name__

    @functools.wraps(check)
    def checked(*args: _P.args, **kwargs: _P.kwargs) -> Result:
        if _blank(args) or _blank(list(kwargs.values())):
            result = not_yet(NO_ANSWER)
        else:
            try:
                result = check(*args, **kwargs)
            except NotYet as err:
                result = not_yet(str(err))
            except Exception as err:  # student code may raise anything
                result = not_yet(f"your answer raised {type(err).__name__}: {err}")
        return dataclasses.replace(result, exercise=name)

    EXERCISES[f"{check.__module__.rsplit('.', 1)[-1]}.{name}"] = checked
    return checked


# ----------------------------------------------------------------------------- shared checks


def call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` for the student's function ``fn``: its result, or
    :class:`NotYet` when ``fn`` is not a function or returned nothing (``None``, ``...``)."""
    if not callable(fn):
        raise NotYet(f"pass your function itself (its name, no brackets), not a "
                     f"{type(fn).__name__}.")
    out = fn(*args, **kwargs)
    if out is None or out is Ellipsis:
        raise NotYet(NO_ANSWER)
    return out


def tensor(out: Any, *, shape: tuple[int, ...] | None = None, hint: str = "") -> torch.Tensor:
    """The student's output as a detached float64 tensor (of ``shape``, if given), or
    :class:`NotYet` saying what came back instead (followed by ``hint``)."""
    if not isinstance(out, torch.Tensor):
        raise NotYet(f"return a torch.Tensor, not a {type(out).__name__}{_then(hint)}")
    if shape is not None and tuple(out.shape) != tuple(shape):
        raise NotYet(f"expected a tensor of shape {tuple(shape)}, got "
                     f"{tuple(out.shape)}{_then(hint)}")
    return out.detach().to(torch.float64)


def number(out: Any) -> float:
    """The student's output as one float (a Python or NumPy number, or a one-element
    tensor)."""
    if isinstance(out, torch.Tensor):
        if out.numel() != 1:
            raise NotYet(f"return one number, got a tensor of shape {tuple(out.shape)}.")
        return float(out.item())
    if isinstance(out, numbers.Real) and not isinstance(out, bool | np.bool_):
        return float(out)                      # int, float and NumPy scalars (np.float32, ...)
    raise NotYet(f"return one number, not a {type(out).__name__}.")


def close(got: torch.Tensor, want: torch.Tensor, *, rtol: float = 1e-4,
          atol: float = 1e-6) -> bool:
    """Same shape and ``allclose`` in float64."""
    return got.shape == want.shape and bool(
        torch.allclose(got.double(), want.double(), rtol=rtol, atol=atol))


def tiny_classifier() -> nn.Module:
    """A fixed model from (N, 1, 4, 4) inputs to (N, 3) scores, with dropout and batch norm
    and left in training mode, so that an answer must call ``eval()`` to get its outputs."""
    g = torch.Generator().manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 12), nn.BatchNorm1d(12), nn.ReLU(),
                          nn.Dropout(0.5), nn.Linear(12, 3))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g))
        model[2].running_mean.copy_(torch.randn(12, generator=g))
        model[2].running_var.copy_(torch.rand(12, generator=g) + 0.5)
    return model.train()


def _then(hint: str) -> str:
    return f": {hint}" if hint else "."


# ----------------------------------------------------------------------------- what an answer calls
# An exercise that asks for a formula refuses answers that let torch (or a course helper)
# compute it: by the names in the answer's code (refuse_shortcuts) or by the torch functions
# it calls while it runs (Forbid, CallLog: aliases and calls inside a module's forward too).


def names_used(fn: object) -> set[str]:
    """Every global and attribute name the code of ``fn`` refers to, nested functions and
    lambdas included (empty for an object without Python code)."""
    code, names = getattr(fn, "__code__", None), set()
    stack = [code] if code is not None else []
    while stack:
        c = stack.pop()
        names.update(c.co_names)
        stack.extend(const for const in c.co_consts if hasattr(const, "co_names"))
    return names


def refuse_shortcuts(fn: object, forbidden: set[str], what: str,
                     instead: str = "write the formula yourself, with plain arithmetic"
                     ) -> Result | None:
    """A failed Result when the code of ``fn`` calls one of ``forbidden`` (a function that
    computes ``what`` for the student), saying what to do ``instead``; else None."""
    used = sorted(names_used(fn) & forbidden)
    if used:
        return not_yet(f"your function calls {', '.join(used)}: that computes {what} for you; "
                       f"{instead}.")
    return None


class Forbid(TorchFunctionMode):
    """While active (``with Forbid({F.linear}, hint):``), a call of one of ``funcs`` (a torch
    function the exercise rules out, however the student's code reached it) fails the check
    with ``hint``."""

    def __init__(self, funcs: Iterable[Any] = (), hint: str = "") -> None:
        super().__init__()
        self.funcs, self.hint = set(funcs), hint

    def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: ANN001, ANN204
        if func in self.funcs:
            raise NotYet(self.hint)
        return func(*args, **(kwargs or {}))


class CallLog(TorchFunctionMode):
    """Records the torch functions called while it is active (``with CallLog() as calls:``),
    and the weights passed to each 2-D convolution, so that a checker sees what a student's
    code computes with, whatever it is called (an alias, a functional call in ``forward``)."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []
        self.conv_weights: dict[int, torch.Tensor] = {}

    def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: ANN001, ANN204
        name = getattr(func, "__name__", "")
        self.names.append(name)
        if name == "conv2d" and len(args) > 1 and isinstance(args[1], torch.Tensor):
            self.conv_weights[id(args[1])] = args[1]
        return func(*args, **(kwargs or {}))

    def pools(self) -> list[str]:
        return [n for n in self.names if "pool" in n]


# ----------------------------------------------------------------------------- lookup


def _load_lectures() -> None:
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


def all_exercises() -> dict[str, Callable[..., Result]]:
    """Every registered checker, as ``"<lecture module>.<exercise>"`` (imports all lecture
    modules)."""
    _load_lectures()
    return dict(EXERCISES)
