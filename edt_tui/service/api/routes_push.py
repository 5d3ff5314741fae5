"""`POST|PUT /push/{uai}/{secret}`: PRONOTE's automatic export, the raw file as the body.

PRONOTE sends no headers we could rely on (no token, any content type): the secret in the URL is
the credential. The access log and problem documents redact it (`redaction.redact_path`).
Admission comes before the body: the client address's budget of wrong secrets, the secret, then
an upload slot; only then is the body read.
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request, Response

from edt_tui.service.api.limits import PushGuard, UploadSlots, too_many
from edt_tui.service.api.problems import Problem
from edt_tui.service.imports import imports_of
from edt_tui.service.push import WRONG_PUSH_URL, receive_push, record_wrong_secret, secret_matches
from edt_tui.wire import PushAnswer

router = APIRouter(tags=["push"])


PUSH_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "identical to the previous import: recorded as a no-op"},
    404: {"description": "unknown push URL (wrong secret or unknown establishment)"},
    409: {"description": "no manual import yet"},
    422: {"description": "undecryptable, unreadable, or another establishment's export"},
    429: {
        "description": "daily quota reached (`Retry-After` = seconds to midnight), too many "
        "wrong push URLs from this address or for this establishment, or too many exports "
        "being received at once (`Retry-After` seconds)",
    },
}


@router.put("/push/{uai}/{secret}", status_code=202, responses=PUSH_RESPONSES,
            operation_id="push_put")
@router.post("/push/{uai}/{secret}", status_code=202, responses=PUSH_RESPONSES,
             operation_id="push_post")
async def push(uai: str, secret: str, request: Request, response: Response) -> PushAnswer:
    """Accept a pushed export (202 with the queued automatic job) or refuse it with a reason."""
    services = imports_of(request)
    guard: PushGuard = request.app.state.push_guard
    address = request.client.host if request.client else "unknown"
    guard.check_address(address, services.clock())
    if not await anyio.to_thread.run_sync(secret_matches, services, uai, secret):
        wait = guard.wrong_secret(address, uai, services.clock())
        await anyio.to_thread.run_sync(record_wrong_secret, services, uai)
        if wait is not None:
            raise too_many("too many wrong push URLs for this establishment", wait)
        raise Problem(404, "not-found", "Push refused", WRONG_PUSH_URL, job_id=None)
    slots: UploadSlots = request.app.state.upload_slots
    async with slots.hold():
        data = await request.body()
        answer = await anyio.to_thread.run_sync(receive_push, services, uai, data)
    job_id = answer.job.id if answer.job is not None else None
    if answer.slug is not None:
        raise Problem(
            answer.status, answer.slug, "Push refused", answer.detail,
            headers=answer.headers or None, job_id=job_id,
        )
    response.status_code = answer.status
    status = answer.job.status.value if answer.job is not None else None
    return PushAnswer(job_id=job_id, status=status, detail=answer.detail)
