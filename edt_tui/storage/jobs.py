"""The jobs repository: import jobs and their actions (`import_jobs`, `job_actions`).

The queue (insert, claim, lease renewal and release, reclaim), the stored plan, the pending
actions and the applied batches, the end of a job, the history and its recap. The service
(`edt_tui.service.jobs`) decides what may happen and with which words; this module only says
how it is stored. SQL is portable (`?` placeholders, no SQLite-only function).

Several workers, in several processes or hosts, share the queue. Claiming takes the oldest
claimable job with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL (`Database.skip_locked`), so
two workers never wait on or fight over one row. Every write that makes a job claimable (a job
queued, resumed, released, taken back, or ended, which frees its establishment) announces it in
its transaction (`Database.notify_queue`), which wakes idle workers elsewhere at commit.

Ownership checks lock the job's row first: every write of a worker on a running job starts
with `UPDATE … WHERE worker_id = ? AND status = 'running'`, whose row count says whether the
job is still ours and whose row lock (on PostgreSQL) makes a concurrent reclaim wait for the
batch to commit.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from edt_tui.engine.model import Action, ActionType
from edt_tui.service import action_codec
from edt_tui.service.job_records import Job, JobAction, Numbered, empty_recap, reason_code
from edt_tui.service.records import Page
from edt_tui.service.store import MAX_OFFSET, MAX_PAGE
from edt_tui.service.vocabulary import JobOutcome, JobStatus, JobType
from edt_tui.storage import undo_journal
from edt_tui.storage.action_batches import OF_JOB, TYPE_CODES, TYPES, ApplyOne, apply_numbered
from edt_tui.storage.clock import parse_stamp, stamp
from edt_tui.storage.database import Connection, Database, Row
from edt_tui.storage.errors import INTEGRITY_ERRORS

_JOB_SQL = """SELECT j.*, CASE WHEN j.status = 'queued' THEN (
        SELECT COUNT(*) + 1 FROM import_jobs q WHERE q.status = 'queued' AND q.seq < j.seq
    ) END AS queue_position FROM import_jobs j"""
_EXPIRED = "status = 'running' AND (lease_until IS NULL OR lease_until < ?)"
_MAX_PENDING = 50_000
"""Pending actions read at most per call (a batch)."""


def _job(row: Row) -> Job:
    outcome = row["outcome"]
    created_at = parse_stamp(row["created_at"])
    assert created_at is not None
    return Job(
        id=row["id"], uai=row["uai"], type=JobType(row["type"]),
        status=JobStatus(row["status"]), created_at=created_at,
        started_at=parse_stamp(row["started_at"]), finished_at=parse_stamp(row["finished_at"]),
        reference_time=parse_stamp(row["reference_time"]), export_sha256=row["export_sha256"],
        selection_version=row["selection_version"], reason=row["reason"],
        outcome=JobOutcome(outcome) if outcome else None, seq=int(row["seq"]),
        queue_position=row["queue_position"], counters=json.loads(row["counters_json"]),
        reason_code=reason_code(row["reason_code"]), undoes=row["undoes"],
        reason_params=json.loads(row["reason_params_json"] or "{}"),
        allow_mass_deletion=bool(row["allow_mass_deletion"]),
    )


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


@dataclass(frozen=True, slots=True)
class NewJob:
    """A job to insert: queued, or a finished history entry that never ran."""

    uai: str
    type: JobType
    status: JobStatus
    export_sha256: str | None = None
    selection_version: int | None = None
    reference_time: datetime | None = None
    reason: str | None = None
    outcome: JobOutcome | None = None
    undoes: str | None = None
    allow_mass_deletion: bool = False
    reason_code: str | None = None
    reason_params: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Finish:
    """How a job ends: its status, reason and code, its recap, the IDPN links to store."""

    status: JobStatus
    reason: str | None
    code: str | None
    reason_params: Mapping[str, Any] | None
    idpn_links: Iterable[tuple[str, str]]


class JobRepository:
    """Jobs and their actions in `db`; `apply_one` writes one action into the ENT tables."""

    def __init__(self, db: Database, apply_one: ApplyOne) -> None:
        self.db = db
        self.apply_one = apply_one

    # -- creating jobs --------------------------------------------------------------------
    def _insert(self, conn: Connection, job: NewJob, now: datetime) -> str:
        job_id = uuid.uuid4().hex
        seq = self.db.next_in_sequence(conn, "import_jobs", "seq")
        ref = self.db.next_in_sequence(conn, "import_jobs", "ref")
        conn.execute(
            """INSERT INTO import_jobs (id, uai, type, status, created_at, finished_at,
                   reference_time, export_sha256, selection_version, reason, seq, outcome,
                   undoes, allow_mass_deletion, reason_code, reason_params_json, ref)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (job_id, job.uai, job.type.value, job.status.value, stamp(now),
             stamp(now) if job.status.finished else None,
             stamp(job.reference_time) if job.reference_time else None, job.export_sha256,
             job.selection_version, job.reason, seq, job.outcome.value if job.outcome else None,
             job.undoes, int(job.allow_mass_deletion), job.reason_code,
             json.dumps(dict(job.reason_params)) if job.reason_params is not None else None, ref),
        )
        return job_id

    def add(
        self, job: NewJob, now: datetime, *, supersede: tuple[JobOutcome, str] | None = None,
        check: Callable[[Connection], None] | None = None,
    ) -> str:
        """Insert `job` (its id); in the same transaction, `supersede` = (outcome, reason)
        refuses the queued automatic jobs of its establishment first, and `check` (which raises
        to refuse) runs first — two concurrent requests cannot both pass it."""
        with self.db.transaction() as conn:
            # The check reads, then this inserts: one writer per establishment at a time.
            self.db.lock_establishment(conn, job.uai)
            if check is not None:
                check(conn)
            if supersede is not None:
                conn.execute(
                    """UPDATE import_jobs SET status = 'refused', outcome = ?, reason = ?,
                           finished_at = ?
                       WHERE uai = ? AND type = 'automatic' AND status = 'queued'""",
                    (supersede[0].value, supersede[1], stamp(now), job.uai),
                )
            job_id = self._insert(conn, job, now)
            if job.status is JobStatus.QUEUED:
                self.db.notify_queue(conn)
            return job_id

    # -- reading --------------------------------------------------------------------------
    def get(self, job_id: str, uai: str | None = None) -> Job | None:
        where, params = "j.id = ?", [job_id]
        if uai is not None:
            where += " AND j.uai = ?"
            params.append(uai)
        with self.db.snapshot() as conn:
            row = conn.execute(f"{_JOB_SQL} WHERE {where}", params).fetchone()
        return _job(row) if row else None

    def _page(
        self, sql: str, where: Sequence[str], params: Sequence[Any], order: str, offset: int,
        limit: int, convert: Callable[[Row], Any],
    ) -> Page[Any]:
        offset, limit = max(0, min(offset, MAX_OFFSET)), max(1, min(limit, MAX_PAGE))
        condition = " AND ".join(where)
        with self.db.snapshot() as conn:
            total = int(conn.execute(
                f"SELECT COUNT(*) FROM ({sql} WHERE {condition}) AS t", params
            ).fetchone()[0])
            rows = conn.execute(
                f"{sql} WHERE {condition} ORDER BY {order} LIMIT ? OFFSET ?",
                (*params, limit, offset),
            ).fetchall()
        return Page(tuple(convert(r) for r in rows), total, offset, limit)

    def history(
        self, uai: str, *, status: JobStatus | None, type: JobType | None,
        id_prefix: str | None, offset: int, limit: int,
    ) -> Page[Job]:
        where, params = ["j.uai = ?"], [uai]
        if id_prefix is not None:
            where.append("substr(j.id, 1, ?) = ?")
            params.extend([len(id_prefix), id_prefix])  # type: ignore[list-item]
        if status is not None:
            where.append("j.status = ?")
            params.append(status.value)
        if type is not None:
            where.append("j.type = ?")
            params.append(type.value)
        return self._page(_JOB_SQL, where, params, "j.seq DESC", offset, limit, _job)

    def depth(self) -> dict[str, int]:
        """How many jobs are queued and running, all establishments (an index count)."""
        with self.db.snapshot() as conn:
            rows = conn.execute(
                """SELECT status, COUNT(*) FROM import_jobs WHERE status IN ('queued', 'running')
                   GROUP BY status"""
            ).fetchall()
        return {"queued": 0, "running": 0} | {status: int(n) for status, n in rows}

    def queued(self) -> tuple[Job, ...]:
        with self.db.snapshot() as conn:
            rows = conn.execute(f"{_JOB_SQL} WHERE j.status = 'queued' ORDER BY j.seq").fetchall()
        return tuple(_job(r) for r in rows)

    def last(
        self, uai: str, *, type: JobType | None, statuses: Sequence[JobStatus],
        with_outcome: bool,
    ) -> Job | None:
        where, params = ["j.uai = ?"], [uai]
        if type is not None:
            where.append("j.type = ?")
            params.append(type.value)
        if statuses:
            where.append(f"j.status IN ({_marks(statuses)})")
            params.extend(s.value for s in statuses)
        if not with_outcome:
            where.append("j.outcome IS NULL")
        with self.db.snapshot() as conn:
            row = conn.execute(
                f"{_JOB_SQL} WHERE {' AND '.join(where)} ORDER BY j.seq DESC LIMIT 1", params
            ).fetchone()
        return _job(row) if row else None

    def count_accepted_automatic(self, uai: str, since: datetime) -> int:
        """Automatic imports accepted since `since` (no-ops and superseded ones do not count)."""
        with self.db.snapshot() as conn:
            row = conn.execute(
                """SELECT COUNT(*) FROM import_jobs WHERE uai = ? AND type = 'automatic'
                       AND status <> 'refused' AND outcome IS NULL AND created_at >= ?""",
                (uai, stamp(since)),
            ).fetchone()
        return int(row[0])

    def _json_column(self, job_id: str, column: str) -> Mapping[str, Any] | None:
        with self.db.snapshot() as conn:
            row = conn.execute(
                f"SELECT {column} FROM import_jobs WHERE id = ?", (job_id,)
            ).fetchone()
        return json.loads(row[0]) if row and row[0] else None

    def known_entities(self, job_id: str) -> Mapping[str, Any] | None:
        return self._json_column(job_id, "known_json")

    def people(self, job_id: str) -> Mapping[str, Any] | None:
        return self._json_column(job_id, "people_json")

    @staticmethod
    def _recap(conn: Connection, job_id: str) -> tuple[dict[str, dict[str, int]], int]:
        recap, pending = empty_recap(), 0
        rows = conn.execute(
            f"SELECT type, status, COUNT(*) FROM job_actions WHERE {OF_JOB} GROUP BY type, status",
            (job_id,),
        )
        for kind, status, count in rows.fetchall():
            if status == "pending":
                pending += count
            else:
                recap.setdefault(TYPES[kind].value, {"success": 0, "error": 0})[status] += count
        return recap, pending

    def recap(self, job_id: str) -> tuple[dict[str, dict[str, int]], int]:
        """Per action type `{success, error}`, and the number of actions still pending."""
        with self.db.snapshot() as conn:
            return self._recap(conn, job_id)

    def actions(
        self, uai: str, job_id: str, *, status: str | None, type: ActionType | None,
        q: str | None, offset: int, limit: int,
    ) -> Page[JobAction]:
        """Actions of `uai`'s job `job_id` (none for another establishment's job); `q` is
        searched case-insensitively in the key and the error."""
        where = ["job_ref = (SELECT ref FROM import_jobs WHERE id = ? AND uai = ?)"]
        params: list[Any] = [job_id, uai]
        if status is not None:
            where.append("status = ?")
            params.append(status)
        if type is not None:
            where.append("type = ?")
            params.append(TYPE_CODES[type])
        if q:
            where.append("(UPPER(key) LIKE UPPER(?) OR UPPER(COALESCE(error, '')) LIKE UPPER(?))")
            params.extend([f"%{q}%"] * 2)
        return self._page(
            "SELECT seq, type, key, status, error FROM job_actions", where, params, "seq",
            offset, limit,
            lambda r: JobAction(r["seq"], TYPES[r["type"]], r["key"], r["status"], r["error"]),
        )

    # -- queue operations -----------------------------------------------------------------
    def cancel(self, uai: str, job_id: str, *, outcome: JobOutcome, reason: str,
               now: datetime) -> bool:
        """A queued or interrupted job refused; False when it was in another state."""
        with self.db.transaction() as conn:
            return bool(conn.execute(
                """UPDATE import_jobs SET status = 'refused', outcome = ?, reason = ?,
                       reason_code = NULL, finished_at = ?, worker_id = NULL, lease_until = NULL
                   WHERE id = ? AND uai = ? AND status IN ('queued', 'interrupted')""",
                (outcome.value, reason, stamp(now), job_id, uai),
            ).rowcount)

    def requeue(self, uai: str, job_id: str, *, reason: str, error_codes: Sequence[str]) -> bool:
        """An interrupted job, or one that failed with one of `error_codes`, queued again at
        its place; False when it was in another state."""
        failed = (
            f" OR (status = 'error' AND reason_code IN ({_marks(error_codes)}))"
            if error_codes else ""
        )
        with self.db.transaction() as conn:
            queued = bool(conn.execute(
                f"""UPDATE import_jobs SET status = 'queued', finished_at = NULL, worker_id = NULL,
                       lease_until = NULL, reason = ?, reason_code = NULL
                    WHERE id = ? AND uai = ? AND (status = 'interrupted'{failed})""",
                (reason, job_id, uai, *error_codes),
            ).rowcount)
            if queued:
                self.db.notify_queue(conn)
            return queued

    def claim(self, worker_id: str, now: datetime, lease_until: datetime) -> str | None:
        """The id of the oldest queued job whose establishment has no running job, now held by
        `worker_id`; or None.

        On PostgreSQL the candidate's row is locked and rows other workers are claiming are
        skipped (`SKIP LOCKED`): each worker takes the next free job without waiting. The
        conditional `UPDATE`'s row count says who won a race; two workers taking two jobs of one
        establishment at once both pass `NOT EXISTS` (neither sees the other's uncommitted
        claim), and the unique index of running jobs per establishment refuses the second, which
        tries again.
        """
        while True:
            try:
                with self.db.transaction() as conn:
                    row = conn.execute(
                        f"""SELECT j.id FROM import_jobs j WHERE j.status = 'queued'
                               AND NOT EXISTS (SELECT 1 FROM import_jobs r
                                               WHERE r.uai = j.uai AND r.status = 'running')
                            ORDER BY j.seq LIMIT 1{self.db.skip_locked}"""
                    ).fetchone()
                    if row is None:
                        return None
                    won = conn.execute(
                        """UPDATE import_jobs SET status = 'running', worker_id = ?,
                               started_at = COALESCE(started_at, ?), lease_until = ?
                           WHERE id = ? AND status = 'queued' AND NOT EXISTS (
                               SELECT 1 FROM import_jobs r WHERE r.uai = import_jobs.uai
                                   AND r.status = 'running')""",
                        (worker_id, stamp(now), stamp(lease_until), row[0]),
                    ).rowcount
            except INTEGRITY_ERRORS:
                continue  # another worker started a job of that establishment first
            if won == 1:
                return str(row[0])

    def renew(self, job_id: str, worker_id: str, lease_until: datetime) -> bool:
        """Extend the lease of a job `worker_id` still holds; False when it was taken back."""
        with self.db.transaction() as conn:
            return self._hold(conn, job_id, worker_id, lease_until)

    @staticmethod
    def _hold(conn: Connection, job_id: str, worker_id: str, lease_until: datetime) -> bool:
        return bool(conn.execute(
            """UPDATE import_jobs SET lease_until = ?
               WHERE id = ? AND worker_id = ? AND status = 'running'""",
            (stamp(lease_until), job_id, worker_id),
        ).rowcount)

    def release(self, job_id: str, worker_id: str) -> None:
        """The running job back in the queue (a graceful shutdown)."""
        with self.db.transaction() as conn:
            if conn.execute(
                """UPDATE import_jobs SET status = 'queued', worker_id = NULL, lease_until = NULL
                   WHERE id = ? AND worker_id = ? AND status = 'running'""",
                (job_id, worker_id),
            ).rowcount:
                self.db.notify_queue(conn)

    def reclaim_expired(
        self, now: datetime, *, status: JobStatus, reason: str
    ) -> list[str]:
        """Running jobs whose lease is past, set to `status` with `reason` (finished unless
        queued again) in one transaction; the ids this call took back, in queue order. A read
        first: the common case (nothing expired) takes no write lock.

        One conditional `UPDATE … RETURNING`: when two workers sweep at once, PostgreSQL makes
        the second wait for the first's row locks and re-checks the expiry on the rows as the
        first left them (no longer running), so a job is taken back — and reported — once."""
        at = stamp(now)
        with self.db.snapshot() as conn:
            if conn.execute(
                f"SELECT 1 FROM import_jobs WHERE {_EXPIRED} LIMIT 1", (at,)
            ).fetchone() is None:
                return []
        finished = None if status is JobStatus.QUEUED else at
        with self.db.transaction() as conn:
            rows = conn.execute(
                f"""UPDATE import_jobs SET status = ?, reason = ?, reason_code = NULL,
                       finished_at = ?, worker_id = NULL, lease_until = NULL
                    WHERE {_EXPIRED} RETURNING id, seq""",
                (status.value, reason, finished, at),
            ).fetchall()
            if rows and status is JobStatus.QUEUED:
                self.db.notify_queue(conn)
        return [job_id for job_id, _ in sorted(rows, key=lambda r: int(r[1]))]

    # -- execution ------------------------------------------------------------------------
    def store_plan(
        self, job_id: str, actions: Sequence[Action], *, counters: Mapping[str, Any],
        known: Mapping[str, Any], people: Mapping[str, Any], chunk: int = 5000,
    ) -> None:
        """All actions, pending, in execution order, and the plan's counters; one transaction
        (a plan stored again replaces the previous one)."""
        with self.db.transaction() as conn:
            conn.execute(f"DELETE FROM job_actions WHERE {OF_JOB}", (job_id,))
            ref = conn.execute("SELECT ref FROM import_jobs WHERE id = ?", (job_id,)).fetchone()[0]
            for start in range(0, len(actions), chunk):
                self.db.insert_rows(
                    conn, "job_actions",
                    ("job_ref", "seq", "type", "key", "status", "payload_json"),
                    [
                        (ref, start + i, TYPE_CODES[a.type], a.key, "pending",
                         action_codec.encode(a))
                        for i, a in enumerate(actions[start:start + chunk])
                    ],
                )
            conn.execute(
                """UPDATE import_jobs SET counters_json = ?, known_json = ?, people_json = ?
                   WHERE id = ?""",
                (json.dumps(dict(counters)), json.dumps(dict(known)), json.dumps(dict(people)),
                 job_id),
            )

    def pending(self, job_id: str, limit: int) -> list[Numbered]:
        """The next pending actions of the job, in execution order.

        `seq >= 0` (always true) is a range on the partial index of pending actions: without it
        SQLite walks the job's primary key through every action already done (a batch of 2,000
        read in 86 ms instead of 31 ms once 120,000 are done)."""
        with self.db.snapshot() as conn:
            rows = conn.execute(
                f"""SELECT seq, type, key, payload_json FROM job_actions
                   WHERE {OF_JOB} AND status = 'pending' AND seq >= 0 ORDER BY seq LIMIT ?""",
                (job_id, max(1, min(limit, _MAX_PENDING))),
            ).fetchall()
        return [(r[0], action_codec.decode(TYPES[r[1]], r[2], r[3])) for r in rows]

    def apply_batch(
        self, job: Job, batch: Sequence[Numbered], worker_id: str, *, now: datetime,
        lease_until: datetime, record_deletes: bool,
    ) -> int | None:
        """Apply `batch` to the ENT, record what each action replaced (`undo_journal`; with
        `record_deletes=False` only for creates and updates) and each outcome, and renew the
        lease — one transaction. The number of failed actions; None (nothing done) when the
        job is no longer held by `worker_id`."""
        with self.db.transaction() as conn:
            if not self._hold(conn, job.id, worker_id, lease_until):
                return None
            replaced = undo_journal.capture(
                self.db, conn, job.uai, batch, deletes=record_deletes
            )
            absent = {seq for seq, prior in replaced.items() if prior == ""}
            failed = dict(apply_numbered(self.db, conn, self.apply_one, job.uai, batch,
                                         stamp(now), absent))
            undo_journal.record(
                self.db, conn, job.id, batch, replaced, failed, deletes=record_deletes
            )
        return len(failed)

    def finish(
        self, job: Job, worker_id: str, end: Finish, now: datetime,
        counters: Callable[[Mapping[str, Any], dict[str, dict[str, int]], int], Mapping[str, Any]],
    ) -> bool:
        """End a job `worker_id` holds: `counters(stored, recap, pending)` gives the counters
        to freeze; on `DONE` the IDPN links are stored (what they replaced recorded for an
        undo). One transaction; False (nothing done) when the job is no longer held."""
        with self.db.transaction() as conn:
            if not self._hold(conn, job.id, worker_id, now):
                return False
            row = conn.execute(
                "SELECT counters_json FROM import_jobs WHERE id = ?", (job.id,)
            ).fetchone()
            recap, pending = self._recap(conn, job.id)
            frozen = counters(json.loads(row[0]), recap, pending)
            conn.execute(
                """UPDATE import_jobs SET status = ?, reason = COALESCE(?, reason),
                       reason_code = ?, reason_params_json = ?, finished_at = ?,
                       counters_json = ?, lease_until = NULL
                   WHERE id = ?""",
                (end.status.value, end.reason, end.code,
                 json.dumps(dict(end.reason_params)) if end.reason_params is not None else None,
                 stamp(now), json.dumps(dict(frozen)), job.id),
            )
            self.db.notify_queue(conn)  # the establishment's next job may run now
            if end.status is JobStatus.DONE:
                changed = undo_journal.record_links(conn, job.id, job.uai, end.idpn_links)
                conn.executemany(
                    """INSERT INTO idpn_links (uai, sync_id, idpn, method, validated_by, linked_at)
                       SELECT ?, ?, ?, 'import', ?, ? WHERE EXISTS (
                           SELECT 1 FROM directory_users WHERE sync_id = ? AND uai = ?)
                       ON CONFLICT (uai, sync_id) DO UPDATE SET idpn = excluded.idpn,
                           method = excluded.method, linked_at = excluded.linked_at""",
                    [(job.uai, s, i, f"job:{job.id}", stamp(now), s, job.uai)
                     for s, i in changed],
                )
        return True
