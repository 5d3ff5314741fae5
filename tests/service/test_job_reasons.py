"""Why a job stopped, as a reason the clients word: failures, the guards' refusals, refused
undos; and a row recorded before failures kept their parameters reads as no reason."""

from __future__ import annotations

from datetime import UTC, datetime

from edt_tui.errors import EdtTuiError
from edt_tui.reasons import Reason, ReasonCode, english, french
from edt_tui.service.job_failures import FailureCode, failure_of
from edt_tui.service.job_records import Job
from edt_tui.service.vocabulary import JobStatus, JobType, RefusalCode, UndoRefusal

NOW = datetime(2026, 12, 5, 7, 0, tzinfo=UTC)


def job(code: FailureCode | RefusalCode | UndoRefusal, params: dict[str, object]) -> Job:
    return Job(
        id="j1", uai="0490856P", type=JobType.MANUAL, status=JobStatus.ERROR, created_at=NOW,
        started_at=NOW, finished_at=NOW, reference_time=NOW, export_sha256=None,
        selection_version=None, reason="as recorded", outcome=None, seq=1, queue_position=None,
        reason_code=code, reason_params=params,
    )


def test_a_bug_is_an_internal_failure_naming_the_exception() -> None:
    failure = failure_of(RuntimeError("boom"))
    assert failure.code is FailureCode.INTERNAL
    assert failure.why == Reason(ReasonCode.INTERNAL, {"error": "RuntimeError: boom"})
    assert failure.reason == "Erreur interne : RuntimeError: boom"
    assert english(failure.why) == "internal error (RuntimeError: boom)"


def test_an_unplannable_job_keeps_the_error_message() -> None:
    failure = failure_of(EdtTuiError("selection version 9 is gone"))
    assert failure.code is FailureCode.INVALID
    assert failure.reason == "Import impossible : selection version 9 is gone"


def test_a_long_cause_is_cut() -> None:
    failure = failure_of(RuntimeError("x" * 2000))
    assert len(str(failure.why.params["error"])) == 400 and len(failure.reason) <= 500


def test_a_failure_reads_back_from_its_stored_code_and_parameters() -> None:
    stored = job(FailureCode.STORAGE, {"error": "database is locked"})
    assert stored.why() == Reason(ReasonCode.STORAGE, {"error": "database is locked"})
    assert job(FailureCode.DISK_FULL, {}).why() == Reason(ReasonCode.DISK_FULL)


def test_a_failure_recorded_without_its_parameters_has_no_reason() -> None:
    assert job(FailureCode.STORAGE, {}).why() is None


def test_a_refused_undo_names_the_job_in_the_way_in_the_establishment_zone() -> None:
    stored = job(UndoRefusal.NEWER_IMPORT, {"job_id": "j2", "created_at": NOW.isoformat()})
    why = stored.why("America/Cayenne")
    assert why == Reason(ReasonCode.UNDO_NEWER_IMPORT, {"date": "05/12/2026 04:00"})
    assert french(why) == "Annulez d'abord l'import du 05/12/2026 04:00"


def test_a_mass_deletion_reads_its_counts_from_the_guard_document() -> None:
    guard = {
        "mass_deletion": True, "threshold_percent": 20, "top_courses": [],
        "memberships": {"deleted": 1200, "total": 4000, "percent": 30.0},
        "events": {"deleted": 0, "total": 100, "percent": 0.0},
    }
    why = job(RefusalCode.MASS_DELETION, guard).why()
    assert why is not None
    assert french(why) == (
        "Suppression massive refusée : 1\u202f200 appartenances sur 4\u202f000 (30 %) et "
        "0 évènements à venir sur 100 (0 %) seraient supprimés, au-delà du seuil de 20 %"
    )
    assert english(why).startswith(
        "mass deletion refused: 1200 of 4000 memberships (30.0 %) and 0 of 100 future events"
    )


def test_every_stored_code_is_a_reason_code() -> None:
    """`import_jobs.reason_code` values are reason codes: the clients word them by `why`."""
    for kind in (FailureCode, RefusalCode, UndoRefusal):
        for code in kind:
            assert ReasonCode(code.value)


def test_a_job_without_a_code_says_why_by_its_outcome_or_its_status() -> None:
    from dataclasses import replace

    from edt_tui.service.jobs import CANCELLED, RESUMED, STOPPED
    from edt_tui.service.vocabulary import JobOutcome

    plain = replace(job(FailureCode.INTERNAL, {}), reason_code=None)
    cancelled = replace(plain, status=JobStatus.REFUSED, outcome=JobOutcome.CANCELLED)
    assert cancelled.why() == Reason(ReasonCode.CANCELLED)
    assert french(Reason(ReasonCode.CANCELLED)) == CANCELLED
    noop = replace(plain, status=JobStatus.DONE, outcome=JobOutcome.NOOP)
    assert english(noop.why() or Reason(ReasonCode.RESUMED)) == (
        "same file as the previous import: nothing to do"
    )
    interrupted = replace(plain, status=JobStatus.INTERRUPTED, reason=STOPPED)
    assert interrupted.why() == Reason(ReasonCode.STOPPED)
    assert replace(plain, status=JobStatus.QUEUED, reason=RESUMED).why() is None
