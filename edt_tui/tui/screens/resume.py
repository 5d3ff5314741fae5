"""At start-up: offer to resume an unfinished import session at the step it stopped."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from edt_tui.dates import local_label
from edt_tui.session.store import ImportSession
from edt_tui.tui.screens.choice import CHOOSE, ListChoice
from edt_tui.tui.steps import title

NEW = "__new__"


def describe(session: ImportSession) -> Text:
    name = session.export.get("file_name") or "pas encore de fichier"
    when = local_label(session.updated_at, session.zone)
    return Text(f"{session.uai} · {title(session.step)} · {name} · {when}")


class ResumeModal(ListChoice, ModalScreen[str | None]):
    """Dismissed with a session id, `NEW` for a new import, or None (escape: new import)."""

    AUTO_FOCUS = "OptionList"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Nouvel import", id="resume.new", tooltip="Nouveau"),
        CHOOSE,
    ]

    def __init__(self, sessions: Sequence[ImportSession]) -> None:
        super().__init__()
        self.sessions = list(sessions)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Reprendre un import inachevé ?", style="bold"))
            yield OptionList(
                *[Option(describe(s), id=s.id) for s in self.sessions],
                Option(Text("➕ Nouvel import"), id=NEW),
            )

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
