"""`build_plan`: from an export, the ENT directory and referential, what the ENT holds and the
admin's selection, everything the wizard shows and the actions of an import (rules §1–§8)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from edt_tui.engine.courses import IgnoredSession, derive_courses
from edt_tui.engine.desired import CourseBuilder, DesiredCourse
from edt_tui.engine.diff import diff, index_ent
from edt_tui.engine.guards import DeletionVerdict, GuardSettings, assess_deletions, frozen_until
from edt_tui.engine.matching import (
    ClassRow,
    GroupRow,
    SubjectRow,
    list_groups,
    match_classes,
    match_subjects,
)
from edt_tui.engine.memberships import Rosters
from edt_tui.engine.model import (
    IMPORT_ACTIONS,
    Action,
    ActionType,
    AudienceKind,
    DirectoryUser,
    EntState,
    Profile,
    ReferentialClass,
    ReferentialSubject,
)
from edt_tui.engine.occurrences import Calendar
from edt_tui.engine.reconciliation import PersonInput, PersonRow, reconcile
from edt_tui.engine.selection import Selection
from edt_tui.errors import BadInputError
from edt_tui.gc_pause import cyclic_gc_paused
from edt_tui.pronote.model import Student, Timetable

NO_GUARDS = GuardSettings()
"""No freeze window, the default mass-deletion threshold."""


def classes_on(timetable: Timetable, student: Student, day: date) -> str:
    """The student's class names on `day`, sorted and joined (`3A, 3 ULIS`)."""
    names = {
        timetable.classes[m.ident].name if m.ident in timetable.classes else m.ident
        for m in student.class_memberships
        if m.covers(day)
    }
    return ", ".join(sorted(names))


@dataclass(frozen=True, slots=True)
class PeopleCount:
    reconciled: int
    unreconciled: int
    relink_pending: int = 0
    """Among the unreconciled: accounts found by identity that carry another IDPN."""


@dataclass(frozen=True, slots=True)
class Plan:
    uai: str
    school_year: str
    timezone: str
    reference_time: datetime
    """T, in the establishment's time zone."""
    reference_date: date
    """D = max(date of T, DateDebut): the day student memberships are read on."""
    subjects: tuple[SubjectRow, ...]
    classes: tuple[ClassRow, ...]
    groups: tuple[GroupRow, ...]
    courses: tuple[DesiredCourse, ...]
    """Every course the export produces (see `DesiredCourse.selected`), in order of appearance."""
    teachers: tuple[PersonRow, ...]
    students: tuple[PersonRow, ...]
    ignored_sessions: tuple[IgnoredSession, ...]
    actions: tuple[Action, ...]
    """In `ACTION_ORDER`, then by key."""
    guards: GuardSettings
    frozen_until: datetime
    """T + the freeze window: events starting before it are left alone (in T's zone)."""
    deletions: DeletionVerdict
    """What the actions delete of what earlier imports created, and the mass-deletion verdict."""

    @property
    def selected_courses(self) -> tuple[DesiredCourse, ...]:
        return tuple(c for c in self.courses if c.selected)

    @property
    def action_counts(self) -> Mapping[ActionType, int]:
        counts = Counter(a.type for a in self.actions)
        return {t: counts.get(t, 0) for t in IMPORT_ACTIONS}

    @property
    def summary(self) -> Mapping[str, int]:
        """§3.11, shown before launch."""
        counts = self.action_counts
        return {
            "courses_created": counts[ActionType.CREATE_COURSE],
            "events_created": counts[ActionType.CREATE_EVENT],
            "events_updated": counts[ActionType.UPDATE_EVENT],
            "events_deleted": counts[ActionType.DELETE_EVENT],
            "memberships_created": counts[ActionType.CREATE_MEMBERSHIP],
            "memberships_deleted": counts[ActionType.DELETE_MEMBERSHIP],
        }

    @property
    def idpn_links(self) -> tuple[tuple[str, str], ...]:
        """(ENT sync id, IDPN) to store on accounts once the import succeeds (§7).

        Every reconciled person whose export carries an IDPN, so the next import matches them by
        the PRONOTE link (rule 1); a confirmed relink replaces the account's old IDPN.
        """
        return tuple(
            (row.sync_id, row.idpn)
            for row in (*self.teachers, *self.students)
            if row.reconciled and row.sync_id and row.idpn
        )

    @property
    def teacher_count(self) -> PeopleCount:
        return _count(self.teachers)

    @property
    def student_count(self) -> PeopleCount:
        return _count(self.students)


def _count(rows: Sequence[PersonRow]) -> PeopleCount:
    reconciled = sum(1 for r in rows if r.reconciled)
    pending = sum(1 for r in rows if r.relink_pending)
    return PeopleCount(reconciled, len(rows) - reconciled, pending)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadInputError(
            f"unknown time zone {name!r}", hint="use an IANA name such as Europe/Paris"
        ) from exc


def build_plan(
    timetable: Timetable,
    *,
    uai: str,
    timezone: str,
    reference_time: datetime,
    directory: Sequence[DirectoryUser],
    referential_subjects: Sequence[ReferentialSubject],
    referential_classes: Sequence[ReferentialClass],
    ent_state: EntState,
    selection: Selection,
    add_unknown_subjects: bool = False,
    activate_unmatched_classes: bool = False,
    guards: GuardSettings = NO_GUARDS,
) -> Plan:
    """Raises `BadInputError` for an export of another establishment or without a school year."""
    with cyclic_gc_paused():
        return _build_plan(
            timetable,
            uai=uai,
            timezone=timezone,
            reference_time=reference_time,
            directory=directory,
            referential_subjects=referential_subjects,
            referential_classes=referential_classes,
            ent_state=ent_state,
            selection=selection,
            add_unknown_subjects=add_unknown_subjects,
            activate_unmatched_classes=activate_unmatched_classes,
            guards=guards,
        )


def _build_plan(
    timetable: Timetable,
    *,
    uai: str,
    timezone: str,
    reference_time: datetime,
    directory: Sequence[DirectoryUser],
    referential_subjects: Sequence[ReferentialSubject],
    referential_classes: Sequence[ReferentialClass],
    ent_state: EntState,
    selection: Selection,
    add_unknown_subjects: bool,
    activate_unmatched_classes: bool,
    guards: GuardSettings,
) -> Plan:
    if timetable.uai and timetable.uai.strip().upper() != uai.strip().upper():
        raise BadInputError(
            f"the export is for establishment {timetable.uai}, not {uai}",
            hint="pick the export of this establishment, or the right --uai",
        )
    year = timetable.school_year
    if year is None:
        raise BadInputError(
            "the export has no school year (AnneeScolaire): courses cannot be keyed",
            hint="export the timetable again from PRONOTE/EDT",
        )
    zone = _zone(timezone)
    if reference_time.tzinfo is None:
        reference_time = reference_time.replace(tzinfo=zone)
    reference_time = reference_time.astimezone(zone)
    reference_date = max(reference_time.date(), year.start)
    calendar = Calendar(year, timetable.time_grid, zone) if timetable.time_grid else None

    subjects = match_subjects(
        timetable, referential_subjects, selection, add_unknown=add_unknown_subjects
    )
    classes = match_classes(
        timetable, referential_classes, selection, activate_unmatched=activate_unmatched_classes
    )
    groups = list_groups(timetable, selection)
    teachers = reconcile(
        Profile.TEACHER,
        [
            PersonInput(t.ident, t.last_name, t.first_name, t.birth_date, t.idpn, t.idcas)
            for t in timetable.teachers.values()
        ],
        directory,
        selection,
    )
    students = reconcile(
        Profile.STUDENT,
        [
            PersonInput(
                s.ident, s.last_name, s.first_name, s.birth_date, s.idpn, s.idcas,
                classes_on(timetable, s, reference_date),
            )
            for s in timetable.students.values()
        ],
        directory,
        selection,
    )
    derivation = derive_courses(
        timetable,
        uai=uai,
        school_year=year.label,
        subjects=subjects,
        classes=classes,
        groups=groups,
        calendar=calendar,
    )
    builder = CourseBuilder(
        timetable,
        calendar,
        Rosters(timetable, reference_date),
        {i: r.sync_id for i, r in teachers.items() if r.reconciled and r.sync_id},
        {i: r.sync_id for i, r in students.items() if r.reconciled and r.sync_id},
    )
    desired = []
    for course in derivation.courses.values():
        audiences = classes if course.audience_kind is AudienceKind.CLASS else groups
        desired.append(
            builder.build(
                course,
                school_year=year.label,
                subject_active=any(subjects[i].active for i in course.subject_idents),
                audience_active=any(audiences[i].active for i in course.audience_idents),
                deactivated=course.key in selection.deactivated_courses,
            )
        )
    boundary = frozen_until(reference_time, guards.freeze_minutes)
    held = frozenset(
        r.sync_id
        for r in (*teachers.values(), *students.values())
        if r.relink_pending and r.sync_id
    )
    index = index_ent(ent_state, boundary)
    actions = diff(
        desired, ent_state, reference_time=boundary, key_prefix=f"{uai}:{year.label}:",
        held=held, index=index,
    )
    return Plan(
        uai=uai,
        school_year=year.label,
        timezone=timezone,
        reference_time=reference_time,
        reference_date=reference_date,
        subjects=tuple(subjects.values()),
        classes=tuple(classes.values()),
        groups=tuple(groups.values()),
        courses=tuple(desired),
        teachers=tuple(teachers.values()),
        students=tuple(students.values()),
        ignored_sessions=derivation.ignored,
        actions=actions,
        guards=guards,
        frozen_until=boundary,
        deletions=assess_deletions(
            actions, ent_state, index, threshold_percent=guards.max_deletion_percent
        ),
    )
