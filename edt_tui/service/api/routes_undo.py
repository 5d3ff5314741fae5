"""`POST …/jobs/{job_id}/undo`: queue the undo of an import (202), or say why it cannot be (409).

The job is looked up by establishment *and* id: another establishment's job is a 404 like a
missing one. The refusal carries a `reason_code` (`vocabulary.UndoRefusal`) and the job in the
way (`reason_params`) and the reason as `why` (`{code, params}`), so each client words it in its
language; `detail` is the English text, `reason` the French one.
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request, Response

from edt_tui.reasons import english, french
from edt_tui.service import undo
from edt_tui.service.api.deps import EstablishmentDep
from edt_tui.service.api.problems import Problem, not_found
from edt_tui.service.api.routes_jobs import job_out, parse_reference_time
from edt_tui.service.imports import imports_of
from edt_tui.service.vocabulary import local_minute, undo_reason
from edt_tui.wire import ImportJobDetail, UndoIn

router = APIRouter(prefix="/api/v1/establishments/{uai}", tags=["imports"])

UNDO_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such job in this establishment (or the establishment out of reach)"},
    409: {"description": "cannot be undone now: `reason_code` says why, `reason_params` which "
          "job is in the way"},
}
"""Described here; their problem+json content is added with every route's (`openapi.py`)."""


@router.post("/jobs/{job_id}/undo", status_code=202, responses=UNDO_RESPONSES)
async def undo_job(
    establishment: EstablishmentDep, request: Request, response: Response, job_id: str,
    body: UndoIn | None = None,
) -> ImportJobDetail:
    """Queue the undo of the import `job_id` (a job of type `undo`, 202)."""
    services = imports_of(request)
    uai = establishment.uai
    if services.jobs.get(job_id, uai) is None:
        raise not_found(f"job {job_id}")
    at = parse_reference_time(
        body.reference_time if body else None, services.clock(), establishment.timezone
    )
    try:
        job = await anyio.to_thread.run_sync(
            lambda: undo.enqueue(services.jobs, uai, job_id, at)
        )
    except undo.UndoRefusedError as exc:
        stamp = exc.params.get("created_at")
        date = local_minute(stamp, establishment.timezone) if stamp else ""
        why = undo_reason(exc.code, date)
        raise Problem(
            409, "conflict", "Cannot be undone", english(why),
            reason_code=exc.code.value, reason_params=exc.params, reason=french(why),
            why=why.to_dict(),
        ) from None
    services.worker.notify()
    response.headers["Location"] = f"/api/v1/establishments/{uai}/jobs/{job.id}"
    return job_out(job, services, detail=True)
