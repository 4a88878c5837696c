"""Shared fixtures. Tests that need the real data sets skip with a reason when
NBHELPERS_DATA does not point at them (CI sets it to ../shared/data)."""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PUBLISH = ROOT / "test-artifacts" / "publish"


def _have(name: str) -> bool:
    from nbhelpers.data import RAW_FILES, raw_folder

    return all((raw_folder(name) / f).is_file() for f in RAW_FILES)


@pytest.fixture(scope="session")
def mnist_available() -> None:
    if not _have("mnist"):
        pytest.skip("MNIST not found: set NBHELPERS_DATA to a folder holding MNIST/raw")


@pytest.fixture(scope="session")
def fashion_available() -> None:
    if not _have("fashionmnist"):
        pytest.skip("FashionMNIST not found: set NBHELPERS_DATA to a folder holding it")


def _tool(*args: str, timeout: int) -> None:
    """Run ``python tools/...`` as `make` does; fail the test with its output tail."""
    run = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                         timeout=timeout)
    if run.returncode != 0:
        pytest.fail(f"{' '.join(args)} exited {run.returncode}:\n"
                    f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}")


def _need_browser() -> None:
    from shared import unavailable

    from tools.chromium import missing

    reason = missing() or (None if shutil.which("npm") else "npm not found (static slides)")
    if reason:
        unavailable(reason)


@pytest.fixture(scope="session")
def handouts_dir() -> Path:
    """What ``make handouts`` writes, for every lecture, built once per test session into
    test-artifacts/publish/handouts (kept as an artifact)."""
    _need_browser()
    out = PUBLISH / "handouts"
    shutil.rmtree(out, ignore_errors=True)
    _tool("tools/handouts.py", "--out", str(out), timeout=1800)
    return out


@pytest.fixture(scope="session")
def site_dir(handouts_dir: Path) -> Path:
    """What ``make site`` writes (with the handouts above), built once per test session into
    test-artifacts/publish/site."""
    out = PUBLISH / "site"
    shutil.rmtree(PUBLISH / "site-src", ignore_errors=True)  # its sources, from an old run
    shutil.rmtree(out, ignore_errors=True)
    _tool("tools/build_site.py", "--handouts", str(handouts_dir), "--out", str(out),
          timeout=1800)
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (base signature)
        pass


@pytest.fixture(scope="module")  # the site and accessibility tests
def serve() -> Iterator[Callable[[Path], str]]:
    """serve(folder) -> its base URL on 127.0.0.1 (one server thread per folder)."""
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
