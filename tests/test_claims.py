"""make claims (tools/claims.py, claims/): the registry, the stored results the slides plot,
and the runner's line and exit status."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

import claims
from claims import Claim, Verdict, best_on_grid
from nbhelpers import measured
from tools import claims as runner

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ALL = claims.all_claims()
LOADED = re.compile(r"measured\.(?:load|source)\(\s*[\"']([^\"']+)[\"']")


def notebook_code(lecture: str) -> str:
    (path,) = [p for p in NOTEBOOKS if p.name.startswith(lecture + "_")]
    nb = nbformat.read(path, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("claim", ALL, ids=[c.name for c in ALL])
def test_stored_results_hold_and_were_written_by_make_claims(claim: Claim) -> None:
    stored = json.loads(measured.path(claim.name).read_text())
    assert stored["written_by"] == "make claims" and stored["claim"] == claim.name
    assert stored["statement"] == claim.statement, "statement changed: run make claims again"
    verdict = claim.check(stored["results"])
    assert len(verdict.holds) >= 3, f"{claim.name}: at least 3 seeds"
    assert all(verdict.holds), f"{claim.name} does not hold on the stored results"


@pytest.mark.parametrize("claim", ALL, ids=[c.name for c in ALL])
def test_each_claim_is_shown_and_sourced_in_its_lecture(claim: Claim) -> None:
    code = notebook_code(claim.lecture)
    assert f'measured.source("{claim.name}")' in code, (
        f"lecture {claim.lecture} must show claim {claim.name} with measured.source(...)")


def test_notebooks_load_only_registered_claims() -> None:
    names = {c.name for c in ALL}
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for name in LOADED.findall(cell.source):
                assert name in names, f"{path.name} loads {name!r}, which claims/ does not define"


def test_every_stored_file_belongs_to_a_claim() -> None:
    files = {p.name for p in measured.FOLDER.glob("*.json")}
    assert files == {measured.path(c.name).name for c in ALL}


def test_best_on_grid() -> None:
    assert best_on_grid([0.01, 0.1, 1.0], [0.5, 0.9, 0.7]) == (0.1, True)
    assert best_on_grid([0.01, 0.1, 1.0], [0.5, 0.7, 0.9]) == (1.0, False)
    assert best_on_grid([0.01, 0.1, 1.0], [0.3, 0.1, 0.2], higher_is_better=False) == (0.1, True)
    with pytest.raises(ValueError, match="increasing"):
        best_on_grid([1.0, 0.1, 0.01], [0.0, 1.0, 0.0])
    with pytest.raises(ValueError, match="3 or more"):
        best_on_grid([0.1, 1.0], [0.0, 1.0])


def test_measured_names_are_checked() -> None:
    with pytest.raises(ValueError, match="LECTURE/ID"):
        measured.path("batch-norm")
    with pytest.raises(FileNotFoundError, match="make claims"):
        measured.load("99/nothing")


def fake(holds: list[bool]) -> Claim:
    return Claim(lecture="99", id="fake", statement="a fake claim",
                 sweep=lambda: {"holds": holds},
                 check=lambda r: Verdict(holds=r["holds"], margin=0.5 if all(r["holds"]) else -1))


@pytest.mark.parametrize(("holds", "status"), [([True] * 3, 0), ([True, False, True], 1)])
def test_runner_prints_one_line_per_claim_and_fails_when_one_does_not_hold(
        holds, status, monkeypatch, tmp_path, capsys) -> None:
    claim = fake(holds)
    monkeypatch.setattr(runner.claims, "all_claims", lambda: [claim])
    monkeypatch.setattr(measured, "FOLDER", tmp_path)
    runner.store(claim, claim.sweep(), 1.0, claim.check(claim.sweep()))
    assert runner.main(["--stored"]) == status
    out = capsys.readouterr().out
    k = sum(holds)
    assert re.search(rf"^claim 99/fake: seeds=3 holds={k}/3 margin=-?[0-9.]+ \(stored\)$",
                     out, re.M), out
    record = json.loads((tmp_path / "99-fake.json").read_text())
    assert record["written_by"] == "make claims" and record["results"] == {"holds": holds}
    assert measured.source("99/fake").startswith("Measured by `make claims` (claims/l99.py, 3 ")


def test_verdict_from_slacks() -> None:
    v = Verdict.from_slacks([[0.2, 0.05], 0.1, [0.3, -0.01]])   # seed 2: one statement fails
    assert v.holds == [True, True, False] and v.margin == -0.01
    assert Verdict.from_slacks([0.1, 0.2], also=False).holds == [False, False]
    with pytest.raises(ValueError, match="one entry per seed"):
        Verdict.from_slacks([])
