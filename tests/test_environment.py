"""requirements.txt and environment.yml must name the same packages at the same versions."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

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


def _other_cpu_env() -> dict[str, str]:
    line = next(x for x in (ROOT / "Makefile").read_text().splitlines()
                if x.startswith("OTHER_CPU"))
    return dict(pair.split("=", 1) for pair in line.split("=", 1)[1].split())


def test_portable_pass_really_takes_another_code_path():
    """`make portable` re-runs the notebooks with torch held to its scalar kernels: the
    variable names must still mean something to this torch (else the pass tests nothing)."""
    env = _other_cpu_env()
    assert set(env) == {"ATEN_CPU_CAPABILITY", "MKL_ENABLE_INSTRUCTIONS", "ONEDNN_MAX_CPU_ISA"}
    probe = "import torch; print(torch.backends.cpu.get_cpu_capability())"
    held = subprocess.run([sys.executable, "-c", probe], env={**os.environ, **env},
                          capture_output=True, text=True, check=True).stdout.strip()
    assert held == "DEFAULT", f"ATEN_CPU_CAPABILITY=default ignored: torch runs {held}"
