"""The import worker: takes queued jobs one by one and runs them against the ENT.

It lives in the service's lifespan (embedded mode and `edt-tui serve`); several workers — in one
process or several — are safe because claiming is atomic (`JobStore.claim`). A job runs from
claim to recap in one thread (`run_in_executor`, the store gives each thread its own SQLite
connection) so the event loop keeps answering requests. A job runs in steps:

1. plan (once): the manual job's saved selection, or for an automatic job the last manual
   selection with every entity it had not seen deactivated; a plan the guards refuse
   (`service.guards`: pending relinks, mass deletion) ends the job `refused`, nothing stored;
   otherwise all actions stored, pending;
2. batches of `batch_size` pending actions in execution order (courses and hierarchy nodes →
   memberships → events), each batch one transaction with the outcomes;
3. finish: the recap frozen, the IDPN links stored.

An idle worker waits for a job to become claimable: this process's API calls `notify`, and on
PostgreSQL a dedicated `LISTEN` connection (`JobStore.watch_queue`) wakes it when any process
queues, resumes, releases, takes back or ends a job; the wait's bound (`poll_seconds`, the
backend's `idle_seconds`: 1 s on SQLite, which cannot tell other processes, 30 s as a safety net
on PostgreSQL) and the next lease sweep end it otherwise.

Liveness is a lease (`JobStore.reclaim_expired`): while a job runs, its lease is renewed with
each batch and by a timer every third of the lease (planning a big export takes a while). On
start, every third of the lease and before the history is read, running jobs whose lease is
past (crash, `kill -9`, a restarted container with the same pid) are put straight back in the
queue at their place (reason "Repris après une interruption"), in one transaction; they continue
from their pending actions. With `auto_resume` off they become `interrupted` until `POST
…/jobs/{id}/resume` (`edt-tui import --resume ID`). On a graceful stop (Ctrl-C, SIGTERM, the end
of an embedded command, quitting the TUI) the running job goes back to the queue and continues
the next time a worker runs.

A job that fails ends `error` with a reason code (`job_failures`): a full disk is `disk_full`,
resumable once space is back. If even recording the failure fails because the database cannot
be written (the disk is still full), the worker keeps the job and retries with a growing delay —
it never dies, never drops the job; on a stop (or an unexpected error) it gives up and the lease,
no longer renewed, hands the job back.

Shutdown: cancelling `run()` (the lifespan does) never abandons a thread. It sets `_stop`, a
`threading.Event` the job's thread checks between batches; the batch in progress commits (or,
if it fails, rolls back: one transaction), the thread releases the job and returns, and only then
does the cancellation complete — so the lifespan closes the store after every worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from edt_tui.engine.model import Action
from edt_tui.engine.plan import Plan
from edt_tui.errors import EdtTuiError
from edt_tui.reasons import french
from edt_tui.service import undo
from edt_tui.service.guards import Refused, check_job
from edt_tui.service.job_failures import FailureCode, failure_of, storage_failure
from edt_tui.service.job_records import Job
from edt_tui.service.jobs import JobStateError, JobStore, this_worker_id
from edt_tui.service.planning import (
    Planner,
    known_entities,
    new_entities,
    parse_selection_document,
    people_document,
    without_new,
)
from edt_tui.service.vocabulary import JobStatus, JobType, local_minute, undo_reason
from edt_tui.wire.plans import IgnoredSession

log = logging.getLogger("edt_tui.worker")
T = TypeVar("T")
Batch = Sequence[tuple[int, Action]]
DEFAULT_BATCH = 2000
FAIL_RETRY_SECONDS = (1.0, 10.0)
"""First and longest delay between two attempts to record a job's failure."""


class Worker:
    def __init__(
        self, jobs: JobStore, planner: Planner, *, batch_size: int | None = None,
        poll_seconds: float | None = None, worker_id: str | None = None,
        auto_resume: bool = True,
    ) -> None:
        self.jobs = jobs
        self.planner = planner
        self.batch_size = batch_size or DEFAULT_BATCH
        self.poll_seconds = jobs.idle_seconds if poll_seconds is None else poll_seconds
        """The longest idle wait: the backend's (`JobStore.idle_seconds`) unless given."""
        self.worker_id = worker_id or this_worker_id()
        self.auto_resume = auto_resume
        self.wakeup = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop = threading.Event()
        self._held: Job | None = None
        """The job this worker's thread runs (its lease is renewed by `_keep_lease`)."""
        self.before_batch: Callable[[Job, int], None] | None = None
        """Called in the job's thread before each batch with the batches this run has applied:
        where a test pauses the worker at a chosen point (and waits for `stopping`)."""
        self.job_ended: Callable[[Job], None] | None = None
        """Called in the job's thread once a claimed job has left this worker (ended, refused,
        failed or back in the queue): what a test waits for instead of polling the job."""
        self.finished = 0
        """Jobs this worker ran to their end (done, error, refused), for the stop's log line."""
        self.released: list[str] = []
        """Jobs a stop put back in the queue, for the stop's log line."""

    @property
    def stopping(self) -> threading.Event:
        """Set once this worker is asked to stop; the job's thread checks it between batches."""
        return self._stop

    @property
    def started(self) -> bool:
        """Whether `run()` ever ran (`serve --no-worker` builds a worker it never starts)."""
        return self._loop is not None

    @property
    def _beat_seconds(self) -> float:
        """A third of the lease: how often leases are renewed and expired ones looked for."""
        return self.jobs.lease.total_seconds() / 3

    def notify(self) -> None:
        """A job became claimable: look now rather than at the next poll (callable from any
        thread: this process's API, or the database's notifications, `JobStore.watch_queue`)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.wakeup.set)

    async def run(self) -> None:
        """Forever (until cancelled); an unexpected failure is logged and the loop goes on."""
        loop = self._loop = asyncio.get_running_loop()
        self._stop.clear()
        unwatch = self.jobs.watch_queue(self.notify)
        try:
            next_sweep = 0.0
            while True:
                if loop.time() >= next_sweep:
                    await self._in_thread(self.recover)
                    next_sweep = loop.time() + self._beat_seconds
                self.wakeup.clear()  # before looking: a job queued meanwhile ends the wait below
                try:
                    ran = await self.run_once()
                except Exception:  # the store is unreachable, a bug: keep serving
                    log.exception("import worker: unexpected error")
                    ran = False
                if not ran:
                    idle = min(self.poll_seconds, max(0.0, next_sweep - loop.time()))
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.wakeup.wait(), idle)
        finally:
            if unwatch is not None:
                unwatch()

    async def run_once(self) -> bool:
        """Claim and run one job to its end (or to a stop); False when nothing was claimed."""
        self._stop.clear()
        lease = asyncio.create_task(self._keep_lease())
        try:
            return await self._in_thread(self._run_one)
        finally:
            lease.cancel()
            await asyncio.gather(lease, return_exceptions=True)

    async def _keep_lease(self) -> None:
        """Renew the running job's lease between batches too (a long plan, a slow batch)."""
        while True:
            await asyncio.sleep(self._beat_seconds)
            job = self._held
            if job is not None:
                await self._in_thread(functools.partial(self._renew, job), stop=False)

    def _renew(self, job: Job) -> None:
        try:
            if not self.jobs.renew(job.id, self.worker_id):
                log.warning("job %s: lease lost, another worker took it back", job.id)
        except Exception as exc:  # the next beat or batch tries again
            log.warning("job %s: cannot renew its lease: %s", job.id, exc)

    async def _in_thread(self, fn: Callable[[], T], *, stop: bool = True) -> T:
        """`fn` in a thread, never abandoned: on cancellation, ask it to stop between batches
        (`stop`), wait until it has returned, then let the cancellation through."""
        future = asyncio.get_running_loop().run_in_executor(None, fn)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            if stop:
                self._stop.set()
            while not future.done():
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait((future,))
            if not future.cancelled() and future.exception() is not None:
                log.error("import worker: failed while stopping", exc_info=future.exception())
            raise

    def recover(self) -> None:
        """Running jobs whose lease is past: back in the queue (or interrupted, `auto_resume`
        off), in one transaction.

        Run when a worker starts, every third of the lease, and before the history is read
        (`GET …/jobs`), so that a job whose process was killed never stays running.
        """
        try:
            for job_id in self.jobs.reclaim_expired(requeue=self.auto_resume):
                log.warning("job %s: its worker stopped renewing its lease, taken back", job_id)
        except Exception:
            log.exception("import worker: cannot check for interrupted jobs")

    def _run_one(self) -> bool:
        """In the thread: claim a job and run it; a stop puts it back in the queue."""
        if self._stop.is_set():
            return False
        job = self.jobs.claim(self.worker_id)
        if job is None:
            return False
        log.info("job %s of %s claimed by %s", job.id, job.uai, self.worker_id)
        self._held = job
        try:
            self._run_claimed(job)
        finally:
            self._held = None
            if self.job_ended is not None:
                self.job_ended(job)
        return True

    def _run_claimed(self, job: Job) -> None:
        try:
            completed = self._execute(job)
        except JobStateError as exc:
            log.warning("job %s: %s", job.id, exc)
            return
        except Exception as exc:
            self._fail(job, exc)
            return
        if not completed:
            self.jobs.release(job.id, self.worker_id)
            self.released.append(job.id)
            log.info("job %s stopped between two batches, back in the queue", job.id)

    def _fail(self, job: Job, exc: Exception) -> None:
        """End the job `error` with its true reason; retried until it is recorded (the disk
        that filled up may still be full), unless the worker stops or loses the job."""
        failure = failure_of(exc)
        if failure.code is FailureCode.INTERNAL:
            log.error("job %s failed", job.id, exc_info=exc)
        else:
            log.warning("job %s failed (%s): %s", job.id, failure.code.value, exc)
        delay, longest = FAIL_RETRY_SECONDS
        while True:
            try:
                self.jobs.finish(
                    job, self.worker_id, status=JobStatus.ERROR, reason=failure.reason,
                    code=failure.code, reason_params=failure.why.params,
                )
            except JobStateError as lost:
                log.warning("job %s: %s", job.id, lost)
                return
            except Exception as again:
                if storage_failure(again) is None:  # a bug: the lease, no longer renewed, ends it
                    log.error("job %s: cannot record its failure", job.id, exc_info=again)
                    return
                log.warning("job %s: cannot record its failure yet (%s), retrying in %.0f s",
                            job.id, again, delay)
                if self._stop.wait(delay):
                    return  # no longer renewed, the lease hands the job back
                delay = min(delay * 2, longest)
                continue
            self._finished(job)
            return

    def _execute(self, job: Job) -> bool:
        """Plan (once), the batches, the recap; False when stopped before the end."""
        batches: Iterable[Batch]
        if self._stop.is_set():  # the stop came while this job was being claimed: no plan
            return False
        if not job.planned:
            try:
                actions, idpn_links = self._prepare(job)
            except undo.UndoRefusedError as exc:
                self.jobs.finish(
                    job, self.worker_id, status=JobStatus.REFUSED,
                    reason=french(undo_reason(exc.code, self._date(job, exc.params))),
                    code=exc.code, reason_params=exc.params,
                )
                self._finished(job)
                return True
            except Refused as refusal:  # nothing stored, nothing applied
                self.jobs.finish(
                    job, self.worker_id, status=JobStatus.REFUSED, reason=refusal.reason,
                    code=refusal.code, reason_params=refusal.params,
                )
                self.finished += 1
                log.info("job %s of %s refused (%s)", job.id, job.uai, refusal.code.value)
                return True
            # Fresh plan: every action is pending, in memory already (no need to decode them).
            numbered = list(enumerate(actions))
            size = self.batch_size
            batches = (numbered[i:i + size] for i in range(0, len(numbered), size))
        else:
            people = self.jobs.people(job.id) or {}
            idpn_links = [(s, i) for s, i in people.get("idpn_links", ())]
            batches = iter(functools.partial(self.jobs.pending, job.id, self.batch_size), [])
        for applied, batch in enumerate(batches):
            if self._stop.is_set():
                return False
            if self.before_batch is not None:
                self.before_batch(job, applied)
            errors = self.jobs.apply_batch(job, batch, self.worker_id)
            log.info("job %s: actions %d-%d applied (%d failed)", job.id, batch[0][0],
                     batch[-1][0], errors)
        if job.type is JobType.UNDO:
            undo.finish(self.jobs, job)
        self.jobs.finish(job, self.worker_id, status=JobStatus.DONE, idpn_links=idpn_links)
        self._finished(job)
        return True

    def _finished(self, job: Job) -> None:
        """The ENT changed: plans cached for the wizard are stale."""
        self.finished += 1
        log.info("job %s of %s finished", job.id, job.uai)
        self.planner.invalidate()

    def _prepare(self, job: Job) -> tuple[Sequence[Action], list[tuple[str, str]]]:
        """The job's actions, stored, and the IDPN links to store when it completes."""
        if job.type is JobType.UNDO:
            return undo.prepare(self.jobs, job), []
        plan = self._plan(job)
        return plan.actions, list(plan.idpn_links)

    def _date(self, job: Job, params: Mapping[str, Any]) -> str:
        establishment = self.jobs.store.get_establishment(job.uai)
        stamp = params.get("created_at")
        return local_minute(stamp, establishment.timezone) if stamp and establishment else ""

    def _plan(self, job: Job) -> Plan:
        """Compute and store the job's actions (in this thread)."""
        if job.export_sha256 is None or job.reference_time is None:
            raise EdtTuiError(f"job {job.id} has no export or reference time")
        export = self.planner.export(job.uai, job.export_sha256)
        document: dict[str, Any] = {}
        if job.selection_version is not None:
            found = self.jobs.store.get_selection(job.uai, job.selection_version)
            if found is None:
                raise EdtTuiError(f"selection version {job.selection_version} is gone")
            document = dict(found[1])
        selection, options = parse_selection_document(document or {"format": 1})
        reference_time: datetime = job.reference_time
        plan = self.planner.compute(job.uai, export, selection, options, reference_time)
        new: dict[str, Any] = {}
        known = known_entities(plan)
        if job.type is JobType.AUTOMATIC:
            manual = self.jobs.last_job(
                job.uai, type=JobType.MANUAL, statuses=(JobStatus.DONE,), with_outcome=False
            )
            seen = self.jobs.known_entities(manual.id) if manual else None
            new = new_entities(plan, seen) if seen is not None else {}
            if any(new.values()):
                plan = self.planner.compute(
                    job.uai, export, without_new(selection, new), options, reference_time
                )
            known = dict(seen or known)
        check_job(
            plan, automatic=job.type is JobType.AUTOMATIC,
            allow_mass_deletion=job.allow_mass_deletion,
        )
        self.jobs.store_plan(
            job.id, plan.actions, summary=plan.summary, known=known,
            people=people_document(plan), new_entities=new,
            ignored=[i.model_dump(mode="json") for i in IgnoredSession.all_of(plan)],
        )
        return plan


def stop_report(workers: Sequence[Worker]) -> str:
    """What `workers` did, for the one line a stopping process prints: how many jobs ended
    here, which went back to the queue."""
    finished = sum(w.finished for w in workers)
    released = [job_id for w in workers for job_id in w.released]
    back = (
        f"{len(released)} put back in the queue ({', '.join(released)})" if released
        else "none running"
    )
    return f"{finished} job(s) finished, {back}"
