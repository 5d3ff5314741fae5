"""The history follows a REAL import in the embedded service, live, then opens its recap."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rich.text import Text

from edt_tui.service import worker
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


async def test_history_follows_a_running_import_then_shows_its_recap(
    demo_home: Callable[[str], Path],
    make_app: Callable[[Path], EdtTuiApp],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Small batches and quick polls: the demo import then lasts several polls even on a fast
    # machine, so the screen is bound to show it running (with 2,000-action batches and the
    # 1 s poll it can finish between two polls).
    monkeypatch.setattr(worker, "DEFAULT_BATCH", 100)
    monkeypatch.setattr(history_screen, "ACTIVE_POLL", 0.2)
    app = make_app(demo_home("loaded"))
    async with app.run_test(size=(100, 30)) as pilot:
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
        for _ in range(400):
            before = history.polls
            while history.polls == before:
                await pilot.pause(0.05)
            status = cell(table, job.id, "status")
            if not seen_status or seen_status[-1] != status:
                seen_status.append(status)
            seen_progress.append(cell(table, job.id, "progress"))
            if "Fait" in status:
                break
        assert seen_status[-1] == "✔ Fait", (seen_status, seen_progress)
        assert any(s.endswith(("En cours", "En attente")) for s in seen_status[:-1]), seen_status
        assert any("/" in p and "%" in p for p in seen_progress), seen_progress
        assert table.row_count == 1

        finished = await ent.get_job(UAI, job.id)
        assert finished.recap is not None
        total = sum(v["success"] + v["error"] for v in finished.recap.values())
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
        before = history.polls
        while history.polls == before:
            await pilot.pause(0.05)
        assert table.row_count == 2
        assert table.coordinate_to_cell_key((0, 0)).row_key.value == job2.id
