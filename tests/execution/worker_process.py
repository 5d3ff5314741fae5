"""A real worker process on a data directory, for the crash test: `python worker_process.py
DB KEY BATCH WORKER_ID` runs one queued job as WORKER_ID and exits (unless killed first)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from edt_tui.config import Settings
from edt_tui.service.exports import ExportIntake
from edt_tui.service.imports import ImportServices
from edt_tui.service.sqlite_store import SQLiteStore


def main(db: str, key: str, batch: str, worker_id: str) -> None:
    store = SQLiteStore(Path(db))
    intake = ExportIntake(Settings(private_key=Path(key)))
    services = ImportServices(store, intake, batch_size=int(batch))
    services.worker.worker_id = worker_id
    asyncio.run(services.worker.run_once())
    store.close()


if __name__ == "__main__":
    main(*sys.argv[1:5])
