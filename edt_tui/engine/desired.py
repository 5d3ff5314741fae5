"""The desired state of each derived course: teachers, students and calendar events (§5, §6)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from edt_tui.engine.courses import DerivedCourse
from edt_tui.engine.memberships import Rosters
from edt_tui.engine.model import AudienceKind, CourseState, EventState
from edt_tui.engine.occurrences import Calendar, weeks_of
from edt_tui.pronote.model import ItemKind, Session, Timetable

_Occurrence = tuple[datetime, datetime, tuple[str, ...], tuple[str, ...], str]
"""start, end, room names (sorted), teacher sync ids (sorted), start in ISO 8601."""


@dataclass(frozen=True, slots=True)
class DesiredCourse:
    """A course the export produces, whether selected or not, with what it should contain."""

    state: CourseState
    subject_active: bool
    audience_active: bool
    deactivated: bool
    """Deactivated by the admin in the course list."""
    teachers: frozenset[str]
    """ENT sync ids of reconciled teachers."""
    students: frozenset[str]
    """ENT sync ids of reconciled students."""
    unreconciled_teachers: frozenset[str]
    """Export idents of teachers who would be members but have no ENT account."""
    unreconciled_students: frozenset[str]
    events: tuple[EventState, ...]
    """Every occurrence, past and future, sorted by start."""
    event_keys: tuple[str, ...]
    """`EventState.key` of each of `events`, same order (built once, used by the diff)."""
    sessions: tuple[int, ...]
    """Numbers of the sessions producing it."""

    @property
    def key(self) -> str:
        return self.state.key

    @property
    def label(self) -> str:
        return self.state.label

    @property
    def selected(self) -> bool:
        return self.subject_active and self.audience_active and not self.deactivated

    def future_events(self, reference_time: datetime) -> tuple[EventState, ...]:
        return tuple(e for e in self.events if e.start >= reference_time)


class CourseBuilder:
    """Computes desired courses, sharing per-session work (weeks, occurrences) between them."""

    def __init__(
        self,
        timetable: Timetable,
        calendar: Calendar | None,
        rosters: Rosters,
        teacher_accounts: Mapping[str, str],
        student_accounts: Mapping[str, str],
    ) -> None:
        self._timetable = timetable
        self._calendar = calendar
        self._rosters = rosters
        self._teacher_accounts = teacher_accounts
        self._student_accounts = student_accounts
        self._tables: dict[int, Mapping[int, _Occurrence] | None] = {}

    def build(
        self,
        course: DerivedCourse,
        *,
        school_year: str,
        subject_active: bool,
        audience_active: bool,
        deactivated: bool,
    ) -> DesiredCourse:
        rosters = self._rosters
        students: set[str] = set()
        for ident in course.audience_idents:
            if course.audience_kind is AudienceKind.CLASS:
                students |= rosters.of_class(ident)
            else:
                students |= rosters.of_group(ident)
        teachers: set[str] = set()
        # One run of occurrences per producing session, each in week (hence start) order.
        runs: list[list[_Occurrence]] = []
        for source in course.sources:
            session = source.session
            for item in session.items:
                if item.kind is ItemKind.CLASS_PART:
                    students |= rosters.of_part(item.ident)
                elif item.kind is ItemKind.STUDENT and item.ident in self._timetable.students:
                    students.add(item.ident)
            if self._calendar is None:
                continue
            weeks = self._calendar.session_weeks(
                source.audience.weeks, session.cancelled_weeks, session.day
            )
            if not weeks:
                continue
            for item in session.items:
                if (
                    item.kind is ItemKind.TEACHER
                    and item.weeks & weeks
                    and item.ident in self._timetable.teachers
                ):
                    teachers.add(item.ident)
            table = self._table(session)
            if table is None:
                continue
            runs.append([table[week] for week in weeks_of(weeks)])
        label = course.label
        key = course.key
        occurrences = runs[0] if len(runs) == 1 else _merged(runs)
        events = tuple(
            EventState(key, start, end, label, rooms, event_teachers)
            for start, end, rooms, event_teachers, _ in occurrences
        )
        event_keys = tuple(f"{key}|{o[4]}" for o in occurrences)
        teacher_accounts, student_accounts = self._teacher_accounts, self._student_accounts
        return DesiredCourse(
            state=CourseState(
                key=course.key,
                label=label,
                subject=course.subject,
                audience_kind=course.audience_kind,
                audience_name=course.audience_name,
                school_year=school_year,
            ),
            subject_active=subject_active,
            audience_active=audience_active,
            deactivated=deactivated,
            teachers=frozenset(teacher_accounts[t] for t in teachers if t in teacher_accounts),
            students=frozenset(student_accounts[s] for s in students if s in student_accounts),
            unreconciled_teachers=frozenset(t for t in teachers if t not in teacher_accounts),
            unreconciled_students=frozenset(s for s in students if s not in student_accounts),
            events=events,
            event_keys=event_keys,
            sessions=tuple(dict.fromkeys(s.session.number for s in course.sources)),
        )

    def _table(self, session: Session) -> Mapping[int, _Occurrence] | None:
        """Session σ week by week: start, end, rooms and teachers active that week (cached).

        None when σ's slots are not in the grid. Computed once per session for every week any
        of its items may use, and shared by all the courses σ produces.
        """
        if session.number in self._tables:
            return self._tables[session.number]
        calendar = self._calendar
        assert calendar is not None
        times = calendar.slot_times(session.start_slot, session.slot_count)
        if times is None:
            self._tables[session.number] = None
            return None
        rooms_table, accounts = self._timetable.rooms, self._teacher_accounts
        extras: list[tuple[int, bool, str]] = [
            (item.weeks, True, rooms_table[item.ident].name)
            for item in session.items
            if item.kind is ItemKind.ROOM and item.ident in rooms_table
        ] + [
            (item.weeks, False, accounts[item.ident])
            for item in session.items
            if item.kind is ItemKind.TEACHER and item.ident in accounts
        ]
        union = 0
        for item in session.items:
            union |= item.weeks
        # Split σ's weeks by which rooms/teachers are active: a handful of parts, not 36 weeks.
        parts = [(calendar.session_weeks(union, session.cancelled_weeks, session.day), 0)]
        for index, (mask, _, _) in enumerate(extras):
            parts = [
                piece
                for weeks, active in parts
                for piece in ((weeks & mask, active | 1 << index), (weeks & ~mask, active))
                if piece[0]
            ]
        spans = calendar.spans(session.day, times[0], times[1])
        table: dict[int, _Occurrence] = {}
        for weeks, active in parts:
            chosen = [extra for index, extra in enumerate(extras) if active >> index & 1]
            rooms = tuple(sorted({value for _, is_room, value in chosen if is_room}))
            teachers = tuple(sorted({value for _, is_room, value in chosen if not is_room}))
            for week in weeks_of(weeks):
                start, end, iso = spans[week]
                table[week] = (start, end, rooms, teachers, iso)
        self._tables[session.number] = table
        return table


def _merged(runs: list[list[_Occurrence]]) -> list[_Occurrence]:
    """All runs of a course in start order, occurrences sharing a start made one."""
    merged: dict[datetime, _Occurrence] = {}
    for run in runs:
        for occurrence in run:
            known = merged.get(occurrence[0])
            merged[occurrence[0]] = occurrence if known is None else _merge(known, occurrence)
    return sorted(merged.values())


def _merge(a: _Occurrence, b: _Occurrence) -> _Occurrence:
    """Two occurrences of one course with the same start: longest end, union (§5)."""
    return (
        a[0],
        max(a[1], b[1]),
        tuple(sorted(set(a[2]) | set(b[2]))),
        tuple(sorted(set(a[3]) | set(b[3]))),
        a[4],
    )
