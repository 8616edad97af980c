"""``python -m bench [--quick] [NAME ...]``: run every bench/bench_*.py benchmark in turn.

Each module's ``main(argv)`` runs in a process of its own (so that peak-memory figures of one
benchmark do not include another's) and prints its own tables. ``--quick`` is passed on to the
modules that accept it (their source mentions ``--quick``); NAME limits the run to some modules
(``python -m bench ingest export``).
"""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def modules() -> list[str]:
    return sorted(p.stem for p in HERE.glob("bench_*.py"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller workloads, for a fast check")
    parser.add_argument("names", nargs="*", metavar="NAME", help="bench_NAME modules to run (default: all)")
    args = parser.parse_args(argv)
    found = modules()
    wanted = [f"bench_{n.removeprefix('bench_')}" for n in args.names] or found
    unknown = [w for w in wanted if w not in found]
    if unknown:
        print(f"error: no such benchmark: {', '.join(unknown)}; available: {', '.join(found)}", file=sys.stderr)
        return 2
    print(f"Frontline benchmarks on {os.cpu_count()} cores ({platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()})"
          + (", quick run" if args.quick else ""), flush=True)
    failed = []
    for name in wanted:
        source = (HERE / f"{name}.py").read_text("utf-8")
        passed = ["--quick"] if args.quick and "--quick" in source else []
        note = "" if passed or not args.quick else " (no --quick option: full size)"
        print(f"\n######## {name}{note}", flush=True)
        code = ("import sys; from bench import " + name + " as m; "
                "sys.exit(m.main(sys.argv[1:]) or 0)")
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, "-c", code, *passed], cwd=ROOT)
        print(f"######## {name}: {'done' if rc == 0 else f'FAILED (exit {rc})'} in {time.perf_counter() - t0:.0f} s",
              flush=True)
        if rc:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
