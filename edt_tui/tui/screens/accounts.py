"""« Vérification des comptes » (seed §4.2): reconciled / unreconciled students and teachers of the
last finished import, the unreconciled lists, and their export to a text file.

The file has one person per line (`NOM<TAB>Prénom`, plus `<TAB>JJ/MM/AAAA` for students: the
wire's `person_line`, same as the service's `.txt` endpoint) and is written atomically.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from edt_tui.dates import french_date
from edt_tui.tui.formatting import resolve_path
from edt_tui.tui.screens.after_base import (
    AfterLaunchScreen,
    BrowseTable,
    browse_model,
    write_export,
)
from edt_tui.tui.screens.prompt import PromptModal
from edt_tui.tui.selection_model import Column, french_int
from edt_tui.wire import AccountCounts, Accounts
from edt_tui.wire.accounts import person_line

PROFILES: Mapping[str, tuple[str, str, str]] = {
    # profile: (tab title, "réconciliés" sentence subject, unreconciled sentence)
    "students": ("Élèves", "Nombre d'apprenants réconciliés", "Apprenants non réconciliés"),
    "teachers": ("Enseignants", "Nombre d'enseignants réconciliés", "Enseignants non réconciliés"),
}
FILE_NAMES = {
    "students": "non-reconcilies-eleves.txt",
    "teachers": "non-reconcilies-enseignants.txt",
}


def _birth(person: Mapping[str, Any]) -> str:
    return french_date(person.get("birth_date"))


def person_columns(profile: str) -> list[Column[Mapping[str, Any]]]:
    columns: list[Column[Mapping[str, Any]]] = [
        Column("last_name", "Nom", lambda p: str(p.get("last_name") or ""), min_width=14),
        Column("first_name", "Prénom", lambda p: str(p.get("first_name") or ""), min_width=12),
    ]
    if profile == "students":
        columns.append(Column("classes", "Classe", lambda p: str(p.get("classes") or ""), width=8))
        columns.append(Column("birth_date", "Né(e) le", _birth, width=10))
    return columns


class AccountsLoaded(Message):
    def __init__(
        self, counts: Accounts, people: Mapping[str, Sequence[Mapping[str, Any]]]
    ) -> None:
        super().__init__()
        self.counts = counts
        self.people = people


class AccountsScreen(AfterLaunchScreen):
    TITLE_TEXT = "Vérification des comptes"
    HELP: ClassVar[str] = (
        "Les comptes reconnus dans l'ENT par le dernier import terminé. {accounts.toggle} : "
        "basculer entre élèves et enseignants non réconciliés ; {accounts.export} : exporter la "
        "liste affichée dans un fichier "
        "texte (une personne par ligne : NOM, Prénom, date de naissance pour les élèves)."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "t",
            "switch_profile",
            "Élèves/Enseignants",
            id="accounts.toggle",
            tooltip="Afficher l'autre profil",
        ),
        Binding(
            "x",
            "export",
            "Exporter",
            id="accounts.export",
            tooltip="Exporter la liste des non réconciliés dans un fichier texte",
        ),
    ]

    def __init__(self, uai: str | None = None, **kw: Any) -> None:
        super().__init__(uai, **kw)
        self.profile = "students"
        self.counts: Accounts | None = None
        self.people: Mapping[str, Sequence[Mapping[str, Any]]] = {}
        self.last_export: Path | None = None

    def body(self) -> ComposeResult:
        yield Static("Chargement des comptes…", id="accounts-counts", classes="info")
        yield Static(id="accounts-list-title", classes="info")

    def on_mount(self) -> None:
        super().on_mount()
        self.load()

    @work(exclusive=True, group="accounts", exit_on_error=False)
    async def load(self) -> None:
        ent = await self.ent()
        uai = await self.uai()
        counts = await ent.accounts(uai)
        people: dict[str, list[Mapping[str, Any]]] = {}
        if counts.job_id:
            for profile in PROFILES:
                people[profile] = [
                    p.model_dump(mode="json")
                    async for p in ent.iterate(ent.unreconciled, uai, profile)
                ]
        self.post_message(AccountsLoaded(counts, people))

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.show_error("accounts-counts", event.worker.error)

    @on(AccountsLoaded)
    async def _loaded(self, event: AccountsLoaded) -> None:
        self.counts, self.people = event.counts, event.people
        counts = self.query_one("#accounts-counts", Static)
        if not event.counts.job_id:
            counts.update("Aucun import terminé : les comptes seront vérifiés après le premier.")
            return
        text = Text(f"Import du {self.when(event.counts.finished_at)}\n", style="dim")
        for profile, (_, reconciled, unreconciled) in PROFILES.items():
            numbers = getattr(event.counts, profile) or AccountCounts(reconciled=0, unreconciled=0)
            text.append(f"{reconciled} : ", style="")
            text.append(french_int(numbers.reconciled), style="bold green")
            text.append(f" / {unreconciled} : ")
            missing = numbers.unreconciled
            text.append(french_int(missing), style="bold red" if missing else "bold")
            text.append("\n")
        counts.update(text)
        await self._show(self.profile)

    async def _show(self, profile: str) -> None:
        self.profile = profile
        for old in self.query(BrowseTable):
            await old.remove()
        rows = list(self.people.get(profile) or ())
        title, _, unreconciled = PROFILES[profile]
        self.query_one("#accounts-list-title", Static).update(
            Text(
                f"{unreconciled} ({title}) — "
                + self.hint("{accounts.toggle} : autre liste · {accounts.export} : exporter"),
                style="bold",
            )
        )
        model = browse_model(
            [dict(p, _row=i) for i, p in enumerate(rows)],
            person_columns(profile),
            row_id=lambda p: str(p["_row"]),
            page_size=10,
        )
        table = BrowseTable(
            model,
            status=lambda _i, _r, _a: Text("✖ Non réconcilié", style="bold red"),
            id=f"accounts-{profile}",
        )
        await self.mount(table)
        table.focus_table()

    async def action_switch_profile(self) -> None:
        if self.people:
            await self._show("teachers" if self.profile == "students" else "students")

    def action_export(self) -> None:
        if not self.people:
            self.notify("Rien à exporter : aucun import terminé.", timeout=3)
            return
        profile = self.profile
        default = self.edt_app.start_dir / FILE_NAMES[profile]
        self.app.push_screen(
            PromptModal(
                f"Exporter les {PROFILES[profile][2].lower()} vers le fichier :", str(default)
            ),
            lambda answer: self._export_to(profile, answer),
        )

    def _export_to(self, profile: str, answer: str | None) -> None:
        if not answer:
            return
        path = resolve_path(answer, self.edt_app.start_dir)
        lines = [person_line(p, profile) for p in self.people.get(profile) or ()]
        if not write_export(self, path, "".join(f"{line}\n" for line in lines).encode("utf-8")):
            return
        self.notify(f"{french_int(len(lines))} personne(s) exportée(s) dans {path}", timeout=5)
        self.last_export = path
