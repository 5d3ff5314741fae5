"""The real `edt-tui` CLI in a process of its own, its worker held mid-job for the signal tests:
`python held_worker.py BATCH HOLD_AFTER edt-tui-arguments…` runs `edt-tui` with batches of BATCH
actions; right after its HOLD_AFTER-th batch has committed, the worker says `held after batch
HOLD_AFTER` on stderr and waits — until it is asked to stop (a signal). So a signal sent once
that line is seen lands mid-job on every machine, never racing the worker."""

from __future__ import annotations

import sys
import threading
from typing import Any

from edt_tui.cli import main
from edt_tui.service import worker as worker_module
from edt_tui.service.jobs import JobStore
from edt_tui.service.worker import Worker


def hold(batch: int, after: int) -> None:
    worker_module.DEFAULT_BATCH = batch
    running = threading.local()  # the worker whose job runs in this thread
    run_one, apply_batch = Worker._run_one, JobStore.apply_batch
    done = 0

    def tracked_run_one(self: Worker) -> bool:
        running.worker = self
        return run_one(self)

    def held_apply_batch(self: JobStore, *args: Any, **kwargs: Any) -> int:
        nonlocal done
        errors = apply_batch(self, *args, **kwargs)
        done += 1
        if done == after:
            print(f"held after batch {after}", file=sys.stderr, flush=True)
            running.worker._stop.wait()
        return errors

    Worker._run_one = tracked_run_one  # type: ignore[method-assign]
    JobStore.apply_batch = held_apply_batch  # type: ignore[method-assign]


if __name__ == "__main__":
    hold(int(sys.argv[1]), int(sys.argv[2]))
    raise SystemExit(main(sys.argv[3:]))
