"""Shutting the embedded service down while an import runs (as quitting the TUI does).

The worker's batches run in threads; the service must wait for them before closing its SQLite
store (a thread on a closed connection crashed the process), leave the job resumable, and the
resumed job must end exactly where an uninterrupted run ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from edt_tui.client.client import EntClient
from edt_tui.config import Settings
from edt_tui.engine.model import EntState
from edt_tui.service import worker as worker_module
from edt_tui.service.csv_loader import load_directory
from edt_tui.service.jobs import Job, JobStore
from edt_tui.service.worker import Worker
from edt_tui.storage.action_batches import OF_JOB
from edt_tui.storage.database import StoreClosedError
from edt_tui.storage.sql_store import SqlStore, open_store
from edt_tui.storage.url import sqlite_url
from tests.execution.conftest import (
    DEMO,
    DEMO_EXPORT,
    DEMO_KEY,
    DEMO_UAI,
    T0,
    WAIT_SECONDS,
    wait_for_flag,
)

YEAR = "2026-2027"
BATCH = 100
PAUSE_AT = 3
"""The batch of each run before which the worker waits for the shutdown."""


def _data_dir(root: Path) -> Path:
    """A fresh ENT holding the demo establishment's directory and referential."""
    store = open_store(sqlite_url(root / "ent.sqlite3"))
    load_directory(store, DEMO / "ent")
    store.close()
    return root


def _embedded(data_dir: Path) -> EntClient:
    """The service exactly as `edt-tui` (the TUI) starts it: with the import worker."""
    return EntClient.embedded(
        sqlite_url(data_dir / "ent.sqlite3"), settings=Settings(private_key=DEMO_KEY), worker=True
    )


def _row(db: Path, sql: str, *params: object) -> tuple[object, ...]:
    with contextlib.closing(sqlite3.connect(db, timeout=10)) as conn:
        return tuple(conn.execute(sql, params).fetchone())


def _done(db: Path, job_id: str) -> int:
    return int(str(_row(
        db, f"SELECT COUNT(*) FROM job_actions WHERE {OF_JOB} AND status <> 'pending'", job_id
    )[0]))


async def _enqueue(ent: EntClient) -> str:
    sha = (await ent.upload_export(DEMO_UAI, DEMO_EXPORT)).sha256
    return (await ent.enqueue_import(DEMO_UAI, sha, reference_time=T0)).id


async def _run_to_end(data_dir: Path, workers: ObservedWorkers, job_id: str | None = None) -> str:
    workers.ended.clear()
    async with _embedded(data_dir) as ent:
        job_id = job_id or await _enqueue(ent)
        await wait_for_flag(workers.ended, f"job {job_id} to end")
        assert (await ent.get_job(DEMO_UAI, job_id)).status == "done"
    return job_id


def _ent(db: Path) -> tuple[EntState, dict[str, int]]:
    store = open_store(sqlite_url(db))
    try:
        state = store.ent_state(DEMO_UAI, YEAR)
    finally:
        store.close()
    counts = {t: int(str(_row(db, f"SELECT COUNT(*) FROM {t}")[0]))
              for t in ("courses", "memberships", "events", "hierarchy_nodes")}
    return state, counts


class StoreCalls:
    """How many job-store calls are in progress (in any thread) each time a store closes, and
    the order in which the worker's jobs ended and the stores closed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.lock = threading.Lock()
        self.in_flight = 0
        self.at_close: list[int] = []
        self.order: list[str] = []
        for name in WORKER_CALLS:
            monkeypatch.setattr(JobStore, name, self._counted(getattr(JobStore, name)))
        close = SqlStore.close

        def counted_close(store: SqlStore) -> None:
            with self.lock:
                self.at_close.append(self.in_flight)
                self.order.append("closed")
            close(store)

        monkeypatch.setattr(SqlStore, "close", counted_close)

    def _counted(self, method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def counted(*args: Any, **kwargs: Any) -> Any:
            with self.lock:
                self.in_flight += 1
            try:
                return method(*args, **kwargs)
            finally:
                with self.lock:
                    self.in_flight -= 1

        return counted

    def job_ended(self, job: Job) -> None:
        with self.lock:
            self.order.append("ended")


WORKER_CALLS = ("claim", "store_plan", "people", "pending", "apply_batch", "finish", "release")


class ObservedWorkers:
    """Every worker built while this is installed says when its job ends (`ended`, and in
    `calls.order`) and, while `pause_at` is set, holds its job's thread before that batch of a
    run until it is asked to stop: the shutdown lands while that batch is under way, at a
    chosen point, whatever the machine's speed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, calls: StoreCalls) -> None:
        self.pause_at: int | None = None
        self.paused = threading.Event()
        self.ended = threading.Event()
        init = Worker.__init__

        def hooked(worker: Worker, *args: Any, **kwargs: Any) -> None:
            init(worker, *args, **kwargs)
            worker.before_batch = functools.partial(self._before_batch, worker)
            worker.job_ended = self._job_ended

        self._calls = calls
        monkeypatch.setattr(Worker, "__init__", hooked)

    def _before_batch(self, worker: Worker, job: Job, applied: int) -> None:
        if applied == self.pause_at:
            self.paused.set()
            assert worker.stopping.wait(WAIT_SECONDS), "the service was not shut down"

    def _job_ended(self, job: Job) -> None:
        self._calls.job_ended(job)
        self.ended.set()


async def _stop_at_pause(
    data_dir: Path, job_id: str | None, workers: ObservedWorkers,
) -> tuple[str, SqlStore, float]:
    """Start the service, let the import run to the pause, shut the service down; the job,
    the service's store and how long the shutdown took."""
    workers.paused.clear()
    workers.pause_at = PAUSE_AT
    async with _embedded(data_dir) as ent:
        job_id = job_id or await _enqueue(ent)
        await wait_for_flag(workers.paused, "the import to reach the pause")
        assert (await ent.get_job(DEMO_UAI, job_id)).status == "running"
        store: SqlStore = ent._app.state.store  # type: ignore[union-attr]
        stopping = time.monotonic()
    workers.pause_at = None
    return job_id, store, time.monotonic() - stopping


async def test_shutdown_mid_import_waits_for_the_batch_and_the_job_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Small batches: the demo's import lasts many batches, so each stop lands in the middle.
    monkeypatch.setattr(worker_module, "DEFAULT_BATCH", BATCH)
    calls = StoreCalls(monkeypatch)
    workers = ObservedWorkers(monkeypatch, calls)
    reference_dir = _data_dir(tmp_path / "reference")
    await _run_to_end(reference_dir, workers)  # the same import, never interrupted
    interrupted_dir = _data_dir(tmp_path / "interrupted")
    db = interrupted_dir / "ent.sqlite3"

    # Stopped twice: during the first run (fresh plan) and during the resumed run.
    job_id: str | None = None
    for run in (1, 2):
        job_id, store, shutdown_seconds = await _stop_at_pause(interrupted_dir, job_id, workers)
        stopped_at = _done(db, job_id)
        # The batch under way when the stop came commits, no other one starts.
        assert stopped_at == run * (PAUSE_AT + 1) * BATCH
        assert shutdown_seconds < 30  # a bound on a hang (one batch of 100 takes milliseconds)
        # The store closed after the job's thread had let the job go, with no worker call in
        # progress, and refuses any later one.
        assert store.closed and calls.at_close and calls.at_close[-1] == 0
        assert calls.order[-2:] == ["ended", "closed"]
        with pytest.raises(StoreClosedError):
            store.get_establishment(DEMO_UAI)
        total = int(str(_row(
            db, f"SELECT COUNT(*) FROM job_actions WHERE {OF_JOB}", job_id
        )[0]))
        assert stopped_at < total
        status, worker = _row(db, "SELECT status, worker_id FROM import_jobs WHERE id = ?", job_id)
        assert (status, worker) == ("queued", None)
    assert job_id is not None

    # Reopened: the job continues from its pending actions, nothing replayed twice.
    await _run_to_end(interrupted_dir, workers, job_id)
    store = open_store(sqlite_url(db))
    try:
        job = JobStore(store).get(job_id)
        recap, pending = JobStore(store).recap(job_id)
    finally:
        store.close()
    assert job is not None and job.total == total
    assert pending == 0
    assert sum(v["success"] for v in recap.values()) == total
    assert sum(v["error"] for v in recap.values()) == 0

    # Same ENT as the import that was never interrupted.
    resumed, resumed_counts = _ent(db)
    reference, reference_counts = _ent(reference_dir / "ent.sqlite3")
    assert reference.events and reference.memberships
    assert set(resumed.courses) == set(reference.courses)
    assert resumed.memberships == reference.memberships
    assert set(resumed.events) == set(reference.events)
    assert resumed.events == reference.events
    assert resumed_counts == reference_counts


async def test_a_closed_store_refuses_cleanly_in_every_thread(tmp_path: Path) -> None:
    store = open_store(sqlite_url(tmp_path / "ent.sqlite3"))
    load_directory(store, DEMO / "ent")
    assert store.get_establishment(DEMO_UAI) is not None
    await asyncio.to_thread(store.get_establishment, DEMO_UAI)  # a second thread's connection
    store.close()
    with pytest.raises(StoreClosedError):
        store.get_establishment(DEMO_UAI)
    with pytest.raises(StoreClosedError):
        await asyncio.to_thread(store.get_establishment, DEMO_UAI)
    with pytest.raises(StoreClosedError):
        await asyncio.to_thread(store.apply_actions, DEMO_UAI, [])
