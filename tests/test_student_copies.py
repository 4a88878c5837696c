"""Student copies: answers blanked, nothing revealed, and the copies still run.

The execution test runs each student copy top to bottom in a fresh kernel: every cell up to
the first exercise must run as in the lecture, and every checker must answer the blanked
answer with "Not yet" instead of crashing.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tools.student_copies import blank, main, student_copy  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WITH_EXERCISES = [
    p for p in NOTEBOOKS
    if any("answer" in c.metadata.get("tags", []) for c in nbformat.read(p, 4).cells)
]


def _answer_indices(nb) -> list[int]:
    return [i for i, c in enumerate(nb.cells) if "answer" in c.metadata.get("tags", [])]


def test_blank_keeps_task_and_signature_drops_solution():
    src = '# Task: write f\ndef f(x):\n    """Double x."""\n    y = x * 2\n    return y\nk = 3\n'
    out = blank(src)
    assert "# Task: write f" in out and 'def f(x):\n    """Double x."""' in out
    assert "x * 2" not in out and "k = 3" not in out and "k = ..." in out
    compile(out, "<answer>", "exec")


def test_blank_survives_syntax_errors():
    assert "..." in blank("def broken(:\n")


def test_every_lecture_has_exercises():
    lectures = [p for p in NOTEBOOKS if not p.name.startswith("00_")]
    missing = [p.name for p in lectures if p not in WITH_EXERCISES]
    assert not missing, f"lectures without exercises (cells tagged 'answer'): {missing}"


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_student_copy_hides_answers_and_keeps_the_lecture(path):
    nb = nbformat.read(path, as_version=4)
    copy = student_copy(nb)
    answers = _answer_indices(nb)
    first = answers[0]
    for i in range(first):
        assert copy.cells[i].source == nb.cells[i].source
    for i in answers:
        original, student = nb.cells[i].source, copy.cells[i].source
        kept = set(student.splitlines())
        solution = [ln for ln in original.splitlines() if ln.strip() and ln not in kept]
        assert solution, f"{path.name} cell {i}: the answer cell has nothing to blank"
        for line in solution:
            assert line not in student, f"{path.name} cell {i} still shows {line!r}"
        assert "your code here" in student
    assert nb.cells[first].source != copy.cells[first].source  # the input was not modified


def test_command_writes_copies(tmp_path):
    assert main(["--out", str(tmp_path), *map(str, WITH_EXERCISES[:1] or NOTEBOOKS[:1])]) == 0
    assert any(tmp_path.glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_student_copy_runs_and_checkers_say_not_yet(path, tmp_path):
    copy = student_copy(nbformat.read(path, as_version=4))
    client = NotebookClient(
        copy, timeout=600, kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()  # raises CellExecutionError naming the cell if anything fails
    answers = _answer_indices(copy)
    for i in answers:
        check_cell = copy.cells[i + 1]
        text = "".join(
            o.get("data", {}).get("text/plain", "") + o.get("text", "")
            for o in check_cell.get("outputs", [])
        )
        assert "Not yet" in text, (
            f"{path.name}: the check after answer cell {i} did not reject the blank answer: "
            f"{text[:200]!r}"
        )
