"""Print the handouts of every deck with stored widgets many times in a row, to prove that the
print never races (not part of ``make test``; minutes to an hour).

    python tools/handouts_stress.py                 # 30 rounds, every widget deck
    python tools/handouts_stress.py --rounds 5 notebooks/11_*.ipynb

The decks are exported once (tools/export_slides.py, as tools/handouts.py does); then each
round prints each deck's two PDFs (slides, and slides with notes) through
:func:`tools.handouts.print_deck` in one browser, as ``make handouts`` does. A print that is
not laid out in time is counted with what never became true (the tool's message), and the
run goes on. At the end: failures per deck and the slowest print. Exit 1 on any failure.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tools import chromium, export_slides, handouts  # noqa: E402


def widget_decks() -> list[Path]:
    """The notebooks whose stored outputs hold widget views."""
    found = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = json.loads(path.read_text())
        if any(export_slides.WIDGET_VIEW in o.get("data", {})
               for c in nb["cells"] for o in c.get("outputs", [])):
            found.append(path)
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every widget deck")
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args(argv)
    notebooks = [n.resolve() for n in args.notebooks] or widget_decks()
    from playwright.sync_api import sync_playwright

    seconds: dict[str, list[float]] = {}
    failures: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="handouts-stress-") as tmp, sync_playwright() as p:
        with contextlib.redirect_stdout(io.StringIO()):
            decks = export_slides.export(notebooks, Path(tmp))
        browser = chromium.launch(p)
        try:
            for round_ in range(1, args.rounds + 1):
                for deck in decks:
                    stem = deck.name.removesuffix(".slides.html")
                    for notes in (False, True):
                        start = time.monotonic()
                        try:
                            handouts.print_deck(browser, deck, Path(tmp) / f"{stem}.pdf",
                                                notes=notes)
                        except SystemExit as failed:
                            failures.setdefault(stem, []).append(f"round {round_}: {failed}")
                        seconds.setdefault(stem, []).append(time.monotonic() - start)
                done = sum(map(len, seconds.values()))
                print(f"round {round_}/{args.rounds}: {done} prints, "
                      f"{sum(map(len, failures.values()))} failed", flush=True)
        finally:
            browser.close()
    print(f"\n{'deck':42s} prints  failed  median s  max s")
    for stem, times in seconds.items():
        print(f"{stem:42s} {len(times):6d}  {len(failures.get(stem, [])):6d}  "
              f"{statistics.median(times):8.1f}  {max(times):5.1f}")
    slowest = max(seconds, key=lambda s: max(seconds[s]))
    print(f"slowest print: {slowest}, {max(seconds[slowest]):.1f} s")
    for stem, found in failures.items():
        print(f"{stem}:", *found, sep="\n    ", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
