"""The parts of tools/colab_check.py that decide something: which distributions are shared
from .venv, how they are made visible to the second environment, what counts as an install
that changed Colab's packages, and how a kernel's memory and CPU time are read."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from nbhelpers.display import KERNEL_ONLY_WIDGETS  # noqa: E402
from tools import colab_check  # noqa: E402


def test_closure_holds_torch_and_everything_it_requires_here():
    names = {colab_check._name(d.metadata["Name"])
             for d in colab_check.requirement_closure(("torch", "torchvision"))}
    assert {"torch", "torchvision", "numpy", "pillow", "filelock"} <= names
    for line in metadata.requires("torch") or []:
        req = Requirement(line)
        if not req.marker or req.marker.evaluate({"extra": ""}):
            assert colab_check._name(req.name) in names, line
    assert "ipywidgets" not in names and "matplotlib" not in names  # Colab's own versions


def test_shared_distributions_are_seen_as_installed(tmp_path: Path):
    site = tmp_path / "site-packages"
    site.mkdir()
    shared = colab_check.share([metadata.distribution("tqdm")], site=site)
    assert (shared / "tqdm").is_symlink()
    probe = ("import site, sys; site.addsitedir(sys.argv[1]); "
             "import importlib.metadata as m, tqdm; print(m.version('tqdm'), tqdm.__file__)")
    run = subprocess.run([sys.executable, "-I", "-S", "-c", probe, str(site)],
                         capture_output=True, text=True, check=True)
    version, path = run.stdout.split()
    assert version == metadata.version("tqdm") and path.startswith(str(shared))


def test_an_install_that_touches_a_preinstalled_package_is_reported():
    before = {"torch": "2.11.0", "ipywidgets": "7.7.1"}
    assert colab_check.changes(before, {**before, "nbhelpers": "0.1.0"}) == []
    added = dict.fromkeys(KERNEL_ONLY_WIDGETS, "1.0")      # what nbhelpers adds to Colab
    assert colab_check.changes(before, {**before, "nbhelpers": "0.1.0", **added}) == []
    problems = colab_check.changes(before, {"torch": "2.14.1", "nbhelpers": "0.1.0",
                                            "ipywidgets": "7.7.1", "sympy": "1.14"})
    assert problems == ["torch 2.11.0 -> 2.14.1", "sympy 1.14 added"]
    assert colab_check.changes(before, {**before}) == ["nbhelpers not installed"]
    assert colab_check.changes(before, {"torch": "2.11.0", "nbhelpers": "0.1.0"}) == [
        "ipywidgets 7.7.1 -> removed"]


def test_process_peak_memory_and_cpu_time_are_read_from_proc():
    peak_mib, cpu_s = colab_check._proc(os.getpid())
    assert 10 < peak_mib < 64 * 1024 and cpu_s > 0
    child = subprocess.run([sys.executable, "-c",
                            "import os, sys; sys.path.insert(0, sys.argv[1]);"
                            "from tools.colab_check import _proc;"
                            "x = bytearray(300 * 2**20); x[::4096] = b'1' * len(x[::4096]);"
                            "print(_proc(os.getpid())[0])", str(ROOT)],
                           capture_output=True, text=True, check=True)
    assert float(child.stdout) > 300  # the 300 MiB it touched


def test_the_widget_unit_tests_import_only_nbhelpers_and_widgets():
    """They run in the Colab-like and ipywidgets 8 environments, which hold neither the tools'
    packages nor JupyterLab: a tool's test named test_widgets* would fail there."""
    files = colab_check.widget_test_files()
    assert len(files) >= 10 and "tests/test_widgets_draw_digit.py" in files
    for name in files:
        text = (colab_check.ROOT / name).read_text()
        assert "from tools" not in text and "import tools" not in text, name
        assert "playwright" not in text and "jupyterlab" not in text, name
