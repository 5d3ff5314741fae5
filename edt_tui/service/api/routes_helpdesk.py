"""Helpdesk and automatic-import views: the reproduction snapshot, the push status (§4.1, §5.5)."""

from __future__ import annotations

import base64
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import anyio.to_thread
from fastapi import APIRouter, Query, Request

from edt_tui import __version__
from edt_tui.service.api.deps import EstablishmentDep, StoreDep
from edt_tui.service.api.problems import Problem, not_found
from edt_tui.service.api.to_wire import export_summary
from edt_tui.service.before_job import state_before
from edt_tui.service.helpdesk import directory_before, job_record, snapshot
from edt_tui.service.imports import ImportServices, imports_of
from edt_tui.service.job_records import Job
from edt_tui.service.planning import parse_selection_document
from edt_tui.service.push import day_start
from edt_tui.service.vocabulary import FIRST_MANUAL_IMPORT_REQUIRED, JobStatus, JobType
from edt_tui.wire import AutomaticStatus, HelpdeskSnapshot, PlanSteps

router = APIRouter(prefix="/api/v1/establishments/{uai}", tags=["helpdesk"])

PUSH_OUTCOMES = {"accepted": "Accepté", "refused": "Refusé", "noop": "Identique, ignoré"}


def _before_job(services: ImportServices, job: Job, school_year: str) -> dict[str, Any]:
    """The snapshot as it was before `job`, the job's record and the plan it saw (steps)."""
    uai = job.uai
    before = state_before(services.jobs, job, school_year)
    data = snapshot(services.store, uai, school_year, before)
    record = job_record(services.jobs, job)
    data["job"] = record
    if job.export_sha256 is not None and job.reference_time is not None:
        selection, options = parse_selection_document(record["selection"] or {"format": 1})
        plan = services.planner.compute(
            uai, services.planner.export(uai, job.export_sha256), selection, options,
            job.reference_time, ent_state=before.ent,
            directory=directory_before(services.store, uai, before),
        )
        data["plan"] = PlanSteps.of(plan)
    return data


@router.get("/helpdesk/snapshot")
async def helpdesk_snapshot(
    establishment: EstablishmentDep, store: StoreDep, request: Request,
    school_year: Annotated[str | None, Query(pattern=r"^\d{4}-\d{4}$")] = None,
    export_sha256: Annotated[str | None, Query(max_length=64)] = None,
    job_id: Annotated[
        str | None,
        Query(max_length=64, description="the ENT as it was before this job, with the job"),
    ] = None,
) -> HelpdeskSnapshot:
    """Directory, referential, ENT objects of the year and (optionally) one export's bytes.

    With `job_id` (and `school_year`): the ENT and IDPN links as they were just before that job
    of this establishment, its history entry, failed actions and the plan it computed (`plan`).
    """
    uai = establishment.uai
    if job_id is not None:
        services = imports_of(request)
        job = services.jobs.get(job_id, uai)
        if job is None:
            raise not_found(f"job {job_id}")
        if school_year is None:
            raise Problem(422, "validation", "Invalid request", "job_id needs school_year")
        data = await anyio.to_thread.run_sync(_before_job, services, job, school_year)
    else:
        data = await anyio.to_thread.run_sync(snapshot, store, uai, school_year)
    data["service_version"] = __version__
    if export_sha256:
        record = store.get_export(uai, export_sha256)
        if record is None:
            raise not_found(f"export {export_sha256}")
        content = await anyio.to_thread.run_sync(store.export_bytes, uai, export_sha256)
        data["export"] = {
            "summary": export_summary(record),
            "content_b64": base64.b64encode(content).decode("ascii"),
        }
    return HelpdeskSnapshot.model_validate(data)


@router.get("/automatic")
def automatic_status(
    establishment: EstablishmentDep, request: Request,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> AutomaticStatus:
    """The push URL, today's quota use, the last pushes, and whether pushes can be accepted.

    Wrong push URLs appear as one entry per hour whose `attempts` counts them."""
    services = imports_of(request)
    uai = establishment.uai
    now = services.clock()
    zone = ZoneInfo(establishment.timezone)
    used = services.jobs.count_automatic_since(uai, day_start(now, zone))
    manual = services.jobs.last_job(
        uai, type=JobType.MANUAL, statuses=(JobStatus.DONE,), with_outcome=False
    )
    pushes = services.jobs.pushes.recent(uai, limit)
    push_path = f"/push/{uai}/{establishment.push_secret}"
    return AutomaticStatus.model_validate({
        "uai": uai,
        "push_path": push_path,
        "push_url": str(request.base_url).rstrip("/") + push_path,
        "daily_quota": establishment.daily_quota,
        "used_today": used,
        "manual_import": None if manual is None else {
            "job_id": manual.id,
            "finished_at": manual.finished_at,
            "selection_version": manual.selection_version,
        },
        "refusal": None if manual else FIRST_MANUAL_IMPORT_REQUIRED,
        "pushes": [
            {"received_at": p.received_at, "outcome": p.outcome,
             "outcome_label": PUSH_OUTCOMES.get(p.outcome, p.outcome), "reason": p.reason,
             "job_id": p.job_id, "attempts": p.attempts}
            for p in pushes
        ],
    })
