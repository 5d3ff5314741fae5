"""Liveness by lease: a running job is its worker's while the lease runs, anyone's after.

The clock is injected: leases expire because the test moves time, never because it waits.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from edt_tui.config import Settings, load_settings
from edt_tui.engine.model import Action, ActionType
from edt_tui.errors import BadInputError
from edt_tui.service.api.app import create_app
from edt_tui.service.job_records import Job
from edt_tui.service.jobs import RESUMED, JobStateError, JobStore
from edt_tui.service.planning import Planner
from edt_tui.service.vocabulary import JobStatus, JobType
from edt_tui.storage.sql_store import SqlStore, open_store
from edt_tui.storage.url import sqlite_url
from tests.execution.conftest import Clock, Env, make_env, wait_for_flag
from tests.execution.test_queue import _course
from tests.service.conftest import UAI_A, UAI_B, YEAR, seed
from tests.service.exports_builder import plain_export

TIMEOUT = 30.0


@pytest.fixture
async def two(database_url: str, clock: Clock) -> AsyncIterator[Env]:
    store = open_store(database_url)
    seed(store)
    # The seeded courses are in none of these exports: deleting them is not what is tested here.
    for uai in (UAI_A, UAI_B):
        store.update_establishment(uai, max_deletion_percent=100)
    async for env in make_env(store, clock, None):
        yield env


def _queued(jobs: JobStore, uai: str = UAI_A) -> Job:
    job = jobs.enqueue(uai, type=JobType.MANUAL, export_sha256=None,  # type: ignore[arg-type]
                       selection_version=None, reference_time=jobs.clock())
    key = f"{uai}:{YEAR}:NEW:class:3A"
    jobs.store_plan(job.id, [Action(ActionType.CREATE_COURSE, key, course=_course(key))],
                    summary={}, known={}, people={})
    return job


def _row(store: SqlStore, job_id: str) -> Any:
    with store.database.snapshot() as conn:
        return conn.execute(
            "SELECT status, worker_id, lease_until, reason FROM import_jobs WHERE id = ?",
            (job_id,),
        ).fetchone()


async def test_an_expired_lease_is_taken_back_and_a_live_one_never(two: Env) -> None:
    jobs, clock = two.services.jobs, two.clock
    job = _queued(jobs)
    claimed = jobs.claim("w1")
    assert claimed is not None and claimed.id == job.id
    start = clock.now

    # A second worker, just before the lease ends: nothing to take, A stays blocked for it.
    clock.now = start + jobs.lease
    assert jobs.reclaim_expired(requeue=True) == []
    assert jobs.claim("w2") is None
    # The holder's batch renews the lease in its own transaction.
    jobs.apply_batch(claimed, jobs.pending(job.id, 10), "w1")
    clock.now = start + jobs.lease + jobs.lease / 2
    assert jobs.reclaim_expired(requeue=True) == []
    assert _row(two.store, job.id)["worker_id"] == "w1"
    # So does a beat of the timer (`renew`), as long as the job is still its own.
    assert jobs.renew(job.id, "w1") is True
    lease_end = clock.now + jobs.lease

    clock.now = lease_end + timedelta(microseconds=1)
    assert jobs.reclaim_expired(requeue=True) == [job.id]
    row = _row(two.store, job.id)
    assert (row["status"], row["worker_id"], row["lease_until"], row["reason"]) == (
        "queued", None, None, RESUMED
    )
    # The worker that lost it can neither write a batch nor finish nor renew it.
    with pytest.raises(JobStateError):
        jobs.apply_batch(claimed, [(0, Action(ActionType.DELETE_EVENT, "x"))], "w1")
    with pytest.raises(JobStateError):
        jobs.finish(claimed, "w1", status=JobStatus.DONE)
    assert jobs.renew(job.id, "w1") is False
    again = jobs.claim("w2")
    assert again is not None and again.id == job.id


async def test_same_host_and_pid_after_a_restart_is_recovered(two: Env) -> None:
    """`serve` as PID 1 killed with -9 and restarted: the dead worker's id names this host and
    this very process — only its expired lease tells it is dead."""
    jobs, clock = two.services.jobs, two.clock
    job = _queued(jobs)
    blocked = _queued(jobs)  # same establishment: waits for the running one
    assert jobs.claim(f"{socket.gethostname()}:{os.getpid()}:before-the-restart") is not None
    clock.now += jobs.lease + timedelta(seconds=1)

    shown = await two.job(job.id, UAI_A)  # reading the job sweeps, as a restarted worker does
    assert shown["status"] == "queued" and shown["reason"] == RESUMED
    assert await two.run_all() == 2
    assert (await two.job(job.id, UAI_A))["status"] == "done"
    assert (await two.job(blocked.id, UAI_A))["status"] == "done"  # the establishment is free


async def test_a_worker_that_cannot_end_a_job_goes_on_and_the_lease_hands_the_job_back(
    two: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = two.services.jobs
    job = _queued(jobs)

    def broken_finish(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("a bug while ending the job")

    monkeypatch.setattr(JobStore, "finish", broken_finish)
    assert await asyncio.wait_for(two.services.worker.run_once(), TIMEOUT) is True
    assert (await two.job(job.id, UAI_A))["status"] == "running"  # until its lease ends
    monkeypatch.undo()
    two.clock.now += jobs.lease + timedelta(seconds=1)
    assert (await two.job(job.id, UAI_A))["status"] == "queued"
    assert await two.run_all() == 1
    assert (await two.job(job.id, UAI_A))["status"] == "done"


async def test_cancel_a_dead_workers_job_and_not_a_live_one(two: Env) -> None:
    jobs, clock = two.services.jobs, two.clock
    job = _queued(jobs)
    assert jobs.claim("w1") is not None
    live = await two.http.post(f"{two.est(UAI_A)}/jobs/{job.id}/cancel")
    assert live.status_code == 409 and "only a queued or interrupted job" in live.json()["detail"]

    clock.now += jobs.lease + timedelta(seconds=1)  # w1 died
    dead = await two.http.post(f"{two.est(UAI_A)}/jobs/{job.id}/cancel")
    assert dead.status_code == 200, dead.text
    assert (dead.json()["status"], dead.json()["outcome"]) == ("refused", "cancelled")

    other = _queued(jobs, UAI_B)
    assert jobs.claim("w2") is not None
    clock.now += jobs.lease + timedelta(seconds=1)
    assert jobs.reclaim_expired(requeue=False) == [other.id]  # interrupted, not resumed
    cancelled = await two.http.post(f"{two.est(UAI_B)}/jobs/{other.id}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "refused"


async def test_the_lease_is_renewed_while_a_long_plan_is_computed(
    two: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No batch commits while planning: the worker's timer keeps the lease."""
    services, clock = two.services, two.clock
    services.jobs.lease = timedelta(seconds=0.3)  # a beat every 0.1 s of real time
    sha = await two.upload(plain_export(UAI_A), UAI_A)
    job = await two.enqueue(sha, UAI_A)
    planning, release = threading.Event(), threading.Event()
    compute = Planner.compute

    def slow_compute(self: Planner, *args: Any, **kwargs: Any) -> Any:
        planning.set()
        assert release.wait(TIMEOUT)
        return compute(self, *args, **kwargs)

    monkeypatch.setattr(Planner, "compute", slow_compute)
    renewed = threading.Event()
    renew = JobStore.renew
    jumped = clock.now + timedelta(hours=1)  # far past the lease taken at the claim

    def observed_renew(self: JobStore, *args: Any, **kwargs: Any) -> bool:
        after_the_jump = clock.now == jumped  # the clock moves once: the call reads this time
        done = renew(self, *args, **kwargs)
        if done and after_the_jump:
            renewed.set()
        return done

    monkeypatch.setattr(JobStore, "renew", observed_renew)
    running = asyncio.create_task(services.worker.run_once())
    try:
        await wait_for_flag(planning, "the worker to plan")
        clock.now = jumped
        await wait_for_flag(renewed, "the lease to be renewed by the worker's timer")
        expected = (jumped + services.jobs.lease).isoformat(timespec="microseconds")
        assert _row(two.store, job["id"])["lease_until"] == expected
        assert services.jobs.reclaim_expired(requeue=True) == []
    finally:
        release.set()
        assert await running
    assert (await two.job(job["id"], UAI_A))["status"] == "done"
    assert _row(two.store, job["id"])["lease_until"] is None


def test_the_lease_is_a_setting(monkeypatch: pytest.MonkeyPatch, edt_home: Path) -> None:
    assert load_settings().job_lease_seconds == 30
    (edt_home / "config.toml").write_text("job_lease_seconds = 90\n")
    assert load_settings().job_lease_seconds == 90
    monkeypatch.setenv("EDT_TUI_JOB_LEASE_SECONDS", "12.5")
    assert load_settings().job_lease_seconds == 12.5
    for bad in ("0", "soon", "nan", "1e9"):
        monkeypatch.setenv("EDT_TUI_JOB_LEASE_SECONDS", bad)
        with pytest.raises(BadInputError, match="EDT_TUI_JOB_LEASE_SECONDS: job lease"):
            load_settings()
    app = create_app(
        open_store(sqlite_url(edt_home / "ent.sqlite3")), settings=Settings(job_lease_seconds=7)
    )
    assert app.state.imports.jobs.lease == timedelta(seconds=7)
    app.state.store.close()
