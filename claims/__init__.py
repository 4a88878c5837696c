"""The course's comparative claims, each measured by a sweep: ``make claims``.

A slide that says "A beats B", "X helps", "at its best learning rate" or "scaling works"
rests on a :class:`Claim` here, one module per lecture (``claims/l05.py``, ``claims/l08.py``,
...; every module's ``CLAIMS`` list is found by :func:`all_claims`). The rule each claim
follows (README, *Conventions*):

* at least 3 seeds, and the claim is judged on every seed (``holds=K/N``);
* each arm at its own learning rate, picked from a grid that brackets its optimum (the best
  is never at an edge: :func:`best_on_grid` says whether it is interior);
* picked on a validation split; the test set, where used at all, once at the end;
* one change at a time between arms;
* the slide shows the spread over seeds and says what was measured (epochs, data size).

``sweep()`` returns a JSON-able dict (the numbers the slide plots); ``check(results)``
returns a :class:`Verdict`: for each seed whether the claim holds, and the margin (the
smallest slack over the seeds, in the unit of the claim; negative when it fails).
tools/claims.py runs the sweeps, writes ``nbhelpers/measured/<lecture>-<id>.json`` (the only
writer of those files) and prints one line per claim.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Verdict:
    """Whether a claim holds on each seed, and by how much at worst."""

    holds: list[bool]
    margin: float

    def __post_init__(self) -> None:
        if not self.holds:
            raise ValueError("a Verdict needs one entry per seed; got none")

    @classmethod
    def from_slacks(cls, slacks: Sequence[float | Sequence[float]], *,
                    also: bool = True) -> Verdict:
        """The verdict of per-seed slacks (one number, or one per statement, per seed; a
        statement holds when its slack is > 0): a seed holds when ``also`` (a condition on the
        whole sweep, such as "every pick interior") and all its slacks are positive; the
        margin is the smallest slack of all."""
        per_seed = [min(s) if isinstance(s, Sequence) else s for s in slacks]
        if not per_seed:
            raise ValueError("a Verdict needs one entry per seed; got none")
        return cls(holds=[also and d > 0 for d in per_seed], margin=min(per_seed))


@dataclass(frozen=True)
class Claim:
    """One comparative claim of a lecture and the sweep that measures it."""

    lecture: str  # "08": the notebook notebooks/08_*.ipynb states it
    id: str  # "batch-norm": with the lecture, the name the notebook loads (``08/batch-norm``)
    statement: str  # what the slide says, in one sentence
    sweep: Callable[[], dict[str, Any]]
    check: Callable[[dict[str, Any]], Verdict]

    @property
    def name(self) -> str:
        return f"{self.lecture}/{self.id}"


def best_on_grid(grid: Sequence[float], scores: Sequence[float], *,
                 higher_is_better: bool = True) -> tuple[float, bool]:
    """The grid value with the best mean score, and whether it is interior (not at an edge).

    ``grid``: learning rates (or any setting) in increasing order; ``scores``: one mean
    validation score per grid value. A best value at an edge means the grid does not bracket
    the optimum: widen it.
    """
    if len(grid) != len(scores) or len(grid) < 3:
        raise ValueError(f"best_on_grid needs 3 or more grid values with one score each; got "
                         f"{len(grid)} values and {len(scores)} scores")
    if list(grid) != sorted(grid):
        raise ValueError(f"best_on_grid needs the grid in increasing order; got {list(grid)}")
    pick = max if higher_is_better else min
    i = pick(range(len(grid)), key=lambda k: scores[k])
    return grid[i], 0 < i < len(grid) - 1


def all_claims() -> list[Claim]:
    """Every module's ``CLAIMS``, in lecture order; names must be unique."""
    found: list[Claim] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.extend(getattr(module, "CLAIMS", []))
    names = [c.name for c in found]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"claim names must be unique; repeated: {dupes}")
    return found
