"""The one-line prompt of the after-launch screens (a path, a number)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from edt_tui.tui.key_hints import with_keys
from edt_tui.tui.keys import TextField, Typing


class PromptModal(Typing, ModalScreen[str | None]):
    """One line of input (a path, a number); enter answers it, escape cancels.

    Opened by a key (`x`…), it gets the keys typed right after it, at any speed (`Typing`).
    """

    AUTO_FOCUS = None
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Annuler", id="prompt.cancel", tooltip="Annuler"),
        Binding("enter", "submit", "Valider", show=False, id="prompt.submit", tooltip="Valider"),
    ]

    def __init__(self, question: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self._question = question
        self._value = value
        self._placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self._question, style="bold"))
            yield TextField(value=self._value, placeholder=self._placeholder)
            yield Static(
                Text(
                    with_keys(self.app, "{prompt.submit} : valider · {prompt.cancel} : annuler"),
                    style="dim",
                )
            )

    def on_screen_resume(self) -> None:
        self.set_focus(self.query_one(TextField))
        self.typing_ready()

    def action_submit(self) -> None:
        """The key of `prompt.submit` when remapped (the field takes `enter` itself)."""
        self.dismiss(self.query_one(TextField).value.strip())

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())
