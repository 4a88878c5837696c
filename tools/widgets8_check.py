"""ipywidgets 8 beside the pinned ipywidgets 7: ``make widgets8-check`` (.ci/run runs it).

    python tools/widgets8_check.py              # widget unit tests on ipywidgets 8 + RISE probe
    python tools/widgets8_check.py --no-probe   # the unit tests only

1. Makes build/widgets8-venv: everything the tests need is **shared from .venv** (torch,
   matplotlib, pytest, JupyterLab, jupyterlab-rise, Playwright: links on a ``.pth`` path, as in
   tools/colab_check.py, not a second 5.5 GB install), except the widget stack, which is
   installed there: ipywidgets 8, its frontend jupyterlab_widgets 3, ipycanvas, and nbhelpers
   (editable, without dependencies).
2. Runs the widget unit tests (tests/test_widgets*.py) in it: the demos' code on ipywidgets 8.
3. The slideshow probe: for each pair of ``PROBE`` (ipywidgets, jupyterlab_widgets) it installs
   the pair and runs the browser test's probe deck (``zz_probe_widget``: run a slider demo in
   JupyterLab, then live in the jupyterlab-rise slideshow, drag it, see the output change).
   It prints which pairs render live widgets on slides and fails if that differs from what
   ``PROBE`` says (what chose the pins in requirements.txt; the README tells users).

The main environment (ipywidgets 7.8.5) runs the same unit tests in ``make test``, and the
Colab-like one (7.7.1) in ``make colab-check``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from nbhelpers.display import KERNEL_ONLY_WIDGETS  # noqa: E402
from tools.colab_check import pip, requirement_closure, share, widget_unit_tests  # noqa: E402

VENV = ROOT / "build" / "widgets8-venv"
MAIN = Path(sys.prefix)  # .venv, when make runs this
#: Shared from .venv: what the widget unit tests and the browser test import (and what those
#: need), but not the widget stack.
SHARED = ("torch", "torchvision", "numpy", "matplotlib", "tqdm", "pillow", "pytest",
          "nbformat", "jupyterlab", "jupyterlab-rise", "playwright")
WIDGET_STACK = {"ipywidgets", "jupyterlab-widgets", "widgetsnbextension", *KERNEL_ONLY_WIDGETS}
#: Today's ipywidgets 8, as `pip install ipywidgets` gives it (2026-08), and the other widget
#: libraries at .venv's versions (requirements.txt's pins).
IPYWIDGETS8 = ["ipywidgets==8.1.9", "jupyterlab-widgets==3.0.17", "widgetsnbextension==4.0.16",
               *(f"{name}=={metadata.version(name)}" for name in KERNEL_ONLY_WIDGETS)]
#: ipywidgets + jupyterlab_widgets pairs tried in the slideshow, and whether live widgets
#: render there (measured with this tool; jupyterlab_widgets 3.0.11 and later ask for
#: @jupyterlab/console, which jupyterlab-rise 0.43.1's app does not share).
PROBE = {
    ("8.1.2", "3.0.10"): True,
    ("8.1.3", "3.0.11"): False,
    ("8.1.9", "3.0.17"): False,
}


def shared_dists() -> list[metadata.Distribution]:
    """What make_env links in from .venv: ``SHARED`` and what they need, without the widget
    stack (ipywidgets 7 there would shadow the ipywidgets 8 installed here)."""
    return [d for d in requirement_closure(SHARED)
            if d.metadata["Name"].lower().replace("_", "-") not in WIDGET_STACK]


def make_env() -> Path:
    """build/widgets8-venv: .venv's packages (``SHARED`` and what they need) linked in,
    ipywidgets 8 installed, JupyterLab's app, extensions and server config linked in."""
    shutil.rmtree(VENV, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    python = VENV / "bin" / "python"
    site = Path(subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True).stdout.strip())
    pip(python, "uninstall", "--quiet", "--yes", "setuptools")  # the shared one replaces it
    share(shared_dists(), site=site)
    # JupyterLab's built app, the other lab extensions (RISE) and the server extensions' config
    data, etc = VENV / "share" / "jupyter", VENV / "etc" / "jupyter" / "jupyter_server_config.d"
    (data / "labextensions").mkdir(parents=True, exist_ok=True)
    etc.mkdir(parents=True, exist_ok=True)
    (data / "lab").symlink_to(MAIN / "share" / "jupyter" / "lab")
    for ext in (MAIN / "share" / "jupyter" / "labextensions").iterdir():
        if ext.name not in ("@jupyter-widgets", *KERNEL_ONLY_WIDGETS):
            (data / "labextensions" / ext.name).symlink_to(ext)
    for conf in (MAIN / "etc" / "jupyter" / "jupyter_server_config.d").glob("*.json"):
        shutil.copy(conf, etc / conf.name)
    pip(python, "install", "--quiet", *IPYWIDGETS8)
    pip(python, "install", "--quiet", "--no-deps", "-e", str(ROOT))  # for the kernels
    return python


def versions(python: Path) -> str:
    """``ipywidgets 8.1.9 jupyterlab_widgets 3.0.17 ipycanvas 0.14.3`` as installed there."""
    names = ("ipywidgets", "jupyterlab_widgets", *KERNEL_ONLY_WIDGETS)
    return subprocess.run(
        [str(python), "-c", f"import {', '.join(names)}; print("
         + ", ".join(f"'{n}', {n}.__version__" for n in names) + ")"],
        capture_output=True, text=True, check=True).stdout.strip()


def pytest(python: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NBHELPERS_REQUIRE_BROWSER": "1"}
    return subprocess.run([str(python), "-m", "pytest", "-q", "-o", "addopts=-p no:cacheprovider",
                           *args], cwd=ROOT, env=env, capture_output=True, text=True)


def probe(python: Path) -> dict[tuple[str, str], bool]:
    """Install each pair of PROBE in turn and run the probe deck in the slideshow."""
    live = {}
    for widgets, lab in PROBE:
        pip(python, "install", "--quiet", f"ipywidgets=={widgets}",
            f"jupyterlab-widgets=={lab}")
        run = pytest(python, "tests/test_browser.py", "-k",
                     "test_widget_runs_live_in_lab_and_rise and zz_probe_widget")
        live[(widgets, lab)] = run.returncode == 0
        lines = run.stdout.strip().splitlines() or [run.stderr[-300:]]
        why = [ln[2:].strip() for ln in lines if ln.startswith("E ")][:1]
        tail = "; ".join([lines[-1], *why])[:400]
        print(f"  ipywidgets {widgets} + jupyterlab_widgets {lab}: "
              f"{'live widgets' if live[(widgets, lab)] else 'NO live widgets'} in RISE ({tail})")
    return live


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-probe", action="store_true", help="skip the slideshow probe")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    python = make_env()
    print(f"{VENV.relative_to(ROOT)} ready in {time.perf_counter() - start:.0f} s: "
          f"{versions(python)}")
    status = widget_unit_tests(python, label=versions(python))
    if not args.no_probe:
        live = probe(python)
        if live != PROBE:
            print(f"the slideshow probe changed: expected {PROBE}, measured {live}; "
                  "update PROBE, the pins in requirements.txt and the README")
            status = 1
    print(f"widgets8-check: {'ok' if status == 0 else 'FAILED'} in "
          f"{time.perf_counter() - start:.0f} s")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
