"""Pilot helpers for the after-launch screens."""

from __future__ import annotations

from textual.pilot import Pilot

from edt_tui.client.client import EntClient
from edt_tui.tui.app import EdtTuiApp
from edt_tui.tui.screens.after_base import AfterLaunchScreen


async def settle(app: EdtTuiApp, pilot: Pilot[None]) -> None:
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def open_screen(app: EdtTuiApp, pilot: Pilot[None], screen: AfterLaunchScreen) -> None:
    await settle(app, pilot)
    app.push_screen(screen)
    await settle(app, pilot)


async def client(app: EdtTuiApp) -> EntClient:
    backend = app.wizard.backend
    return await backend.client()  # type: ignore[attr-defined,no-any-return]
