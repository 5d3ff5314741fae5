"""Every free-text query parameter is bounded: 60 KB of `q` is a clear 422, never a 500 (SQLite
refuses LIKE patterns past 50 KB); page sizes and offsets out of range are 422 as well."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import sqlite_only as database_url  # noqa: F401 (SQLite only)
from tests.service.conftest import UAI_A, Api
from tests.service.exports_builder import plain_export

HUGE = "x" * 60_000


def _query_params(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, param)
        for path, operations in sorted(document["paths"].items())
        for method, operation in sorted(operations.items())
        for param in operation.get("parameters", [])
        if param["in"] == "query"
    ]


def _accepts_text(schema: dict[str, Any]) -> bool:
    options = schema.get("anyOf", [schema])
    return any(o.get("type") == "string" and "enum" not in o and "format" not in o
               for o in options)


def _max_length(schema: dict[str, Any]) -> int | None:
    lengths = [o.get("maxLength") for o in schema.get("anyOf", [schema])]
    return next((n for n in lengths if n is not None), None)


async def test_every_text_query_parameter_declares_and_enforces_a_bound(api: Api) -> None:
    document = (await api.http.get("/openapi.json")).json()
    texts = [(m, p, q) for m, p, q in _query_params(document) if _accepts_text(q["schema"])]
    assert {q["name"] for _, _, q in texts} >= {"q", "school_year", "parent", "file_name"}
    for method, template, param in texts:
        bound = _max_length(param["schema"])
        has_pattern = any("pattern" in o for o in param["schema"].get("anyOf", [param["schema"]]))
        assert bound is not None or has_pattern, (method, template, param["name"])
        path = template.replace("{uai}", UAI_A).replace("{", "").replace("}", "")
        answer = await api.http.request(method.upper(), path, params={param["name"]: HUGE},
                                        headers=api.auth(api.platform))
        assert answer.status_code == 422, (method, template, param["name"], answer.text[:200])
        problem = answer.json()
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert param["name"] in problem["detail"] and len(answer.text) < 2_000, problem


@pytest.mark.parametrize("params", [
    {"limit": "100000"}, {"limit": "0"}, {"offset": "-1"}, {"offset": "9" * 30},
    {"limit": "1e3"}, {"q": "%" * 201},
])
async def test_out_of_range_pages_are_refused_clearly(api: Api, params: dict[str, str]) -> None:
    document = (await api.http.get("/openapi.json")).json()
    for method, template, param in _query_params(document):
        if method != "get" or param["name"] not in params:
            continue
        path = template.replace("{uai}", UAI_A).replace("{", "").replace("}", "")
        answer = await api.http.get(path, params=params, headers=api.auth(api.platform))
        assert answer.status_code in (404, 422), (template, params, answer.text[:200])
        assert answer.headers["content-type"].startswith("application/problem+json")


EXTREME_TIMES = ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00",
                 "9999-12-31T23:59:59"]


@pytest.mark.parametrize("when", EXTREME_TIMES)
async def test_a_reference_time_out_of_any_school_year_is_a_clear_422(
    api: Api, when: str
) -> None:
    est = f"/api/v1/establishments/{UAI_A}"
    headers = api.auth(api.platform)
    sha = (await api.http.post(f"{est}/exports", content=plain_export(UAI_A),
                               headers=headers)).json()["sha256"]
    answers = [
        await api.http.post(f"{est}/plans", json={"export_sha256": sha, "reference_time": when},
                            headers=headers),
        await api.http.post(f"{est}/jobs", json={"export_sha256": sha, "reference_time": when},
                            headers=headers),
        await api.http.post(f"{est}/plans/dry-run", params={"reference_time": when},
                            content=plain_export(UAI_A), headers=headers),
    ]
    for answer in answers:
        assert answer.status_code == 422, answer.text[:300]
        assert "reference_time" in answer.json()["detail"]
    assert (await api.http.get(f"{est}/jobs", headers=headers)).json()["total"] == 0
    assert api.store.get_selection(UAI_A) is None  # nothing half-written
