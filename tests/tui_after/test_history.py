"""The history follows a REAL import in the embedded service, live, then opens its recap."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.pilot import Pilot

from edt_tui.service import worker
from edt_tui.service.jobs import JobStore
from edt_tui.tui.app import EdtTuiApp
from edt_tui.tui.screens import history as history_screen
from edt_tui.tui.screens.history import HistoryScreen, HistoryTable
from edt_tui.tui.screens.recap import RecapScreen

from .conftest import REFERENCE_TIME, UAI
from .helpers import client, settle


def cell(table: HistoryTable, job_id: str, column: str) -> str:
    value = table.get_cell(job_id, column)
    assert isinstance(value, Text)
    return value.plain


class PausedWorker:
    """Holds the import's worker thread after its first batch until the test opens the gate.

    The import is then *running* with some actions done for as long as the test needs to see
    it, whatever the machine's speed; the worker waits in its own thread, never in the loop.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.gate = threading.Event()
        self.batches = 0
        apply_batch = JobStore.apply_batch

        def paused(store: JobStore, *args: Any, **kwargs: Any) -> int:
            errors = apply_batch(store, *args, **kwargs)
            self.batches += 1
            self.gate.wait()
            return errors

        monkeypatch.setattr(JobStore, "apply_batch", paused)

    def open(self) -> None:
        self.gate.set()


async def next_poll(history: HistoryScreen, pilot: Pilot[None]) -> None:
    """Until the screen has applied one more answer of the service (polls are timed)."""
    before = history.polls
    while history.polls == before:
        await pilot.pause(0.05)


async def test_history_follows_a_running_import_then_shows_its_recap(
    demo_home: Callable[[str], Path],
    make_app: Callable[[Path], EdtTuiApp],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Small batches and quick polls; the worker is held after its first batch, so the screen
    # shows the import running before the test lets it finish.
    monkeypatch.setattr(worker, "DEFAULT_BATCH", 100)
    monkeypatch.setattr(history_screen, "ACTIVE_POLL", 0.2)
    paused = PausedWorker(monkeypatch)
    app = make_app(demo_home("loaded"))
    async with app.run_test(size=(100, 30)) as pilot:
        try:
            await follow_then_recap(app, pilot, paused)
        finally:
            paused.open()  # never leave the worker thread waiting: the app's stop joins it


async def follow_then_recap(app: EdtTuiApp, pilot: Pilot[None], paused: PausedWorker) -> None:
    await settle(app, pilot)
    ent = await client(app)
    sha = (await ent.list_exports(UAI)).items[0].sha256
    job = await ent.enqueue_import(UAI, sha, reference_time=REFERENCE_TIME)
    history = HistoryScreen()
    app.push_screen(history)
    await pilot.pause()
    table = history.query_one(HistoryTable)

    seen_status: list[str] = []
    seen_progress: list[str] = []
    while not seen_status or "En cours" not in seen_status[-1] or not paused.batches:
        await next_poll(history, pilot)
        seen_status.append(cell(table, job.id, "status"))
        seen_progress.append(cell(table, job.id, "progress"))
        assert "Fait" not in seen_status[-1], seen_status  # held: it cannot end yet
    assert re.fullmatch(r"[\d\u00a0]+ / [\d\u00a0]+ \(\d+ %\)", seen_progress[-1]), seen_progress
    paused.open()
    while "Fait" not in seen_status[-1]:
        await next_poll(history, pilot)
        seen_status.append(cell(table, job.id, "status"))
    assert seen_status[-1] == "✔ Fait", seen_status
    assert table.row_count == 1

    finished = await ent.get_job(UAI, job.id)
    assert finished.recap is not None
    total = sum(v.success + v.error for v in finished.recap.values())
    assert cell(table, job.id, "progress").startswith(f"{total:,}".replace(",", "\u00a0"))

    await pilot.press("enter")
    await settle(app, pilot)
    recap = app.screen
    assert isinstance(recap, RecapScreen)
    assert recap.job is not None and recap.job.recap == finished.recap
    head = str(recap.query_one("#recap-head").render())
    assert f"{total:,}".replace(",", "\u00a0") in head

    await pilot.press("escape")
    await settle(app, pilot)
    assert app.screen is history
    # a second job appears on top (newest first), the first keeps its row
    job2 = await ent.enqueue_import(UAI, sha, reference_time=REFERENCE_TIME)
    await next_poll(history, pilot)  # may have asked the service before the enqueue
    await next_poll(history, pilot)  # asked after it
    assert table.row_count == 2
    assert table.coordinate_to_cell_key((0, 0)).row_key.value == job2.id
