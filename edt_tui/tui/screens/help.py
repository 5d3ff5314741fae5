"""`?`: the keys of the current screen (with their tooltips) and what the step is about."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, Protocol, runtime_checkable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from edt_tui.tui.key_hints import key_label, with_keys

GENERIC_ACTIONS: dict[str, str] = {
    "cursor_up": "Ligne précédente",
    "cursor_down": "Ligne suivante",
    "cursor_left": "Colonne ou caractère précédent",
    "cursor_right": "Colonne ou caractère suivant",
    "page_up": "Page écran précédente",
    "page_down": "Page écran suivante",
    "scroll_up": "Défiler vers le haut",
    "scroll_down": "Défiler vers le bas",
    "scroll_top": "Tout en haut",
    "scroll_bottom": "Tout en bas",
    "scroll_home": "Début",
    "scroll_end": "Fin",
    "first": "Premier",
    "last": "Dernier",
    "select_cursor": "Choisir",
    "select": "Choisir",
    "toggle_node": "Ouvrir ou fermer",
    "cursor_parent": "Dossier parent",
}
"""Textual's own movement keys (they carry no id), worded in French for the help; any other
built-in binding is left out of the help rather than shown in English."""


@runtime_checkable
class Helped(Protocol):
    """A screen with a help of its own: `app.help` (`?`) opens it on any screen."""

    def show_help(self) -> None: ...


class HelpScreen(ModalScreen[None]):
    AUTO_FOCUS = None
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Fermer", id="help.close", tooltip="Fermer"),
    ]

    def __init__(self, title: str, text: str, bindings: Iterable[Binding]) -> None:
        """`text` names keys by binding id (`{table.filter}`), shown with the keys bound now."""
        super().__init__()
        self.title_text = title
        self._text = text
        self.rows: list[tuple[str, str, str]] = []
        """(key, description, tooltip) of each binding, first one per key: the screen's own keys
        (ours all have an id), then the generic movement keys of Textual's widgets."""
        seen: set[str] = set()
        generic: list[tuple[str, str, str]] = []
        for binding in bindings:
            if binding.key in seen or binding.system:
                continue
            seen.add(binding.key)
            if binding.id is not None:
                self.rows.append((binding.key, binding.description, binding.tooltip))
            elif binding.action in GENERIC_ACTIONS:
                generic.append((binding.key, GENERIC_ACTIONS[binding.action], ""))
        self.rows += generic

    def compose(self) -> ComposeResult:
        keys = Table.grid(padding=(0, 2))
        keys.add_column(style="bold", no_wrap=True)
        keys.add_column(no_wrap=True)
        keys.add_column(style="dim")
        for key, description, tooltip in self.rows:
            keys.add_row(Text(key_label(self.app, key)), Text(description), Text(tooltip))
        with VerticalScroll(classes="dialog"):
            yield Static(Text(f"Aide — {self.title_text}", style="bold"))
            yield Static(Text(with_keys(self.app, self._text)))
            yield Static(keys)
            yield Static(
                Text(
                    with_keys(
                        self.app,
                        "{app.palette} : palette de commandes · {app.quit} : quitter · "
                        "{help.close} : fermer l'aide",
                    )
                )
            )
