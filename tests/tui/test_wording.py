"""The admin reads the engine's reasons in French, worded from their codes (TUI language policy)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from edt_tui.reasons import Reason, ReasonCode, english, french, reason
from edt_tui.tui.wording import reasons_text


@pytest.mark.parametrize(
    ("why", "expected"),
    [
        (reason(ReasonCode.NO_ACCOUNT), "Aucun compte ENT trouvé"),
        (
            reason(ReasonCode.AMBIGUOUS_MATCH, count=2, rule="identity"),
            "Ambigu : 2 comptes ENT correspondent par l'identité",
        ),
        (reason(ReasonCode.MATCHED, rule="cas"), "Reconnu par l'identifiant CAS"),
        (reason(ReasonCode.OTHER_PRONOTE_ID, idpn="ABC123"), "autre identifiant PRONOTE (ABC123)"),
        (reason(ReasonCode.MATCH_REFUSED), "refusée par l'administrateur"),
        (reason(ReasonCode.LINKED_BY_ADMIN), "Lié par l'administrateur"),
        (reason(ReasonCode.RELINK_CONFIRMED), "Nouveau lien confirmé"),
        (
            reason(ReasonCode.ACCOUNT_CLAIMED, sync_id="aaf-1", count=2),
            "Le compte ENT aaf-1 est revendiqué par 2",
        ),
        (
            reason(ReasonCode.UNDECLARED_ITEM, session=7, line=0, kind="PartieDeClasse",
                   ident="p9"),
            "Séance n° 7 : partie de classe p9 déclaré(e) nulle part",
        ),
        (
            reason(ReasonCode.MISSING_SLOT, session=3, line=120, first=9, last=10),
            "Séance n° 3 (ligne 120) : créneaux 9 à 10 absents",
        ),
    ],
)
def test_reasons_read_in_french(why: Reason, expected: str) -> None:
    assert expected in french(why)


def test_a_refused_link_is_worded_after_the_rule_verdict() -> None:
    reasons = (
        reason(ReasonCode.MATCHED, rule="idpn"),
        reason(ReasonCode.CHOSEN_NOT_CANDIDATE, sync_id="aaf-9"),
    )
    assert reasons_text(reasons) == (
        "Reconnu par le lien PRONOTE (IDPN). Le compte choisi « aaf-9 » n'est pas un candidat."
    )
    assert "; ".join(english(r) for r in reasons) == (
        "matched by idpn; chosen account 'aaf-9' is not a candidate"
    )


def test_without_a_known_reason_the_english_text_is_shown() -> None:
    assert reasons_text((), "something new") == "something new"


def test_every_reason_of_the_demo_plan_is_worded_in_french() -> None:
    from edt_tui.engine.model import EntState
    from tests.engine.test_demo_end_to_end import PLAIN, _directory, _plan

    plan = _plan(PLAIN, EntState({}, frozenset(), {}), _directory())
    people = [p for p in (*plan.teachers, *plan.students) if p.reasons]
    assert len(people) == len(plan.teachers) + len(plan.students)
    for person in people:
        worded = reasons_text(person.reasons)
        assert worded and worded != person.detail and "{" not in worded
    for ignored in plan.ignored_sessions:
        assert french(ignored.why) != ignored.detail


# -- the reader's warnings -------------------------------------------------------------------

GRID_WITH_BAD_PARTS = (
    '<AnneeScolaire DateDebut="2026-09-01" DateFin="2027-07-03" '
    'DatePremierJourSemaine1="2026-08-31"/>'
    '<GrilleHoraire NombrePlacesParJour="2"><JoursOuvres><Jour>1</Jour><Jour>lundi</Jour>'
    "</JoursOuvres><PlacesParJour>"
    '<Place Numero="0" LibelleHeureDebut="08:00:00" LibelleHeureFin="08:55:00"/>'
    '<Place Numero="un" LibelleHeureDebut="09:00:00" LibelleHeureFin="09:55:00"/>'
    "</PlacesParJour></GrilleHoraire>"
)
EVERY_CASE = (
    '<Matieres><Matiere Ident="1" Code="FR" Libelle="FRANCAIS"/></Matieres>'
    '<Salles><Salle Ident="1" Nom="B12"/><Salle Ident="1" Nom="B13"/><Salle Nom="SANS"/>'
    '<Bureau Ident="9"/></Salles>'
    '<Eleves><Eleve Ident="1" Nom="A" Prenom="B" DateNaissance="31/02/2012" Sexe="Masculin">'
    '<PartieDeClasse Ident="77" DateEntree="2026-09-01" DateSortie="2027-07-03"/></Eleve>'
    '<Eleve Ident="2" Nom="C" Prenom="D" DateNaissance="2012-01-01" Sexe="Masculin">'
    '<PartieDeClasse Ident="77" DateEntree="2026-09-01" DateSortie="2027-07-03"/></Eleve></Eleves>'
    "<Cours>"
    '<Cours Jour="1" NumeroPlaceDebut="0" NombrePlaces="1"><Matiere Ident="1"/>'
    '<Matiere Ident="2"/><Salle Ident="1" Semaines="douze"/><Salle Ident="1"/></Cours>'
    '<Cours Jour="7" NumeroPlaceDebut="0" NombrePlaces="1"><Matiere Ident="42"/></Cours>'
    '<Cours Jour="1" NumeroPlaceDebut="0" NombrePlaces="1"/>'
    '<Cours Jour="x" NumeroPlaceDebut="0" NombrePlaces="1"/>'
    "</Cours><Absences/>"
)


def _warnings(body: str, head: str | None = None, **limits: int) -> list[dict[str, object]]:
    from edt_tui.pronote.limits import LIMITS
    from edt_tui.pronote.parser import parse_timetable
    from tests.pronote.conftest import HEAD, timetable_xml

    data = timetable_xml(body, head=HEAD if head is None else head)
    bounded = dataclasses.replace(LIMITS, **limits)
    return [w.to_dict() for w in parse_timetable(data, limits=bounded).warnings]


def _reader_warnings() -> list[dict[str, object]]:
    """Every warning the reader can give, from real (small, broken) exports."""
    from edt_tui.pronote.envelope import seal_envelope
    from edt_tui.pronote.keys import generate_key_pair
    from edt_tui.pronote.reader import read_export
    from tests.pronote.conftest import timetable_xml

    found = _warnings(EVERY_CASE, GRID_WITH_BAD_PARTS)
    found += _warnings("", "")  # no school year, no time grid
    found += _warnings("", '<AnneeScolaire DateDebut="2026-09-01"/>')
    found += _warnings("", '<AnneeScolaire DateDebut="1800-09-01" DateFin="1801-07-03" '
                       'DatePremierJourSemaine1="1800-09-01"/>')
    found += _warnings("<A/><B/><C/>", warnings=2)
    private, public = generate_key_pair()
    sealed = seal_envelope(
        timetable_xml(""), partners={"ITSLEARNING": public}, uai="0490001A",
        establishment_name="Collège", postcode_city="49000 ANGERS", software="PRONOTE",
        exported_at=datetime(2026, 11, 27, 17, 45),
    )
    found += [w.to_dict() for w in read_export(sealed, private_key=private).timetable.warnings]
    return found


def test_every_reader_warning_reads_in_french_from_its_code_and_values() -> None:
    from edt_tui.tui.wording import EXPORT_WARNINGS, export_warning_text

    found = _reader_warnings()
    assert {(str(w["code"]), str(w["case"])) for w in found} == set(EXPORT_WARNINGS)
    for warning in found:
        french = export_warning_text(warning)
        assert str(warning["message"]) not in french and "{" not in french, french
    texts = {export_warning_text(w) for w in found}
    assert {
        "ligne 2 : section inconnue <Absences> ignorée avec tout son contenu",
        "ligne 2 : l'identifiant 1 de <Salle> est déclaré deux fois : la première déclaration "
        "est gardée",
        "ligne 2 : l'identifiant 77 de la partie de classe (PartieDeClasse), utilisé par l'élève 1 "
        "et 1 autre(s) endroit(s), n'est déclaré nulle part",
        "ligne 2 : la séance n° 2 a lieu le jour 7, qui n'est pas un jour ouvré de la grille "
        "horaire",
        "ligne 2 : <AnneeScolaire> : une date en 1800, hors de 1900-2200, aucune séance ne peut "
        "être datée",
        "<GrilleHoraire> (la grille horaire) absente : les séances ne peuvent pas être datées",
        "1 avertissement(s) de plus non listé(s) (seuls les 2 premiers sont gardés)",
        "L'enveloppe annonce l'UAI 0490001A mais l'emploi du temps dit 0490856P (celui de "
        "l'emploi du temps est retenu)",
    } <= texts


def test_a_warning_this_version_cannot_word_is_shown_in_english() -> None:
    from edt_tui.tui.wording import export_warning_text

    newer = {"code": "from_the_future", "case": "", "line": 3, "params": {}, "message": "odd"}
    assert export_warning_text(newer) == "ligne 3 : odd"
    missing = {"code": "duplicate_ident", "line": None, "params": {"element": "Salle"},
               "message": "Salle Ident 1 declared twice"}
    assert export_warning_text(missing) == "Salle Ident 1 declared twice"
