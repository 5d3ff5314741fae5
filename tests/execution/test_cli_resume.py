"""`edt-tui import --resume JOB --wait` works whatever state the job is in when it runs.

Right after a crash the job may be running (its dead worker's lease not yet checked),
interrupted, or already back in the queue — the worker's own recovery can requeue it between the
command's read and its resume. Each state is prepared through the real job store.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from edt_tui.cli import main
from edt_tui.client.client import EntClient
from edt_tui.service.job_failures import FailureCode
from edt_tui.service.jobs import JobStore
from edt_tui.service.vocabulary import JobStatus
from edt_tui.storage.sql_store import open_store
from tests.service.conftest import UAI_A, seed
from tests.service.exports_builder import plain_export

LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def queued(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """A job of a small export, queued (no worker ran)."""
    store = open_store()
    seed(store)
    # The seeded course is not in this export: deleting it is not what these tests check.
    store.update_establishment(UAI_A, max_deletion_percent=100)
    store.close()
    export = tmp_path / "export.xml"
    export.write_bytes(plain_export(UAI_A))
    assert main(["import", str(export), "--uai", UAI_A]) == 0
    out = capsys.readouterr().out
    return out.split()[1]


def _with_jobs(action: Callable[[JobStore], Any]) -> None:
    store = open_store()
    try:
        action(JobStore(store))
    finally:
        store.close()


def _claimed_by_a_dead_worker(jobs: JobStore) -> None:
    """Claimed long ago by a worker that died: its lease is long past."""
    assert JobStore(jobs.store, clock=lambda: LONG_AGO).claim("dead") is not None


def _interrupted(jobs: JobStore) -> None:
    _claimed_by_a_dead_worker(jobs)
    assert len(jobs.reclaim_expired(requeue=False)) == 1


def _failed(code: FailureCode, reason: str) -> Callable[[JobStore], None]:
    def fail(jobs: JobStore) -> None:
        job = jobs.claim("w1")
        assert job is not None
        jobs.finish(job, "w1", status=JobStatus.ERROR, reason=reason, code=code)

    return fail


def resume(capsys: pytest.CaptureFixture[str], job_id: str) -> tuple[int, str, str]:
    code = main(["import", "--uai", UAI_A, "--resume", job_id, "--wait"])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "prepare",
    [
        lambda jobs: None,
        _claimed_by_a_dead_worker,
        _interrupted,
        _failed(FailureCode.DISK_FULL, "Disque plein : libérez de la place"),
    ],
    ids=["queued", "running-after-a-crash", "interrupted", "disk-full"],
)
def test_resume_follows_the_job_to_its_end(
    queued: str, capsys: pytest.CaptureFixture[str], prepare: Callable[[JobStore], Any]
) -> None:
    _with_jobs(prepare)
    code, out, err = resume(capsys, queued)
    assert code == 0, err
    assert f"job {queued} " in out and "Status: done (Fait)" in out


def test_resume_when_the_worker_requeued_it_meanwhile(
    queued: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read interrupted, requeued by a worker's own recovery before the command resumes it."""
    _with_jobs(_interrupted)
    get_job = EntClient.get_job

    async def then_requeued(self: EntClient, uai: str, job_id: str) -> Any:
        job = await get_job(self, uai, job_id)
        if job.status == "interrupted":
            _with_jobs(lambda jobs: jobs.resume(uai, job_id))
        return job

    monkeypatch.setattr(EntClient, "get_job", then_requeued)
    code, out, err = resume(capsys, queued)
    assert code == 0, err
    assert "Status: done (Fait)" in out


def test_resume_of_a_done_job_prints_its_recap(
    queued: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert resume(capsys, queued)[0] == 0
    code, out, _ = resume(capsys, queued)
    assert code == 0 and "Status: done (Fait)" in out and "Tasks done: " in out


@pytest.mark.parametrize(
    ("prepare", "said"),
    [
        (_failed(FailureCode.INVALID, "selection version 9 is gone"),
         "ended error (Erreur): selection version 9 is gone; it cannot be resumed"),
        (lambda jobs: jobs.cancel(UAI_A, jobs.queued()[0].id),
         "ended refused (Refusé): cancelled by an admin"),
    ],
    ids=["error", "cancelled"],
)
def test_resume_of_a_job_that_cannot_run_again_says_why(
    queued: str, capsys: pytest.CaptureFixture[str], prepare: Callable[[JobStore], Any],
    said: str,
) -> None:
    _with_jobs(prepare)
    code, out, err = resume(capsys, queued)
    assert code == 2 and out == ""
    assert said in err and "queue the export again" in err
