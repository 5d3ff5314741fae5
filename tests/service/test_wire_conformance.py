"""Every answer of every route is what the OpenAPI document declares, as the wire models say.

The real service on a real SQLite file, driven through a whole life of the demo establishment:
directory and settings, upload, plans and their step lists, a manual import run by the worker,
the ENT objects it made, the account check, automatic pushes (accepted, identical, wrong URL),
a mass deletion refused, the helpdesk snapshot, an interrupted job resumed, an undo, and the
errors on the way. Each response is recorded and then checked against the document: its status
is declared for its route, with its content type, and its body parses into the route's model and
serialises back to exactly the same JSON (a field the model does not declare, or one it would
write differently, fails). A route never answered successfully here fails too: a new route
joins this walk.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from fastapi import FastAPI
from pydantic import TypeAdapter
from starlette.routing import Match

from edt_tui.config import Settings
from edt_tui.service.api.app import create_app
from edt_tui.service.csv_loader import load_directory
from edt_tui.service.imports import ImportServices, install_imports
from edt_tui.service.records import Principal, TokenRole
from edt_tui.service.vocabulary import JobType
from edt_tui.storage.sql_store import open_store
from edt_tui.storage.url import sqlite_url
from edt_tui.wire import PROBLEM_MEDIA_TYPE, STEPS, ProblemDetails
from tests.execution.conftest import DEMO, DEMO_EXPORT, DEMO_KEY, DEMO_UAI, T0, Clock
from tests.service.app_routes import every_route
from tests.service.exports_builder import encrypt_export, plain_export

YEAR = "2026-2027"
OTHER_UAI = "0490001A"


@dataclass
class Answer:
    method: str
    path: str
    status: int
    content_type: str
    body: bytes


@dataclass
class Service:
    app: FastAPI
    http: httpx.AsyncClient
    services: ImportServices
    clock: Clock
    answers: list[Answer]

    def est(self, rest: str = "") -> str:
        return f"/api/v1/establishments/{DEMO_UAI}{rest}"

    async def ok(self, method: str, path: str, status: int = 200, **kw: Any) -> Any:
        response = await self.http.request(method, path, **kw)
        assert response.status_code == status, (method, path, response.text[:300])
        return response.json() if "json" in response.headers["content-type"] else response.text

    async def problem(self, method: str, path: str, status: int, slug: str, **kw: Any) -> Any:
        response = await self.http.request(method, path, **kw)
        assert response.status_code == status, (method, path, response.text[:300])
        assert response.json()["type"] == f"/problems/{slug}", response.text[:300]
        return response.json()

    async def run_worker(self) -> None:
        while await self.services.worker.run_once():
            pass


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[Service]:
    store = open_store(sqlite_url(tmp_path / "ent.sqlite3"))
    load_directory(store, DEMO / "ent")
    app = create_app(
        store, settings=Settings(private_key=DEMO_KEY),
        trusted_principal=Principal(TokenRole.PLATFORM, label="test"),
    )
    clock = Clock(datetime(2026, 11, 28, 7, 0, tzinfo=UTC))
    services = install_imports(app, store, clock=clock, batch_size=2000)
    assert services is not None
    answers: list[Answer] = []

    async def record(response: httpx.Response) -> None:
        await response.aread()
        answers.append(Answer(
            response.request.method, response.request.url.path, response.status_code,
            response.headers.get("content-type", ""), response.content,
        ))

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test",
        event_hooks={"response": [record]},
    ) as http:
        yield Service(app, http, services, clock, answers)
    store.close()


async def walk(s: Service) -> None:
    """The demo establishment's life, through every route."""
    await s.ok("GET", "/api/v1/health")
    await s.ok("GET", "/problems/not-found")
    await s.problem("GET", "/problems/nothing-such", 404, "not-found")
    await s.ok("GET", "/api/v1/establishments")
    await s.ok("GET", s.est())
    await s.problem("GET", "/api/v1/establishments/0000000X", 404, "not-found")
    await s.ok("GET", s.est("/settings"))
    await s.ok("PATCH", s.est("/settings"), json={"freeze_minutes": 0})
    await s.problem("PATCH", s.est("/settings"), 422, "validation", json={"daily_quota": -1})
    settings = await s.ok("POST", s.est("/settings/push-secret"))

    users = await s.ok("GET", s.est("/users"), params={"limit": 5})
    await s.ok("GET", s.est(f"/users/{users['items'][0]['sync_id']}"))
    await s.problem("GET", s.est("/users"), 422, "validation", params={"limit": 0})
    subjects = await s.ok("GET", s.est("/subjects"))
    await s.ok("GET", s.est(f"/subjects/{subjects['items'][0]['name']}"))
    await s.ok("POST", s.est("/subjects"), 201, json={"name": "ASTRONOMIE", "code": "ASTRO"})
    await s.ok("POST", s.est("/subjects"), 200, json={"name": "ASTRONOMIE", "code": "ASTRO"})
    classes = await s.ok("GET", s.est("/classes"))
    await s.ok("GET", s.est(f"/classes/{classes['items'][0]['name']}"))

    demo = DEMO_EXPORT.read_bytes()
    sha = (await s.ok("POST", s.est("/exports"), 201, content=demo))["sha256"]
    await s.ok("GET", s.est("/exports"))
    await s.ok("GET", s.est(f"/exports/{sha}"))
    public = serialization.load_pem_private_key(DEMO_KEY.read_bytes(), None).public_key()
    other = encrypt_export(plain_export(OTHER_UAI), public, uai=OTHER_UAI)  # type: ignore[arg-type]
    await s.problem("POST", s.est("/exports"), 422, "uai-mismatch", content=other)
    await s.problem("POST", s.est("/exports"), 422, "bad-export", content=b"<not an export/>")
    small = encrypt_export(plain_export(DEMO_UAI), public, uai=DEMO_UAI)  # type: ignore[arg-type]
    small_sha = (await s.ok("POST", s.est("/exports"), 201, content=small))["sha256"]

    body = {"export_sha256": sha, "reference_time": T0}
    summary = await s.ok("POST", s.est("/plans"), json=body)
    await s.ok("POST", s.est("/plans"), json=body, params={"view": "steps"})
    await s.ok("POST", s.est("/plans"), json=body, params={"view": "contract"})
    plan_id = summary["plan_id"]
    for step in STEPS:
        await s.ok("GET", s.est(f"/plans/{plan_id}/{step}"), params={"limit": 3})
    await s.ok("GET", s.est(f"/plans/{plan_id}/courses"), params={"q": "MATH", "selected": True})
    first = (await s.ok("GET", s.est(f"/plans/{plan_id}/courses"), params={"limit": 1}))
    await s.ok("GET", s.est(f"/plans/{plan_id}/courses/{first['items'][0]['key']}"))
    await s.problem("GET", s.est(f"/plans/{plan_id}/nothing"), 404, "not-found")
    await s.ok("POST", s.est("/plans/dry-run"), content=demo, params={"reference_time": T0})

    await s.ok("GET", s.est("/selections/latest"))
    saved = await s.ok("POST", s.est("/selections"), 201, json={"selection": None})
    await s.ok("GET", s.est("/selections/latest"))
    await s.ok("GET", s.est(f"/selections/{saved['version']}"))
    queued = await s.ok("POST", s.est("/jobs"), 202, json=body)
    await s.ok("POST", s.est(f"/jobs/{queued['id']}/cancel"))
    await s.problem("POST", s.est(f"/jobs/{queued['id']}/cancel"), 409, "conflict")
    await s.problem("POST", s.est(f"/jobs/{queued['id']}/resume"), 409, "conflict")
    manual = await s.ok("POST", s.est("/jobs"), 202, json=body)
    await s.ok("GET", s.est("/jobs"))
    await s.ok("GET", s.est("/accounts"))  # nulls before any finished import
    await s.run_worker()
    await s.ok("GET", s.est(f"/jobs/{manual['id']}"))
    await s.ok("GET", s.est(f"/jobs/{manual['id']}/actions"), params={"status": "success"})
    await s.ok("GET", s.est("/jobs"), params={"status": "done", "type": "manual"})
    await s.problem("POST", s.est("/jobs"), 409, "mass-deletion",
                    json={"export_sha256": small_sha, "reference_time": T0})

    courses = await s.ok("GET", s.est("/courses"), params={"school_year": YEAR, "limit": 2})
    key = courses["items"][0]["key"]
    await s.ok("GET", s.est(f"/courses/{key}"))
    await s.ok("GET", s.est(f"/courses/{key}/memberships"))
    await s.ok("GET", s.est(f"/courses/{key}/events"), params={"limit": 2})
    roots = await s.ok("GET", s.est("/hierarchy"))
    await s.ok("GET", s.est("/hierarchy"), params={"parent": roots["items"][0]["key"]})

    await s.ok("GET", s.est("/accounts"))
    for profile in ("students", "teachers"):
        await s.ok("GET", s.est(f"/accounts/{profile}/unreconciled"))
        await s.ok("GET", s.est(f"/accounts/{profile}/unreconciled.txt"))

    await s.ok("GET", s.est("/automatic"))
    push = settings["push_path"]
    await s.ok("POST", push, 200, content=demo)  # the same file: a no-op
    await s.problem("POST", f"/push/{DEMO_UAI}/wrong", 404, "not-found", content=demo)
    pushed = await s.ok("PUT", push, 202, content=small)
    await s.problem("POST", s.est(f"/jobs/{manual['id']}/undo"), 409, "conflict", json={})
    await s.run_worker()  # the push deletes too much: refused
    await s.ok("GET", s.est(f"/jobs/{pushed['job_id']}"))
    await s.ok("GET", s.est("/automatic"))

    await s.ok("GET", s.est("/helpdesk/snapshot"),
               params={"school_year": YEAR, "export_sha256": sha})
    await s.ok("GET", s.est("/helpdesk/snapshot"),
               params={"school_year": YEAR, "job_id": manual["id"]})

    jobs = s.services.jobs
    stuck = jobs.enqueue(DEMO_UAI, type=JobType.MANUAL, export_sha256=sha,
                         selection_version=saved["version"], reference_time=s.clock())
    assert jobs.claim("gone") is not None
    s.clock.now += jobs.lease * 2
    assert jobs.reclaim_expired(requeue=False) == [stuck.id]
    await s.ok("POST", s.est(f"/jobs/{stuck.id}/resume"), 202)
    await s.ok("POST", s.est(f"/jobs/{stuck.id}/cancel"))

    undo = await s.ok("POST", s.est(f"/jobs/{manual['id']}/undo"), 202, json={})
    await s.run_worker()
    await s.ok("GET", s.est(f"/jobs/{undo['id']}"))
    await s.ok("GET", s.est("/jobs"))


def api_routes(routes: Iterable[Any]) -> Iterator[Any]:
    """The API's routes (what `app_routes` walks), each with its path and response model."""
    for route in routes:
        expand = getattr(route, "effective_route_contexts", None)
        if expand is not None:
            yield from api_routes(expand())
        elif hasattr(route, "response_model"):
            yield route


def route_of(app: FastAPI, method: str, path: str) -> Any:
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    for route in api_routes(app.routes):
        if route.matches(scope)[0] is Match.FULL:
            return route
    raise AssertionError(f"no route answers {method} {path}")


def declared(document: dict[str, Any], route: Any, method: str) -> dict[str, Any]:
    responses: dict[str, Any] = document["paths"][route.path_format][method.lower()]["responses"]
    return responses


async def test_every_answer_is_declared_and_matches_its_model(service: Service) -> None:
    await walk(service)
    document = service.app.openapi()
    answered: set[tuple[str, str]] = set()
    statuses: set[tuple[str, str, int]] = set()
    for answer in service.answers:
        route = route_of(service.app, answer.method, answer.path)
        where = f"{answer.method} {route.path_format} → {answer.status}"
        responses = declared(document, route, answer.method)
        assert str(answer.status) in responses, f"{where}: status not declared"
        media_type = answer.content_type.split(";")[0].strip()
        content = responses[str(answer.status)].get("content", {})
        assert media_type in content, f"{where}: {media_type} not declared ({list(content)})"
        statuses.add((answer.method, route.path_format, answer.status))
        if answer.status >= 400:
            assert media_type == PROBLEM_MEDIA_TYPE, where
            model: Any = ProblemDetails
        elif media_type == "application/json":
            model = route.response_model
            assert model is not None, f"{where}: no response model"
            assert content[media_type].get("schema"), f"{where}: no schema in the document"
        else:
            assert media_type == "text/plain", where
            answered.add((answer.method, route.path))
            continue
        if answer.status < 300:
            answered.add((answer.method, route.path))
        adapter = TypeAdapter(model)
        parsed = adapter.validate_json(answer.body)
        again = adapter.dump_python(parsed, mode="json", exclude_unset=answer.status >= 400)
        assert again == json.loads(answer.body), f"{where}: the body is not exactly its model"

    every = set(every_route(service.app))
    assert every - answered == set(), "routes this walk never answered successfully"
    assert len(statuses) > len(every)  # errors were checked too, not only successes
