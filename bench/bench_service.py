"""Benchmark of the ENT import service (issue 3 §7). A script, not a test.

1. `ent load` of a 2,000-student directory (the generator's lycée: users, subjects, classes) into
   a fresh SQLite file: CSV parse + validation + upserts. Goal ≤ 1 s.
2. Listing students page by page (100 per page, `profile=student`, with an admin token) through a
   real `edt-tui serve` process on 127.0.0.1, one keep-alive HTTP connection: p50/p95 latency per
   page over several passes, measured by the client and by the server (its access log), and the
   server process's CPU time per page (Linux /proc: the figure that does not depend on how busy
   the machine is). Goal p95 ≤ 20 ms.

    .venv/bin/python bench/bench_service.py [--students 2000] [--passes 10]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from edt_tui.pronote.generator import generate_establishment
from edt_tui.pronote.generator.directory import write_directory
from edt_tui.service.auth import issue_token
from edt_tui.service.csv_loader import load_directory
from edt_tui.service.records import TokenRole
from edt_tui.storage.sql_store import open_store
from edt_tui.storage.url import sqlite_url


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(home: Path, log: list[str]) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "EDT_TUI_HOME": str(home)}
    process = subprocess.Popen(
        [sys.executable, "-m", "edt_tui", "serve", "--port", "0"],
        env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    assert process.stderr is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        found = re.search(r"serving on (http://\S+)", line)
        if found:
            # keep draining the access log so the pipe never blocks the server
            threading.Thread(target=lambda: log.extend(process.stderr or ()),
                             daemon=True).start()
            return process, found.group(1)
    process.kill()
    raise SystemExit("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--passes", type=int, default=10)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        generated = generate_establishment(students=args.students, seed=7)
        write_directory(generated.directory, home / "csv")
        rows = sum(1 for _ in (home / "csv" / "users.csv").open()) - 1
        store = open_store(sqlite_url(home / "ent.sqlite3"))
        started = time.perf_counter()
        report = load_directory(store, home / "csv")
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        load_directory(store, home / "csv")
        reload_s = time.perf_counter() - started
        uai = generated.uai
        token = issue_token(store, TokenRole.ADMIN, uai)
        students = store.list_users(uai, profile=None).total
        store.close()
        print(f"directory: {rows} users ({report.counts}), {students} in the store")
        print(f"ent load (fresh file): {load_s * 1000:.0f} ms   reload (upserts): "
              f"{reload_s * 1000:.0f} ms   goal <= 1000 ms")

        log: list[str] = []
        process, url = start_server(home, log)
        try:
            latencies: list[float] = []
            pages = 0
            with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as http:
                http.get("/api/v1/health").raise_for_status()
                cpu_before = cpu_seconds(process.pid)
                for _ in range(args.passes):
                    offset: int | None = 0
                    while offset is not None:
                        t0 = time.perf_counter()
                        response = http.get(
                            f"/api/v1/establishments/{uai}/users",
                            params={"profile": "student", "limit": 100, "offset": offset},
                        )
                        latencies.append((time.perf_counter() - t0) * 1000)
                        response.raise_for_status()
                        body = response.json()
                        offset = body["next"]
                        pages += 1
            cpu_ms = (cpu_seconds(process.pid) - cpu_before) * 1000 / pages
            time.sleep(0.3)
            served = [float(m.group(1)) for line in log if "/users" in line
                      for m in [re.search(r'"duration_ms": ([0-9.]+)', line)] if m]
            print(f"student pages of 100 over loopback: {pages} pages "
                  f"({body['total']} students x {args.passes} passes)")
            print(f"client: p50 {statistics.median(latencies):.1f} ms   p95 "
                  f"{percentile(latencies, 0.95):.1f} ms   max {max(latencies):.1f} ms   "
                  "goal p95 <= 20 ms")
            if served:
                print(f"server (access log): p50 {statistics.median(served):.1f} ms   p95 "
                      f"{percentile(served, 0.95):.1f} ms")
            print(f"server CPU per page: {cpu_ms:.1f} ms   load average "
                  f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        finally:
            process.terminate()
            process.wait(15)


if __name__ == "__main__":
    main()
