"""Self-checking exercises: ``check.<exercise>(your_answer)`` says pass or fail, with a hint.

Each lecture's exercises live in a topic module (``nbhelpers.check.<topic>``); every checker
is also available here as ``nbhelpers.check.<exercise>``. A checker tests the student's answer
against a reference (torch, a closed form, or a hidden reference solution) and returns a
:class:`Result`; it never prints or returns the solution itself.

Notebook convention: the exercise is a ``### Exercise ...`` subslide, the answer goes in a code
cell tagged ``answer`` (blanked in student copies, see ``tools/student_copies.py``), and the
next cell calls the checker.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: name -> checker function; filled by the @exercise decorator in the topic modules.
EXERCISES: dict[str, Callable[..., Result]] = {}


@dataclass(frozen=True)
class Result:
    """The outcome of one check: ``passed`` and a message (a hint when it failed)."""

    exercise: str
    passed: bool
    message: str

    def __repr__(self) -> str:
        mark = "✅ Correct" if self.passed else "❌ Not yet"
        return f"{mark} ({self.exercise}): {self.message}"

    def __bool__(self) -> bool:
        return self.passed

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else "#cf222e"
        text = repr(self).replace("&", "&amp;").replace("<", "&lt;")
        return f"<div style='color:{colour};font-weight:600'>{text}</div>"


def exercise(name: str) -> Callable[[Callable[..., Result]], Callable[..., Result]]:
    """Register a checker under ``name`` (must be unique across topics)."""

    def register(fn: Callable[..., Result]) -> Callable[..., Result]:
        if name in EXERCISES and EXERCISES[name] is not fn:
            raise ValueError(f"two checkers are called {name!r}; exercise names must be unique")
        EXERCISES[name] = fn
        return fn

    return register


def passed(name: str, message: str = "well done.") -> Result:
    return Result(name, True, message)


def failed(name: str, hint: str) -> Result:
    return Result(name, False, hint)


def guard(name: str, fn: Callable[[], Result]) -> Result:
    """Run a check; an exception raised by the *student's* code becomes a failed Result with
    the error's type and message (a checker should never crash on a wrong answer)."""
    try:
        return fn()
    except Exception as err:  # student code may raise anything
        return failed(name, f"your answer raised {type(err).__name__}: {err}")


def _load_topics() -> None:
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


def __getattr__(attr: str) -> Any:
    if not EXERCISES:
        _load_topics()
    if attr in EXERCISES:
        return EXERCISES[attr]
    raise AttributeError(f"nbhelpers.check has no exercise {attr!r}; known: {sorted(EXERCISES)}")


def all_exercises() -> dict[str, Callable[..., Result]]:
    """Every registered checker, by name (imports all topic modules)."""
    _load_topics()
    return dict(EXERCISES)
