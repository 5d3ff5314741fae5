"""What the jobs repository returns: a job of the queue or history, one of its actions.

Frozen values independent of the backend (`edt_tui.storage.jobs` builds them from rows).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from edt_tui.dates import local_label, zone_named
from edt_tui.engine.model import IMPORT_ACTIONS, Action, ActionType
from edt_tui.reasons import Reason, ReasonCode
from edt_tui.service.guards import refusal_reason
from edt_tui.service.job_failures import RESUMABLE, FailureCode
from edt_tui.service.vocabulary import (
    JobOutcome,
    JobStatus,
    JobType,
    RefusalCode,
    UndoRefusal,
    undo_reason,
)

StoredCode = FailureCode | RefusalCode | UndoRefusal | ReasonCode
"""What `import_jobs.reason_code` holds: why a job failed, or why the guards or the undo rules
refused it; any other reason (a refused push) as its `ReasonCode`."""


def reason_code(value: str | None) -> StoredCode | None:
    """The stored reason code as its enum."""
    if not value:
        return None
    for kind in (RefusalCode, UndoRefusal, FailureCode):
        if value in kind._value2member_map_:
            return kind(value)
    return ReasonCode(value)


OUTCOME_REASONS: Mapping[JobOutcome, ReasonCode] = {
    JobOutcome.NOOP: ReasonCode.IDENTICAL_PUSH,
    JobOutcome.SUPERSEDED: ReasonCode.SUPERSEDED,
    JobOutcome.CANCELLED: ReasonCode.CANCELLED,
}
"""Why a finished job did nothing, by its outcome."""


def empty_recap() -> dict[str, dict[str, int]]:
    """The rows every recap shows (an undo's recap adds its course and node deletions)."""
    return {t.value: {"success": 0, "error": 0} for t in IMPORT_ACTIONS}


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    uai: str
    type: JobType
    status: JobStatus
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    reference_time: datetime | None
    export_sha256: str | None
    selection_version: int | None
    reason: str | None
    outcome: JobOutcome | None
    seq: int
    queue_position: int | None
    counters: Mapping[str, Any] = field(default_factory=dict)
    reason_code: StoredCode | None = None
    """Why it failed (`FailureCode`) or was refused by the guards (`RefusalCode`) or the undo
    rules (`UndoRefusal`), for clients to word; `reason_params` holds its parameters (`why`)."""
    reason_params: Mapping[str, Any] = field(default_factory=dict)
    allow_mass_deletion: bool = False
    """A manual import whose admin confirmed it may delete beyond the establishment's threshold."""
    undoes: str | None = None
    """For an undo: the import it reverts."""

    @property
    def resumable(self) -> bool:
        """Interrupted, or stopped by the machine (a full disk) rather than by the job."""
        return self.status is JobStatus.INTERRUPTED or (
            self.status is JobStatus.ERROR and self.reason_code in RESUMABLE
        )

    def why(self, timezone: str | None = None) -> Reason | None:
        """The reason, from the stored code and parameters, else from the outcome or the
        interrupted status; None otherwise (a resumed job, a running one), or for a failure
        recorded before failures kept their parameters (its `reason` says it).
        `timezone`: the establishment's, for the date a refused undo names."""
        if self.reason_code is None:
            if self.outcome is not None:
                return Reason(OUTCOME_REASONS[self.outcome])
            return Reason(ReasonCode.STOPPED) if self.status is JobStatus.INTERRUPTED else None
        code, params = self.reason_code, self.reason_params
        try:
            if isinstance(code, RefusalCode):
                return refusal_reason(code, params)
            if isinstance(code, UndoRefusal):
                stamp = params.get("created_at")
                return undo_reason(code, local_label(stamp, zone_named(timezone)) if stamp else "")
            if isinstance(code, FailureCode):
                return Reason(ReasonCode(code.value), params)
            if isinstance(code, ReasonCode):
                return Reason(code, params)
        except (KeyError, TypeError, ValueError):
            return None
        return None

    @property
    def planned(self) -> bool:
        return bool(self.counters.get("planned"))

    @property
    def total(self) -> int:
        return int(self.counters.get("total", 0))


@dataclass(frozen=True, slots=True)
class JobAction:
    seq: int
    type: ActionType
    key: str
    status: str
    error: str | None


@dataclass(frozen=True, slots=True)
class JobRef:
    """A job named in a message (the job in the way of an undo): its id and creation time."""

    id: str
    created_at: datetime


Numbered = tuple[int, Action]
"""An action and its place (`seq`) in its job's plan."""


@dataclass(frozen=True, slots=True)
class PushEntry:
    """One line of the push log (wrong secrets: one line per hour, `attempts` counting them)."""

    received_at: datetime
    outcome: str
    reason: str | None
    job_id: str | None
    attempts: int
