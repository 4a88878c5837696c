"""requirements.txt and environment.yml must name the same packages at the same versions."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from tools.portable import OTHER_CPU

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^\s*-?\s*([A-Za-z0-9_.\-]+)==([^\s#]+)")


def _pins(lines) -> dict[str, str]:
    pins = {}
    for line in lines:
        m = PIN.match(line)
        if m:
            pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def requirements() -> dict[str, str]:
    return _pins((ROOT / "requirements.txt").read_text().splitlines())


def environment() -> dict[str, str]:
    text = (ROOT / "environment.yml").read_text()
    pip_block = text.split("- pip:", 1)[1]
    return _pins(pip_block.splitlines())


def test_every_requirement_is_pinned_exactly():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            assert PIN.match(line), f"requirements.txt: {line!r} is not pinned with =="


def test_requirements_and_environment_agree():
    req, env = requirements(), environment()
    assert req, "no pins found in requirements.txt"
    assert req == env, (
        f"only in requirements.txt: {sorted(set(req.items()) - set(env.items()))}; "
        f"only in environment.yml: {sorted(set(env.items()) - set(req.items()))}"
    )


@pytest.mark.parametrize("name,version", sorted(requirements().items()))
def test_installed_versions_match_the_pins(name, version):
    installed = metadata.version(name)
    assert installed.split("+")[0] == version, f"{name}: installed {installed}, pinned {version}"


def test_portable_pass_really_takes_another_code_path():
    """The portable pass re-runs the notebooks with torch held to its scalar kernels: the
    variable names must still mean something to this torch (else the pass tests nothing)."""
    env = OTHER_CPU
    assert set(env) == {"ATEN_CPU_CAPABILITY", "MKL_ENABLE_INSTRUCTIONS", "ONEDNN_MAX_CPU_ISA"}
    probe = "import torch; print(torch.backends.cpu.get_cpu_capability())"
    held = subprocess.run([sys.executable, "-c", probe], env={**os.environ, **env},
                          capture_output=True, text=True, check=True).stdout.strip()
    assert held == "DEFAULT", f"ATEN_CPU_CAPABILITY=default ignored: torch runs {held}"


def test_portable_copies_are_every_notebook_and_nothing_else(tmp_path, monkeypatch):
    import tools.portable as portable

    monkeypatch.setattr(portable, "PORTABLE", tmp_path / "portable")
    (tmp_path / "portable").mkdir()
    (tmp_path / "portable" / "old_name.ipynb").write_text("{}")     # a renamed notebook
    copies = portable.copy_notebooks()
    assert sorted(p.name for p in (tmp_path / "portable").iterdir()) == sorted(
        p.name for p in (ROOT / "notebooks").glob("*.ipynb")) == [p.name for p in copies]
    assert copies[0].read_bytes() == (ROOT / "notebooks" / copies[0].name).read_bytes()


def test_only_the_portable_copies_get_the_older_code_paths(monkeypatch):
    import tools.portable as portable

    for name in OTHER_CPU:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(portable, "NATIVE", dict.fromkeys(OTHER_CPU))
    assert portable.set_code_paths(portable.PORTABLE / "05_gradient_descent.ipynb")
    assert {n: os.environ.get(n) for n in OTHER_CPU} == OTHER_CPU
    assert not portable.set_code_paths(ROOT / "notebooks" / "05_gradient_descent.ipynb")
    assert not any(n in os.environ for n in OTHER_CPU)
    monkeypatch.setattr(portable, "NATIVE", {**dict.fromkeys(OTHER_CPU), "ONEDNN_MAX_CPU_ISA": "X"})
    portable.set_code_paths(ROOT / "notebooks" / "05_gradient_descent.ipynb")
    assert os.environ["ONEDNN_MAX_CPU_ISA"] == "X"              # the machine's own setting
