"""The checker core: Result, the @exercise decorator (name, blank answers, guard), the shared
checks, and one checker module per lecture, matching the exercises its notebook calls."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest
import torch

from nbhelpers import check

ROOT = Path(__file__).resolve().parents[1]
LECTURES = sorted(p for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
                  if not p.name.startswith("00_"))


def test_result_repr_and_bool():
    ok, bad = check.correct(), check.not_yet("try again")
    assert ok and not bad
    assert repr(ok).startswith("✔ Correct") and "try again" in repr(bad)
    assert "&lt;" in check.not_yet("a<b")._repr_html_()


def _register(fn, module="tests.check_core_fixture"):
    fn.__module__ = module
    checker = check.exercise(fn)
    return checker


@pytest.fixture
def registered():
    before = dict(check.EXERCISES)
    yield
    check.EXERCISES.clear()
    check.EXERCISES.update(before)


def test_exercise_takes_the_function_name_and_stamps_results(registered):
    def _demo(x):
        return check.correct("fine") if x == 1 else check.not_yet("no")

    checker = _register(_demo)
    assert check.EXERCISES["check_core_fixture._demo"] is checker
    assert checker(1) and repr(checker(1)).startswith("✔ Correct (_demo): fine")
    assert repr(checker(2)) == "✘ Not yet (_demo): no"


def test_blank_answers_get_the_one_message(registered):
    def _demo_blank(a, b=0):
        raise AssertionError("a blank answer must not reach the checker")

    checker = _register(_demo_blank)
    for args, kwargs in [((...,), {}), ((None,), {}), ((1, ...), {}), (((1, ...),), {}),
                         (([None, 2],), {}), ((1,), {"b": ...})]:
        result = checker(*args, **kwargs)
        assert not result and result.message == check.NO_ANSWER, (args, kwargs)


def test_student_errors_and_not_yet_become_failures(registered):
    def _demo_guard(fn):
        return check.correct() if check.call(fn, 2) == 4 else check.not_yet("double it")

    checker = _register(_demo_guard)
    assert checker(lambda x: 2 * x)
    assert checker(lambda x: x).message == "double it"
    crashed = checker(lambda x: 1 / 0)
    assert not crashed and "ZeroDivisionError" in crashed.message and "raised" in crashed.message
    assert checker(lambda x: None).message == check.NO_ANSWER  # a body of `...` returns None
    assert "function itself" in checker(4).message  # a result passed instead of the function


def test_shared_checks():
    assert check.tensor(torch.ones(2, dtype=torch.int64), shape=(2,)).dtype == torch.float64
    with pytest.raises(check.NotYet, match=r"torch.Tensor, not a list: say why"):
        check.tensor([1.0], hint="say why")
    with pytest.raises(check.NotYet, match=r"shape \(3,\), got \(2,\)"):
        check.tensor(torch.ones(2), shape=(3,))
    assert check.number(torch.tensor([0.5])) == 0.5 and check.number(2) == 2.0
    for bad in (torch.ones(2), True, "0.5"):
        with pytest.raises(check.NotYet, match="one number"):
            check.number(bad)
    assert check.close(torch.ones(2), torch.ones(2, dtype=torch.float64) + 1e-7)
    assert not check.close(torch.ones(2), torch.ones(1, 2))


def test_lectures_import_their_own_checkers():
    """No lookup across lectures: ``check.<exercise>`` works only on the lecture's module."""
    from nbhelpers.check import regularisation

    assert regularisation.dropout.__module__ == "nbhelpers.check.regularisation"
    with pytest.raises(AttributeError):
        check.dropout  # noqa: B018


def test_the_same_name_in_two_lectures(registered):
    def _same():
        return check.correct()

    first = _register(_same, module="one_lecture")
    second = _register(_same, module="another_lecture")
    assert check.EXERCISES["one_lecture._same"] is first
    assert check.EXERCISES["another_lecture._same"] is second


def _code(path: Path) -> str:
    cells = json.loads(path.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


@pytest.mark.parametrize("path", LECTURES, ids=lambda p: p.stem)
def test_each_lecture_has_its_checker_module(path):
    module_name = f"nbhelpers.check.{path.stem[3:]}"
    module = importlib.import_module(module_name)
    code = _code(path)
    assert f"from nbhelpers.check import {path.stem[3:]} as check" in code, \
        f"{path.name} must import its own checkers"
    used = set(re.findall(r"\bcheck\.(\w+)\(", code))
    defined = {key.split(".", 1)[1] for key, fn in check.all_exercises().items()
               if fn.__module__ == module_name}
    assert defined, f"{module.__name__} defines no exercise"
    assert used <= defined, f"{path.name} calls checkers of other modules: {used - defined}"
    assert defined <= used, f"{module_name} has exercises {path.name} does not use: " \
                            f"{defined - used}"


def test_every_checker_module_is_a_lecture():
    lectures = {p.stem[3:] for p in LECTURES}
    modules = {fn.__module__.rsplit(".", 1)[1] for fn in check.all_exercises().values()}
    assert modules <= lectures, modules - lectures


@pytest.mark.parametrize("name", sorted(check.all_exercises()))
def test_every_checker_answers_a_blank_answer(name):
    result = check.all_exercises()[name](...)
    assert not result and result.message == check.NO_ANSWER
    assert result.exercise == name.split(".", 1)[1]


def test_forbid_refuses_a_ruled_out_call_however_it_is_reached():
    import torch.nn.functional as F

    linear = torch.nn.Linear(3, 2)
    with pytest.raises(check.NotYet, match="no F.linear"), check.Forbid({F.linear}, "no F.linear"):
        linear(torch.ones(1, 3))                      # nn.Linear calls F.linear
    with check.Forbid({F.linear}, "no F.linear"):
        assert torch.ones(1, 3) @ linear.weight.T is not None   # other arithmetic runs


def test_call_log_records_calls_and_conv_weights():
    conv = torch.nn.Conv2d(1, 2, 3)
    with check.CallLog() as calls:
        torch.nn.functional.max_pool2d(conv(torch.ones(1, 1, 6, 6)), 2)
    assert "conv2d" in calls.names and calls.pools() == ["max_pool2d"]
    assert list(calls.conv_weights.values())[0] is conv.weight


def test_refuse_shortcuts_names_the_forbidden_call():
    def answer(n):
        return torch.nn.functional.conv2d(n, n)

    refused = check.refuse_shortcuts(answer, {"conv2d"}, "the output")
    assert refused is not None and not refused.passed and "conv2d" in refused.message
    assert check.refuse_shortcuts(lambda n: n + 1, {"conv2d"}, "the output") is None
