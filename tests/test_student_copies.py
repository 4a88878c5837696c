"""The student's edition (student/, tools/student_copies.py): generated from notebooks/, up to
date, no solution and no verdict in it, its badges pointing at itself, and it runs: every
checker answers a blank answer with "Not yet"."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tools.student_copies import (  # noqa: E402
    STUDENT,
    VERDICTS,
    blank,
    is_answer,
    main,
    out_of_date,
    student_copy,
)

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WITH_EXERCISES = [p for p in NOTEBOOKS if any(map(is_answer, nbformat.read(p, 4).cells))]


def _answer_indices(nb) -> list[int]:
    return [i for i, c in enumerate(nb.cells) if is_answer(c)]


def _slide_type(cell) -> str:
    return cell.metadata.get("slideshow", {}).get("slide_type", "")


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


def test_student_edition_is_up_to_date():
    stale = out_of_date()
    assert not stale, f"student/ is out of date ({stale}): run make student and commit it"


def test_a_changed_lecture_makes_the_edition_stale(tmp_path):
    lecturer, student = tmp_path / "notebooks", tmp_path / "student"
    lecturer.mkdir()
    nb = nbformat.read(WITH_EXERCISES[0], as_version=4)
    nbformat.write(nb, lecturer / WITH_EXERCISES[0].name)
    (lecturer / "rise.css").write_text("body {}")
    assert main(["--out", str(student), str(lecturer / WITH_EXERCISES[0].name)]) == 0
    (student / "rise.css").write_text("body {}")
    assert out_of_date(lecturer=lecturer, student=student) == []
    nb.cells[1].source += "\n# edited"
    nbformat.write(nb, lecturer / WITH_EXERCISES[0].name)
    assert out_of_date(lecturer=lecturer, student=student) == [WITH_EXERCISES[0].name]
    (student / "old.ipynb").write_text("{}")
    assert "old.ipynb" in out_of_date(lecturer=lecturer, student=student)


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_student_edition_holds_no_solution_and_no_verdict(path):
    lecture = nbformat.read(path, as_version=4)
    edition = nbformat.read(STUDENT / path.name, as_version=4)
    assert len(edition.cells) == len(lecture.cells)
    answers = _answer_indices(lecture)
    for i in answers:
        original, student = lecture.cells[i].source, edition.cells[i].source
        kept = set(student.splitlines())
        solution = [ln for ln in original.splitlines() if ln.strip() and ln not in kept]
        assert solution, f"{path.name} cell {i}: the answer cell has nothing to blank"
        for line in solution:
            assert line not in student, f"{path.name} cell {i}: {line!r}"
        assert not edition.cells[i].get("outputs"), f"{path.name} cell {i}: outputs kept"
        assert "your code here" in student
        assert _slide_type(edition.cells[i]) == "-", "the blank answer sits on the task's slide"
    for i, cell in enumerate(edition.cells):
        text = json.dumps(cell.get("outputs", []), ensure_ascii=False)
        assert not any(v in text for v in VERDICTS) and "Correct" not in text, (path.name, i)
        if i < answers[0]:  # the lecture up to the exercises is unchanged, outputs included
            same = lecture.cells[i]
            assert cell.get("outputs") == same.get("outputs"), (path.name, i)
            if i > 0:
                assert cell.source == same.source, (path.name, i)


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_lecturer_deck_shows_the_answer_after_the_task(path):
    """The worked answer is a fragment: the task is on screen first, the answer on a key
    press, after the students have tried."""
    nb = nbformat.read(path, as_version=4)
    for i in _answer_indices(nb):
        assert _slide_type(nb.cells[i]) == "fragment", f"{path.name} cell {i}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_student_badges_open_the_student_edition(path):
    first = nbformat.read(STUDENT / path.name, as_version=4).cells[0].source
    assert f"/blob/main/student/{path.name})" in first
    assert "/notebooks/" not in first


def test_outputs_that_use_an_answer_are_cleared():
    def code(source, output, tags=()):
        cell = nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)})
        cell.outputs = [nbformat.v4.new_output("stream", text=output)]
        return cell

    nb = nbformat.v4.new_notebook(cells=[
        code("x = 1\nprint(x)", "1"),
        code("lr = 0.07", "", tags=["answer"]),
        code("steps = run(lr)", "ran"),            # uses the answer
        code("print(steps)", "100"),               # uses it through steps
        code("steps = 3", "3"),                    # rebinds steps without the answer
        code("print(steps, x)", "3 1"),
        code("def f():\n    return lr\n", "f"),     # inside a function body
        code("%time y = 2", "Wall time"),           # magic lines are ignored
        code("show(something)", "✔ Correct"),       # a stored verdict
    ])
    copy = student_copy(nb)
    kept = [bool(c.outputs) for c in copy.cells]
    assert kept == [True, False, False, False, True, True, False, True, False]


def test_command_writes_copies(tmp_path):
    assert main(["--out", str(tmp_path), str(WITH_EXERCISES[0])]) == 0
    assert (tmp_path / WITH_EXERCISES[0].name).is_file() and (tmp_path / "rise.css").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_student_edition_runs_and_checkers_say_not_yet(path):
    edition = nbformat.read(STUDENT / path.name, as_version=4)
    client = NotebookClient(
        edition, timeout=600, kernel_name="python3",
        resources={"metadata": {"path": str(STUDENT)}},
    )
    client.execute()  # raises CellExecutionError naming the cell if anything fails
    for i in _answer_indices(edition):
        check_cell = edition.cells[i + 1]
        text = "".join(
            o.get("data", {}).get("text/plain", "") + o.get("text", "")
            for o in check_cell.get("outputs", [])
        )
        assert "Not yet" in text, (
            f"{path.name}: the check after answer cell {i} did not reject the blank answer: "
            f"{text[:200]!r}"
        )


def test_site_page_hides_each_solution_in_a_closed_block():
    """tools/build_site.py's page: the student's edition plus, after each blank answer, the
    worked answer inside a closed <details> block; none with --no-solutions."""
    from tools import build_site

    path = WITH_EXERCISES[0]
    lecture = nbformat.read(path, as_version=4)
    answers = [lecture.cells[i].source for i in _answer_indices(lecture)]
    page = build_site.page(notebook=path)
    blocks = [c.source for c in page.cells if 'class="nn-solution"' in c.source]
    assert len(blocks) == len(answers)
    for block, answer in zip(blocks, answers, strict=True):
        assert block.startswith('<details class="nn-solution">') and "<details open" not in block
        assert answer.rstrip() in block
    assert "lecturer.pdf" in page.cells[0].source
    bare = build_site.page(notebook=path, solutions=False)
    assert not any("nn-solution" in c.source for c in bare.cells)
    assert "lecturer.pdf" not in bare.cells[0].source
    for answer in answers:
        for line in answer.splitlines():
            if line.strip() and not line.startswith(("#", "def ")) and '"""' not in line:
                assert line not in "\n".join(c.source for c in bare.cells), line
