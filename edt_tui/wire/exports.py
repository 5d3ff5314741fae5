"""An uploaded export's summary (§3.4), as `edt-tui inspect --json` prints it plus storage."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from edt_tui.wire.base import Wire


class ExportCounts(Wire):
    subjects: int
    teachers: int
    classes: int
    class_parts: int
    groups: int
    rooms: int
    students: int
    sessions: int


class ExportWarning(Wire):
    """One reader warning by code, case and quoted values, for wording it in another language
    (`warnings` holds the same in English, one string each)."""

    code: str
    case: str = ""
    line: int | None = None
    params: dict[str, str] = Field(default_factory=dict)
    message: str


class FileSummary(Wire):
    """What the file says about itself (§3.4): also in a refused upload's problem."""

    uai: str | None
    establishment_name: str | None
    software: str | None
    version: str | None
    exported_at: datetime | None
    import_id: str
    encrypted: bool
    key_present: bool
    partners: tuple[str, ...]
    school_year: str | None
    counts: ExportCounts
    warnings: tuple[str, ...]
    warning_details: tuple[ExportWarning, ...] = Field(
        default=(),
        description="the `warnings` by code and values (empty for an export stored by an "
        "older version)",
    )


class StoredExport(Wire):
    sha256: str
    file_name: str
    size: int
    uploaded_at: datetime


class ExportSummary(FileSummary, StoredExport):
    """The seed's §3.4 screen, as `edt-tui inspect --json` prints it, plus storage fields."""
