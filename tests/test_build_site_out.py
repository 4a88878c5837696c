"""tools/build_site.py --out: a build replaces only folders it made (or empty ones); anything
else is refused before any work, so that ``--out .`` cannot delete the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools import build_site


def _refused(tmp_path: Path, out: Path, kept: Path) -> str:
    with pytest.raises(SystemExit) as info:
        build_site.main(["--out", str(out), "--handouts", str(tmp_path / "no-handouts")])
    assert kept.read_text() == "mine"
    return str(info.value)


def test_a_folder_of_ones_own_is_refused(tmp_path):
    out = tmp_path / "notes"
    out.mkdir()
    (out / "thesis.tex").write_text("mine")
    msg = _refused(tmp_path, out, out / "thesis.tex")
    assert str(out) in msg and "not made by build_site" in msg and build_site.MARKER in msg


def test_its_src_folder_is_checked_too(tmp_path):
    src = tmp_path / "site-src"  # where --out tmp/site puts its Sphinx source
    src.mkdir()
    (src / "draft.md").write_text("mine")
    msg = _refused(tmp_path, tmp_path / "site", src / "draft.md")
    assert str(src) in msg


def test_a_file_is_refused(tmp_path):
    out = tmp_path / "site"
    out.write_text("mine")
    assert "not a folder" in _refused(tmp_path, out, out)


def test_missing_empty_or_marked_folders_may_be_replaced(tmp_path):
    build_site.check_replaceable(tmp_path / "new")
    (tmp_path / "empty").mkdir()
    build_site.check_replaceable(tmp_path / "empty")
    built = tmp_path / "built"
    built.mkdir()
    (built / "index.html").write_text("<html></html>")
    (built / build_site.MARKER).touch()
    build_site.check_replaceable(built)
