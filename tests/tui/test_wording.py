"""The admin reads the engine's reconciliation details in French (TUI language policy)."""

from __future__ import annotations

import pytest

from edt_tui.tui.wording import reconciliation_detail


@pytest.mark.parametrize(
    ("detail", "expected"),
    [
        ("no ENT account found (IDPN, CAS, identity)", "Aucun compte ENT trouvé"),
        ("2 ENT accounts match by identity", "Ambigu : 2 comptes ENT correspondent par l'identité"),
        ("matched by cas", "Reconnu par l'identifiant CAS"),
        (
            "account carries another PRONOTE id (ABC123): ids regenerated? confirm the relink",
            "autre identifiant PRONOTE (ABC123)",
        ),
        ("match refused by the admin", "refusée par l'administrateur"),
        ("linked by the admin", "Lié par l'administrateur"),
        ("relink confirmed by the admin", "Nouveau lien confirmé"),
        ("ENT account aaf-1 is claimed by 2 people", "Le compte ENT aaf-1 est revendiqué par 2"),
        (
            "matched by idpn; chosen account 'aaf-9' is not a candidate",
            "Reconnu par le lien PRONOTE (IDPN). Le compte choisi « aaf-9 » n'est pas",
        ),
    ],
)
def test_engine_details_read_in_french(detail: str, expected: str) -> None:
    assert expected in reconciliation_detail(detail)


def test_an_unknown_detail_is_shown_as_it_is() -> None:
    assert reconciliation_detail("something new") == "something new"


def test_every_detail_of_the_demo_plan_is_translated() -> None:
    from edt_tui.engine.model import EntState
    from tests.engine.test_demo_end_to_end import PLAIN, _directory, _plan

    plan = _plan(PLAIN, EntState({}, frozenset(), {}), _directory())
    details = {person.detail for person in (*plan.teachers, *plan.students) if person.detail}
    assert details
    untranslated = {d for d in details if reconciliation_detail(d) == d}
    assert not untranslated
