"""Layout of every wizard step at 80×24 and 120×40, with fixed data (no clock is shown)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DirectoryTree, Input

from edt_tui.session.store import STEPS, SessionStore
from edt_tui.tui.app import EdtTuiApp
from edt_tui.tui.screens.launch import LaunchScreen
from edt_tui.tui.screens.table_step import TableStepScreen

from .fakes import UAI, FakeBackend
from .test_wizard import settle

FIXED_DIR = Path(__file__).resolve().parents[2] / "samples" / "demo" / "keys"
"""A committed folder, so the file picker shows the same entries everywhere."""


def wizard_at(step: str) -> tuple[EdtTuiApp, FakeBackend]:
    backend = FakeBackend()
    app = EdtTuiApp(backend, store=SessionStore(), start_dir=FIXED_DIR, offer_resume=False)
    return app, backend


async def reach_step(app: EdtTuiApp, backend: FakeBackend, pilot: Pilot[None], step: str) -> None:
    """Open the wizard at `step` on fixed data and wait until its rows are shown."""
    await settle(app, pilot)
    if step == "establishment":
        return
    app.wizard.start(UAI)
    export = await backend.check_export(UAI, Path(f"Edt_To_ITSLEARNING_{UAI}.xml"))
    if step != "export":
        app.wizard.set_export(export)
    app.go(step)
    await settle(app, pilot)
    if step == "export":  # the tree loads its folder in a thread: wait until it has
        app.screen.query_one(Input).cursor_blink = False  # a blinking cursor is a timer
        tree = app.screen.query_one(DirectoryTree)
        for _ in range(200):
            if tree.root.data is not None and tree.root.data.loaded:
                break
            await pilot.pause()
        await pilot.pause()
    screen = app.screen
    if isinstance(screen, (TableStepScreen, LaunchScreen)):  # wait for the plan's handler
        for _ in range(200):
            if not screen.query_one("#loading").display and (
                not isinstance(screen, TableStepScreen) or screen.selection_table is not None
            ):
                break
            await pilot.pause()
        await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("step", STEPS)
def test_step_layout(snap_compare, step: str, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app, backend = wizard_at(step)

    async def reach(pilot: Pilot[None]) -> None:
        await reach_step(app, backend, pilot, step)
        if step in ("subjects", "teachers"):
            await pilot.press("space", "space", "d")  # marks and a red row in the picture
            await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=reach)
