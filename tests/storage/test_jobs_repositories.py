"""The repositories of the jobs side on each backend (a SQLite file, a PostgreSQL database), each
store its own connections.

What the service relies on: one running job per establishment, no write on a job a worker no
longer holds, exactly the failing actions recorded, the one timestamp format, the push log's
hourly counter, the facts an undo is decided on.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from edt_tui.engine.model import Action, ActionType, MembershipState, Role
from edt_tui.service.job_records import Job
from edt_tui.service.vocabulary import JobStatus, JobType
from edt_tui.storage.clock import stamp
from edt_tui.storage.jobs import Finish, JobRepository, NewJob
from edt_tui.storage.pushes import PushLog
from edt_tui.storage.sql_store import SqlStore, open_store
from edt_tui.storage.undo_journal import UndoJournal
from tests.service.conftest import UAI_A, UAI_B, YEAR, course_actions, seed
from tests.storage.conftest import job_repository

NOW = datetime(2026, 9, 1, 6, 0, tzinfo=UTC)
LEASE = NOW + timedelta(minutes=5)


@pytest.fixture
def seeded_url(database_url: str) -> str:
    """A seeded database (`database_url`: once per backend)."""
    store = open_store(database_url)
    seed(store)
    store.close()
    return database_url




def _queue(repo: JobRepository, uai: str, actions: list[Action]) -> Job:
    job_id = repo.add(NewJob(uai, JobType.MANUAL, JobStatus.QUEUED), NOW)
    repo.store_plan(job_id, actions, counters={"planned": True}, known={}, people={})
    job = repo.get(job_id)
    assert job is not None
    return job


def _new_course(uai: str, subject: str) -> list[Action]:
    return course_actions(uai, subject, "3A", [], f"{uai[-1].lower()}-t1", weeks=1)


def test_two_workers_never_run_two_jobs_of_one_establishment(
    stores: tuple[SqlStore, SqlStore],
) -> None:
    a, b = (job_repository(s) for s in stores)
    first = _queue(a, UAI_A, _new_course(UAI_A, "Physique"))
    second = _queue(a, UAI_A, _new_course(UAI_A, "Chimie"))
    other = _queue(a, UAI_B, _new_course(UAI_B, "Physique"))
    assert (first.queue_position, second.queue_position, other.queue_position) == (1, 2, 3)
    assert a.claim("worker-a", NOW, LEASE) == first.id
    assert b.claim("worker-b", NOW, LEASE) == other.id  # not the second job of UAI_A
    assert b.claim("worker-b", NOW, LEASE) is None
    assert a.depth() == {"queued": 1, "running": 2}


def test_a_batch_of_a_job_taken_back_writes_nothing(
    stores: tuple[SqlStore, SqlStore],
) -> None:
    a, b = (job_repository(s) for s in stores)
    job = _queue(a, UAI_A, _new_course(UAI_A, "Physique"))
    assert a.claim("worker-a", NOW, LEASE) == job.id
    later = LEASE + timedelta(seconds=1)
    assert b.reclaim_expired(later, status=JobStatus.QUEUED, reason="back") == [job.id]
    batch = a.pending(job.id, 100)
    assert a.apply_batch(job, batch, "worker-a", now=later, lease_until=later,
                         record_deletes=True) is None
    assert a.recap(job.id)[1] == len(batch)  # all still pending
    assert stores[0].get_course(UAI_A, batch[0][1].key) is None
    end = Finish(JobStatus.DONE, None, None, None, ())
    assert not a.finish(job, "worker-a", end, later, lambda stored, recap, pending: stored)


def test_exactly_the_failing_actions_are_recorded_and_the_rest_applied(
    stores: tuple[SqlStore, SqlStore],
) -> None:
    repo = job_repository(stores[0])
    course = f"{UAI_A}:{YEAR}:MATHS:class:3A"  # seeded
    missing = f"{UAI_A}:{YEAR}:NOPE:class:3A"
    members = [MembershipState(course, "a-s3", Role.STUDENT),
               MembershipState(missing, "a-s4", Role.STUDENT),
               MembershipState(course, "a-s5", Role.STUDENT)]
    job = _queue(repo, UAI_A, [
        Action(ActionType.CREATE_MEMBERSHIP, m.key, membership=m) for m in members
    ])
    assert repo.claim("w", NOW, LEASE) == job.id
    failed = repo.apply_batch(job, repo.pending(job.id, 10), "w", now=NOW, lease_until=LEASE,
                              record_deletes=True)
    assert failed == 1
    page = repo.actions(UAI_A, job.id, status=None, type=None, q=None, offset=0, limit=10)
    assert [(a.key, a.status) for a in page.items] == [
        (members[0].key, "success"), (members[1].key, "error"), (members[2].key, "success"),
    ]
    assert "foreign key" in (page.items[1].error or "").lower()  # each driver its words
    found = repo.actions(UAI_A, job.id, status=None, type=None, q="nope", offset=0, limit=10)
    assert [a.key for a in found.items] == [members[1].key]  # case-insensitive search
    by_type = repo.actions(UAI_A, job.id, status=None, type=ActionType.CREATE_MEMBERSHIP,
                           q=None, offset=0, limit=10)
    assert {a.type for a in by_type.items} == {ActionType.CREATE_MEMBERSHIP}
    assert by_type.total == 3  # the type, stored as its code, filters and reads back
    assert repo.actions(UAI_A, job.id, status=None, type=ActionType.CREATE_EVENT, q=None,
                        offset=0, limit=10).total == 0
    keys = {m.key for m in stores[0].list_memberships(UAI_A, course, limit=100).items}
    assert {members[0].key, members[2].key} <= keys
    assert repo.recap(job.id)[0]["create_membership"] == {"success": 2, "error": 1}


def test_timestamps_are_stored_in_the_one_format(seeded_url: str) -> None:
    store = open_store(seeded_url)
    repo = job_repository(store)
    job = _queue(repo, UAI_A, _new_course(UAI_A, "Physique"))
    repo.claim("w", NOW, LEASE)
    PushLog(store.database).add(UAI_A, "accepted", NOW, job_id=job.id)
    with store.snapshot() as conn:  # the stored text, as the database holds it
        row = tuple(conn.execute(
            "SELECT created_at, started_at, lease_until FROM import_jobs WHERE id = ?", (job.id,)
        ).fetchone())
        pushed = conn.execute("SELECT received_at FROM pushes").fetchone()[0]
    store.close()
    assert row == ("2026-09-01T06:00:00.000000+00:00", "2026-09-01T06:00:00.000000+00:00",
                   "2026-09-01T06:05:00.000000+00:00")
    assert pushed == "2026-09-01T06:00:00.000000+00:00"


def test_wrong_secrets_of_one_hour_are_one_line_that_counts(seeded_url: str) -> None:
    store = open_store(seeded_url)
    pushes = PushLog(store.database)
    pushes.add(UAI_A, "accepted", NOW)
    for minutes in (1, 2, 3):
        pushes.count_refused_in_hour(UAI_A, NOW + timedelta(minutes=minutes), "wrong")
    pushes.count_refused_in_hour(UAI_A, NOW + timedelta(hours=1), "wrong")
    lines = pushes.recent(UAI_A, 10)
    store.close()
    assert [(p.outcome, p.attempts, p.received_at) for p in lines] == [
        ("refused", 1, NOW + timedelta(hours=1)),
        ("refused", 3, NOW + timedelta(minutes=3)),
        ("accepted", 1, NOW),
    ]


def test_undo_facts_name_the_job_in_the_way(seeded_url: str) -> None:
    store = open_store(seeded_url)
    repo = job_repository(store)
    done = _queue(repo, UAI_A, _new_course(UAI_A, "Physique"))
    assert repo.claim("w", NOW, LEASE) == done.id
    assert repo.apply_batch(done, repo.pending(done.id, 100), "w", now=NOW, lease_until=LEASE,
                            record_deletes=True) == 0
    assert repo.finish(done, "w", Finish(JobStatus.DONE, None, None, None, ()), NOW,
                       lambda stored, recap, pending: stored)
    journal = UndoJournal(store.database)
    facts = journal.facts(UAI_A, done.id, resumable=["disk_full"])
    assert (facts.target_type, facts.busy, facts.undone_by, facts.unrecorded) == (
        JobType.MANUAL, None, None, False,
    )
    assert facts.newest is not None and facts.newest[0].id == done.id
    queued = _queue(repo, UAI_A, _new_course(UAI_A, "Chimie"))
    busy = journal.facts(UAI_A, done.id, resumable=["disk_full"]).busy
    assert busy is not None and (busy.id, busy.created_at) == (queued.id, NOW)
    assert journal.facts(UAI_A, done.id, resumable=[], undo_id=queued.id).busy is None
    applied = journal.applied(done.id)
    assert [a.action.type for a in applied][:2] == [
        ActionType.CREATE_COURSE, ActionType.CREATE_HIERARCHY_NODE,
    ]
    assert all(a.prior is not None for a in applied)
    store.close()


def test_jobs_enqueued_at_once_get_distinct_queue_orders(
    stores: tuple[SqlStore, SqlStore],
) -> None:
    """Two connections (two API servers) enqueue together: every job its own place."""
    repos = [job_repository(s) for s in stores]
    start = threading.Barrier(8)
    ids: list[str] = []

    def enqueue(i: int) -> None:
        start.wait(10)
        ids.append(repos[i % 2].add(NewJob((UAI_A, UAI_B)[i % 2], JobType.MANUAL,
                                           JobStatus.QUEUED), NOW))

    threads = [threading.Thread(target=enqueue, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    seqs = [job.seq for job in repos[0].queued()]
    assert len(ids) == 8 and len(set(seqs)) == 8 and seqs == sorted(seqs)


def test_bulk_runs_apply_record_priors_and_isolate_the_failing_action(
    stores: tuple[SqlStore, SqlStore],
) -> None:
    """Every kind of run in one batch (one bulk statement each on PostgreSQL): the ENT gets the
    rows, each action the prior it replaced, and a node of a missing course alone fails."""
    store = stores[0]
    repo = job_repository(store)
    created = course_actions(UAI_A, "Physique", "3B", ["a-s1", "a-s2"], "a-t1", weeks=2)
    course = created[0].course
    assert course is not None
    orphan = replace(course, key=f"{UAI_A}:{YEAR}:NOPE:class:3B")
    actions = [*created[:2],
               Action(ActionType.CREATE_HIERARCHY_NODE, f"{orphan.key}|node", course=orphan),
               *created[2:]]
    job = _queue(repo, UAI_A, actions)
    assert repo.claim("w", NOW, LEASE) == job.id
    assert repo.apply_batch(job, repo.pending(job.id, 100), "w", now=NOW, lease_until=LEASE,
                            record_deletes=True) == 1
    assert repo.finish(job, "w", Finish(JobStatus.DONE, None, None, None, ()), NOW,
                       lambda c, r, p: dict(c))
    statuses = [(a.key, a.status) for a in repo.actions(
        UAI_A, job.id, status=None, type=None, q=None, offset=0, limit=100).items]
    assert [s for k, s in statuses if k.startswith(orphan.key)] == ["error"]
    assert {s for k, s in statuses if not k.startswith(orphan.key)} == {"success"}
    priors = {a.action.key: a.prior for a in UndoJournal(store.database).applied(job.id)}
    assert set(priors.values()) <= {"", "[null,0]"}  # nothing existed (the root maybe)
    assert [n.key for n in store.list_hierarchy(UAI_A, parent_key=f"{UAI_A}:{YEAR}|root",
                                                limit=100).items].count(f"{course.key}|node") == 1
    events = store.list_events(UAI_A, course.key, limit=10).items
    assert len(events) == 2 and len(store.list_memberships(UAI_A, course.key).items) == 3

    # The re-import: a course relabelled, a membership deleted, an event moved room.
    event = created[-1].event
    member = created[2].membership
    assert event is not None and member is not None
    again = _queue(repo, UAI_A, [
        Action(ActionType.CREATE_COURSE, course.key, course=replace(course, label="Physique!")),
        Action(ActionType.DELETE_MEMBERSHIP, member.key, membership=member),
        Action(ActionType.UPDATE_EVENT, event.key, event=replace(event, rooms=("S202",))),
    ])
    assert repo.claim("w", NOW, LEASE) == again.id
    assert repo.apply_batch(again, repo.pending(again.id, 100), "w", now=NOW,
                            lease_until=LEASE, record_deletes=True) == 0
    priors = {a.action.type: a.prior for a in UndoJournal(store.database).applied(again.id)}
    assert priors[ActionType.CREATE_COURSE] == '["Physique - 3B"]'
    assert priors[ActionType.DELETE_MEMBERSHIP] == f'"{stamp(NOW)}"'
    assert priors[ActionType.UPDATE_EVENT].startswith(f'["{event.end.isoformat()}",')
    assert '["S101"]' in priors[ActionType.UPDATE_EVENT]
    assert store.get_course(UAI_A, course.key).label == "Physique!"  # type: ignore[union-attr]
    assert len(store.list_memberships(UAI_A, course.key).items) == 2
    assert [e.rooms for e in store.list_events(UAI_A, course.key, limit=10).items] == [
        ("S101",), ("S202",),
    ]
