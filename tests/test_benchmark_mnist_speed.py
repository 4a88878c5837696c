"""benchmarks/mnist_speed.py: the table and its ratio, and a smoke run of the whole script.

The benchmark itself (minutes) is not a test; the smoke run trains both sides on a few
hundred images only, to prove that the script runs from a checkout and prints its table.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "mnist_speed.py"


def _load():
    spec = importlib.util.spec_from_file_location("mnist_speed", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load()


def _result(name, evals):
    """The script's own result record for made-up evaluations (60,000 images per epoch)."""
    return bench._result(name, evals, int(60_000 * evals[-1]["epoch"]), 0.0,
                         torch.device("cpu"))


OURS = _result("ours", [{"epoch": 1, "seconds": 8.0, "accuracy": 0.985},
                        {"epoch": 2, "seconds": 16.0, "accuracy": 0.9905},
                        {"epoch": 3, "seconds": 24.0, "accuracy": 0.992}])


def test_table_ratio_when_both_reach_the_target():
    ref = _result("reference", [{"epoch": 1, "seconds": 140.0, "accuracy": 0.98},
                                {"epoch": 2, "seconds": 280.0, "accuracy": 0.9899},
                                {"epoch": 3, "seconds": 420.0, "accuracy": 0.9901}])
    text = bench.table(OURS, ref)
    assert "ours reaches 99.0 % 26.2x sooner" in text          # 420 / 16
    assert "| time to 99.0 % test accuracy | 16.0 s" in text
    assert "420.0 s" in text and "99.20% after 3 ep" in text


def test_table_gives_a_lower_bound_when_the_reference_never_reaches_it():
    ref = _result("reference", [{"epoch": 1, "seconds": 140.0, "accuracy": 0.98},
                                {"epoch": 2, "seconds": 280.0, "accuracy": 0.9895}])
    text = bench.table(OURS, ref)
    assert "not reached (> 280 s)" in text and "> 2 (cap)" in text
    assert "more than 17.5x sooner" in text                   # 280 / 16: a lower bound


def test_table_without_a_ratio_when_ours_misses():
    miss = _result("ours", [{"epoch": 3, "seconds": 24.0, "accuracy": 0.985}])
    assert "ours did not reach 99.0 %: no ratio" in bench.table(miss, OURS)


def test_rejects_impossible_arguments():
    proc = subprocess.run([sys.executable, str(SCRIPT), "--max-epochs-reference", "0"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "must be at least 1" in proc.stderr


@pytest.mark.slow
def test_smoke_run_prints_the_table(mnist_available):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--device", "cpu", "--train-limit", "640",
         "--max-epochs-reference", "1", "--evals-per-epoch", "2"],
        capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert out.startswith("machine: ") and "logical CPUs" in out
    assert out.count("  ours: epoch ") == 3            # one evaluation per epoch
    assert "| time to 99.0 % test accuracy |" in out and "| training images / s" in out
    # 640 images cannot teach either network 99 %: the script must say so, not invent a ratio
    assert "ours did not reach 99.0 %: no ratio" in out
