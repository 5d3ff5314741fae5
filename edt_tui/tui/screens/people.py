"""What the teachers and students steps share (seed §3.10): each person validated, refused,
or linked by hand.

Unreconciled people show in red: their timetable will not be imported unless the admin links
them to an ENT account, picked among the fuzzy suggestions the service ranked (with evidence).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType

from edt_tui.engine.selection import PersonChoice, PersonDecision, Selection
from edt_tui.tui.backend import PersonLine
from edt_tui.tui.key_hints import with_keys
from edt_tui.tui.screens.confirm import Confirm
from edt_tui.tui.screens.suggestions import SuggestionsModal
from edt_tui.tui.screens.table_step import TableStepScreen, merged
from edt_tui.tui.selection_model import Column, french_int
from edt_tui.tui.status import person_status
from edt_tui.tui.steps import Step
from edt_tui.tui.widgets.selection_table import SelectionTable


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


class PeopleStepScreen(TableStepScreen):
    """Teachers or students: `rows` says which; `enter` links an unreconciled person."""

    TABLE = PeopleTable
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

    def __init__(self, step: Step) -> None:
        super().__init__(step)
        self.linked: dict[str, str] = {}
        """Accounts linked by hand in this screen (also saved as LINK decisions)."""

    def on_mount(self) -> None:
        super().on_mount()
        session = self.wizard.session
        if session is not None:
            for key, decision in session.decisions().people.items():
                if decision.choice is PersonChoice.LINK and decision.sync_id:
                    self.linked[key] = decision.sync_id

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
                with_keys(
                    self.app,
                    "⇄ À relier : {table.filter}relier, {table.mark_matching} puis "
                    "{table.activate} pour confirmer  ✔ Validé  ✖ Refusé",
                ),
                style="dim",
            )
        return Text(
            with_keys(
                self.app,
                "✔ Validé  + Lié  ✖ Refusé  ✖ Non réconcilié ({people.suggest} : suggestions)",
            ),
            style="dim",
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
