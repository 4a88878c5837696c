"""Root conftest: applies to tests/ and to the notebooks that nbval runs.

When NBHELPERS_DATA is unset and the course's shared data sits beside the checkout
(``../shared/data``, as on the course machines and in CI), use it, so that a local
``make test`` behaves like CI. Anywhere else the normal default (``~/.cache/nbhelpers``) holds.
"""

from __future__ import annotations

import os
from pathlib import Path

_shared = Path(__file__).resolve().parent.parent / "shared" / "data"
if not os.environ.get("NBHELPERS_DATA") and _shared.is_dir():
    os.environ["NBHELPERS_DATA"] = str(_shared)
