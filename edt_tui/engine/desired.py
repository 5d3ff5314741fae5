"""The desired state of each derived course: teachers, students and calendar events (§5, §6)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from edt_tui.engine.courses import DerivedCourse
from edt_tui.engine.memberships import Rosters
from edt_tui.engine.model import AudienceKind, CourseState, EventState
from edt_tui.engine.occurrences import Calendar, occurrence_date, weeks_of
from edt_tui.pronote.model import ItemKind, Session, Timetable

_Occurrence = tuple[datetime, datetime, frozenset[str], frozenset[str]]
"""start, end, room names, teacher sync ids."""


@dataclass(slots=True)
class _Merged:
    """Occurrences of one course sharing a start are one event: longest end, union (§5)."""

    end: datetime
    rooms: set[str]
    teachers: set[str]


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
        self._occurrences: dict[tuple[int, int], _Occurrence | None] = {}

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
        merged: dict[datetime, _Merged] = {}
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
            for week in weeks_of(weeks):
                occurrence = self._occurrence(session, week)
                if occurrence is None:
                    break
                start, end, rooms, event_teachers = occurrence
                known = merged.get(start)
                if known is None:
                    merged[start] = _Merged(end, set(rooms), set(event_teachers))
                else:
                    known.end = max(known.end, end)
                    known.rooms |= rooms
                    known.teachers |= event_teachers
        label = course.label
        events = tuple(
            EventState(
                course_key=course.key,
                start=start,
                end=values.end,
                title=label,
                rooms=tuple(sorted(values.rooms)),
                teachers=tuple(sorted(values.teachers)),
            )
            for start, values in sorted(merged.items())
        )
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
            sessions=tuple(dict.fromkeys(s.session.number for s in course.sources)),
        )

    def _occurrence(self, session: Session, week: int) -> _Occurrence | None:
        """Session σ in week i: start, end, rooms and teachers active that week (cached)."""
        cache_key = (session.number, week)
        if cache_key in self._occurrences:
            return self._occurrences[cache_key]
        calendar = self._calendar
        assert calendar is not None
        times = calendar.slot_times(session.start_slot, session.slot_count)
        occurrence: _Occurrence | None = None
        if times is not None:
            day = occurrence_date(calendar.year, week, session.day)
            rooms_table = self._timetable.rooms
            rooms = frozenset(
                rooms_table[item.ident].name
                for item in session.items
                if item.kind is ItemKind.ROOM and item.active_in(week) and item.ident in rooms_table
            )
            teachers = frozenset(
                self._teacher_accounts[item.ident]
                for item in session.items
                if item.kind is ItemKind.TEACHER
                and item.active_in(week)
                and item.ident in self._teacher_accounts
            )
            start, end = calendar.moment(day, times[0]), calendar.moment(day, times[1])
            occurrence = (start, end, rooms, teachers)
        self._occurrences[cache_key] = occurrence
        return occurrence
