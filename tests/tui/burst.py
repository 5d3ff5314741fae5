"""Keys handed to the app all at once, as a terminal delivers a paste or an SSH packet.

Pilot's `press` lets the app settle between two keys, which a human never guarantees: the
driver posts every key of one read before the app has handled the first.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import App
from textual.keys import _character_to_key


def burst(app: App[Any], *keys: str) -> None:
    """Post `keys` (characters or key names such as "enter", "ctrl+u") without any pause."""
    driver = app._driver
    assert driver is not None
    for key in keys:
        if len(key) == 1:
            event = events.Key(key if key.isalnum() else _character_to_key(key), key)
        else:
            event = events.Key(key, None)
        event.set_sender(app)
        driver.send_message(event)
