"""Selections, import jobs (the history entry and its detail), their actions, and the bodies
that create them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from edt_tui.wire.base import Timestamp, Wire, WireIn
from edt_tui.wire.plans import IgnoredSession, Why

FINISHED = frozenset({"done", "error", "refused", "interrupted"})


class SelectionIn(WireIn):
    selection: dict[str, Any] | None = Field(
        default=None,
        description="`Selection.to_dict()` (format 1); omitted = the default selection",
    )
    add_unknown_subjects: bool = False
    activate_unmatched_classes: bool = False


class JobIn(SelectionIn):
    export_sha256: str = Field(description="an export uploaded to this establishment")
    selection_version: int | None = Field(
        default=None, description="a saved selection version (instead of `selection`)"
    )
    reference_time: datetime | None = Field(default=None, description="T (default: now)")


class ImportJobIn(JobIn):
    allow_mass_deletion: bool = Field(
        False, description="confirm an import that deletes more than the establishment's "
        "`max_deletion_percent` (else 409 `/problems/mass-deletion` with the counts)",
    )


class UndoIn(WireIn):
    reference_time: datetime | None = Field(
        default=None,
        description="T (default now; without offset: the establishment's local time). Events "
        "starting before T (plus the freeze window) are left as they are.",
    )


class SelectionSaved(Wire):
    uai: str
    version: int


class SelectionVersion(Wire):
    uai: str
    version: int | None = Field(description="null before any selection is saved")
    selection: dict[str, Any] | None = Field(
        description="`Selection.to_dict()` plus its `options`"
    )


class Outcome(Wire):
    success: int
    error: int


class Progress(Wire):
    done: int
    total: int


class UndoneImport(Wire):
    id: str
    created_at: Timestamp


class ImportJob(Wire):
    """One history entry: the contract's fields (`history --json`) first, then what the TUI
    shows."""

    id: str
    type: str = Field(description="`manual`, `automatic` or `undo`")
    status: str = Field(
        description="`queued`, `running`, `done`, `error`, `refused` or `interrupted`"
    )
    queue_position: int | None
    created_at: Timestamp
    finished_at: Timestamp | None
    recap: dict[str, Outcome] | None = Field(description="per action type, once planned")
    reason: str | None
    reason_code: str | None = Field(description="why it stopped, for clients to word it")
    resumable: bool = Field(description="what `POST …/jobs/{id}/resume` accepts")
    status_label: str
    type_label: str
    outcome: str | None
    started_at: Timestamp | None
    reference_time: Timestamp | None
    export_sha256: str | None
    selection_version: int | None
    progress: Progress | None
    tasks_done: int
    errors: int
    pending: int
    summary: dict[str, int] | None
    undoes: UndoneImport | None = Field(description="for an undo, the import it reverts")
    reason_params: dict[str, Any] | None
    allow_mass_deletion: bool
    why: Why | None = Field(
        default=None, description="why it stopped, as a code and its parameters"
    )

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


class NewEntity(Wire):
    key: str
    label: str


class ImportJobDetail(ImportJob):
    """One job in full (`GET …/jobs/{id}` and the answers that create or change one)."""

    new_entities: dict[str, tuple[NewEntity, ...]] = Field(
        description="what an automatic import found that the last manual one did not see"
    )
    ignored_sessions: tuple[IgnoredSession, ...]
    ignored_total: int = Field(description="all of them; `ignored_sessions` keeps the first")
    action_labels: dict[str, str] = Field(description="action type → French label")


class JobAction(Wire):
    seq: int
    type: str
    label: str
    key: str
    status: str = Field(description="`pending`, `success` or `error`")
    error: str | None
