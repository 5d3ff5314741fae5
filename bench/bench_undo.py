"""Benchmark of undo: the lycée's first import, then its undo (goal: within the import's time).

Same setup as `bench_execution.py` (the generated lycée, a fresh SQLite store, the service's
worker without the HTTP layer): the first import is timed, then the undo of that import at the
same T (every event is ahead, so everything goes: ≈ 82,000 events, 44,000 memberships, 3,100
courses and their nodes), and the ENT is checked empty afterwards. Then a re-import where 1
session in 20 changed room, and its undo.

    .venv/bin/python bench/bench_undo.py [--students 2000] [--seed 7] [--batch 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import resource
import sqlite3
import tempfile
import time
from pathlib import Path

from bench_execution import T, change_rooms, describe, run_job  # bench/ is the script's path

from edt_tui.config import Settings
from edt_tui.pronote.generator import generate_establishment, write_establishment
from edt_tui.service import undo
from edt_tui.service.csv_loader import load_directory
from edt_tui.service.exports import ExportIntake
from edt_tui.service.imports import ImportServices
from edt_tui.service.job_records import Job
from edt_tui.storage.sql_store import open_store
from edt_tui.storage.url import sqlite_url


def run_undo(services: ImportServices, job: Job) -> tuple[Job, float, float]:
    """Queue and run the undo of `job` at T; (undo job, wall seconds, CPU seconds)."""
    start, cpu = time.perf_counter(), time.process_time()
    queued = undo.enqueue(services.jobs, job.uai, job.id, T)
    asyncio.run(services.worker.run_once())
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    done = services.jobs.get(queued.id)
    assert done is not None
    return done, elapsed, cpu


def ent_rows(path: Path) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("courses", "hierarchy_nodes", "memberships", "events", "idpn_links")}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch", type=int, default=2000, help="actions per transaction")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "lycee"
        generated = generate_establishment(students=args.students, seed=args.seed, year=2026)
        write_establishment(generated, out)
        uai = generated.uai
        db = Path(tmp) / "ent.sqlite3"
        store = open_store(sqlite_url(db))
        load_directory(store, out / "ent")
        empty = ent_rows(db)
        intake = ExportIntake(
            Settings(private_key=out / "keys" / "partner-private-TEST-ONLY.pem")
        )
        services = ImportServices(store, intake, batch_size=args.batch)
        encrypted = (out / generated.export_name).read_bytes()
        plain = (out / generated.plain_name).read_bytes()
        print(f"lycée {uai}: {args.students} students, batch {args.batch}")

        first, imported, cpu = run_job(services, uai, encrypted, generated.export_name)
        describe("first import", first, imported, cpu, 30)
        print(f"    ENT rows: {ent_rows(db)}")
        job, elapsed, cpu = run_undo(services, first)
        describe("undo of the first import", job, elapsed, cpu, imported)
        after = ent_rows(db)
        print(f"    ENT rows: {after} — {'as before the import' if after == empty else 'DIFFER'}")
        print(f"    undo / import wall time: {elapsed / imported:.2f}")

        first, _, _ = run_job(services, uai, encrypted, generated.export_name)
        second, imported, cpu = run_job(services, uai, change_rooms(plain, 20), "changed.xml")
        describe("re-import, 1 session in 20 changed", second, imported, cpu, 5)
        job, elapsed, cpu = run_undo(services, second)
        describe("undo of the re-import", job, elapsed, cpu, imported)
        size = db.stat().st_size
        print(f"database: {size / 1e6:.0f} MB; peak RSS "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        store.close()


if __name__ == "__main__":
    main()
