"""The Cours step's two looks behind the table: one course in full, and the ignored sessions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from edt_tui.tui.backend import CourseDetail, IgnoredSessionLine
from edt_tui.tui.screens.after_base import when

IGNORED_REASONS: dict[str, str] = {
    "class_part_only": "partie de classe seule (sans sa classe)",
    "missing_slot": "créneau absent de la grille horaire",
    "unknown_reference": "référence inconnue dans l'export",
}
"""Why a session produces no course, in the admin's words."""


def _names(people: Sequence[tuple[str, bool]]) -> Text:
    text = Text()
    for index, (name, reconciled) in enumerate(people):
        if index:
            text.append(", ")
        text.append(name, style="" if reconciled else "red")
        if not reconciled:
            text.append(" (sans compte)", style="red")
    return text if people else Text("—", style="dim")


class _Dialog(ModalScreen[None]):
    AUTO_FOCUS = None
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "dismiss", "Fermer", id="detail.close", tooltip="Fermer"),
    ]


class CourseDetailModal(_Dialog):
    """`enter` on a course: its teachers and students by name, rooms and the next events."""

    def __init__(self, detail: CourseDetail) -> None:
        super().__init__()
        self.detail = detail

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
                events.add_row(when(start), when(end)[-5:], ", ".join(rooms))
            yield Static(Text(f"Prochains évènements ({d.future_events} à venir) :", style="bold"))
            yield Static(events if d.first_events else Text("aucun", style="dim"))
            yield Static(Text("échap : fermer", style="dim"))


class IgnoredSessionsModal(_Dialog):
    """`i` on the Cours step: the export's sessions that create no course, and why."""

    def __init__(self, sessions: Sequence[IgnoredSessionLine]) -> None:
        super().__init__()
        self.sessions = tuple(sessions)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static(
                Text(f"Séances ignorées : {len(self.sessions)}", style="bold")
            )
            if not self.sessions:
                yield Static("Toutes les séances de l'export produisent un cours.")
            table = Table.grid(padding=(0, 2))
            for s in self.sessions:
                where = f"séance {s.session}" if s.session is not None else ""
                if s.line is not None:
                    where += f" (ligne {s.line})"
                table.add_row(  # the engine's detail is English: reason, subject and place say it
                    Text(IGNORED_REASONS.get(s.reason, s.reason)),
                    Text(s.subject or "—"),
                    Text(where.strip()),
                )
            yield Static(table)
            yield Static(Text("échap : fermer", style="dim"))
