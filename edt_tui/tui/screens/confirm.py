"""A yes/no question that takes a second key: launching, undoing, acting on many rows."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Static

from edt_tui.tui.key_hints import with_keys


class Confirm(ModalScreen[bool]):
    """`ask.yes` (`o`, `y`, `entrée`) answers yes, `ask.no` (`n`, `échap`) no."""

    AUTO_FOCUS = None
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o,y,enter", "answer(True)", "Oui", id="ask.yes", tooltip="Oui"),
        Binding("n,escape", "answer(False)", "Non", id="ask.no", tooltip="Non"),
    ]

    def __init__(
        self, question: str, *, explanation: str = "", yes: str = "oui", no: str = "non"
    ) -> None:
        super().__init__()
        self.question = question
        self.explanation = explanation
        self.answers = f"{{ask.yes}} : {yes} · {{ask.no}} : {no}"

    def compose(self) -> ComposeResult:
        explained = f"{self.explanation}\n\n" if self.explanation else ""
        yield Static(
            Text.assemble(
                (self.question, "bold"), "\n\n", explained, with_keys(self.app, self.answers)
            ),
            classes="dialog",
        )

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
