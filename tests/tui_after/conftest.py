"""The demo establishment imported once per test process, copied into each test's data dir.

A real import of the demo (341 courses, ~22,000 actions) takes ~10 s: done once in a session
fixture, then each test gets its own copy of the SQLite file, so tests stay independent and
xdist-safe.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from edt_tui.client import EntClient
from edt_tui.config import Settings
from edt_tui.service.csv_loader import load_directory
from edt_tui.session.store import SessionStore
from edt_tui.storage.sql_store import open_store
from edt_tui.storage.url import sqlite_url
from edt_tui.tui.app import EdtTuiApp
from edt_tui.tui.client_backend import ClientBackend
from tests.conftest import SAMPLES

DEMO = SAMPLES / "demo"
UAI = "0490856P"
EXPORT = DEMO / f"Edt_To_ITSLEARNING_{UAI}.xml"
KEY = DEMO / "keys" / "partner-private-TEST-ONLY.pem"
REFERENCE_TIME = "2026-11-28T10:00:00+01:00"


def settings() -> Settings:
    return Settings(private_key=KEY)


def embedded(home: Path) -> EntClient:
    return EntClient.embedded(sqlite_url(home / "ent.sqlite3"), settings=settings(), worker=True)


async def wait_finished(ent: EntClient, job_id: str) -> None:
    """Until the embedded service's worker has ended the job: it says when (`job_ended`,
    watched before the job is first read, so an end in between is not missed), no polling."""
    worker = ent._app.state.imports.worker  # type: ignore[union-attr]
    ended = threading.Event()
    worker.job_ended = lambda job: ended.set() if job.id == job_id else None
    try:
        if not (await ent.get_job(UAI, job_id)).finished:
            assert await asyncio.to_thread(ended.wait, 120), f"job {job_id} did not end"
    finally:
        worker.job_ended = None
    assert (await ent.get_job(UAI, job_id)).finished


def _load(home: Path) -> None:
    store = open_store(sqlite_url(home / "ent.sqlite3"))
    try:
        load_directory(store, DEMO / "ent")
    finally:
        store.close()


async def _upload_and_import(home: Path, run: bool) -> None:
    async with embedded(home) as ent:
        summary = await ent.upload_export(UAI, EXPORT)
        if run:
            job = await ent.enqueue_import(UAI, summary.sha256, reference_time=REFERENCE_TIME)
            await wait_finished(ent, job.id)


def _prepare(root: Path) -> dict[str, Path]:
    loaded, imported = root / "loaded", root / "imported"
    if not (root / "ready").exists():
        for folder in (loaded, imported):
            shutil.rmtree(folder, ignore_errors=True)
        loaded.mkdir(parents=True)
        _load(loaded)
        asyncio.run(_upload_and_import(loaded, run=False))
        shutil.copytree(loaded, imported)
        asyncio.run(_upload_and_import(imported, run=True))
        (root / "ready").touch()
    return {"loaded": loaded, "imported": imported}


@pytest.fixture(scope="session")
def demo_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """`loaded` (directory + uploaded export) and `imported` (one manual import done).

    Built once for the whole run: xdist workers share it through the run's base temp dir, the
    first one to take the lock builds it (the pytest-xdist recipe for session fixtures).
    """
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    root = shared / "tui-after-demo"
    root.mkdir(exist_ok=True)
    with (root / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return _prepare(root)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture
def demo_home(edt_home: Path, demo_dirs: dict[str, Path]) -> Callable[[str], Path]:
    """Copy a prepared data dir into this test's EDT_TUI_HOME."""

    def copy(kind: str) -> Path:
        shutil.copytree(demo_dirs[kind], edt_home, dirs_exist_ok=True)
        return edt_home

    return copy


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[Callable[[Path], EdtTuiApp]]:
    def build(home: Path) -> EdtTuiApp:
        return EdtTuiApp(
            ClientBackend(lambda: embedded(home)), store=SessionStore(home / "sessions.json"),
            uai=UAI, start_dir=tmp_path, offer_resume=False,
        )

    yield build
