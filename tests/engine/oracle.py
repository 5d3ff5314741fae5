"""A deliberately naive, literal reading of import-rules §2–§7 for the default selection.

No caches, no bit tricks, no shared code with the engine beyond the input model: week by week,
item by item, as the rules are worded. Used by the property test that compares it with the
engine on random small timetables.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from edt_tui.engine.model import DirectoryUser, ReferentialClass, ReferentialSubject
from edt_tui.pronote.model import ItemKind, Timetable


def _norm(text: str | None) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    kept = [c for c in decomposed if not unicodedata.combining(c)]
    return "".join(c for c in "".join(kept).upper() if c.isalnum())


def _reconcile(profile: str, people: list, directory: list[DirectoryUser]) -> dict[str, str]:
    """Export ident → sync id, for reconciled people only."""
    candidates = [u for u in directory if u.profile.value == profile and u.source.value != "MANUAL"]
    claims: dict[str, str] = {}
    for person in people:
        found: list[DirectoryUser] = []
        if person.idpn:
            found = [u for u in candidates if u.idpn == person.idpn]
        if not found and person.idcas:
            found = [u for u in candidates if u.cas_login and u.cas_login == person.idcas]
        if not found and (profile == "teacher" or person.birth_date is not None):
            found = [
                u
                for u in candidates
                if _norm(u.last_name) == _norm(person.last_name)
                and _norm(u.first_name) == _norm(person.first_name)
                and (profile == "teacher" or u.birth_date == person.birth_date)
            ]
            if len(found) == 1 and found[0].idpn and person.idpn and found[0].idpn != person.idpn:
                found = []  # relink required: not reconciled until confirmed
        if len(found) == 1:
            claims[person.ident] = found[0].sync_id
    owners: dict[str, int] = {}
    for sync_id in claims.values():
        owners[sync_id] = owners.get(sync_id, 0) + 1
    return {i: s for i, s in claims.items() if owners[s] == 1}


def oracle_courses(
    tt: Timetable,
    *,
    uai: str,
    zone: str,
    reference_time: datetime,
    directory: list[DirectoryUser],
    subjects: list[ReferentialSubject],
    classes: list[ReferentialClass],
) -> dict[str, dict]:
    """Selected course key → {label, teachers, students, events: start → (end, rooms, teachers)}."""
    assert tt.school_year is not None and tt.time_grid is not None
    year, grid, tz = tt.school_year, tt.time_grid, ZoneInfo(zone)
    year_label = f"{year.start.year}-{year.end.year}"
    teachers = _reconcile("teacher", list(tt.teachers.values()), directory)
    students = _reconcile("student", list(tt.students.values()), directory)
    d_day = max(reference_time.astimezone(tz).date(), year.start)

    def subject_label(label: str, code: str) -> str | None:
        by_name = sorted(s.name for s in subjects if _norm(s.name) == _norm(label))
        if by_name:
            return by_name[0]
        by_code = sorted(s.name for s in subjects if s.code and _norm(s.code) == _norm(code))
        return by_code[0] if by_code and _norm(code) else None

    def class_label(name: str) -> str | None:
        found = sorted(c.name for c in classes if _norm(c.name) == _norm(name))
        return found[0] if found else None

    def on_d(memberships: tuple, ident: str) -> bool:
        return any(
            m.ident == ident
            and (m.entered is None or m.entered <= d_day)
            and (m.left is None or d_day <= m.left)
            for m in memberships
        )

    def class_students(ident: str) -> set[str]:
        return {s.ident for s in tt.students.values() if on_d(s.class_memberships, ident)}

    def part_students(ident: str) -> set[str]:
        return {s.ident for s in tt.students.values() if on_d(s.part_memberships, ident)}

    courses: dict[str, dict] = {}
    for session in tt.sessions:
        subject = tt.subjects.get(session.subject_ident or "")
        if subject is None:
            continue
        s_label = subject_label(subject.label, subject.code)
        audiences = []
        for item in session.items:
            if item.kind is ItemKind.CLASS and item.ident in tt.classes:
                label = class_label(tt.classes[item.ident].name)
                if label is not None:
                    audiences.append(("class", item, label))
            elif item.kind is ItemKind.GROUP and item.ident in tt.groups:
                audiences.append(("group", item, tt.groups[item.ident].name))
        if s_label is None:
            continue
        for kind, audience, a_label in audiences:
            key = f"{uai}:{year_label}:{_norm(s_label)}:{kind}:{_norm(a_label)}"
            course = courses.setdefault(
                key,
                {
                    "label": f"{s_label} - {a_label}",
                    "teachers": set(),
                    "students": set(),
                    "events": {},
                },
            )
            if kind == "class":
                members = class_students(audience.ident)
            else:
                group = tt.groups[audience.ident]
                members = {s.ident for s in tt.students.values() if s.ident in group.student_idents}
                for c in group.class_idents:
                    members |= class_students(c)
                for p in group.part_idents:
                    members |= part_students(p)
            for item in session.items:
                if item.kind is ItemKind.CLASS_PART:
                    members |= part_students(item.ident)
                if item.kind is ItemKind.STUDENT and item.ident in tt.students:
                    members.add(item.ident)
            course["students"] |= {students[s] for s in members if s in students}
            first = grid.slots.get(session.start_slot)
            last = grid.slots.get(session.start_slot + session.slot_count - 1)
            for week in range(1, 54):
                if not (audience.weeks >> week) & 1 or (session.cancelled_weeks >> week) & 1:
                    continue
                if not 1 <= session.day <= 7:
                    continue
                day: date = year.week1_monday + timedelta(days=7 * (week - 1) + session.day - 1)
                if not year.start <= day <= year.end:
                    continue
                week_teachers = {
                    teachers[i.ident]
                    for i in session.items
                    if i.kind is ItemKind.TEACHER and (i.weeks >> week) & 1 and i.ident in teachers
                }
                course["teachers"] |= week_teachers
                if first is None or last is None or session.slot_count < 1:
                    continue
                start = datetime.combine(day, first.start, tzinfo=tz)
                end = datetime.combine(day, last.end, tzinfo=tz)
                rooms = {
                    tt.rooms[i.ident].name
                    for i in session.items
                    if i.kind is ItemKind.ROOM and (i.weeks >> week) & 1 and i.ident in tt.rooms
                }
                old = course["events"].get(start)
                if old is not None:
                    end = max(end, old[0])
                    rooms |= set(old[1])
                    week_teachers |= set(old[2])
                course["events"][start] = (end, tuple(sorted(rooms)), tuple(sorted(week_teachers)))
    for course in courses.values():
        course["events"] = {s: v for s, v in course["events"].items() if s >= reference_time}
    return courses
