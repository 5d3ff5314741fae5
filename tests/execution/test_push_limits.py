"""The push endpoint cannot be used to write or to learn, and export bodies are admitted a few at
a time: wrong secrets are refused before the body is read, counted on one row, rate-limited per
address and per establishment; concurrent uploads beyond the slots get 429."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from edt_tui.config import Settings
from edt_tui.service.api.app import create_app
from edt_tui.service.api.limits import PushGuard
from edt_tui.service.imports import ImportServices, install_imports
from edt_tui.service.records import Principal, TokenRole
from edt_tui.storage.sql_store import SqlStore, open_store
from edt_tui.storage.url import sqlite_url
from tests.execution.conftest import Clock
from tests.service.conftest import UAI_A, UAI_B, seed
from tests.service.exports_builder import plain_export

MB = 1024 * 1024


@dataclass
class Service:
    app: FastAPI
    store: SqlStore
    services: ImportServices
    clock: Clock

    def client(self, address: str = "127.0.0.1") -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app, client=(address, 40000))
        return httpx.AsyncClient(transport=transport, base_url="http://test")

    def push_url(self, uai: str = UAI_A, secret: str | None = None) -> str:
        establishment = self.store.get_establishment(uai)
        assert establishment is not None
        return f"/push/{uai}/{secret or establishment.push_secret}"

    def rows(self) -> tuple[int, int]:
        """(push log rows, attempts they count) — every establishment."""
        with self.store.database.snapshot() as conn:
            found = conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(attempts), 0) FROM pushes").fetchone()
        return int(found[0]), int(found[1])


@pytest.fixture
async def service(tmp_path: Path, database_url: str, clock: Clock) -> AsyncIterator[Service]:
    store = open_store(database_url)
    seed(store)
    app = create_app(
        store, settings=Settings(), upload_slots=1,
        push_guard=PushGuard(per_address=5, per_establishment=12, seconds=60),
        trusted_principal=Principal(TokenRole.PLATFORM, label="test"),
    )
    services = install_imports(app, store, clock=clock)
    assert services is not None
    yield Service(app, store, services, clock)
    store.close()


class Body:
    """A streamed request body that records how much the server pulled, and can hold still."""

    def __init__(self, chunks: int, *, hold: asyncio.Event | None = None) -> None:
        self.chunks = chunks
        self.pulled = 0
        self.hold = hold
        self.started = asyncio.Event()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.chunks):
            self.started.set()
            if self.hold is not None:
                await self.hold.wait()
            self.pulled += MB
            yield b"<" * MB


async def test_a_wrong_secret_is_refused_before_the_body_is_read(service: Service) -> None:
    async with service.client() as http:
        body = Body(49)
        wrong = await http.post(service.push_url(secret="guess"), content=body)  # type: ignore[arg-type]
        assert wrong.status_code == 404 and body.pulled == 0
        right = Body(1)
        refused = await http.post(service.push_url(), content=right)  # type: ignore[arg-type]
        assert refused.status_code == 422 and right.pulled == MB  # read: the secret matched


async def test_a_flood_of_wrong_secrets_is_counted_not_written_and_real_entries_stay(
    service: Service,
) -> None:
    async with service.client() as http:  # one real entry: an unreadable push
        assert (await http.post(service.push_url(), content=b"not xml")).status_code == 422
    statuses: list[int] = []
    for n in range(300):
        async with service.client(f"10.0.{n // 250}.{n % 250}") as http:  # 300 addresses
            answer = await http.post(service.push_url(secret=f"guess-{n}"), content=b"x")
            statuses.append(answer.status_code)
            if answer.status_code == 429:
                assert 1 <= int(answer.headers["Retry-After"]) <= 60
                assert answer.headers["content-type"].startswith("application/problem+json")
    assert statuses[:12] == [404] * 12 and set(statuses[12:]) == {429}  # the establishment's budget
    assert service.rows() == (2, 301)  # the real entry, and one counter for 300 attempts
    async with service.client("10.9.9.9") as http:
        # the establishment's budget does not lock its real PRONOTE out
        real = await http.post(service.push_url(), content=b"still not xml")
        assert real.status_code == 422
        status = (await http.get(f"/api/v1/establishments/{UAI_A}/automatic")).json()
    reasons = [(p["outcome"], p["attempts"], "illisible" in (p["reason"] or ""))
               for p in status["pushes"]]
    assert reasons == [("refused", 1, True), ("refused", 300, False), ("refused", 1, True)]
    history = (await service.client().get(f"/api/v1/establishments/{UAI_A}/jobs")).json()
    assert history["total"] == 3  # two unreadable pushes, one wrong-secret entry for the hour


async def test_an_address_over_its_budget_is_refused_whatever_it_sends(service: Service) -> None:
    async with service.client("192.0.2.7") as http:
        for n in range(5):
            assert (await http.post(service.push_url(secret=f"g{n}"))).status_code == 404
        blocked = await http.post(service.push_url(), content=Body(3))  # type: ignore[arg-type]
        assert blocked.status_code == 429
        assert "address" in blocked.json()["detail"]
        wait = int(blocked.headers["Retry-After"])
        assert 1 <= wait <= 60
        assert (await http.post(service.push_url(UAI_B, "x"))).status_code == 429
        service.clock.now += timedelta(seconds=wait)
        assert (await http.post(service.push_url(secret="g"))).status_code == 404
    async with service.client("192.0.2.8") as other:  # another address was never limited
        assert (await other.post(service.push_url(secret="g"))).status_code == 404
    assert service.rows() == (1, 7)


async def _holding_upload(
    service: Service, send: Callable[[httpx.AsyncClient, Body], object],
) -> tuple[asyncio.Task[httpx.Response], asyncio.Event, httpx.AsyncClient]:
    release = asyncio.Event()
    body = Body(2, hold=release)
    http = service.client()
    task = asyncio.ensure_future(send(http, body))  # type: ignore[arg-type]
    await body.started.wait()  # the slot is taken, its body half-read
    return task, release, http


@pytest.mark.parametrize("route", ["exports", "plans/dry-run"])
async def test_uploads_beyond_the_slots_get_429_without_reading_their_body(
    service: Service, route: str,
) -> None:
    est = f"/api/v1/establishments/{UAI_A}"
    task, release, first = await _holding_upload(
        service, lambda http, body: http.post(f"{est}/{route}", content=body))
    async with service.client() as http:
        for path in (f"{est}/exports", f"{est}/plans/dry-run", service.push_url()):
            body = Body(5)
            refused = await http.post(path, content=body)  # type: ignore[arg-type]
            assert refused.status_code == 429, (path, refused.text)
            assert refused.headers["Retry-After"] == "5" and body.pulled == 0
            assert refused.json()["type"] == "/problems/too-many-requests"
    release.set()
    assert (await task).status_code == 422  # "<<<…" is no export: refused after reading it
    await first.aclose()
    async with service.client() as http:  # the slot is free again
        accepted = await http.post(f"{est}/exports", content=plain_export(UAI_A))
        assert accepted.status_code == 201
    assert service.store.list_exports(UAI_A).total == 1


async def test_openapi_declares_the_429s(service: Service) -> None:
    async with service.client() as http:
        paths = (await http.get("/openapi.json")).json()["paths"]
    for path, method in [
        ("/api/v1/establishments/{uai}/exports", "post"),
        ("/api/v1/establishments/{uai}/plans/dry-run", "post"),
        ("/push/{uai}/{secret}", "post"), ("/push/{uai}/{secret}", "put"),
    ]:
        assert "429" in paths[path][method]["responses"], (path, method)


async def test_an_oversized_push_is_refused_without_reading_its_body(
    tmp_path: Path, clock: Clock
) -> None:
    """Declared past the upload limit: 413 at once — not even the excess is drained."""
    store = open_store(sqlite_url(tmp_path / "big.sqlite3"))
    seed(store)
    app = create_app(store, settings=Settings(), max_upload=MB)
    install_imports(app, store, clock=clock)
    service = Service(app, store, app.state.imports, clock)
    async with service.client() as http:
        for secret in ("guess", None):
            body = Body(3)
            answer = await http.post(service.push_url(secret=secret), content=body,  # type: ignore[arg-type]
                                     headers={"content-length": str(3 * MB)})
            assert answer.status_code == 413 and body.pulled == 0
    assert service.rows() == (0, 0)
    store.close()
