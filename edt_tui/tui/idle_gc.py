"""The TUI's whole policy for Python's cyclic garbage collector, owned by the app.

1. A loaded plan is millions of long-lived objects: a full pass over them stalls a keypress for
   ~1 s. `keep_long_lived` freezes everything alive (`gc.freeze`, O(1)) as soon as a step shows
   a new plan, so the passes run during keys skip it.
2. Frozen objects are never examined, so the widgets of a table since replaced (reference
   cycles, freed only by the collector) would stay frozen for the whole session: after a new
   plan, the next idle moment unfreezes, runs one full pass and freezes what is still alive.
   Memory and the frozen set stay flat however long the session.
3. Every repaint still leaves cyclic garbage (Textual's widgets and strips), and CPython runs a
   full pass as soon as enough has piled up: 30–150 ms added to whichever key is being handled.
   While the TUI runs, the automatic full pass is pushed back (CPython's default is after 10
   younger passes, here `BACKLOG`) and one is run instead once no key, click or paste came for
   `IDLE_SECONDS`. The backlog bound keeps memory in check for an admin who never pauses.

`stop` (the app closing) gives everything back to the collector. Building a structure with the
collector off (`edt_tui/gc_pause.py`) is a separate, scoped switch shared with the service.
"""

from __future__ import annotations

import gc
from typing import Any

from textual.app import App
from textual.timer import Timer

IDLE_SECONDS = 0.4
"""No input for this long and the admin is reading the screen: time for a full pass."""
BACKLOG = 30
"""Generation-1 passes (about one per keypress) after which CPython runs a full pass anyway.

Measured on the lycée's courses table, 600 keys without a pause: resident memory unchanged
(291 MB), slowest key 152 ms (134 ms with CPython's 10, 206 ms with 100: the rarer the forced
pass, the more garbage it frees at once)."""


class IdleCollector:
    """Moves the cyclic GC's full passes to the moments the app waits for input."""

    def __init__(
        self, app: App[Any], *, idle_seconds: float = IDLE_SECONDS, backlog: int = BACKLOG
    ) -> None:
        self._app = app
        self._idle_seconds = idle_seconds
        self._backlog = backlog
        self._timer: Timer | None = None
        self._saved: tuple[int, int, int] | None = None
        self._frozen = False
        self._refreeze = False
        """A plan was frozen since the last idle pass: unfreeze, collect, freeze when idle."""
        self.passes = 0
        """Full passes run while idle (for the benchmark and tests)."""

    def start(self) -> None:
        if self._saved is None:
            self._saved = gc.get_threshold()
            young, middle, _old = self._saved
            gc.set_threshold(young, middle, self._backlog)

    def stop(self) -> None:
        """Back to CPython's thresholds (the app is closing)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None
        if self._frozen:
            gc.unfreeze()
            self._frozen = self._refreeze = False

    @property
    def pending(self) -> bool:
        """Work is owed to the next pause (a timer armed or a refreeze due); for tests."""
        return self._timer is not None or self._refreeze

    def keep_long_lived(self) -> None:
        """A step shows a new plan: out of the keys' passes now, trapped garbage freed when idle."""
        if self._saved is None:
            return
        gc.freeze()
        self._refreeze = self._frozen
        self._frozen = True
        self.activity()

    def activity(self) -> None:
        """An input event: the next full pass waits for `IDLE_SECONDS` without any."""
        if self._saved is None:
            return
        if self._timer is None:
            self._timer = self._app.set_timer(self._idle_seconds, self._collect, name="idle-gc")
        else:
            self._timer.reset()

    def _collect(self) -> None:
        self._timer = None
        if self._refreeze:
            self._refreeze = False
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            self.passes += 1
        elif gc.get_count()[2]:  # something reached the old generation since the last full pass
            gc.collect()
            self.passes += 1
