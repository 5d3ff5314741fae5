"""What the subjects, classes and groups steps share: a row known to the ENT or new, activated
or not (seed §3.5–§3.7)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text

from edt_tui.engine.selection import Selection
from edt_tui.tui.backend import ItemLine
from edt_tui.tui.screens.table_step import TableStepScreen
from edt_tui.tui.status import item_status


def ent_name(row: ItemLine) -> str:
    return row.ent_name or ""


def export_name(row: ItemLine) -> str:
    return f"{row.export_label} (Id : {row.ident})"


def export_label(row: ItemLine) -> str:
    """What the filter reads of the EDT column: `/1` must not find every « (Id : 1…) »."""
    return row.export_label


class ItemStepScreen(TableStepScreen):
    """A subject, class or group: green when imported, red when deactivated, white when new."""

    def status(self, row_id: str, row: ItemLine, active: bool) -> Text:
        return item_status(row.known, active).text()

    def row_style(self, row_id: str, row: ItemLine, active: bool) -> str:
        if not active:
            return "red" if row.known else ""
        return "green"

    def record(self, selection: Selection, row: ItemLine, active: bool) -> Selection:
        return self.record_many(selection, [row], active)

    def record_many(self, selection: Selection, rows: Sequence[Any], active: bool) -> Selection:
        raise NotImplementedError
