"""Step 10 (seed §3.11): the import summary, confirmation, then the queue position."""

from __future__ import annotations

from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import LoadingIndicator, Static
from textual.worker import Worker, WorkerState

from edt_tui.tui.backend import DeletionGuard, Enqueued, MassDeletionRefused, WizardPlan
from edt_tui.tui.formatting import when
from edt_tui.tui.key_hints import with_keys
from edt_tui.tui.screens.base import StepScreen
from edt_tui.tui.screens.confirm import Confirm
from edt_tui.tui.screens.mass_deletion import ConfirmMassDeletion, guard_line
from edt_tui.tui.selection_model import french_int
from edt_tui.tui.wording import error_text

SUMMARY_LINES: tuple[tuple[str, str], ...] = (
    ("courses_created", "Nombre de cours créés"),
    ("events_created", "Nombre d'évènements créés"),
    ("events_updated", "Nombre d'évènements modifiés"),
    ("events_deleted", "Nombre d'évènements supprimés"),
    ("memberships_created", "Nombre d'appartenances créées"),
    ("memberships_deleted", "Nombre d'appartenances supprimées"),
)


class SummaryReady(Message):
    def __init__(self, plan: WizardPlan) -> None:
        super().__init__()
        self.plan = plan


class Launched(Message):
    def __init__(self, enqueued: Enqueued) -> None:
        super().__init__()
        self.enqueued = enqueued


class NeedsConfirmation(Message):
    """The service found a mass deletion the plan shown did not (the ENT changed since)."""

    def __init__(self, guard: DeletionGuard) -> None:
        super().__init__()
        self.guard = guard


def freeze_line(plan: WizardPlan, zone: ZoneInfo) -> Text | None:
    if not plan.freeze_minutes or not plan.frozen_until:
        return None
    until = when(plan.frozen_until, zone)
    return Text(
        f"Fenêtre de gel ({french_int(plan.freeze_minutes)} min) : les évènements qui "
        f"commencent avant le {until} ne sont ni créés, ni modifiés, "
        "ni supprimés.",
        style="dim",
    )


class LaunchScreen(StepScreen):
    AUTO_FOCUS = None
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "launch", "Lancer l'import", id="launch.go", tooltip="En file"),
        Binding("h", "history", "Historique", id="launch.history", tooltip="Imports"),
    ]

    def body(self) -> ComposeResult:
        yield Static(Text("Résumé de l'import", style="bold"), classes="hint")
        yield LoadingIndicator(id="loading")
        yield Static("🔄 Génération des actions…", id="counts")
        guard = Static(id="guard")
        guard.display = False  # only for a mass deletion or a freeze window
        yield guard
        yield Static(id="outcome")

    def on_mount(self) -> None:
        super().on_mount()
        session = self.wizard.session
        if session is not None and session.job_id:
            self._show_outcome(Enqueued(session.job_id, session.queue_position))
        self.load_summary()

    @work(exclusive=True, group="plan", exit_on_error=False)
    async def load_summary(self) -> None:
        wizard = self.wizard
        export = wizard.export
        if export is None:
            raise RuntimeError("aucun fichier choisi")
        self.post_message(SummaryReady(await wizard.current_plan()))

    @on(SummaryReady)
    def _summary(self, event: SummaryReady) -> None:
        self.query_one("#loading").display = False
        table = Table.grid(padding=(0, 3))
        table.add_column()
        table.add_column(justify="right", style="bold")
        for key, label in SUMMARY_LINES:
            table.add_row(label, french_int(int(event.plan.summary.get(key, 0))))
        self.query_one("#counts", Static).update(table)
        notes = [
            line
            for line in (
                guard_line(event.plan.guard) if event.plan.guard.mass_deletion else None,
                freeze_line(event.plan, self.wizard.zone),
            )
            if line is not None
        ]
        if notes:
            guard = self.query_one("#guard", Static)
            guard.update(Text("\n").join(notes))
            guard.display = True
        if self.wizard.session is not None and not self.wizard.session.job_id:
            self.query_one("#outcome", Static).update(
                Text(
                    with_keys(self.app, "{launch.go} : lancer l'import · {step.back} : revenir "
                              "aux élèves"),
                    style="bold",
                )
            )

    def action_launch(self) -> None:
        session = self.wizard.session
        if session is None or self.wizard.export is None:
            return
        if session.job_id:
            self.notify("Cet import est déjà en liste d'attente.", timeout=3)
            return
        if self.wizard.launch_refusal:
            self.query_one("#outcome", Static).update(
                Text(f"✖ {self.wizard.launch_refusal}", style="bold red")
            )
            return
        plan = self.wizard.plan
        courses = plan.summary.get("courses_created", 0) if plan is not None else 0
        question = (
            f"Lancer l'import dans l'ENT pour {self.wizard.uai} "
            f"({french_int(int(courses))} cours à créer) ?"
        )
        self.app.push_screen(Confirm(question, yes="lancer", no="annuler"), self._confirmed)

    def _confirmed(self, launch: bool | None) -> None:
        if not launch:
            self.notify("Import non lancé.", timeout=3)
            return
        plan = self.wizard.plan
        if plan is not None and plan.guard.mass_deletion:
            self._confirm_mass_deletion(plan.guard)
            return
        self.query_one("#outcome", Static).update("Envoi de la demande au service ENT…")
        self.enqueue(allow_mass_deletion=False)

    def _confirm_mass_deletion(self, guard: DeletionGuard) -> None:
        """The second, explicit confirmation: only the typed word SUPPRIMER launches."""

        def answered(confirmed: bool | None) -> None:
            if not confirmed:
                self.query_one("#outcome", Static).update(
                    Text("Import non lancé (suppression massive non confirmée).", style="bold")
                )
                return
            self.query_one("#outcome", Static).update("Envoi de la demande au service ENT…")
            self.enqueue(allow_mass_deletion=True)

        self.app.push_screen(ConfirmMassDeletion(guard), answered)

    @work(exclusive=True, group="launch", exit_on_error=False)
    async def enqueue(self, *, allow_mass_deletion: bool) -> None:
        wizard = self.wizard
        export = wizard.export
        assert wizard.session is not None and export is not None
        try:
            enqueued = await wizard.backend.launch(
                wizard.uai, export, dict(wizard.session.selection),
                allow_mass_deletion=allow_mass_deletion,
            )
        except MassDeletionRefused as refused:
            self.post_message(NeedsConfirmation(refused.guard))
            return
        self.post_message(Launched(enqueued))

    @on(NeedsConfirmation)
    def _needs_confirmation(self, event: NeedsConfirmation) -> None:
        self._confirm_mass_deletion(event.guard)

    @on(Launched)
    def _launched(self, event: Launched) -> None:
        self.wizard.launched(event.enqueued.job_id, event.enqueued.queue_position)
        self._show_outcome(event.enqueued)

    def _show_outcome(self, enqueued: Enqueued) -> None:
        if self.wizard.launch_refusal:  # a replay: the customer's import, not a new request
            self.query_one("#outcome", Static).update(
                Text(
                    f"Import {enqueued.job_id} lancé par le client avec ces nombres : son statut, "
                    "son récapitulatif et ses actions en erreur sont dans l'historique : h.",
                    style="bold",
                )
            )
            return
        position = (
            f"position {enqueued.queue_position} dans la liste d'attente"
            if enqueued.queue_position
            else "en cours de traitement"
        )
        self.query_one("#outcome", Static).update(
            Text(
                "✔ Votre demande a bien été prise en compte. L'import a été mis en liste "
                f"d'attente ({position}, import {enqueued.job_id}). Son statut est disponible "
                "dans l'historique : h.",
                style="bold green",
            )
        )

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.query_one("#loading").display = False
            self.query_one("#outcome", Static).update(
                Text(
                    f"✖ Le service ENT a refusé : {error_text(event.worker.error)}",
                    style="bold red",
                )
            )

    def action_history(self) -> None:
        self.edt_app.open_history()

    def action_next(self) -> None:
        self.action_launch()
