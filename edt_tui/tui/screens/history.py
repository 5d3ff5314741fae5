"""« Historique des imports » (seed §3.12): live status, queue position and progress, newest first.

The service is polled by a timer that is re-armed only once a poll has been applied, so polls
never overlap (1 s while an import is queued or running, 5 s otherwise). A burst of answers is
collapsed (`JobsFetched.can_replace`); the table is updated by diff inside `app.batch_update()`:
stale rows removed, changed cells updated, new rows added, one sort — no flicker, cursor kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from edt_tui.client.errors import ServiceError
from edt_tui.client.imports import ImportJob
from edt_tui.reasons import Reason, french
from edt_tui.tui.backend import ExportCheck, LastImport
from edt_tui.tui.client_backend import export_check
from edt_tui.tui.formatting import when
from edt_tui.tui.screens.after_base import AfterLaunchScreen
from edt_tui.tui.screens.confirm import Confirm
from edt_tui.tui.screens.history_actions import (
    OPEN_IN_WIZARD,
    UNDO_EXPLANATION,
    RefusedJobChoices,
    opens_in_wizard,
    undoable,
)
from edt_tui.tui.selection_model import french_int, share_width
from edt_tui.tui.wording import error_text, job_reason

ACTIVE_POLL = 1.0
IDLE_POLL = 5.0
HISTORY_LIMIT = 100

STATUS_STYLES: Mapping[str, tuple[str, str]] = {
    "queued": ("…", "yellow"),
    "running": ("⟳", "bold cyan"),
    "done": ("✔", "green"),
    "interrupted": ("⏸", "bold yellow"),
    "error": ("✖", "bold red"),
    "refused": ("⊘", "red"),
}
COLUMNS: tuple[tuple[str, str, int | None, int | None], ...] = (
    ("date", "Date d'import", 16, None),
    ("status", "Statut", 13, None),
    ("type", "Type", 11, None),
    ("progress", "Avancement", None, 22),
    ("detail", "Détail", None, 24),
    ("id", "Import", 8, None),
)
"""(key, title, preferred width, minimum) by priority: at 80 columns Détail and the id are left
out of the table; the line below it shows them in full for the cursor's import."""


def status_cell(job: ImportJob) -> Text:
    """A symbol and the French word (readable without colour), coloured when colours exist."""
    symbol, style = STATUS_STYLES.get(job.status, ("?", ""))
    return Text(f"{symbol} {job.status_label or job.status}", style=style)


def progress_text(job: ImportJob) -> str:
    """Queue position while waiting, done/total while running, tasks and errors at the end."""
    if job.status == "queued":
        position = job.queue_position
        return f"position {position} en attente" if position else "en attente"
    done, total = (job.progress.done, job.progress.total) if job.progress else (0, 0)
    if job.status == "running":
        if not total:
            return "génération des actions…"
        return f"{french_int(done)} / {french_int(total)} ({done * 100 // total} %)"
    if total:
        errors = job.errors
        suffix = f", {french_int(errors)} erreur(s)" if errors else ""
        return f"{french_int(done)} tâche(s){suffix}"
    return ""


def detail_text(job: ImportJob, zone: ZoneInfo) -> str:
    """The reason; for an undo, first the import it reverts (« Annulation de l'import du … »)."""
    undoes = job.undoes
    title = f"Annulation de l'import du {when(undoes.created_at, zone)}" if undoes else ""
    return " · ".join(part for part in (title, job_reason(job)) if part)


def row_cells(job: ImportJob, zone: ZoneInfo) -> dict[str, Text]:
    """The job's cells, its times in the establishment's time zone `zone`."""
    return {
        "date": Text(when(job.created_at, zone)),
        "status": status_cell(job),
        "type": Text(job.type_label or job.type),
        "progress": Text(progress_text(job)),
        "detail": Text(detail_text(job, zone)),
        "id": Text(job.id[:8], style="dim"),
    }


class JobsFetched(Message):
    """One poll's answer; a newer one replaces an older one still waiting in the queue."""

    def __init__(self, jobs: Sequence[ImportJob]) -> None:
        super().__init__()
        self.jobs = tuple(jobs)

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, JobsFetched)


class ExportFetched(Message):
    """The stored file of a refused import, to take up in the wizard."""

    def __init__(self, uai: str, export: ExportCheck, last: LastImport | None) -> None:
        super().__init__()
        self.uai = uai
        self.export = export
        self.last = last


class HistoryTable(DataTable[Text]):
    """History rows keyed by job id."""


class HistoryScreen(AfterLaunchScreen):
    TITLE_TEXT = "Historique des imports"
    HELP: ClassVar[str] = (
        "Le statut de chaque import se met à jour tout seul (position dans la liste d'attente, "
        "avancement). {history.recap} : récapitulatif de l'import ; {history.resume} : reprendre "
        "un import interrompu. {history.accounts} : vérification des comptes · "
        "{history.courses} : cours créés · {history.automatic} : import automatique. "
        "Un import automatique refusé parce que PRONOTE a régénéré ses identifiants ou pour "
        "suppression massive : {history.recap} propose « Ouvrir dans l'assistant » (son fichier, "
        "à l'étape Résumé). {history.undo} : annuler l'import le plus récent (après "
        "confirmation)."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "recap", "Récapitulatif", id="history.recap", tooltip="Bilan"),
        Binding("r", "resume", "Reprendre", id="history.resume", tooltip="Si interrompu"),
        Binding("c", "accounts", "Comptes", id="history.accounts", tooltip="Comptes"),
        Binding("v", "courses", "Vérification", id="history.courses", tooltip="Cours créés"),
        Binding("a", "automatic", "Auto.", id="history.automatic", tooltip="Import automatique"),
        Binding(
            "u", "undo", "Annuler l'import", id="history.undo", show=False,
            tooltip="Annuler l'import le plus récent",
        ),
    ]

    def __init__(self, uai: str | None = None, **kw: object) -> None:
        super().__init__(uai, **kw)  # type: ignore[arg-type]
        self.jobs: dict[str, ImportJob] = {}
        self._timer: Timer | None = None
        self.polls = 0
        """Applied polls (tests wait on it)."""

    def body(self) -> ComposeResult:
        yield Static("Chargement de l'historique…", id="history-info", classes="info")
        yield HistoryTable(cursor_type="row", id="history")
        yield Static(id="history-detail", classes="info")

    def on_mount(self) -> None:
        super().on_mount()
        self._widths: tuple[int, ...] = ()
        self._lay_out(self.size.width)
        self.query_one(HistoryTable).focus()
        self.poll()

    def on_resize(self, event: events.Resize) -> None:
        self._lay_out(event.size.width)

    def _lay_out(self, width: int) -> None:
        """Columns by priority for this width (`share_width`); the rows are put back."""
        table = self.query_one(HistoryTable)
        specs = [(preferred, least) for _, _, preferred, least in COLUMNS]
        widths = tuple(share_width((width or 80) - 4, specs, table.cell_padding))
        if widths == self._widths:
            return
        self._widths = widths
        table.clear(columns=True)
        for (key, title, _, _), column_width in zip(COLUMNS, widths, strict=True):
            if column_width:
                table.add_column(Text(title), key=key, width=column_width)
        jobs, self.jobs = self.jobs, {}
        self.apply(tuple(jobs.values()))

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        """The cursor's import in full: its id and Détail, whatever the table had room for."""
        job = self.jobs.get(self.cursor_job_id or "")
        line = Text()
        if job is not None:
            line.append(f"Import {job.id[:8]}", style="dim")
            if reason := job_reason(job):
                line.append(f" · {reason}")
        self.query_one("#history-detail", Static).update(line)

    def on_unmount(self) -> None:
        if self._timer is not None:
            self._timer.stop()

    # -- polling ------------------------------------------------------------------------------

    @work(exclusive=True, group="history", exit_on_error=False)
    async def poll(self) -> None:
        ent = await self.ent()
        uai = await self.uai()
        page = await ent.history(uai, limit=HISTORY_LIMIT)
        self.post_message(JobsFetched(page.items))

    def _schedule(self) -> None:
        active = any(j.status in ("queued", "running") for j in self.jobs.values())
        self._timer = self.set_timer(ACTIVE_POLL if active else IDLE_POLL, self.poll)

    @on(Worker.StateChanged)
    def _poll_failed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "history" and event.state is WorkerState.ERROR:
            self.show_error("history-info", event.worker.error)
            self._timer = self.set_timer(IDLE_POLL, self.poll)

    @on(JobsFetched)
    def _fetched(self, event: JobsFetched) -> None:
        self.apply(event.jobs)
        self.polls += 1
        self._schedule()

    def apply(self, jobs: Sequence[ImportJob]) -> None:
        """Diff `jobs` into the table: remove stale, update changed cells; new ones rebuild it
        in the service's order (newest first)."""
        table = self.query_one(HistoryTable)
        shown = [str(key.value) for key in table.columns]
        fresh = {job.id: job for job in jobs}
        cursor_id = self.cursor_job_id
        zone = self.zone
        with self.app.batch_update():
            if any(job_id not in self.jobs for job_id in fresh):
                table.clear()
                for job_id, job in fresh.items():
                    cells = row_cells(job, zone)
                    table.add_row(*(cells[key] for key in shown), key=job_id)
            else:
                for job_id in [j for j in self.jobs if j not in fresh]:
                    table.remove_row(job_id)
                for job_id, job in fresh.items():
                    old = self.jobs[job_id]
                    if old != job:
                        cells, previous = row_cells(job, zone), row_cells(old, zone)
                        for key in shown:
                            if cells[key] != previous[key]:
                                table.update_cell(job_id, key, cells[key])
            self.jobs = fresh
            if cursor_id in fresh:
                table.move_cursor(row=table.get_row_index(cursor_id), animate=False)
        self._info()
        self._show_detail()

    def _info(self) -> None:
        running = [j for j in self.jobs.values() if j.status in ("queued", "running")]
        text = Text(f"{french_int(len(self.jobs))} import(s)")
        if running:
            text.append(f" · {len(running)} en attente ou en cours (mise à jour en direct)")
        elif not self.jobs:
            text = Text("Aucun import pour cet établissement.")
        self.query_one("#history-info", Static).update(text)

    # -- actions ------------------------------------------------------------------------------

    @property
    def cursor_job_id(self) -> str | None:
        table = self.query_one(HistoryTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return str(key.value) if key.value is not None else None

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_recap()

    def action_recap(self) -> None:
        job = self.jobs.get(self.cursor_job_id or "")
        if job is None:
            return
        if opens_in_wizard(job):

            def chosen(choice: str | None) -> None:
                if choice == OPEN_IN_WIZARD:
                    self.fetch_export(job)
                elif choice is not None:
                    self._open_recap(job.id)

            self.app.push_screen(RefusedJobChoices(job), chosen)
            return
        self._open_recap(job.id)

    def _open_recap(self, job_id: str) -> None:
        from edt_tui.tui.screens.recap import RecapScreen

        self.open(RecapScreen, job_id)

    @work(exclusive=True, group="wizard", exit_on_error=False)
    async def fetch_export(self, job: ImportJob) -> None:
        ent = await self.ent()
        uai = await self.uai()
        summary = await ent.get_export(uai, str(job.export_sha256))
        last = await self.edt_app.wizard.backend.last_manual_import(uai)
        self.post_message(ExportFetched(uai, export_check(summary), last))

    @on(ExportFetched)
    def _export_fetched(self, event: ExportFetched) -> None:
        self.edt_app.open_in_wizard(
            event.uai, event.export, event.last, timezone=self.edt_app.timezones[event.uai]
        )

    def action_undo(self) -> None:
        job = self.jobs.get(self.cursor_job_id or "")
        if job is None or not undoable(job):
            self.notify(
                "Seul un import « Fait » peut être annulé, et d'abord le plus récent.", timeout=4
            )
            return

        def answered(undo: bool | None) -> None:
            if undo:
                self.undo_job(job)

        self.app.push_screen(
            Confirm(
                f"Annuler l'import du {self.when(job.created_at)} ?", explanation=UNDO_EXPLANATION,
                yes="annuler l'import", no="ne rien faire",
            ),
            answered,
        )

    @work(exclusive=True, group="undo", exit_on_error=False)
    async def undo_job(self, job: ImportJob) -> None:
        ent = await self.ent()
        try:
            await ent.undo_import(await self.uai(), job.id)
        except ServiceError as exc:
            why = Reason.from_dict(exc.body.get("why"))
            reason = french(why) if why else exc.body.get("reason") or exc.detail or str(exc)
            self.notify(f"Annulation refusée : {reason}", severity="error", timeout=6)
            return
        self.notify(
            f"Annulation de l'import du {self.when(job.created_at)} mise en liste d'attente.",
            timeout=4,
        )
        self.poll()

    @on(Worker.StateChanged)
    def _action_failed(self, event: Worker.StateChanged) -> None:
        if event.worker.group in ("wizard", "undo") and event.state is WorkerState.ERROR:
            self.notify(f"✖ {error_text(event.worker.error)}", severity="error", timeout=6)

    def action_resume(self) -> None:
        job_id = self.cursor_job_id
        job = self.jobs.get(job_id or "")
        if job is None or not job.resumable:
            self.notify(
                "Seul un import « Interrompu » ou arrêté par un disque plein peut être repris.",
                timeout=3,
            )
            return
        self.resume_job(job.id)

    @work(exclusive=True, group="resume", exit_on_error=False)
    async def resume_job(self, job_id: str) -> None:
        ent = await self.ent()
        job = await ent.resume_job(await self.uai(), job_id)
        self.notify(f"Import repris : {job.status_label}", timeout=3)
        self.poll()

    def action_accounts(self) -> None:
        from edt_tui.tui.screens.accounts import AccountsScreen

        self.open(AccountsScreen)

    def action_courses(self) -> None:
        from edt_tui.tui.screens.integrated_courses import IntegratedCoursesScreen

        self.open(IntegratedCoursesScreen)

    def action_automatic(self) -> None:
        from edt_tui.tui.screens.automatic import AutomaticScreen

        self.open(AutomaticScreen)
