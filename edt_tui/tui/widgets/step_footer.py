"""A Footer that redraws its keys only when the screen's bindings really changed."""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class StepFooter(Footer):
    """Textual's Footer recomposes every key on each bindings signal, a screen resume included.

    That is ~10 styled widgets, most of a step switch (~190 of ~240 ms with the wizard's kept-alive
    table steps). Same look; the recomposition is skipped when the shown bindings are unchanged.
    """

    def __init__(self) -> None:
        # Compact (one space between keys) so a table step's keys fit 80 columns; the palette
        # key is in the help and in `ctrl+p` itself, not worth a third of the line.
        super().__init__(compact=True, show_command_palette=False)
        self._shown: Hashable | None = None

    def _signature(self, screen: Screen[object]) -> Hashable:
        return tuple(
            (key, b.action, b.description, b.show, b.key_display, enabled, tooltip)
            for key, (_node, b, enabled, tooltip) in screen.active_bindings.items()
        )

    def compose(self) -> ComposeResult:
        if self.is_mounted:
            # Drop the watchers of the keys this recomposition removed. Each key is bound to
            # the footer's `compact` (`data_bind`), and Textual prunes the watchers of removed
            # widgets only when the watched value is set — `compact` never is, so every
            # recomposition kept its ~10 keys (and their caches) alive for the session.
            self.mutate_reactive(Footer.compact)
        yield from super().compose()

    def bindings_changed(self, screen: Screen[object]) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            signature = self._signature(screen)
            if signature == self._shown:
                return
            self._shown = signature
        super().bindings_changed(screen)
