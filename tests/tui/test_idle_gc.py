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


async def until_passes(app: EdtTuiApp, count: int) -> None:
    """Wait for the idle pass by its effect, however slow the machine (no sleep-and-hope)."""
    while app.idle_gc.passes < count:
        await asyncio.sleep(0.02)


async def test_full_pass_runs_only_after_a_pause(tmp_path: Path) -> None:
    before = gc.get_threshold()
    app = EdtTuiApp(FakeBackend(), store=SessionStore(), start_dir=tmp_path, offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        collector = app.idle_gc
        collector._idle_seconds = 3600  # keys keep coming: never idle
        assert gc.get_threshold() == (before[0], before[1], BACKLOG)
        garbage = old_cyclic_garbage()
        await pilot.press("f12")
        timer = collector._timer
        for _ in range(5):
            await pilot.press("f12")
            assert collector._timer is timer  # each key pushes the same pass back
        assert garbage() is not None and collector.passes == 0

        assert timer is not None
        timer.stop()
        collector._timer = None
        collector._idle_seconds = 0.05  # the admin now pauses after a key
        await pilot.press("f12")
        await until_passes(app, 1)
        assert garbage() is None
        assert collector._timer is None  # no input, no new pass planned
    assert gc.get_threshold() == before


async def test_a_new_plan_is_frozen_at_once_and_what_it_replaced_freed_when_idle(
    tmp_path: Path,
) -> None:
    app = EdtTuiApp(FakeBackend(), store=SessionStore(), start_dir=tmp_path, offer_resume=False)
    async with app.run_test(size=(100, 30)):
        collector = app.idle_gc
        collector._idle_seconds = 0.05
        old = Node()
        old.other = Node()
        old.other.other = old  # a replaced table: a reference cycle
        collector.keep_long_lived()
        trapped = weakref.ref(old)
        del old
        assert gc.get_freeze_count() > 0
        gc.collect()
        assert trapped() is not None  # frozen: no pass sees it
        collector.keep_long_lived()  # the next plan
        await until_passes(app, 1)
        assert trapped() is None
    assert gc.get_freeze_count() == 0  # the app gives everything back when it closes
