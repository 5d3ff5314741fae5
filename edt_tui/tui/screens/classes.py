"""Step 5 (seed §3.6): the export's classes, matched to the ENT's classes or new."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from edt_tui.engine.selection import Selection
from edt_tui.tui.backend import WizardPlan
from edt_tui.tui.screens.items import ItemStepScreen, ent_name
from edt_tui.tui.screens.table_step import merged
from edt_tui.tui.selection_model import Column


class ClassesScreen(ItemStepScreen):
    EMPTY = "Cet export ne contient aucune classe : {step.next} pour continuer."

    def rows(self, plan: WizardPlan) -> Sequence[Any]:
        return plan.classes

    def columns(self) -> Sequence[Column[Any]]:
        return [Column("ent", "ENT", ent_name), Column("edt", "EDT", lambda r: r.export_label)]

    def record_many(self, selection: Selection, rows: Sequence[Any], active: bool) -> Selection:
        return merged(selection, "classes", {row.key: active for row in rows})
