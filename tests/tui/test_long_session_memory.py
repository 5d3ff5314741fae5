"""A long session stays flat: page tables and the GC's frozen objects do not pile up."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path
from typing import Any

import pytest
from textual.dom import DOMNode
from textual.pilot import Pilot

from edt_tui.session.store import SessionStore
from edt_tui.tui.app import EdtTuiApp
from edt_tui.tui.widgets.selection_table import PageTable

from .fakes import FakeBackend
from .test_wizard import export_file, open_export, settle, step

ROUNDS = 30


async def until_idle_work_done(app: EdtTuiApp, pilot: Pilot[None]) -> None:
    """The admin pauses: wait (by state, not by time) until the idle collector owes nothing."""
    while app.idle_gc.pending:
        await pilot.pause(0.05)


def live_widgets() -> int:
    """Widgets alive, notifications aside (they come and go with the clock).

    Frozen objects are invisible to `gc.get_objects`: counted unfrozen, then frozen again.
    """
    gc.unfreeze()
    gc.collect()
    count = sum(
        1
        for o in gc.get_objects()
        if isinstance(o, DOMNode) and not type(o).__name__.startswith("Toast")
    )
    gc.freeze()
    return count


async def test_thirty_rounds_of_decide_next_back_leave_memory_flat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tables: weakref.WeakSet[PageTable] = weakref.WeakSet()
    init = PageTable.__init__

    def tracked(self: PageTable, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        tables.add(self)

    monkeypatch.setattr(PageTable, "__init__", tracked)
    app = EdtTuiApp(FakeBackend(), store=SessionStore(), start_dir=tmp_path)
    alive: list[int] = []
    widgets: list[int] = []
    async with app.run_test(size=(100, 30)) as pilot:
        app.idle_gc._idle_seconds = 0.05
        await open_export(app, pilot, export_file(tmp_path))
        await pilot.press("n")
        await settle(app, pilot)
        for _ in range(ROUNDS):
            assert step(app) == "subjects"
            await pilot.press("space")  # a decision (mark then activate/deactivate)…
            await pilot.press("d")
            await pilot.press("n")  # …a new plan for the next step…
            await settle(app, pilot)
            await pilot.press("escape")  # …and for this one, rebuilt
            await settle(app, pilot)
            await until_idle_work_done(app, pilot)
            alive.append(len(tables))
            if len(alive) == ROUNDS // 3:
                widgets.append(live_widgets())
        # A replaced table is removed asynchronously: once the app is idle it must be gone.
        for _ in range(100):
            if len(tables) <= alive[4]:
                break
            await settle(app, pilot)
            await until_idle_work_done(app, pilot)
        settled = len(tables)
        # What the frozen generation holds that nothing uses any more: at most the last round's.
        gc.unfreeze()
        trapped = gc.collect()
        gc.freeze()
        widgets.append(live_widgets())
    # the two tables the steps show, and at most the one being removed: never a pile
    assert max(alive[5:]) <= alive[4] + 1, alive
    assert settled <= alive[4], (settled, alive)
    assert widgets[1] <= widgets[0], widgets
    assert trapped < 10_000, trapped
