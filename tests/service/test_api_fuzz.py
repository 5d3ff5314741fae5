"""Hostile parameters on every GET route of the OpenAPI document: never a 500, always a problem.

A small, deterministic stand-in for Schemathesis (not a dependency here): each query and path
parameter the document declares gets each nasty value in turn, with a platform token.
"""

from __future__ import annotations

from urllib.parse import quote

from tests.conftest import sqlite_only as database_url  # noqa: F401 (SQLite only)
from tests.service.conftest import UAI_A, Api

NASTY = [
    "", "0", "-1", "501", "99999999999999999999", "abc", "true", "null", "%", "_", "'; DROP TABLE "
    "directory_users; --", "\x00", "é" * 300, "2026-13-45T25:61:00", "../..", "a/b", "{uai}",
]


async def test_no_parameter_value_crashes_a_get_route(api: Api) -> None:
    document = (await api.http.get("/openapi.json")).json()
    checked = 0
    for template, operations in sorted(document["paths"].items()):
        get = operations.get("get")
        if not get or not template.startswith("/api/"):
            continue
        params = get.get("parameters", [])
        query = [p["name"] for p in params if p["in"] == "query"]
        path_names = [p["name"] for p in params if p["in"] == "path" and p["name"] != "uai"]
        base = template.replace("{uai}", UAI_A)
        for value in NASTY:
            path = base
            for name in path_names:
                path = path.replace(f"{{{name}}}", quote(value, safe="") or "x")
            attempts = [{}] if not query else [{name: value} for name in query]
            for params_ in attempts:
                response = await api.http.get(path, params=params_, headers=api.auth(api.platform))
                checked += 1
                assert response.status_code < 500, (path, params_, response.text[:300])
                if response.status_code >= 400:
                    assert response.headers["content-type"].startswith(
                        "application/problem+json"), (path, params_)
    assert checked > 100, checked
