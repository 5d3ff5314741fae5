"""The committed demo (samples/demo): decrypts with its test key and has every promised case.

Assertions look for the cases in the parsed model, never at counts copied from the file.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from edt_tui.pronote.model import Export, ItemKind, Session, Timetable
from edt_tui.pronote.reader import read_export

DEMO = Path(__file__).resolve().parents[2] / "samples" / "demo"
UAI = "0490856P"
ENCRYPTED = DEMO / f"Edt_To_ITSLEARNING_{UAI}.xml"
PLAIN = DEMO / f"Edt_To_ITSLEARNING_{UAI}.plain.xml"
PRIVATE_KEY = DEMO / "keys" / "partner-private-TEST-ONLY.pem"
TODAY = date(2026, 11, 28)


@pytest.fixture(scope="module")
def demo() -> Export:
    return read_export(ENCRYPTED, private_key=PRIVATE_KEY, partner="ITSLEARNING")


@pytest.fixture(scope="module")
def t(demo: Export) -> Timetable:
    return demo.timetable


def test_layout_is_complete_small_and_marked_as_test_keys() -> None:
    expected = {
        ENCRYPTED,
        PLAIN,
        PRIVATE_KEY,
        DEMO / "keys" / "partner-public-TEST-ONLY.pem",
        DEMO / "keys" / "README.txt",
        *(DEMO / "ent" / f"{n}.csv" for n in ("establishments", "users", "subjects", "classes")),
    }
    assert all(path.is_file() for path in expected)
    assert sum(p.stat().st_size for p in DEMO.rglob("*") if p.is_file()) < 2_000_000
    assert "TEST" in (DEMO / "keys" / "README.txt").read_text(encoding="utf-8")
    assert "TEST" in (DEMO.parent / "README.md").read_text(encoding="utf-8")


def test_encrypted_demo_decrypts_and_equals_its_plain_twin(demo: Export) -> None:
    assert demo.encrypted
    assert demo.envelope is not None and demo.envelope.key_present
    assert demo.uai == UAI
    assert demo.timetable.warnings == ()
    plain = read_export(PLAIN).timetable
    assert plain.subjects == demo.timetable.subjects
    assert plain.students == demo.timetable.students
    assert [replace(s, line=None) for s in plain.sessions] == [
        replace(s, line=None) for s in demo.timetable.sessions
    ]


def test_school_year_is_2026_2027(t: Timetable) -> None:
    assert t.school_year is not None
    assert (t.school_year.start, t.school_year.end) == (date(2026, 9, 1), date(2027, 7, 3))
    assert t.school_year.label == "2026-2027"


def _dates(t: Timetable, session: Session, mask: int) -> list[date]:
    assert t.school_year is not None
    monday = t.school_year.week1_monday
    return [
        monday + timedelta(days=7 * (w - 1) + session.day - 1)
        for w in range(1, 54)
        if mask >> w & 1 and not session.cancelled_weeks >> w & 1
    ]


def test_no_lesson_on_holidays(t: Timetable) -> None:
    never = {
        date(2026, 10, 21), date(2026, 11, 11), date(2026, 12, 24), date(2027, 1, 1),
        date(2027, 2, 26), date(2027, 3, 29), date(2027, 4, 22), date(2027, 5, 6),
        date(2027, 5, 7), date(2027, 5, 17),
    }
    seen: set[date] = set()
    for session in t.sessions:
        for item in session.items:
            seen.update(_dates(t, session, item.weeks))
    assert seen and not seen & never
    assert date(2026, 9, 1) in seen and date(2027, 7, 2) in seen


def _kinds(session: Session, kind: ItemKind) -> list[str]:
    return [item.ident for item in session.of_kind(kind)]


def test_audience_cases(t: Timetable) -> None:
    two_classes = [
        s for s in t.sessions
        if len(_kinds(s, ItemKind.CLASS)) == 2 and not _kinds(s, ItemKind.GROUP)
    ]
    assert two_classes, "a session with two classes attached directly"
    part_only = [
        s for s in t.sessions
        if _kinds(s, ItemKind.CLASS_PART)
        and not _kinds(s, ItemKind.CLASS)
        and not _kinds(s, ItemKind.GROUP)
    ]
    assert part_only, "a session with only a class part"
    assert any(len(g.class_idents) == 2 for g in t.groups.values()), "a group of two classes"
    across = [
        g for g in t.groups.values()
        if len({t.class_parts[p].class_ident for p in g.part_idents}) >= 2
    ]
    assert any("LATIN" in g.name for g in across) and any("LV2" in g.name for g in across)
    assert any(not s.items for s in t.sessions), "a session with only its subject"
    mixed = [s for s in t.sessions if _kinds(s, ItemKind.CLASS) and _kinds(s, ItemKind.GROUP)]
    assert mixed, "a class and a group attached together"


def test_ulis_parts_join_regular_class_sessions(t: Timetable) -> None:
    ulis = next(c for c in t.classes.values() if c.name == "ULIS")
    joined = [
        s for s in t.sessions
        for part in _kinds(s, ItemKind.CLASS_PART)
        if t.class_parts[part].class_ident == ulis.ident
        and any(c != ulis.ident for c in _kinds(s, ItemKind.CLASS))
    ]
    assert joined
    ulis_parts = set(ulis.part_idents)
    members = [
        s for s in t.students.values()
        if any(m.ident == ulis.ident for m in s.class_memberships)
        and any(m.ident in ulis_parts for m in s.part_memberships)
    ]
    assert members


def test_week_mask_cases(t: Timetable) -> None:
    substitutes = [
        s for s in t.sessions
        if len(teachers := s.of_kind(ItemKind.TEACHER)) == 2
        and all(x.weeks for x in teachers)
        and not teachers[0].weeks & teachers[1].weeks
    ]
    assert substitutes, "a substitute teacher on some weeks"
    ab_rooms = [
        s for s in t.sessions
        if len(rooms := s.of_kind(ItemKind.ROOM)) == 2
        and all(r.weeks for r in rooms)
        and not rooms[0].weeks & rooms[1].weeks
    ]
    assert ab_rooms, "rooms on complementary A/B weeks"
    cancelled = [
        s for s in t.sessions
        if s.cancelled_weeks and any(i.weeks & s.cancelled_weeks for i in s.items)
    ]
    assert cancelled, "cancelled weeks that do cancel lessons"
    co_taught = [s for s in t.sessions if len(s.of_kind(ItemKind.TEACHER)) == 2
                 and s.of_kind(ItemKind.TEACHER)[0].weeks == s.of_kind(ItemKind.TEACHER)[1].weeks]
    assert co_taught, "two teachers at once"
    assert any(not s.of_kind(ItemKind.TEACHER) and s.items for s in t.sessions)


def test_student_cases(t: Timetable) -> None:
    students = list(t.students.values())
    movers = [
        s for s in students
        if len(s.class_memberships) == 2
        and s.class_memberships[0].ident != s.class_memberships[1].ident
        and s.class_memberships[0].left is not None
        and s.class_memberships[1].entered == s.class_memberships[0].left + timedelta(days=1)
    ]
    assert movers, "a mid-year class change"
    left = [
        s for s in students
        if all(m.left is not None and m.left < TODAY for m in s.class_memberships)
    ]
    assert left, "a student who left"
    assert t.school_year is not None
    start = t.school_year.start
    late = [
        s for s in students
        if len(s.class_memberships) == 1 and (s.class_memberships[0].entered or start) > start
    ]
    assert late, "a student who arrived during the year"
    guardians: dict[str, set[str]] = {}
    for s in students:
        for g in s.guardians:
            guardians.setdefault(g.ident, set()).add(s.ident)
    assert any(len(kids) >= 2 for kids in guardians.values()), "guardians shared by siblings"
    assert any(s.idpn is None for s in students), "students without IDPN"
    assert all(s.birth_date is not None and s.sex in ("Masculin", "Feminin") for s in students)
