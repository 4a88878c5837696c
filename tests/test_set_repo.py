"""`make set-repo REPO=owner/name` (tools/set_repo.py) on a copy of the repository: afterwards no
file links the old repository, every badge and install line names the new one, the notebooks
stay valid and paired with their text twins, and going back restores every file byte for byte."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tools import nbbuild, set_repo, student_copies  # noqa: E402

OLD = set_repo.current_slug()
NEW = "/".join(["someone", "course"])  # never written as a link here: the round trip is exact


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """The tracked files, committed in a fresh git repository (set_repo reads `git ls-files`)."""
    dest = tmp_path_factory.mktemp("fork")
    for path in set_repo.tracked_text_files(ROOT):
        target = dest / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    for args in (["init", "-q"], ["add", "-A"]):
        subprocess.run(["git", *args], cwd=dest, check=True)
    return dest


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in set_repo.tracked_text_files(root)}


def test_the_repository_is_defined_once_and_the_notebooks_use_it():
    import nbhelpers

    assert nbhelpers.REPO_URL == f"https://github.com/{OLD}" == nbbuild.REPO_URL
    badge = nbformat.read(ROOT / "notebooks" / "05_gradient_descent.ipynb", as_version=4)
    assert f"colab.research.google.com/github/{OLD}/blob/main/notebooks/" in badge.cells[0].source


def test_set_repo_rewrites_every_link_and_back(clone: Path):
    before = _snapshot(clone)
    run = subprocess.run([sys.executable, "tools/set_repo.py", NEW], cwd=clone,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    after = _snapshot(clone)
    leftovers = [name for name, data in after.items() if OLD.encode() in data]
    assert not leftovers, f"still naming {OLD}: {leftovers}"
    assert set_repo.current_slug(clone) == NEW

    changed = {name for name in before if before[name] != after[name]}
    notebooks = sorted((clone / "notebooks").glob("*.ipynb"))
    assert {f"notebooks/{p.name}" for p in notebooks} <= changed
    assert {f"notebooks/text/{p.stem}.py" for p in notebooks} <= changed
    assert {"README.md", "nbhelpers/__init__.py"} <= changed
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert (f"colab.research.google.com/github/{NEW}/blob/main/notebooks/"
                f"{path.name}") in nb.cells[0].source
        assert f'"nbhelpers @ git+https://github.com/{NEW}"' in nb.cells[1].source
        twin = (clone / "notebooks" / "text" / f"{path.stem}.py").read_text()
        assert f"git+https://github.com/{NEW}" in twin
        student = nbformat.read(clone / "student" / path.name, as_version=4)
        assert (f"colab.research.google.com/github/{NEW}/blob/main/student/"
                f"{path.name}") in student.cells[0].source
    # the student's edition is still what tools/student_copies.py makes of the lectures
    assert student_copies.out_of_date(lecturer=clone / "notebooks", student=clone / "student") == []

    again = subprocess.run([sys.executable, "tools/set_repo.py", NEW], cwd=clone,
                           capture_output=True, text=True)
    assert again.returncode == 0 and _snapshot(clone) == after, "a second run changed files"

    back = subprocess.run([sys.executable, "tools/set_repo.py", OLD], cwd=clone,
                          capture_output=True, text=True)
    assert back.returncode == 0, back.stderr
    assert _snapshot(clone) == before


def test_rewrite_handles_encoded_links_and_leaves_other_repositories():
    text = ("https://github.com/a/b.git https://github.com/a/bc "
            "repo=https%3A%2F%2Fgithub.com%2Fa%2Fb&branch=main github.com/a/b/blob/main/x")
    new, count = set_repo.rewrite(text, old="a/b", new="me/course")
    assert count == 3
    assert new == ("https://github.com/me/course.git https://github.com/a/bc "
                   "repo=https%3A%2F%2Fgithub.com%2Fme%2Fcourse&branch=main "
                   "github.com/me/course/blob/main/x")


@pytest.mark.parametrize("bad", ["course", "a/b/c", "-a/b", "a b/c", "owner/"])
def test_a_bad_name_gives_one_clear_error(bad: str, clone: Path):
    with pytest.raises(SystemExit, match="is not a GitHub repository 'owner/name'"):
        set_repo.set_repo(bad, root=clone)
