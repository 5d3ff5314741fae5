"""The import side of one service instance: job store, planner, worker, push clock.

`install_imports(app, store)` (called by `create_app`) builds it once per app and makes it
reachable from routes (`imports_of(request)`) and from the lifespan's background task
(`run_worker(store)`, registered by `edt_tui.assembly.background_tasks`).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from fastapi import Request

from edt_tui.service.api.problems import Problem
from edt_tui.service.exports import ExportIntake
from edt_tui.service.jobs import DEFAULT_LEASE, JobStore
from edt_tui.service.planning import Planner
from edt_tui.service.store import Store
from edt_tui.service.vocabulary import JobStatus
from edt_tui.service.worker import Worker
from edt_tui.storage.clock import utcnow
from edt_tui.storage.sql_store import SqlStore

ENT_CHANGING_ENDS = (JobStatus.DONE, JobStatus.ERROR, JobStatus.INTERRUPTED)
"""How a job that applied batches ends (a refused job applied none)."""
_BY_STORE: weakref.WeakKeyDictionary[Store, ImportServices] = weakref.WeakKeyDictionary()


class ImportServices:
    def __init__(
        self, store: SqlStore, intake: ExportIntake, *, clock: Callable[[], datetime] = utcnow,
        batch_size: int | None = None, poll_seconds: float | None = None, auto_resume: bool = True,
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        self.store = store
        self.clock = clock
        self.jobs = JobStore(store, clock=clock, lease=lease)
        self.planner = Planner(
            store, intake, requests=store.plan_requests, ent_version=self.ent_version
        )
        kw: dict[str, Any] = {"poll_seconds": poll_seconds, "auto_resume": auto_resume}
        if batch_size is not None:
            kw["batch_size"] = batch_size
        self.worker = Worker(self.jobs, self.planner, **kw)
        self.intake = intake

    def ent_version(self, uai: str) -> tuple[str, str] | None:
        """The newest job of `uai` that may have changed its ENT and is over, with its status:
        a job ended by an `edt-tui worker` process makes the plans cached here stale (one index
        read per plan request; a worker in this process also empties the cache at once)."""
        job = self.jobs.last_job(uai, statuses=ENT_CHANGING_ENDS)
        return (job.id, job.status.value) if job is not None else None


def install_imports(app: Any, store: Store, **kw: Any) -> ImportServices | None:
    """Attach (or replace, e.g. with an injected clock in tests) the app's import services.

    A store other than SQLite (a test double) gets none: the import routes answer 503.
    """
    services = ImportServices(store, app.state.intake, **kw) if isinstance(
        store, SqlStore
    ) else None
    app.state.imports = services
    if services is not None:
        _BY_STORE[store] = services
    return services


def imports_of(request: Request) -> ImportServices:
    services: ImportServices | None = request.app.state.imports
    if services is None:
        raise Problem(503, "unavailable", "Imports unavailable", "this store cannot run imports")
    return services


async def run_worker(store: Store) -> None:
    """The lifespan's background task: the worker of the app built on `store` (if any)."""
    services = _BY_STORE.get(store)
    if services is not None:
        await services.worker.run()
