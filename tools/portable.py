"""The portable pass: every notebook again, on older CPU code paths (``make test``, ``make
portable``).

The stored outputs must not depend on the CPU: machines differ (AVX2, AVX-512, Intel, AMD).
The pass runs each notebook under nbval a second time with torch, MKL and oneDNN held to older
instruction sets (:data:`OTHER_CPU`: scalar ATen kernels, SSE4.2 BLAS, SSE4.1 convolutions), a
different rounding path on any x86 CPU; a cell whose stored output changes there is
machine-dependent.

    python tools/portable.py        # copies notebooks/*.ipynb to build/portable/

pytest then collects the copies beside the originals; the root conftest.py starts the kernel
of a copy with :data:`OTHER_CPU` in its environment (and the originals without it), so both
passes share one parallel pytest run.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORTABLE = ROOT / "build" / "portable"
OTHER_CPU = {
    "ATEN_CPU_CAPABILITY": "default",    # torch's scalar kernels, not AVX2 / AVX-512
    "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",  # MKL's BLAS on SSE4.2
    "ONEDNN_MAX_CPU_ISA": "SSE41",       # oneDNN's convolutions on SSE4.1
}


#: This machine's values of those variables (usually unset), as this process started.
NATIVE = {name: os.environ.get(name) for name in OTHER_CPU}


def set_code_paths(notebook: Path) -> bool:
    """Set ``os.environ`` for the kernel of ``notebook`` (nbval starts it with this process's
    environment): :data:`OTHER_CPU` for a copy in build/portable/, :data:`NATIVE` for any other
    notebook. Returns whether it is a portable copy."""
    portable = Path(notebook).resolve().is_relative_to(PORTABLE)
    for name, value in (OTHER_CPU if portable else NATIVE).items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    return portable


def copy_notebooks() -> list[Path]:
    """build/portable/ := a fresh copy of notebooks/*.ipynb (nothing else: a stale copy of a
    renamed notebook must not run)."""
    shutil.rmtree(PORTABLE, ignore_errors=True)
    PORTABLE.mkdir(parents=True)
    return [Path(shutil.copy2(nb, PORTABLE)) for nb in sorted((ROOT / "notebooks").glob("*.ipynb"))]


if __name__ == "__main__":
    copies = copy_notebooks()
    print(f"{len(copies)} notebooks copied to {PORTABLE.relative_to(ROOT)}/ for the portable pass")
    sys.exit(0 if copies else 1)
