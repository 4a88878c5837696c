"""Headless Chromium for the build tools (handouts) and the browser tests.

The Debian package (``apt-get install chromium``: /usr/bin/chromium, or NBHELPERS_CHROMIUM),
driven by Playwright with ``executable_path``; never ``playwright install``. The flags keep it
off the network: without the background-networking ones it keeps trying to reach Google.
"""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("NBHELPERS_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def missing() -> str | None:
    """Why Chromium cannot be started here, or None when it can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found: install the Debian package (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed in this environment (pip install -r requirements.txt)"
    return None


def launch(playwright):
    """Start headless Chromium from a ``sync_playwright()`` context; one clear error if absent."""
    reason = missing()
    if reason:
        raise SystemExit(reason)
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
