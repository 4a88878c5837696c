"""The course machines and CI keep MNIST and FashionMNIST beside the checkout, in
``../shared/data``: the tools and the tests use it when ``NBHELPERS_DATA`` is unset, so that a
local ``make test`` reads the same files as CI (.ci/run exports it itself, before anything is
installed). Anywhere else nbhelpers' own default holds (``~/.cache/nbhelpers``, see
:func:`nbhelpers.data.data_root`). A checkout convention, not a package one: an installed
nbhelpers (Colab, pip) has no checkout beside it, so it lives here, and importing it costs no
torch (the root conftest.py imports it in every pytest process).
"""

from __future__ import annotations

import os
from pathlib import Path

#: ``shared/data`` beside the checkout.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def use_shared_data(folder: Path = SHARED_DATA) -> None:
    """Set ``NBHELPERS_DATA`` to ``folder`` when it is unset (or blank, as
    :func:`nbhelpers.data.data_root` reads it) and ``folder`` exists; else change nothing."""
    if not os.environ.get("NBHELPERS_DATA", "").strip() and folder.is_dir():
        os.environ["NBHELPERS_DATA"] = str(folder)
