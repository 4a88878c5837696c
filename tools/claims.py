"""Run every comparative claim's sweep, check it, store its results: ``make claims``.

    python tools/claims.py                  # every claim (claims/), 2 at a time
    python tools/claims.py 08/batch-norm    # chosen claims
    python tools/claims.py --stored         # check the stored results only (seconds)
    python tools/claims.py --list           # the claims and their statements

Each claim prints one line, ``claim LECTURE/ID: seeds=N holds=K/N margin=M``, and its sweep's
results go to ``nbhelpers/measured/<LECTURE>-<ID>.json`` (this tool is their only writer; the
slides plot them). Exit status 1 when a claim does not hold on every seed. Each sweep runs in
its own process with one thread, ``--jobs`` (default 2) at a time.
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import claims  # noqa: E402
from nbhelpers import measured  # noqa: E402


def machine() -> str:
    """The CPU's widest vector unit and the threads a sweep used, e.g. 'avx2, 1 thread'."""
    cpuinfo = Path("/proc/cpuinfo")
    text = cpuinfo.read_text() if cpuinfo.exists() else ""
    flags = next((ln.split() for ln in text.splitlines() if ln.startswith("flags")), [])
    isa = "avx512f" if "avx512f" in flags else "avx2" if "avx2" in flags else platform.machine()
    return f"{isa}, 1 thread"


def line(name: str, verdict: claims.Verdict, extra: str = "") -> str:
    n, k = len(verdict.holds), sum(verdict.holds)
    return f"claim {name}: seeds={n} holds={k}/{n} margin={verdict.margin:.4g}{extra}"


def run_one(name: str) -> tuple[str, dict, float]:
    """In a worker process: run claim ``name``'s sweep with one thread."""
    import torch

    torch.set_num_threads(1)
    claim = {c.name: c for c in claims.all_claims()}[name]
    start = time.monotonic()
    results = claim.sweep()
    return name, results, time.monotonic() - start


def store(claim: claims.Claim, results: dict, seconds: float, verdict: claims.Verdict) -> None:
    record = {
        "claim": claim.name, "statement": claim.statement, "written_by": "make claims",
        "seeds": len(verdict.holds), "holds": sum(verdict.holds), "margin": verdict.margin,
        "when": datetime.date.today().isoformat(), "machine": machine(),
        "seconds": round(seconds, 1), "results": results,
    }
    measured.path(claim.name).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="LECTURE/ID; default: every claim")
    parser.add_argument("--stored", action="store_true",
                        help="check the stored results without running the sweeps")
    parser.add_argument("--list", action="store_true", help="list the claims and stop")
    parser.add_argument("--jobs", type=int, default=2, help="sweeps at a time (default 2)")
    args = parser.parse_args(argv)
    everything = {c.name: c for c in claims.all_claims()}
    unknown = [n for n in args.names if n not in everything]
    if unknown:
        parser.error(f"no such claim: {', '.join(unknown)}; `--list` names them")
    chosen = [everything[n] for n in args.names] if args.names else list(everything.values())
    if args.list:
        for c in chosen:
            print(f"{c.name}: {c.statement}")
        return 0
    failed: list[str] = []
    start = time.monotonic()
    if args.stored:
        for c in chosen:
            verdict = c.check(measured.load(c.name))
            print(line(c.name, verdict, " (stored)"), flush=True)
            if not all(verdict.holds):
                failed.append(c.name)
    else:
        with ProcessPoolExecutor(max_workers=args.jobs, mp_context=get_context("spawn")) as pool:
            futures = [pool.submit(run_one, c.name) for c in chosen]
            for future in futures:
                name, results, seconds = future.result()
                claim = everything[name]
                verdict = claim.check(results)
                store(claim, results, seconds, verdict)
                print(line(name, verdict, f" ({seconds:.0f} s)"), flush=True)
                if not all(verdict.holds):
                    failed.append(name)
    print(f"{len(chosen) - len(failed)}/{len(chosen)} claims hold "
          f"({time.monotonic() - start:.0f} s)")
    if failed:
        print(f"claims: these do not hold on every seed: {', '.join(failed)}. Change the slide "
              "to say what was measured, or the sweep (claims/), and run `make claims` again",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
