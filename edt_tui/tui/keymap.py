"""The user's keys: `[keymap]` in `config.toml`, checked before the TUI opens.

```toml
[keymap]
"table.activate" = "v"        # binding id = key (or "key1,key2")
"step.next" = "ctrl+n"
```

The app hands the checked table to Textual's `App.set_keymap`; the footer, the help and every
hint follow (`tui/key_hints.py`). A bad entry — an unknown id, a key name Textual does not know,
two actions of one screen or widget on one key — stops `edt-tui` at start with an English message
and exit 2, like any other `config.toml` error: the TUI never opens with keys that do not work.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import Keys, key_to_character

from edt_tui.config import config_file
from edt_tui.errors import BadInputError
from edt_tui.tui.key_hints import binding_catalogue, tui_classes

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
KEY_NAMES = frozenset(key.value for key in Keys if "+" not in key.value)
"""Textual's named keys: `enter`, `escape`, `space`, `f2`, `pageup`, `home`…"""

_HINT = (
    'write binding id = "key", e.g. "table.activate" = "v"; the ids are listed in docs/tui.md '
    "(Your own keys)"
)


def is_key_name(key: str) -> bool:
    """A key Textual can bind: a printable character or a named key, with modifiers."""
    *modifiers, name = key.split("+")
    if not name or any(m not in MODIFIERS for m in modifiers):
        return False
    if len(name) == 1:
        return name.isprintable() and not name.isspace()
    return name in KEY_NAMES or key_to_character(name) is not None


def _keys(keys: str) -> list[str]:
    return [key.strip() for key in keys.split(",")]


def _same_key(key: str) -> str:
    """One spelling per key, to compare `?` with `question_mark`."""
    *modifiers, name = key.split("+")
    if len(name) > 1:
        name = key_to_character(name) or name
    return "+".join([*modifiers, name])


def _bindings(cls: type[DOMNode]) -> Iterator[Binding]:
    """The bindings with an id that `cls` has, its bases' included."""
    for base in reversed(cls.__mro__):
        for binding in base.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id is not None:
                yield binding


def check_keymap(table: object, where: str) -> dict[str, str]:
    """`[keymap]` as `App.set_keymap` takes it, or `BadInputError` saying which entry is wrong."""
    if not isinstance(table, Mapping):
        raise BadInputError(f"{where}: [keymap] must be a table", hint=_HINT)
    catalogue = binding_catalogue()
    keymap: dict[str, str] = {}
    for binding_id, keys in table.items():
        if binding_id not in catalogue:
            close = difflib.get_close_matches(str(binding_id), catalogue, n=1)
            also = f" (did you mean {close[0]!r}?)" if close else ""
            raise BadInputError(
                f"{where}: [keymap] {binding_id!r} is not a binding id{also}", hint=_HINT
            )
        if not isinstance(keys, str) or not keys.strip():
            raise BadInputError(
                f"{where}: [keymap] {binding_id!r} must be a key in quotes, not {keys!r}",
                hint=_HINT,
            )
        for key in _keys(keys):
            if not is_key_name(key):
                raise BadInputError(
                    f"{where}: [keymap] {binding_id!r}: {key!r} is not a key name",
                    hint='use a character ("v", "?") or a named key such as "ctrl+r", "f2", '
                    '"space", "enter", "escape"',
                )
        keymap[str(binding_id)] = ",".join(_keys(keys))
    _refuse_clashes(keymap, where)
    return keymap


def _refuse_clashes(keymap: Mapping[str, str], where: str) -> None:
    """Two actions of one screen or widget on one key, one of them moved by the keymap: only
    one would run. The app's own keys (`ctrl+q`, `?`, `ctrl+p`) count on every screen."""
    app_level = [b for b in binding_catalogue().values() if (b.id or "").startswith("app.")]
    for owner in tui_classes():
        by_key: dict[str, str] = {}
        for binding in [*app_level, *_bindings(owner)]:
            binding_id = binding.id or ""
            for key in _keys(keymap.get(binding_id, binding.key)):
                other = by_key.setdefault(_same_key(key), binding_id)
                if other != binding_id and (other in keymap or binding_id in keymap):
                    raise BadInputError(
                        f"{where}: [keymap] {key!r} would be both {other!r} and "
                        f"{binding_id!r} ({owner.__name__})",
                        hint="give one of them another key",
                    )


def load_keymap() -> dict[str, str]:
    """The `[keymap]` of `config.toml`, checked (empty without one)."""
    path, conf = config_file()
    if "keymap" not in conf:
        return {}
    return check_keymap(conf["keymap"], str(path))
