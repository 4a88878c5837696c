"""Make student copies of the lectures: every cell tagged ``answer`` is blanked.

    python tools/student_copies.py            # all notebooks -> build/student/
    python tools/student_copies.py --out DIR notebooks/04_loss_functions.ipynb

In a blanked cell the leading comment lines (the task) and every ``def`` line with its
docstring stay; function bodies become ``...`` and top-level assignments become
``name = ...``, so the cell still runs and the checker after it answers "Not yet" with a
hint. Outputs of answer cells and of the cells after the first answer are cleared.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = "...  # your code here"


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


def student_copy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` with its answer cells blanked (the input is not changed)."""
    nb = nbformat.from_dict(nb)  # deep copy
    seen_answer = False
    for cell in nb.cells:
        is_answer = "answer" in cell.metadata.get("tags", [])
        if is_answer:
            cell.source = blank(cell.source)
            seen_answer = True
        if cell.cell_type == "code" and seen_answer:
            cell.outputs, cell.execution_count = [], None
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "student")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    args.out.mkdir(parents=True, exist_ok=True)
    for extra in (ROOT / "notebooks").glob("*.css"):  # slide styling travels along
        (args.out / extra.name).write_text(extra.read_text())
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        answers = sum("answer" in c.metadata.get("tags", []) for c in nb.cells)
        nbformat.write(student_copy(nb), args.out / path.name)
        print(f"{path.name}: {answers} answer cell(s) blanked")
    print(f"student copies in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
