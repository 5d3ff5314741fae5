"""Step 6 (seed §3.7): the export's groups, all proposed; the admin deactivates some."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text

from edt_tui.engine.selection import Selection
from edt_tui.tui.backend import ItemLine, WizardPlan
from edt_tui.tui.screens.items import ItemStepScreen, export_label, export_name
from edt_tui.tui.screens.table_step import merged
from edt_tui.tui.selection_model import Column
from edt_tui.tui.status import item_status


class GroupsScreen(ItemStepScreen):
    EMPTY = "Cet export ne contient aucun groupe : {step.next} pour continuer."

    def rows(self, plan: WizardPlan) -> Sequence[Any]:
        return plan.groups

    def columns(self) -> Sequence[Column[Any]]:
        return [Column("group", "Groupe", export_name, search=export_label)]

    def status(self, row_id: str, row: ItemLine, active: bool) -> Text:
        return item_status(True, active).text()

    def row_style(self, row_id: str, row: ItemLine, active: bool) -> str:
        return "green" if active else "red"

    def record_many(self, selection: Selection, rows: Sequence[Any], active: bool) -> Selection:
        return merged(selection, "groups", {row.key: active for row in rows})
