"""The after-launch screens are reachable from the wizard's command palette and from each other."""

from __future__ import annotations

from pathlib import Path

from edt_tui.session.store import SessionStore
from edt_tui.tui.app import EdtTuiApp
from edt_tui.tui.screens.accounts import AccountsScreen
from edt_tui.tui.screens.automatic import AutomaticScreen
from edt_tui.tui.screens.history import HistoryScreen

from .fakes import UAI, FakeBackend
from .helpers import settle


async def test_palette_and_history_keys_open_the_screens(tmp_path: Path) -> None:
    app = EdtTuiApp(
        FakeBackend(),  # type: ignore[arg-type]
        store=SessionStore(tmp_path / "sessions.json"), uai=UAI, start_dir=tmp_path,
        offer_resume=False,
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p", *"accounts: open")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountsScreen)
        await pilot.press("ctrl+p", *"go: history")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        history = app.screen
        assert isinstance(history, HistoryScreen) and len(history.jobs) == 6
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, AutomaticScreen)
        await pilot.press("escape", "escape")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountsScreen)
