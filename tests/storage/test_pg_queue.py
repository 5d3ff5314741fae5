"""The queue's PostgreSQL side, each race made to happen: a claim passes over a row another
worker holds, two sweeps of one expired lease take the job back once, a queued job wakes a
listening worker (and SQLite, which cannot tell other processes, says so)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from edt_tui.service.vocabulary import JobStatus, JobType
from edt_tui.storage.jobs import NewJob
from edt_tui.storage.sql_store import SqlStore, open_store
from edt_tui.storage.url import sqlite_url
from tests.service.conftest import UAI_A, UAI_B, seed
from tests.storage.conftest import job_repository

NOW = datetime(2026, 9, 1, 6, 0, tzinfo=UTC)
LEASE = NOW + timedelta(minutes=5)
BOUND = 30.0
"""The longest a thread of the test may take (a loaded machine); a blocked claim fails."""


@pytest.fixture
def seeded_url() -> Iterator[str]:
    from tests.pg import fresh_database

    with fresh_database() as url:
        store = open_store(url)
        seed(store)
        store.close()
        yield url




def _in_thread(fn: object) -> list[object]:
    """Run `fn` in a thread; its result (one element) once it returned, bounded."""
    out: list[object] = []
    thread = threading.Thread(target=lambda: out.append(fn()))  # type: ignore[operator]
    thread.start()
    thread.join(BOUND)
    assert not thread.is_alive(), "blocked"
    return out


def _waiting_on_locks(url: str, count: int) -> None:
    """Until `count` sessions of this database wait on a row lock (bounded)."""
    deadline = threading.Event()
    timer = threading.Timer(BOUND, deadline.set)
    timer.start()
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            while True:
                row = conn.execute(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                ).fetchone()
                if row is not None and row[0] >= count:
                    return
                assert not deadline.wait(0.02), f"{count} sessions never waited on a lock"
    finally:
        timer.cancel()


def test_a_claim_passes_over_the_row_another_worker_is_claiming(
    stores: tuple[SqlStore, SqlStore], seeded_url: str,
) -> None:
    a, b = (job_repository(s) for s in stores)
    first = a.add(NewJob(UAI_A, JobType.MANUAL, JobStatus.QUEUED), NOW)
    second = a.add(NewJob(UAI_B, JobType.MANUAL, JobStatus.QUEUED), NOW)
    with psycopg.connect(seeded_url) as other:  # a worker between its SELECT and its UPDATE
        other.execute("SELECT id FROM import_jobs WHERE id = %s FOR UPDATE", (first,))
        assert _in_thread(lambda: b.claim("worker-b", NOW, LEASE)) == [second]
        assert _in_thread(lambda: b.claim("worker-b", NOW, LEASE)) == [None]
    assert a.claim("worker-a", NOW, LEASE) == first


def test_two_sweeps_of_one_expired_lease_take_the_job_back_once(
    stores: tuple[SqlStore, SqlStore], seeded_url: str,
) -> None:
    a, b = (job_repository(s) for s in stores)
    job_id = a.add(NewJob(UAI_A, JobType.MANUAL, JobStatus.QUEUED), NOW)
    assert a.claim("dead-worker", NOW, LEASE) == job_id
    later = LEASE + timedelta(seconds=1)
    results: list[list[str]] = []
    sweeps = [
        threading.Thread(target=lambda r=r: results.append(
            r.reclaim_expired(later, status=JobStatus.QUEUED, reason="back")
        ))
        for r in (a, b)
    ]
    with psycopg.connect(seeded_url) as holder:  # both sweeps pass their read, then wait here
        holder.execute("SELECT id FROM import_jobs WHERE id = %s FOR UPDATE", (job_id,))
        for sweep in sweeps:
            sweep.start()
        _waiting_on_locks(seeded_url, 2)
    for sweep in sweeps:
        sweep.join(BOUND)
    assert sorted(results) == [[], [job_id]]
    job = a.get(job_id)
    assert job is not None and job.status is JobStatus.QUEUED


def test_a_queued_job_wakes_a_listening_worker(stores: tuple[SqlStore, SqlStore]) -> None:
    listening, writing = stores
    woken = threading.Event()
    stop = listening.database.watch_queue(woken.set)
    assert stop is not None
    try:
        assert woken.wait(BOUND)  # once listening: whatever was queued before is looked at
        woken.clear()
        job_repository(writing).add(NewJob(UAI_A, JobType.MANUAL, JobStatus.REFUSED), NOW)
        job_id = job_repository(writing).add(NewJob(UAI_A, JobType.MANUAL, JobStatus.QUEUED), NOW)
        assert woken.wait(BOUND), "no notification for a queued job"
        woken.clear()
        assert job_repository(writing).claim("w", NOW, LEASE) == job_id
        job_repository(writing).release(job_id, "w")
        assert woken.wait(BOUND), "no notification for a released job"
    finally:
        stop()


def test_sqlite_cannot_tell_other_processes(tmp_path: Path) -> None:
    store = open_store(sqlite_url(tmp_path / "ent.sqlite3"))
    try:
        assert store.database.watch_queue(lambda: None) is None
        assert store.database.skip_locked == ""
    finally:
        store.close()
