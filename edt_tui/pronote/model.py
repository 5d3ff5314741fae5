"""Typed, immutable model of a PRONOTE/EDT timetable export.

Idents are opaque strings with one id space per element type (subject "2" and class "2" are
unrelated), exactly as the export format defines them. Collections are read-only mappings keyed by
ident, in file order, so lookups from sessions are O(1) and iteration order is reproducible.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeVar

K = TypeVar("K")
V = TypeVar("V")

DEFAULT_PARTNER = "ITSLEARNING"
"""The partner name (`PARTENAIRE/@NOM`) PRONOTE uses when exporting for this ENT."""


def frozen_map(items: Mapping[K, V] | None = None) -> Mapping[K, V]:
    """A read-only view over a fresh dict (the model is immutable once built)."""
    return MappingProxyType(dict(items or {}))


@dataclass(frozen=True, slots=True)
class EnvelopeSummary:
    """What the encrypted container says about itself, readable without the private key."""

    container_version: str | None
    software: str | None
    partners: tuple[str, ...]
    key_present: bool
    compressed: bool
    exported_at: datetime | None
    uai: str | None
    establishment_name: str | None
    postcode_city: str | None


@dataclass(frozen=True, slots=True)
class SchoolYear:
    start: date
    end: date
    week1_monday: date

    @property
    def label(self) -> str:
        """`2013-2014`: the form used in course keys and the `Cours <year>` hierarchy node."""
        return f"{self.start.year}-{self.end.year}"


@dataclass(frozen=True, slots=True)
class Slot:
    """One place of the daily grid; labels are authoritative (grids may have custom hours)."""

    number: int
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class TimeGrid:
    slots_per_day: int | None
    slot_minutes: int | None
    working_days: tuple[int, ...]
    slots: Mapping[int, Slot] = field(default_factory=frozen_map)


@dataclass(frozen=True, slots=True)
class Subject:
    ident: str
    code: str
    label: str


@dataclass(frozen=True, slots=True)
class Teacher:
    ident: str
    last_name: str
    first_name: str
    birth_date: date | None = None
    idpn: str | None = None
    idcas: str | None = None
    idsts: str | None = None
    postcode: str | None = None


@dataclass(frozen=True, slots=True)
class StaffMember:
    """`Personnels/Personnel` of newer exports (not in schema 1.1)."""

    ident: str
    last_name: str
    first_name: str
    idpn: str | None = None
    idcas: str | None = None


@dataclass(frozen=True, slots=True)
class SchoolClass:
    ident: str
    name: str
    part_idents: tuple[str, ...] = ()
    main_teacher_idents: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ClassPart:
    """A subset of one class's students, declared only under its `Classe` (§3)."""

    ident: str
    class_ident: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Group:
    """A union of whole classes, class parts and (newer files) students listed directly."""

    ident: str
    name: str
    class_idents: tuple[str, ...] = ()
    part_idents: tuple[str, ...] = ()
    student_idents: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Room:
    ident: str
    name: str


@dataclass(frozen=True, slots=True)
class Equipment:
    ident: str
    name: str


@dataclass(frozen=True, slots=True)
class Guardian:
    ident: str
    rank: int | None
    last_name: str
    first_name: str
    civility: str | None = None
    idpn: str | None = None
    idcas: str | None = None


@dataclass(frozen=True, slots=True)
class DatedMembership:
    """A student's membership of a class or class part, dates inclusive (None = open)."""

    ident: str
    entered: date | None
    left: date | None

    def covers(self, day: date) -> bool:
        return (self.entered is None or self.entered <= day) and (
            self.left is None or day <= self.left
        )


@dataclass(frozen=True, slots=True)
class Student:
    ident: str
    last_name: str
    first_name: str
    birth_date: date | None = None
    sex: str | None = None
    ine: str | None = None
    idsconet: str | None = None
    idpn: str | None = None
    idcas: str | None = None
    id_etablissement: str | None = None
    postcode: str | None = None
    guardians: tuple[Guardian, ...] = ()
    class_memberships: tuple[DatedMembership, ...] = ()
    part_memberships: tuple[DatedMembership, ...] = ()


class ItemKind(StrEnum):
    """Kinds of child element a session (`Cours/Cours`) can carry, each with its own week mask."""

    TEACHER = "Professeur"
    STAFF = "Personnel"
    CLASS = "Classe"
    CLASS_PART = "PartieDeClasse"
    GROUP = "Groupe"
    ROOM = "Salle"
    EQUIPMENT = "Materiel"
    STUDENT = "Eleve"


@dataclass(frozen=True, slots=True)
class SessionItem:
    kind: ItemKind
    ident: str
    weeks: int
    """Week mask: bit i set = week i (bit 0 unused). From `Semaines` or `SemainesInclusion`."""

    def active_in(self, week: int) -> bool:
        return bool(self.weeks >> week & 1)


@dataclass(frozen=True, slots=True)
class Session:
    """One recurring weekly session (`Cours/Cours`)."""

    number: int
    """1-based position in the file: how the admin finds it again."""
    line: int | None
    day: int
    start_slot: int
    slot_count: int
    subject_ident: str | None
    items: tuple[SessionItem, ...] = ()
    cancelled_weeks: int = 0

    def of_kind(self, kind: ItemKind) -> tuple[SessionItem, ...]:
        return tuple(item for item in self.items if item.kind is kind)


@dataclass(frozen=True, slots=True)
class ExportWarning:
    """Something the reader skipped or could not resolve; never fatal."""

    code: str
    """Stable code: `unknown_section`, `dangling_reference`, `missing_section`, `bad_value`…"""
    message: str
    """In English, for the CLI and logs."""
    line: int | None = None
    case: str = ""
    """The precise case of a `bad_value` (`no_ident`, `bad_date`, `no_weeks`, `bad_weeks`,
    `bad_school_year`, `school_year_out_of_range`, `bad_day`, `bad_slot`, `bad_session`,
    `second_subject`, `no_subject`); empty where `code` says it all."""
    params: Mapping[str, str] = field(default_factory=frozen_map)
    """What the message quotes, by name (`element`, `ident`, `value`, `session`…): with `code`
    and `case`, enough to word the warning in another language (the TUI says it in French)."""

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "case": self.case, "line": self.line,
            "params": dict(self.params), "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class Timetable:
    """The cleartext document `ExportEmploiDuTemps`."""

    version: str | None
    uai: str | None
    school_year: SchoolYear | None
    time_grid: TimeGrid | None
    subjects: Mapping[str, Subject] = field(default_factory=frozen_map)
    teachers: Mapping[str, Teacher] = field(default_factory=frozen_map)
    staff: Mapping[str, StaffMember] = field(default_factory=frozen_map)
    classes: Mapping[str, SchoolClass] = field(default_factory=frozen_map)
    class_parts: Mapping[str, ClassPart] = field(default_factory=frozen_map)
    groups: Mapping[str, Group] = field(default_factory=frozen_map)
    rooms: Mapping[str, Room] = field(default_factory=frozen_map)
    equipment: Mapping[str, Equipment] = field(default_factory=frozen_map)
    students: Mapping[str, Student] = field(default_factory=frozen_map)
    sessions: tuple[Session, ...] = ()
    warnings: tuple[ExportWarning, ...] = ()


@dataclass(frozen=True, slots=True)
class Export:
    """A file as read: where it came from, its envelope (if encrypted) and its timetable."""

    source_name: str
    sha256: str
    import_id: str
    """UUID derived from the file's bytes, stable for the same file (§3.4 "Identifiant unique")."""
    encrypted: bool
    envelope: EnvelopeSummary | None
    timetable: Timetable

    @property
    def uai(self) -> str | None:
        return self.timetable.uai or (self.envelope.uai if self.envelope else None)
