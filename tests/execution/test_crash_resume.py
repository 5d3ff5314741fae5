"""`kill -9` of a real worker process in the middle of the demo's import, then resume.

The killed worker's id names this host and the restarted service's own pid — a container
restarted with `serve` as PID 1 — so only its expired lease can tell it is dead."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from edt_tui.engine.apply import apply_actions
from edt_tui.engine.model import ActionType, EntState
from edt_tui.engine.selection import Selection
from edt_tui.service.jobs import RESUMED
from edt_tui.service.planning import PlanOptions
from edt_tui.service.vocabulary import JobStatus, JobType
from edt_tui.storage.action_batches import OF_JOB
from edt_tui.storage.sql_store import SqlStore
from tests.execution.conftest import DEMO_EXPORT, DEMO_KEY, DEMO_UAI, T0, Env, run_until_ended

EMPTY = EntState(courses={}, memberships=frozenset(), events={})
WORKER = Path(__file__).with_name("worker_process.py")
BATCH = 100


def _successes(store: SqlStore, job_id: str) -> int:
    with store.database.snapshot() as conn:
        row = conn.execute(
            f"SELECT COUNT(*) FROM job_actions WHERE {OF_JOB} AND status = 'success'", (job_id,)
        ).fetchone()
    return int(row[0])


async def test_killed_mid_way_then_resumed_equals_an_uninterrupted_run(
    demo: Env, database_url: str,
) -> None:
    store, jobs = demo.store, demo.services.jobs
    record = demo.services.intake.accept(store, DEMO_UAI, DEMO_EXPORT.read_bytes(), "demo.xml")
    version = store.save_selection(DEMO_UAI, {"format": 1})
    at = datetime.fromisoformat(T0)
    expected = demo.services.planner.compute(
        DEMO_UAI, demo.services.planner.export(DEMO_UAI, record.sha256), Selection.default(),
        PlanOptions(), at,
    )
    total = len(expected.actions)
    job = jobs.enqueue(
        DEMO_UAI, type=JobType.MANUAL, export_sha256=record.sha256, selection_version=version,
        reference_time=at,
    )

    same_pid = f"{socket.gethostname()}:{os.getpid()}:before-the-restart"
    batches = total // 4 // BATCH
    assert batches >= 1
    killed = subprocess.run(  # SIGKILL right after its `batches`-th batch has committed
        [sys.executable, str(WORKER), database_url, str(DEMO_KEY), str(BATCH), same_pid,
         str(batches)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=300, check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]
    assert _successes(store, job.id) == batches * BATCH < total
    crashed = jobs.get(job.id)
    assert crashed is not None and crashed.status is JobStatus.RUNNING
    with store.database.snapshot() as conn:
        worker_id, lease_until = conn.execute(
            "SELECT worker_id, lease_until FROM import_jobs WHERE id = ?", (job.id,)
        ).fetchone()
    assert worker_id == same_pid
    demo.clock.now = datetime.fromisoformat(lease_until)
    assert (await demo.job(job.id))["status"] == "running"  # its lease still runs: left alone
    demo.clock.now += timedelta(microseconds=1)

    # Once the lease is past, the restarted worker puts the job back in the queue by itself.
    await run_until_ended(demo.services.worker, job.id)
    final = await demo.job(job.id)
    assert final["status"] == "done", final
    assert final["reason"] == RESUMED and final["pending"] == 0
    assert final["tasks_done"] == total and final["errors"] == 0

    state = store.ent_state(DEMO_UAI, expected.school_year)
    reference = apply_actions(EMPTY, expected.actions)
    assert state.courses == reference.courses
    assert state.memberships == reference.memberships
    assert state.events == reference.events
    with store.database.snapshot() as conn:
        events = conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        nodes = conn.execute(
            "SELECT COUNT(*) FROM hierarchy_nodes WHERE course_key IS NOT NULL"
        ).fetchone()[0]
    assert events == len(reference.events)
    assert nodes == sum(1 for a in expected.actions if a.type is ActionType.CREATE_COURSE)

    again = await demo.http.post(f"{demo.est()}/jobs/{job.id}/resume")
    assert again.status_code == 409  # only an interrupted job can be resumed
