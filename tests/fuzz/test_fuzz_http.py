"""Hostile requests on every route of the service: never a 5xx, always a declared status.

Each route the app serves (walked from `app.routes`) gets Hypothesis-generated path values
(real ids, odd text, percent-encoded bytes that are not UTF-8), query values (huge, negative,
out-of-range, unknown names), bodies (random bytes, random JSON, mangled valid JSON) and
credentials (none, garbage, another establishment's token) — one part hostile at a time (or all
at once), so it reaches the code behind routing and scope. Requests enter the ASGI app the way
uvicorn hands them over (raw target, decoded path), and each answer must be:
- below 500, with a status the OpenAPI document declares for that route;
- problem+json when it is an error;
- given within a generous bound (a hang, not slowness, is what it catches);
- a refusal that wrote nothing (every table's row count and the stored files unchanged; a push
  refusal only adds to the push log and the history, which is its purpose).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, timedelta, timezone
from typing import Any
from urllib.parse import quote, unquote

import pytest
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st

from edt_tui.config import Settings
from edt_tui.service.api.app import create_app
from edt_tui.service.auth import issue_token
from edt_tui.service.exports import ExportIntake
from edt_tui.service.records import TokenRole
from edt_tui.storage.sql_store import SqlStore, open_store
from edt_tui.storage.url import sqlite_url
from tests.fuzz.budget import FUZZ
from tests.service.app_routes import every_route
from tests.service.conftest import UAI_A, UAI_B, YEAR, seed
from tests.service.exports_builder import plain_export

TIME_BOUND = 30.0
"""Seconds one request may take: far above any real answer here, far below a hang."""
ROUTES = every_route(create_app(None, settings=Settings()))  # type: ignore[arg-type]
PUSH_LOG = {"pushes", "import_jobs"}


@dataclass
class Target:
    app: FastAPI
    store: SqlStore
    document: dict[str, Any]
    tokens: list[str | None]
    real: dict[str, list[str]]
    loop: asyncio.AbstractEventLoop


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """One service for the module (what earlier examples wrote is fair game for later ones),
    driven from one event loop (its thread pool is reused)."""
    store = open_store(sqlite_url(tmp_path_factory.mktemp("fuzz-http") / "ent.sqlite3"))
    seed(store)
    record = ExportIntake(Settings()).accept(store, UAI_A, plain_export(UAI_A), "a.xml")
    app = create_app(store, settings=Settings(), max_upload=256 * 1024)
    tokens: list[str | None] = [
        issue_token(store, TokenRole.PLATFORM, None), issue_token(store, TokenRole.ADMIN, UAI_A),
        issue_token(store, TokenRole.ADMIN, UAI_B), None, "edt_not-a-token",
    ]
    secret = store.get_establishment(UAI_A).push_secret  # type: ignore[union-attr]
    real = {
        "uai": [UAI_A, UAI_B, "0000000X"], "sha256": [record.sha256],
        "key": [f"{UAI_A}:{YEAR}:MATHS:class:3A"], "sync_id": ["a-s1", "b-s1"],
        "name": ["MATHEMATIQUES", "3A"], "secret": [secret], "version": ["1", "0"],
        "profile": ["students", "teachers"], "step": ["students", "courses"],
        "slug": ["not-found"],
    }
    loop = asyncio.new_event_loop()
    yield Target(app, store, app.openapi(), tokens, real, loop)
    loop.close()
    store.close()


def odd_text() -> st.SearchStrategy[str]:
    """Text a client may send: anything printable, controls, and percent-escaped raw bytes."""
    raw = st.binary(min_size=1, max_size=12).map(lambda b: "".join(f"%{x:02X}" for x in b))
    return st.one_of(
        st.text(max_size=40), raw, st.sampled_from(
            ["", "..", ".", "%2F", "%00", "-1", "9" * 25, "é" * 210, "%", "_",
             "' OR 1=1 --", "{uai}", "null", "true", "1e309", "2026-13-45", "0490856p"]
        ),
        st.sampled_from(["x" * 60_000, "%" * 5_000]),  # past every length limit
    )


def path_value(real: list[str]) -> st.SearchStrategy[str]:
    """Mostly the first real value (requests must get past routing and scope to reach deep
    code), sometimes another real one or anything."""
    return st.one_of(st.just(real[0]), st.just(real[0]), st.sampled_from(real), odd_text())


def query_value() -> st.SearchStrategy[str]:
    return st.one_of(
        odd_text(), st.integers(-(2**70), 2**70).map(str),
        st.sampled_from(["true", "false", "summary", "steps", "contract", "success", "error",
                         "done", "queued", "2026-2027", "9999-12-31T23:59:59+00:00",
                         "0001-01-01T00:00:00+14:00", "2026-11-30T08:00:00"]),
    )


def json_values(real: list[str]) -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False),
        st.text(max_size=30),
        st.sampled_from(["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+14:00", "0" * 64,
                         "2026-11-30T08:00:00", *real]),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
        ),
        max_leaves=12,
    )


def value_for(field: str, real: list[str]) -> st.SearchStrategy[Any]:
    """Any JSON for a field; times are drawn from the whole calendar too."""
    if field.endswith("_time"):
        return st.one_of(
            st.sampled_from(["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+14:00",
                             "0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00"]),
            st.datetimes(timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=14)),
                                                    timezone(timedelta(hours=-12))]))
            .map(lambda d: d.isoformat()),
            json_values(real),
        )
    return json_values(real)


def body_for(
    known_fields: list[str], real: list[str], valid: dict[str, Any]
) -> st.SearchStrategy[tuple[str, bytes]]:
    """(content type, body): raw bytes, an export, random JSON, or a valid body of the route
    with some of its fields set to anything (real ids among the values)."""
    fields = st.lists(st.sampled_from(known_fields or ["x"]), max_size=3, unique=True).flatmap(
        lambda names: st.fixed_dictionaries({n: value_for(n, real) for n in names})
    ).map(lambda changed: {**valid, **changed})
    return st.one_of(
        st.tuples(st.just("application/json"), fields.map(lambda v: json.dumps(v).encode())),
        st.tuples(st.sampled_from(["application/octet-stream", "application/xml", ""]),
                  st.one_of(st.binary(max_size=300),
                            st.sampled_from([plain_export(UAI_A), plain_export(UAI_B)]))),
        st.tuples(st.just("application/json"),
                  st.one_of(json_values(real), fields).map(lambda v: json.dumps(v).encode())),
        st.tuples(st.just("multipart/form-data; boundary=xyz"),
                  st.binary(max_size=200).map(lambda b: b"--xyz\r\n" + b)),
    )


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float


async def _call(app: FastAPI, method: str, target: str, headers: dict[str, str],
                body: bytes) -> Answer:
    """One request as uvicorn passes it to the app: the raw target, the path percent-decoded."""
    raw_path, _, query = target.encode("ascii").partition(b"?")
    scope = {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1", "method": method, "scheme": "http",
        "path": unquote(raw_path.decode("ascii")), "raw_path": raw_path, "root_path": "",
        "query_string": query, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in
                    {**headers, "host": "test", "content-length": str(len(body))}.items()],
    }
    sent: list[dict[str, Any]] = []
    done = asyncio.Event()
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    started = time.perf_counter()
    await app(scope, receive, send)
    seconds = time.perf_counter() - started
    start = next(m for m in sent if m["type"] == "http.response.start")
    return Answer(
        start["status"],
        {k.decode("latin-1"): v.decode("latin-1") for k, v in start["headers"]},
        b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"),
        seconds,
    )


def _state(target: Target) -> dict[str, int]:
    conn = target.store.database.connection()
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    counts = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    counts["export files"] = len(list(target.store.exports.blobs.directory.glob("*"))) \
        if target.store.exports.blobs.directory.exists() else 0
    return counts


def _documented(template: str) -> str:
    """The route's path as OpenAPI writes it (`{key:path}` is `{key}` there)."""
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", template)


def _template_regex(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(_documented(template))) + "$")


def _operation(target: Target, method: str, template: str) -> dict[str, Any]:
    return dict(target.document["paths"][_documented(template)][method.lower()])


def _body_fields(operation: dict[str, Any], document: dict[str, Any]) -> list[str]:
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    ref = schema.get("schema", {}).get("$ref", "")
    if not ref:
        return []
    found = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return sorted(found.get("properties", {}))


@pytest.mark.parametrize(("method", "template"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
@FUZZ
@given(data=st.data())
def test_fuzzed_requests_get_declared_answers(
    target: Target, method: str, template: str, data: st.DataObject
) -> None:
    operation = _operation(target, method, template)
    # One part of the request is hostile, the rest valid, so the hostile part reaches the code
    # behind routing, authentication and scope (all parts at once rarely get past the first).
    hostile = data.draw(st.sampled_from(["path", "query", "body", "token", "all"]),
                        label="hostile")
    path = template
    for name in re.findall(r"\{(\w+)\}", template):
        real = target.real.get(name, ["x"])
        value = data.draw(path_value(real), label=name) if hostile in ("path", "all") else real[0]
        path = path.replace(f"{{{name}}}", quote(value, safe="%") or "x", 1)
    declared = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
    names: list[str] = []
    if hostile in ("query", "all"):
        names = data.draw(st.lists(  # one parameter alone: another's 422 would hide its effect
            st.one_of(st.sampled_from(declared or ["q"]), st.sampled_from(["unknown", "q"])),
            min_size=1, max_size=1 if hostile == "query" else 3, unique=True),
            label="query names")
    query = "&".join(
        f"{quote(n)}={quote(data.draw(query_value(), label=n), safe='')}" for n in names)
    token = target.tokens[0]
    if hostile in ("token", "all"):
        token = data.draw(st.sampled_from(target.tokens), label="token")
    headers = {"authorization": f"Bearer {token}"} if token is not None else {}
    body = b""
    if method in ("POST", "PUT", "PATCH"):
        fields = _body_fields(operation, target.document)
        valid = {"export_sha256": target.real["sha256"][0]} if fields else {}
        content_type, body = "application/json", json.dumps(valid).encode()
        if hostile in ("body", "all"):
            content_type, body = data.draw(
                body_for(fields, [v for vs in target.real.values() for v in vs], valid),
                label="body")
        if content_type:
            headers["content-type"] = content_type
    before = _state(target)
    answer = target.loop.run_until_complete(
        _call(target.app, method, f"{path}?{query}" if query else path, headers, body))
    where = (method, path[:200], query[:200], answer.status, answer.body[:300])
    assert answer.status < 500, where
    assert answer.seconds < TIME_BOUND, where
    if _template_regex(template).match(unquote(path)):  # the route under test answered
        assert str(answer.status) in operation["responses"] or answer.status in (307, 405), where
    if answer.status >= 400:
        assert answer.headers.get("content-type", "").startswith("application/problem+json"), where
        problem = json.loads(answer.body)
        assert problem["status"] == answer.status and problem["type"].startswith("/problems/")
        after = _state(target)
        changed = {t for t in after if after[t] != before[t]}
        allowed = PUSH_LOG if template.startswith("/push/") else set()
        assert changed <= allowed, (where, changed, len(body))
