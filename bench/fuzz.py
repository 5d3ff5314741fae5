"""The long fuzz run, and the attack measured from outside. A script, not a test.

Default mode: every fuzz test of `tests/fuzz/` (reader, HTTP routes, directory loader…) with
`EDT_TUI_FUZZ_EXAMPLES` examples per property instead of the suite's small budget, then a
summary. `--measure N`: N mutated demo exports (plain and encrypted, the same mutations as the
fuzz tests, bigger) through `edt-tui inspect` and `edt-tui plan` in fresh processes, with the
exit codes, the max wall time and the max peak RSS of a process; a traceback or an exit code
other than 0 or 2 is a failure, and so is anything `plan` leaves in the data directory.

    .venv/bin/python bench/fuzz.py [--examples 2000]
    .venv/bin/python bench/fuzz.py --measure 300 [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "samples" / "demo"
KEY = DEMO / "keys" / "partner-private-TEST-ONLY.pem"
UAI = "0490856P"


def run_tests(examples: int) -> int:
    env = {**os.environ, "EDT_TUI_FUZZ_EXAMPLES": str(examples)}
    # No per-test timeout: the suite's guards its few examples, not a long run.
    command = [
        sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "--timeout=0", "tests/fuzz"
    ]
    print(f"fuzz tests: {examples} examples per property: {' '.join(command[1:])}", flush=True)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    tail = [line for line in done.stdout.splitlines() if line.strip()][-15:]
    print("\n".join(tail))
    summary = re.search(r"(\d+ (passed|failed).*) in ", tail[-1] if tail else "")
    print(
        f"summary: {summary.group(1) if summary else 'no summary'}; exit {done.returncode}; "
        f"{elapsed:.0f} s wall"
    )
    return done.returncode


def _run(command: list[str], env: dict[str, str]) -> tuple[int, float, float, int, str]:
    """(exit code, wall seconds, CPU seconds, peak RSS KiB, stderr) of one fresh process."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return (
            process.returncode,
            time.perf_counter() - started,
            usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss,
            err.read().decode("utf-8", "replace"),
        )


def _snapshot(home: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(home)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in home.rglob("*")
        if path.is_file() and not path.name.endswith(("-wal", "-shm", ".lock"))
    }


def measure(count: int, seed: int) -> int:
    sys.path.insert(0, str(ROOT))
    from tests.fuzz.mutants import KINDS, mutate

    rng = random.Random(seed)
    bases = [
        (DEMO / "Edt_To_ITSLEARNING_0490856P.plain.xml").read_bytes(),
        (DEMO / "Edt_To_ITSLEARNING_0490856P.xml").read_bytes(),
    ]
    edt = [sys.executable, "-m", "edt_tui"]
    failures: list[str] = []
    codes: Counter[tuple[str, int]] = Counter()
    worst: dict[str, list[Any]] = {
        name: [0.0, 0.0, "", 0, ""] for name in ("inspect", "plan")
    }  # max wall, max CPU and its mutant, max RSS and its mutant
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        env = {**os.environ, "EDT_TUI_HOME": str(home)}
        subprocess.run([*edt, "ent", "load", str(DEMO / "ent")], env=env, check=True,
                       capture_output=True)
        before = _snapshot(home)
        biggest = 0
        for number in range(count):
            kind = rng.choice(KINDS)
            label = f"#{number} {kind} {'plain' if number % 2 == 0 else 'encrypted'}"
            data = mutate(rng, bases[number % 2], scale=10, kind=kind)
            biggest = max(biggest, len(data))
            path = Path(tmp) / f"mutant-{number}.xml"
            path.write_bytes(data)
            for name, args in (
                ("inspect", ["inspect", "--key", str(KEY), str(path)]),
                ("plan", ["plan", "--uai", UAI, "--key", str(KEY), str(path)]),
            ):
                code, seconds, cpu, rss, err = _run([*edt, *args], env)
                codes[(name, code)] += 1
                mine = worst[name]
                mine[0] = max(mine[0], seconds)
                if cpu > mine[1]:
                    mine[1:3] = cpu, f"{label}, exit {code}"
                if rss > mine[3]:
                    mine[3:5] = rss, f"{label}, exit {code}"
                if code not in (0, 2) or "Traceback" in err:
                    kept = Path(tmp).parent / f"fuzz-failure-{number}.xml"
                    shutil.copy(path, kept)
                    failures.append(f"{name} {label} ({kept}): exit {code}: {err[-300:]}")
                after = _snapshot(home)
                if after != before:
                    changed = sorted(set(after.items()) ^ set(before.items()))
                    failures.append(f"{name} {label} changed the data directory: {changed}")
                    before = after
            path.unlink()
    print(f"{count} mutants (seed {seed}), largest {biggest / 1e6:.1f} MB; {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")
    for name, (wall, cpu, slowest, rss, fattest) in worst.items():
        exits = ", ".join(f"exit {c}: {n}" for (cmd, c), n in sorted(codes.items()) if cmd == name)
        print(f"{name:7}: {exits}; max {wall:5.1f} s wall; max {cpu:5.1f} s CPU ({slowest}); "
              f"max peak RSS {rss / 1024:6.1f} MiB ({fattest})")
    for failure in failures:
        print(f"FAILURE: {failure}")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000, help="examples per property")
    parser.add_argument("--measure", type=int, metavar="N", help="N mutants through the CLI")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.measure:
        return measure(args.measure, args.seed)
    return run_tests(args.examples)


if __name__ == "__main__":
    raise SystemExit(main())
