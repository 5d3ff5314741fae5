"""The writer alone: a handmade Timetable survives writer → reader; 1.1 output is schema-valid."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path

from lxml import etree

from edt_tui.pronote.envelope import seal_envelope
from edt_tui.pronote.model import (
    ClassPart,
    DatedMembership,
    Equipment,
    Group,
    Guardian,
    ItemKind,
    Room,
    SchoolClass,
    SchoolYear,
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
from edt_tui.pronote.reader import read_export
from edt_tui.pronote.writer import ITEM_ORDER, NAMESPACE, write_timetable

XSD = Path(__file__).resolve().parents[2] / "docs" / "formats" / "ExportEmploiDuTemps.xsd"
"""Index Education's published 1.1 schema, kept in the repository."""

A_WEEKS = sum(1 << w for w in range(1, 45, 2))
B_WEEKS = sum(1 << w for w in range(2, 45, 2))


def handmade(*, newer: bool) -> Timetable:
    """Every construct of the format; `newer` adds what schema 1.1 does not have."""
    year = SchoolYear(date(2026, 9, 1), date(2027, 7, 3), date(2026, 8, 31))
    grid = TimeGrid(
        slots_per_day=3,
        slot_minutes=55,
        working_days=(1, 2, 3, 4, 5),
        slots={
            0: Slot(0, time(8, 0), time(8, 55)),
            1: Slot(1, time(9, 5), time(10, 0)),
            2: Slot(2, time(10, 15), time(11, 10)),
        },
    )
    subjects = {
        "1": Subject("1", "FRANC", "FRANCAIS"),
        "7": Subject("7", "EVAL NUM", "Evaluation Numérique"),
        "2": Subject("2", "EMC", "ENS. MORAL & CIVIQUE"),
    }
    teachers = {
        "1": Teacher("1", "LE GALL", "Marie-Hélè", date(1980, 5, 17), "ABCDEFGH23456789",
                     "marie.legall", "12345", "49000"),
        "2": Teacher("2", "N'DIAYE", "Loïc"),
    }
    parts = {
        "1": ClassPart("1", "2", "3A ALL" if newer else None),
        "2": ClassPart("2", "2", None),
        "3": ClassPart("3", "1", None),
    }
    classes = {
        "2": SchoolClass("2", "3 A", ("1", "2"), ("1",) if newer else ()),
        "1": SchoolClass("1", "ULIS", ("3",)),
    }
    groups = {
        "5": Group("5", "3ADLATIN", ("2",), ("1",), ("10",) if newer else ()),
    }
    rooms = {"1": Room("1", "101"), "2": Room("2", "LABO SVT 1")}
    guardian = Guardian("40", 1, "DE LA FONTAINE", "Agnès", "Mme")
    students = {
        "10": Student(
            "10", "DE LA FONTAINE", "Zoé", date(2012, 2, 29), "Feminin", "1234567890A", "4001",
            "ZZZZZZZZZZZZZZZ2", "zoe.delafontaine", "2001", "49100", (guardian,),
            (
                DatedMembership("2", date(2026, 9, 1), date(2027, 1, 3)),
                DatedMembership("1", date(2027, 1, 4), date(2027, 7, 3)),
            ),
            (DatedMembership("1", date(2026, 9, 1), date(2027, 7, 3)),),
        ),
        "11": Student(
            "11", "DE LA FONTAINE", "Côme", date(2014, 6, 1), "Masculin",
            guardians=(guardian, Guardian("41", 2, "DE LA FONTAINE", "Joël", "M.")),
            class_memberships=(DatedMembership("2", date(2026, 9, 1), date(2026, 10, 16)),),
        ),
    }
    items = [
        SessionItem(ItemKind.ROOM, "2", B_WEEKS),  # deliberately out of schema order
        SessionItem(ItemKind.TEACHER, "1", A_WEEKS | B_WEEKS),
        SessionItem(ItemKind.TEACHER, "2", 1 << 20),
        SessionItem(ItemKind.CLASS, "2", A_WEEKS | B_WEEKS),
        SessionItem(ItemKind.CLASS_PART, "3", A_WEEKS),
        SessionItem(ItemKind.GROUP, "5", 0),
        SessionItem(ItemKind.ROOM, "1", A_WEEKS),
    ]
    staff: dict[str, StaffMember] = {}
    equipment: dict[str, Equipment] = {}
    if newer:
        staff = {"3": StaffMember("3", "BEN AMAR", "Aïcha", "STAFF000000000AB", "aicha.benamar")}
        equipment = {"4": Equipment("4", "VIDEOPROJECTEUR 2")}
        items += [
            SessionItem(ItemKind.STAFF, "3", A_WEEKS),
            SessionItem(ItemKind.EQUIPMENT, "4", B_WEEKS),
            SessionItem(ItemKind.STUDENT, "11", A_WEEKS),
        ]
    sessions = (
        Session(1, None, 1, 0, 2, "1", tuple(items), cancelled_weeks=(1 << 12) | (1 << 13)),
        Session(2, None, 3, 2, 1, "7", ()),
        Session(3, None, 6, 5, 1, "2", (SessionItem(ItemKind.CLASS_PART, "2", (1 << 54) - 2),)),
    )
    return Timetable(
        version="1.1",
        uai="0490856P",
        school_year=year,
        time_grid=grid,
        subjects=subjects,
        teachers=teachers,
        staff=staff,
        classes=classes,
        class_parts=parts,
        groups=groups,
        rooms=rooms,
        equipment=equipment,
        students=students,
        sessions=sessions,
    )


def _order(t: Timetable) -> Timetable:
    """The writer groups a session's items by kind (the schema imposes it)."""
    order = {kind: n for n, kind in enumerate(ITEM_ORDER)}
    return replace(
        t,
        sessions=tuple(
            replace(s, items=tuple(sorted(s.items, key=lambda i: order[i.kind])))
            for s in t.sessions
        ),
    )


def assert_same_timetable(read: Timetable, expected: Timetable) -> None:
    # Session 3 sits on a Saturday on purpose: the reader says so, nothing else.
    assert [w.code for w in read.warnings] == ["outside_working_days"]
    for name in (
        "version", "uai", "school_year", "time_grid", "subjects", "teachers", "staff",
        "classes", "class_parts", "groups", "rooms", "equipment", "students",
    ):
        got, want = getattr(read, name), getattr(expected, name)
        if hasattr(want, "items"):
            assert list(got.items()) == list(want.items()), name
        else:
            assert got == want, name
    assert [replace(s, line=None) for s in read.sessions] == list(expected.sessions)


def test_handmade_1_1_timetable_round_trips_through_the_reader() -> None:
    original = handmade(newer=False)
    export = read_export(write_timetable(original), source_name="handmade.xml")
    assert_same_timetable(export.timetable, _order(original))


def test_newer_sections_round_trip_too() -> None:
    original = handmade(newer=True)
    data = write_timetable(original)
    export = read_export(data, source_name="newer.xml")
    assert_same_timetable(export.timetable, _order(original))
    root = etree.fromstring(data)
    inclusion = root.find(f"{{{NAMESPACE}}}Cours/{{{NAMESPACE}}}Cours/{{{NAMESPACE}}}Eleve")
    assert inclusion is not None
    assert inclusion.get("SemainesInclusion") == str(A_WEEKS)
    assert inclusion.get("Semaines") is None


def test_handmade_export_round_trips_encrypted(key_pair: tuple[bytes, bytes]) -> None:
    original = handmade(newer=False)
    sealed = seal_envelope(
        write_timetable(original),
        partners={"ITSLEARNING": key_pair[1]},
        uai="0490856P",
        establishment_name="COLLEGE D'ESSAI",
        postcode_city="49000 ANGERS",
        software="PRONOTE 2026",
        exported_at=datetime(2026, 11, 27, 17, 0),
    )
    export = read_export(sealed, private_key=key_pair[0], source_name="sealed.xml")
    assert export.encrypted
    assert_same_timetable(export.timetable, _order(original))


def test_sections_are_in_schema_order_and_masks_decimal() -> None:
    root = etree.fromstring(write_timetable(handmade(newer=True)))
    names = [etree.QName(child).localname for child in root]
    assert names == [
        "AnneeScolaire", "GrilleHoraire", "Matieres", "Professeurs", "Personnels", "Classes",
        "Groupes", "Salles", "Materiels", "Eleves", "Cours",
    ]
    first = root.find(f"{{{NAMESPACE}}}Cours/{{{NAMESPACE}}}Cours")
    assert first is not None
    kinds = [etree.QName(child).localname for child in first]
    assert kinds[0] == "Matiere"
    assert kinds.index("Professeur") < kinds.index("Classe") < kinds.index("Groupe")
    assert kinds.index("Groupe") < kinds.index("Salle")
    assert first.get("SemainesAnnulation") == str((1 << 12) | (1 << 13))
    assert all(
        (child.get("Semaines") or child.get("SemainesInclusion") or "x").isdigit()
        for child in first
        if etree.QName(child).localname != "Matiere"
    )


def test_plain_1_1_output_is_valid_against_the_published_schema() -> None:
    schema_path = XSD
    schema = etree.XMLSchema(etree.parse(str(schema_path)))
    root = etree.fromstring(write_timetable(handmade(newer=False)))
    # SemainesAnnulation is real (format doc §3) but missing from the 1.1 schema.
    for element in root.iter():
        element.attrib.pop("SemainesAnnulation", None)
    assert schema.validate(root), schema.error_log.last_error
