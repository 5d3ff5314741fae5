"""`i` on the Cours step: the export's sessions that make no course, and why."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from edt_tui.reasons import french
from edt_tui.tui.backend import IgnoredSessionLine
from edt_tui.tui.key_hints import with_keys
from edt_tui.tui.screens.course_detail import ReadOnlyDialog

IGNORED_REASONS: dict[str, str] = {
    "class_part_only": "partie de classe seule (sans sa classe)",
    "missing_slot": "créneau absent de la grille horaire",
    "unknown_reference": "référence inconnue dans l'export",
}
"""Why a session produces no course, in the admin's words."""


def _where(session: IgnoredSessionLine) -> str:
    """The session and its line, from a service that sent no reason this version knows."""
    where = f"séance {session.session}" if session.session is not None else ""
    if session.line is not None:
        where += f" (ligne {session.line})"
    return where.strip()


class IgnoredSessionsModal(ReadOnlyDialog):
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
                table.add_row(
                    Text(IGNORED_REASONS.get(s.reason, s.reason)),
                    Text(s.subject or "—"),
                    Text(french(s.why) if s.why else _where(s)),
                )
            yield Static(table)
            yield Static(Text(with_keys(self.app, "{detail.close} : fermer"), style="dim"))
