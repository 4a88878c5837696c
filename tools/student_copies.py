"""The student's edition of the lectures, generated from the lecturer's: ``make student``.

    python tools/student_copies.py              # notebooks/*.ipynb -> student/ (committed)
    python tools/student_copies.py --check      # exit 1 if student/ is not up to date
    python tools/student_copies.py --out DIR notebooks/04_loss_functions.ipynb

``notebooks/`` is the lecturer's edition: worked answers in the cells tagged ``answer``, each
shown on the slides as a fragment after the task, and the checkers' verdicts stored. The
student's edition ``student/`` is the same notebook with:

* every answer cell blanked: its leading comment lines (the task) and every ``def`` line with
  its docstring stay; function bodies become ``...`` and top-level assignments ``name = ...``,
  so that the cell still runs and the checker after it answers "Not yet" with a hint;
* the outputs cleared of every answer cell and of every later cell that uses a name an answer
  cell defined (directly or through another such cell), and of every cell that calls a checker
  or stored a verdict (✔/✘), so that nothing shows a solution's result; the other outputs (the
  lecture's figures) stay, for reading on GitHub;
* the answer cell on the task's slide (``-``) instead of a later fragment;
* the Colab badge pointing at the student's edition itself.

It is committed (Colab opens only files on GitHub), and tests/test_student_copies.py fails when
it is not what this tool writes from ``notebooks/``. ``make sync`` and ``make notebooks``
regenerate it.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
LECTURER = ROOT / "notebooks"
STUDENT = ROOT / "student"
PLACEHOLDER = "...  # your code here"
VERDICTS = ("✔", "✘")
CHECK_CALL = re.compile(r"\bcheck\.\w+\(")
# the Colab badge's link to this notebook in the lecturer's edition
BADGE_PATH = re.compile(r"(colab\.research\.google\.com/github/[^)\s]+?/blob/[^/)\s]+/)notebooks/")


def blank(source: str) -> str:
    """The student version of an answer cell's source."""
    lines = source.splitlines()
    head = []
    for line in lines:  # leading comments: the instructions
        if line.startswith("#") or not line.strip():
            head.append(line)
        else:
            break
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return "\n".join([*head, PLACEHOLDER])
    out = list(head)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            first_body = node.body[0]
            has_doc = (
                isinstance(first_body, ast.Expr)
                and isinstance(first_body.value, ast.Constant)
                and isinstance(first_body.value.value, str)
            )
            keep_to = first_body.end_lineno if has_doc else node.body[0].lineno - 1
            start = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
            out.extend(lines[start:keep_to])
            indent = " " * (first_body.col_offset)
            out.append(f"{indent}{PLACEHOLDER}")
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = " = ".join(ast.unparse(t) for t in targets)
            out.append(f"{names} = {PLACEHOLDER}")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            out.append(ast.unparse(node))
    return "\n".join(out).rstrip() + "\n"


def is_answer(cell: nbformat.NotebookNode) -> bool:
    return "answer" in cell.metadata.get("tags", [])


def names(source: str) -> tuple[set[str], set[str]] | None:
    """(names read, names bound) anywhere in a cell, function bodies included; None when the
    cell is not plain Python (IPython magics and shell lines are left out first)."""
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    read, bound = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
    return read, bound


def shows_verdict(cell: nbformat.NotebookNode) -> bool:
    text = repr(cell.get("outputs", []))
    return any(mark in text for mark in VERDICTS) or bool(CHECK_CALL.search(cell.source))


def student_copy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` as the student's edition (the input is not changed)."""
    nb = nbformat.from_dict(nb)  # deep copy
    from_answers: set[str] = set()  # names whose value comes from a worked answer
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = BADGE_PATH.sub(r"\1student/", cell.source)
            continue
        if cell.cell_type != "code":
            continue
        found = names(cell.source)
        if is_answer(cell):
            from_answers |= found[1] if found else set()
            cell.source = blank(cell.source)
            if cell.metadata.get("slideshow", {}).get("slide_type") == "fragment":
                cell.metadata.slideshow.slide_type = "-"
            clear = True
        elif found is None:
            clear = bool(from_answers)
        else:
            read, bound = found
            clear = bool(read & from_answers) or shows_verdict(cell)
            from_answers = (from_answers | bound) if read & from_answers else from_answers - bound
        if clear:
            cell.outputs, cell.execution_count = [], None
    return nb


def render(path: Path) -> str:
    """The student's edition of the notebook at ``path``, as the text of its file."""
    return nbformat.writes(student_copy(nbformat.read(path, as_version=4))) + "\n"


def out_of_date(*, lecturer: Path = LECTURER, student: Path = STUDENT) -> list[str]:
    """The student's-edition files that differ from what this tool writes (or are missing, or
    have no lecture any more)."""
    stale = [p.name for p in sorted(lecturer.glob("*.ipynb"))
             if not (student / p.name).is_file()
             or (student / p.name).read_text(encoding="utf-8") != render(p)]
    css = [{p.name: p.read_bytes() for p in folder.glob("*.css")} for folder in (lecturer, student)]
    stale += [name for name in css[0].keys() | css[1].keys() if css[0].get(name) != css[1].get(name)]
    stale += [p.name for p in sorted(student.glob("*.ipynb")) if not (lecturer / p.name).is_file()]
    return sorted(set(stale))


def write(paths: list[Path], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for extra in LECTURER.glob("*.css"):  # slide styling travels along
        (out / extra.name).write_bytes(extra.read_bytes())
    for path in paths:
        (out / path.name).write_text(render(path), encoding="utf-8")
    if out.resolve() == STUDENT.resolve():  # a lecture removed from notebooks/ goes here too
        for old in out.glob("*.ipynb"):
            if not (LECTURER / old.name).is_file():
                old.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=STUDENT)
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if student/ is out of date")
    args = parser.parse_args(argv)
    if args.check:
        stale = out_of_date()
        if stale:
            print(f"student/ is out of date ({', '.join(stale)}): run make student",
                  file=sys.stderr)
            return 1
        print("student/ is up to date")
        return 0
    paths = args.notebooks or sorted(LECTURER.glob("*.ipynb"))
    write(paths, args.out)
    print(f"student's edition of {len(paths)} notebook(s) in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
