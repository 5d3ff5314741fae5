"""Steps 8–9 (seed §3.10): teachers and students, validated, refused, or linked by hand.

Unreconciled people show in red: their timetable will not be imported unless the admin links
them to an ENT account, picked among the fuzzy suggestions the service ranked (with evidence).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from edt_tui.dates import french_date
from edt_tui.engine.selection import PersonChoice, PersonDecision, Selection
from edt_tui.tui.backend import PersonLine, SuggestionLine, WizardPlan
from edt_tui.tui.screens.confirm import Confirm
from edt_tui.tui.screens.table_step import TableStepScreen, merged
from edt_tui.tui.selection_model import Column, french_int
from edt_tui.tui.status import person_status
from edt_tui.tui.widgets.selection_table import SelectionTable
from edt_tui.tui.wording import reconciliation_detail

EVIDENCE_WORDS = {
    "last_name:exact": "nom identique",
    "last_name:close": "nom proche",
    "first_name:exact": "prénom identique",
    "first_name:close": "prénom proche",
    "first_name:prefix": "prénom abrégé",
    "birth_date:exact": "même date de naissance",
    "birth_date:differs": "date de naissance différente",
}


def describe(suggestion: SuggestionLine) -> str:
    evidence = ", ".join(EVIDENCE_WORDS.get(e, e) for e in suggestion.evidence) or "—"
    born = f" né(e) le {suggestion.birth_date}" if suggestion.birth_date else ""
    return (
        f"{suggestion.first_name} {suggestion.last_name}{born} · {suggestion.sync_id} · "
        f"score {suggestion.score:.2f} · {evidence}"
    )


class SuggestionsModal(ModalScreen[str | None]):
    """Pick the ENT account of an unreconciled person (never applied automatically)."""

    AUTO_FOCUS = "OptionList"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Annuler", id="suggest.cancel", tooltip="Fermer"),
    ]

    def __init__(self, person: PersonLine) -> None:
        super().__init__()
        self.person = person

    def compose(self) -> ComposeResult:
        person = self.person
        with Vertical(classes="dialog"):
            yield Static(
                Text(f"{person.display_name} (PRONOTE {person.idpn or '—'})", style="bold")
            )
            yield Static(
                Text(
                    reconciliation_detail(person.detail)
                    if person.detail
                    else "Aucun compte ENT trouvé automatiquement."
                )
            )
            if person.suggestions:
                yield Static("Comptes ENT proches (entrée pour lier, échap pour annuler) :")
                yield OptionList(
                    *[Option(Text(describe(s)), id=s.sync_id) for s in person.suggestions]
                )
            else:
                yield Static(
                    "Aucune suggestion : vérifiez le compte dans l'annuaire de l'ENT "
                    "(échap pour fermer)."
                )

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class PeopleTable(SelectionTable):
    """The selection table in the seed's words for people: Valider / Refuser."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "a",
            "activate(True)",
            "Valider",
            id="table.activate",
            tooltip="Valider les lignes marquées (ou celle-ci)",
        ),
        Binding(
            "d",
            "activate(False)",
            "Refuser",
            id="table.deactivate",
            tooltip="Refuser les lignes marquées (ou celle-ci)",
        ),
        Binding(
            "A", "activate_all(True)", "Tout valider", id="table.activate_all", show=False,
            tooltip="Tout valider",
        ),
        Binding(
            "D", "activate_all(False)", "Tout refuser", id="table.deactivate_all", show=False,
            tooltip="Tout refuser",
        ),
    ]


class TeachersScreen(TableStepScreen):
    STEP = "teachers"
    TABLE = PeopleTable
    PROFILE: ClassVar[str] = "enseignant"
    HELP: ClassVar[str] = (
        "Sélection des enseignants. ✔ Validé : compte ENT reconnu. ✖ Refusé : association "
        "refusée. ✖ Non réconcilié (rouge) : aucun compte, son emploi du temps ne sera pas "
        "importé — entrée pour voir les comptes proches et en lier un (+ Lié) ; "
        "/aucun les filtre. ⇄ À relier : PRONOTE a régénéré ses identifiants, le compte ENT "
        "porte l'ancien IDPN (colonne Ancien IDPN) et ses cours restent tels quels tant que le "
        "lien n'est pas confirmé — /relier les filtre, * les marque, a les confirme. "
        "a : valider, d : refuser (lignes marquées ou ligne courante). "
        "R : lier d'un coup chaque personne sans compte à son compte recommandé (la suggestion "
        "nettement la meilleure), après confirmation."
    )
    EMPTY = "Aucun enseignant dans cet export : n pour continuer."
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "suggest",
            "Suggestions",
            id="people.suggest",
            tooltip="Suggestions de comptes et leurs indices",
        ),
        Binding(
            "R", "accept_recommended", "Recommandés", show=False, id="people.recommended",
            tooltip="Lier chacun à son compte recommandé",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.linked: dict[str, str] = {}
        """Accounts linked by hand in this screen (also saved as LINK decisions)."""

    def on_mount(self) -> None:
        super().on_mount()
        session = self.wizard.session
        if session is not None:
            for key, decision in session.decisions().people.items():
                if decision.choice is PersonChoice.LINK and decision.sync_id:
                    self.linked[key] = decision.sync_id

    def rows(self, plan: WizardPlan) -> Sequence[Any]:
        return plan.teachers

    def account(self, row: PersonLine) -> str:
        return self.linked.get(row.key) or row.sync_id or ""

    def account_cell(self, row: PersonLine) -> str:
        """The ENT column; `aucun compte` lets the filter (`/aucun`) find the unreconciled."""
        return self.account(row) or "aucun compte"

    def columns(self) -> Sequence[Column[Any]]:
        return self.people_columns([])

    def people_columns(self, extra: list[Column[Any]]) -> list[Column[Any]]:
        """Name, `extra`, ENT account, PRONOTE id. When the plan has relinks, the old IDPN sits
        beside the new one right after the name (columns further right are the first left out
        at 80 columns); only then, as it would take width from the names for nothing."""
        name: Column[Any] = Column("name", "Nom Prénom", lambda p: p.display_name)
        ent: Column[Any] = Column("ent", "ENT", self.account_cell)
        pronote: Column[Any] = Column("pronote", "PRONOTE", lambda p: p.idpn or "")
        plan = self._shown_plan
        if plan is not None and any(p.previous_idpn for p in self.rows(plan)):
            previous: Column[Any] = Column(
                "previous", "Ancien IDPN", lambda p: p.previous_idpn or ""
            )
            return [name, pronote, previous, *extra, ent]
        return [name, *extra, ent, pronote]

    def initial_active(self, row: PersonLine) -> bool:
        return row.status == "reconciled"

    def can_activate(self, row: PersonLine) -> bool:
        return bool(self.account(row))

    def status(self, row_id: str, row: PersonLine, active: bool) -> Text:
        # a relink to confirm counts as an account once the admin validates it (a)
        has_account = bool(row.sync_id) and (row.status in ("reconciled", "refused") or active)
        return person_status(
            has_account, row.key in self.linked, active, row.relink_pending
        ).text()

    def row_style(self, row_id: str, row: PersonLine, active: bool) -> str:
        if row.relink_pending and not active:
            return "yellow"
        return "" if active else "red"

    def legend(self) -> Text:
        plan = self._shown_plan
        if plan is not None and any(p.relink_pending for p in self.rows(plan)):
            return Text(
                "⇄ À relier : /relier, * puis a pour confirmer  ✔ Validé  ✖ Refusé", style="dim"
            )
        return Text(
            "✔ Validé  + Lié  ✖ Refusé  ✖ Non réconcilié (entrée : suggestions)", style="dim"
        )

    def decision(self, row: PersonLine, active: bool) -> PersonDecision:
        if not active:
            return PersonDecision(PersonChoice.REFUSE)
        if row.key in self.linked:
            return PersonDecision(PersonChoice.LINK, self.linked[row.key])
        if row.status == "relink_required":
            return PersonDecision(PersonChoice.CONFIRM_RELINK, row.sync_id)
        return PersonDecision(PersonChoice.VALIDATE)

    def record(self, selection: Selection, row: PersonLine, active: bool) -> Selection:
        return selection.with_person(row.key, self.decision(row, active))

    def record_many(self, selection: Selection, rows: Sequence[Any], active: bool) -> Selection:
        return merged(selection, "people", {row.key: self.decision(row, active) for row in rows})

    def action_suggest(self) -> None:
        table = self.selection_table
        if table is None or self.model is None or table.cursor_row_id is None:
            return
        row_id = table.cursor_row_id
        person: PersonLine = self.model.row(row_id)

        def linked(sync_id: str | None) -> None:
            if sync_id and self.model is not None:
                self.linked[person.key] = sync_id
                change = self.model.set_active([row_id], True)
                if not change.ids:  # already active: record the new account anyway
                    self.wizard.decide(lambda s: self.record(s, person, True))
                else:
                    table.post_message(SelectionTable.Changed(table, change))
                table.render_page()
                self.notify(f"{person.display_name} lié(e) au compte {sync_id}", timeout=3)

        self.app.push_screen(SuggestionsModal(person), linked)

    @on(SelectionTable.RowChosen)
    def _row_chosen(self, event: SelectionTable.RowChosen) -> None:
        self.action_suggest()

    def action_accept_recommended(self) -> None:
        """« Accepter les suggestions recommandées »: only where the service marked one."""
        table, model = self.selection_table, self.model
        if table is None or model is None:
            return
        rows = [r for r in model.all_rows() if r.recommended and not self.account(r)]
        if not rows:
            self.notify("Aucune suggestion recommandée à accepter.", timeout=3)
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            for row in rows:
                self.linked[row.key] = str(row.recommended)
            change = model.set_active([self.row_id(r) for r in rows], True)
            table.post_message(SelectionTable.Changed(table, change))
            table.render_page()
            self.notify(f"{french_int(len(rows))} personne(s) liée(s) à leur compte recommandé")

        self.app.push_screen(
            Confirm(
                f"Lier {french_int(len(rows))} personne(s) sans compte à leur compte "
                "recommandé (la suggestion nettement la meilleure) ?"
            ),
            answered,
        )


class StudentsScreen(TeachersScreen):
    STEP = "students"
    HELP: ClassVar[str] = TeachersScreen.HELP.replace("enseignants", "élèves")
    EMPTY = "Aucun élève dans cet export : n pour continuer."

    def rows(self, plan: WizardPlan) -> Sequence[Any]:
        return plan.students

    def columns(self) -> Sequence[Column[Any]]:
        return self.people_columns(
            [
                Column("classes", "Classe", lambda p: p.classes),  # homonyms apart
                Column("born", "Né(e) le", lambda p: french_date(p.birth_date), width=10),
            ]
        )
