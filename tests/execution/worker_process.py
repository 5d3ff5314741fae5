"""A real worker process on a database, for the crash tests: `python worker_process.py
DATABASE_URL KEY BATCH WORKER_ID [KILL_AFTER]` runs one queued job as WORKER_ID and exits — or, with
KILL_AFTER, sends itself SIGKILL right after its KILL_AFTER-th batch has committed (a crash at a
chosen point, not a race with a timer)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from edt_tui.config import Settings
from edt_tui.service.exports import ExportIntake
from edt_tui.service.imports import ImportServices
from edt_tui.service.jobs import Job
from edt_tui.storage.sql_store import open_store


def kill_after(batches: int) -> Callable[[Job, int], None]:
    """The worker's `before_batch` hook that kills this process once `batches` have committed."""

    def before_batch(job: Job, applied: int) -> None:
        if applied == batches:
            os.kill(os.getpid(), signal.SIGKILL)

    return before_batch


def main(url: str, key: str, batch: str, worker_id: str, kill: str | None = None) -> None:
    store = open_store(url)
    intake = ExportIntake(Settings(private_key=Path(key)))
    services = ImportServices(store, intake, batch_size=int(batch))
    services.worker.worker_id = worker_id
    if kill is not None:
        services.worker.before_batch = kill_after(int(kill))
    asyncio.run(services.worker.run_once())
    store.close()


if __name__ == "__main__":
    main(*sys.argv[1:6])
