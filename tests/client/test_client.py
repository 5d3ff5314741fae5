"""EntClient: embedded (in-process, lifespan run), typed results, problems → exceptions, retries."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from edt_tui.client import EntClient, client_from_args
from edt_tui.client.errors import (
    NotFoundError,
    RateLimitedError,
    ServiceUnreachableError,
    UaiMismatchError,
    UnauthorizedError,
    ValidationProblemError,
)
from edt_tui.config import Settings, data_dir
from edt_tui.errors import BadInputError
from edt_tui.service.api.app import create_app
from edt_tui.storage.sql_store import open_store
from tests.service.conftest import UAI_A, UAI_B, seed
from tests.service.exports_builder import encrypt_export, plain_export


@pytest.fixture
def home_store(edt_home: Path) -> Path:
    store = open_store()
    seed(store)
    store.close()
    return edt_home


async def test_embedded_client_reads_the_local_service(home_store: Path) -> None:
    async with EntClient.embedded() as ent:
        assert (await ent.health()).status == "ok"
        page = await ent.list_establishments()
        assert {e.uai for e in page.items} == {UAI_A, UAI_B}  # trusted local platform admin
        students = [u async for u in ent.iterate(ent.list_users, UAI_A, profile="student",
                                                  limit=2)]
        assert [u.sync_id for u in students] == [f"a-s{i}" for i in range(1, 6)]
        linked = await ent.get_user(UAI_A, "a-s1")
        assert linked.reconciled and linked.birth_date is not None
        [course] = (await ent.list_courses(UAI_A)).items
        assert course.participants == 3 and course.created_by == "Intégration"
        events = await ent.list_events(UAI_A, course.key)
        assert events.total == 3 and events.items[0].start.utcoffset() is not None
        members = await ent.list_memberships(UAI_A, course.key, role="teacher")
        assert [m.user for m in members.items] == ["a-t1"]
        [root] = (await ent.list_hierarchy(UAI_A)).items
        assert [n.course_key for n in (await ent.list_hierarchy(UAI_A, parent=root.key)).items] \
            == [course.key]
        subject = await ent.add_subject(UAI_A, "Latin", "LAT")
        assert (await ent.get_subject(UAI_A, "Latin")) == subject
        assert (await ent.get_class(UAI_A, "3A")).name == "3A"
        settings = await ent.get_settings(UAI_A)
        assert settings.push_path.startswith(f"/push/{UAI_A}/")
        rotated = await ent.rotate_push_secret(UAI_A)
        assert rotated.push_path != settings.push_path
        assert (await ent.update_settings(UAI_A, daily_quota=6)).daily_quota == 6


async def test_embedded_upload_uses_the_configured_key(home_store: Path, tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "k.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    export = tmp_path / "Edt_To_ITSLEARNING_0490856P.xml"
    export.write_bytes(encrypt_export(plain_export(UAI_A), key.public_key(), uai=UAI_A))
    async with EntClient.embedded(settings=Settings(private_key=pem)) as ent:
        summary = await ent.upload_export(UAI_A, export)
        assert summary.encrypted and summary.key_present and summary.uai == UAI_A
        assert summary.file_name == export.name and summary.counts.students == 2
        assert (await ent.get_export(UAI_A, summary.sha256)) == summary
        with pytest.raises(UaiMismatchError) as refused:
            await ent.upload_export(UAI_B, export)
        assert refused.value.status == 422 and isinstance(refused.value, BadInputError)
        assert refused.value.problem_type == "/problems/uai-mismatch"
        with pytest.raises(NotFoundError):
            await ent.get_course(UAI_A, "no:such:course")
        with pytest.raises(ValidationProblemError):
            await ent.list_users(UAI_A, profile="parent")


async def test_embedded_lifespan_runs_background_tasks(home_store: Path) -> None:
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def worker(store: object) -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    app = create_app(open_store(), background=[worker], close_store=True)
    async with EntClient.in_process(app) as ent:
        await asyncio.wait_for(started.wait(), 5)
        await ent.health()
    assert cancelled.is_set()


def _mock(responses: list[httpx.Response | Exception]) -> tuple[EntClient, list[str]]:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        item = responses.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    client = EntClient.remote("http://ent.test", "tok", transport=httpx.MockTransport(handler),
                              backoff=0.001)
    return client, calls


def _problem(status: int, slug: str, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers={"Content-Type": "application/problem+json", **headers},
                          json={"type": f"/problems/{slug}", "title": slug, "status": status,
                                "detail": f"{slug} detail"})


HEALTH = {"status": "ok", "version": "x", "schema_version": 1}


async def test_idempotent_calls_retry_on_503_429_and_connection_errors() -> None:
    client, calls = _mock([
        _problem(503, "unavailable", **{"Retry-After": "0"}),
        httpx.ConnectError("refused"),
        _problem(429, "unavailable", **{"Retry-After": "0"}),
        httpx.Response(200, json=HEALTH),
    ])
    async with client:
        assert (await client.health()).status == "ok"
    assert calls == ["GET"] * 4


async def test_post_is_never_retried() -> None:
    client, calls = _mock([_problem(503, "unavailable"), httpx.Response(201, json={})])
    async with client:
        with pytest.raises(RateLimitedError):
            await client.add_subject(UAI_A, "Latin")
    assert calls == ["POST"]


async def test_gives_up_after_retries_and_on_long_retry_after() -> None:
    client, calls = _mock([httpx.ConnectError("refused")] * 4)
    async with client:
        with pytest.raises(ServiceUnreachableError, match="cannot reach"):
            await client.health()
    assert len(calls) == 4
    client, calls = _mock([_problem(429, "unavailable", **{"Retry-After": "3600"})])
    async with client:
        with pytest.raises(RateLimitedError) as limited:
            await client.health()
    assert limited.value.retry_after == 3600 and len(calls) == 1


async def test_problem_types_map_to_exceptions() -> None:
    client, _ = _mock([_problem(401, "unauthorized"), httpx.Response(500, text="boom")])
    async with client:
        with pytest.raises(UnauthorizedError) as unauthorized:
            await client.health()
        assert unauthorized.value.detail == "unauthorized detail"
        assert unauthorized.value.exit_code == 1 and "--token" in str(unauthorized.value)
        with pytest.raises(Exception, match="boom") as crashed:
            await client.health()
        assert crashed.value.status == 500  # type: ignore[attr-defined]


def test_client_from_args_picks_remote_or_embedded(
    home_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDT_TUI_TOKEN", "from-env")
    remote = client_from_args(argparse.Namespace(ent="http://127.0.0.1:9/"))
    assert remote._http.headers["authorization"] == "Bearer from-env"
    assert str(remote._http.base_url) == "http://127.0.0.1:9"
    explicit = client_from_args(argparse.Namespace(ent="http://h", token="flag"))
    assert explicit._http.headers["authorization"] == "Bearer flag"
    embedded = client_from_args(argparse.Namespace())
    assert embedded._app is not None and data_dir() == home_store
    for client in (remote, explicit, embedded):
        asyncio.run(client.aclose())
