"""Build a realistic `Timetable`: classes, parts, groups, teachers, students and weekly sessions.

The build follows how a timetable is made in PRONOTE/EDT: level plans (catalog.py) give each
class its subjects; teachers are hired per subject as hours require; a greedy placer puts every
session in a free slot of its classes and teachers (option blocks and swapped half classes share
one slot). Then the cases the importer must handle are planted on purpose (seed §2, §5.4, format
doc §5): two classes attached directly, a class part alone, ULIS parts joining class sessions,
a group of two classes, substitutes, A/B-week rooms, cancelled weeks, a mid-year class change,
a student who left, shared guardians, students without IDPN.
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterable, Sequence, Sized
from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta

from edt_tui.pronote.generator.calendar import SchoolCalendar
from edt_tui.pronote.generator.catalog import (
    COLLEGE_ONLY,
    LYCEE_ONLY,
    ROOM_KINDS,
    SUBJECTS,
    Block,
    LevelPlan,
    plan_for,
)
from edt_tui.pronote.generator.names import (
    TEACHER_FIRST_NAME_LENGTH,
    ascii_login,
    pick_person,
)
from edt_tui.pronote.model import (
    ClassPart,
    DatedMembership,
    Equipment,
    Group,
    Guardian,
    ItemKind,
    Room,
    SchoolClass,
    Session,
    SessionItem,
    Slot,
    StaffMember,
    Student,
    Subject,
    Teacher,
    TimeGrid,
    Timetable,
)
from edt_tui.pronote.writer import ITEM_ORDER

SLOT_TIMES: tuple[tuple[str, str], ...] = (
    ("08:00", "08:55"),
    ("08:55", "09:50"),
    ("10:05", "11:00"),
    ("11:00", "11:55"),
    ("12:00", "12:55"),
    ("13:30", "14:25"),
    ("14:25", "15:20"),
    ("15:35", "16:30"),
    ("16:30", "17:25"),
    ("17:25", "18:20"),
)
"""55-minute places with breaks: the labels, not the duration, give the times (format §3)."""

DAYS = (1, 2, 3, 4, 5)
LUNCH_SLOT = 4
WEDNESDAY_LAST_SLOT = 3
TEACHER_WEEKLY_SLOTS = 19
"""Weekly slots a teacher takes before another one is hired (about a full-time service)."""
IDPN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def time_grid() -> TimeGrid:
    slots = {
        number: Slot(number=number, start=_clock(start), end=_clock(end))
        for number, (start, end) in enumerate(SLOT_TIMES)
    }
    return TimeGrid(slots_per_day=len(SLOT_TIMES), slot_minutes=55, working_days=DAYS, slots=slots)


@dataclass
class _Draft:
    """A session being built (items and masks may still change)."""

    subject: str
    day: int
    start: int
    length: int
    items: list[SessionItem]
    cancelled: int = 0


@dataclass
class _ClassInfo:
    school_class: SchoolClass
    level: LevelPlan
    halves: tuple[str, ...]
    """Group idents of the two half classes (each made of one class part)."""
    half_parts: tuple[str, ...]
    parts: list[str] = field(default_factory=list)
    option_part: dict[tuple[str, str], str] = field(default_factory=dict)
    """(block name, option code) → class part ident."""


class SchoolBuilder:
    """Accumulates the establishment; `build()` returns the frozen `Timetable`."""

    def __init__(
        self, *, students: int, seed: int, calendar: SchoolCalendar, uai: str, newer: bool = False
    ) -> None:
        self.newer = newer
        self.rng = random.Random(f"edt-tui sample {seed} {calendar.year.start.year} {students}")
        self.calendar = calendar
        self.uai = uai
        self.target_students = students
        self.plans, self.class_size, self.lycee = plan_for(students)
        self.subjects: dict[str, Subject] = {}
        self.subject_by_code: dict[str, str] = {}
        self.teachers: dict[str, Teacher] = {}
        self.teacher_subject: dict[str, str] = {}
        self.teacher_load: dict[str, int] = {}
        self.assignment: dict[tuple[str, str], str] = {}
        self.classes: dict[str, SchoolClass] = {}
        self.class_info: dict[str, _ClassInfo] = {}
        self.parts: dict[str, ClassPart] = {}
        self.groups: dict[str, Group] = {}
        self.rooms: dict[str, Room] = {}
        self.rooms_by_kind: dict[str, list[str]] = {}
        self.students: dict[str, Student] = {}
        self.staff: dict[str, StaffMember] = {}
        self.equipment: dict[str, Equipment] = {}
        self.drafts: list[_Draft] = []
        self.busy: set[tuple[str, int, int]] = set()
        self.used_idpn: set[str] = set()
        self.day_masks = {day: calendar.day_mask(day) for day in DAYS}
        self.a_weeks = sum(1 << w for w in range(1, calendar.last_week + 1) if w % 2)
        self.b_weeks = sum(1 << w for w in range(2, calendar.last_week + 1) if not w % 2)

    # ----------------------------------------------------------------- identities

    def _idpn(self) -> str:
        while True:
            value = "".join(self.rng.choice(IDPN_ALPHABET) for _ in range(16))
            if value not in self.used_idpn:
                self.used_idpn.add(value)
                return value

    @staticmethod
    def _ident(table: Sized) -> str:
        """PRONOTE-like idents: 1, 2, 3… in creation order, one sequence per element type."""
        return str(len(table) + 1)

    # ----------------------------------------------------------------- referential

    def add_subjects(self) -> None:
        excluded = COLLEGE_ONLY if self.lycee else LYCEE_ONLY
        for code, label in SUBJECTS:
            if code in excluded:
                continue
            ident = self._ident(self.subjects)
            self.subjects[ident] = Subject(ident=ident, code=code, label=label)
            self.subject_by_code[code] = ident

    def hire(self, code: str) -> str:
        ident = self._ident(self.teachers)
        last, first, _ = pick_person(self.rng)
        if ident == "4":  # the seed's example of a name the ENT spells differently (§3.10)
            last, first = "DALIAOUI", "Karim"
        birth = date(self.calendar.year.start.year - self.rng.randint(24, 62), 1, 1) + timedelta(
            days=self.rng.randint(0, 364)
        )
        has_cas = self.rng.random() < 0.6
        self.teachers[ident] = Teacher(
            ident=ident,
            last_name=last,
            first_name=first[:TEACHER_FIRST_NAME_LENGTH],
            birth_date=birth,
            idpn=self._idpn(),
            idcas=f"{ascii_login(first, last)}{ident}" if has_cas else None,
            idsts=str(10000 + int(ident) * 7) if self.rng.random() < 0.8 else None,
            postcode=f"49{self.rng.randint(0, 999):03d}" if self.rng.random() < 0.5 else None,
        )
        self.teacher_subject[ident] = code
        self.teacher_load[ident] = 0
        return ident

    def teacher_for(self, code: str, audience: str, slots: int) -> str:
        """The teacher of `code` for `audience`, hiring when everyone is full."""
        key = (code, audience)
        if key in self.assignment:
            teacher = self.assignment[key]
        else:
            cap = TEACHER_WEEKLY_SLOTS
            candidates = [
                t
                for t, subject in self.teacher_subject.items()
                if subject == code and self.teacher_load[t] + slots <= cap
            ]
            teacher = candidates[0] if candidates else self.hire(code)
            self.assignment[key] = teacher
        self.teacher_load[teacher] += slots
        return teacher

    def add_class(self, name: str, level: LevelPlan, *, halves: bool = True) -> _ClassInfo:
        """A class; with `halves`, its two half-class parts and a group for each (seed §2)."""
        ident = self._ident(self.classes)
        half_parts: tuple[str, ...] = ()
        half_groups: tuple[str, ...] = ()
        if halves:
            half_parts = (self.add_part(ident), self.add_part(ident))
            compact = name.replace(" ", "")
            half_groups = (
                self.add_group(f"{compact}_G1", parts=(half_parts[0],)),
                self.add_group(f"{compact}_G2", parts=(half_parts[1],)),
            )
        self.classes[ident] = SchoolClass(ident=ident, name=name)
        info = _ClassInfo(self.classes[ident], level, half_groups, half_parts, list(half_parts))
        self.class_info[ident] = info
        return info

    def add_part(self, class_ident: str) -> str:
        ident = self._ident(self.parts)
        self.parts[ident] = ClassPart(ident=ident, class_ident=class_ident)
        return ident

    def add_group(
        self, name: str, *, classes: Sequence[str] = (), parts: Sequence[str] = ()
    ) -> str:
        ident = self._ident(self.groups)
        self.groups[ident] = Group(
            ident=ident, name=name, class_idents=tuple(classes), part_idents=tuple(parts)
        )
        return ident

    def room_for(self, code: str, day: int, start: int, length: int) -> str:
        kind = ROOM_KINDS.get(code, "")
        pool = self.rooms_by_kind.setdefault(kind, [])
        slots = range(start, start + length)
        for room in pool:
            if all((f"R{room}", day, s) not in self.busy for s in slots):
                break
        else:
            room = self._ident(self.rooms)
            number = len(pool) + 1
            floor, door = divmod(len(pool), 12)
            name = f"{kind} {number}" if kind else str(100 * (floor + 1) + door + 1)
            self.rooms[room] = Room(ident=room, name=name)
            pool.append(room)
        for s in slots:
            self.busy.add((f"R{room}", day, s))
        return room

    # ----------------------------------------------------------------- placement

    def _starts(self, day: int, length: int) -> list[int]:
        last = WEDNESDAY_LAST_SLOT if day == 3 else len(SLOT_TIMES) - 1
        if not self.lycee and day != 3:
            last = min(last, 8)
        return [
            s
            for s in range(last - length + 2)
            if not (s <= LUNCH_SLOT < s + length) and not (length > 1 and s in (1, 3))
        ]

    def place(self, units: Iterable[str], teachers: Iterable[str], length: int) -> tuple[int, int]:
        """A (day, start) where every unit and teacher is free; marks them busy."""
        keys = [*units, *(f"T{t}" for t in teachers)]
        candidates = [(day, start) for day in DAYS for start in self._starts(day, length)]
        self.rng.shuffle(candidates)
        chosen = None
        for day, start in candidates:
            if all(
                (k, day, s) not in self.busy for k in keys for s in range(start, start + length)
            ):
                chosen = (day, start)
                break
        if chosen is None:  # an over-full week: accept a clash rather than drop hours
            chosen = candidates[0]
        day, start = chosen
        for k in keys:
            for s in range(start, start + length):
                self.busy.add((k, day, s))
        return chosen

    def session(
        self,
        code: str,
        audience: Sequence[tuple[ItemKind, str, int]],
        teacher: str | None,
        day: int,
        start: int,
        length: int,
        *,
        weeks: int | None = None,
    ) -> _Draft:
        """A session at (day, start); masks default to the weekday's school weeks."""
        mask = self.day_masks[day] if weeks is None else weeks & self.day_masks[day]
        items = []
        if teacher is not None:
            items.append(SessionItem(ItemKind.TEACHER, teacher, mask))
        items += [SessionItem(kind, ident, mask & extra) for kind, ident, extra in audience]
        room = self.room_for(code, day, start, length)
        items.append(SessionItem(ItemKind.ROOM, room, mask))
        draft = _Draft(self.subject_by_code[code], day, start, length, items)
        self.drafts.append(draft)
        return draft

    # ----------------------------------------------------------------- classes and timetable

    def class_names(self, level: LevelPlan, count: int) -> list[str]:
        if self.lycee:
            if level.level == "2NDE":
                return [f"2NDE {n}" for n in range(1, count + 1)]
            return [f"{level.level}{n}" for n in range(1, count + 1)]
        letters = string.ascii_uppercase
        spaced = level.level in ("6", "5")
        return [
            f"{level.level} {letters[n]}" if spaced else f"{level.level}{letters[n]}"
            for n in range(count)
        ]

    def build_classes(self) -> None:
        per_level = max(1, round(self.target_students / (len(self.plans) * self.class_size)))
        # Tiny samples (tests) keep every level but with small classes.
        self.class_size = min(
            self.class_size, max(2, self.target_students // (len(self.plans) * per_level))
        )
        for level in self.plans:
            infos = [self.add_class(name, level) for name in self.class_names(level, per_level)]
            for block in level.blocks:
                for start in range(0, len(infos), block.cluster):
                    self.build_block(block, infos[start : start + block.cluster])
            for info in infos:
                self.build_class_week(info)

    def units(self, info: _ClassInfo) -> tuple[str, str]:
        ident = info.school_class.ident
        return (f"C{ident}:1", f"C{ident}:2")

    def build_class_week(self, info: _ClassInfo) -> None:
        ident = info.school_class.ident
        whole = [(ItemKind.CLASS, ident, -1)]
        for code, count, length in info.level.whole:
            for _ in range(count):
                teacher = self.teacher_for(code, ident, length)
                day, start = self.place(self.units(info), [teacher], length)
                self.session(code, whole, teacher, day, start, length)
        g1, g2 = ((ItemKind.GROUP, g, -1) for g in info.halves)
        for first, second in info.level.pairs:
            t1 = self.teacher_for(first, ident, 2)
            t2 = self.teacher_for(second, ident, 2)
            for a, b in ((g1, g2), (g2, g1)):
                day, start = self.place(self.units(info), [t1, t2], 1)
                self.session(first, [a], t1, day, start, 1)
                self.session(second, [b], t2, day, start, 1)
        for code in info.level.alternating:
            teacher = self.teacher_for(code, ident, 1)
            day, start = self.place(self.units(info), [teacher], 1)
            week_a = self.session(code, [g1], teacher, day, start, 1, weeks=self.a_weeks)
            # The other half in B weeks: same slot, teacher and room.
            mask = self.day_masks[day] & self.b_weeks
            items = [replace(item, weeks=mask) for item in week_a.items]
            items[1] = SessionItem(ItemKind.GROUP, g2[1], mask)
            self.drafts.append(_Draft(week_a.subject, day, start, 1, items))

    def build_block(self, block: Block, infos: Sequence[_ClassInfo]) -> None:
        """Option groups across `infos`, one class part per (class, option), taught together."""
        level = infos[0].level.level
        compact = "".join(i.school_class.name[len(level) :].strip() for i in infos)
        groups: list[tuple[str, str]] = []
        for code in block.options:
            parts = []
            for info in infos:
                part = self.add_part(info.school_class.ident)
                info.parts.append(part)
                info.option_part[(block.name, code)] = part
                parts.append(part)
            if block.name == "LATIN":
                name = f"{level}{compact}LATIN"
            elif block.name == "LV2":
                name = f"{level}{compact}{code[:3]}LV2"
            else:
                name = f"{level}{compact} {block.name} {code}"
            groups.append((code, self.add_group(name, parts=parts)))
        units = [u for info in infos for u in self.units(info)]
        for _ in range(block.sessions):
            teachers = [self.teacher_for(code, group, block.length) for code, group in groups]
            day, start = self.place(units, teachers, block.length)
            for (code, group), teacher in zip(groups, teachers, strict=True):
                self.session(code, [(ItemKind.GROUP, group, -1)], teacher, day, start, block.length)

    # ----------------------------------------------------------------- students

    def build_students(self) -> None:
        for info in list(self.class_info.values()):
            size = max(2, self.class_size + self.rng.randint(-2, 2))
            for index in range(size):
                self.add_student(info, index)
        self.add_siblings()

    def add_student(self, info: _ClassInfo, index: int, *, age: int | None = None) -> str:
        ident = self._ident(self.students)
        last, first, female = pick_person(self.rng)
        start = self.calendar.year.start
        born_year = start.year - (age or info.level.birth_age) - (self.rng.random() < 0.08)
        birth = date(born_year, 1, 1) + timedelta(days=self.rng.randint(0, 364))
        year = self.calendar.year
        memberships = (DatedMembership(info.school_class.ident, year.start, year.end),)
        parts = [info.half_parts[index % 2]] if info.half_parts else []
        seen_blocks: dict[str, list[str]] = {}
        for (block_name, _code), part in info.option_part.items():
            seen_blocks.setdefault(block_name, []).append(part)
        for block in info.level.blocks:
            options = seen_blocks.get(block.name, [])
            if not options or (block.optional and self.rng.random() > 0.3):
                continue
            parts.append(options[self.rng.randrange(len(options))])
        guardians = self.guardians(last)
        has_idpn = self.rng.random() > 0.03
        has_cas = self.rng.random() < 0.35
        self.students[ident] = Student(
            ident=ident,
            last_name=last,
            first_name=first,
            birth_date=birth,
            sex="Feminin" if female else "Masculin",
            ine=f"{self.rng.randint(10**9, 10**10 - 1)}{self.rng.choice('ABCDEFGHJK')}",
            idsconet=str(400000 + int(ident)),
            idpn=self._idpn() if has_idpn else None,
            idcas=f"{ascii_login(first, last)}{ident}" if has_cas else None,
            id_etablissement=str(2000 + int(ident)),
            postcode=f"49{self.rng.randint(0, 999):03d}",
            guardians=guardians,
            class_memberships=memberships,
            part_memberships=tuple(DatedMembership(p, year.start, year.end) for p in parts),
        )
        return ident

    def guardians(self, last: str) -> tuple[Guardian, ...]:
        count = 1 if self.rng.random() < 0.2 else 2
        result = []
        for rank in range(1, count + 1):
            _, first, female = pick_person(self.rng, female=rank == 1)
            base = len(self.students) * 2 + rank
            result.append(
                Guardian(
                    ident=str(base),
                    rank=rank,
                    last_name=last,
                    first_name=first,
                    civility="Mme" if female else "M.",
                )
            )
        return tuple(result)

    def add_siblings(self) -> None:
        """Give some students a sibling's family name and the very same guardians."""
        idents = list(self.students)
        for _ in range(max(2, len(idents) // 25)):
            older, younger = self.rng.sample(idents, 2)
            source = self.students[older]
            target = self.students[younger]
            self.students[younger] = replace(
                target, last_name=source.last_name, guardians=source.guardians
            )

    # ----------------------------------------------------------------- planted cases

    def plant_cases(self) -> None:
        """The situations real schools produce and the importer must handle (module doc)."""
        infos = list(self.class_info.values())
        by_level: dict[str, list[_ClassInfo]] = {}
        for info in infos:
            by_level.setdefault(info.level.level, []).append(info)
        levels = list(by_level.values())
        first, last = levels[0], levels[-1]
        self.plant_ulis(first)
        # Two classes attached directly to one session: two courses (seed §2).
        a, b = last[0], last[min(1, len(last) - 1)]
        both = [
            (ItemKind.CLASS, a.school_class.ident, -1),
            (ItemKind.CLASS, b.school_class.ident, -1),
        ]
        self.planted("ELOQ", both, [*self.units(a), *self.units(b)])
        # A group made of two whole classes: one shared course (seed §2, §5.4).
        c, d = first[max(0, len(first) - 2)], first[-1]
        pair = self.add_group(
            f"{c.school_class.name.replace(' ', '')}{d.school_class.name[-1]}",
            classes=(c.school_class.ident, d.school_class.ident),
        )
        self.planted("ACTED", [(ItemKind.GROUP, pair, -1)], [*self.units(c), *self.units(d)])
        # A class part alone: never imported, reported as "class part only".
        alone = last[-1]
        part = alone.half_parts[0]
        self.planted("AIDES", [(ItemKind.CLASS_PART, part, -1)], self.units(alone))
        self.plant_allophones(last[len(last) // 2])
        # Welcoming next year's pupils: a few June weeks only, no teacher.
        june = self.calendar.weeks_between(
            date(self.calendar.year.end.year, 6, 1), self.calendar.year.end
        )
        info = first[0]
        day, start = self.place(self.units(info), [], 2)
        audience = [(ItemKind.CLASS, info.school_class.ident, -1)]
        self.session("ACCM2", audience, None, day, start, 2, weeks=june)
        # A session with nothing but its subject: never occurs.
        self.drafts.append(_Draft(self.subject_by_code["CSEGP"], 2, 8, 1, []))
        # Two teachers and two rooms at once (co-teaching at the CDI).
        info = levels[len(levels) // 2][0]
        t1 = self.teacher_for("EDMED", info.school_class.ident, 1)
        t2 = self.teacher_for("FRANC", info.school_class.ident, 1)
        day, start = self.place(self.units(info), [t1, t2], 1)
        audience = [(ItemKind.CLASS, info.school_class.ident, -1)]
        draft = self.session("EDMED", audience, t1, day, start, 1)
        mask = draft.items[0].weeks
        draft.items.insert(1, SessionItem(ItemKind.TEACHER, t2, mask))
        draft.items.append(SessionItem(ItemKind.ROOM, self.room_for("FRANC", day, start, 1), mask))
        self.plant_week_cases()

    def planted(
        self, code: str, audience: Sequence[tuple[ItemKind, str, int]], units: Iterable[str]
    ) -> _Draft:
        """One weekly hour of `code` for `audience`, with its own teacher."""
        teacher = self.teacher_for(code, f"planted {code}", 1)
        day, start = self.place(units, [teacher], 1)
        return self.session(code, audience, teacher, day, start, 1)

    def plant_allophones(self, host: _ClassInfo) -> None:
        """Allophone pupils (FLS): a group of one class part, taught alone and also attached
        next to their whole class in a French session (a class and a group together)."""
        ident = host.school_class.ident
        part = self.add_part(ident)
        host.parts.append(part)
        group = self.add_group(f"{host.level.level}FLS", parts=(part,))
        year = self.calendar.year
        pupils = [s for s in self.students.values() if s.class_memberships[0].ident == ident]
        for pupil in pupils[:3]:
            joined = DatedMembership(part, year.start, year.end)
            self.students[pupil.ident] = replace(
                pupil, part_memberships=(*pupil.part_memberships, joined)
            )
        self.planted("ALPHA", [(ItemKind.GROUP, group, -1)], self.units(host))
        teacher = self.teacher_for("FRANC", ident, 1)
        day, start = self.place(self.units(host), [teacher], 1)
        both = [(ItemKind.CLASS, ident, -1), (ItemKind.GROUP, group, -1)]
        self.session("FRANC", both, teacher, day, start, 1)

    def plant_ulis(self, hosts: Sequence[_ClassInfo]) -> None:
        """An ULIS class whose pupils join their host class's sessions through class parts."""
        plan = hosts[0].level
        ulis = self.add_class("ULIS", plan, halves=False)
        ulis_ident = ulis.school_class.ident
        ulis_parts = []
        for host in hosts[:3]:
            part = self.add_part(ulis_ident)
            ulis.parts.append(part)
            ulis_parts.append((host, part))
        for _ in range(6):
            teacher = self.teacher_for("ACULI", ulis_ident, 1)
            day, start = self.place(self.units(ulis), [teacher], 1)
            self.session("ACULI", [(ItemKind.CLASS, ulis_ident, -1)], teacher, day, start, 1)
        for host, part in ulis_parts:
            for draft in self.drafts:
                codes = {"EPS", "A-PLA", "EDMUS", "HIGEO"}
                if self.subjects[draft.subject].code not in codes:
                    continue
                if any(
                    i.kind is ItemKind.CLASS and i.ident == host.school_class.ident
                    for i in draft.items
                ):
                    mask = draft.items[0].weeks
                    draft.items.insert(-1, SessionItem(ItemKind.CLASS_PART, part, mask))
        year = self.calendar.year
        for n in range(8):
            host, part = ulis_parts[n % len(ulis_parts)]
            ident = self.add_student(ulis, n, age=plan.birth_age + self.rng.randint(0, 2))
            student = self.students[ident]
            self.students[ident] = replace(
                student,
                part_memberships=(DatedMembership(part, year.start, year.end),),
            )

    def plant_week_cases(self) -> None:
        """Substitutes, A/B rooms, cancelled weeks (per-item week masks, format §3)."""
        regular = [
            d
            for d in self.drafts
            if d.items
            and d.items[0].kind is ItemKind.TEACHER
            and d.items[-1].kind is ItemKind.ROOM
            and self.subjects[d.subject].code in {"FRANC", "MATHS", "HIGEO", "AGL1", "PHILO"}
        ]
        picks = self.rng.sample(regular, 9)
        cal = self.calendar
        for draft in picks[:3]:  # a substitute during a sick leave after Christmas
            first_week = cal.week_of(cal.year.start) + 18
            leave = cal.weeks_between(
                cal.monday_of(first_week), cal.monday_of(first_week + 2) + timedelta(days=6)
            )
            holder = draft.items[0]
            code = self.subjects[draft.subject].code
            substitute = self.hire(code)
            draft.items[0] = SessionItem(ItemKind.TEACHER, holder.ident, holder.weeks & ~leave)
            draft.items.insert(1, SessionItem(ItemKind.TEACHER, substitute, holder.weeks & leave))
        for draft in picks[3:6]:  # room A one week, room B the other
            room = draft.items[-1]
            other = self.room_for("", draft.day, draft.start, draft.length)
            draft.items[-1] = SessionItem(ItemKind.ROOM, room.ident, room.weeks & self.a_weeks)
            draft.items.append(SessionItem(ItemKind.ROOM, other, room.weeks & self.b_weeks))
        for draft in picks[6:]:  # a school trip or mock exam cancels a week or two
            weeks = [w for w in range(1, cal.last_week + 1) if draft.items[0].weeks >> w & 1]
            chosen = self.rng.sample(weeks[len(weeks) // 3 :], 2)
            draft.cancelled = sum(1 << w for w in chosen)

    def plant_student_cases(self) -> None:
        """A mid-year class change, a pupil who left, one who arrived late."""
        year = self.calendar.year
        cal = self.calendar
        same_level: dict[str, list[_ClassInfo]] = {}
        for info in self.class_info.values():
            if info.school_class.name != "ULIS":
                same_level.setdefault(info.level.level, []).append(info)
        candidates = [infos for infos in same_level.values() if len(infos) > 1]
        ulis = {i for i, info in self.class_info.items() if not info.halves}
        regular = [s for s in self.students.values() if s.class_memberships[0].ident not in ulis]
        movers = self.rng.sample(regular, 3)
        switch = cal.year.start + timedelta(days=130)
        switch += timedelta(days=(7 - switch.weekday()) % 7)  # a Monday in January
        mover = movers[0]
        old = self.class_info[mover.class_memberships[0].ident]
        pool = next((c for c in candidates if old in c), None)
        if pool:
            new = next(i for i in pool if i is not old)
            day_before = switch - timedelta(days=1)
            option_of = {part: key for key, part in old.option_part.items()}
            parts = []
            for membership in mover.part_memberships:
                parts.append(DatedMembership(membership.ident, year.start, day_before))
                if membership.ident in old.half_parts:
                    parts.append(DatedMembership(new.half_parts[0], switch, year.end))
                elif (key := option_of.get(membership.ident)) in new.option_part:
                    parts.append(DatedMembership(new.option_part[key], switch, year.end))
            self.students[mover.ident] = replace(
                mover,
                class_memberships=(
                    DatedMembership(old.school_class.ident, year.start, day_before),
                    DatedMembership(new.school_class.ident, switch, year.end),
                ),
                part_memberships=tuple(parts),
            )
        left = cal.year.start + timedelta(days=40)
        leaver = movers[1]
        self.students[leaver.ident] = replace(
            leaver,
            class_memberships=tuple(
                DatedMembership(m.ident, m.entered, left) for m in leaver.class_memberships
            ),
            part_memberships=tuple(
                DatedMembership(m.ident, m.entered, left) for m in leaver.part_memberships
            ),
        )
        arrived = cal.year.start + timedelta(days=75)
        late = movers[2]
        self.students[late.ident] = replace(
            late,
            class_memberships=tuple(
                DatedMembership(m.ident, arrived, m.left) for m in late.class_memberships
            ),
            part_memberships=tuple(
                DatedMembership(m.ident, arrived, m.left) for m in late.part_memberships
            ),
        )

    # ----------------------------------------------------------------- newer PRONOTE exports

    def main_teachers(self, class_ident: str) -> tuple[str, ...]:
        """`ProfesseurPrincipal` (newer files only): the class's French teacher."""
        teacher = self.assignment.get(("FRANC", class_ident))
        return (teacher,) if self.newer and teacher is not None else ()

    def plant_newer(self) -> None:
        """What newer PRONOTE versions add (format §3, not in schema 1.1): staff and equipment
        attached to sessions, a group listing its students directly, pupils attached directly
        to a session with `SemainesInclusion`."""
        for last, first in (("LE GOFF", "Anne-Sophie"), ("BEN AMAR", "Youssef")):
            ident = self._ident(self.staff)
            idcas = ascii_login(first, last)
            self.staff[ident] = StaffMember(ident, last, first, self._idpn(), idcas)
        for name in ("VIDEOPROJECTEUR 1", "VIDEOPROJECTEUR 2", "CHARIOT TABLETTES"):
            ident = self._ident(self.equipment)
            self.equipment[ident] = Equipment(ident, name)
        librarian = "1"
        media = self.subject_by_code["EDMED"]
        tablets = self.subject_by_code["EVAL NUM" if self.lycee else "TECHN"]
        for draft in self.drafts:
            if not draft.items:
                continue
            mask = draft.items[0].weeks
            if draft.subject == media:
                draft.items.append(SessionItem(ItemKind.STAFF, librarian, mask))
            elif draft.subject == tablets:
                draft.items.append(SessionItem(ItemKind.EQUIPMENT, "3", mask))
        # A theatre workshop listing its pupils directly (no class, no class part).
        pupils = self.rng.sample(sorted(self.students, key=int), min(6, len(self.students)))
        workshop = self._ident(self.groups)
        self.groups[workshop] = Group(workshop, "ATELIER THEATRE", student_idents=tuple(pupils))
        teacher = self.teacher_for("AEPAC", workshop, 2)
        day, start = self.place([], [teacher], 2)
        draft = self.session("AEPAC", [(ItemKind.GROUP, workshop, -1)], teacher, day, start, 2)
        draft.items.append(SessionItem(ItemKind.EQUIPMENT, "1", draft.items[0].weeks))
        # ULIS pupils attached directly (not through a class part) to a 6e class's maths
        # sessions, in A weeks only.
        ulis = next(i for i, c in self.classes.items() if c.name == "ULIS")
        pupils = [s.ident for s in self.students.values() if s.class_memberships[0].ident == ulis]
        host = next(i for i, info in self.class_info.items() if info.halves)
        maths = self.subject_by_code["MATHS"]
        for draft in self.drafts:
            audience = [i.ident for i in draft.items if i.kind is ItemKind.CLASS]
            if draft.subject == maths and audience == [host]:
                mask = draft.items[0].weeks & self.a_weeks
                draft.items += [SessionItem(ItemKind.STUDENT, p, mask) for p in pupils[:2]]

    # ----------------------------------------------------------------- result

    def build(self) -> Timetable:
        self.add_subjects()
        self.build_classes()
        self.build_students()
        self.plant_cases()
        self.plant_student_cases()
        if self.newer:
            self.plant_newer()
        classes = {
            ident: replace(
                c,
                part_idents=tuple(self.class_info[ident].parts),
                main_teacher_idents=self.main_teachers(ident),
            )
            for ident, c in self.classes.items()
        }
        # Parts in file order: the export declares them under their class (format §3).
        parts = {p: self.parts[p] for c in classes.values() for p in c.part_idents}
        sessions = tuple(
            Session(
                number=n,
                line=None,
                day=d.day,
                start_slot=d.start,
                slot_count=d.length,
                subject_ident=d.subject,
                items=tuple(sorted(d.items, key=lambda i: _KIND_RANK[i.kind])),
                cancelled_weeks=d.cancelled,
            )
            for n, d in enumerate(self.drafts, start=1)
        )
        return Timetable(
            version="1.1",
            uai=self.uai,
            school_year=self.calendar.year,
            time_grid=time_grid(),
            subjects=self.subjects,
            teachers=self.teachers,
            staff=self.staff,
            classes=classes,
            class_parts=parts,
            groups=self.groups,
            rooms=self.rooms,
            equipment=self.equipment,
            students=self.students,
            sessions=sessions,
        )


_KIND_RANK = {kind: rank for rank, kind in enumerate(ITEM_ORDER)}


def build_timetable(
    *, students: int, seed: int, calendar: SchoolCalendar, uai: str, newer: bool = False
) -> Timetable:
    """A whole establishment's timetable, deterministic for (students, seed, school year).

    `newer` adds the parts of recent PRONOTE versions that schema 1.1 lacks (see plant_newer).
    """
    builder = SchoolBuilder(students=students, seed=seed, calendar=calendar, uai=uai, newer=newer)
    return builder.build()
