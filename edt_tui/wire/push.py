"""PRONOTE's automatic pushes: the answer to a push, and the automatic-import status."""

from __future__ import annotations

from pydantic import Field

from edt_tui.wire.base import Timestamp, Wire


class PushAnswer(Wire):
    """202 with the queued automatic job, or 200 for a file identical to the last import."""

    job_id: str | None
    status: str | None
    detail: str


class ManualImport(Wire):
    job_id: str
    finished_at: Timestamp | None
    selection_version: int | None


class PushEntry(Wire):
    received_at: Timestamp
    outcome: str = Field(description="`accepted`, `refused` or `noop`")
    outcome_label: str
    reason: str | None
    job_id: str | None
    attempts: int | None = Field(description="wrong push URLs counted in this hour's entry")


class AutomaticStatus(Wire):
    """The push URL, today's quota use, the last pushes, and whether pushes can be accepted."""

    uai: str
    push_path: str
    push_url: str
    daily_quota: int
    used_today: int
    manual_import: ManualImport | None = Field(description="the last manual import done")
    refusal: str | None = Field(description="why pushes are refused now (no manual import)")
    pushes: tuple[PushEntry, ...]
