"""Run every benchmark of bench/ in turn (`make bench`), each in its own process.

Benchmarks are scripts, not timed tests: each prints its absolute figures and its goal. Pass
names to run a subset: `python bench/run_all.py reader engine`.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ("generator", "reader", "engine", "service", "execution", "undo", "tui")


def main(argv: list[str]) -> int:
    wanted = argv or list(ORDER)
    failures = 0
    for name in wanted:
        script = HERE / f"bench_{name}.py"
        if not script.is_file():
            print(f"== {name}: no {script.name}", file=sys.stderr)
            failures += 1
            continue
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)])
        print(f"== {name}: exit {code} in {time.perf_counter() - started:.1f} s", flush=True)
        failures += code != 0
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
