"""Typed results of the ENT client: frozen dataclasses built from the API's JSON."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

T = TypeVar("T")
Json = dict[str, Any]


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    total: int
    offset: int
    limit: int
    next: int | None
    """Offset of the next page, None on the last page."""

    @classmethod
    def from_json(cls, data: Json, item: Callable[[Json], T]) -> Page[T]:
        return cls(
            items=tuple(item(x) for x in data["items"]), total=data["total"],
            offset=data["offset"], limit=data["limit"], next=data.get("next"),
        )


@dataclass(frozen=True, slots=True)
class Health:
    status: str
    version: str
    schema_version: int
    queued: int | None = None
    """Jobs waiting for a worker, all establishments (None from a service without imports)."""
    running: int | None = None

    @classmethod
    def from_json(cls, d: Json) -> Health:
        return cls(d["status"], d["version"], d["schema_version"], d.get("queued"),
                   d.get("running"))


@dataclass(frozen=True, slots=True)
class Establishment:
    uai: str
    name: str
    timezone: str
    daily_quota: int

    @classmethod
    def from_json(cls, d: Json) -> Establishment:
        return cls(d["uai"], d["name"], d["timezone"], d["daily_quota"])


@dataclass(frozen=True, slots=True)
class EstablishmentSettings:
    uai: str
    name: str
    timezone: str
    daily_quota: int
    push_path: str
    """`/push/<uai>/<secret>`: append it to the service's URL for PRONOTE."""
    freeze_minutes: int = 0
    """Events starting less than this many minutes after T are never touched by an import."""
    max_deletion_percent: int = 20
    """Deleting more than this share of memberships or future events is a mass deletion."""

    @classmethod
    def from_json(cls, d: Json) -> EstablishmentSettings:
        return cls(
            d["uai"], d["name"], d["timezone"], d["daily_quota"], d["push_path"],
            int(d.get("freeze_minutes", 0)), int(d.get("max_deletion_percent", 20)),
        )


@dataclass(frozen=True, slots=True)
class DirectoryUser:
    uai: str
    sync_id: str
    profile: str
    last_name: str
    first_name: str
    birth_date: date | None
    cas_login: str | None
    source: str
    idpn: str | None
    link_method: str | None
    link_validated_by: str | None
    linked_at: datetime | None

    @property
    def reconciled(self) -> bool:
        return self.idpn is not None

    @classmethod
    def from_json(cls, d: Json) -> DirectoryUser:
        return cls(
            uai=d["uai"], sync_id=d["sync_id"], profile=d["profile"], last_name=d["last_name"],
            first_name=d["first_name"], birth_date=_date(d.get("birth_date")),
            cas_login=d.get("cas_login"), source=d["source"], idpn=d.get("idpn"),
            link_method=d.get("link_method"), link_validated_by=d.get("link_validated_by"),
            linked_at=_dt(d.get("linked_at")),
        )


@dataclass(frozen=True, slots=True)
class Subject:
    uai: str
    name: str
    code: str | None

    @classmethod
    def from_json(cls, d: Json) -> Subject:
        return cls(d["uai"], d["name"], d.get("code"))


@dataclass(frozen=True, slots=True)
class SchoolClass:
    uai: str
    name: str

    @classmethod
    def from_json(cls, d: Json) -> SchoolClass:
        return cls(d["uai"], d["name"])


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """The seed's §3.4 summary of an uploaded export (fields of `inspect --json`)."""

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
    partners: tuple[str, ...]
    school_year: str | None
    counts: dict[str, int]
    warnings: tuple[str, ...]
    warning_details: tuple[dict[str, Any], ...] = ()
    """The `warnings` by `code`, `case`, `line` and `params` (`ExportWarning.to_dict`)."""

    @classmethod
    def from_json(cls, d: Json) -> ExportSummary:
        return cls(
            sha256=d["sha256"], file_name=d["file_name"], size=d["size"],
            uploaded_at=datetime.fromisoformat(d["uploaded_at"]), uai=d.get("uai"),
            establishment_name=d.get("establishment_name"), software=d.get("software"),
            version=d.get("version"), exported_at=_dt(d.get("exported_at")),
            import_id=d["import_id"], encrypted=d["encrypted"], key_present=d["key_present"],
            partners=tuple(d.get("partners", ())), school_year=d.get("school_year"),
            counts=dict(d.get("counts", {})), warnings=tuple(d.get("warnings", ())),
            warning_details=tuple(dict(w) for w in d.get("warning_details", ())),
        )


@dataclass(frozen=True, slots=True)
class Course:
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
    def from_json(cls, d: Json) -> Course:
        return cls(
            key=d["key"], uai=d["uai"], school_year=d["school_year"], label=d["label"],
            subject=d["subject"], audience_kind=d["audience_kind"],
            audience_name=d["audience_name"], origin=d["origin"], created_by=d["created_by"],
            created_at=datetime.fromisoformat(d["created_at"]),
            updated_at=datetime.fromisoformat(d["updated_at"]),
            last_visit_at=_dt(d.get("last_visit_at")), participants=d["participants"],
        )


@dataclass(frozen=True, slots=True)
class Membership:
    key: str
    course_key: str
    user: str
    role: str
    created_at: datetime

    @classmethod
    def from_json(cls, d: Json) -> Membership:
        return cls(
            d["key"], d["course_key"], d["user"], d["role"], datetime.fromisoformat(d["created_at"])
        )


@dataclass(frozen=True, slots=True)
class Event:
    key: str
    course_key: str
    start: datetime
    end: datetime
    title: str
    rooms: tuple[str, ...]
    teachers: tuple[str, ...]
    updated_at: datetime

    @classmethod
    def from_json(cls, d: Json) -> Event:
        return cls(
            key=d["key"], course_key=d["course_key"], start=datetime.fromisoformat(d["start"]),
            end=datetime.fromisoformat(d["end"]), title=d["title"], rooms=tuple(d["rooms"]),
            teachers=tuple(d["teachers"]), updated_at=datetime.fromisoformat(d["updated_at"]),
        )


@dataclass(frozen=True, slots=True)
class HierarchyNode:
    key: str
    uai: str
    school_year: str
    title: str
    parent_key: str | None
    course_key: str | None

    @classmethod
    def from_json(cls, d: Json) -> HierarchyNode:
        return cls(
            d["key"], d["uai"], d["school_year"], d["title"], d.get("parent_key"),
            d.get("course_key"),
        )
