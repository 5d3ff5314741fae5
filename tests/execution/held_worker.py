"""The real `edt-tui` CLI in a process of its own, its workers held mid-job for the signal tests:
`python held_worker.py BATCH HOLD_AT edt-tui-arguments…` runs `edt-tui` with batches of BATCH
actions; once HOLD_AT batches have committed, a worker about to apply the next one says `held
before batch HOLD_AT` on stderr and waits (its `before_batch` hook) until it is asked to stop —
by a signal. So a signal sent once that line is seen lands mid-job on every machine, never
racing the worker; the held batch is the one in progress when the signal comes."""

from __future__ import annotations

import functools
import sys
from typing import Any

from edt_tui.cli import main
from edt_tui.service import worker as worker_module
from edt_tui.service.job_records import Job
from edt_tui.service.worker import Worker

WAIT_SECONDS = 120.0
"""Longer than any test waits for the line; a held worker never signalled fails loudly."""


def held_at(at: int, worker: Worker, job: Job, applied: int) -> None:
    if applied == at:
        print(f"held before batch {at}", file=sys.stderr, flush=True)
        if not worker.stopping.wait(WAIT_SECONDS):
            raise RuntimeError("held_worker: no stop signal came")


def hold(batch: int, at: int) -> None:
    """Every worker this process builds (`edt-tui worker`'s, `serve`'s) holds at batch `at`."""
    worker_module.DEFAULT_BATCH = batch
    init = Worker.__init__

    def held_init(self: Worker, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self.before_batch = functools.partial(held_at, at, self)

    Worker.__init__ = held_init  # type: ignore[method-assign]


if __name__ == "__main__":
    hold(int(sys.argv[1]), int(sys.argv[2]))
    raise SystemExit(main(sys.argv[3:]))
