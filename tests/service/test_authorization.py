"""A token of establishment A never reads or writes B — on EVERY route of the app.

The routes are taken from the application itself, so routes added later are covered without
editing this file. Path parameters get real values of B (so a 404 proves isolation, not a typo);
an unknown parameter gets a placeholder.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from edt_tui.config import Settings
from edt_tui.service.api.app import create_app
from edt_tui.service.exports import ExportIntake
from tests.service.conftest import UAI_A, UAI_B, YEAR, Api
from tests.service.exports_builder import plain_export

B_COURSE = f"{UAI_B}:{YEAR}:MATHS:class:3A"
SAMPLE = {"uai": UAI_B, "key": B_COURSE, "sync_id": "b-s1"}


def _scoped_routes() -> list[tuple[str, str]]:
    """(method, path template) of every /api route under an establishment, from the OpenAPI doc."""
    document = create_app(None, settings=Settings()).openapi()  # type: ignore[arg-type]
    return [
        (method.upper(), path)
        for path, operations in sorted(document["paths"].items())
        if path.startswith("/api/") and "{uai}" in path
        for method in sorted(operations)
        if method in {"get", "post", "put", "patch", "delete"}
    ]


ROUTES = _scoped_routes()


def _fill(path: str, sha256: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "name":
            return "3A" if "/classes/" in path else "MATHEMATIQUES"
        if name == "sha256":
            return sha256
        return quote(SAMPLE.get(name) or "placeholder", safe="")

    return re.sub(r"\{(\w+)(?::\w+)?\}", value, path)


def _body(method: str, path: str, sha256: str = "") -> dict[str, object]:
    if method not in {"POST", "PUT", "PATCH"}:
        return {}
    if path.endswith(("/exports", "/plans/dry-run")):
        return {"content": plain_export(UAI_B)}
    if path.endswith("/settings"):
        return {"json": {"daily_quota": 3}}
    if path.endswith("/plans"):
        return {"json": {"export_sha256": sha256, "reference_time": "2013-09-10T08:00:00+02:00"}}
    if path.endswith("/jobs"):  # B's seeded course is not in its export: a mass deletion
        return {"json": {"export_sha256": sha256, "reference_time": "2013-09-10T08:00:00+02:00",
                         "allow_mass_deletion": True}}
    return {"json": {"name": "Intrus", "code": "X"}}


def test_the_matrix_covers_the_known_routes() -> None:
    paths = {p for _, p in ROUTES}
    assert len(ROUTES) >= 12
    assert "/api/v1/establishments/{uai}/users/{sync_id}" in paths
    assert ("POST", "/api/v1/establishments/{uai}/exports") in ROUTES


@pytest.mark.parametrize(("method", "template"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
async def test_admin_of_a_cannot_reach_b(api: Api, method: str, template: str) -> None:
    record = ExportIntake(Settings()).accept(api.store, UAI_B, plain_export(UAI_B), "b.xml")
    path = _fill(template, record.sha256)
    def state_of_b() -> tuple[object, ...]:
        return (api.store.list_subjects(UAI_B).total, api.store.list_exports(UAI_B).total,
                api.store.get_establishment(UAI_B))

    before = state_of_b()

    as_a = await api.http.request(method, path, headers=api.auth(api.token_a),
                                  **_body(method, path, record.sha256))  # type: ignore[arg-type]
    assert as_a.status_code in (403, 404), (path, as_a.status_code, as_a.text[:200])
    assert as_a.headers["content-type"].startswith("application/problem+json")
    assert "Bêta" not in as_a.text and "PROF" not in as_a.text  # no data of B leaks
    assert state_of_b() == before

    as_b = await api.http.request(method, path, headers=api.auth(api.token_b),
                                  **_body(method, path, record.sha256))  # type: ignore[arg-type]
    as_platform = await api.http.request(method, path, headers=api.auth(api.platform),
                                         **_body(method, path, record.sha256))  # type: ignore[arg-type]
    assert as_platform.status_code not in (401, 403), path
    if "placeholder" not in path:  # the values are real: B's admin succeeds, or it is platform-only
        assert as_b.status_code < 400 or (
            as_b.status_code == 403 and as_platform.status_code < 400
        ), (path, as_b.status_code, as_b.text[:200])
    if method == "GET" and "placeholder" not in path:
        assert as_platform.status_code == 200


async def test_a_token_for_a_sees_a(api: Api) -> None:
    response = await api.http.get(f"/api/v1/establishments/{UAI_A}/users",
                                  headers=api.auth(api.token_a))
    assert response.status_code == 200 and all(
        u["uai"] == UAI_A for u in response.json()["items"])
