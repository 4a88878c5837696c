"""Root conftest: applies to tests/ and to the notebooks that nbval runs.

Parallel runs (``make test``: pytest-xdist ``-n 2 --dist loadfile``) hand each worker whole
work units (:func:`work_unit`): a file, so that a notebook's cells stay in one kernel as nbval
needs; the publishing test files together (handouts, site, accessibility, maths), which share
one handouts + site build; and each
deck of the browser test on its own, so that the decks spread over the workers (each worker
starts its own JupyterLab); each student copy's run (a whole lecture) is a unit too.
(``--dist loadgroup`` with ``xdist_group`` marks would say the same,
but pytest-xdist 3.8 ignores those marks under pytest 9.)

The portable pass (tools/portable.py) is the same run: the notebooks' copies in build/portable/
get their kernels started on older CPU code paths (:func:`pytest_runtest_setup`).

When NBHELPERS_DATA is unset and the course's shared data sits beside the checkout
(tools/shared_data.py, as on the course machines and in CI), use it, so that a local
``make test`` behaves like CI. Anywhere else the normal default (``~/.cache/nbhelpers``) holds.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools import portable
from tools.shared_data import use_shared_data

use_shared_data()


def work_unit(nodeid: str) -> str:
    """What one xdist worker runs together: a file (a notebook's cells need one kernel), the
    publishing test files (one handouts + site build), or one browser deck."""
    path, _, name = nodeid.partition("::")
    if path in ("tests/test_handouts.py", "tests/test_site.py", "tests/test_accessibility.py",
                "tests/test_maths_a11y.py"):
        return "publish"
    deck = re.fullmatch(
        r"test_(?:rise_slides|widget_runs_live_in_lab_and_rise|draw_a_digit_live_in_rise)\[(.+)\]",
        name)
    if path == "tests/test_browser.py" and deck:
        return f"browser:{deck[1]}"
    if path == "tests/test_student_copies.py" and name.startswith("test_student_copy_runs"):
        return nodeid  # each copy runs a whole lecture: one unit per lecture
    return path


@pytest.hookimpl(optionalhook=True)  # an environment without pytest-xdist runs the tests too
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """``--dist loadfile`` (make test), with the work units of :func:`work_unit`."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class CourseScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return CourseScheduling(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before nbval starts a notebook's kernel (at its first cell's setup): the copies in
    build/portable/ get the older CPU code paths (tools/portable.py), the rest this machine's."""
    portable.set_code_paths(Path(str(item.path)))
