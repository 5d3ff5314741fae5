"""Words of the import history shared by the service, the CLI and the TUI (seed §3.12).

Codes are what the API and `history --json` carry; the French labels are what people read.
Nothing here imports more than the standard library, the engine's vocabulary and the reasons.
"""

from __future__ import annotations

from enum import StrEnum

from edt_tui.engine.model import ActionType
from edt_tui.reasons import PARAMS, Reason, ReasonCode


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    INTERRUPTED = "interrupted"
    ERROR = "error"
    REFUSED = "refused"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.DONE, JobStatus.ERROR, JobStatus.REFUSED)


class JobType(StrEnum):
    MANUAL = "manual"
    AUTOMATIC = "automatic"
    UNDO = "undo"
    """Restores the ENT as it was before an import (`undoes`), from what its actions replaced."""


class JobOutcome(StrEnum):
    """Why a finished job did nothing, beside its status."""

    NOOP = "noop"
    """An automatic push identical (SHA-256) to the previous import: recorded, not run."""
    SUPERSEDED = "superseded"
    """A queued automatic job replaced by a newer push before it started."""
    CANCELLED = "cancelled"
    """A queued job cancelled by an admin."""


STATUS_LABELS: dict[JobStatus, str] = {
    JobStatus.QUEUED: "En attente",
    JobStatus.RUNNING: "En cours",
    JobStatus.DONE: "Fait",
    JobStatus.INTERRUPTED: "Interrompu",
    JobStatus.ERROR: "Erreur",
    JobStatus.REFUSED: "Refusé",
}

TYPE_LABELS: dict[JobType, str] = {
    JobType.MANUAL: "Manuel", JobType.AUTOMATIC: "Automatique", JobType.UNDO: "Annulation",
}

ACTION_LABELS: dict[ActionType, str] = {
    ActionType.CREATE_COURSE: "Création de cours",
    ActionType.CREATE_HIERARCHY_NODE: "Création de hiérarchie",
    ActionType.CREATE_MEMBERSHIP: "Création d'appartenance",
    ActionType.DELETE_MEMBERSHIP: "Suppression d'appartenance",
    ActionType.CREATE_EVENT: "Création d'évènement",
    ActionType.UPDATE_EVENT: "Mise à jour d'évènement",
    ActionType.DELETE_EVENT: "Suppression d'évènement",
    ActionType.DELETE_HIERARCHY_NODE: "Suppression de hiérarchie",
    ActionType.DELETE_COURSE: "Suppression de cours",
}
"""The recap's rows, in execution order."""

FIRST_MANUAL_IMPORT_REQUIRED = "Un premier import manuel est nécessaire"


class UndoRefusal(StrEnum):
    """Why an import cannot be undone (`reason_code` of the 409 problem and of a refused undo);
    `reason_params` name the job in the way (`job_id`, `created_at`) when there is one."""

    BUSY = "busy"
    """A job of the establishment is queued, running, interrupted or stopped by a full disk."""
    NOT_AN_IMPORT = "not_an_import"
    """Not a finished import (a refused or no-op entry, an undo)."""
    ALREADY_UNDONE = "already_undone"
    NEWER_IMPORT = "newer_import"
    """A newer import has finished since: it must be undone first."""
    NOT_RECORDED = "not_recorded"
    """Applied by a version that did not record what its actions replaced."""


def undo_reason(code: UndoRefusal, date: str) -> Reason:
    """The reason of a refused undo; `date`: `local_minute` of the job in the way's creation."""
    why = ReasonCode(code.value)
    return Reason(why, {"date": date} if "date" in PARAMS[why] else {})


def local_minute(stamp: str, timezone: str) -> str:
    """`JJ/MM/AAAA HH:MM` in the establishment's time zone, as the history shows dates."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(stamp).astimezone(ZoneInfo(timezone)).strftime("%d/%m/%Y %H:%M")


class RefusalCode(StrEnum):
    """Why the worker refused a job after planning it (nothing applied); `reason_params` holds
    the counts (a mass deletion: the plan's `guard`); `guards.refusal_reason` makes the reason
    each client words, whose French is the history's `reason`."""

    RELINK_PENDING = "relink_pending"
    """An automatic import found PRONOTE ids regenerated: `{teachers, students}` to confirm."""
    MASS_DELETION = "mass_deletion"
    """More than the threshold deleted: the plan's `guard` document (counts, top courses)."""
