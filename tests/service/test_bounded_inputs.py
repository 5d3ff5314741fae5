"""Every free-text query parameter is bounded: 60 KB of `q` is a clear 422, never a 500 (SQLite
refuses LIKE patterns past 50 KB); page sizes and offsets out of range are 422 as well."""

from __future__ import annotations

from typing import Any

import pytest

from tests.service.conftest import UAI_A, Api

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
