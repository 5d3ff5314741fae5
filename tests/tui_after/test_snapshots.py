"""Layout of the after-launch screens at 80×24 and 120×40, on fixed data and a frozen clock."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from edt_tui.session.store import SessionStore
from edt_tui.tui.app import EdtTuiApp
from edt_tui.tui.screens.accounts import AccountsScreen
from edt_tui.tui.screens.after_base import AfterLaunchScreen
from edt_tui.tui.screens.automatic import AutomaticScreen
from edt_tui.tui.screens.calendar import CalendarScreen
from edt_tui.tui.screens.hierarchy import HierarchyScreen
from edt_tui.tui.screens.history import HistoryScreen
from edt_tui.tui.screens.integrated_courses import IntegratedCoursesScreen
from edt_tui.tui.screens.recap import RecapScreen
from tests.tui.screen_text import screen_lines
from tests.tui.test_fits import STATUS_WORDS

from .fakes import COURSES, JOBS, UAI, FakeBackend, fixed_clock

SCREENS: dict[str, Callable[[], AfterLaunchScreen]] = {
    "history": lambda: HistoryScreen(clock=fixed_clock()),
    "recap": lambda: RecapScreen(JOBS[3].id, clock=fixed_clock()),
    "accounts": lambda: AccountsScreen(clock=fixed_clock()),
    "courses": lambda: IntegratedCoursesScreen(clock=fixed_clock()),
    "hierarchy": lambda: HierarchyScreen(clock=fixed_clock()),
    "calendar": lambda: CalendarScreen(COURSES[0], clock=fixed_clock()),
    "automatic": lambda: AutomaticScreen(clock=fixed_clock()),
}


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("name", list(SCREENS))
def test_snapshot(name: str, size: tuple[int, int], snap_compare: Any, tmp_path: Path) -> None:
    app = EdtTuiApp(
        FakeBackend(),  # type: ignore[arg-type]
        store=SessionStore(tmp_path / "sessions.json"), uai=UAI, start_dir=tmp_path,
        offer_resume=False,
    )

    async def show(pilot: Pilot[None]) -> None:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = SCREENS[name]()
        app.push_screen(screen)
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        if isinstance(screen, HistoryScreen) and screen._timer is not None:
            screen._timer.stop()

    assert snap_compare(app, terminal_size=size, run_before=show)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("name", list(SCREENS))
async def test_nothing_that_matters_is_cut(
    name: str, size: tuple[int, int], tmp_path: Path
) -> None:
    """Every key of the footer whole, and no status word, date or count cut in a table."""
    app = EdtTuiApp(
        FakeBackend(),  # type: ignore[arg-type]
        store=SessionStore(tmp_path / "sessions.json"), uai=UAI, start_dir=tmp_path,
        offer_resume=False,
    )
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = SCREENS[name]()
        app.push_screen(screen)
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        lines = screen_lines(app)
        footer = lines[-1]
        for binding in (b.binding for b in app.screen.active_bindings.values()):
            if binding.show:
                assert binding.description in footer, (binding.description, footer)
        words = (*STATUS_WORDS, "En attente", "En cours", "Interrompu")
        for line in lines:
            for word in words:
                if word[:5] in line:
                    assert word in line, (word, line)
            assert re.search(r"\d\d/\d\d/\d{4} \d(?!\d)", line) is None, line  # a time cut
            assert re.search(r"\d erre(?!ur\(s\))", line) is None, line  # a count cut
