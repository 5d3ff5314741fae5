"""The recap of one import (seed §3.12): tasks done, successes and errors per action type, and the
failed actions with their reasons — filterable, copyable (OSC 52), resumable when interrupted.

While the import is still queued or running the recap refreshes itself (same non-overlapping
timer as the history).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from edt_tui.client.models import ImportJob, ImportJobDetail
from edt_tui.tui.screens.after_base import AfterLaunchScreen, BrowseTable, browse_model
from edt_tui.tui.screens.history import ACTIVE_POLL
from edt_tui.tui.selection_model import Column, french_int
from edt_tui.tui.wording import job_reason
from edt_tui.wire import JobAction

FAILED_COLUMNS: list[Column[JobAction]] = [
    Column("type", "Action", lambda a: a.label or a.type, width=24),
    Column("key", "Objet", lambda a: a.key, min_width=20),
    Column("error", "Raison", lambda a: a.error or "", min_width=20),
]


def recap_table(job: ImportJob) -> Table:
    """`Succès | Erreur` per action type, in execution order, with the service's French labels."""
    labels: Mapping[str, str] = job.action_labels if isinstance(job, ImportJobDetail) else {}
    table = Table(box=None, padding=(0, 2), show_edge=False)
    table.add_column("")
    table.add_column("Succès", justify="right")
    table.add_column("Erreur", justify="right")
    for kind, counts in (job.recap or {}).items():
        errors = counts.error
        table.add_row(
            Text(f"Nombre de {labels.get(kind, kind).lower()}" if kind in labels else kind),
            Text(french_int(counts.success), style="green"),
            Text(french_int(errors), style="bold red" if errors else ""),
        )
    return table


def failed_line(action: JobAction) -> str:
    """One failed action as a tab-separated line (what `c`/`C` copy)."""
    return "\t".join((action.label, action.key, action.error or ""))


class RecapLoaded(Message):
    def __init__(self, job: ImportJobDetail, failed: Sequence[JobAction]) -> None:
        super().__init__()
        self.job = job
        self.failed = tuple(failed)

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RecapLoaded)


class RecapScreen(AfterLaunchScreen):
    TITLE_TEXT = "Récapitulatif de l'import"
    HELP: ClassVar[str] = (
        "La qualité d'intégration : les actions terminées avec succès et celles en erreur. "
        "Les actions en erreur sont listées avec leur raison ({table.filter} pour filtrer) ; "
        "{recap.copy} copie la ligne, {recap.copy_all} copie toute la liste (presse-papiers du "
        "terminal, OSC 52) pour l'assistance. {recap.resume} reprend un import interrompu."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy_row", "Copier", id="recap.copy", tooltip="Copier l'action en échec"),
        Binding("C", "copy_all", "Tout copier", id="recap.copy_all", tooltip="Tous les échecs"),
        Binding("r", "resume", "Reprendre", id="recap.resume", tooltip="Si interrompu"),
    ]
    DEFAULT_CSS = """
    RecapScreen #recap-head { height: auto; padding: 0 1; }
    RecapScreen #recap-counts { height: auto; padding: 0 1 1 1; }
    """

    def __init__(self, job_id: str, uai: str | None = None, **kw: Any) -> None:
        super().__init__(uai, **kw)
        self.job_id = job_id
        self.job: ImportJobDetail | None = None
        self.failed: tuple[JobAction, ...] = ()

    def body(self) -> ComposeResult:
        yield Static("Chargement du récapitulatif…", id="recap-head")
        yield Static(id="recap-counts")
        yield Static(id="recap-failed-info", classes="info")

    def on_mount(self) -> None:
        super().on_mount()
        self.load()

    @work(exclusive=True, group="recap", exit_on_error=False)
    async def load(self) -> None:
        ent = await self.ent()
        uai = await self.uai()
        job = await ent.get_job(uai, self.job_id)
        failed: list[JobAction] = []
        if job.errors:
            async for action in ent.iterate(ent.job_actions, uai, self.job_id, status="error"):
                failed.append(action)
        self.post_message(RecapLoaded(job, failed))

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.show_error("recap-head", event.worker.error)

    @on(RecapLoaded)
    async def _loaded(self, event: RecapLoaded) -> None:
        job = self.job = event.job
        head = Text()
        head.append(f"Date d'import : {self.when(job.created_at)}", style="bold")
        head.append(f"   Statut : {job.status_label}   Type : {job.type_label}\n")
        head.append(f"Nombre de tâches effectuées : {french_int(job.tasks_done)}")
        pending = job.pending
        if pending:
            head.append(f" · {french_int(pending)} restante(s)")
        if reason := job_reason(job):
            head.append(f"\n{reason}", style="bold red" if job.status == "error" else "")
        if job.status == "interrupted":
            head.append(
                self.hint(
                    "\nImport interrompu : {recap.resume} pour le reprendre là où il s'est arrêté."
                ),
                style="bold yellow",
            )
        self.query_one("#recap-head", Static).update(head)
        self.query_one("#recap-counts", Static).update(recap_table(job) if job.recap else "")
        if event.failed != self.failed or not self.query(BrowseTable):
            await self._show_failed(event.failed)
        if not job.finished:
            self.set_timer(ACTIVE_POLL, self.load)

    async def _show_failed(self, failed: tuple[JobAction, ...]) -> None:
        self.failed = failed
        for old in self.query(BrowseTable):
            await old.remove()
        info = self.query_one("#recap-failed-info", Static)
        if not failed:
            info.update(Text("Aucune action en erreur.", style="green"))
            return
        info.update(
            Text(
                f"Actions en erreur : {french_int(len(failed))} — contactez l'assistance avec "
                + self.hint("cette liste ({recap.copy_all} pour la copier)."),
                style="bold red",
            )
        )
        model = browse_model(
            list(failed), FAILED_COLUMNS, row_id=lambda a: f"{a.seq}:{a.key}"
        )
        table = BrowseTable(
            model,
            status=lambda _i, _r, _a: Text("✖ Erreur", style="bold red"),
            id="recap-failed",
        )
        await self.mount(table)
        table.focus_table()

    def _table(self) -> BrowseTable | None:
        tables = self.query(BrowseTable)
        return tables.first() if tables else None

    def action_copy_row(self) -> None:
        table = self._table()
        row_id = table.cursor_row_id if table else None
        if table is None or row_id is None:
            self.notify("Aucune action en erreur à copier.", timeout=2)
            return
        self.app.copy_to_clipboard(failed_line(table.model.row(row_id)))
        self.notify("Ligne copiée dans le presse-papiers.", timeout=2)

    def action_copy_all(self) -> None:
        if not self.failed:
            self.notify("Aucune action en erreur à copier.", timeout=2)
            return
        table = self._table()
        model = table.model if table else None
        rows = (
            [model.row(model.row_id_at(i)) for i in range(model.visible_count)]
            if model is not None
            else list(self.failed)
        )
        self.app.copy_to_clipboard("".join(failed_line(r) + "\n" for r in rows))
        self.notify(f"{french_int(len(rows))} ligne(s) copiée(s).", timeout=2)

    def action_resume(self) -> None:
        if self.job is None or not self.job.resumable:
            self.notify(
                "Seul un import « Interrompu » ou arrêté par un disque plein peut être repris.",
                timeout=3,
            )
            return
        self.resume()

    @work(exclusive=True, group="resume", exit_on_error=False)
    async def resume(self) -> None:
        ent = await self.ent()
        job = await ent.resume_job(await self.uai(), self.job_id)
        self.notify(f"Import repris : {job.status_label}", timeout=3)
        self.load()
