"""Small assertions shared by several test files (tests/ is on sys.path under pytest)."""

from __future__ import annotations

import dataclasses
import os

import pytest
import torch
from matplotlib.figure import Figure

from nbhelpers.display import MAX_HEIGHT, MAX_WIDTH

EMPTY = ...  # what a blanked student answer cell leaves behind


def rejects(result, *words: str) -> None:
    """A checker's Result failed, and its message names every one of ``words``."""
    assert not result.passed, result
    for word in words:
        assert word in result.message, (word, result.message)


def fits_slide(fig: Figure) -> bool:
    """100 dpi and at most MAX_WIDTH x MAX_HEIGHT inches."""
    w, h = fig.get_size_inches()
    return fig.dpi == 100 and w <= MAX_WIDTH + 1e-9 and h <= MAX_HEIGHT + 1e-9


def curves(ax) -> list:
    """The labelled lines of an axis (not guide lines such as x=0)."""
    return [line for line in ax.lines if not line.get_label().startswith("_")]


def blank_function_gets_the_hint(lecture, names) -> None:
    """Each checker in ``names`` of the ``lecture`` module answers a function whose body is
    ``...`` (what tools/student_copies.py leaves in an answer cell) with the one NO_ANSWER hint,
    not a crash."""
    from nbhelpers import check

    def blank(*args, **kwargs):
        ...

    for name in names:
        result = getattr(lecture, name)(blank)
        assert not result and result.message == check.NO_ANSWER, (name, result)


def never_reveals(lecture, names, snippets) -> None:
    """A wrong answer (a function returning 0) fails every checker in ``names`` of the
    ``lecture`` module, and no message contains any of the solution's code ``snippets``."""
    import torch

    for name in names:
        result = getattr(lecture, name)(lambda *a, **k: torch.tensor(0.0))
        assert not result, name
        for code in snippets:
            assert code not in result.message, (name, code)


def unavailable(reason: str) -> None:
    """Skip a browser test whose tools are missing; fail it where it must run (CI sets
    NBHELPERS_REQUIRE_BROWSER=1)."""
    if os.environ.get("NBHELPERS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (NBHELPERS_REQUIRE_BROWSER=1: the browser test must run)")
    pytest.skip(reason)


# ----------------------------------------------------------------------------- checker catalogues
# Each tests/test_check_<lecture>.py defines CATALOGUE: exercise name -> list of Cases, the
# answers a student might give. tests/test_check_catalogue.py runs every case and requires each
# exercise to have at least MIN_RIGHT right and MIN_WRONG wrong answers.
MIN_RIGHT = 2
MIN_WRONG = 4


@dataclasses.dataclass(frozen=True)
class Case:
    """One answer: ``args`` go to the checker; a wrong answer's message must name ``hint``."""

    what: str                  # what the student wrote or did, in words
    args: tuple
    passes: bool
    hint: tuple[str, ...] = ()


def right(what: str, *args) -> Case:
    """A correct answer (the reference or another correct way) the checker must accept."""
    return Case(what, args, True)


def wrong(what: str, *args, hint: str | tuple[str, ...]) -> Case:
    """A plausible mistake the checker must refuse, with a message containing ``hint``."""
    return Case(what, args, False, (hint,) if isinstance(hint, str) else tuple(hint))


def small_graph() -> Figure:
    """draw_graph of u = w·x (w = 2, x = 3) after (u²).backward(): the figure tests' graph."""
    from nbhelpers.compgraph import draw_graph

    w, x = torch.tensor(2.0, requires_grad=True), torch.tensor(3.0, requires_grad=True)
    u = w * x
    u.retain_grad()
    (u**2).backward()
    return draw_graph({"w": w, "x": x, "u": u}, [("w", "u"), ("x", "u")], ops={"u": "w·x"})
