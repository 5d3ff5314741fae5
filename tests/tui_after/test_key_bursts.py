"""Bursts of keys (a paste, SSH grouping keystrokes) on the after-launch screens and modals."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from edt_tui.tui.app import EdtTuiApp
from edt_tui.tui.screens.accounts import AccountsScreen
from edt_tui.tui.screens.after_base import BrowseTable
from edt_tui.tui.screens.help import HelpScreen
from edt_tui.tui.screens.prompt import PromptModal
from tests.tui.burst import burst

from .helpers import open_screen, settle


async def test_accounts_burst_goes_to_the_filter_then_to_the_export_prompt(
    demo_home: Callable[[str], Path], make_app: Callable[[Path], EdtTuiApp], tmp_path: Path
) -> None:
    app = make_app(demo_home("imported"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = AccountsScreen()
        await open_screen(app, pilot, screen)
        table = screen.query_one(BrowseTable)
        size = table.model.page_size
        burst(app, "/", "d", "u", "p", "x", "enter")
        await pilot.pause()
        assert table.model.filter_text == "dupx" and table.model.page_size == size
        assert app.screen is screen and screen.last_export is None  # no `x`, no `p` ran
        assert not list(tmp_path.glob("*.txt"))

        target = tmp_path / "eleves.txt"
        burst(app, "/", "ctrl+u", "enter", "x", "ctrl+u", *str(target), "enter")
        await settle(app, pilot)
        assert app.screen is screen and screen.last_export == target  # every key in the prompt
        assert target.read_text(encoding="utf-8")


@pytest.mark.parametrize("modal", ["prompt", "help"])
async def test_ctrl_q_quits_from_a_modal(
    demo_home: Callable[[str], Path],
    make_app: Callable[[Path], EdtTuiApp],
    monkeypatch: pytest.MonkeyPatch,
    modal: str,
) -> None:
    app = make_app(demo_home("imported"))
    quits: list[object] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        monkeypatch.setattr(app, "exit", lambda *args, **kw: quits.append(args))
        app.push_screen(PromptModal("Fichier :") if modal == "prompt" else HelpScreen("t", "", []))
        await pilot.pause()
        await pilot.press("ctrl+q")
        assert quits
