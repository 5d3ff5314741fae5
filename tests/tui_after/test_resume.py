"""An import whose worker died shows « Interrompu » in the history; `r` resumes it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from edt_tui.client import EntClient
from edt_tui.service.jobs import JobStore
from edt_tui.storage.sql_store import open_store
from edt_tui.storage.url import sqlite_url
from edt_tui.tui.app import EdtTuiApp
from edt_tui.tui.screens.history import HistoryScreen, HistoryTable

from .conftest import REFERENCE_TIME, UAI, settings
from .helpers import open_screen
from .test_history import cell


async def test_interrupted_import_is_resumed_from_the_history(
    demo_home: Callable[[str], Path], make_app: Callable[[Path], EdtTuiApp]
) -> None:
    home = demo_home("imported")
    # no worker running
    async with EntClient.embedded(sqlite_url(home / "ent.sqlite3"), settings=settings()) as ent:
        sha = (await ent.list_exports(UAI)).items[0].sha256
        job = await ent.enqueue_import(UAI, sha, reference_time=REFERENCE_TIME)
    store = open_store(sqlite_url(home / "ent.sqlite3"))
    try:  # a worker claimed it long ago and died: its lease is long past
        past = JobStore(store, clock=lambda: datetime(2026, 1, 1, tzinfo=UTC))
        claimed = past.claim("dead-worker")
        assert claimed is not None and claimed.id == job.id
        assert JobStore(store).reclaim_expired(requeue=False) == [job.id]
    finally:
        store.close()

    app = make_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        history = HistoryScreen()
        await open_screen(app, pilot, history)
        table = history.query_one(HistoryTable)
        assert cell(table, job.id, "status") == "⏸ Interrompu"
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == job.id
        await pilot.press("r")
        for _ in range(200):
            before = history.polls
            while history.polls == before:
                await pilot.pause(0.05)
            if cell(table, job.id, "status") == "✔ Fait":
                break
        assert cell(table, job.id, "status") == "✔ Fait"
