# ruff: noqa: E501  (handmade XML lines read best unbroken)
"""Every edge case of the format doc §5 that concerns the cleartext document, one test each."""

from __future__ import annotations

import codecs
from datetime import date, time

import pytest

from edt_tui.pronote.errors import MalformedXmlError, NotAnExportError
from edt_tui.pronote.model import ItemKind, Timetable
from edt_tui.pronote.parser import parse_timetable

from .conftest import HEAD, timetable_xml

SUBJECTS = (
    '<Matieres><Matiere Ident="1" Code="FRANC" Libelle="FRANCAIS"/>'
    '<Matiere Ident="2" Code="LCALA" Libelle="LCA LATIN"/></Matieres>'
)
TEACHERS = (
    '<Professeurs><Professeur Ident="1" Nom="LE GALL" Prenom="Anne-Sophie" IDPN="ABCDEFGH12345678"/>'
    '<Professeur Ident="2" Nom="N\'DIAYE" Prenom="Mamadou"/></Professeurs>'
)
CLASSES = (
    '<Classes><Classe Ident="2" Nom="3 A"><PartieDeClasse Ident="1"/><PartieDeClasse Ident="2"/>'
    '</Classe><Classe Ident="3" Nom="3B"/></Classes>'
)
GROUPS = '<Groupes><Groupe Ident="2" Nom="3AB LATIN"><Classe Ident="2"/><Classe Ident="3"/></Groupe></Groupes>'
ROOMS = '<Salles><Salle Ident="1" Nom="B 12"/><Salle Ident="2" Nom="LABO"/></Salles>'
ALL_MASK = 35132630760702


def parse(body: str, **kwargs: object) -> Timetable:
    return parse_timetable(timetable_xml(body, **kwargs), source_name="test.xml")  # type: ignore[arg-type]


def cours(*sessions: str) -> str:
    return "<Cours>" + "".join(sessions) + "</Cours>"


def codes(timetable: Timetable) -> list[str]:
    return [w.code for w in timetable.warnings]


def test_school_year_and_grid_with_custom_labels() -> None:
    t = parse("")
    assert t.version == "1.1" and t.uai == "0490856P"
    assert t.school_year is not None and t.school_year.label == "2026-2027"
    assert t.school_year.week1_monday == date(2026, 8, 31)
    assert t.time_grid is not None
    assert t.time_grid.working_days == (1, 2, 3, 4, 5)
    assert t.time_grid.slots[2].start == time(10, 10)
    assert t.time_grid.slots[2].end == time(11, 5)
    assert t.warnings == ()


def test_working_days_with_comments_spaces_and_bad_values() -> None:
    head = HEAD.replace(
        "<JoursOuvres><Jour>1</Jour><Jour>2</Jour>",
        "<JoursOuvres><!-- <Jour>9</Jour> --><Jour> 1 </Jour><Jour>sept</Jour><Jour/><Jour>2</Jour>",
    )
    t = parse("", head=head)
    assert t.time_grid is not None and t.time_grid.working_days == (1, 2, 3, 4, 5)
    bad = [w for w in t.warnings if w.code == "bad_value"]
    assert len(bad) == 2 and "sept" in bad[0].message and bad[0].line == 2


def test_escaped_characters_in_attributes() -> None:
    t = parse(
        '<Matieres><Matiere Ident="1" Code="EMC" Libelle="ENS. MORAL &amp; CIVIQUE"/>'
        '<Matiere Ident="2" Code="A&#38;B" Libelle="literal &amp;#38; &lt;ok&gt; &#233;t&#xE9;"/>'
        "</Matieres>"
    )
    assert t.subjects["1"].label == "ENS. MORAL & CIVIQUE"
    assert t.subjects["2"].code == "A&B"
    assert t.subjects["2"].label == "literal &#38; <ok> été"


def test_short_and_bad_slot_labels() -> None:
    head = HEAD.replace('LibelleHeureDebut="08:00:00"', 'LibelleHeureDebut="8:05"').replace(
        'LibelleHeureFin="09:55:00"', 'LibelleHeureFin="neuf heures"'
    )
    t = parse("", head=head)
    assert t.time_grid is not None
    assert t.time_grid.slots[0].start == time(8, 5)
    assert 1 not in t.time_grid.slots and codes(t) == ["bad_value"]


def test_full_small_document_counts_and_fields() -> None:
    t = parse(SUBJECTS + TEACHERS + CLASSES + GROUPS + ROOMS)
    assert list(t.subjects) == ["1", "2"]
    assert t.subjects["2"].label == "LCA LATIN" and t.subjects["2"].code == "LCALA"
    assert t.teachers["1"].idpn == "ABCDEFGH12345678"
    assert t.teachers["2"].last_name == "N'DIAYE"
    assert t.classes["2"].part_idents == ("1", "2")
    assert t.class_parts["2"].class_ident == "2"
    assert t.groups["2"].class_idents == ("2", "3")
    assert t.rooms["1"].name == "B 12"
    assert t.warnings == ()


def test_without_namespace() -> None:
    t = parse(SUBJECTS, namespace=False)
    assert len(t.subjects) == 2 and t.school_year is not None


def test_bom_and_crlf() -> None:
    data = codecs.BOM_UTF8 + timetable_xml(SUBJECTS.replace("><", ">\r\n<")).replace(b"\n", b"\r\n")
    t = parse_timetable(data)
    assert len(t.subjects) == 2 and t.time_grid is not None


@pytest.mark.parametrize("encoding", ["iso-8859-1", "utf-16"])
def test_other_declared_encodings(encoding: str) -> None:
    body = TEACHERS.replace("Mamadou", "Hélène") + cours(
        '<Cours Jour="1" NumeroPlaceDebut="0" NombrePlaces="1"><Matiere Ident="1"/></Cours>'
    )
    text = timetable_xml(SUBJECTS + body).decode()
    text = text.replace('encoding="UTF-8"', f'encoding="{encoding}"')
    t = parse_timetable(text.encode(encoding))
    assert t.teachers["2"].first_name == "Hélène" and t.sessions[0].line == 2
    assert t.time_grid is not None and t.time_grid.working_days == (1, 2, 3, 4, 5)


def test_comments_inside_elements_like_real_1_1_files() -> None:
    body = (
        '<Matieres><!-- matières --><Matiere Ident="1" Code="FRANC" Libelle="FRANCAIS"/>'
        "<!-- fin --></Matieres>"
        + TEACHERS
        + CLASSES.replace('<PartieDeClasse Ident="1"/>', '<!-- p1 --><PartieDeClasse Ident="1"/>')
        + cours(
            '<Cours Jour="1" NumeroPlaceDebut="0" NombrePlaces="1"><!-- séance -->'
            '<Matiere Ident="1"/><!-- prof --><Professeur Ident="1" Semaines="6"/></Cours>'
        )
    )
    t = parse(body)
    assert len(t.subjects) == 1 and t.classes["2"].part_idents == ("1", "2")
    assert t.sessions[0].of_kind(ItemKind.TEACHER)[0].ident == "1"
    assert "unknown_element" not in codes(t)


def test_idents_collide_across_types_unsorted_and_large() -> None:
    body = (
        '<Matieres><Matiere Ident="4294967295" Code="X" Libelle="X"/>'
        '<Matiere Ident="2" Code="Y" Libelle="Y"/></Matieres>'
        '<Classes><Classe Ident="2" Nom="6A"/></Classes><Salles><Salle Ident="2" Nom="2"/></Salles>'
    )
    t = parse(body)
    assert list(t.subjects) == ["4294967295", "2"]  # file order kept
    assert t.classes["2"].name == "6A" and t.rooms["2"].name == "2" and t.subjects["2"].code == "Y"


def test_cours_in_cours_and_session_numbering_and_lines() -> None:
    session = '<Cours Jour="2" NumeroPlaceDebut="1" NombrePlaces="2"><Matiere Ident="1"/></Cours>'
    t = parse(SUBJECTS + "\n" + cours(session, "\n" + session, "\n" + session))
    assert [s.number for s in t.sessions] == [1, 2, 3]
    lines = [s.line for s in t.sessions]
    assert lines[0] is not None and lines == [lines[0], lines[0] + 1, lines[0] + 2]
    assert t.sessions[0].day == 2 and t.sessions[0].start_slot == 1
    assert t.sessions[0].slot_count == 2


def test_session_lines_match_libxml2_despite_markup_in_comments_and_cdata() -> None:
    from lxml import etree

    session = '<Cours Jour="2" NumeroPlaceDebut="1" NombrePlaces="1">\n<Matiere Ident="1"/></Cours>'
    body = (
        SUBJECTS
        + "\n<!-- <Cours Jour=\"9\"> old -->\n<Notes><![CDATA[ <Cours x> ]]></Notes>\n"
        + "<Cours>\n<?pi <Cours ?>\n"
        + session
        + "\n<!--\n<Cours>\n-->\n"
        + session
        + "</Cours>"
    )
    data = timetable_xml(body)
    t = parse_timetable(data)
    tree = etree.fromstring(data)
    expected = [el.sourceline for el in tree.iterfind("{*}Cours/{*}Cours")]
    assert [s.line for s in t.sessions] == expected and len(expected) == 2


def test_prefixed_namespace() -> None:
    data = timetable_xml(
        cours('<Cours Jour="1" NumeroPlaceDebut="0" NombrePlaces="1"><Matiere Ident="1"/></Cours>')
    )
    data = data.replace(b'<ExportEmploiDuTemps xmlns="', b'<edt:ExportEmploiDuTemps xmlns:edt="')
    data = data.replace(b"</ExportEmploiDuTemps>", b"</edt:ExportEmploiDuTemps>")
    data = data.replace(b"<Cours", b"<edt:Cours").replace(b"</Cours", b"</edt:Cours")
    t = parse_timetable(data)
    assert len(t.sessions) == 1 and t.sessions[0].line == 2  # line 1: the XML declaration
    assert t.school_year is not None and t.version == "1.1"


def test_sessions_without_the_cours_container() -> None:
    body = SUBJECTS + TEACHERS + (
        '<Cours Jour="1" NumeroPlaceDebut="0" NombrePlaces="1"><Matiere Ident="1"/>'
        '<Professeur Ident="1" Semaines="6"/></Cours>'
        '<Cours Jour="2" NumeroPlaceDebut="1" NombrePlaces="2"><Matiere Ident="2"/>'
        '<Professeur Ident="2" Semaines="12"/></Cours>'
    )
    t = parse(body)
    assert [(s.number, s.day, s.subject_ident) for s in t.sessions] == [(1, 1, "1"), (2, 2, "2")]
    assert [s.items[0].ident for s in t.sessions] == ["1", "2"]
    assert t.warnings == () and len(t.subjects) == 2 and len(t.teachers) == 2


def test_session_with_only_a_subject() -> None:
    t = parse(
        SUBJECTS
        + cours(
            '<Cours Jour="1" NumeroPlaceDebut="0" NombrePlaces="1"><Matiere Ident="1"/></Cours>'
        )
    )
    assert t.sessions[0].subject_ident == "1" and t.sessions[0].items == ()


def test_session_without_teacher_with_two_teachers_and_two_rooms() -> None:
    body = (
        SUBJECTS
        + TEACHERS
        + CLASSES
        + ROOMS
        + cours(
            '<Cours Jour="1" NumeroPlaceDebut="0" NombrePlaces="1"><Matiere Ident="1"/>'
            '<Classe Ident="2" Semaines="6"/></Cours>',
            '<Cours Jour="2" NumeroPlaceDebut="0" NombrePlaces="1"><Matiere Ident="1"/>'
            '<Professeur Ident="1" Semaines="12"/><Professeur Ident="2" Semaines="4"/>'
            '<Classe Ident="2" Semaines="12"/>'
            '<Salle Ident="1" Semaines="4"/><Salle Ident="2" Semaines="8"/></Cours>',
        )
    )
    t = parse(body)
    assert t.sessions[0].of_kind(ItemKind.TEACHER) == ()
    teachers = t.sessions[1].of_kind(ItemKind.TEACHER)
    assert [(i.ident, i.weeks) for i in teachers] == [("1", 12), ("2", 4)]
    rooms = t.sessions[1].of_kind(ItemKind.ROOM)
    assert rooms[0].weeks & rooms[1].weeks == 0 and rooms[0].weeks | rooms[1].weeks == 12
    assert t.warnings == ()


def test_group_and_class_together_and_only_class_parts() -> None:
    body = (
        SUBJECTS
        + CLASSES
        + GROUPS
        + cours(
            '<Cours Jour="3" NumeroPlaceDebut="0" NombrePlaces="1"><Matiere Ident="2"/>'
            '<Classe Ident="2" Semaines="6"/><Groupe Ident="2" Semaines="6"/></Cours>',
            '<Cours Jour="3" NumeroPlaceDebut="1" NombrePlaces="1"><Matiere Ident="1"/>'
            '<PartieDeClasse Ident="1" Semaines="6"/><PartieDeClasse Ident="2" Semaines="6"/></Cours>',
        )
    )
    t = parse(body)
    assert [i.kind for i in t.sessions[0].items] == [ItemKind.CLASS, ItemKind.GROUP]
    assert [i.kind for i in t.sessions[1].items] == [ItemKind.CLASS_PART, ItemKind.CLASS_PART]
    assert t.warnings == ()


def test_masks_zero_bit0_beyond_year_and_spaces_kept_raw() -> None:
    body = (
        SUBJECTS
        + ROOMS
        + cours(
            '<Cours Jour="1" NumeroPlaceDebut="0" NombrePlaces="1" SemainesAnnulation=" 8 ">'
            '<Matiere Ident="1"/><Salle Ident="1" Semaines="0"/><Salle Ident="2" Semaines=" 1 "/>'
            f'<Salle Ident="1" Semaines="{1 << 60 | 2}"/></Cours>'
        )
    )
    session = parse(body).sessions[0]
    assert [i.weeks for i in session.items] == [0, 1, 1 << 60 | 2]
    assert session.cancelled_weeks == 8


def test_invalid_mask_is_reported_and_item_never_occurs() -> None:
    body = (
        SUBJECTS
        + ROOMS
        + cours(
            '<Cours Jour="1" NumeroPlaceDebut="0" NombrePlaces="1"><Matiere Ident="1"/>'
            '<Salle Ident="1" Semaines="douze"/></Cours>'
        )
    )
    t = parse(body)
    assert t.sessions[0].items[0].weeks == 0
    assert codes(t) == ["bad_value"] and "douze" in t.warnings[0].message


def test_slot_range_past_the_last_place_is_kept_for_the_engine() -> None:
    t = parse(
        SUBJECTS
        + cours(
            '<Cours Jour="1" NumeroPlaceDebut="3" NombrePlaces="4"><Matiere Ident="1"/></Cours>'
        )
    )
    assert (t.sessions[0].start_slot, t.sessions[0].slot_count) == (3, 4)
    assert t.time_grid is not None and 6 not in t.time_grid.slots


@pytest.mark.parametrize("day", ["6", "7"])
def test_day_outside_working_days_is_reported(day: str) -> None:
    t = parse(
        SUBJECTS
        + cours(
            f'<Cours Jour="{day}" NumeroPlaceDebut="0" NombrePlaces="1"><Matiere Ident="1"/></Cours>'
        )
    )
    assert t.sessions[0].day == int(day)
    assert codes(t) == ["outside_working_days"]


def test_memberships_ended_or_starting_later_and_mid_year_change() -> None:
    body = CLASSES + (
        '<Eleves><Eleve Ident="1" Nom="DUPONT" Prenom="Léa" DateNaissance="2012-05-06" Sexe="Feminin">'
        '<Classe Ident="2" DateEntree="2026-09-01" DateSortie="2027-01-15"/>'
        '<Classe Ident="3" DateEntree="2027-01-16" DateSortie="2027-07-03"/>'
        '<PartieDeClasse Ident="1" DateEntree="2026-09-01" DateSortie="2026-10-01"/>'
        "</Eleve></Eleves>"
    )
    student = parse(body).students["1"]
    first, second = student.class_memberships
    assert first.covers(date(2026, 12, 1)) and not first.covers(date(2027, 2, 1))
    assert second.covers(date(2027, 2, 1)) and not second.covers(date(2026, 12, 1))
    assert student.part_memberships[0].left == date(2026, 10, 1)


def test_students_without_idpn_birth_dates_ddmmyyyy_and_names() -> None:
    body = (
        '<Professeurs><Professeur Ident="1" Nom="DE LA FONTAINE" Prenom="Jean-Franç" '
        'DateNaissance="03/04/1975"/></Professeurs>'
        '<Eleves><Eleve Ident="9" Nom="O\'BRIEN-MARTIN" Prenom="Zoé Anaïs" DateNaissance="29/02/2012" '
        'Sexe="Feminin" NumeroNational="123456789AB" IDCAS="zoe.obrien"/></Eleves>'
    )
    t = parse(body)
    student = t.students["9"]
    assert student.idpn is None and student.idcas == "zoe.obrien" and student.ine == "123456789AB"
    assert student.birth_date == date(2012, 2, 29)
    assert student.last_name == "O'BRIEN-MARTIN" and student.first_name == "Zoé Anaïs"
    assert t.teachers["1"].birth_date == date(1975, 4, 3)
    assert t.teachers["1"].last_name == "DE LA FONTAINE"


def test_invalid_birth_date_is_reported_not_fatal() -> None:
    t = parse(
        '<Eleves><Eleve Ident="1" Nom="A" Prenom="B" DateNaissance="31/02/2012" Sexe="Masculin"/></Eleves>'
    )
    assert t.students["1"].birth_date is None
    assert codes(t) == ["bad_value"]


def test_shared_guardians_between_siblings() -> None:
    guardian = '<Responsable Ident="5" RespLegal="1" Nom="MARTIN" Prenom="Paul" Civilite="M." Adresse1="x"/>'
    body = (
        f'<Eleves><Eleve Ident="1" Nom="MARTIN" Prenom="Lou" DateNaissance="2012-01-01" Sexe="Feminin">{guardian}</Eleve>'
        f'<Eleve Ident="2" Nom="MARTIN" Prenom="Tom" DateNaissance="2014-01-01" Sexe="Masculin">{guardian}'
        '<Responsable Ident="6" RespLegal="2" Nom="DURAND" Prenom="Eve" Adresse1="y"/></Eleve></Eleves>'
    )
    t = parse(body)
    assert t.students["1"].guardians[0] == t.students["2"].guardians[0]
    assert t.students["2"].guardians[1].rank == 2 and t.students["2"].guardians[0].civility == "M."


def test_dangling_references_are_warnings() -> None:
    body = (
        CLASSES
        + (
            '<Eleves><Eleve Ident="1" Nom="A" Prenom="B" DateNaissance="2012-01-01" Sexe="Masculin">'
            '<PartieDeClasse Ident="77" DateEntree="2026-09-01" DateSortie="2027-07-03"/></Eleve>'
            '<Eleve Ident="2" Nom="C" Prenom="D" DateNaissance="2012-01-01" Sexe="Masculin">'
            '<PartieDeClasse Ident="77" DateEntree="2026-09-01" DateSortie="2027-07-03"/></Eleve></Eleves>'
        )
        + cours(
            '<Cours Jour="1" NumeroPlaceDebut="0" NombrePlaces="1"><Matiere Ident="42"/>'
            '<Groupe Ident="404" Semaines="6"/></Cours>'
        )
    )
    t = parse(body)
    messages = {w.message for w in t.warnings if w.code == "dangling_reference"}
    assert any("class part (PartieDeClasse) Ident 77" in m and "1 other" in m for m in messages)
    assert any("group (Groupe) Ident 404" in m and "session #1" in m for m in messages)
    assert any("subject (Matiere) Ident 42" in m for m in messages)
    assert len(messages) == 3
    assert t.sessions[0].items[0].ident == "404"  # kept; the engine decides what to do


def test_many_dangling_references_are_counted_once_each_and_fast() -> None:
    import time as clock

    sessions = "".join(
        f'<Cours Jour="1" NumeroPlaceDebut="0" NombrePlaces="1"><Matiere Ident="1"/>'
        f'<Professeur Ident="{900 + n % 100}" Semaines="6"/></Cours>'
        for n in range(3000)
    )
    started = clock.perf_counter()
    t = parse(SUBJECTS + cours(sessions))
    assert clock.perf_counter() - started < 5
    dangling = [w.message for w in t.warnings if w.code == "dangling_reference"]
    assert len(dangling) == 100
    assert all("and 29 other place(s)" in m for m in dangling)


def test_unknown_sections_skipped_with_entity_named_elements_inside() -> None:
    body = SUBJECTS + (
        '<Etablissements><Etablissement UAI="0490001A"><Eleves><Eleve Ident="99" Nom="X" Prenom="Y"/>'
        '</Eleves><Cours><Cours Jour="1" NumeroPlaceDebut="0" NombrePlaces="1"><Matiere Ident="1"/>'
        "</Cours></Cours></Etablissement></Etablissements>"
        '<Etiquettes><Matiere Ident="77" Code="Z" Libelle="Z"/><Professeur Ident="88" Nom="P"/></Etiquettes>'
        '<Absences><Eleve Ident="98"/></Absences>'
    )
    t = parse(body)
    assert list(t.subjects) == ["1", "2"] and t.students == {} and t.sessions == ()
    assert t.teachers == {}
    unknown = [w.message for w in t.warnings if w.code == "unknown_section"]
    assert len(unknown) == 3
    assert any("<Etablissements>" in m for m in unknown) and any("<Absences>" in m for m in unknown)


def test_entries_directly_under_the_root_are_unknown_sections() -> None:
    t = parse(SUBJECTS + '<Eleve Ident="1" Nom="A" Prenom="B"/><Salle Ident="1" Nom="X"/>')
    assert t.students == {} and t.rooms == {}
    assert [w.message for w in t.warnings if w.code == "unknown_section"] == [
        "unknown section <Eleve> skipped with everything inside it",
        "unknown section <Salle> skipped with everything inside it",
    ]


def test_unknown_entries_inside_known_sections_are_reported() -> None:
    t = parse(
        '<Salles><Salle Ident="1" Nom="A"/><Bureau Ident="2"/><Salle Ident="3" Nom="C"/></Salles>'
        '<Eleves><Eleve Ident="1" Nom="A" Prenom="B" DateNaissance="2012-01-01" Sexe="Masculin"/>'
        '<Fantome Ident="9"/><Eleve Ident="2" Nom="C" Prenom="D" DateNaissance="2012-01-01" Sexe="Masculin"/>'
        "<Fin/></Eleves>"
    )
    assert list(t.rooms) == ["1", "3"] and list(t.students) == ["1", "2"]
    assert sorted(w.message for w in t.warnings) == [
        "unknown element <Bureau> in <Salles> skipped",
        "unknown element <Fantome> in <Eleves> skipped",
        "unknown element <Fin> in <Eleves> skipped",
    ]


def test_newer_sections_staff_equipment_main_teacher_students_in_cours() -> None:
    body = (
        SUBJECTS
        + TEACHERS
        + '<Personnels><Personnel Ident="1" Nom="CPE" Prenom="Jean" IDPN="P1"/></Personnels>'
        + '<Classes><Classe Ident="2" Nom="3A"><ProfesseurPrincipal Ident="2"/></Classe></Classes>'
        + '<Groupes><Groupe Ident="1" Nom="ULIS"><Eleve Ident="5"/></Groupe></Groupes>'
        + '<Materiels><Materiel Ident="1" Nom="VIDEOPROJ"/></Materiels>'
        + '<Eleves><Eleve Ident="5" Nom="E" Prenom="F" DateNaissance="2012-01-01" Sexe="Masculin"/></Eleves>'
        + cours(
            '<Cours Jour="1" NumeroPlaceDebut="0" NombrePlaces="1"><Matiere Ident="1"/>'
            '<Personnel Ident="1" Semaines="6"/><Materiel Ident="1" Semaines="2"/>'
            '<Eleve Ident="5" SemainesInclusion="4"/></Cours>'
        )
    )
    t = parse(body)
    assert t.staff["1"].idpn == "P1" and t.equipment["1"].name == "VIDEOPROJ"
    assert t.classes["2"].main_teacher_idents == ("2",)
    assert t.groups["1"].student_idents == ("5",)
    items = t.sessions[0].items
    assert [(i.kind, i.weeks) for i in items] == [
        (ItemKind.STAFF, 6), (ItemKind.EQUIPMENT, 2), (ItemKind.STUDENT, 4),
    ]  # fmt: skip
    assert t.warnings == ()


@pytest.mark.parametrize(
    ("head", "missing"),
    [
        (HEAD.split("<GrilleHoraire")[0], "GrilleHoraire"),
        ("<GrilleHoraire" + HEAD.split("<GrilleHoraire")[1], "AnneeScolaire"),
    ],
)
def test_missing_school_year_or_grid_is_reported(head: str, missing: str) -> None:
    t = parse(SUBJECTS, head=head)
    assert [w for w in t.warnings if w.code == "missing_section" and missing in w.message]
    if missing == "AnneeScolaire":
        assert t.school_year is None and t.time_grid is not None
    else:
        assert t.time_grid is None and t.school_year is not None


def test_duplicate_ident_keeps_first_and_warns() -> None:
    t = parse('<Salles><Salle Ident="1" Nom="A"/><Salle Ident="1" Nom="B"/></Salles>')
    assert t.rooms["1"].name == "A" and codes(t) == ["duplicate_ident"]


def test_malformed_xml_names_the_line() -> None:
    data = timetable_xml(SUBJECTS + "\n<Salles><Salle Ident='1' Nom='A'></Salles>")
    with pytest.raises(MalformedXmlError) as exc:
        parse_timetable(data, source_name="x.xml")
    assert exc.value.line is not None and exc.value.line >= 2 and "x.xml" in str(exc.value)


@pytest.mark.parametrize("data", [b"", b"   ", b"<?xml version='1.0'?><Autre/>"])
def test_not_a_timetable(data: bytes) -> None:
    with pytest.raises(NotAnExportError):
        parse_timetable(data)
