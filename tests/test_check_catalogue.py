"""Every checker against its catalogue of answers (issue 24): each exercise has at least
MIN_RIGHT correct answers it must accept (the reference and other correct ways: other types,
other formulas, a model's mode restored) and MIN_WRONG plausible mistakes it must refuse with a
message that names the mistake. The catalogues live next to each lecture's checker tests, as
``CATALOGUE`` in tests/test_check_<lecture>.py."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from shared import MIN_RIGHT, MIN_WRONG, Case

from nbhelpers import check

TESTS = Path(__file__).resolve().parent
MODULES = sorted(p.stem for p in TESTS.glob("test_check_*.py")
                 if p.stem not in {"test_check_core", "test_check_catalogue"})


def catalogues() -> dict[str, list[Case]]:
    """``"<lecture module>.<exercise>"`` -> its cases, from each lecture's test module."""
    found: dict[str, list[Case]] = {}
    for name in MODULES:
        lecture = name.removeprefix("test_check_")
        for exercise, cases in getattr(importlib.import_module(name), "CATALOGUE", {}).items():
            found[f"{lecture}.{exercise}"] = cases
    return found


def checker(key: str):
    lecture, exercise = key.split(".", 1)
    return getattr(importlib.import_module(f"nbhelpers.check.{lecture}"), exercise)


CATALOGUES = catalogues()
CASES = [(exercise, case) for exercise, cases in CATALOGUES.items() for case in cases]


def test_every_exercise_has_its_catalogue():
    exercises = check.all_exercises()
    missing = sorted(set(exercises) - set(CATALOGUES))
    assert not missing, f"exercises without a CATALOGUE entry: {missing}"
    unknown = sorted(set(CATALOGUES) - set(exercises))
    assert not unknown, f"catalogued exercises that do not exist: {unknown}"
    short = {name: (sum(c.passes for c in cases), sum(not c.passes for c in cases))
             for name, cases in CATALOGUES.items()}
    short = {k: v for k, v in short.items() if v[0] < MIN_RIGHT or v[1] < MIN_WRONG}
    assert not short, f"(right, wrong) answers below ({MIN_RIGHT}, {MIN_WRONG}): {short}"


@pytest.mark.parametrize(("exercise", "case"), CASES,
                         ids=[f"{e}: {c.what}" for e, c in CASES])
def test_catalogue_answer(exercise: str, case: Case):
    result = checker(exercise)(*case.args)
    if case.passes:
        assert result.passed, f"refuses a right answer ({case.what}): {result.message}"
        return
    assert not result.passed, f"accepts a wrong answer ({case.what})"
    assert result.message != check.NO_ANSWER, f"{case.what}: answered as if blank"
    for word in case.hint:
        assert word in result.message, f"{case.what}: {word!r} not in {result.message!r}"
