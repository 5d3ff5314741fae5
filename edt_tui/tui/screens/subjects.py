"""Step 4 (seed §3.5): the export's subjects, matched to the ENT's referential or new."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from edt_tui.engine.selection import Selection, SubjectChoice
from edt_tui.tui.backend import ItemLine, WizardPlan
from edt_tui.tui.screens.items import ItemStepScreen, ent_name, export_label, export_name
from edt_tui.tui.screens.table_step import merged
from edt_tui.tui.selection_model import Column


class SubjectsScreen(ItemStepScreen):
    EMPTY = "Cet export ne contient aucune matière : {step.next} pour continuer."

    def rows(self, plan: WizardPlan) -> Sequence[Any]:
        return plan.subjects

    def columns(self) -> Sequence[Column[Any]]:
        return [
            Column("ent", "ENT", ent_name),
            Column("edt", "EDT", export_name, search=export_label),
        ]

    def record_many(self, selection: Selection, rows: Sequence[Any], active: bool) -> Selection:
        def choice(row: ItemLine) -> SubjectChoice:
            if not active:
                return SubjectChoice.INACTIVE
            return SubjectChoice.ACTIVE if row.known else SubjectChoice.ADDED

        return merged(selection, "subjects", {row.key: choice(row) for row in rows})
