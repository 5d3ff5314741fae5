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
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from edt_tui.client.client import EntClient
from edt_tui.config import Settings
from edt_tui.engine.model import EntState
from edt_tui.service import worker as worker_module
from edt_tui.service.csv_loader import load_directory
from edt_tui.service.jobs import JobStore
from edt_tui.service.runtime import background_tasks
from edt_tui.service.sqlite_store import SQLiteStore, StoreClosedError
from tests.execution.conftest import DEMO, DEMO_EXPORT, DEMO_KEY, DEMO_UAI, T0

YEAR = "2026-2027"
TIMEOUT = 60.0
BATCH = 100
SLOW_CALL = 0.01
SLOW_CALLS = ("pending", "apply_batch", "finish")


def _data_dir(root: Path) -> Path:
    """A fresh ENT holding the demo establishment's directory and referential."""
    store = SQLiteStore(root / "ent.sqlite3")
    load_directory(store, DEMO / "ent")
    store.close()
    return root


def _embedded(data_dir: Path) -> EntClient:
    """The service exactly as `edt-tui` (the TUI) starts it: with the import worker."""
    return EntClient.embedded(
        data_dir, settings=Settings(private_key=DEMO_KEY), background=background_tasks()
    )


def _row(db: Path, sql: str, *params: object) -> tuple[object, ...]:
    with contextlib.closing(sqlite3.connect(db, timeout=10)) as conn:
        return tuple(conn.execute(sql, params).fetchone())


def _done(db: Path, job_id: str) -> int:
    return int(str(_row(
        db, "SELECT COUNT(*) FROM job_actions WHERE job_id = ? AND status <> 'pending'", job_id
    )[0]))


async def _until(check: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not await check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


async def _enqueue(ent: EntClient) -> str:
    sha = (await ent.upload_export(DEMO_UAI, DEMO_EXPORT)).sha256
    return (await ent.enqueue_import(DEMO_UAI, sha, reference_time=T0)).id


async def _run_to_end(data_dir: Path, job_id: str | None = None) -> str:
    async with _embedded(data_dir) as ent:
        job_id = job_id or await _enqueue(ent)

        async def finished() -> bool:
            return (await ent.get_job(DEMO_UAI, job_id)).status == "done"

        await _until(finished, f"job {job_id} to finish")
    return job_id


def _ent(db: Path) -> tuple[EntState, dict[str, int]]:
    store = SQLiteStore(db)
    try:
        state = store.ent_state(DEMO_UAI, YEAR)
    finally:
        store.close()
    counts = {t: int(str(_row(db, f"SELECT COUNT(*) FROM {t}")[0]))
              for t in ("courses", "memberships", "events", "hierarchy_nodes")}
    return state, counts


class StoreCalls:
    """How many job-store calls are in progress (in any thread) each time a store closes.

    Each call is made a little slower, as on a loaded machine, so that a shutdown most likely
    arrives while a worker thread is inside one."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.lock = threading.Lock()
        self.in_flight = 0
        self.at_close: list[int] = []
        for name in WORKER_CALLS:
            monkeypatch.setattr(JobStore, name, self._counted(getattr(JobStore, name)))
        close = SQLiteStore.close

        def counted_close(store: SQLiteStore) -> None:
            with self.lock:
                self.at_close.append(self.in_flight)
            close(store)

        monkeypatch.setattr(SQLiteStore, "close", counted_close)

    def _counted(self, method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def counted(*args: Any, **kwargs: Any) -> Any:
            with self.lock:
                self.in_flight += 1
            slow = method.__name__ in SLOW_CALLS  # a loaded machine: the stop lands inside one
            try:
                time.sleep(SLOW_CALL if slow else 0)
                return method(*args, **kwargs)
            finally:
                time.sleep(SLOW_CALL if slow else 0)
                with self.lock:
                    self.in_flight -= 1

        return counted


WORKER_CALLS = ("claim", "store_plan", "people", "pending", "apply_batch", "finish", "release")


async def _stop_after(
    data_dir: Path, job_id: str | None, more: int,
) -> tuple[str, SQLiteStore, float]:
    """Start the service, let the import apply `more` actions, shut the service down; the job,
    the service's store and how long the shutdown took."""
    db = data_dir / "ent.sqlite3"
    async with _embedded(data_dir) as ent:
        job_id = job_id or await _enqueue(ent)
        target = _done(db, job_id) + more

        async def some_done() -> bool:
            return _done(db, job_id) >= target

        await _until(some_done, "the import to run")
        assert (await ent.get_job(DEMO_UAI, job_id)).status == "running"
        store: SQLiteStore = ent._app.state.store  # type: ignore[union-attr]
        stopping = time.monotonic()
    return job_id, store, time.monotonic() - stopping


async def test_shutdown_mid_import_waits_for_the_batch_and_the_job_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Small batches: the demo's import lasts many batches, so each stop lands in the middle.
    monkeypatch.setattr(worker_module, "DEFAULT_BATCH", BATCH)
    reference_dir = _data_dir(tmp_path / "reference")
    await _run_to_end(reference_dir)  # the same import, never interrupted
    calls = StoreCalls(monkeypatch)
    interrupted_dir = _data_dir(tmp_path / "interrupted")
    db = interrupted_dir / "ent.sqlite3"

    # Stopped twice: during the first run (fresh plan) and during the resumed run.
    job_id: str | None = None
    for _ in range(2):
        job_id, store, shutdown_seconds = await _stop_after(interrupted_dir, job_id, 3 * BATCH)
        stopped_at = _done(db, job_id)
        assert shutdown_seconds < 5  # prompt: the batch in progress ends, no more
        # The store closed once no worker call was in progress, and refuses any later one.
        assert store.closed and calls.at_close and calls.at_close[-1] == 0
        with pytest.raises(StoreClosedError):
            store.get_establishment(DEMO_UAI)
        total = int(str(_row(
            db, "SELECT COUNT(*) FROM job_actions WHERE job_id = ?", job_id
        )[0]))
        assert 3 * BATCH <= stopped_at < total
        assert stopped_at % BATCH == 0  # whole batches only: each one committed or not at all
        await asyncio.sleep(0.3)
        assert _done(db, job_id) == stopped_at  # no thread left writing
        status, worker = _row(db, "SELECT status, worker_id FROM import_jobs WHERE id = ?", job_id)
        assert (status, worker) == ("queued", None)
    assert job_id is not None

    # Reopened: the job continues from its pending actions, nothing replayed twice.
    await _run_to_end(interrupted_dir, job_id)
    store = SQLiteStore(db)
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
    store = SQLiteStore(tmp_path / "ent.sqlite3")
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
