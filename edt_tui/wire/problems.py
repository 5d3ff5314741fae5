"""RFC 9457 problem details: every error answer of the service (`application/problem+json`)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from edt_tui.wire.base import Wire
from edt_tui.wire.exports import FileSummary
from edt_tui.wire.plans import Guard, Why

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldError(Wire):
    loc: tuple[str, ...]
    msg: str


class ProblemDetails(Wire):
    """`type` is described at `GET /problems/{slug}`; the extensions depend on it."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: tuple[FieldError, ...] | None = Field(default=None, description="`validation`")
    limit: str | None = Field(default=None, description="`too-large`: the reader limit passed")
    export_uai: str | None = Field(default=None, description="`uai-mismatch`")
    uai: str | None = Field(default=None, description="`uai-mismatch`")
    summary: FileSummary | None = Field(
        default=None, description="`uai-mismatch`: the file's summary"
    )
    envelope: dict[str, Any] | None = Field(
        default=None,
        description="`undecryptable`: what the envelope says (partners, key present…)",
    )
    guard: Guard | None = Field(default=None, description="`mass-deletion`: the counts")
    job_id: str | None = Field(
        default=None, description="a refused push: the job, if one was queued"
    )
    reason_code: str | None = Field(default=None, description="a refused undo: why")
    reason_params: dict[str, Any] | None = Field(
        default=None, description="a refused undo: which job"
    )
    reason: str | None = Field(default=None, description="a refused undo, in French")
    why: Why | None = Field(default=None, description="a refused undo: why, as a code")
