"""Keys decided in the order they were typed, at any speed: `RoutedApp`, `TextField`, `Typing`.

Textual hands a key to the focused widget, lets it bubble up widget by widget (each with its own
message queue) and resolves the bindings only once it is back at the app; by then the next keys
of a burst (a paste, SSH grouping keystrokes, `tmux send-keys '/dup'`) are already on their way
to the old target. So `/dup` typed at once ran `d` and `u` as table commands before the filter
prompt opened. Here every key is decided in the app's own queue, one after the other, before
anything is forwarded:

1. the priority bindings (`ctrl+q`, the palette), as Textual does;
2. an open prompt of the focused widget or one of its containers (`route_key`: the filter typed
   in a table's pager line), which takes its keys synchronously;
3. the bindings of the focused widget, its containers, the screen and the app, run at once
   (Textual would run the same ones after the key bubbled up);
4. otherwise Textual's own path.

A text field (an `Input`) takes printable keys itself; then only step 1 applies, and the field
must be a `TextField`, which runs its editing keys (`ctrl+u`, backspace…) in its own queue, in
order with the typed text. A key that opens a `Typing` screen (a one-line prompt) holds the
following keys until that screen's field has the focus, then replays them to it.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, TypeVar, runtime_checkable

from textual import events
from textual.app import App
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, TextArea

ReturnType = TypeVar("ReturnType")


@runtime_checkable
class KeyRouted(Protocol):
    """A widget with a prompt of its own that takes keys while it is open."""

    def route_key(self, event: events.Key) -> bool: ...

    def route_paste(self, event: events.Paste) -> bool: ...


class Typing:
    """Mixin for a screen whose text field must get the keys typed right after it was opened."""

    KEYS_HELD: ClassVar[bool] = True

    def typing_ready(self) -> None:
        """Call once the field has the focus: the keys held meanwhile go to it, in order."""
        app = getattr(self, "app", None)
        if isinstance(app, RoutedApp):
            app.release_held_keys()


class TextField(Input):
    """An `Input` whose own editing keys run in its queue, in order with the typed text.

    Textual resolves `ctrl+u`, backspace, arrows… only after the key bubbled up to the app,
    while the characters typed next are inserted at once: they were erased by the late
    `ctrl+u`.
    """

    async def on_key(self, event: events.Key) -> None:
        """Runs before `Input`'s own key handler; `prevent_default` skips it for a bound key."""
        if event.is_printable:
            return
        active = self.screen.active_bindings.get(event.key)
        if active is None or active.node is not self or not active.enabled:
            return
        if await self.app.run_action(active.binding.action, self):
            event.stop()
            event.prevent_default()


def _chain(widget: Widget | None, screen: Screen[Any]) -> list[DOMNode]:
    """The focused widget and its containers up to the screen (the screen alone without focus)."""
    nodes: list[DOMNode] = []
    node: DOMNode | None = widget
    while node is not None and node is not screen:
        nodes.append(node)
        node = node.parent
    nodes.append(screen)
    return nodes


class RoutedApp(App[ReturnType]):
    """An app that decides every key in its own queue, in arrival order (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[events.Key | events.Paste] | None = None
        """Keys typed while a `Typing` screen opens (None: nothing held)."""

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            await self._route(event)
        else:
            await super().on_event(event)

    async def _route(self, event: events.Key | events.Paste) -> None:
        if self._held is not None:
            if isinstance(event, events.Key) and await self._run_binding(event.key, True):
                return  # ctrl+q still quits
            self._held.append(event)
            return
        before = self.screen
        if not await self._decide(event):
            await super().on_event(event)
        screen = self.screen
        if screen is not before and getattr(screen, "KEYS_HELD", False) and not screen.focused:
            self._held = []

    async def _decide(self, event: events.Key | events.Paste) -> bool:
        """Steps 1–3 of the module's list; False leaves the key to Textual."""
        if isinstance(event, events.Key) and await self._run_binding(event.key, True):
            return True
        focused = self.focused
        if isinstance(focused, (Input, TextArea)):
            return False
        for node in _chain(focused, self.screen):
            if isinstance(node, KeyRouted):
                taken = (
                    node.route_key(event)
                    if isinstance(event, events.Key)
                    else node.route_paste(event)
                )
                if taken:
                    return True
        return isinstance(event, events.Key) and await self._run_binding(event.key, False)

    async def _run_binding(self, key: str, priority: bool) -> bool:
        """The binding the footer shows for `key` (focused widget first), if enabled, run now."""
        active = self.screen.active_bindings.get(key)
        if active is None or active.binding.priority != priority or not active.enabled:
            return False
        return bool(await self.run_action(active.binding.action, active.node))

    def release_held_keys(self) -> None:
        """Replay the held keys after those already queued (the app's queue keeps the order)."""
        if self._held is not None:
            self.call_later(self._replay_held)

    async def _replay_held(self) -> None:
        held, self._held = self._held or [], None
        for event in held:
            await self._route(event)
