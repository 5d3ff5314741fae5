"""Course derivation from sessions (import-rules §4): which (subject, audience) pairs exist.

Derivation ignores the selection on purpose: ignored sessions are reported whatever the selection,
and a course the admin deactivated is still *produced* (so it is left untouched, not cleaned up).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from edt_tui.engine.matching import ClassRow, GroupRow, SubjectRow
from edt_tui.engine.model import AudienceKind
from edt_tui.engine.normalize import norm
from edt_tui.engine.occurrences import Calendar
from edt_tui.pronote.model import ItemKind, Session, SessionItem, Timetable
from edt_tui.reasons import Reason, ReasonCode, english, reason


class IgnoreReason(StrEnum):
    CLASS_PART_ONLY = "class_part_only"
    MISSING_SLOT = "missing_slot"
    UNKNOWN_REFERENCE = "unknown_reference"


@dataclass(frozen=True, slots=True)
class IgnoredSession:
    """A session (or one item of it) left out, with where the admin finds it."""

    reason: IgnoreReason
    subject: str | None
    why: Reason
    """The precise reason, with the session, its line and what is missing."""
    session: int
    line: int | None = None

    @property
    def detail(self) -> str:
        """`why` in English (logs, the CLI, the API's `detail`)."""
        return english(self.why)


@dataclass(frozen=True, slots=True)
class CourseSource:
    """One session producing the course, through one of its audience items (with its mask)."""

    session: Session
    audience: SessionItem


@dataclass(frozen=True, slots=True)
class DerivedCourse:
    key: str
    label: str
    subject: str
    """Subject label used in the course label (ENT name when recognised)."""
    audience_kind: AudienceKind
    audience_name: str
    """Audience label used in the course label (ENT class name when matched)."""
    subject_idents: tuple[str, ...]
    audience_idents: tuple[str, ...]
    sources: tuple[CourseSource, ...]


_REFERENCED = frozenset({
    ItemKind.CLASS, ItemKind.GROUP, ItemKind.CLASS_PART, ItemKind.ROOM, ItemKind.TEACHER,
    ItemKind.STUDENT,
})
"""The items a session's references are checked for (staff and equipment are not used)."""


def course_key(uai: str, school_year: str, subject: str, kind: AudienceKind, audience: str) -> str:
    """`<UAI>:<year>:<norm(subject label)>:<class|group>:<norm(audience name)>` (§4)."""
    return f"{uai}:{school_year}:{norm(subject)}:{kind.value}:{norm(audience)}"


def _why(code: ReasonCode, session: Session, **params: str | int) -> Reason:
    """`code` about `session` (its number and line, 0 when the export gave none)."""
    return reason(code, session=session.number, line=session.line or 0, **params)


def _declared_tables(timetable: Timetable) -> dict[ItemKind, Mapping[str, object]]:
    """Where each referenced kind must be declared (one id space per element type)."""
    return {
        ItemKind.CLASS: timetable.classes,
        ItemKind.GROUP: timetable.groups,
        ItemKind.CLASS_PART: timetable.class_parts,
        ItemKind.ROOM: timetable.rooms,
        ItemKind.TEACHER: timetable.teachers,
        ItemKind.STUDENT: timetable.students,
    }


@dataclass(slots=True)
class _Draft:
    subject: str
    kind: AudienceKind
    audience: str
    subject_idents: list[str] = field(default_factory=list)
    audience_idents: list[str] = field(default_factory=list)
    sources: list[CourseSource] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Derivation:
    courses: Mapping[str, DerivedCourse]
    """By course key, in order of first appearance."""
    ignored: tuple[IgnoredSession, ...]


def derive_courses(
    timetable: Timetable,
    *,
    uai: str,
    school_year: str,
    subjects: Mapping[str, SubjectRow],
    classes: Mapping[str, ClassRow],
    groups: Mapping[str, GroupRow],
    calendar: Calendar | None,
) -> Derivation:
    """Every course the sessions produce, and every session (or item) left out, with why."""
    ignored: list[IgnoredSession] = []
    drafts: dict[str, _Draft] = {}
    declared = _declared_tables(timetable)
    for session in timetable.sessions:
        subject = subjects.get(session.subject_ident or "")
        if subject is None:
            ident = session.subject_ident
            why = (
                _why(ReasonCode.UNDECLARED_SUBJECT, session, ident=ident)
                if ident else _why(ReasonCode.NO_SUBJECT, session)
            )
            ignored.append(
                IgnoredSession(
                    IgnoreReason.UNKNOWN_REFERENCE,
                    None,
                    why,
                    session.number,
                    session.line,
                )
            )
            continue
        audiences: list[tuple[AudienceKind, SessionItem, str]] = []
        has_parts_or_students = False
        for item in session.items:
            if item.kind not in _REFERENCED:
                continue
            if item.kind in (ItemKind.CLASS_PART, ItemKind.STUDENT):
                has_parts_or_students = True
            if item.ident not in declared[item.kind]:
                ignored.append(
                    IgnoredSession(
                        IgnoreReason.UNKNOWN_REFERENCE,
                        subject.label,
                        _why(
                            ReasonCode.UNDECLARED_ITEM, session, kind=item.kind.value,
                            ident=item.ident,
                        ),
                        session.number,
                        session.line,
                    )
                )
                continue
            if item.kind is ItemKind.CLASS:
                audiences.append((AudienceKind.CLASS, item, classes[item.ident].label))
            elif item.kind is ItemKind.GROUP:
                audiences.append((AudienceKind.GROUP, item, groups[item.ident].label))
        if not audiences:
            if has_parts_or_students:
                ignored.append(
                    IgnoredSession(
                        IgnoreReason.CLASS_PART_ONLY,
                        subject.label,
                        _why(ReasonCode.CLASS_PART_ONLY, session),
                        session.number,
                        session.line,
                    )
                )
            continue
        if calendar is None or calendar.slot_times(session.start_slot, session.slot_count) is None:
            last = session.start_slot + session.slot_count - 1
            ignored.append(
                IgnoredSession(
                    IgnoreReason.MISSING_SLOT,
                    subject.label,
                    _why(
                        ReasonCode.MISSING_SLOT, session, first=session.start_slot, last=last
                    ),
                    session.number,
                    session.line,
                )
            )
        for kind, item, audience_label in audiences:
            key = course_key(uai, school_year, subject.label, kind, audience_label)
            draft = drafts.get(key)
            if draft is None:
                draft = drafts[key] = _Draft(subject.label, kind, audience_label)
            if subject.ident not in draft.subject_idents:
                draft.subject_idents.append(subject.ident)
            if item.ident not in draft.audience_idents:
                draft.audience_idents.append(item.ident)
            draft.sources.append(CourseSource(session, item))
    courses = {
        key: DerivedCourse(
            key=key,
            label=f"{d.subject} - {d.audience}",
            subject=d.subject,
            audience_kind=d.kind,
            audience_name=d.audience,
            subject_idents=tuple(d.subject_idents),
            audience_idents=tuple(d.audience_idents),
            sources=tuple(d.sources),
        )
        for key, d in drafts.items()
    }
    return Derivation(courses, tuple(ignored))
