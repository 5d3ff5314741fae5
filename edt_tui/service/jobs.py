"""Import jobs: what a job may do, in which order, with which words (the queue, the history,
the recap).

The rules live here; how jobs and their actions are stored is `edt_tui.storage.jobs`
(`JobRepository`), one transaction per method. Claiming a job is a conditional update whose row
count says who won. Actions are stored before any is applied and each batch commits its ENT
writes together with the actions' outcomes, so a crash loses nothing and duplicates nothing.

Liveness is a lease, never a pid: the worker holding a running job renews `lease_until`
(`lease` ahead of its clock) with every batch and from a timer (`Worker`); a running job whose
lease is past is taken back by any worker (`reclaim_expired`) — a restarted container reusing
the dead process's pid included.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from edt_tui.config import DEFAULT_JOB_LEASE_SECONDS
from edt_tui.engine.model import Action, ActionType
from edt_tui.errors import EdtTuiError
from edt_tui.reasons import Reason, ReasonCode, french, reason
from edt_tui.service.job_failures import RESUMABLE
from edt_tui.service.job_records import Job, JobAction, Numbered, StoredCode
from edt_tui.service.records import Page
from edt_tui.service.store import StoreError
from edt_tui.service.vocabulary import JobOutcome, JobStatus, JobType
from edt_tui.storage.clock import Clock, utcnow
from edt_tui.storage.jobs import Finish, JobRepository, NewJob
from edt_tui.storage.pushes import PushLog
from edt_tui.storage.sql_store import SqlStore
from edt_tui.storage.undo_journal import UndoFacts, undo_facts

RESUMED = french(reason(ReasonCode.RESUMED))
STOPPED = french(reason(ReasonCode.STOPPED))
CANCELLED = french(reason(ReasonCode.CANCELLED))
DEFAULT_LEASE = timedelta(seconds=DEFAULT_JOB_LEASE_SECONDS)
"""How long a running job stays its worker's without a renewal (setting `job_lease_seconds`)."""


MAX_IGNORED_KEPT = 500
"""Ignored sessions kept per job: a real export has tens; a broken one is summed up."""


def this_worker_id() -> str:
    """`host:pid:random`, for the operator reading the log or the database: a restarted
    container can reuse host and pid, so liveness is never read from it (the lease is)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class JobStateError(EdtTuiError):
    """The job is not in a state that allows this (cancel a running job, resume a done one)."""


class JobStore:
    """Jobs, queue and action log of the store's establishments."""

    def __init__(
        self, store: SqlStore, *, clock: Clock = utcnow, lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        self.store = store
        self.clock = clock
        self.lease = lease
        self.repository = JobRepository(store.database, store.apply_one)
        self.pushes = PushLog(store.database)

    def _lease_end(self) -> datetime:
        return self.clock() + self.lease

    def _created(self, job_id: str) -> Job:
        job = self.get(job_id)
        assert job is not None
        return job

    # -- creating jobs --------------------------------------------------------------------
    def enqueue(
        self, uai: str, *, type: JobType, export_sha256: str, selection_version: int | None,
        reference_time: datetime | None, supersede_reason: str | None = None,
        allow_mass_deletion: bool = False,
    ) -> Job:
        """A queued job; with `supersede_reason`, queued automatic jobs of `uai` are replaced."""
        return self._created(self.repository.add(
            NewJob(uai, type, JobStatus.QUEUED, export_sha256, selection_version, reference_time,
                   allow_mass_deletion=allow_mass_deletion),
            self.clock(),
            supersede=None if supersede_reason is None else (
                JobOutcome.SUPERSEDED, supersede_reason
            ),
        ))

    def enqueue_undo(
        self, uai: str, undoes: str, reference_time: datetime,
        check: Callable[[UndoFacts], None],
    ) -> Job:
        """A queued undo of `undoes`, once `check` (which raises to refuse) has passed on the
        facts read in the same transaction: two concurrent requests cannot both queue one."""
        resumable = sorted(code.value for code in RESUMABLE)
        return self._created(self.repository.add(
            NewJob(uai, JobType.UNDO, JobStatus.QUEUED, reference_time=reference_time,
                   undoes=undoes),
            self.clock(),
            check=lambda conn: check(undo_facts(conn, uai, undoes, resumable=resumable)),
        ))

    def record(
        self, uai: str, *, type: JobType, status: JobStatus, reason: str | Reason,
        export_sha256: str | None = None, outcome: JobOutcome | None = None,
    ) -> Job:
        """A finished entry of the history that never ran (a refused or no-op push); a
        `Reason` is stored as its code and parameters, with its French wording as `reason`."""
        why = reason if isinstance(reason, Reason) else None
        return self._created(self.repository.add(
            NewJob(
                uai, type, status, export_sha256, reason=french(why) if why else str(reason),
                outcome=outcome, reason_code=why.code.value if why else None,
                reason_params=why.params if why else None,
            ),
            self.clock(),
        ))

    def record_push(
        self, uai: str, outcome: str, *, reason: str | None = None,
        export_sha256: str | None = None, job_id: str | None = None,
    ) -> None:
        """The push log (also for unknown UAIs, which have no history)."""
        self.pushes.add(
            uai, outcome, self.clock(), reason=reason, export_sha256=export_sha256, job_id=job_id
        )

    # -- reading --------------------------------------------------------------------------
    def get(self, job_id: str, uai: str | None = None) -> Job | None:
        return self.repository.get(job_id, uai)

    def history(
        self, uai: str, *, status: JobStatus | None = None, type: JobType | None = None,
        id_prefix: str | None = None, offset: int = 0, limit: int = 100,
    ) -> Page[Job]:
        """Newest first; `id_prefix`: the jobs whose id starts with it (ids are hexadecimal)."""
        return self.repository.history(
            uai, status=status, type=type, id_prefix=id_prefix, offset=offset, limit=limit
        )

    def depth(self) -> dict[str, int]:
        """How many jobs are queued and running, all establishments (an index count)."""
        return self.repository.depth()

    def queued(self) -> tuple[Job, ...]:
        return self.repository.queued()

    def last_job(
        self, uai: str, *, type: JobType | None = None, statuses: Sequence[JobStatus] = (),
        with_outcome: bool = True,
    ) -> Job | None:
        return self.repository.last(
            uai, type=type, statuses=statuses, with_outcome=with_outcome
        )

    def count_automatic_since(self, uai: str, since: datetime) -> int:
        """Automatic imports accepted since `since` (no-ops and superseded ones do not count)."""
        return self.repository.count_accepted_automatic(uai, since)

    def known_entities(self, job_id: str) -> Mapping[str, Any] | None:
        return self.repository.known_entities(job_id)

    def people(self, job_id: str) -> Mapping[str, Any] | None:
        return self.repository.people(job_id)

    def recap(self, job_id: str) -> tuple[dict[str, dict[str, int]], int]:
        """Per action type `{success, error}`, and the number of actions still pending."""
        return self.repository.recap(job_id)

    def list_actions(
        self, uai: str, job_id: str, *, status: str | None = None,
        type: ActionType | None = None, q: str | None = None, offset: int = 0, limit: int = 100,
    ) -> Page[JobAction]:
        """Actions of `uai`'s job `job_id` (none for another establishment's job)."""
        return self.repository.actions(
            uai, job_id, status=status, type=type, q=q, offset=offset, limit=limit
        )

    # -- queue operations -----------------------------------------------------------------
    def _existing(self, uai: str, job_id: str) -> Job:
        job = self.get(job_id, uai)
        if job is None:
            raise StoreError(f"no job {job_id} for {uai}")
        return job

    def cancel(self, uai: str, job_id: str) -> Job:
        """A queued or interrupted job is refused (`cancelled`); a running one is not stopped
        half-way (409): it ends, or its lease runs out and it is interrupted."""
        done = self.repository.cancel(
            uai, job_id, outcome=JobOutcome.CANCELLED, reason=CANCELLED, now=self.clock()
        )
        job = self._existing(uai, job_id)
        if not done:
            raise JobStateError(
                f"job {job_id} is {job.status.value}: only a queued or interrupted job can be "
                "cancelled"
            )
        return job

    def resume(self, uai: str, job_id: str) -> Job:
        """Back in the queue at its original place; its done actions are not replayed.

        Interrupted jobs, and jobs stopped by the machine (`RESUMABLE`: a full disk…)."""
        done = self.repository.requeue(
            uai, job_id, reason=RESUMED, error_codes=sorted(c.value for c in RESUMABLE)
        )
        job = self._existing(uai, job_id)
        if not done:
            raise JobStateError(
                f"job {job_id} is {job.status.value}: only an interrupted job (or one stopped "
                "by a full disk) can be resumed"
            )
        return job

    @property
    def idle_seconds(self) -> float:
        """How long an idle worker waits for a notification before looking at the queue again
        (the backend's: a poll on SQLite, a safety net where `watch_queue` works)."""
        return self.repository.db.idle_seconds

    def watch_queue(self, wake: Callable[[], None]) -> Callable[[], None] | None:
        """`wake` called whenever any process made a job claimable; a function that stops it,
        or None where the backend cannot tell (SQLite: in-process `Worker.notify` only)."""
        return self.repository.db.watch_queue(wake)

    def claim(self, worker_id: str) -> Job | None:
        """The oldest queued job whose establishment has no running job, now ours; or None."""
        job_id = self.repository.claim(worker_id, self.clock(), self._lease_end())
        return None if job_id is None else self.get(job_id)

    def renew(self, job_id: str, worker_id: str) -> bool:
        """Extend the lease of a job this worker still holds; False when it was taken back."""
        return self.repository.renew(job_id, worker_id, self._lease_end())

    def release(self, job_id: str, worker_id: str) -> None:
        """Graceful shutdown: the running job goes back to the queue, resumed by the next worker."""
        self.repository.release(job_id, worker_id)

    def reclaim_expired(self, *, requeue: bool) -> list[str]:
        """Running jobs whose lease is past (their worker died or hangs): back in the queue
        (`requeue`, reason `RESUMED`) or `interrupted` — one transaction, so nobody ever sees
        the job interrupted on its way back to the queue."""
        status, reason = (
            (JobStatus.QUEUED, RESUMED) if requeue else (JobStatus.INTERRUPTED, STOPPED)
        )
        return self.repository.reclaim_expired(self.clock(), status=status, reason=reason)

    # -- execution ------------------------------------------------------------------------
    def store_plan(
        self, job_id: str, actions: Sequence[Action], *, summary: Mapping[str, int],
        known: Mapping[str, Any], people: Mapping[str, Any],
        new_entities: Mapping[str, Any] | None = None,
        ignored: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        """All actions, pending, in execution order, with the plan's counts; one transaction.

        The ignored sessions are kept with the job (at most `MAX_IGNORED_KEPT`, then a count)
        so `history --job` can say why a course is missing long after the plan is gone."""
        counters = {
            "planned": True, "total": len(actions), "summary": dict(summary),
            "new_entities": dict(new_entities or {}),
            "ignored_sessions": [dict(i) for i in ignored[:MAX_IGNORED_KEPT]],
            "ignored_total": len(ignored),
        }
        self.repository.store_plan(job_id, actions, counters=counters, known=known, people=people)

    def pending(self, job_id: str, limit: int) -> list[Numbered]:
        return self.repository.pending(job_id, limit)

    def apply_batch(self, job: Job, batch: Sequence[Numbered], worker_id: str) -> int:
        """Apply, record each outcome, renew the lease — one transaction; the errors count.

        A failing action is recorded and the batch goes on; an action whose effect is already
        there is a no-op (upsert/delete by key). An undo records what it replaces only for what
        it restores (it is never undone, and what it deletes is in its actions).
        """
        if not batch:
            return 0
        failed = self.repository.apply_batch(
            job, batch, worker_id, now=self.clock(), lease_until=self._lease_end(),
            record_deletes=job.type is not JobType.UNDO,
        )
        if failed is None:
            raise JobStateError(f"job {job.id} is no longer held by this worker")
        return failed

    def finish(
        self, job: Job, worker_id: str, *, status: JobStatus, reason: str | None = None,
        code: StoredCode | None = None, idpn_links: Iterable[tuple[str, str]] = (),
        reason_params: Mapping[str, Any] | None = None,
    ) -> None:
        """The recap frozen into the job, the establishment free again; on success the IDPN
        links stored (same transaction). `code`: why it failed or was refused."""

        def frozen(
            stored: Mapping[str, Any], recap: dict[str, dict[str, int]], pending: int
        ) -> Mapping[str, Any]:
            done = sum(v["success"] + v["error"] for v in recap.values())
            return {**stored, "recap": recap, "pending": pending, "done": done}

        end = Finish(status, reason, code.value if code else None, reason_params, idpn_links)
        if not self.repository.finish(job, worker_id, end, self.clock(), frozen):
            raise JobStateError(f"job {job.id} is no longer held by this worker")
