"""Small handmade timetables and ENT directories for engine tests, built in Python.

School year 2026-2027 (DateDebut Tuesday 2026-09-01, week 1 starts Monday 2026-08-31), a grid of
ten one-hour slots from 08:00, Europe/Paris. T defaults to 2026-11-28 12:00 (a Saturday, week 13).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from edt_tui.engine.desired import DesiredCourse
from edt_tui.engine.guards import GuardSettings
from edt_tui.engine.model import (
    DirectoryUser,
    EntState,
    Profile,
    ReferentialClass,
    ReferentialSubject,
    UserSource,
)
from edt_tui.engine.plan import NO_GUARDS, Plan, build_plan
from edt_tui.engine.selection import Selection
from edt_tui.pronote.model import (
    ClassPart,
    DatedMembership,
    Group,
    ItemKind,
    Room,
    SchoolClass,
    SchoolYear,
    Session,
    SessionItem,
    Slot,
    Student,
    Subject,
    Teacher,
    TimeGrid,
    Timetable,
    frozen_map,
)

UAI = "0490856P"
PARIS = ZoneInfo("Europe/Paris")
YEAR = SchoolYear(start=date(2026, 9, 1), end=date(2027, 7, 4), week1_monday=date(2026, 8, 31))
T = datetime(2026, 11, 28, 12, 0, tzinfo=PARIS)
EMPTY_ENT = EntState(courses={}, memberships=frozenset(), events={})


def weeks(*numbers: int) -> int:
    """Week mask with the given weeks set."""
    mask = 0
    for n in numbers:
        mask |= 1 << n
    return mask


ALL_WEEKS = weeks(*range(1, 54))

Ref = tuple[str, int] | str
"""An item reference: an ident (all weeks) or (ident, mask)."""


def _items(kind: ItemKind, refs: Iterable[Ref]) -> list[SessionItem]:
    out = []
    for ref in refs:
        ident, mask = (ref, ALL_WEEKS) if isinstance(ref, str) else ref
        out.append(SessionItem(kind, ident, mask))
    return out


@dataclass
class TimetableBuilder:
    uai: str = UAI
    year: SchoolYear = YEAR
    slots: int = 10
    subjects: dict[str, Subject] = field(default_factory=dict)
    teachers: dict[str, Teacher] = field(default_factory=dict)
    classes: dict[str, SchoolClass] = field(default_factory=dict)
    parts: dict[str, ClassPart] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    rooms: dict[str, Room] = field(default_factory=dict)
    students: dict[str, Student] = field(default_factory=dict)
    sessions: list[Session] = field(default_factory=list)

    def subject(self, ident: str, label: str, code: str = "") -> TimetableBuilder:
        self.subjects[ident] = Subject(ident, code, label)
        return self

    def teacher(
        self,
        ident: str,
        last: str,
        first: str,
        *,
        idpn: str | None = None,
        idcas: str | None = None,
    ) -> TimetableBuilder:
        self.teachers[ident] = Teacher(ident, last, first, idpn=idpn, idcas=idcas)
        return self

    def school_class(self, ident: str, name: str, parts: Sequence[str] = ()) -> TimetableBuilder:
        self.classes[ident] = SchoolClass(ident, name, tuple(parts))
        for part in parts:
            self.parts[part] = ClassPart(part, ident, f"{name}-{part}")
        return self

    def group(
        self,
        ident: str,
        name: str,
        *,
        classes: Sequence[str] = (),
        parts: Sequence[str] = (),
        students: Sequence[str] = (),
    ) -> TimetableBuilder:
        self.groups[ident] = Group(ident, name, tuple(classes), tuple(parts), tuple(students))
        return self

    def room(self, ident: str, name: str) -> TimetableBuilder:
        self.rooms[ident] = Room(ident, name)
        return self

    def student(
        self,
        ident: str,
        last: str,
        first: str,
        birth: date | None = date(2012, 5, 4),
        *,
        classes: Sequence[str | tuple[str, date | None, date | None]] = (),
        parts: Sequence[str | tuple[str, date | None, date | None]] = (),
        idpn: str | None = None,
        idcas: str | None = None,
    ) -> TimetableBuilder:
        def dated(refs: Sequence[str | tuple[str, date | None, date | None]]) -> tuple:
            return tuple(
                DatedMembership(r, None, None) if isinstance(r, str) else DatedMembership(*r)
                for r in refs
            )

        self.students[ident] = Student(
            ident,
            last,
            first,
            birth,
            idpn=idpn,
            idcas=idcas,
            class_memberships=dated(classes),
            part_memberships=dated(parts),
        )
        return self

    def session(
        self,
        subject: str | None,
        *,
        day: int = 1,
        slot: int = 0,
        count: int = 1,
        teachers: Iterable[Ref] = (),
        classes: Iterable[Ref] = (),
        groups: Iterable[Ref] = (),
        parts: Iterable[Ref] = (),
        rooms: Iterable[Ref] = (),
        students: Iterable[Ref] = (),
        cancelled: int = 0,
    ) -> TimetableBuilder:
        items = (
            _items(ItemKind.TEACHER, teachers)
            + _items(ItemKind.CLASS, classes)
            + _items(ItemKind.CLASS_PART, parts)
            + _items(ItemKind.GROUP, groups)
            + _items(ItemKind.ROOM, rooms)
            + _items(ItemKind.STUDENT, students)
        )
        number = len(self.sessions) + 1
        self.sessions.append(
            Session(number, 100 + number, day, slot, count, subject, tuple(items), cancelled)
        )
        return self

    def build(self) -> Timetable:
        grid = TimeGrid(
            slots_per_day=self.slots,
            slot_minutes=60,
            working_days=(1, 2, 3, 4, 5),
            slots=frozen_map({n: Slot(n, time(8 + n), time(8 + n, 55)) for n in range(self.slots)}),
        )
        return Timetable(
            version="1.1",
            uai=self.uai,
            school_year=self.year,
            time_grid=grid,
            subjects=frozen_map(self.subjects),
            teachers=frozen_map(self.teachers),
            classes=frozen_map(self.classes),
            class_parts=frozen_map(self.parts),
            groups=frozen_map(self.groups),
            rooms=frozen_map(self.rooms),
            students=frozen_map(self.students),
            sessions=tuple(self.sessions),
        )


def user(
    sync_id: str,
    profile: Profile,
    last: str,
    first: str,
    birth: date | None = None,
    *,
    cas: str | None = None,
    source: UserSource = UserSource.AAF,
    idpn: str | None = None,
) -> DirectoryUser:
    return DirectoryUser(sync_id, profile, last, first, birth, cas, source, idpn)


REF_SUBJECTS = (
    ReferentialSubject("FRANCAIS", "FRANC"),
    ReferentialSubject("MATHEMATIQUES", "MATHS"),
)
REF_CLASSES = (ReferentialClass("3 A"), ReferentialClass("3 B"))


def plan_for(
    timetable: Timetable,
    *,
    directory: Sequence[DirectoryUser] = (),
    subjects: Sequence[ReferentialSubject] = REF_SUBJECTS,
    classes: Sequence[ReferentialClass] = REF_CLASSES,
    ent: EntState = EMPTY_ENT,
    selection: Selection | None = None,
    at: datetime = T,
    add_unknown_subjects: bool = False,
    activate_unmatched_classes: bool = False,
    guards: GuardSettings = NO_GUARDS,
) -> Plan:
    return build_plan(
        timetable,
        uai=UAI,
        timezone="Europe/Paris",
        reference_time=at,
        directory=directory,
        referential_subjects=subjects,
        referential_classes=classes,
        ent_state=ent,
        selection=selection or Selection.default(),
        add_unknown_subjects=add_unknown_subjects,
        activate_unmatched_classes=activate_unmatched_classes,
        guards=guards,
    )


def course(plan: Plan, key_suffix: str) -> DesiredCourse:
    """The plan's course whose key ends with `key_suffix` (e.g. `FRANCAIS:class:3A`)."""
    found = [c for c in plan.courses if c.key.endswith(":" + key_suffix)]
    assert len(found) == 1, [c.key for c in plan.courses]
    return found[0]


def contract_json(plan: Plan) -> dict[str, Any]:
    """The `plan --json` document of `plan`, as the service sends it."""
    from edt_tui.wire import PlanContract

    return PlanContract.of(plan).model_dump(mode="json")


def steps_json(plan: Plan) -> dict[str, Any]:
    """The wizard's step lists of `plan`, as the service sends them."""
    from edt_tui.wire import PlanSteps

    return PlanSteps.of(plan).model_dump(mode="json")
