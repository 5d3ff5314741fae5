"""Selections (versioned), import jobs (enqueue, cancel, resume) and the history with its recap."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, overload
from zoneinfo import ZoneInfo

import anyio.to_thread
from fastapi import APIRouter, Query, Request, Response

from edt_tui.engine.model import ActionType
from edt_tui.engine.selection import Selection
from edt_tui.errors import BadInputError, EdtTuiError
from edt_tui.pronote.errors import ExportError
from edt_tui.pronote.limits import check_reference_year
from edt_tui.service.api.deps import EstablishmentDep, PageDep, StoreDep, text_query
from edt_tui.service.api.problems import Problem, not_found, problem_responses
from edt_tui.service.imports import ImportServices, imports_of
from edt_tui.service.job_records import Job
from edt_tui.service.jobs import JobStateError
from edt_tui.service.planning import (
    PlanOptions,
    PlanRequest,
    parse_selection_document,
    selection_document,
)
from edt_tui.service.vocabulary import (
    ACTION_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
    JobStatus,
    JobType,
    UndoRefusal,
)
from edt_tui.wire import (
    Guard,
    ImportJob,
    ImportJobDetail,
    ImportJobIn,
    JobAction,
    Page,
    SelectionIn,
    SelectionSaved,
    SelectionVersion,
)

router = APIRouter(prefix="/api/v1/establishments/{uai}", tags=["imports"])


def bad_input(exc: BadInputError) -> Problem:
    return Problem(422, "validation", "Invalid request", str(exc))


def parse_reference_time(value: datetime | None, now: datetime, timezone: str) -> datetime:
    """T as given (a time without offset is the establishment's local time), else now."""
    if value is None:
        return now
    refused = check_reference_year(value.year, "reference_time")
    if refused is not None:
        raise Problem(422, "validation", "Invalid request", refused)
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(timezone))


def save_selection(services: ImportServices, uai: str, body: SelectionIn) -> int:
    document = selection_document(
        Selection.from_dict(body.selection) if body.selection else Selection.default(),
        PlanOptions(body.add_unknown_subjects, body.activate_unmatched_classes),
    )
    return services.store.save_selection(uai, document)


def _checked_selection(body: SelectionIn) -> None:
    if body.selection is not None:
        try:
            parse_selection_document(body.selection)
        except BadInputError as exc:
            raise bad_input(exc) from None


@overload
def job_out(job: Job, services: ImportServices) -> ImportJob: ...
@overload
def job_out(job: Job, services: ImportServices, *, detail: Literal[True]) -> ImportJobDetail: ...
def job_out(
    job: Job, services: ImportServices, *, detail: bool = False
) -> ImportJob | ImportJobDetail:
    """The job as the API sends it: its history entry, or (`detail`) the job in full."""
    counters = job.counters
    if job.status.finished and "recap" in counters:
        recap, pending = counters["recap"], int(counters.get("pending", 0))
    elif job.planned:
        recap, pending = services.jobs.recap(job.id)
    else:
        recap, pending = None, 0
    done = sum(v["success"] + v["error"] for v in recap.values()) if recap else 0
    target = services.jobs.get(job.undoes, job.uai) if job.undoes else None
    entry = {
        "id": job.id,
        "type": job.type.value,
        "status": job.status.value,
        "queue_position": job.queue_position,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "recap": recap,
        "reason": job.reason,
        "reason_code": job.reason_code.value if job.reason_code else None,
        "resumable": job.resumable,
        "status_label": STATUS_LABELS[job.status],
        "type_label": TYPE_LABELS[job.type],
        "outcome": job.outcome.value if job.outcome else None,
        "started_at": job.started_at,
        "reference_time": job.reference_time,
        "export_sha256": job.export_sha256,
        "selection_version": job.selection_version,
        "progress": {"done": done, "total": job.total} if job.planned else None,
        "tasks_done": done,
        "errors": sum(v["error"] for v in recap.values()) if recap else 0,
        "pending": pending,
        "summary": counters.get("summary"),
        "undoes": {"id": target.id, "created_at": target.created_at} if target else None,
        "reason_params": dict(job.reason_params) if job.reason_code else None,
        "allow_mass_deletion": job.allow_mass_deletion,
        "why": _why(job, services),
    }
    if not detail:
        return ImportJob.model_validate(entry)
    return ImportJobDetail.model_validate({
        **entry,
        "new_entities": counters.get("new_entities") or {},
        "ignored_sessions": counters.get("ignored_sessions") or [],
        "ignored_total": int(counters.get("ignored_total") or 0),
        "action_labels": {t.value: label for t, label in ACTION_LABELS.items()},
    })


def _why(job: Job, services: ImportServices) -> dict[str, Any] | None:
    """The job's reason as `{code, params}` (None for a job without a code)."""
    timezone = None
    if isinstance(job.reason_code, UndoRefusal):  # names a date in the establishment's zone
        establishment = services.store.get_establishment(job.uai)
        timezone = establishment.timezone if establishment else None
    why = job.why(timezone)
    return why.to_dict() if why else None


def _job_or_404(services: ImportServices, uai: str, job_id: str) -> Job:
    job = services.jobs.get(job_id, uai)
    if job is None:
        raise not_found(f"job {job_id}")
    return job


# -- selections ----------------------------------------------------------------------------
@router.post("/selections", status_code=201)
def create_selection(
    establishment: EstablishmentDep, request: Request, body: SelectionIn
) -> SelectionSaved:
    """Save a new version of the establishment's selection (what automatic imports re-apply)."""
    _checked_selection(body)
    version = save_selection(imports_of(request), establishment.uai, body)
    return SelectionSaved(uai=establishment.uai, version=version)


@router.get("/selections/latest")
def latest_selection(establishment: EstablishmentDep, store: StoreDep) -> SelectionVersion:
    """The newest version (`version` and `selection` null before any is saved)."""
    found = store.get_selection(establishment.uai)
    if found is None:
        return SelectionVersion(uai=establishment.uai, version=None, selection=None)
    return SelectionVersion(uai=establishment.uai, version=found[0], selection=dict(found[1]))


@router.get("/selections/{version}")
def get_selection(
    establishment: EstablishmentDep, store: StoreDep, version: int
) -> SelectionVersion:
    found = store.get_selection(establishment.uai, version)
    if found is None:
        raise not_found(f"selection version {version}")
    return SelectionVersion(uai=establishment.uai, version=found[0], selection=dict(found[1]))


# -- jobs ----------------------------------------------------------------------------------
def _mass_deletion(
    services: ImportServices, uai: str, body: ImportJobIn, reference_time: datetime
) -> Problem | None:
    """409 when the import would be a mass deletion the request does not confirm.

    A plan that cannot be computed is not judged here: the worker reports its error as before.
    """
    if body.allow_mass_deletion:
        return None
    if body.selection_version is not None:
        found = services.store.get_selection(uai, body.selection_version)
        selection, options = parse_selection_document(found[1] if found else {"format": 1})
    else:
        selection = Selection.from_dict(body.selection) if body.selection else Selection.default()
        options = PlanOptions(body.add_unknown_subjects, body.activate_unmatched_classes)
    try:
        _, plan = services.planner.plan(  # its id is not returned: a 409 writes nothing
            PlanRequest(uai, body.export_sha256, selection, options, reference_time), share=False
        )
    except (EdtTuiError, ExportError, OSError):
        return None
    if not plan.deletions.mass_deletion:
        return None
    guard = Guard.of(plan)
    return Problem(
        409, "mass-deletion", "Mass deletion", mass_deletion_detail(guard),
        guard=guard.model_dump(mode="json"),
    )


def mass_deletion_detail(guard: Guard) -> str:
    m, e = guard.memberships, guard.events
    return (
        f"this import would delete {m.deleted} of {m.total} memberships ({m.percent} %) "
        f"and {e.deleted} of {e.total} future events ({e.percent} %), over the "
        f"establishment's {guard.threshold_percent} % threshold: confirm it with "
        "allow_mass_deletion"
    )


@router.post(
    "/jobs", status_code=202,
    responses=problem_responses({
        404: "unknown establishment, export or selection version",
        409: "a mass deletion not confirmed (`/problems/mass-deletion`, counts in `guard`)",
        422: "a malformed selection or body",
    }),
)
async def enqueue_job(
    establishment: EstablishmentDep, request: Request, response: Response, body: ImportJobIn
) -> ImportJobDetail:
    """Queue a manual import (202): the export, a selection (saved as a new version), T.

    Planned first against the ENT as it is: a mass deletion needs `allow_mass_deletion` (409
    otherwise, nothing saved); the worker checks again when the job runs.
    """
    services = imports_of(request)
    uai = establishment.uai
    _checked_selection(body)
    when = parse_reference_time(body.reference_time, services.clock(), establishment.timezone)
    if services.store.get_export(uai, body.export_sha256) is None:
        raise not_found(f"export {body.export_sha256}")
    unknown = body.selection_version is not None and services.store.get_selection(
        uai, body.selection_version
    ) is None
    if unknown:
        raise not_found(f"selection version {body.selection_version}")
    refused = await anyio.to_thread.run_sync(_mass_deletion, services, uai, body, when)
    if refused is not None:
        raise refused
    if body.selection_version is not None:
        version = body.selection_version
    else:
        version = await anyio.to_thread.run_sync(save_selection, services, uai, body)
    job = await anyio.to_thread.run_sync(
        lambda: services.jobs.enqueue(
            uai, type=JobType.MANUAL, export_sha256=body.export_sha256,
            selection_version=version, reference_time=when,
            allow_mass_deletion=body.allow_mass_deletion,
        )
    )
    services.worker.notify()
    response.headers["Location"] = f"/api/v1/establishments/{uai}/jobs/{job.id}"
    return job_out(job, services, detail=True)


@router.get("/jobs")
def history(
    establishment: EstablishmentDep, request: Request, page: PageDep,
    status: Annotated[JobStatus | None, Query()] = None,
    type: Annotated[JobType | None, Query()] = None,
    id_prefix: Annotated[
        str | None,
        Query(pattern="^[0-9a-f]{0,32}$", description="jobs whose id starts with this"),
    ] = None,
) -> Page[ImportJob]:
    """The history, newest first (jobs of dead processes first put right: `Worker.recover`)."""
    services = imports_of(request)
    services.worker.recover()
    found = services.jobs.history(
        establishment.uai, status=status, type=type, id_prefix=id_prefix,
        offset=page.offset, limit=page.limit,
    )
    return Page[ImportJob].of(found, lambda job: job_out(job, services))


@router.get("/jobs/{job_id}")
def get_job(establishment: EstablishmentDep, request: Request, job_id: str) -> ImportJobDetail:
    services = imports_of(request)
    services.worker.recover()
    return job_out(_job_or_404(services, establishment.uai, job_id), services, detail=True)


@router.post("/jobs/{job_id}/cancel")
def cancel_job(
    establishment: EstablishmentDep, request: Request, job_id: str
) -> ImportJobDetail:
    """A queued or interrupted job (409 otherwise: a running one ends, or is interrupted)."""
    services = imports_of(request)
    services.worker.recover()  # a job whose worker died is no longer running
    _job_or_404(services, establishment.uai, job_id)
    try:
        job = services.jobs.cancel(establishment.uai, job_id)
    except JobStateError as exc:
        raise Problem(409, "conflict", "Conflict", str(exc)) from None
    return job_out(job, services, detail=True)


@router.post("/jobs/{job_id}/resume", status_code=202)
def resume_job(
    establishment: EstablishmentDep, request: Request, job_id: str
) -> ImportJobDetail:
    """An interrupted job (or one stopped by a full disk) back in the queue; its done actions
    are not replayed (409 otherwise)."""
    services = imports_of(request)
    services.worker.recover()  # a job whose worker died is no longer running
    _job_or_404(services, establishment.uai, job_id)
    try:
        job = services.jobs.resume(establishment.uai, job_id)
    except JobStateError as exc:
        raise Problem(409, "conflict", "Conflict", str(exc)) from None
    services.worker.notify()
    return job_out(job, services, detail=True)


@router.get("/jobs/{job_id}/actions")
def job_actions(
    establishment: EstablishmentDep, request: Request, job_id: str, page: PageDep,
    status: Annotated[str | None, Query(pattern="^(pending|success|error)$")] = "error",
    type: Annotated[ActionType | None, Query()] = None,
    q: Annotated[str | None, text_query("part of the key or the error")] = None,
) -> Page[JobAction]:
    """The job's actions — by default the failed ones with their reasons."""
    services = imports_of(request)
    _job_or_404(services, establishment.uai, job_id)
    found = services.jobs.list_actions(
        establishment.uai, job_id, status=status, type=type, q=q, offset=page.offset,
        limit=page.limit,
    )
    return Page[JobAction].of(found, lambda a: JobAction(
        seq=a.seq, type=a.type.value, label=ACTION_LABELS[a.type], key=a.key, status=a.status,
        error=a.error,
    ))
