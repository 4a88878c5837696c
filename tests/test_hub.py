"""hub/config.yaml (Zero to JupyterHub values) and tools/hub_resources.py: the file parses, its
limits are judged against a measurement by the stated rules, and the nbgitpuller links open
each lecture of this repository."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tools import hub_resources  # noqa: E402


def _measured(peak_mib: float, cpu_s: float = 10.0, seconds: float = 10.0) -> dict:
    return {"05_x": {"seconds": seconds, "cpu_s": cpu_s, "peak_mib": peak_mib},
            "00_y": {"seconds": 5.0, "cpu_s": 2.0, "peak_mib": peak_mib / 2}}


def test_config_parses_and_names_every_resource():
    user = hub_resources.singleuser()
    for kind in ("memory", "cpu"):
        assert {"guarantee", "limit"} <= set(user[kind])
    assert hub_resources.quantity(user["memory"]["guarantee"]) < hub_resources.quantity(
        user["memory"]["limit"])
    assert user["defaultUrl"] == "/lab"
    assert user["extraEnv"]["NBHELPERS_DATA"] == user["storage"]["extraVolumeMounts"][0][
        "mountPath"]


def test_quantities():
    assert hub_resources.quantity("1.5G") == 1.5e9
    assert hub_resources.quantity("512Mi") == 512 * 2**20
    assert hub_resources.quantity(2**30) == 2**30
    with pytest.raises(ValueError, match="not a memory quantity"):
        hub_resources.quantity("lots")


def test_limits_judged_by_the_rules(tmp_path: Path):
    config = tmp_path / "config.yaml"
    config.write_text("singleuser:\n  cpu: {guarantee: 0.5, limit: 2}\n"
                      "  memory: {guarantee: 1G, limit: 2.5G}\n")
    assert hub_resources.check(_measured(900), config=config) == []
    too_much = hub_resources.check(_measured(1200), config=config)
    assert len(too_much) == 2 and "guarantee" in too_much[0] and "twice" in too_much[1]
    assert "over 8x" in hub_resources.check(_measured(250), config=config)[0]
    busy = hub_resources.check(_measured(900, cpu_s=25.0), config=config)
    assert busy == ["cpu.limit 2 is below the 2.50 cores 05_x keeps busy"]


def test_nbgitpuller_links_open_each_lecture_of_this_repository():
    import nbhelpers

    links = hub_resources.links("https://hub.example.edu/")
    assert set(links) == {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    for stem, link in links.items():
        url = urlsplit(link)
        assert (url.netloc, url.path) == ("hub.example.edu", "/hub/user-redirect/git-pull")
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        assert query["repo"] == nbhelpers.REPO_URL and query["branch"] == "main"
        folder = nbhelpers.REPO_URL.rsplit("/", 1)[1]
        assert query["urlpath"] == f"lab/tree/{folder}/student/{stem}.ipynb"
