"""`edt-tui worker`: import workers without HTTP, placed by an operator beside `serve --no-worker`.

`--concurrency N` runs N `Worker` loops in this one process, on one event loop; each runs its
job in a thread of its own (each transaction takes a connection: SQLite's of that thread,
PostgreSQL's from the process's pool). Threads, not processes, because a job's time goes to the
database (the driver releases the GIL while it waits) and one process shares what N workers
need once: the parsed exports and plans cache, the store and its pool, one signal handler that
stops all of them cleanly and one log. Planning is Python and the GIL serialises it: to use more
cores, start more `edt-tui worker` processes, on this host or others — claiming a job is atomic
in the database (`JobStore.claim`), so no two workers ever run the same job, whatever process
or host they are in. On SQLite the batches of all workers queue on the file's one write lock,
so one worker is usually enough there.

A first SIGINT or SIGTERM stops gracefully: every worker finishes (or rolls back) the batch in
progress, puts its running job back in the queue (`JobStore.release`, no lease left to expire)
and takes no other; the process then exits 0 after one line saying what happened. A second
signal exits at once: the running job's lease, no longer renewed, hands it back later.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from edt_tui.config import Settings
from edt_tui.service.exports import ExportIntake
from edt_tui.service.imports import ImportServices
from edt_tui.service.worker import Worker, stop_report
from edt_tui.storage.sql_store import SqlStore

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
log = logging.getLogger("edt_tui.worker")


def configure_worker_log(stream: object = None) -> None:
    """The workers' claims, batches, finishes and takeovers as timestamped lines on stderr."""
    logger = logging.getLogger("edt_tui")
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler.setFormatter(logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S%z"
    ))
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False


def build_workers(store: SqlStore, settings: Settings, concurrency: int) -> list[Worker]:
    """`concurrency` workers sharing one job store and one planner (its caches)."""
    services = ImportServices(
        store, ExportIntake(settings), lease=timedelta(seconds=settings.job_lease_seconds)
    )
    return [services.worker] + [
        Worker(services.jobs, services.planner) for _ in range(concurrency - 1)
    ]


async def _until_signal(workers: list[Worker]) -> str:
    """Run the workers until a stop signal (its name is returned) and they have all stopped."""
    loop = asyncio.get_running_loop()
    # Each worker holds at most a job thread and a lease renewal at once, plus the sweeps.
    loop.set_default_executor(ThreadPoolExecutor(2 * len(workers) + 2, "edt-tui-worker"))
    received: list[signal.Signals] = []
    stop = asyncio.Event()

    def on_signal(sig: signal.Signals) -> None:
        if received:
            print(f"edt-tui: worker: second {sig.name}, exiting now (a running job returns to "
                  "the queue when its lease ends)", file=sys.stderr, flush=True)
            os._exit(128 + sig.value)
        received.append(sig)
        log.info("%s received: stopping after the batches in progress", sig.name)
        stop.set()

    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, on_signal, sig)
    tasks = [asyncio.create_task(w.run(), name=f"worker-{i}") for i, w in enumerate(workers)]
    waiter = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
        for task in tasks:
            task.cancel()
        # A cancelled worker ends only once its job's thread has returned (`Worker._in_thread`).
        await asyncio.wait(tasks)
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            raise RuntimeError("an import worker ended unexpectedly") from task.exception()
    return received[0].name if received else "an unexpected end"


def run_workers(store: SqlStore, settings: Settings, *, concurrency: int, where: str) -> int:
    """Run until SIGINT/SIGTERM, then close the store; 0 after a graceful stop."""
    configure_worker_log()
    workers = build_workers(store, settings, concurrency)
    print(f"edt-tui: {concurrency} import worker(s) running on {where} (pid {os.getpid()})",
          file=sys.stderr, flush=True)
    try:
        cause = asyncio.run(_until_signal(workers))
    finally:
        store.close()
    print(f"edt-tui: worker stopped on {cause}: {stop_report(workers)}", file=sys.stderr,
          flush=True)
    return 0
