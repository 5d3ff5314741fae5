"""A wizard step showing one list of the service's plan in a selection table.

The plan is fetched in a worker (the service computes it for the export and the session's
selection) unless the wizard already holds one for the same selection. Each activation is
recorded in the session store by `record`, one decision per changed row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import LoadingIndicator, Static
from textual.worker import Worker, WorkerState

from edt_tui.engine.selection import Selection
from edt_tui.errors import EdtTuiError
from edt_tui.pronote.model import frozen_map
from edt_tui.tui.backend import WizardPlan
from edt_tui.tui.screens.base import StepScreen
from edt_tui.tui.selection_model import Column, SelectionModel
from edt_tui.tui.steps import Step
from edt_tui.tui.widgets.selection_table import SelectionTable
from edt_tui.tui.wording import error_text


def merged(selection: Selection, field: str, updates: Mapping[str, Any]) -> Selection:
    """`selection` with `updates` merged into one of its decision maps, in a single copy."""
    current: Mapping[str, Any] = getattr(selection, field)
    changes: dict[str, Any] = {field: frozen_map({**current, **updates})}
    return replace(selection, **changes)


class PlanLoaded(Message):
    def __init__(self, plan: WizardPlan) -> None:
        super().__init__()
        self.plan = plan


class TableStepScreen(StepScreen):
    """Subclasses say which rows, which columns, and how a row's state becomes a decision."""

    AUTO_FOCUS = None
    EMPTY: ClassVar[str] = "Rien à choisir à cette étape : {step.next} pour continuer."
    """Shown when the step has no row; keys by binding id (`tui/key_hints.py`)."""
    TABLE: ClassVar[type[SelectionTable]] = SelectionTable
    """The table widget: the people steps word its activation keys Valider / Refuser."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reload", "Recharger", show=False, id="step.reload", tooltip="Redemander"),
    ]

    def __init__(self, step: Step) -> None:
        super().__init__(step)
        self.model: SelectionModel[Any] | None = None
        self._shown_plan: WizardPlan | None = None
        """The plan the table was built from; the app keeps this screen between visits."""

    # -- hooks ------------------------------------------------------------------------------

    def rows(self, plan: WizardPlan) -> Sequence[Any]:
        raise NotImplementedError

    def columns(self) -> Sequence[Column[Any]]:
        raise NotImplementedError

    def row_id(self, row: Any) -> str:
        return str(row.key)

    def initial_active(self, row: Any) -> bool:
        return bool(row.active)

    def can_activate(self, row: Any) -> bool:
        return True

    def status(self, row_id: str, row: Any, active: bool) -> Text:
        raise NotImplementedError

    def row_style(self, row_id: str, row: Any, active: bool) -> str:
        return ""

    def record(self, selection: Selection, row: Any, active: bool) -> Selection:
        raise NotImplementedError

    def record_many(self, selection: Selection, rows: Sequence[Any], active: bool) -> Selection:
        """Bulk decisions; steps override it to copy the selection once, not once per row."""
        for row in rows:
            selection = self.record(selection, row, active)
        return selection

    # -- composition and loading ------------------------------------------------------------

    def body(self) -> ComposeResult:
        yield LoadingIndicator(id="loading")
        yield Static("Calcul du plan par le service ENT…", id="status", classes="hint")

    def on_mount(self) -> None:
        super().on_mount()
        self._show_plan()

    def _show_plan(self) -> None:
        if self.wizard.plan_is_current() and self.wizard.plan is not None:
            self.post_message(PlanLoaded(self.wizard.plan))
        else:
            self.load_plan()

    def on_screen_resume(self) -> None:
        """Shown again (the app keeps table steps alive): rebuild only if the plan moved on.

        Nothing to redo when the wizard's plan is the very one the table shows and still
        matches the session's selection; otherwise this is what a fresh screen would do.
        """
        wizard = self.wizard
        if self._shown_plan is None or wizard.session is None:
            return  # first visit: `on_mount` is loading it
        wizard.set_step(self.step.id)
        self.sub_title = self._subtitle()
        if wizard.plan is self._shown_plan and wizard.plan_is_current():
            return
        self._shown_plan = None
        for old in self.query(SelectionTable):
            old.remove()
        self.query_one("#loading").display = True
        self.query_one("#status", Static).update("Calcul du plan par le service ENT…")
        self._show_plan()

    def can_leave(self) -> bool:
        """Not before the step's rows are shown: `n` pressed twice must not skip a step unseen."""
        if self._shown_plan is None:
            self.notify(
                "Le plan est en cours de calcul : l'étape s'affiche dès qu'il est prêt.",
                timeout=3,
            )
            return False
        return True

    def action_reload(self) -> None:
        self.query_one("#loading").display = True
        self.query_one("#status", Static).update("Calcul du plan par le service ENT…")
        self.load_plan()

    @work(exclusive=True, group="plan", exit_on_error=False)
    async def load_plan(self) -> None:
        if self.wizard.export is None:
            raise EdtTuiError(
                self.hint("aucun fichier choisi : revenez à l'étape Fichier ({step.back})")
            )
        self.post_message(PlanLoaded(await self.wizard.current_plan()))

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.query_one("#loading").display = False
            self.query_one("#status", Static).update(
                Text(
                    "✖ Le service ENT n'a pas pu calculer le plan : "
                    f"{error_text(event.worker.error)}\n"
                    + self.hint("{step.reload} : réessayer · {step.back} : étape précédente"),
                    style="bold red",
                )
            )

    @on(PlanLoaded)
    async def _plan_loaded(self, event: PlanLoaded) -> None:
        self.query_one("#loading").display = False
        self._shown_plan = event.plan
        rows = self.rows(event.plan)
        status = self.query_one("#status", Static)
        for old in self.query(SelectionTable):
            await old.remove()
        if not rows:
            status.update(self.hint(self.EMPTY))
            self.model = None
            return
        status.update(self.legend())
        previous = self.model
        self.model = SelectionModel(
            rows,
            row_id=self.row_id,
            columns=self.columns(),
            initial_active=self.initial_active,
            can_activate=self.can_activate,
            status=lambda row_id, row, active: self.status(row_id, row, active).plain,
            page_size=previous.page_size if previous else 25,
        )
        table = self.TABLE(
            self.model, status=self.status, row_style=self.row_style, status_first=True
        )
        await self.mount(table, after=status)
        table.focus_table()
        self.edt_app.idle_gc.keep_long_lived()

    def legend(self) -> Text:
        return Text("✔ Activé  + Ajouté  ○ Nouveau (non importé)  ✖ Désactivé", style="dim")

    @property
    def selection_table(self) -> SelectionTable | None:
        tables = self.query(SelectionTable)
        return tables.first() if tables else None

    # -- decisions --------------------------------------------------------------------------

    @on(SelectionTable.Changed)
    def _changed(self, event: SelectionTable.Changed) -> None:
        model = self.model
        if model is None:
            return
        rows = [model.row(rid) for rid in event.change.ids]
        active = event.change.active

        def edit(selection: Selection) -> Selection:
            return self.record_many(selection, rows, active)

        self.wizard.decide(edit)

    def activate_where(self, predicate: Any, active: bool = True) -> int:
        """Palette helper (e.g. "subjects: add all new"): act on rows matching `predicate`."""
        table, model = self.selection_table, self.model
        if table is None or model is None:
            return 0
        ids = [self.row_id(r) for r in model.all_rows() if predicate(r)]
        change = model.set_active(ids, active)
        if change.ids:
            table.post_message(SelectionTable.Changed(table, change))
        table.render_page()
        return len(change.ids)
