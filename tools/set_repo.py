"""Point the course at another GitHub repository: ``make set-repo REPO=owner/name``.

    python tools/set_repo.py someone/course     # rewrite every link to the new repository

The repository is defined once, as ``nbhelpers.REPO_URL`` (nbhelpers/__init__.py). The Colab
badges, the Colab install lines in the notebooks (and their text twins), the README and the
hub's nbgitpuller links are copies of it; this tool rewrites all of them in every file that git
tracks, plain (``github.com/owner/name``) and URL-encoded (``github.com%2Fowner%2Fname``).
Stored notebook outputs are left as they are (no output shows the repository). A lecturer who
forks the course runs it once and commits the result.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFINITION = Path("nbhelpers") / "__init__.py"
DEFINED = re.compile(r'^REPO_URL = "https://github\.com/([^"]+)"$', re.M)
# GitHub's rules: owner 1-39 letters, digits or single hyphens; name letters, digits, . _ -
SLUG = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}/[A-Za-z0-9._-]{1,100}")
TEXT_SUFFIXES = {".py", ".ipynb", ".md", ".toml", ".yml", ".yaml", ".cfg", ".txt", ".html",
                 ".j2", ".json", ".sh", ""}
LINKED = re.compile(  # a repository named in a link, plain or URL-encoded
    r"(?P<host>github\.com/|githubusercontent\.com/|colab\.research\.google\.com/github/"
    r"|github\.com%2F)(?P<owner>[A-Za-z0-9-]+)(?P<sep>/|%2F)(?P<name>[A-Za-z0-9._-]+?)"
    r"(?=\.git\b|[^A-Za-z0-9._-]|$)"
)


def current_slug(root: Path = ROOT) -> str:
    """The ``owner/name`` that nbhelpers.REPO_URL names."""
    match = DEFINED.search((root / DEFINITION).read_text(encoding="utf-8"))
    if match is None:
        raise SystemExit(f"set_repo: no line 'REPO_URL = \"https://github.com/owner/name\"' in "
                         f"{DEFINITION}; restore it, then run this again")
    return match[1]


def tracked_text_files(root: Path) -> list[Path]:
    """Every file git tracks or would add (not ignored) that may hold a link, by suffix."""
    listing = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root, capture_output=True,
                             check=True).stdout.decode()
    files = [root / name for name in listing.split("\0") if name]
    return [f for f in files if f.is_file() and f.suffix in TEXT_SUFFIXES]


def _links(text: str) -> list[str]:
    return [f"{m['owner']}/{m['name']}" for m in LINKED.finditer(text)]


def rewrite(text: str, *, old: str, new: str) -> tuple[str, int]:
    """``text`` with every link to ``old`` pointing at ``new`` (plain and %2F-encoded)."""
    def swap(m: re.Match) -> str:
        if f"{m['owner']}/{m['name']}" != old:
            return m[0]
        owner, name = new.split("/")
        return f"{m['host']}{owner}{m['sep']}{name}"

    return LINKED.subn(swap, text)[0], sum(1 for s in _links(text) if s == old)


def set_repo(new: str, *, root: Path = ROOT) -> dict[Path, int]:
    """Rewrite every link from the current repository to ``new``; returns changes per file."""
    if not SLUG.fullmatch(new):
        raise SystemExit(f"set_repo: {new!r} is not a GitHub repository 'owner/name' "
                         "(e.g. make set-repo REPO=someone/nn-course)")
    old = current_slug(root)
    changed = {}
    for path in tracked_text_files(root):
        text = path.read_text(encoding="utf-8")
        updated, count = rewrite(text, old=old, new=new)
        if count and old != new:
            path.write_text(updated, encoding="utf-8")
            changed[path] = count
    if current_slug(root) != new:
        raise SystemExit(f"set_repo: {DEFINITION} still names {current_slug(root)}")
    return changed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", help="owner/name of the GitHub repository")
    args = parser.parse_args(argv)
    old = current_slug()
    changed = set_repo(args.repo)
    for path, count in sorted(changed.items()):
        print(f"  {path.relative_to(ROOT)}: {count} link(s)")
    print(f"{old} -> {args.repo}: {sum(changed.values())} links in {len(changed)} files. "
          "Commit the result; the Colab badges work once the repository is public on GitHub.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
