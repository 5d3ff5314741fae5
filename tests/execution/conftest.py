"""Execution fixtures: a real SQLite file with the demo ENT (or two small establishments), the
service app in-process with an injected clock, and the worker driven step by step."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from edt_tui.config import Settings
from edt_tui.engine.model import EntState
from edt_tui.service.api.app import create_app
from edt_tui.service.csv_loader import load_directory
from edt_tui.service.imports import ImportServices, install_imports
from edt_tui.service.records import Principal, TokenRole
from edt_tui.service.worker import Worker
from edt_tui.storage.sql_store import SqlStore, open_store
from tests.conftest import SAMPLES

DEMO = SAMPLES / "demo"
DEMO_UAI = "0490856P"
DEMO_EXPORT = DEMO / "Edt_To_ITSLEARNING_0490856P.xml"
DEMO_PLAIN = DEMO / "Edt_To_ITSLEARNING_0490856P.plain.xml"
DEMO_KEY = DEMO / "keys" / "partner-private-TEST-ONLY.pem"
T0 = "2026-11-28T08:00:00+01:00"
WAIT_SECONDS = 120.0
"""The bound on waiting for a worker: a hang fails the test, a slow machine does not."""


class Clock:
    """The service's clock, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Env:
    http: httpx.AsyncClient
    store: SqlStore
    services: ImportServices
    clock: Clock

    def est(self, uai: str = DEMO_UAI) -> str:
        return f"/api/v1/establishments/{uai}"

    async def upload(self, data: bytes, uai: str = DEMO_UAI) -> str:
        response = await self.http.post(f"{self.est(uai)}/exports", content=data)
        assert response.status_code == 201, response.text
        return str(response.json()["sha256"])

    async def enqueue(self, sha: str, uai: str = DEMO_UAI, **body: Any) -> dict[str, Any]:
        response = await self.http.post(
            f"{self.est(uai)}/jobs", json={"export_sha256": sha, **body}
        )
        assert response.status_code == 202, response.text
        return dict(response.json())

    async def job(self, job_id: str, uai: str = DEMO_UAI) -> dict[str, Any]:
        response = await self.http.get(f"{self.est(uai)}/jobs/{job_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def run_all(self) -> int:
        """Run the worker until the queue is empty (or blocked); the number of jobs run."""
        ran = 0
        while await self.services.worker.run_once():
            ran += 1
        return ran


async def wait_for_flag(flag: threading.Event, what: str) -> None:
    """Wait, without blocking the event loop, for a flag a worker's thread sets."""
    assert await asyncio.to_thread(flag.wait, WAIT_SECONDS), f"timed out waiting for {what}"


async def run_until_ended(worker: Worker, job_id: str) -> None:
    """Run the worker's loop (its recovery of expired leases included) until `job_id` has left
    it, then stop the loop: the worker says when (`Worker.job_ended`), nothing is polled."""
    ended = threading.Event()

    def on_end(job: Any) -> None:
        if job.id == job_id:
            ended.set()

    worker.job_ended = on_end
    running = asyncio.create_task(worker.run())
    try:
        await wait_for_flag(ended, f"job {job_id} to end")
    finally:
        worker.job_ended = None
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


def ent_rows(store: SqlStore, uai: str, year: str) -> EntState:
    return store.ent_state(uai, year)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 28, 7, 0, tzinfo=UTC))


async def make_env(store: SqlStore, clock: Clock, key: Path | None) -> AsyncIterator[Env]:
    app = create_app(
        store, settings=Settings(private_key=key),
        trusted_principal=Principal(TokenRole.PLATFORM, label="test"),
    )
    services = install_imports(app, store, clock=clock, batch_size=500)
    assert services is not None
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield Env(http, store, services, clock)
    store.close()


@pytest.fixture
async def demo(database_url: str, clock: Clock) -> AsyncIterator[Env]:
    """The committed demo establishment loaded in a fresh ENT, on each backend."""
    store = open_store(database_url)
    load_directory(store, DEMO / "ent")
    async for env in make_env(store, clock, DEMO_KEY):
        yield env
