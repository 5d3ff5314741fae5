"""Key hints built from the bindings: a text names a key by binding id, `{table.filter}`, and is
shown with the key bound now — the default, or the user's from `config.toml` (`[keymap]`).

So the help screens, the prompts, the legends and the empty states never say « a » for a key the
admin moved to « v ». `binding_catalogue` lists every binding id the TUI declares (with its
default key), which is also what a keymap is checked against (`tui/keymap.py`).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from typing import Any, Protocol, runtime_checkable

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode

Hint = Callable[[str], str]
"""A text with `{binding.id}` placeholders → the text with the keys bound now."""

PLACEHOLDER = re.compile(r"\{([a-z_]+\.[a-z_]+)\}")
"""`{area.name}` in a hint: the key of the binding with that id."""

FRENCH_KEYS: Mapping[str, str] = {
    "space": "espace",
    "escape": "échap",
    "esc": "échap",
    "enter": "entrée",
    "tab": "tab",
    "backspace": "retour arrière",
    "delete": "suppr",
}
"""Keys named in words, in the TUI's language."""

_PACKAGES = ("edt_tui.tui.screens", "edt_tui.tui.widgets")


@runtime_checkable
class KeymapHolder(Protocol):
    """An app that keeps the keymap it gave `App.set_keymap` (Textual keeps it private)."""

    user_keymap: Mapping[str, str]


def _declared(cls: type[DOMNode]) -> Iterator[Binding]:
    for binding in cls.__dict__.get("BINDINGS", ()):
        if isinstance(binding, Binding) and binding.id is not None:
            yield binding


def tui_classes() -> Iterator[type[DOMNode]]:
    """The TUI's screens, widgets and app imported so far, each base before its subclasses."""
    seen: set[type[DOMNode]] = set()

    def walk(cls: type[DOMNode]) -> Iterator[type[DOMNode]]:
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                if sub.__module__.startswith("edt_tui."):
                    yield sub
                yield from walk(sub)

    yield from walk(DOMNode)


def _declared_so_far() -> dict[str, Binding]:
    """The bindings with an id of the TUI's classes imported so far, by id (bases first: a
    subclass that re-declares an id, the people table's `table.activate`, keeps its base's)."""
    found: dict[str, Binding] = {}
    for cls in tui_classes():
        for binding in _declared(cls):
            found.setdefault(binding.id or "", binding)
    return found


@cache
def binding_catalogue() -> Mapping[str, Binding]:
    """Every binding with an id in the TUI's screens, widgets and app, by id (as declared).

    Imports every screen and widget module (~0.3 s once): what a keymap is checked against.
    """
    for package in _PACKAGES:
        for module in pkgutil.iter_modules(importlib.import_module(package).__path__):
            importlib.import_module(f"{package}.{module.name}")
    importlib.import_module("edt_tui.tui.app")
    return _declared_so_far()


_DEFAULTS: dict[str, Binding] = {}
"""The declared bindings hints have asked for (declarations never change)."""


def declared(binding_id: str) -> Binding:
    """The binding `binding_id` as declared: from the classes already imported (those of the
    screen showing the hint), else from the whole catalogue."""
    if binding_id not in _DEFAULTS:
        known = _declared_so_far()
        _DEFAULTS[binding_id] = (
            known[binding_id] if binding_id in known else binding_catalogue()[binding_id]
        )
    return _DEFAULTS[binding_id]


def key_label(app: App[Any], key: str) -> str:
    """How a key reads in a hint: `espace`, `échap`, `?`, `ctrl+r` (modifiers spelled out, as
    the docs and the admins write them)."""
    *modifiers, name = key.strip().split("+")
    shown = FRENCH_KEYS.get(name.lower()) or app.get_key_display(Binding(name, ""))
    return "+".join([*modifiers, shown])


def bound_key(app: App[Any], binding_id: str) -> str:
    """The first key bound now to `binding_id`, as a hint shows it."""
    keymap = app.user_keymap if isinstance(app, KeymapHolder) else {}
    keys = keymap.get(binding_id) or declared(binding_id).key
    return key_label(app, keys.split(",")[0])


def with_keys(app: App[Any], text: str) -> str:
    """`text` with each `{binding.id}` replaced by the key bound to it now."""
    return PLACEHOLDER.sub(lambda match: bound_key(app, match[1]), text)
