"""problem+json answers as exceptions: one per stable problem `type`, rooted in EdtTuiError.

Problems caused by the caller's input (validation, another UAI, undecryptable or unreadable
export, too large) are `BadInputError`s so the CLI exits 2 for them, as the contract asks.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from edt_tui.errors import BadInputError, EdtTuiError
from edt_tui.wire import ProblemDetails


class ServiceError(EdtTuiError):
    """The ENT import service answered with an error (`type`, `status`, `detail`, `body`)."""

    problem_type = "/problems/http-error"

    def __init__(
        self, message: str, *, status: int | None = None, problem_type: str | None = None,
        detail: str | None = None, body: dict[str, Any] | None = None, hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.problem_type = problem_type or type(self).problem_type
        self.detail = detail
        self.body = body or {}

    @property
    def problem(self) -> ProblemDetails:
        """The body as the service's problem details (empty ones if it sent something else)."""
        try:
            return ProblemDetails.model_validate(self.body)
        except ValidationError:
            status = self.status or 0
            return ProblemDetails(type=self.problem_type, title="", status=status)


class ServiceUnreachableError(ServiceError):
    """No answer at all (connection refused, timeout)."""

    problem_type = "/problems/unreachable"


class UnauthorizedError(ServiceError):
    problem_type = "/problems/unauthorized"


class ForbiddenError(ServiceError):
    problem_type = "/problems/forbidden"


class NotFoundError(ServiceError):
    problem_type = "/problems/not-found"


class ConflictError(ServiceError):
    problem_type = "/problems/conflict"


class RateLimitedError(ServiceError):
    """429 or 503 still refused after the retries; `retry_after` in seconds when known."""

    problem_type = "/problems/unavailable"

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class RequestProblemError(ServiceError, BadInputError):
    """The request itself was refused (exit code 2)."""

    exit_code = 2


class ValidationProblemError(RequestProblemError):
    problem_type = "/problems/validation"


class TooLargeError(RequestProblemError):
    problem_type = "/problems/too-large"


class UaiMismatchError(RequestProblemError):
    problem_type = "/problems/uai-mismatch"


class UndecryptableError(RequestProblemError):
    problem_type = "/problems/undecryptable"


class BadExportError(RequestProblemError):
    problem_type = "/problems/bad-export"


class MassDeletionError(RequestProblemError):
    """A manual import would delete more than the establishment's threshold; the counts are
    in `problem.guard` (send it again with `allow_mass_deletion` once the admin confirmed)."""

    problem_type = "/problems/mass-deletion"


_BY_TYPE: dict[str, type[ServiceError]] = {
    cls.problem_type: cls
    for cls in (
        UnauthorizedError, ForbiddenError, NotFoundError, ConflictError, ValidationProblemError,
        TooLargeError, UaiMismatchError, UndecryptableError, BadExportError, MassDeletionError,
    )
}
_BY_STATUS: dict[int, type[ServiceError]] = {
    400: ValidationProblemError, 401: UnauthorizedError, 403: ForbiddenError,
    404: NotFoundError, 409: ConflictError, 413: TooLargeError, 422: ValidationProblemError,
    429: RateLimitedError, 503: RateLimitedError,
}

_HINTS: dict[type[ServiceError], str] = {
    UnauthorizedError: "give a token with --token or $EDT_TUI_TOKEN (`edt-tui ent token create`)",
    NotFoundError: "check the UAI / key, and that your token covers this establishment",
    MassDeletionError: "check the export (`edt-tui plan`); to import it anyway, "
    "`edt-tui import … --allow-mass-deletion`",
}


def error_from_problem(
    status: int, body: dict[str, Any] | None, text: str, *, retry_after: float | None = None
) -> ServiceError:
    """Pick the exception class by problem `type` (then by status) and keep the details."""
    body = body or {}
    ptype = str(body.get("type") or "")
    cls = _BY_TYPE.get(ptype) or _BY_STATUS.get(status) or ServiceError
    detail = body.get("detail") if isinstance(body.get("detail"), str) else None
    title = body.get("title") if isinstance(body.get("title"), str) else None
    message = detail or title or text.strip()[:200] or f"HTTP {status}"
    kwargs: dict[str, Any] = {
        "status": status, "problem_type": ptype or None, "detail": detail, "body": body,
        "hint": _HINTS.get(cls),
    }
    if cls is RateLimitedError:
        return RateLimitedError(message, retry_after=retry_after, **kwargs)
    return cls(message, **kwargs)
