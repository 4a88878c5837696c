from __future__ import annotations

import pytest

from nbhelpers import check


def test_result_repr_and_bool():
    ok, bad = check.passed("x"), check.failed("x", "try again")
    assert ok and not bad
    assert repr(ok).startswith("✅ Correct (x)") and "try again" in repr(bad)
    assert "&lt;" in check.failed("x", "a<b")._repr_html_()


def test_guard_turns_student_errors_into_failures():
    def boom():
        raise ZeroDivisionError("division by zero")

    result = check.guard("x", boom)
    assert not result and "ZeroDivisionError" in result.message


def test_unknown_exercise_lists_known_ones():
    with pytest.raises(AttributeError, match="no exercise"):
        check.no_such_exercise  # noqa: B018


def test_duplicate_names_rejected():
    check.exercise("_dup_test")(lambda: None)
    with pytest.raises(ValueError, match="unique"):
        check.exercise("_dup_test")(lambda: None)
    del check.EXERCISES["_dup_test"]
