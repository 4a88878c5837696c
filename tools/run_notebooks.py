"""Execute notebooks in a fresh kernel, in place, and store their outputs.

    python tools/run_notebooks.py notebooks/*.ipynb
    python tools/run_notebooks.py --check notebooks/05_*.ipynb   # run, report, write nothing

Runs each notebook with notebooks/ as the working directory (as JupyterLab and nbval do),
with the kernel of the current environment. Stops at the first error.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # ``python tools/run_notebooks.py`` as well as ``from tools import``
from tools.shared_data import use_shared_data  # noqa: E402


def run(path: Path, *, timeout: int = 900, write: bool = True) -> float:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # drop stale outputs/metadata so nothing survives from a past run
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("execution", None)
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
    ).execute()
    if write:
        nbformat.write(nb, path)
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    use_shared_data()
    write = "--check" not in argv
    paths = [Path(p) for p in argv if p != "--check"] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        print(f"running {path.name} ...", flush=True)
        print(f"  done in {run(path, write=write):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
