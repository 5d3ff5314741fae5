"""`list.choose`: the key that picks the highlighted line of a screen's list, by binding id.

Textual's `OptionList` takes `enter` itself (no id, so no keymap); a screen with this mixin also
binds `list.choose`, so a remapped key chooses too and the screen's hint shows it.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.widgets import OptionList

CHOOSE = Binding(
    "enter", "choose", "Choisir", show=False, id="list.choose", tooltip="Choisir la ligne"
)


class ListChoice:
    """Mixin for a screen with one `OptionList`: add `CHOOSE` to its `BINDINGS`."""

    def action_choose(self: Any) -> None:
        self.query_one(OptionList).action_select()
