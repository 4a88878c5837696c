"""The Colab-like check: ``make colab-check`` (run by .ci/run after ``make test``).

    python tools/colab_check.py                  # every lecture
    python tools/colab_check.py notebooks/05_gradient_descent.ipynb

Does what a student's first click on an "Open in Colab" badge does, as far as this machine can:

1. builds the ``nbhelpers`` wheel (not an editable install);
2. makes a second environment, build/colab-venv, holding Colab's versions of the Python-only
   stack (``COLAB``: the published runtime's pins) and this machine's torch and torchvision,
   shared from .venv instead of installed again (a ``.pth`` file points at a folder of links to
   torch's distributions: 5.5 GB not copied, the same files, seen by pip as installed);
3. installs the wheel with its dependencies, as the notebooks' setup cell does on Colab, and
   fails if that install changed any package Colab preinstalls (``pip list`` before and after:
   only nbhelpers and what it needs beyond Colab, ADDED_ON_COLAB, may be added), i.e. no forced
   restart;
4. executes every notebook top to bottom in a fresh kernel of that environment (outputs are not
   compared: versions differ), from a copy of notebooks/ so that the wheel, not the checkout,
   is what gets imported;
5. runs the widget unit tests (tests/test_widgets*.py) on Colab's ipywidgets 7.7.1;
6. records per notebook the wall time, the kernel's CPU time and its peak memory (VmHWM) in
   build/colab/resources.json, and checks the JupyterHub limits in hub/config.yaml against
   them (tools/hub_resources.py).

Not reproduced: Python 3.13 (torch's files here are cp311; ``nbhelpers`` is compiled under 3.13
instead, see ``check_python313``), Colab's torch 2.11, its GPU, and ``%pip install`` from
GitHub (no internet here): the wheel stands in for it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from nbhelpers.display import KERNEL_ONLY_WIDGETS  # noqa: E402
from tools import hub_resources  # noqa: E402
from tools.shared_data import use_shared_data  # noqa: E402

BUILD = ROOT / "build" / "colab"
VENV = ROOT / "build" / "colab-venv"
# Colab's published runtime (2026-08) for the packages the lectures import; torch and
# torchvision come from this machine (SHARED). ipywidgets 8 is not supported on Colab.
COLAB = [
    "ipywidgets==7.7.1",
    "widgetsnbextension==3.6.10",
    "ipykernel==6.17.1",
    "ipython==7.34.0",
    "matplotlib==3.10.0",
    "tqdm==4.67.1",
]
SHARED = ("torch", "torchvision", "pytest")  # Colab preinstalls pytest too
# What nbhelpers needs beyond Colab's preinstalled packages: the setup cell's install adds
# them (a new package needs no restart); anything else it adds or changes is reported.
ADDED_ON_COLAB = {"nbhelpers", *KERNEL_ONLY_WIDGETS}
PRESERVED = {"torch", "torchvision", "numpy", "matplotlib", "ipywidgets", "ipykernel",
             "ipython", "tqdm", "pillow", "widgetsnbextension"}
CELL_TIMEOUT_S = 600


def _name(requirement: str) -> str:
    return re.match(r"[A-Za-z0-9_.-]+", requirement)[0].lower().replace("_", "-")


def requirement_closure(names: tuple[str, ...]) -> list[metadata.Distribution]:
    """The installed distributions ``names`` need here (markers evaluated, extras followed)."""
    from packaging.requirements import Requirement

    found: dict[str, metadata.Distribution] = {}
    todo = [(name, frozenset()) for name in names]
    done = set()
    while todo:
        name, extras = todo.pop()
        if (_name(name), extras) in done:
            continue
        done.add((_name(name), extras))
        dist = found.setdefault(_name(name), metadata.distribution(name))
        for line in dist.requires or []:
            req = Requirement(line)
            wanted = not req.marker or any(
                req.marker.evaluate({"extra": extra}) for extra in ("", *extras))
            if wanted:
                todo.append((req.name, frozenset(req.extras)))
    return list(found.values())


def share(dists: list[metadata.Distribution], *, site: Path) -> Path:
    """Link every top-level file of ``dists`` into one folder and put it on ``site``'s path."""
    shared = site.parent / "shared-from-main-venv"
    shutil.rmtree(shared, ignore_errors=True)
    shared.mkdir()
    for dist in dists:
        base = Path(dist.locate_file(""))
        tops = {Path(f).parts[0] for f in dist.files or [] if not str(f).startswith("..")}
        for top in tops:
            if (base / top).exists() and not (shared / top).exists():
                (shared / top).symlink_to(base / top)
    (site / "zz-shared-from-main-venv.pth").write_text(f"{shared}\n")
    return shared


def pip(python: Path, *args: str) -> str:
    run = subprocess.run([str(python), "-m", "pip", "--disable-pip-version-check", *args],
                         capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"colab_check: pip {' '.join(args)} failed:\n{run.stdout[-2000:]}"
                         f"\n{run.stderr[-3000:]}")
    return run.stdout


def installed(python: Path) -> dict[str, str]:
    listing = json.loads(pip(python, "list", "--format=json"))
    return {_name(p["name"]): p["version"] for p in listing}


def build_wheel() -> Path:
    out = BUILD / "wheel"
    shutil.rmtree(out, ignore_errors=True)
    pip(Path(sys.executable), "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT))
    (wheel,) = out.glob("nbhelpers-*.whl")
    return wheel


def changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """What an install did besides adding nbhelpers (name -> version, before and after)."""
    changed = [f"{n} {v} -> {after.get(n, 'removed')}" for n, v in sorted(before.items())
               if after.get(n) != v]
    added = [f"{n} {after[n]} added" for n in sorted(set(after) - set(before))
             if n not in ADDED_ON_COLAB]
    return changed + added + ([] if "nbhelpers" in after else ["nbhelpers not installed"])


def make_env(wheel: Path) -> Path:
    """build/colab-venv with Colab's pins + shared torch; then the wheel, checked harmless."""
    shutil.rmtree(VENV, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    python = VENV / "bin" / "python"
    site = Path(subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True).stdout.strip())
    pip(python, "uninstall", "--quiet", "--yes", "setuptools")  # the shared one replaces it
    share(requirement_closure(SHARED), site=site)
    pip(python, "install", "--quiet", *COLAB)
    before = installed(python)
    pip(python, "install", "--quiet", str(wheel))
    after = installed(python)
    if changes(before, after):
        raise SystemExit("colab_check: installing nbhelpers changed the preinstalled packages "
                         f"({'; '.join(changes(before, after))}); widen the ranges in "
                         "pyproject.toml so that Colab's versions satisfy them")
    kept = {n: after[n] for n in sorted(PRESERVED)}
    print(f"  wheel installed; preinstalled packages unchanged: {kept}")
    return python


def register_kernel(python: Path) -> None:
    """Make the kernel "colab-like" (the Colab-like interpreter) known to this process."""
    data = BUILD / "jupyter"
    spec = data / "kernels" / "colab-like"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-Xfrozen_modules=off", "-m", "ipykernel_launcher",
                 "-f", "{connection_file}"],
        "display_name": "Colab-like", "language": "python"}))
    os.environ["JUPYTER_PATH"] = str(data)


def _proc(pid: int) -> tuple[float, float]:
    """(peak resident memory in MiB, CPU seconds of the process and its waited children)."""
    status = Path(f"/proc/{pid}/status").read_text()
    peak_kib = int(re.search(r"VmHWM:\s+(\d+) kB", status)[1])
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return peak_kib / 1024, ticks / os.sysconf("SC_CLK_TCK")


def execute(path: Path, *, workdir: Path) -> dict:
    """Run one notebook top to bottom in a fresh Colab-like kernel; its resources."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    sample = {"peak_mib": 0.0, "cpu_s": 0.0}

    def measure(**_: object) -> None:  # after each cell; VmHWM only grows
        sample["peak_mib"], sample["cpu_s"] = _proc(client.km.provisioner.pid)

    client = NotebookClient(nb, kernel_name="colab-like", timeout=CELL_TIMEOUT_S,
                            on_cell_executed=measure,
                            resources={"metadata": {"path": str(workdir)}})
    start = time.perf_counter()
    client.execute(cwd=str(workdir))
    return {"seconds": round(time.perf_counter() - start, 1),
            "cpu_s": round(sample["cpu_s"], 1), "peak_mib": round(sample["peak_mib"])}


def python313() -> str | None:
    """A working Python 3.13 interpreter (on PATH, or one that pyenv installed), or None."""
    candidates = [shutil.which("python3.13"),
                  *map(str, sorted(Path.home().glob(".pyenv/versions/3.13*/bin/python3.13")))]
    for python in filter(None, candidates):
        if subprocess.run([python, "--version"], capture_output=True).returncode == 0:
            return python
    return None


def check_python313() -> str:
    """Byte-compile nbhelpers under Python 3.13 (Colab's), when this machine has one."""
    python = python313()
    if python is None:
        return "no Python 3.13 here: skipped"
    with tempfile.TemporaryDirectory() as tmp:
        run = subprocess.run([python, "-m", "compileall", "-q", "-d", "nbhelpers",
                              str(ROOT / "nbhelpers")], capture_output=True, text=True,
                             env={**os.environ, "PYTHONPYCACHEPREFIX": tmp})
    if run.returncode != 0:
        raise SystemExit(f"colab_check: nbhelpers does not compile on Python 3.13:\n"
                         f"{run.stdout[-3000:]}{run.stderr[-2000:]}")
    version = subprocess.run([python, "--version"], capture_output=True, text=True).stdout
    return f"compiles on {version.strip()}"


def widget_test_files() -> list[str]:
    """tests/test_widgets*.py, relative to the repository: the demos' unit tests, which need
    only nbhelpers and its widget stack (not the tools or the browser)."""
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_widgets*.py"))


def widget_unit_tests(python: Path, *, label: str) -> int:
    """The widget unit tests (tests/test_widgets*.py) in the environment of ``python`` (whose
    widget stack ``label`` names); their exit code."""
    run = subprocess.run([str(python), "-m", "pytest", "-q", "-o", "addopts=-p no:cacheprovider",
                          *widget_test_files()], cwd=ROOT, capture_output=True, text=True)
    lines = run.stdout.strip().splitlines()
    print(f"widget unit tests on {label}: {lines[-1] if lines else run.stderr[-500:]}")
    if run.returncode:
        print(run.stdout[-3000:])
    return run.returncode


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    args = parser.parse_args(argv)
    notebooks = [p.resolve() for p in args.notebooks] or sorted(
        (ROOT / "notebooks").glob("*.ipynb"))
    use_shared_data()  # as the root conftest.py: the data sets beside the checkout
    start = time.perf_counter()
    print(f"Python 3.13: {check_python313()}")
    python = make_env(build_wheel())
    print(f"  environment ready in {time.perf_counter() - start:.0f} s")
    register_kernel(python)
    work = Path(tempfile.mkdtemp(prefix="colab-notebooks-"))
    shutil.copytree(ROOT / "notebooks", work, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("*.ipynb", "text", ".ipynb_checkpoints"))

    def one(path: Path) -> tuple[str, dict | str]:
        try:
            return path.stem, execute(path, workdir=work)
        except Exception as error:  # noqa: BLE001 - reported per notebook below
            return path.stem, f"{type(error).__name__}: {str(error)[-1500:]}"

    results = dict(map(one, notebooks))  # one at a time: each measured alone
    shutil.rmtree(work, ignore_errors=True)
    widget_tests = widget_unit_tests(python, label="ipywidgets 7.7.1 (Colab)")
    failed = {k: v for k, v in results.items() if isinstance(v, str)}
    measured = {k: v for k, v in results.items() if not isinstance(v, str)}
    print(f"{'notebook':<42} {'wall s':>7} {'cpu s':>7} {'peak MiB':>9}")
    for stem, r in results.items():
        row = (f"{r['seconds']:>7} {r['cpu_s']:>7} {r['peak_mib']:>9}" if stem in measured
               else "  FAILED")
        print(f"{stem:<42} {row}")
    BUILD.mkdir(parents=True, exist_ok=True)
    report = BUILD / "resources.json"
    report.write_text(json.dumps(measured, indent=1))
    for stem, error in failed.items():
        print(f"\n{stem} failed in the Colab-like environment:\n{error}")
    problems = hub_resources.check(measured) if measured and not args.notebooks else []
    for problem in problems:
        print(f"hub/config.yaml: {problem}")
    print(f"Colab-like check: {len(measured)} ran, {len(failed)} failed, "
          f"{time.perf_counter() - start:.0f} s; resources in {report.relative_to(ROOT)}")
    return 1 if failed or problems or widget_tests else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
