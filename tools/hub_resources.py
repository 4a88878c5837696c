"""The JupyterHub limits (hub/config.yaml) against measured use, and nbgitpuller links.

    python tools/hub_resources.py                       # check against build/colab/resources.json
    python tools/hub_resources.py --links https://hub.example.edu   # one link per lecture

The measurement is what ``make colab-check`` (tools/colab_check.py) writes: per notebook, run
top to bottom in a fresh kernel, its wall time, CPU seconds and peak resident memory. The rules
for one student's server, with ``peak`` the heaviest lecture's peak memory:

* ``memory.guarantee >= peak``: a scheduled server always fits one lecture's kernel;
* ``2 * peak <= memory.limit <= 8 * peak``: room for the previous lecture's kernel, still
  running, and no more than that (a limit far above use wastes a class's nodes);
* ``cpu.limit >=`` the most cores a lecture kept busy on average (CPU seconds / wall seconds).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "hub" / "config.yaml"
MEASURED = ROOT / "build" / "colab" / "resources.json"
UNITS = {"": 1, "k": 1e3, "M": 1e6, "G": 1e9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}


def quantity(value: str | int | float) -> float:
    """A Kubernetes memory quantity ('1.5G', '512Mi', 10**9) in bytes."""
    match = re.fullmatch(r"([0-9.]+)\s*(k|M|G|Ki|Mi|Gi)?", str(value))
    if match is None:
        raise ValueError(f"{value!r} is not a memory quantity like '2G' or '512Mi'")
    return float(match[1]) * UNITS[match[2] or ""]


def singleuser(config: Path = CONFIG) -> dict:
    import yaml

    return yaml.safe_load(config.read_text())["singleuser"]


def check(measured: dict[str, dict], *, config: Path = CONFIG) -> list[str]:
    """What in ``config`` does not match ``measured`` (notebook -> seconds, cpu_s, peak_mib)."""
    user = singleuser(config)
    peak_name = max(measured, key=lambda k: measured[k]["peak_mib"])
    peak = measured[peak_name]["peak_mib"] * 2**20
    cores_name = max(measured, key=lambda k: measured[k]["cpu_s"] / measured[k]["seconds"])
    cores = measured[cores_name]["cpu_s"] / measured[cores_name]["seconds"]
    guarantee = quantity(user["memory"]["guarantee"])
    limit = quantity(user["memory"]["limit"])
    at = f"(peak {peak / 2**20:.0f} MiB in {peak_name})"
    problems = []
    if guarantee < peak:
        problems.append(f"memory.guarantee {user['memory']['guarantee']} is below one "
                        f"lecture's peak {at}: raise it")
    if limit < 2 * peak:
        problems.append(f"memory.limit {user['memory']['limit']} is below twice the peak {at}")
    if limit > 8 * peak:
        problems.append(f"memory.limit {user['memory']['limit']} is over 8x the peak {at}: "
                        "lower it")
    if float(user["cpu"]["limit"]) < cores:
        problems.append(f"cpu.limit {user['cpu']['limit']} is below the {cores:.2f} cores "
                        f"{cores_name} keeps busy")
    return problems


def links(hub: str, *, repo_url: str | None = None) -> dict[str, str]:
    """An nbgitpuller link per lecture: opens its student's edition (student/) in JupyterLab
    after pulling the repository."""
    if repo_url is None:
        from nbhelpers import REPO_URL as repo_url
    folder = repo_url.rstrip("/").rsplit("/", 1)[1]
    out = {}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        query = urlencode({"repo": repo_url, "branch": "main",
                           "urlpath": f"lab/tree/{folder}/student/{path.name}"}, quote_via=quote,
                          safe="")
        out[path.stem] = f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", metavar="HUB_URL", help="print one nbgitpuller link per lecture")
    args = parser.parse_args(argv)
    if args.links:
        for stem, link in links(args.links).items():
            print(f"{stem}: {link}")
        return 0
    if not MEASURED.is_file():
        raise SystemExit(f"{MEASURED.relative_to(ROOT)} not found: run make colab-check first")
    problems = check(json.loads(MEASURED.read_text()))
    for problem in problems:
        print(f"hub/config.yaml: {problem}")
    if not problems:
        print("hub/config.yaml covers the measured use")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
