"""The cyclic GC's full passes wait for the admin to pause (tui/idle_gc.py)."""

from __future__ import annotations

import asyncio
import gc
import weakref
from pathlib import Path

from edt_tui.session.store import SessionStore
from edt_tui.tui.app import EdtTuiApp
from edt_tui.tui.idle_gc import BACKLOG

from .fakes import FakeBackend


class Node:
    """Half of a reference cycle."""

    def __init__(self) -> None:
        self.other: Node | None = None


def old_cyclic_garbage() -> weakref.ref[Node]:
    """A cycle promoted to the oldest generation, then dropped: only a full pass frees it."""
    first, second = Node(), Node()
    first.other, second.other = second, first
    gc.collect(1)  # survives: now in generation 2, and one more generation-1 pass counted
    return weakref.ref(first)


async def test_full_pass_runs_only_after_a_pause(tmp_path: Path) -> None:
    before = gc.get_threshold()
    app = EdtTuiApp(FakeBackend(), store=SessionStore(), start_dir=tmp_path, offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        app.idle_gc._idle_seconds = 0.3
        assert gc.get_threshold() == (before[0], before[1], BACKLOG)
        garbage = old_cyclic_garbage()
        for _ in range(6):  # keys 0.1 s apart: never idle long enough
            await pilot.press("f12")
            await asyncio.sleep(0.1)
        assert garbage() is not None and app.idle_gc.passes == 0
        await asyncio.sleep(0.8)
        assert garbage() is None and app.idle_gc.passes == 1
        await asyncio.sleep(0.5)
        assert app.idle_gc.passes == 1  # no input, no new pass
    assert gc.get_threshold() == before
