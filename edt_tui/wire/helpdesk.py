"""The helpdesk snapshot: what reproduces an establishment's import on another machine.

Its `job` is the history row as stored (timestamps as the database holds them) so a replay
restores it verbatim; `ent_actions` are `[type, key, payload]` with `action_codec` payloads.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from edt_tui.wire.base import Wire
from edt_tui.wire.directory import Establishment
from edt_tui.wire.exports import ExportSummary
from edt_tui.wire.plans import PlanSteps


class SnapshotUser(Wire):
    sync_id: str
    profile: str
    last_name: str
    first_name: str
    birth_date: str | None
    cas_login: str | None
    source: str
    idpn: str | None
    link_method: str | None
    link_validated_by: str | None


class SnapshotSubject(Wire):
    name: str
    code: str | None


class FailedAction(Wire):
    seq: int
    type: str
    key: str
    error: str | None
    payload: str


class JobRecord(Wire):
    id: str
    type: str
    status: str
    created_at: str
    started_at: str | None
    finished_at: str | None
    reference_time: str | None
    export_sha256: str | None
    selection_version: int | None
    reason: str | None
    reason_code: str | None
    outcome: str | None
    seq: int
    counters: dict[str, Any]
    known: dict[str, Any] | None
    people: dict[str, Any] | None
    selection: dict[str, Any] | None
    actions: dict[str, int]
    failed_actions: tuple[FailedAction, ...]


class SnapshotExport(Wire):
    summary: ExportSummary
    content_b64: str


class HelpdeskSnapshot(Wire):
    format: int
    establishment: Establishment
    users: tuple[SnapshotUser, ...]
    subjects: tuple[SnapshotSubject, ...]
    classes: tuple[str, ...]
    school_year: str | None
    ent_actions: tuple[tuple[str, str, str], ...]
    gaps: tuple[str, ...] = Field(description="what could not be rebuilt as it was")
    job: JobRecord | None = None
    plan: PlanSteps | None = Field(default=None, description="the plan the job computed")
    service_version: str
    export: SnapshotExport | None = None
