"""An import whose worker died shows « Interrompu » in the history; `r` resumes it."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

from edt_tui.client import EntClient
from edt_tui.service.jobs import JobStore
from edt_tui.service.sqlite_store import open_store
from edt_tui.tui.app import EdtTuiApp
from edt_tui.tui.screens.history import HistoryScreen, HistoryTable

from .conftest import REFERENCE_TIME, UAI, settings
from .helpers import open_screen
from .test_history import cell


def dead_worker_id() -> str:
    """`host:pid:x` of a process that has exited (the worker id format of `this_worker_id`)."""
    process = subprocess.Popen(["true"])
    process.wait()
    return f"{socket.gethostname()}:{process.pid}:gone"


async def test_interrupted_import_is_resumed_from_the_history(
    demo_home: Callable[[str], Path], make_app: Callable[[Path], EdtTuiApp]
) -> None:
    home = demo_home("imported")
    async with EntClient.embedded(home, settings=settings()) as ent:  # no worker running
        sha = (await ent.list_exports(UAI)).items[0].sha256
        job = await ent.enqueue_import(UAI, sha, reference_time=REFERENCE_TIME)
    store = open_store(home)
    try:
        jobs = JobStore(store)
        claimed = jobs.claim(dead_worker_id())
        assert claimed is not None and claimed.id == job.id
        assert jobs.interrupt_dead() == [job.id]  # what a worker's start-up sweep does
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
