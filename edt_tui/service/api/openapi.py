"""The OpenAPI document declares every status a route can answer, each with its body.

FastAPI declares what a route returns (its wire model) and a 422 of its own shape; the errors
raised by dependencies (token, establishment scope), middlewares (body size) and admission limits
are added here by rule, so a new route is declared like its neighbours without listing them.
Every error is `ProblemDetails` as problem+json; another success status a route declares (the
push's 200) carries the same body as its main one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from edt_tui.wire import PROBLEM_MEDIA_TYPE, ProblemDetails

DESCRIPTIONS = {
    400: "malformed multipart body",
    401: "missing or unknown bearer token",
    403: "the token's role does not allow this",
    404: "unknown, or outside the token's establishments",
    409: "conflicts with the current state",
    413: "request body too large",
    422: "invalid parameter or body",
    429: "too many requests: retry after `Retry-After` seconds",
    503: "imports unavailable on this store",
}
_IMPORT_TAGS = {"imports", "plans", "accounts", "helpdesk", "push"}
"""Routes served by the import services (503 on a store that cannot run imports)."""


def error_statuses(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses `operation` can answer besides those it declares itself."""
    statuses = {422} if operation.get("parameters") or "requestBody" in operation else set()
    if path.startswith("/api/v1/establishments"):
        statuses |= {401, 403, 404}
    if path.startswith("/problems/"):
        statuses.add(404)
    if method in ("post", "put", "patch"):
        statuses |= {413, 422}
    if set(operation.get("tags", ())) & _IMPORT_TAGS:
        statuses |= {409, 503} if method in ("post", "put") else {503}
    content = operation.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in content:
        statuses.add(400)
    return statuses


def declare_problems(app: FastAPI) -> None:
    """Wrap `app.openapi` so the document carries the statuses of `error_statuses`."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def document() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        problem_schema = ProblemDetails.model_json_schema(
            ref_template="#/components/schemas/{model}", mode="serialization"
        )
        for name, part in problem_schema.pop("$defs", {}).items():
            components.setdefault(name, part)
        components["ProblemDetails"] = problem_schema
        problem = {
            PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}
        }
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                declared = {int(s) for s in responses if str(s).isdigit()}
                success = next(
                    (r["content"] for s, r in sorted(responses.items())
                     if str(s).startswith("2") and "content" in r),
                    None,
                )
                for status in sorted(declared | error_statuses(path, method, operation)):
                    if status < 400:
                        if success is not None:
                            responses[str(status)].setdefault("content", success)
                        continue
                    entry = responses.setdefault(str(status), {})
                    entry.setdefault("description", DESCRIPTIONS.get(status, "error"))
                    entry["content"] = problem
        return schema

    app.openapi = document  # type: ignore[method-assign]
