"""Step 3 (seed §3.4): the file's establishment code, unique id, encryption and key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static

from edt_tui.tui.backend import WizardPlan
from edt_tui.tui.formatting import when
from edt_tui.tui.key_hints import Hint
from edt_tui.tui.screens.base import StepScreen
from edt_tui.tui.screens.confirm import Confirm
from edt_tui.tui.selection_model import french_int
from edt_tui.tui.wording import export_warnings

RESET_QUESTION = (
    "Revenir aux décisions par défaut ? Les décisions reprises ou prises pendant cet import "
    "(personnes refusées, cours désactivés…) seront oubliées."
)

COUNT_LABELS = {
    "subjects": "Matières",
    "classes": "Classes",
    "class_parts": "Parties de classe",
    "groups": "Groupes",
    "teachers": "Enseignants",
    "students": "Élèves",
    "rooms": "Salles",
    "sessions": "Séances",
}


def _yes_no(value: bool) -> str:
    return "oui" if value else "non"


def decisions_origin(
    decisions_from: Mapping[str, Any] | None, zone: ZoneInfo, hint: Hint
) -> Text:
    """Which import the session's decisions come from (none: the defaults), dated in the
    establishment's time zone `zone`; `hint` words the key that resets them."""
    if not decisions_from:
        return Text("Décisions par défaut (aucun import manuel précédent repris).")
    finished = when(decisions_from.get("finished_at"), zone)
    return Text.assemble(
        (f"Décisions reprises de l'import du {finished}", "bold"),
        hint(" · {summary.reset} : revenir aux décisions par défaut"),
    )


def _people(count: int, one: str, many: str) -> str:
    return f"{french_int(count)} {one if count == 1 else many}"


def relink_line(pending: Mapping[str, int], hint: Hint) -> Text | None:
    """« Identifiants PRONOTE régénérés pour 31 enseignants et 426 élèves — … ? », or None;
    `hint` words the keys that confirm the links."""
    parts = [
        _people(n, one, many)
        for n, one, many in (
            (pending.get("teachers", 0), "enseignant", "enseignants"),
            (pending.get("students", 0), "élève", "élèves"),
        )
        if n
    ]
    if not parts:
        return None
    line = Text(
        f"⇄ Identifiants PRONOTE régénérés pour {' et '.join(parts)} — changement de version "
        "de PRONOTE ?",
        style="bold yellow",
    )
    line.append(
        "\n  Leurs cours dans l'ENT restent tels quels tant que le lien n'est pas confirmé : "
        + hint(
            "étapes Enseignants et Élèves, {table.filter}relier, {table.mark_matching} puis "
            "{table.activate}."
        ),
        style="",
    )
    return line


class PlanReady(Message):
    def __init__(self, plan: WizardPlan) -> None:
        super().__init__()
        self.plan = plan


class SummaryScreen(StepScreen):
    AUTO_FOCUS = None
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+r", "reset", "Décisions par défaut", id="summary.reset",
            tooltip="Revenir aux décisions par défaut (après confirmation)",
        ),
    ]

    def body(self) -> ComposeResult:
        yield Static(id="summary")
        yield Static(id="origin")
        yield Static(id="verdict")
        relinks = Static(id="relinks")
        relinks.display = False  # shown only when PRONOTE ids were regenerated
        yield relinks

    def on_mount(self) -> None:
        super().on_mount()
        export = self.wizard.export
        if export is None:
            self.query_one("#summary", Static).update(
                self.hint("Aucun fichier choisi : {step.back} pour revenir.")
            )
            return
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        rows = [
            ("Importation du fichier", export.file_name),
            ("Code RNE du fichier", export.uai),
            ("Établissement cible", self.wizard.uai),
            ("Identifiant unique", export.import_id),
            ("Fichier encrypté", _yes_no(export.encrypted)),
            ("Clé itslearning présente", _yes_no(export.key_present)),
            ("Année scolaire", export.school_year or "?"),
        ]
        for label, value in rows:
            table.add_row(Text(label), Text(value))
        for name, count in export.counts.items():
            label = COUNT_LABELS.get(name, name)
            table.add_row(Text(f"  {label}"), Text(french_int(count)))
        self.query_one("#summary", Static).update(table)
        self.show_origin()
        verdict = self.query_one("#verdict", Static)
        if self.refused:
            reason = export.refusal or (
                f"ce fichier est celui de l'établissement {export.uai}, pas de {self.wizard.uai}"
            )
            verdict.update(
                Text(
                    f"✖ Refusé : {reason}. "
                    + self.hint("{step.back} pour choisir le bon fichier."),
                    style="bold red",
                )
            )
        else:
            warnings = "".join(f"\n⚠ {w}" for w in export_warnings(export))
            accepted = self.hint("✔ Fichier accepté. {step.next} : Suivant")
            verdict.update(Text(f"{accepted}{warnings}", style="bold green"))
            self.load_plan()

    @work(exclusive=True, group="plan", exit_on_error=False)
    async def load_plan(self) -> None:
        """The plan the next steps need, started now; only its relinks are shown here (a
        service error is shown by the next step, which can retry)."""
        self.post_message(PlanReady(await self.wizard.current_plan()))

    @on(PlanReady)
    def _plan_ready(self, event: PlanReady) -> None:
        line = relink_line(event.plan.relink_pending, self.hint)
        if line is not None:
            relinks = self.query_one("#relinks", Static)
            relinks.update(line)
            relinks.display = True

    def show_origin(self) -> None:
        session = self.wizard.session
        origin = decisions_origin(
            session.decisions_from if session else None, self.wizard.zone, self.hint
        )
        self.query_one("#origin", Static).update(origin)

    def action_reset(self) -> None:
        session = self.wizard.session
        if self.wizard.decisions_locked:
            self.notify(self.wizard.decisions_locked, severity="warning", timeout=3)
            return
        if session is None or session.job_id:
            self.notify("Import déjà lancé : ses décisions ne changent plus.", timeout=3)
            return
        self.app.push_screen(
            Confirm(RESET_QUESTION, yes="réinitialiser", no="annuler"), self._reset
        )

    def _reset(self, reset: bool | None) -> None:
        if not reset:
            self.notify("Décisions conservées.", timeout=3)
            return
        self.wizard.reset_decisions()
        self.show_origin()
        self.notify("Décisions revenues aux valeurs par défaut.", timeout=3)

    @property
    def refused(self) -> bool:
        export = self.wizard.export
        if export is None or export.refusal:
            return True
        return export.uai.strip().upper() != self.wizard.uai.strip().upper()

    def can_leave(self) -> bool:
        if self.refused:
            self.notify("Fichier refusé : choisissez l'export de cet établissement.", timeout=3)
            return False
        return True
