"""Words of the import history shared by the service, the CLI and the TUI (seed §3.12).

Codes are what the API and `history --json` carry; the French labels are what people read.
Nothing here imports more than the standard library and the engine's vocabulary.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any

from edt_tui.engine.model import ActionType


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

TYPE_LABELS: dict[JobType, str] = {JobType.MANUAL: "Manuel", JobType.AUTOMATIC: "Automatique"}

ACTION_LABELS: dict[ActionType, str] = {
    ActionType.CREATE_COURSE: "Création de cours",
    ActionType.CREATE_HIERARCHY_NODE: "Création de hiérarchie",
    ActionType.CREATE_MEMBERSHIP: "Création d'appartenance",
    ActionType.DELETE_MEMBERSHIP: "Suppression d'appartenance",
    ActionType.CREATE_EVENT: "Création d'évènement",
    ActionType.UPDATE_EVENT: "Mise à jour d'évènement",
    ActionType.DELETE_EVENT: "Suppression d'évènement",
}
"""The recap's rows, in execution order."""

FIRST_MANUAL_IMPORT_REQUIRED = "Un premier import manuel est nécessaire"


def person_line(person: Mapping[str, Any], profile: str) -> str:
    """An unreconciled person in the account check's text file (§4.2), one per line:
    `LAST<TAB>First`, plus `<TAB>DD/MM/YYYY` for students (`profile` "students")."""
    fields = [str(person["last_name"]), str(person["first_name"])]
    if profile == "students":
        born = person.get("birth_date")
        fields.append(date.fromisoformat(born).strftime("%d/%m/%Y") if born else "")
    return "\t".join(fields)
