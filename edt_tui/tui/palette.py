"""The command palette's providers share one base: a list of `area: verb` commands.

A provider says which commands the screen under the palette offers (`commands`); discovery (the
palette opened with nothing typed) and fuzzy search over the names are done once, here.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.command import DiscoveryHit, Hit, Hits, Provider

Command = tuple[str, Callable[[], object], str]
"""(name as typed, e.g. `go: courses`; what it runs; its French help line)."""


class CommandsProvider(Provider):
    """Subclasses return their commands from `commands()`, read again at each keystroke."""

    def commands(self) -> list[Command]:
        raise NotImplementedError

    async def discover(self) -> Hits:
        for name, callback, help_text in self.commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
