"""tools/timetable.py: phases are timed and kept in order, a failed one is marked and passes its
exit status on, and the table adds them up."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tools import timetable  # noqa: E402


def test_phases_are_timed_in_order_and_failures_marked(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("TIMETABLE", str(tmp_path / "t.tsv"))
    assert timetable.main(["reset"]) == 0
    sleep = [sys.executable, "-c", "import time; time.sleep(1.2)"]
    assert timetable.main(["run", "first", "--", *sleep]) == 0
    assert timetable.main(["run", "broken", "--", sys.executable, "-c", "raise SystemExit(3)"]) == 3
    lines = timetable.show().splitlines()
    assert lines[1].split() == ["first", "1", "ok"]
    assert lines[2].split() == ["broken", "0", "FAILED"]
    assert lines[3].split()[:2] == ["total", "1"]
    timetable.main(["reset"])
    assert timetable.show().splitlines()[-1].split()[:2] == ["total", "0"]


def test_a_bad_call_says_how_to_use_it():
    import pytest

    with pytest.raises(SystemExit, match="usage"):
        timetable.main(["run", "x"])


def test_work_units_keep_notebooks_and_builds_together_and_split_decks():
    import importlib.util

    spec = importlib.util.spec_from_file_location("root_conftest", ROOT / "conftest.py")
    root_conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(root_conftest)
    work_unit = root_conftest.work_unit

    assert work_unit("notebooks/05_gradient_descent.ipynb::Cell 3") == \
        "notebooks/05_gradient_descent.ipynb"
    assert work_unit("tests/test_site.py::test_search") == work_unit(
        "tests/test_handouts.py::test_pages[00_start_here]") == "publish"
    assert work_unit("tests/test_browser.py::test_rise_slides[05_x.ipynb]") == work_unit(
        "tests/test_browser.py::test_widget_runs_live_in_lab_and_rise[05_x.ipynb]")
    assert work_unit("tests/test_browser.py::test_rise_slides[05_x.ipynb]") != work_unit(
        "tests/test_browser.py::test_rise_slides[06_y.ipynb]")
    assert work_unit("tests/test_browser.py::test_static_slides_offline") == \
        "tests/test_browser.py"
    assert work_unit("tests/test_browser.py::test_draw_a_digit_live_in_rise[12_x.ipynb]") == \
        work_unit("tests/test_browser.py::test_rise_slides[12_x.ipynb]")   # one kernel state
    copy = "tests/test_student_copies.py::test_student_copy_runs_and_checkers_say_not_yet[08_x]"
    assert work_unit(copy) == copy != work_unit(copy.replace("08_x", "09_y"))
    assert work_unit("tests/test_student_copies.py::test_blank_survives_syntax_errors") == \
        "tests/test_student_copies.py"
    assert work_unit("build/portable/05_x.ipynb::Cell 3") != work_unit("notebooks/05_x.ipynb::Cell 3")
