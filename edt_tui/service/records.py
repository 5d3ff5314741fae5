"""What the store returns: frozen rows of the ENT import service, independent of the backend.

The engine's own values (`EntState`, `Action`, `DirectoryUser`…) are reused where they fit; these
records add what only the service knows (establishment settings, timestamps, provenance).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from edt_tui.engine.model import AudienceKind, CourseOrigin, Profile, Role, UserSource

T = TypeVar("T")

DEFAULT_TIMEZONE = "Europe/Paris"
DEFAULT_DAILY_QUOTA = 4
DEFAULT_FREEZE_MINUTES = 0
DEFAULT_MAX_DELETION_PERCENT = 20
INTEGRATION_AUTHOR = "Intégration"
"""`Créé par` of every course an import creates (§4.3)."""


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list: `next` is the offset of the following page, None on the last one."""

    items: tuple[T, ...]
    total: int
    offset: int
    limit: int

    @property
    def next(self) -> int | None:
        after = self.offset + len(self.items)
        return after if after < self.total and self.items else None


class TokenRole(StrEnum):
    ADMIN = "admin"
    """Administrator of one establishment: sees and changes only that UAI."""
    PLATFORM = "platform"
    """Platform administrator: every establishment."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a token's role and establishment (None for platform admins)."""

    role: TokenRole
    uai: str | None = None
    label: str = ""

    def can_access(self, uai: str) -> bool:
        return self.role is TokenRole.PLATFORM or self.uai == uai

    def __str__(self) -> str:
        return "platform" if self.role is TokenRole.PLATFORM else f"admin:{self.uai}"


@dataclass(frozen=True, slots=True)
class Establishment:
    uai: str
    name: str
    timezone: str = DEFAULT_TIMEZONE
    daily_quota: int = DEFAULT_DAILY_QUOTA
    push_secret: str = field(default="", repr=False)
    freeze_minutes: int = DEFAULT_FREEZE_MINUTES
    """Events starting within this many minutes after T are never touched by an import."""
    max_deletion_percent: int = DEFAULT_MAX_DELETION_PERCENT
    """An import deleting more than this share of memberships or future events is refused."""


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A directory user with the establishment it belongs to and its PRONOTE link, if any."""

    uai: str
    sync_id: str
    profile: Profile
    last_name: str
    first_name: str
    birth_date: date | None
    cas_login: str | None
    source: UserSource
    idpn: str | None = None
    link_method: str | None = None
    link_validated_by: str | None = None
    linked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SubjectRecord:
    uai: str
    name: str
    code: str | None = None


@dataclass(frozen=True, slots=True)
class ClassRecord:
    uai: str
    name: str


@dataclass(frozen=True, slots=True)
class ExportRecord:
    """An uploaded export, stored once by its SHA-256, with the summary shown in §3.4."""

    sha256: str
    uai: str
    file_name: str
    import_id: str
    size: int
    uploaded_at: datetime
    summary: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class CourseRecord:
    key: str
    uai: str
    school_year: str
    label: str
    subject: str
    audience_kind: AudienceKind
    audience_name: str
    origin: CourseOrigin
    created_by: str
    created_at: datetime
    updated_at: datetime
    last_visit_at: datetime | None
    participants: int = 0


@dataclass(frozen=True, slots=True)
class MembershipRecord:
    key: str
    course_key: str
    user: str
    role: Role
    created_at: datetime


@dataclass(frozen=True, slots=True)
class EventRecord:
    key: str
    course_key: str
    start: datetime
    end: datetime
    title: str
    rooms: tuple[str, ...]
    teachers: tuple[str, ...]
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class HierarchyNode:
    """`Cours <year>` roots (no course) and one child per integration course."""

    key: str
    uai: str
    school_year: str
    title: str
    parent_key: str | None
    course_key: str | None


@dataclass(frozen=True, slots=True)
class DirectoryLoad:
    """One `ent load`: what each contract file holds, written in one transaction."""

    establishments: tuple[Establishment, ...] = ()
    users: tuple[UserRecord, ...] = ()
    subjects: tuple[SubjectRecord, ...] = ()
    classes: tuple[ClassRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class AccountMove:
    """A sync id already held by `from_uai`, now loaded under `to_uai`."""

    sync_id: str
    from_uai: str
    to_uai: str
