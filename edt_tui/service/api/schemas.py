"""JSON shapes of the API (pydantic): they make the OpenAPI document and validate bodies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from edt_tui.service.records import (
    MAX_FREEZE_MINUTES,
    ClassRecord,
    CourseRecord,
    Establishment,
    EventRecord,
    ExportRecord,
    HierarchyNode,
    MembershipRecord,
    Page,
    SubjectRecord,
    UserRecord,
)

T = TypeVar("T")
R = TypeVar("R")


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="items matching the filters, all pages together")
    offset: int
    limit: int
    next: int | None = Field(description="`offset` of the next page; null on the last page")


def page_out(page: Page[R], convert: Callable[[R], Any]) -> dict[str, Any]:
    return {
        "items": [convert(item) for item in page.items], "total": page.total,
        "offset": page.offset, "limit": page.limit, "next": page.next,
    }


class EstablishmentOut(BaseModel):
    uai: str
    name: str
    timezone: str
    daily_quota: int

    @classmethod
    def of(cls, e: Establishment) -> EstablishmentOut:
        return cls(uai=e.uai, name=e.name, timezone=e.timezone, daily_quota=e.daily_quota)


class SettingsIn(BaseModel):
    """Settings of an establishment; absent fields are kept. `timezone` and `daily_quota` are
    platform policy; the import guards are the establishment admin's."""

    model_config = ConfigDict(extra="forbid")
    timezone: str | None = Field(default=None, min_length=1, max_length=64,
                                 description="IANA zone, e.g. Europe/Paris")
    daily_quota: int | None = Field(default=None, ge=0, le=96,
                                    description="automatic imports accepted per day")
    freeze_minutes: int | None = Field(
        default=None, ge=0, le=MAX_FREEZE_MINUTES, strict=True,
        description="events starting less than this many minutes after T are never created, "
        "changed or deleted (0: only past events are)",
    )
    max_deletion_percent: int | None = Field(
        default=None, ge=0, le=100, strict=True,
        description="an import deleting more than this share of the import-created "
        "memberships or of the future events is a mass deletion (refused unless confirmed)",
    )


class EstablishmentSettingsOut(EstablishmentOut):
    push_path: str = Field(description="where PRONOTE pushes automatic exports (POST or PUT)")
    freeze_minutes: int = Field(description="freeze window after T, in minutes")
    max_deletion_percent: int = Field(description="mass-deletion threshold, in percent")


class UserOut(BaseModel):
    uai: str
    sync_id: str
    profile: str
    last_name: str
    first_name: str
    birth_date: date | None
    cas_login: str | None
    source: str
    idpn: str | None = Field(description="PRONOTE id linked by an earlier import")
    link_method: str | None
    link_validated_by: str | None
    linked_at: datetime | None

    @classmethod
    def of(cls, u: UserRecord) -> UserOut:
        return cls(
            uai=u.uai, sync_id=u.sync_id, profile=u.profile.value, last_name=u.last_name,
            first_name=u.first_name, birth_date=u.birth_date, cas_login=u.cas_login,
            source=u.source.value, idpn=u.idpn, link_method=u.link_method,
            link_validated_by=u.link_validated_by, linked_at=u.linked_at,
        )


class SubjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    code: str | None = Field(default=None, max_length=50)


class SubjectOut(BaseModel):
    uai: str
    name: str
    code: str | None

    @classmethod
    def of(cls, s: SubjectRecord) -> SubjectOut:
        return cls(uai=s.uai, name=s.name, code=s.code)


class ClassOut(BaseModel):
    uai: str
    name: str

    @classmethod
    def of(cls, c: ClassRecord) -> ClassOut:
        return cls(uai=c.uai, name=c.name)


class ExportCounts(BaseModel):
    subjects: int
    teachers: int
    classes: int
    class_parts: int
    groups: int
    rooms: int
    students: int
    sessions: int


class ExportWarningOut(BaseModel):
    """One reader warning by code, case and quoted values, for wording it in another language
    (`warnings` holds the same in English, one string each)."""

    code: str
    case: str = ""
    line: int | None = None
    params: dict[str, str] = Field(default_factory=dict)
    message: str


class ExportSummaryOut(BaseModel):
    """The seed's §3.4 screen, as `edt-tui inspect --json` prints it, plus storage fields."""

    sha256: str
    file_name: str
    size: int
    uploaded_at: datetime
    uai: str | None
    establishment_name: str | None
    software: str | None
    version: str | None
    exported_at: datetime | None
    import_id: str
    encrypted: bool
    key_present: bool
    partners: list[str]
    school_year: str | None
    counts: ExportCounts
    warnings: list[str]
    warning_details: list[ExportWarningOut] = Field(default_factory=list)
    """The `warnings` by code and values (empty for an export stored by an older version)."""

    @classmethod
    def of(cls, record: ExportRecord) -> ExportSummaryOut:
        return cls(
            sha256=record.sha256, file_name=record.file_name, size=record.size,
            uploaded_at=record.uploaded_at, **dict(record.summary),
        )


class CourseOut(BaseModel):
    key: str
    uai: str
    school_year: str
    label: str
    subject: str
    audience_kind: str
    audience_name: str
    origin: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    last_visit_at: datetime | None
    participants: int

    @classmethod
    def of(cls, c: CourseRecord) -> CourseOut:
        return cls(
            key=c.key, uai=c.uai, school_year=c.school_year, label=c.label, subject=c.subject,
            audience_kind=c.audience_kind.value, audience_name=c.audience_name,
            origin=c.origin.value, created_by=c.created_by, created_at=c.created_at,
            updated_at=c.updated_at, last_visit_at=c.last_visit_at, participants=c.participants,
        )


class MembershipOut(BaseModel):
    key: str
    course_key: str
    user: str
    role: str
    created_at: datetime

    @classmethod
    def of(cls, m: MembershipRecord) -> MembershipOut:
        return cls(
            key=m.key, course_key=m.course_key, user=m.user, role=m.role.value,
            created_at=m.created_at,
        )


class EventOut(BaseModel):
    key: str
    course_key: str
    start: datetime
    end: datetime
    title: str
    rooms: list[str]
    teachers: list[str]
    updated_at: datetime

    @classmethod
    def of(cls, e: EventRecord) -> EventOut:
        return cls(
            key=e.key, course_key=e.course_key, start=e.start, end=e.end, title=e.title,
            rooms=list(e.rooms), teachers=list(e.teachers), updated_at=e.updated_at,
        )


class HierarchyNodeOut(BaseModel):
    key: str
    uai: str
    school_year: str
    title: str
    parent_key: str | None
    course_key: str | None

    @classmethod
    def of(cls, n: HierarchyNode) -> HierarchyNodeOut:
        return cls(
            key=n.key, uai=n.uai, school_year=n.school_year, title=n.title,
            parent_key=n.parent_key, course_key=n.course_key,
        )


class HealthOut(BaseModel):
    status: str
    version: str
    schema_version: int
    queued: int | None = None
    """Jobs waiting for a worker, all establishments (None: this store runs no imports)."""
    running: int | None = None
