"""tools/widgets8_check.py: the ipywidgets 8 environment shares everything but the widgets."""

from __future__ import annotations

import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from nbhelpers.display import KERNEL_ONLY_WIDGETS  # noqa: E402
from tools import widgets8_check as w8  # noqa: E402


def _names(dists) -> set[str]:
    return {d.metadata["Name"].lower().replace("_", "-") for d in dists}


def test_the_shared_packages_do_not_bring_this_environments_widgets():
    """What make_env links in from .venv: never ipywidgets 7 or its frontend (they would
    shadow the ipywidgets 8 installed there); what it installs: exactly the widget stack."""
    shared = w8.shared_dists()
    assert not _names(shared) & w8.WIDGET_STACK
    modules = {Path(str(f)).parts[0] for d in shared for f in d.files or []}
    assert not modules & {"ipywidgets", "jupyterlab_widgets", "widgetsnbextension",
                          *KERNEL_ONLY_WIDGETS}
    assert {"torch", "jupyterlab", "jupyterlab-rise", "pytest", "playwright"} <= _names(shared)
    installed = {Requirement(r).name.lower().replace("_", "-") for r in w8.IPYWIDGETS8}
    assert installed == w8.WIDGET_STACK
    majors = {Requirement(r).name: str(Requirement(r).specifier)[2:].split(".")[0]
              for r in w8.IPYWIDGETS8}
    assert majors["ipywidgets"] == "8" and majors["jupyterlab-widgets"] == "3"


def test_the_probe_covers_the_last_live_pair_and_todays():
    live = [Version(widgets) for (widgets, _), ok in w8.PROBE.items() if ok]
    assert live and all(not ok for (widgets, _), ok in w8.PROBE.items()
                        if Version(widgets) > max(live))          # the newest live pair
    today = next(Requirement(r) for r in w8.IPYWIDGETS8 if r.startswith("ipywidgets=="))
    assert str(today.specifier)[2:] in {widgets for widgets, _ in w8.PROBE}
