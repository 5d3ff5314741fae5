"""Write a `Timetable` as the cleartext `ExportEmploiDuTemps` 1.1 document PRONOTE/EDT produces.

Used by the sample generator and by hand-made test exports, so it writes exactly what the model
holds: optional attributes only when set, sections in schema order (`ExportEmploiDuTemps.xsd`),
the `Cours/Cours` container, week masks in decimal. Newer, non-1.1 parts (`Personnels`,
`Materiels`, `ProfesseurPrincipal`, `Eleve` children of `Cours` with `SemainesInclusion`, students
listed in a `Groupe`) are written only when the model has them, so a plain 1.1 model gives a
schema-valid 1.1 file. Session items are written grouped by kind in schema order (the schema
imposes it); within a kind, the model's order is kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time

from lxml import etree

from edt_tui.pronote.model import (
    DatedMembership,
    ItemKind,
    SchoolClass,
    Session,
    Student,
    Teacher,
    Timetable,
)

NAMESPACE = "http://www.index-education.com/exportemploidutemps"
DEFAULT_VERSION = "1.1"

ITEM_ORDER: tuple[ItemKind, ...] = (
    ItemKind.TEACHER,
    ItemKind.STAFF,
    ItemKind.CLASS,
    ItemKind.CLASS_PART,
    ItemKind.GROUP,
    ItemKind.ROOM,
    ItemKind.EQUIPMENT,
    ItemKind.STUDENT,
)
"""Order of a session's children: schema 1.1 order, newer kinds next to their closest relative."""

_Attr = tuple[str, str | None]


def _q(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _day(value: date) -> str:
    return value.isoformat()


def _clock(value: time) -> str:
    return value.strftime("%H:%M:%S")


def _sub(parent: etree._Element, name: str, attrs: Iterable[_Attr] = ()) -> etree._Element:
    """A child element with the given attributes in order; `None` values are left out."""
    element = etree.SubElement(parent, _q(name))
    for key, value in attrs:
        if value is not None:
            element.set(key, value)
    return element


def _opt_day(value: date | None) -> str | None:
    return _day(value) if value is not None else None


def _teacher_attrs(teacher: Teacher) -> list[_Attr]:
    return [
        ("Ident", teacher.ident),
        ("Nom", teacher.last_name),
        ("Prenom", teacher.first_name),
        ("CodePostal", teacher.postcode),
        ("DateNaissance", _opt_day(teacher.birth_date)),
        ("IDSTS", teacher.idsts),
        ("IDPN", teacher.idpn),
        ("IDCAS", teacher.idcas),
    ]


def _write_class(
    parent: etree._Element, school_class: SchoolClass, parts: Iterable[tuple[str, str | None]]
) -> None:
    """A `Classe` with its parts (ident, optional name) then its main teachers (newer files)."""
    element = _sub(parent, "Classe", [("Ident", school_class.ident), ("Nom", school_class.name)])
    for part_ident, part_name in parts:
        _sub(element, "PartieDeClasse", [("Ident", part_ident), ("Nom", part_name)])
    for teacher_ident in school_class.main_teacher_idents:
        _sub(element, "ProfesseurPrincipal", [("Ident", teacher_ident)])


def _membership(parent: etree._Element, name: str, membership: DatedMembership) -> None:
    _sub(
        parent,
        name,
        [
            ("Ident", membership.ident),
            ("DateEntree", _opt_day(membership.entered)),
            ("DateSortie", _opt_day(membership.left)),
        ],
    )


def _write_student(parent: etree._Element, student: Student) -> None:
    element = _sub(
        parent,
        "Eleve",
        [
            ("Ident", student.ident),
            ("Nom", student.last_name),
            ("Prenom", student.first_name),
            ("DateNaissance", _opt_day(student.birth_date)),
            ("Sexe", student.sex),
            ("CodePostal", student.postcode),
            ("NumeroNational", student.ine),
            ("IDSconet", student.idsconet),
            ("IDPN", student.idpn),
            ("IDCAS", student.idcas),
            ("IDEtablissement", student.id_etablissement),
        ],
    )
    for guardian in student.guardians:
        _sub(
            element,
            "Responsable",
            [
                ("Ident", guardian.ident),
                ("RespLegal", str(guardian.rank) if guardian.rank is not None else None),
                ("Nom", guardian.last_name),
                ("Prenom", guardian.first_name),
                ("Civilite", guardian.civility),
                # Required by the schema; the model keeps no postal address.
                ("Adresse1", ""),
                ("IDPN", guardian.idpn),
                ("IDCAS", guardian.idcas),
            ],
        )
    for membership in student.class_memberships:
        _membership(element, "Classe", membership)
    for membership in student.part_memberships:
        _membership(element, "PartieDeClasse", membership)


def _write_session(parent: etree._Element, session: Session) -> None:
    element = _sub(
        parent,
        "Cours",
        [
            ("Jour", str(session.day)),
            ("NumeroPlaceDebut", str(session.start_slot)),
            ("NombrePlaces", str(session.slot_count)),
            ("SemainesAnnulation", _opt_int(session.cancelled_weeks or None)),
        ],
    )
    if session.subject_ident is not None:
        _sub(element, "Matiere", [("Ident", session.subject_ident)])
    for kind in ITEM_ORDER:
        mask_name = "SemainesInclusion" if kind is ItemKind.STUDENT else "Semaines"
        for item in session.items:
            if item.kind is kind:
                _sub(element, kind.value, [("Ident", item.ident), (mask_name, str(item.weeks))])


def build_document(t: Timetable) -> etree._Element:
    """The `ExportEmploiDuTemps` element tree of `t` (sections in schema order)."""
    root = etree.Element(_q("ExportEmploiDuTemps"), nsmap={None: NAMESPACE})
    root.set("Version", t.version or DEFAULT_VERSION)
    if t.uai is not None:
        root.set("UAI", t.uai)
    if t.school_year is not None:
        year = t.school_year
        _sub(
            root,
            "AnneeScolaire",
            [
                ("DateDebut", _day(year.start)),
                ("DateFin", _day(year.end)),
                ("DatePremierJourSemaine1", _day(year.week1_monday)),
            ],
        )
    if t.time_grid is not None:
        grid = t.time_grid
        grid_element = _sub(
            root,
            "GrilleHoraire",
            [
                ("NombrePlacesParJour", _opt_int(grid.slots_per_day)),
                ("DureePlace", _opt_int(grid.slot_minutes)),
            ],
        )
        days = _sub(grid_element, "JoursOuvres")
        for day in grid.working_days:
            _sub(days, "Jour").text = str(day)
        places = _sub(grid_element, "PlacesParJour")
        for slot in grid.slots.values():
            _sub(
                places,
                "Place",
                [
                    ("Numero", str(slot.number)),
                    ("LibelleHeureDebut", _clock(slot.start)),
                    ("LibelleHeureFin", _clock(slot.end)),
                ],
            )
    section = _sub(root, "Matieres")
    for subject in t.subjects.values():
        _sub(
            section,
            "Matiere",
            [("Ident", subject.ident), ("Code", subject.code), ("Libelle", subject.label)],
        )
    section = _sub(root, "Professeurs")
    for teacher in t.teachers.values():
        _sub(section, "Professeur", _teacher_attrs(teacher))
    if t.staff:
        section = _sub(root, "Personnels")
        for member in t.staff.values():
            _sub(
                section,
                "Personnel",
                [
                    ("Ident", member.ident),
                    ("Nom", member.last_name),
                    ("Prenom", member.first_name),
                    ("IDPN", member.idpn),
                    ("IDCAS", member.idcas),
                ],
            )
    section = _sub(root, "Classes")
    parts_by_class: dict[str, list[str]] = {}
    for part in t.class_parts.values():
        parts_by_class.setdefault(part.class_ident, []).append(part.ident)
    for school_class in t.classes.values():
        part_idents = school_class.part_idents or tuple(parts_by_class.get(school_class.ident, ()))
        parts = [(ident, _part_name(t, ident)) for ident in part_idents]
        _write_class(section, school_class, parts)
    section = _sub(root, "Groupes")
    for group in t.groups.values():
        element = _sub(section, "Groupe", [("Ident", group.ident), ("Nom", group.name)])
        for ident in group.class_idents:
            _sub(element, "Classe", [("Ident", ident)])
        for ident in group.part_idents:
            _sub(element, "PartieDeClasse", [("Ident", ident)])
        for ident in group.student_idents:
            _sub(element, "Eleve", [("Ident", ident)])
    section = _sub(root, "Salles")
    for room in t.rooms.values():
        _sub(section, "Salle", [("Ident", room.ident), ("Nom", room.name)])
    if t.equipment:
        section = _sub(root, "Materiels")
        for item in t.equipment.values():
            _sub(section, "Materiel", [("Ident", item.ident), ("Nom", item.name)])
    section = _sub(root, "Eleves")
    for student in t.students.values():
        _write_student(section, student)
    section = _sub(root, "Cours")
    for session in t.sessions:
        _write_session(section, session)
    return root


def _part_name(t: Timetable, ident: str) -> str | None:
    part = t.class_parts.get(ident)
    return part.name if part is not None else None


def _opt_int(value: int | None) -> str | None:
    return str(value) if value is not None else None


def write_timetable(t: Timetable) -> bytes:
    """The UTF-8 cleartext document for `t`, with an XML declaration, one element per line."""
    return etree.tostring(
        build_document(t), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
