"""The import worker: takes queued jobs one by one and runs them against the ENT.

It lives in the service's lifespan (embedded mode and `edt-tui serve`); several workers — in one
process or several — are safe because claiming is atomic (`JobStore.claim`). A job runs from
claim to recap in one thread (`run_in_executor`, the store gives each thread its own SQLite
connection) so the event loop keeps answering requests. A job runs in steps:

1. plan (once): the manual job's saved selection, or for an automatic job the last manual
   selection with every entity it had not seen deactivated; all actions stored, pending;
2. batches of `batch_size` pending actions in execution order (courses and hierarchy nodes →
   memberships → events), each batch one transaction with the outcomes;
3. finish: the recap frozen, the IDPN links stored.

On start the worker marks the jobs of dead workers (crash, `kill -9`) `interrupted` and, unless
`auto_resume` is off, puts them straight back in the queue at their place (reason "Repris après
une interruption"): they continue from their pending actions. With `auto_resume` off they stay
`interrupted` until `POST …/jobs/{id}/resume` (`edt-tui import --resume ID`). On a graceful stop
(Ctrl-C, SIGTERM, the end of an embedded command, quitting the TUI) the running job goes back to
the queue and continues the next time a worker runs.

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
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from edt_tui.engine.model import Action
from edt_tui.engine.plan import Plan
from edt_tui.errors import EdtTuiError
from edt_tui.pronote.errors import ExportError
from edt_tui.service.jobs import Job, JobStateError, JobStore, this_worker_id
from edt_tui.service.planning import (
    Planner,
    known_entities,
    new_entities,
    parse_selection_document,
    people_document,
    without_new,
)
from edt_tui.service.vocabulary import JobStatus, JobType

log = logging.getLogger("edt_tui.worker")
T = TypeVar("T")
Batch = Sequence[tuple[int, Action]]
DEFAULT_BATCH = 2000
SWEEP_SECONDS = 30.0
"""How often a worker looks for jobs of dead workers (besides at start)."""


class Worker:
    def __init__(
        self, jobs: JobStore, planner: Planner, *, batch_size: int | None = None,
        poll_seconds: float = 1.0, worker_id: str | None = None,
        auto_resume: bool = True,
    ) -> None:
        self.jobs = jobs
        self.planner = planner
        self.batch_size = batch_size or DEFAULT_BATCH
        self.poll_seconds = poll_seconds
        self.worker_id = worker_id or this_worker_id()
        self.auto_resume = auto_resume
        self.wakeup = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop = threading.Event()

    def notify(self) -> None:
        """A job was queued: look now rather than at the next poll (callable from any thread)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.wakeup.set)

    async def run(self) -> None:
        """Forever (until cancelled); an unexpected failure is logged and the loop goes on."""
        self._loop = asyncio.get_running_loop()
        self._stop.clear()
        next_sweep = 0.0
        while True:
            if self._loop.time() >= next_sweep:
                await self._in_thread(self.recover)
                next_sweep = self._loop.time() + SWEEP_SECONDS
            try:
                ran = await self.run_once()
            except Exception:  # the store is unreachable, a bug: keep serving
                log.exception("import worker: unexpected error")
                ran = False
            if not ran:
                self.wakeup.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wakeup.wait(), self.poll_seconds)

    async def run_once(self) -> bool:
        """Claim and run one job to its end (or to a stop); False when nothing was claimed."""
        self._stop.clear()
        return await self._in_thread(self._run_one)

    async def _in_thread(self, fn: Callable[[], T]) -> T:
        """`fn` in a thread, never abandoned: on cancellation, ask it to stop between batches,
        wait until it has returned, then let the cancellation through."""
        future = asyncio.get_running_loop().run_in_executor(None, fn)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            self._stop.set()
            while not future.done():
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait((future,))
            if not future.cancelled() and future.exception() is not None:
                log.error("import worker: failed while stopping", exc_info=future.exception())
            raise

    def recover(self) -> None:
        """Jobs of dead workers: interrupted, then (by default) back in the queue.

        Run when a worker starts, and before the history is read (`GET …/jobs`), so that a job
        whose process was killed never shows as running to a command that runs no worker.
        """
        try:
            for job_id in self.jobs.interrupt_dead():
                log.warning("job %s was interrupted by a crash", job_id)
                job = self.jobs.get(job_id)
                if self.auto_resume and job is not None:
                    self.jobs.resume(job.uai, job_id)
        except Exception:
            log.exception("import worker: cannot check for interrupted jobs")

    def _run_one(self) -> bool:
        """In the thread: claim a job and run it; a stop puts it back in the queue."""
        if self._stop.is_set():
            return False
        job = self.jobs.claim(self.worker_id)
        if job is None:
            return False
        try:
            completed = self._execute(job)
        except JobStateError as exc:
            log.warning("job %s: %s", job.id, exc)
            return True
        except Exception as exc:
            log.exception("job %s failed", job.id)
            self.jobs.finish(
                job, self.worker_id, status=JobStatus.ERROR,
                reason=f"Erreur interne : {type(exc).__name__}: {exc}"[:500],
            )
            self._finished(job)
            return True
        if not completed:
            self.jobs.release(job.id, self.worker_id)
            log.info("job %s stopped between two batches, back in the queue", job.id)
        return True

    def _execute(self, job: Job) -> bool:
        """Plan (once), the batches, the recap; False when stopped before the end."""
        batches: Iterable[Batch]
        if not job.planned:
            try:
                plan = self._plan(job)
            except (EdtTuiError, ExportError) as exc:
                self.jobs.finish(job, self.worker_id, status=JobStatus.ERROR, reason=str(exc))
                self._finished(job)
                return True
            idpn_links = list(plan.idpn_links)
            # Fresh plan: every action is pending, in memory already (no need to decode them).
            numbered = list(enumerate(plan.actions))
            size = self.batch_size
            batches = (numbered[i:i + size] for i in range(0, len(numbered), size))
        else:
            people = self.jobs.people(job.id) or {}
            idpn_links = [(s, i) for s, i in people.get("idpn_links", ())]
            batches = iter(functools.partial(self.jobs.pending, job.id, self.batch_size), [])
        for batch in batches:
            if self._stop.is_set():
                return False
            self.jobs.apply_batch(job, batch, self.worker_id)
        self.jobs.finish(job, self.worker_id, status=JobStatus.DONE, idpn_links=idpn_links)
        self._finished(job)
        return True

    def _finished(self, job: Job) -> None:
        """The ENT changed: plans cached for the wizard are stale."""
        log.info("job %s of %s finished", job.id, job.uai)
        self.planner.invalidate()

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
        self.jobs.store_plan(
            job.id, plan.actions, summary=plan.summary, known=known,
            people=people_document(plan), new_entities=new,
        )
        return plan
