"""`enter` on the Cours step: one course in full (teachers, students, rooms, next events)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from edt_tui.tui.backend import CourseDetail
from edt_tui.tui.formatting import when
from edt_tui.tui.key_hints import with_keys


def _names(people: Sequence[tuple[str, bool]]) -> Text:
    text = Text()
    for index, (name, reconciled) in enumerate(people):
        if index:
            text.append(", ")
        text.append(name, style="" if reconciled else "red")
        if not reconciled:
            text.append(" (sans compte)", style="red")
    return text if people else Text("—", style="dim")


class ReadOnlyDialog(ModalScreen[None]):
    """A dialog that only shows: any of its close keys dismisses it."""

    AUTO_FOCUS = None
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "dismiss", "Fermer", id="detail.close", tooltip="Fermer"),
    ]


class CourseDetailModal(ReadOnlyDialog):
    """`enter` on a course: its teachers and students by name, rooms and the next events."""

    def __init__(self, detail: CourseDetail, zone: ZoneInfo) -> None:
        super().__init__()
        self.detail = detail
        self.zone = zone
        """The establishment's time zone, the events' times are shown in."""

    def compose(self) -> ComposeResult:
        d = self.detail
        with VerticalScroll(classes="dialog"):
            yield Static(Text(d.label, style="bold"))
            yield Static(Text.assemble(("Enseignants : ", "bold"), _names(d.teachers)))
            yield Static(
                Text.assemble((f"Élèves ({len(d.students)}) : ", "bold"), _names(d.students))
            )
            yield Static(
                Text.assemble(("Salles : ", "bold"), ", ".join(d.rooms) or "—")
            )
            events = Table.grid(padding=(0, 2))
            for start, end, rooms in d.first_events:
                events.add_row(
                    when(start, self.zone), when(end, self.zone)[-5:], ", ".join(rooms)
                )
            yield Static(Text(f"Prochains évènements ({d.future_events} à venir) :", style="bold"))
            yield Static(events if d.first_events else Text("aucun", style="dim"))
            yield Static(Text(with_keys(self.app, "{detail.close} : fermer"), style="dim"))
