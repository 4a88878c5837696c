"""One home for each convention (issue 25): the slide size and the kernel-only widgets
(nbhelpers.display), Colab detection (nbhelpers.device.on_colab) and the shared data beside
the checkout (tools.shared_data) are defined once; every tracked .py file outside the
notebooks imports them. These tests fail when a copy reappears, and check the one literal
left on purpose: notebooks/rise.css, which cannot import Python."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from nbhelpers.display import KERNEL_ONLY_WIDGETS, SLIDE_HEIGHT, SLIDE_WIDTH  # noqa: E402
from tools import shared_data  # noqa: E402

HOMES = {"slide size": "nbhelpers/display.py", "kernel-only widgets": "nbhelpers/display.py",
         "Colab detection": "nbhelpers/device.py", "shared data": "tools/shared_data.py"}
#: Literals that look like a copy and are not one: (file, what) -> why.
NOT_COPIES = {
    ("tests/test_site.py", "slide size"): "the site's browser window (1280x900), a web page",
}
SIZE_TEXT = re.compile(rf"(?<![\d.])({SLIDE_WIDTH}|{SLIDE_HEIGHT})(?![\d.])")
LIBRARY_TEXT = re.compile(rf"\b({'|'.join(KERNEL_ONLY_WIDGETS)})\b")


def _python_files() -> list[str]:
    """Tracked .py files, without the notebooks' jupytext pairs (notebooks/text, student/):
    their setup cells detect Colab with ``"google.colab" in sys.modules`` themselves, because
    they run before nbhelpers is installed and so cannot import nbhelpers.device.on_colab;
    tests/test_notebook_setup.py checks those cells (tools/nbbuild.py SETUP writes them)."""
    out = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.split()
    return [p for p in out if not p.startswith(("notebooks/", "student/"))
            and p != "tests/test_conventions.py"]  # this file quotes each copy, on purpose


def _docstrings(tree: ast.AST) -> set[int]:
    return {id(node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}


def conventions_in(source: str) -> list[tuple[str, int]]:
    """(convention, line) for each literal of ``source`` that copies a convention: the slide
    size as a number or in a string (docstrings and comments may mention it), a kernel-only
    widget library by name (``"ipycanvas==0.14.3"`` too) or demo, ``"google.colab" in
    sys.modules``, ``"shared" / "data"``."""
    tree = ast.parse(source)
    docs, found = _docstrings(tree), []
    names = set(KERNEL_ONLY_WIDGETS) | {m for ms in KERNEL_ONLY_WIDGETS.values() for m in ms}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and id(node) not in docs:
            value = node.value
            if isinstance(value, int) and value in (SLIDE_WIDTH, SLIDE_HEIGHT):
                found.append(("slide size", node.lineno))
            elif isinstance(value, str) and SIZE_TEXT.search(value):
                found.append(("slide size", node.lineno))
            elif value in names or isinstance(value, str) and LIBRARY_TEXT.search(value):
                found.append(("kernel-only widgets", node.lineno))
            elif isinstance(value, str) and (value == "shared" or "shared/data" in value):
                found.append(("shared data", node.lineno))
        # Only nbhelpers.device.on_colab tests sys.modules; the notebooks' setup cells repeat
        # the test (they run before nbhelpers is installed), see _python_files
        elif (isinstance(node, ast.Compare) and isinstance(node.left, ast.Constant)
              and node.left.value == "google.colab"):
            found.append(("Colab detection", node.lineno))
    return sorted(found, key=lambda f: f[1])


def test_the_detector_finds_each_kind_of_copy():
    source = ('"""A docstring may say 1280x720, google.colab and ../shared/data."""\n'
              'size = {"width": 1280, "height": 720}\n'
              'js = "outside 1280x720"\n'
              'libs = ("ipycanvas", "import ipycanvas; print(1)")\n'
              'demos = ["draw_digit"]\n'
              'colab = "google.colab" not in sys.modules\n'
              'data = ROOT.parent / "shared" / "data"\n'
              'env = "../shared/data"\n'
              'ok = (128, 7200, "0.1280", "shared scope", "draw_digit.py")\n')
    assert conventions_in(source) == [
        ("slide size", 2), ("slide size", 2), ("slide size", 3), ("kernel-only widgets", 4),
        ("kernel-only widgets", 4), ("kernel-only widgets", 5), ("Colab detection", 6),
        ("shared data", 7), ("shared data", 8)]


def test_each_convention_has_one_home():
    copies = []
    for path in _python_files():
        for what, line in conventions_in((ROOT / path).read_text()):
            if path != HOMES[what] and (path, what) not in NOT_COPIES:
                copies.append(f"{path}:{line}: {what} (import it from {HOMES[what]})")
    assert not copies, "\n".join(copies)


def test_rise_css_names_the_slide_size():
    """rise.css keeps its literal (CSS cannot import the constant): it must be this one."""
    css = (ROOT / "notebooks" / "rise.css").read_text()
    assert css.splitlines()[0].endswith(f"({SLIDE_WIDTH}×{SLIDE_HEIGHT}).")
    assert re.findall(r"(\d+) px slide", css) == [str(SLIDE_HEIGHT)]
    sizes = re.findall(r"\d+ *[x×] *\d+", css)
    assert set(sizes) == {f"{SLIDE_WIDTH}×{SLIDE_HEIGHT}"}, sizes


@pytest.mark.parametrize("env", [None, "", "  "])
def test_shared_data_is_used_when_nbhelpers_data_is_unset(tmp_path, monkeypatch, env):
    folder = tmp_path / "shared" / "data"
    folder.mkdir(parents=True)
    if env is None:
        monkeypatch.delenv("NBHELPERS_DATA", raising=False)
    else:
        monkeypatch.setenv("NBHELPERS_DATA", env)
    shared_data.use_shared_data(folder)
    assert os.environ["NBHELPERS_DATA"] == str(folder)


def test_shared_data_never_overrides_nbhelpers_data_nor_names_a_missing_folder(
        tmp_path, monkeypatch):
    monkeypatch.setenv("NBHELPERS_DATA", "/elsewhere")
    shared_data.use_shared_data(tmp_path)
    assert os.environ["NBHELPERS_DATA"] == "/elsewhere"
    monkeypatch.delenv("NBHELPERS_DATA")
    shared_data.use_shared_data(tmp_path / "missing")
    assert "NBHELPERS_DATA" not in os.environ


def test_the_shared_data_folder_is_beside_the_checkout():
    assert shared_data.SHARED_DATA == ROOT.parent / "shared" / "data"
