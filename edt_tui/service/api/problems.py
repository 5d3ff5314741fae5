"""RFC 9457 `application/problem+json` errors with stable `type` URIs.

Every error the API returns goes through here, so clients (and `edt_tui.client`) can switch on
`type` rather than parse messages. Types are relative URIs under `/problems/`; each is described
by `GET /problems/{slug}`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from edt_tui.pronote.errors import LimitExceededError
from edt_tui.service.api.redaction import redact_path
from edt_tui.wire import PROBLEM_MEDIA_TYPE

PROBLEM_TYPES: dict[str, str] = {
    "not-found": "The resource does not exist, or is outside the token's establishments.",
    "unauthorized": "No valid bearer token (Authorization: Bearer <token>).",
    "forbidden": "The token is valid but its role does not allow this operation.",
    "validation": "A parameter or the JSON body is malformed; see `errors`.",
    "too-large": "The request body exceeds the service's size limit.",
    "method-not-allowed": "This resource does not support the HTTP method.",
    "uai-mismatch": "The export belongs to another establishment (UAI) than the one addressed.",
    "undecryptable": "The export cannot be decrypted with the service's private key.",
    "bad-export": "The file is not a readable PRONOTE/EDT export.",
    "conflict": "The request conflicts with the current state of the resource.",
    "unavailable": "The service is temporarily unavailable; retry after `Retry-After`.",
    "quota-exceeded": "Too many automatic imports today; retry after `Retry-After` seconds.",
    "too-many-requests": (
        "Too many exports being received at once, or too many wrong push URLs from this "
        "address or for this establishment; retry after `Retry-After` seconds."
    ),
    "mass-deletion": "The import would delete more than the establishment's threshold of its "
    "memberships or future events (`guard` has the counts); send `allow_mass_deletion: true` "
    "to confirm it.",
    "internal": "An unexpected error; the service log has the details.",
    "http-error": "An HTTP error without a more specific type.",
}

_BY_STATUS = {
    400: "validation",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "too-large",
    422: "validation",
    429: "too-many-requests",
    503: "unavailable",
}


def problem_responses(described: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for a route's problem answers (status → what it means); their
    problem+json body is declared with every route's (`openapi.declare_problems`)."""
    return {status: {"description": text} for status, text in described.items()}


def problem_type(slug: str) -> str:
    return f"/problems/{slug}"


class Problem(Exception):
    """Raise from a route to answer with a problem document."""

    def __init__(
        self, status: int, slug: str, title: str, detail: str | None = None,
        *, headers: dict[str, str] | None = None, **extensions: Any,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.headers = headers
        self.extensions = extensions


def problem_body(
    status: int, slug: str, title: str, detail: str | None = None, instance: str | None = None,
    **extensions: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": problem_type(slug), "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extensions)
    return body


def problem_response(
    status: int, slug: str, title: str, detail: str | None = None, *,
    instance: str | None = None, headers: dict[str, str] | None = None, **extensions: Any,
) -> JSONResponse:
    return JSONResponse(
        problem_body(status, slug, title, detail, instance, **extensions),
        status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers,
    )


def not_found(what: str) -> Problem:
    return Problem(404, "not-found", "Not found", f"{what} does not exist")


def too_large_export(exc: LimitExceededError) -> Problem:
    """413: the export passes a reader limit (`limit` names it, as in docs/limits.md)."""
    return Problem(413, "too-large", "Export exceeds a reader limit", str(exc), limit=exc.name)


def install_problem_handlers(app: FastAPI) -> None:
    """Map our `Problem`, HTTP errors, validation errors and crashes to problem+json."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(
            exc.status, exc.slug, exc.title, exc.detail, instance=redact_path(request.url.path),
            headers=exc.headers, **exc.extensions,
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        slug = _BY_STATUS.get(exc.status_code, "http-error")
        detail = exc.detail if isinstance(exc.detail, str) else None
        return problem_response(
            exc.status_code, slug, slug.replace("-", " ").capitalize(), detail,
            instance=redact_path(request.url.path), headers=dict(exc.headers or {}) or None,
        )

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {"loc": [str(p) for p in err.get("loc", ())], "msg": str(err.get("msg", ""))}
            for err in exc.errors()
        ]
        detail = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:5])
        return problem_response(
            422, "validation", "Invalid request", detail, instance=redact_path(request.url.path),
            errors=errors,
        )

    async def on_crash(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(
            500, "internal", "Internal error", "unexpected error; see the service log",
            instance=redact_path(request.url.path),
        )

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(Exception, on_crash)
