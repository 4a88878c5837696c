"""Time each phase of ``make test`` and ``.ci/run`` and print the table at the end.

    python tools/timetable.py reset                  # start a new table
    python tools/timetable.py run NAME -- CMD ...    # run CMD, record NAME, seconds, exit status
    python tools/timetable.py show                   # print the table (and the total)

The table is a tab-separated file, ``$TIMETABLE`` or build/timetable.tsv. ``run`` exits with the
command's status, so a failed phase still lets the next ones run when the caller goes on (the
Makefile's ``test`` does, and reports the first failure at the end).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def table() -> Path:
    return Path(os.environ.get("TIMETABLE", ROOT / "build" / "timetable.tsv"))


def run(name: str, command: list[str]) -> int:
    start = time.perf_counter()
    status = subprocess.call(command)
    seconds = time.perf_counter() - start
    table().parent.mkdir(parents=True, exist_ok=True)
    with table().open("a") as f:
        f.write(f"{name}\t{seconds:.0f}\t{status}\n")
    return status


def show() -> str:
    rows = [line.split("\t") for line in table().read_text().splitlines() if line] \
        if table().is_file() else []
    width = max([len(r[0]) for r in rows] + [5])
    lines = [f"{'phase':<{width}}  {'seconds':>7}  result"]
    for name, seconds, status in rows:
        lines.append(f"{name:<{width}}  {seconds:>7}  {'ok' if status == '0' else 'FAILED'}")
    total = sum(int(r[1]) for r in rows)
    lines.append(f"{'total':<{width}}  {total:>7}  ({total // 60} min {total % 60} s)")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv[:1] == ["reset"]:
        table().unlink(missing_ok=True)
        return 0
    if argv[:1] == ["show"]:
        print(show())
        return 0
    if len(argv) >= 4 and argv[0] == "run" and argv[2] == "--":
        return run(argv[1], argv[3:])
    raise SystemExit("usage: timetable.py reset | run NAME -- CMD ... | show")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
