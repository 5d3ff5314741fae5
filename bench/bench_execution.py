"""Benchmark of import execution: the large lycée's first import, then a re-import.

Generates the lycée (2,000 students by default), loads its ENT directory into a fresh SQLite
store, uploads its encrypted export and runs the job with the service's worker (plan, actions
stored, batches applied, recap) — what `edt-tui import --wait` does in embedded mode, without the
HTTP layer. Then re-imports an export where 5 % of the sessions changed room.
Budgets: first import ≤ 30 s, re-import ≤ 5 s on 2 cores.

    .venv/bin/python bench/bench_execution.py [--students 2000] [--seed 7] [--batch 2000]
        [--database-url postgresql://postgres@127.0.0.1/an_empty_database]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import resource
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from edt_tui.config import Settings
from edt_tui.pronote.generator import generate_establishment, write_establishment
from edt_tui.service.csv_loader import load_directory
from edt_tui.service.exports import ExportIntake, summarize
from edt_tui.service.imports import ImportServices
from edt_tui.service.job_records import Job
from edt_tui.service.records import ExportRecord
from edt_tui.service.vocabulary import JobType
from edt_tui.storage.sql_store import SqlStore, open_store
from edt_tui.storage.url import sqlite_url

T = datetime(2026, 9, 1, 7, 0, tzinfo=ZoneInfo("Europe/Paris"))
"""Start of the school year: the whole year of events is in the future (worst case)."""


def change_rooms(plain: bytes, every: int) -> bytes:
    """Every `every`-th session moves to another room (its events get an update)."""
    count = 0

    def cours(match: re.Match[bytes]) -> bytes:
        nonlocal count
        count += 1
        if count % every:
            return match.group(0)
        return re.sub(
            rb'<Salle Ident="(\d+)"',
            lambda m: b'<Salle Ident="' + (b"2" if m.group(1) != b"2" else b"1") + b'"',
            match.group(0),
        )

    return re.sub(rb"<Cours Jour=.*?</Cours>", cours, plain, flags=re.S)


def server_cpu(store: SqlStore) -> dict[int, float]:
    """CPU seconds used so far by each PostgreSQL backend serving this database (the server runs
    on this machine: `/proc/<pid>/stat`); empty on SQLite, which runs in the process."""
    if store.database.backend != "postgresql":
        return {}
    with store.database.snapshot() as conn:
        pids = [r[0] for r in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        ).fetchall()]
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[int, float] = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            used[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return used


def run_job(
    services: ImportServices, uai: str, data: bytes, name: str
) -> tuple[Job, float, float]:
    """Read and store the export, save the default selection, enqueue and run the job; (job, wall
    seconds, CPU seconds of the process plus, on PostgreSQL, of its backends) from the bytes to
    the recap."""
    before = server_cpu(services.store)
    start, cpu = time.perf_counter(), time.process_time()
    export = services.intake.read(data, name)  # as a push does: read once, remembered
    record = services.store.save_export(
        ExportRecord(sha256=export.sha256, uai=uai, file_name=name, import_id=export.import_id,
                     size=len(data), uploaded_at=datetime.now(UTC), summary=summarize(export)),
        data,
    )
    services.planner.remember(uai, export)
    version = services.store.save_selection(uai, {"format": 1})
    job = services.jobs.enqueue(
        uai, type=JobType.MANUAL, export_sha256=record.sha256, selection_version=version,
        reference_time=T,
    )
    asyncio.run(services.worker.run_once())
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    server = sum(t - before.get(pid, 0.0) for pid, t in server_cpu(services.store).items())
    if server:
        print(f"    (client {cpu:.2f} s CPU + PostgreSQL backends {server:.2f} s CPU)")
    cpu += server
    done = services.jobs.get(job.id)
    assert done is not None
    return done, elapsed, cpu


def describe(label: str, job: Job, elapsed: float, cpu: float, budget: float) -> None:
    recap = job.counters.get("recap", {})
    errors = sum(v["error"] for v in recap.values())
    print(f"{label}: {elapsed:6.2f} s wall, {cpu:6.2f} s CPU (budget {budget:.0f} s) — "
          f"status {job.status.value}, {job.counters.get('done', 0)} actions, {errors} errors")
    for kind, counts in recap.items():
        if counts["success"] or counts["error"]:
            print(f"    {kind:24} {counts['success']:>8} ok {counts['error']:>6} err")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch", type=int, default=2000, help="actions per transaction")
    parser.add_argument("--changed", type=int, default=20, help="1 session in N changes")
    parser.add_argument(
        "--database-url", help="an empty database to run on (default: a new SQLite file)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "lycee"
        generated = generate_establishment(students=args.students, seed=args.seed, year=2026)
        write_establishment(generated, out)
        uai = generated.uai
        store = open_store(args.database_url or sqlite_url(Path(tmp) / "ent.sqlite3"))
        load_directory(store, out / "ent")
        intake = ExportIntake(
            Settings(private_key=out / "keys" / "partner-private-TEST-ONLY.pem")
        )
        services = ImportServices(store, intake, batch_size=args.batch)
        encrypted = (out / generated.export_name).read_bytes()
        plain = (out / generated.plain_name).read_bytes()
        print(f"lycée {uai}: {args.students} students, "
              f"{plain.count(b'<Cours Jour=')} sessions, batch {args.batch}")

        job, elapsed, cpu = run_job(services, uai, encrypted, generated.export_name)
        describe("first import", job, elapsed, cpu, 30)
        if not args.database_url:
            database_sizes(Path(tmp) / "ent.sqlite3")
        changed = change_rooms(plain, args.changed)
        job, elapsed, cpu = run_job(services, uai, changed, generated.plain_name)
        describe(f"re-import, 1 session in {args.changed} changed", job, elapsed, cpu, 5)
        print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        store.close()
        if not args.database_url:
            database_sizes(Path(tmp) / "ent.sqlite3")


def database_sizes(path: Path) -> None:
    """The file once its WAL is checkpointed (`page_count × page_size`), per 10,000 events,
    and the biggest tables and indexes (SQLite's `dbstat`)."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages, page = (conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count",
                                                                           "page_size"))
        events = conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        actions = conn.execute("SELECT COUNT(*) FROM job_actions").fetchone()[0]
        total = pages * page
        print(f"database: {total / 1e6:.1f} MB for {events} events and {actions} actions, "
              f"{total / 1e6 / max(events, 1) * 10_000:.1f} MB per 10,000 events (goal ≤ 10)")
        for name, size in conn.execute(
            "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 8"
        ):
            print(f"    {name:32} {size / 1e6:6.1f} MB")
    finally:
        conn.close()


if __name__ == "__main__":
    main()
