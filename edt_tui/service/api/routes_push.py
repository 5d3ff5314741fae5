"""`POST|PUT /push/{uai}/{secret}`: PRONOTE's automatic export, the raw file as the body.

PRONOTE sends no headers we could rely on (no token, any content type): the secret in the URL is
the credential. The access log and problem documents redact it (`problems.redact_path`).
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request, Response

from edt_tui.service.api.problems import Problem
from edt_tui.service.imports import imports_of
from edt_tui.service.push import receive_push

router = APIRouter(tags=["push"])


PUSH_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "identical to the previous import: recorded as a no-op"},
    404: {"description": "unknown push URL (wrong secret or unknown establishment)"},
    409: {"description": "no manual import yet"},
    422: {"description": "undecryptable, unreadable, or another establishment's export"},
    429: {"description": "daily quota reached; `Retry-After` = seconds to midnight"},
}


@router.put("/push/{uai}/{secret}", status_code=202, responses=PUSH_RESPONSES,
            operation_id="push_put")
@router.post("/push/{uai}/{secret}", status_code=202, responses=PUSH_RESPONSES,
             operation_id="push_post")
async def push(uai: str, secret: str, request: Request, response: Response) -> dict[str, Any]:
    """Accept a pushed export (202 with the queued automatic job) or refuse it with a reason."""
    data = await request.body()
    services = imports_of(request)
    answer = await anyio.to_thread.run_sync(receive_push, services, uai, secret, data)
    job_id = answer.job.id if answer.job is not None else None
    if answer.slug is not None:
        raise Problem(
            answer.status, answer.slug, "Push refused", answer.detail,
            headers=answer.headers or None, job_id=job_id,
        )
    response.status_code = answer.status
    status = answer.job.status.value if answer.job is not None else None
    return {"job_id": job_id, "status": status, "detail": answer.detail}
