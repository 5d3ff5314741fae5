"""Steps 4–7 (seed §3.5–§3.8): subjects, classes, groups and courses to import."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType

from edt_tui.engine.selection import Selection, SubjectChoice
from edt_tui.errors import EdtTuiError
from edt_tui.tui.backend import CourseLine, ItemLine, WizardPlan
from edt_tui.tui.screens.course_detail import CourseDetailModal, IgnoredSessionsModal
from edt_tui.tui.screens.table_step import TableStepScreen, merged
from edt_tui.tui.selection_model import Column
from edt_tui.tui.status import item_status
from edt_tui.tui.widgets.selection_table import SelectionTable
from edt_tui.tui.wording import error_text

ITEM_HELP = (
    "Vert (✔) : reconnu dans l'ENT et importé. Blanc (○) : inconnu de l'ENT, pas importé tant "
    "que vous ne l'ajoutez pas (a). Rouge (✖) : désactivé, ses cours ne seront pas créés. "
    "Marquez des lignes (espace, v pour une plage, * pour tout ce que montre le filtre) puis "
    "a / d pour les activer / désactiver ; A / D : tout activer / tout désactiver."
)


def _ent(row: ItemLine) -> str:
    return row.ent_name or ""


def _edt(row: ItemLine) -> str:
    return f"{row.export_label} (Id : {row.ident})"


def _label(row: ItemLine) -> str:
    """What the filter reads of the EDT column: `/1` must not find every « (Id : 1…) »."""
    return row.export_label


class SubjectsScreen(TableStepScreen):
    STEP = "subjects"
    HELP: ClassVar[str] = "Sélection des matières. " + ITEM_HELP
    EMPTY = "Cet export ne contient aucune matière : n pour continuer."

    def rows(self, plan: WizardPlan) -> Sequence[Any]:
        return plan.subjects

    def columns(self) -> Sequence[Column[Any]]:
        return [Column("ent", "ENT", _ent), Column("edt", "EDT", _edt, search=_label)]

    def status(self, row_id: str, row: ItemLine, active: bool) -> Text:
        return item_status(row.known, active).text()

    def row_style(self, row_id: str, row: ItemLine, active: bool) -> str:
        if not active:
            return "red" if row.known else ""
        return "green"

    def record(self, selection: Selection, row: ItemLine, active: bool) -> Selection:
        return self.record_many(selection, [row], active)

    def record_many(self, selection: Selection, rows: Sequence[Any], active: bool) -> Selection:
        def choice(row: ItemLine) -> SubjectChoice:
            if not active:
                return SubjectChoice.INACTIVE
            return SubjectChoice.ACTIVE if row.known else SubjectChoice.ADDED

        return merged(selection, "subjects", {row.key: choice(row) for row in rows})


class ClassesScreen(SubjectsScreen):
    STEP = "classes"
    HELP: ClassVar[str] = "Sélection des classes. " + ITEM_HELP
    EMPTY = "Cet export ne contient aucune classe : n pour continuer."

    def rows(self, plan: WizardPlan) -> Sequence[Any]:
        return plan.classes

    def columns(self) -> Sequence[Column[Any]]:
        return [Column("ent", "ENT", _ent), Column("edt", "EDT", lambda r: r.export_label)]

    def record_many(self, selection: Selection, rows: Sequence[Any], active: bool) -> Selection:
        return merged(selection, "classes", {row.key: active for row in rows})


class GroupsScreen(SubjectsScreen):
    STEP = "groups"
    HELP: ClassVar[str] = (
        "Sélection des groupes : tous sont proposés. Désactivez (d) ceux dont vous ne voulez "
        "pas les cours. " + ITEM_HELP
    )
    EMPTY = "Cet export ne contient aucun groupe : n pour continuer."

    def rows(self, plan: WizardPlan) -> Sequence[Any]:
        return plan.groups

    def columns(self) -> Sequence[Column[Any]]:
        return [Column("group", "Groupe", _edt, search=_label)]

    def status(self, row_id: str, row: ItemLine, active: bool) -> Text:
        return item_status(True, active).text()

    def row_style(self, row_id: str, row: ItemLine, active: bool) -> str:
        return "green" if active else "red"

    def record_many(self, selection: Selection, rows: Sequence[Any], active: bool) -> Selection:
        return merged(selection, "groups", {row.key: active for row in rows})


class CoursesScreen(TableStepScreen):
    STEP = "courses"
    HELP: ClassVar[str] = (
        "Sélection des cours : l'association des matières, classes et groupes activés produit "
        "les cours à créer dans l'ENT (vert). Désactivez (d) ceux à ne pas synchroniser (rouge). "
        "entrée : le cours en détail (enseignants, élèves, salles, prochains évènements) ; "
        "i : les séances de l'export qui ne produisent aucun cours, et pourquoi."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "i", "ignored", "Séances ignorées", show=False, id="courses.ignored",
            tooltip="Séances qui ne produisent aucun cours",
        ),
    ]
    EMPTY = (
        "Aucun cours : activez au moins une matière et une classe ou un groupe "
        "(échap pour revenir aux étapes précédentes)."
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
            "✔ Activé  ✖ Désactivé  ·  entrée : détail du cours · i : séances ignorées",
            style="dim",
        )

    def action_ignored(self) -> None:
        plan = self.wizard.plan
        self.app.push_screen(IgnoredSessionsModal(plan.ignored_sessions if plan else ()))

    @on(SelectionTable.RowChosen)
    def _row_chosen(self, event: SelectionTable.RowChosen) -> None:
        self.show_course(event.row_id)

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
        self.app.push_screen(CourseDetailModal(detail))

    def record_many(self, selection: Selection, rows: Sequence[Any], active: bool) -> Selection:
        keys = {row.key for row in rows}
        current = selection.deactivated_courses
        return replace(selection, deactivated_courses=current - keys if active else current | keys)
