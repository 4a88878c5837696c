"""Results of the course's comparative sweeps, as ``make claims`` stored them.

Some comparisons (several seeds, a learning-rate grid per arm) take longer than a lecture's
one-minute run. ``make claims`` (tools/claims.py, the sweeps in claims/) runs them and writes
one JSON file per claim into this folder; nothing else writes them. A slide that plots one
says so, with :func:`source`.

    >>> from nbhelpers import measured
    >>> r = measured.load("08/batch-norm")      # the dict the sweep returned
    >>> print(measured.source("08/batch-norm"))
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).resolve().parent


def path(name: str) -> Path:
    """The file of claim ``name`` ("LECTURE/ID", e.g. "08/batch-norm")."""
    lecture, sep, ident = name.partition("/")
    if not sep or not lecture.isdigit() or not ident:
        raise ValueError(f"a claim is named 'LECTURE/ID', e.g. '08/batch-norm'; got {name!r}")
    return FOLDER / f"{lecture}-{ident}.json"


def _read(name: str) -> dict[str, Any]:
    file = path(name)
    if not file.is_file():
        raise FileNotFoundError(f"no stored results for claim {name!r} ({file.name}); run "
                                "`make claims` in the course repository to measure it")
    return json.loads(file.read_text())


def load(name: str) -> dict[str, Any]:
    """The results that claim ``name``'s sweep returned (what the slide plots)."""
    return _read(name)["results"]


def source(name: str) -> str:
    """One line saying where the numbers come from, for the slide that shows them."""
    stored = _read(name)
    return (f"Measured by `make claims` (claims/l{name.split('/')[0]}.py, {stored['seeds']} "
            f"seeds, {stored['when']}, {stored['machine']}); holds on "
            f"{stored['holds']}/{stored['seeds']} seeds.")
