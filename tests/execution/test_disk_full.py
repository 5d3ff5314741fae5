"""A full disk in the middle of an import: the job ends `error` « Disque plein », nothing is
half-written, the worker survives and frees the establishment, and a resume once space is back
ends exactly where an uninterrupted import ends.

The disk is the real SQLite file with its size capped (`PRAGMA max_page_count`) on every
connection of the service's store: past the cap SQLite raises SQLITE_FULL — and rolls the
transaction back by itself — exactly as on a full disk.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from edt_tui.commands._wording import reason_text
from edt_tui.engine.model import EntState
from edt_tui.service import worker as worker_module
from edt_tui.service.csv_loader import load_directory
from edt_tui.service.jobs import JobStore
from edt_tui.service.vocabulary import JobStatus
from edt_tui.storage.action_batches import OF_JOB
from edt_tui.storage.sql_store import SqlStore, open_store
from edt_tui.storage.url import sqlite_url
from tests.execution.conftest import (
    DEMO,
    DEMO_EXPORT,
    DEMO_KEY,
    DEMO_UAI,
    T0,
    WAIT_SECONDS,
    Clock,
    Env,
    make_env,
    wait_for_flag,
)

YEAR = "2026-2027"
BATCH = 500
FULL_AT_BATCH = 4
UNCAPPED = 1_073_741_823  # SQLite's default max_page_count


class Disk:
    """The store's database capped at its current size on demand, on every connection."""

    def __init__(self, store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> None:
        self.store = store
        self.limit = UNCAPPED
        self.applied: dict[int, int] = {}
        connection = store.database.connection

        def capped() -> sqlite3.Connection:
            conn = connection()
            if self.applied.get(id(conn)) != self.limit:
                conn.execute(f"PRAGMA max_page_count = {self.limit}")
                self.applied[id(conn)] = self.limit
            return conn

        monkeypatch.setattr(store.database, "connection", capped)

    @property
    def full(self) -> bool:
        return self.limit != UNCAPPED

    def fill(self) -> None:
        conn = self.store.database.connection()
        self.limit = int(conn.execute("PRAGMA page_count").fetchone()[0])

    def free(self) -> None:
        self.limit = UNCAPPED


def full_before_batch(
    monkeypatch: pytest.MonkeyPatch, disk: Disk, number: int
) -> Callable[[], int]:
    """Fill the disk just before the worker's `number`th batch; the batches attempted so far."""
    calls = [0]
    apply_batch = JobStore.apply_batch

    def counted(self: JobStore, *args: Any, **kwargs: Any) -> int:
        calls[0] += 1
        if calls[0] == number:
            disk.fill()
        return apply_batch(self, *args, **kwargs)

    monkeypatch.setattr(JobStore, "apply_batch", counted)
    return lambda: calls[0]


def ent_of(store: SqlStore) -> tuple[EntState, dict[str, int]]:
    counts = {
        t: int(store.database.connection().execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0])
        for t in ("courses", "hierarchy_nodes", "memberships", "events")
    }
    return store.ent_state(DEMO_UAI, YEAR), counts


def action_counts(store: SqlStore, job_id: str) -> dict[str, int]:
    rows = store.database.connection().execute(
        f"SELECT status, COUNT(*) FROM job_actions WHERE {OF_JOB} GROUP BY status", (job_id,)
    ).fetchall()
    return {status: count for status, count in rows}


async def uninterrupted(tmp_path: Path, clock: Clock) -> tuple[EntState, dict[str, int]]:
    store = open_store(sqlite_url(tmp_path / "reference" / "ent.sqlite3"))
    load_directory(store, DEMO / "ent")
    async for env in make_env(store, clock, DEMO_KEY):
        job = await env.enqueue(await env.upload(DEMO_EXPORT.read_bytes()), reference_time=T0)
        assert await env.run_all() == 1
        assert (await env.job(job["id"]))["status"] == "done"
        result = ent_of(store)
    return result


def finish_attempts(monkeypatch: pytest.MonkeyPatch, signal_at: int) -> threading.Event:
    """Set once the worker has tried `signal_at` times to write a job's end (a spy: the real
    call is made every time)."""
    attempts = [0]
    reached = threading.Event()
    finish = JobStore.finish

    def counted(self: JobStore, *args: Any, **kwargs: Any) -> None:
        attempts[0] += 1
        if attempts[0] == signal_at:
            reached.set()
        finish(self, *args, **kwargs)

    monkeypatch.setattr(JobStore, "finish", counted)
    return reached


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # SQLite's page cap
async def test_a_full_disk_ends_the_job_in_error_and_a_resume_gives_the_uninterrupted_ent(
    demo: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = await uninterrupted(tmp_path, demo.clock)
    monkeypatch.setattr(worker_module, "FAIL_RETRY_SECONDS", (0.01, 0.05))
    demo.services.worker.batch_size = BATCH
    disk = Disk(demo.store, monkeypatch)
    full_before_batch(monkeypatch, disk, FULL_AT_BATCH)
    retried = finish_attempts(monkeypatch, 3)
    job = await demo.enqueue(await demo.upload(DEMO_EXPORT.read_bytes()), reference_time=T0)

    # The batch hits the full disk; writing the job's end needs a page too: the worker keeps
    # the job and tries again — alive, not stuck — until space is back.
    worker = asyncio.create_task(demo.services.worker.run_once())
    await wait_for_flag(retried, "the third attempt to record the job's end")
    assert not worker.done()
    assert (await demo.job(job["id"]))["status"] == "running"
    disk.free()
    assert await asyncio.wait_for(worker, WAIT_SECONDS) is True

    failed = await demo.job(job["id"])
    assert (failed["status"], failed["reason_code"], failed["resumable"]) == (
        "error", "disk_full", True
    )
    assert failed["reason"].startswith("Disque plein")
    assert failed["why"] == {"code": "disk_full", "params": {}}
    assert "rollback" not in failed["reason"].lower()
    assert reason_text(failed).startswith("disk full: free some space, then resume the import")
    # The batch that hit the full disk left nothing: neither ENT rows nor action outcomes.
    done = (FULL_AT_BATCH - 1) * BATCH
    assert action_counts(demo.store, job["id"]) == {"success": done, "pending": failed["pending"]}
    assert failed["tasks_done"] == done and failed["errors"] == 0

    # The establishment is free (no running job: the next one may start); resumed, the job
    # continues from its pending actions.
    assert demo.services.jobs.history(DEMO_UAI, status=JobStatus.RUNNING).total == 0
    resumed = await demo.http.post(f"{demo.est()}/jobs/{job['id']}/resume")
    assert resumed.status_code == 202 and resumed.json()["status"] == "queued"
    assert await demo.run_all() == 1
    final = await demo.job(job["id"])
    assert final["status"] == "done" and final["reason_code"] is None
    assert final["pending"] == 0 and final["errors"] == 0
    assert ent_of(demo.store) == reference
