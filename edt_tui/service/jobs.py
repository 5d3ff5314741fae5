"""Import jobs and their actions in the service's database: the queue, the history, the recap.

Every method is one transaction on the embedded `SQLiteStore` (its connection per thread, so the
worker's batches running in a thread use their own connection). The SQL is portable: claiming a
job is a conditional `UPDATE … WHERE status = 'queued' AND NOT EXISTS (running job of the same
establishment)` whose row count says who won — on PostgreSQL the candidate `SELECT` becomes
`FOR UPDATE SKIP LOCKED`. Actions are stored before any is applied and each batch commits its
ENT writes together with the actions' outcomes, so a crash loses nothing and duplicates nothing.

Liveness is a lease, never a pid: the worker holding a running job renews `lease_until`
(`lease` ahead of its clock) with every batch and from a timer (`Worker`); a running job whose
lease is past is taken back by any worker (`reclaim_expired`) — a restarted container reusing
the dead process's pid included.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from edt_tui.config import DEFAULT_JOB_LEASE_SECONDS
from edt_tui.engine.model import IMPORT_ACTIONS, Action, ActionType
from edt_tui.errors import EdtTuiError
from edt_tui.service import action_codec, priors
from edt_tui.service.bulk_apply import apply_numbered
from edt_tui.service.job_failures import RESUMABLE, FailureCode
from edt_tui.service.records import Page
from edt_tui.service.sqlite_store import SQLiteStore
from edt_tui.service.store import StoreError
from edt_tui.service.vocabulary import JobOutcome, JobStatus, JobType, RefusalCode

Clock = Callable[[], datetime]
RESUMED = "Repris après une interruption"
STOPPED = "Le processus d'import s'est arrêté en cours de route"
DEFAULT_LEASE = timedelta(seconds=DEFAULT_JOB_LEASE_SECONDS)
"""How long a running job stays its worker's without a renewal (setting `job_lease_seconds`)."""


MAX_IGNORED_KEPT = 500
"""Ignored sessions kept per job: a real export has tens; a broken one is summed up."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def this_worker_id() -> str:
    """`host:pid:random`, for the operator reading the log or the database: a restarted
    container can reuse host and pid, so liveness is never read from it (the lease is)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class JobStateError(EdtTuiError):
    """The job is not in a state that allows this (cancel a running job, resume a done one)."""


def _reason_code(value: str | None) -> FailureCode | RefusalCode | None:
    if not value:
        return None
    return RefusalCode(value) if value in RefusalCode._value2member_map_ else FailureCode(value)


def empty_recap() -> dict[str, dict[str, int]]:
    """The rows every recap shows (an undo's recap adds its course and node deletions)."""
    return {t.value: {"success": 0, "error": 0} for t in IMPORT_ACTIONS}


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    uai: str
    type: JobType
    status: JobStatus
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    reference_time: datetime | None
    export_sha256: str | None
    selection_version: int | None
    reason: str | None
    outcome: JobOutcome | None
    seq: int
    queue_position: int | None
    counters: Mapping[str, Any] = field(default_factory=dict)
    reason_code: FailureCode | RefusalCode | None = None
    """Why it failed (`FailureCode`) or was refused by the guards (`RefusalCode`), for clients
    to word; `reason_params` holds a refusal's counts."""
    reason_params: Mapping[str, Any] = field(default_factory=dict)
    allow_mass_deletion: bool = False
    """A manual import whose admin confirmed it may delete beyond the establishment's threshold."""
    undoes: str | None = None
    """For an undo: the import it reverts."""

    @property
    def resumable(self) -> bool:
        """Interrupted, or stopped by the machine (a full disk) rather than by the job."""
        return self.status is JobStatus.INTERRUPTED or (
            self.status is JobStatus.ERROR and self.reason_code in RESUMABLE
        )

    @property
    def planned(self) -> bool:
        return bool(self.counters.get("planned"))

    @property
    def total(self) -> int:
        return int(self.counters.get("total", 0))


@dataclass(frozen=True, slots=True)
class JobAction:
    seq: int
    type: ActionType
    key: str
    status: str
    error: str | None


_JOB_SQL = """SELECT j.*, CASE WHEN j.status = 'queued' THEN (
        SELECT COUNT(*) + 1 FROM import_jobs q WHERE q.status = 'queued' AND q.seq < j.seq
    ) END AS queue_position FROM import_jobs j"""


class JobStore:
    """Jobs, queue and action log over a `SQLiteStore` (same file, same connections)."""

    def __init__(
        self, store: SQLiteStore, *, clock: Clock = utcnow, lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        self.store = store
        self.clock = clock
        self.lease = lease

    def _lease_end(self) -> str:
        return _iso(self.clock() + self.lease)

    def _write(self) -> Any:
        return self.store.transaction()

    def _conn(self) -> sqlite3.Connection:
        return self.store.connection()

    @staticmethod
    def _job(row: sqlite3.Row) -> Job:
        outcome = row["outcome"]
        return Job(
            id=row["id"], uai=row["uai"], type=JobType(row["type"]),
            status=JobStatus(row["status"]), created_at=datetime.fromisoformat(row["created_at"]),
            started_at=_dt(row["started_at"]), finished_at=_dt(row["finished_at"]),
            reference_time=_dt(row["reference_time"]), export_sha256=row["export_sha256"],
            selection_version=row["selection_version"], reason=row["reason"],
            outcome=JobOutcome(outcome) if outcome else None, seq=int(row["seq"]),
            queue_position=row["queue_position"], counters=json.loads(row["counters_json"]),
            reason_code=_reason_code(row["reason_code"]),
            undoes=row["undoes"],
            reason_params=json.loads(row["reason_params_json"] or "{}"),
            allow_mass_deletion=bool(row["allow_mass_deletion"]),
        )

    # -- creating jobs --------------------------------------------------------------------
    def _insert(
        self, conn: sqlite3.Connection, *, uai: str, type: JobType, status: JobStatus,
        export_sha256: str | None, selection_version: int | None,
        reference_time: datetime | None, reason: str | None = None,
        outcome: JobOutcome | None = None, undoes: str | None = None,
        allow_mass_deletion: bool = False,
    ) -> str:
        now = _iso(self.clock())
        job_id = uuid.uuid4().hex
        seq = int(conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM import_jobs").fetchone()[0])
        conn.execute(
            """INSERT INTO import_jobs (id, uai, type, status, created_at, finished_at,
                   reference_time, export_sha256, selection_version, reason, seq, outcome,
                   undoes, allow_mass_deletion)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (job_id, uai, type.value, status.value, now,
             now if status.finished else None,
             _iso(reference_time) if reference_time else None, export_sha256, selection_version,
             reason, seq, outcome.value if outcome else None, undoes,
             int(allow_mass_deletion)),
        )
        return job_id

    def enqueue(
        self, uai: str, *, type: JobType, export_sha256: str, selection_version: int | None,
        reference_time: datetime | None, supersede_reason: str | None = None,
        allow_mass_deletion: bool = False,
    ) -> Job:
        """A queued job; with `supersede_reason`, queued automatic jobs of `uai` are replaced."""
        with self._write() as conn:
            if supersede_reason is not None:
                conn.execute(
                    """UPDATE import_jobs SET status = 'refused', outcome = ?, reason = ?,
                           finished_at = ?
                       WHERE uai = ? AND type = 'automatic' AND status = 'queued'""",
                    (JobOutcome.SUPERSEDED.value, supersede_reason, _iso(self.clock()), uai),
                )
            job_id = self._insert(
                conn, uai=uai, type=type, status=JobStatus.QUEUED, export_sha256=export_sha256,
                selection_version=selection_version, reference_time=reference_time,
                allow_mass_deletion=allow_mass_deletion,
            )
        job = self.get(job_id)
        assert job is not None
        return job

    def enqueue_undo(
        self, uai: str, undoes: str, reference_time: datetime,
        check: Callable[[sqlite3.Connection], None],
    ) -> Job:
        """A queued undo of `undoes`, once `check` (which raises to refuse) has passed in the
        same transaction: two concurrent requests cannot both queue one."""
        with self._write() as conn:
            check(conn)
            job_id = self._insert(
                conn, uai=uai, type=JobType.UNDO, status=JobStatus.QUEUED, export_sha256=None,
                selection_version=None, reference_time=reference_time, undoes=undoes,
            )
        job = self.get(job_id)
        assert job is not None
        return job

    def record(
        self, uai: str, *, type: JobType, status: JobStatus, reason: str,
        export_sha256: str | None = None, outcome: JobOutcome | None = None,
    ) -> Job:
        """A finished entry of the history that never ran (a refused or no-op push)."""
        with self._write() as conn:
            job_id = self._insert(
                conn, uai=uai, type=type, status=status, export_sha256=export_sha256,
                selection_version=None, reference_time=None, reason=reason, outcome=outcome,
            )
        job = self.get(job_id)
        assert job is not None
        return job

    def record_push(
        self, uai: str, outcome: str, *, reason: str | None = None,
        export_sha256: str | None = None, job_id: str | None = None,
    ) -> None:
        """The push log (also for unknown UAIs, which have no history)."""
        with self._write() as conn:
            conn.execute(
                """INSERT INTO pushes (id, uai, received_at, outcome, reason, export_sha256,
                       job_id) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (uuid.uuid4().hex, uai[:20], _iso(self.clock()), outcome, reason, export_sha256,
                 job_id),
            )

    # -- reading --------------------------------------------------------------------------
    def get(self, job_id: str, uai: str | None = None) -> Job | None:
        where, params = "j.id = ?", [job_id]
        if uai is not None:
            where += " AND j.uai = ?"
            params.append(uai)
        row = self._conn().execute(f"{_JOB_SQL} WHERE {where}", params).fetchone()
        return self._job(row) if row else None

    def history(
        self, uai: str, *, status: JobStatus | None = None, type: JobType | None = None,
        id_prefix: str | None = None, offset: int = 0, limit: int = 100,
    ) -> Page[Job]:
        """Newest first; `id_prefix`: the jobs whose id starts with it (ids are hexadecimal)."""
        where, params = ["j.uai = ?"], [uai]
        if id_prefix is not None:
            where.append("substr(j.id, 1, length(?)) = ?")
            params.extend([id_prefix, id_prefix])
        if status is not None:
            where.append("j.status = ?")
            params.append(status.value)
        if type is not None:
            where.append("j.type = ?")
            params.append(type.value)
        return self.store.select_page(
            _JOB_SQL, " AND ".join(where), params, "j.seq DESC", offset, limit, self._job
        )

    def depth(self) -> dict[str, int]:
        """How many jobs are queued and running, all establishments (an index count)."""
        rows = self._conn().execute(
            """SELECT status, COUNT(*) FROM import_jobs WHERE status IN ('queued', 'running')
               GROUP BY status"""
        ).fetchall()
        return {"queued": 0, "running": 0} | {status: int(n) for status, n in rows}

    def queued(self) -> tuple[Job, ...]:
        rows = self._conn().execute(f"{_JOB_SQL} WHERE j.status = 'queued' ORDER BY j.seq")
        return tuple(self._job(r) for r in rows.fetchall())

    def last_job(
        self, uai: str, *, type: JobType | None = None, statuses: Sequence[JobStatus] = (),
        with_outcome: bool = True,
    ) -> Job | None:
        where, params = ["j.uai = ?"], [uai]
        if type is not None:
            where.append("j.type = ?")
            params.append(type.value)
        if statuses:
            where.append(f"j.status IN ({', '.join('?' * len(statuses))})")
            params.extend(s.value for s in statuses)
        if not with_outcome:
            where.append("j.outcome IS NULL")
        row = self._conn().execute(
            f"{_JOB_SQL} WHERE {' AND '.join(where)} ORDER BY j.seq DESC LIMIT 1", params
        ).fetchone()
        return self._job(row) if row else None

    def count_automatic_since(self, uai: str, since: datetime) -> int:
        """Automatic imports accepted since `since` (no-ops and superseded ones do not count)."""
        row = self._conn().execute(
            """SELECT COUNT(*) FROM import_jobs WHERE uai = ? AND type = 'automatic'
                   AND status <> 'refused' AND outcome IS NULL AND created_at >= ?""",
            (uai, _iso(since)),
        ).fetchone()
        return int(row[0])

    def known_entities(self, job_id: str) -> Mapping[str, Any] | None:
        row = self._conn().execute(
            "SELECT known_json FROM import_jobs WHERE id = ?", (job_id,)
        ).fetchone()
        return json.loads(row[0]) if row and row[0] else None

    def people(self, job_id: str) -> Mapping[str, Any] | None:
        row = self._conn().execute(
            "SELECT people_json FROM import_jobs WHERE id = ?", (job_id,)
        ).fetchone()
        return json.loads(row[0]) if row and row[0] else None

    def recap(self, job_id: str) -> tuple[dict[str, dict[str, int]], int]:
        """Per action type `{success, error}`, and the number of actions still pending."""
        recap, pending = empty_recap(), 0
        rows = self._conn().execute(
            "SELECT type, status, COUNT(*) FROM job_actions WHERE job_id = ? GROUP BY type, status",
            (job_id,),
        )
        for kind, status, count in rows.fetchall():
            if status == "pending":
                pending += count
            else:
                recap.setdefault(kind, {"success": 0, "error": 0})[status] += count
        return recap, pending

    def list_actions(
        self, uai: str, job_id: str, *, status: str | None = None,
        type: ActionType | None = None, q: str | None = None, offset: int = 0, limit: int = 100,
    ) -> Page[JobAction]:
        """Actions of `uai`'s job `job_id` (none for another establishment's job)."""
        where = ["job_id = (SELECT id FROM import_jobs WHERE id = ? AND uai = ?)"]
        params: list[Any] = [job_id, uai]
        if status is not None:
            where.append("status = ?")
            params.append(status)
        if type is not None:
            where.append("type = ?")
            params.append(type.value)
        if q:
            where.append("(UPPER(key) LIKE ? OR UPPER(COALESCE(error, '')) LIKE ?)")
            params.extend([f"%{q.upper()}%"] * 2)
        return self.store.select_page(
            "SELECT seq, type, key, status, error FROM job_actions", " AND ".join(where), params,
            "seq", offset, limit,
            lambda r: JobAction(r["seq"], ActionType(r["type"]), r["key"], r["status"], r["error"]),
        )

    # -- queue operations -----------------------------------------------------------------
    def cancel(self, uai: str, job_id: str) -> Job:
        """A queued or interrupted job is refused (`cancelled`); a running one is not stopped
        half-way (409): it ends, or its lease runs out and it is interrupted."""
        with self._write() as conn:
            done = conn.execute(
                """UPDATE import_jobs SET status = 'refused', outcome = ?, reason = ?,
                       reason_code = NULL, finished_at = ?, worker_id = NULL, lease_until = NULL
                   WHERE id = ? AND uai = ? AND status IN ('queued', 'interrupted')""",
                (JobOutcome.CANCELLED.value, "Annulé par l'administrateur", _iso(self.clock()),
                 job_id, uai),
            ).rowcount
        job = self.get(job_id, uai)
        if job is None:
            raise StoreError(f"no job {job_id} for {uai}")
        if not done:
            raise JobStateError(
                f"job {job_id} is {job.status.value}: only a queued or interrupted job can be "
                "cancelled"
            )
        return job

    def resume(self, uai: str, job_id: str) -> Job:
        """Back in the queue at its original place; its done actions are not replayed.

        Interrupted jobs, and jobs stopped by the machine (`RESUMABLE`: a full disk…)."""
        codes = sorted(c.value for c in RESUMABLE)
        with self._write() as conn:
            done = conn.execute(
                f"""UPDATE import_jobs SET status = 'queued', finished_at = NULL, worker_id = NULL,
                       lease_until = NULL, reason = ?, reason_code = NULL
                    WHERE id = ? AND uai = ? AND (status = 'interrupted' OR (status = 'error'
                        AND reason_code IN ({', '.join('?' * len(codes))})))""",
                (RESUMED, job_id, uai, *codes),
            ).rowcount
        job = self.get(job_id, uai)
        if job is None:
            raise StoreError(f"no job {job_id} for {uai}")
        if not done:
            raise JobStateError(
                f"job {job_id} is {job.status.value}: only an interrupted job (or one stopped "
                "by a full disk) can be resumed"
            )
        return job

    def claim(self, worker_id: str) -> Job | None:
        """The oldest queued job whose establishment has no running job, now ours; or None."""
        while True:
            with self._write() as conn:
                row = conn.execute(
                    """SELECT j.id FROM import_jobs j WHERE j.status = 'queued'
                           AND NOT EXISTS (SELECT 1 FROM import_jobs r
                                           WHERE r.uai = j.uai AND r.status = 'running')
                       ORDER BY j.seq LIMIT 1"""
                ).fetchone()
                if row is None:
                    return None
                won = conn.execute(
                    """UPDATE import_jobs SET status = 'running', worker_id = ?,
                           started_at = COALESCE(started_at, ?), lease_until = ?
                       WHERE id = ? AND status = 'queued' AND NOT EXISTS (
                           SELECT 1 FROM import_jobs r WHERE r.uai = import_jobs.uai
                               AND r.status = 'running')""",
                    (worker_id, _iso(self.clock()), self._lease_end(), row[0]),
                ).rowcount
            if won == 1:
                return self.get(row[0])

    def renew(self, job_id: str, worker_id: str) -> bool:
        """Extend the lease of a job this worker still holds; False when it was taken back."""
        with self._write() as conn:
            return bool(conn.execute(
                """UPDATE import_jobs SET lease_until = ?
                   WHERE id = ? AND worker_id = ? AND status = 'running'""",
                (self._lease_end(), job_id, worker_id),
            ).rowcount)

    def release(self, job_id: str, worker_id: str) -> None:
        """Graceful shutdown: the running job goes back to the queue, resumed by the next worker."""
        with self._write() as conn:
            conn.execute(
                """UPDATE import_jobs SET status = 'queued', worker_id = NULL, lease_until = NULL
                   WHERE id = ? AND worker_id = ? AND status = 'running'""",
                (job_id, worker_id),
            )

    def reclaim_expired(self, *, requeue: bool) -> list[str]:
        """Running jobs whose lease is past (their worker died or hangs): back in the queue
        (`requeue`, reason `RESUMED`) or `interrupted` — one transaction, so nobody ever sees
        the job interrupted on its way back to the queue.

        A read first: the common case (nothing expired) takes no write lock.
        """
        now = _iso(self.clock())
        expired = """status = 'running' AND (lease_until IS NULL OR lease_until < ?)"""
        if self._conn().execute(
            f"SELECT 1 FROM import_jobs WHERE {expired} LIMIT 1", (now,)
        ).fetchone() is None:
            return []
        status, reason = ("queued", RESUMED) if requeue else ("interrupted", STOPPED)
        with self._write() as conn:
            ids = [r[0] for r in conn.execute(
                f"SELECT id FROM import_jobs WHERE {expired} ORDER BY seq", (now,)
            ).fetchall()]
            conn.executemany(
                f"""UPDATE import_jobs SET status = ?, reason = ?, reason_code = NULL,
                       finished_at = ?, worker_id = NULL, lease_until = NULL
                    WHERE id = ? AND {expired}""",
                [(status, reason, None if requeue else now, job_id, now) for job_id in ids],
            )
        return ids

    # -- execution ------------------------------------------------------------------------
    def store_plan(
        self, job_id: str, actions: Sequence[Action], *, summary: Mapping[str, int],
        known: Mapping[str, Any], people: Mapping[str, Any],
        new_entities: Mapping[str, Any] | None = None,
        ignored: Sequence[Mapping[str, Any]] = (), chunk: int = 5000,
    ) -> None:
        """All actions, pending, in execution order, with the plan's counts; one transaction.

        The ignored sessions are kept with the job (at most `MAX_IGNORED_KEPT`, then a count)
        so `history --job` can say why a course is missing long after the plan is gone."""
        with self._write() as conn:
            conn.execute("DELETE FROM job_actions WHERE job_id = ?", (job_id,))
            for start in range(0, len(actions), chunk):
                conn.executemany(
                    """INSERT INTO job_actions (job_id, seq, type, key, status, payload_json)
                       VALUES (?, ?, ?, ?, 'pending', ?)""",
                    [
                        (job_id, start + i, a.type.value, a.key, action_codec.encode(a))
                        for i, a in enumerate(actions[start:start + chunk])
                    ],
                )
            counters = {
                "planned": True, "total": len(actions), "summary": dict(summary),
                "new_entities": dict(new_entities or {}),
                "ignored_sessions": [dict(i) for i in ignored[:MAX_IGNORED_KEPT]],
                "ignored_total": len(ignored),
            }
            conn.execute(
                """UPDATE import_jobs SET counters_json = ?, known_json = ?, people_json = ?
                   WHERE id = ?""",
                (json.dumps(counters), json.dumps(dict(known)), json.dumps(dict(people)), job_id),
            )

    def pending(self, job_id: str, limit: int) -> list[tuple[int, Action]]:
        rows = self._conn().execute(
            """SELECT seq, type, key, payload_json FROM job_actions
               WHERE job_id = ? AND status = 'pending' ORDER BY seq LIMIT ?""",
            (job_id, max(1, min(limit, 50_000))),
        ).fetchall()
        return [(r[0], action_codec.decode(r[1], r[2], r[3])) for r in rows]

    def apply_batch(self, job: Job, batch: Sequence[tuple[int, Action]], worker_id: str) -> int:
        """Apply, record each outcome, renew the lease — one transaction; the errors count.

        A failing action is recorded and the batch goes on (`bulk_apply`); an action whose effect
        is already there is a no-op (upsert/delete by key).
        """
        if not batch:
            return 0
        now = _iso(self.clock())
        with self._write() as conn:
            owner = conn.execute(
                "SELECT worker_id, status FROM import_jobs WHERE id = ?", (job.id,)
            ).fetchone()
            if owner is None or owner[0] != worker_id or owner[1] != "running":
                raise JobStateError(f"job {job.id} is no longer held by this worker")
            deletes = job.type is not JobType.UNDO
            replaced = priors.capture(conn, job.uai, batch, deletes=deletes)
            failed = apply_numbered(self.store, conn, job.uai, batch, now)
            priors.record(conn, job.id, batch, replaced, (s for s, _ in failed), deletes=deletes)
            errors = [(reason, job.id, seq) for seq, reason in failed]
            conn.execute(
                """UPDATE job_actions SET status = 'success' WHERE job_id = ?
                       AND status = 'pending' AND seq BETWEEN ? AND ?""",
                (job.id, batch[0][0], batch[-1][0]),
            )
            if errors:
                conn.executemany(
                    """UPDATE job_actions SET status = 'error', error = ?
                       WHERE job_id = ? AND seq = ?""",
                    errors,
                )
            conn.execute(
                "UPDATE import_jobs SET lease_until = ? WHERE id = ?", (self._lease_end(), job.id)
            )
        return len(errors)

    def finish(
        self, job: Job, worker_id: str, *, status: JobStatus, reason: str | None = None,
        code: FailureCode | RefusalCode | None = None, idpn_links: Iterable[tuple[str, str]] = (),
        reason_params: Mapping[str, Any] | None = None,
    ) -> None:
        """The recap frozen into the job, the establishment free again; on success the IDPN
        links stored (same transaction). `code`: why an `error` job failed."""
        recap, pending = self.recap(job.id)
        now = _iso(self.clock())
        with self._write() as conn:
            row = conn.execute(
                """SELECT counters_json FROM import_jobs
                   WHERE id = ? AND worker_id = ? AND status = 'running'""",
                (job.id, worker_id),
            ).fetchone()
            if row is None:
                raise JobStateError(f"job {job.id} is no longer held by this worker")
            counters = json.loads(row[0])
            counters.update(
                recap=recap, pending=pending,
                done=sum(v["success"] + v["error"] for v in recap.values()),
            )
            conn.execute(
                """UPDATE import_jobs SET status = ?, reason = COALESCE(?, reason),
                       reason_code = ?, reason_params_json = ?, finished_at = ?,
                       counters_json = ?, lease_until = NULL
                   WHERE id = ?""",
                (status.value, reason, code.value if code else None,
                 json.dumps(dict(reason_params)) if reason_params is not None else None, now,
                 json.dumps(counters), job.id),
            )
            if status is JobStatus.DONE:
                changed = priors.record_links(conn, job.id, job.uai, idpn_links)
                conn.executemany(
                    """INSERT INTO idpn_links (uai, sync_id, idpn, method, validated_by, linked_at)
                       SELECT ?, ?, ?, 'import', ?, ? WHERE EXISTS (
                           SELECT 1 FROM directory_users WHERE sync_id = ? AND uai = ?)
                       ON CONFLICT (uai, sync_id) DO UPDATE SET idpn = excluded.idpn,
                           method = excluded.method, linked_at = excluded.linked_at""",
                    [(job.uai, s, i, f"job:{job.id}", now, s, job.uai) for s, i in changed],
                )
