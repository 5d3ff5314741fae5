"""The queue: FIFO across establishments, one running job per establishment, positions, cancel,
atomic claims by concurrent workers, failing actions recorded while the job goes on."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from edt_tui.engine.model import (
    Action,
    ActionType,
    AudienceKind,
    CourseState,
    EventState,
    MembershipState,
    Role,
)
from edt_tui.service.jobs import JobStore
from edt_tui.service.vocabulary import JobType
from edt_tui.storage.sql_store import open_store
from edt_tui.storage.url import sqlite_url
from tests.execution.conftest import Clock, Env, make_env
from tests.service.conftest import PARIS, UAI_A, UAI_B, YEAR, seed
from tests.service.exports_builder import plain_export


@pytest.fixture
async def two(database_url: str, clock: Clock) -> AsyncIterator[Env]:
    """Two small establishments (A and B) with their directory, plain exports accepted."""
    store = open_store(database_url)
    seed(store)
    # The seeded courses are in none of these exports: deleting them is not what is tested here.
    for uai in (UAI_A, UAI_B):
        store.update_establishment(uai, max_deletion_percent=100)
    async for env in make_env(store, clock, None):
        yield env


async def test_positions_across_establishments_and_one_running_job_each(two: Env) -> None:
    sha_a = await two.upload(plain_export(UAI_A), UAI_A)
    sha_b = await two.upload(plain_export(UAI_B), UAI_B)
    a1 = await two.enqueue(sha_a, UAI_A)
    b1 = await two.enqueue(sha_b, UAI_B)
    a2 = await two.enqueue(sha_a, UAI_A)
    assert [a1["queue_position"], b1["queue_position"], a2["queue_position"]] == [1, 2, 3]

    jobs = two.services.jobs
    first = jobs.claim("worker-1")
    assert first is not None and first.id == a1["id"]
    assert (await two.job(b1["id"], UAI_B))["queue_position"] == 1
    assert (await two.job(a2["id"], UAI_A))["queue_position"] == 2
    second = jobs.claim("worker-2")
    assert second is not None and second.id == b1["id"]  # A2 waits behind the running A1
    assert jobs.claim("worker-3") is None
    history_a = (await two.http.get(f"{two.est(UAI_A)}/jobs")).json()["items"]
    assert [(j["id"], j["status"], j["status_label"]) for j in history_a] == [
        (a2["id"], "queued", "En attente"), (a1["id"], "running", "En cours"),
    ]


async def test_cancel_a_queued_job_not_a_running_one(two: Env) -> None:
    sha = await two.upload(plain_export(UAI_A), UAI_A)
    running = await two.enqueue(sha, UAI_A)
    queued = await two.enqueue(sha, UAI_A)
    assert two.services.jobs.claim("w") is not None
    refused = await two.http.post(f"{two.est(UAI_A)}/jobs/{running['id']}/cancel")
    assert refused.status_code == 409
    cancelled = await two.http.post(f"{two.est(UAI_A)}/jobs/{queued['id']}/cancel")
    assert cancelled.status_code == 200
    body = cancelled.json()
    assert body["status"] == "refused" and body["outcome"] == "cancelled"
    assert body["queue_position"] is None
    other = await two.http.post(f"{two.est(UAI_B)}/jobs/{queued['id']}/cancel")
    assert other.status_code == 404


def test_concurrent_workers_never_claim_a_job_twice(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "ent.sqlite3"
    setup = open_store(sqlite_url(path))
    seed(setup)
    jobs = JobStore(setup, clock=clock)
    at = clock()
    for _ in range(10):
        for uai in (UAI_A, UAI_B):
            jobs.enqueue(uai, type=JobType.MANUAL, export_sha256=None,  # type: ignore[arg-type]
                         selection_version=None, reference_time=at)
    claimed: list[str] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        own = JobStore(open_store(sqlite_url(path)), clock=clock)
        while True:
            job = own.claim(name)
            if job is None:
                return
            with lock:
                claimed.append(job.id)
            with own.store.transaction() as conn:  # finish at once so the next one can start
                conn.execute("UPDATE import_jobs SET status = 'done' WHERE id = ?", (job.id,))

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(claimed) == 20 == len(set(claimed))
    setup.close()


def _course(key: str) -> CourseState:
    return CourseState(key, "Maths - 3A", "Maths", AudienceKind.CLASS, "3A", YEAR)


async def test_a_failing_action_is_recorded_and_the_job_goes_on(two: Env) -> None:
    jobs = two.services.jobs
    job = jobs.enqueue(UAI_A, type=JobType.MANUAL, export_sha256=None,  # type: ignore[arg-type]
                       selection_version=None, reference_time=two.clock())
    good = f"{UAI_A}:{YEAR}:NEW:class:3A"
    member = MembershipState(good, "a-s1", Role.STUDENT)
    start = datetime(2026, 12, 7, 8, 0, tzinfo=PARIS)
    events = [
        EventState(course, start, start.replace(hour=9), "Maths - 3A", ("S1",), ())
        for course in (good, f"{UAI_A}:{YEAR}:GHOST:class:3A")
    ]
    actions = [
        Action(ActionType.CREATE_COURSE, good, course=_course(good)),
        Action(ActionType.CREATE_MEMBERSHIP, member.key, membership=member),
        Action(ActionType.CREATE_EVENT, events[0].key, event=events[0]),
        Action(ActionType.CREATE_EVENT, events[1].key, event=events[1]),  # no such course
    ]
    jobs.store_plan(job.id, actions, summary={}, known={}, people={})
    assert await two.run_all() == 1

    done = await two.job(job.id, UAI_A)
    assert done["status"] == "done"
    assert done["recap"]["create_event"] == {"success": 1, "error": 1}
    assert done["recap"]["create_course"] == {"success": 1, "error": 0}
    assert done["recap"]["create_membership"] == {"success": 1, "error": 0}
    failed = (await two.http.get(f"{two.est(UAI_A)}/jobs/{job.id}/actions")).json()
    assert [a["key"] for a in failed["items"]] == [events[1].key]
    assert "FOREIGN KEY" in failed["items"][0]["error"].upper()
    assert two.store.list_events(UAI_A, good).total == 1
    by_type = (await two.http.get(
        f"{two.est(UAI_A)}/jobs/{job.id}/actions", params={"status": "success"}
    )).json()
    assert Counter(a["type"] for a in by_type["items"])["create_event"] == 1


async def test_a_released_job_resumes_without_replaying_its_done_actions(two: Env) -> None:
    """Graceful stop (end of an embedded command): back in the queue, continued later."""
    jobs = two.services.jobs
    job = jobs.enqueue(UAI_A, type=JobType.MANUAL, export_sha256=None,  # type: ignore[arg-type]
                       selection_version=None, reference_time=two.clock())
    key = f"{UAI_A}:{YEAR}:NEW:class:3A"
    start = datetime(2026, 12, 7, 8, 0, tzinfo=PARIS)
    actions = [Action(ActionType.CREATE_COURSE, key, course=_course(key))] + [
        Action(ActionType.CREATE_EVENT, e.key, event=e)
        for e in (EventState(key, start.replace(day=7 + d), start.replace(day=7 + d, hour=9),
                             "Maths - 3A") for d in range(4))
    ]
    jobs.store_plan(job.id, actions, summary={}, known={}, people={})
    claimed = jobs.claim("w1")
    assert claimed is not None
    jobs.apply_batch(claimed, jobs.pending(job.id, 2), "w1")
    jobs.release(job.id, "w1")
    assert (await two.job(job.id, UAI_A))["status"] == "queued"
    two.store.apply_actions(UAI_A, [Action(ActionType.DELETE_EVENT, actions[1].key)])
    await two.run_all()
    done = await two.job(job.id, UAI_A)
    assert done["status"] == "done" and done["tasks_done"] == 5
    assert two.store.list_events(UAI_A, key).total == 3  # the done event was not replayed


async def test_an_expired_lease_is_interrupted_then_resumed_on_request(two: Env) -> None:
    jobs = two.services.jobs
    job = jobs.enqueue(UAI_A, type=JobType.MANUAL, export_sha256=None,  # type: ignore[arg-type]
                       selection_version=None, reference_time=two.clock())
    assert jobs.claim("w1") is not None
    two.clock.now += jobs.lease + timedelta(seconds=1)
    assert jobs.reclaim_expired(requeue=False) == [job.id]
    assert jobs.reclaim_expired(requeue=False) == []
    interrupted = await two.job(job.id, UAI_A)
    assert interrupted["status"] == "interrupted" and interrupted["status_label"] == "Interrompu"
    assert interrupted["resumable"] is True
    resumed = await two.http.post(f"{two.est(UAI_A)}/jobs/{job.id}/resume")
    assert resumed.status_code == 202 and resumed.json()["queue_position"] == 1
    assert jobs.claim("w2") is not None
    two.clock.now += jobs.lease
    assert jobs.reclaim_expired(requeue=False) == []  # a live lease is left alone


async def test_history_filtered_by_id_prefix(two: Env) -> None:
    jobs = two.services.jobs
    first, second = (
        jobs.enqueue(UAI_A, type=JobType.MANUAL, export_sha256=None,  # type: ignore[arg-type]
                     selection_version=None, reference_time=two.clock())
        for _ in range(2)
    )
    prefix = next(first.id[:n] for n in range(4, 33) if not second.id.startswith(first.id[:n]))
    found = (await two.http.get(f"{two.est(UAI_A)}/jobs", params={"id_prefix": prefix})).json()
    assert [j["id"] for j in found["items"]] == [first.id] and found["total"] == 1
    everything = (await two.http.get(f"{two.est(UAI_A)}/jobs", params={"id_prefix": ""})).json()
    assert everything["total"] == 2  # an empty prefix is no filter
    bad = await two.http.get(f"{two.est(UAI_A)}/jobs", params={"id_prefix": "50%"})
    assert bad.status_code == 422


async def test_reading_the_history_puts_a_dead_processs_job_back_in_the_queue(two: Env) -> None:
    jobs = two.services.jobs
    job = jobs.enqueue(UAI_A, type=JobType.MANUAL, export_sha256=None,  # type: ignore[arg-type]
                       selection_version=None, reference_time=two.clock())
    assert jobs.claim("w1") is not None  # then killed: its lease is not renewed
    [shown] = (await two.http.get(f"{two.est(UAI_A)}/jobs")).json()["items"]
    assert shown["status"] == "running"  # until its lease is past
    two.clock.now += jobs.lease + timedelta(microseconds=1)
    [shown] = (await two.http.get(f"{two.est(UAI_A)}/jobs")).json()["items"]
    assert shown["id"] == job.id and shown["status"] == "queued"  # not "running" forever
    assert shown["queue_position"] == 1 and "interruption" in shown["reason"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # an export file removed
async def test_a_job_that_cannot_be_planned_ends_in_error_and_the_queue_goes_on(
    two: Env,
) -> None:
    sha_a = await two.upload(plain_export(UAI_A), UAI_A)
    sha_b = await two.upload(plain_export(UAI_B), UAI_B)
    exports_dir = two.store.exports.blobs.directory
    for stored in list(exports_dir.rglob(f"*{sha_a}*")):  # before the enqueue plans it
        stored.unlink(missing_ok=True)
    broken = await two.enqueue(sha_a, UAI_A)
    fine = await two.enqueue(sha_b, UAI_B)
    assert await two.run_all() == 2
    failed = await two.job(broken["id"], UAI_A)
    assert failed["status"] == "error" and failed["status_label"] == "Erreur"
    assert "FileNotFoundError" in failed["reason"]
    assert (await two.job(fine["id"], UAI_B))["status"] == "done"
