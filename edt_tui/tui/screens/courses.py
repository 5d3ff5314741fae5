"""Step 7 (seed §3.8): the courses the activated subjects, classes and groups make."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType

from edt_tui.engine.selection import Selection
from edt_tui.errors import EdtTuiError
from edt_tui.tui.backend import CourseLine, WizardPlan
from edt_tui.tui.key_hints import with_keys
from edt_tui.tui.screens.course_detail import CourseDetailModal
from edt_tui.tui.screens.ignored_sessions import IgnoredSessionsModal
from edt_tui.tui.screens.table_step import TableStepScreen
from edt_tui.tui.selection_model import Column
from edt_tui.tui.status import item_status
from edt_tui.tui.widgets.selection_table import SelectionTable
from edt_tui.tui.wording import error_text


class CoursesScreen(TableStepScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "i", "ignored", "Séances ignorées", show=False, id="courses.ignored",
            tooltip="Séances qui ne produisent aucun cours",
        ),
        Binding(
            "enter", "detail", "Détail", show=False, id="courses.detail",
            tooltip="Le cours en détail : enseignants, élèves, salles, évènements",
        ),
    ]
    EMPTY = (
        "Aucun cours : activez au moins une matière et une classe ou un groupe "
        "({step.back} pour revenir aux étapes précédentes)."
    )

    def rows(self, plan: WizardPlan) -> Sequence[Any]:
        return [c for c in plan.courses if c.available]

    def columns(self) -> Sequence[Column[Any]]:
        return [
            Column("label", "ENT", lambda c: c.label),
            Column("kind", "Type", lambda c: "groupe" if c.audience_kind == "group" else "classe"),
            Column("teachers", "Ens.", lambda c: str(c.teachers), filterable=False, width=5),
            Column("students", "Élèves", lambda c: str(c.students), filterable=False, width=6),
        ]

    def initial_active(self, row: CourseLine) -> bool:
        return row.selected

    def status(self, row_id: str, row: CourseLine, active: bool) -> Text:
        return item_status(True, active).text()

    def row_style(self, row_id: str, row: CourseLine, active: bool) -> str:
        return "green" if active else "red"

    def record(self, selection: Selection, row: CourseLine, active: bool) -> Selection:
        return selection.with_course(row.key, active)

    def legend(self) -> Text:
        """One line at 80 columns: a course is only ever activated or deactivated."""
        return Text(
            with_keys(
                self.app,
                "✔ Activé  ✖ Désactivé  ·  {courses.detail} : détail du cours · "
                "{courses.ignored} : séances ignorées",
            ),
            style="dim",
        )

    def action_ignored(self) -> None:
        plan = self.wizard.plan
        self.app.push_screen(IgnoredSessionsModal(plan.ignored_sessions if plan else ()))

    @on(SelectionTable.RowChosen)
    def _row_chosen(self, event: SelectionTable.RowChosen) -> None:
        self.show_course(event.row_id)

    def action_detail(self) -> None:
        """The key of `courses.detail` when remapped (`enter` reaches the table first)."""
        table = self.selection_table
        if table is not None and table.cursor_row_id is not None:
            self.show_course(table.cursor_row_id)

    @work(exclusive=True, group="course-detail", exit_on_error=False)
    async def show_course(self, key: str) -> None:
        plan = self.wizard.plan
        if plan is None:
            return
        try:
            detail = await self.wizard.backend.course_detail(self.wizard.uai, plan, key)
        except EdtTuiError as exc:  # shown, never a traceback: the table stays usable
            message = f"Détail du cours indisponible : {error_text(exc)}"
            self.notify(message, severity="error", timeout=5)
            return
        self.app.push_screen(CourseDetailModal(detail, self.wizard.zone))

    def record_many(self, selection: Selection, rows: Sequence[Any], active: bool) -> Selection:
        keys = {row.key for row in rows}
        current = selection.deactivated_courses
        return replace(selection, deactivated_courses=current - keys if active else current | keys)
