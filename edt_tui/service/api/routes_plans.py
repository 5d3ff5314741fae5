"""Dry-run plans: what an import would do, and the wizard's paginated step lists.

`POST …/plans` plans a stored export with a selection and returns the summary and a `plan_id`;
`GET …/plans/{plan_id}/{step}` pages one step's list (filters: `status`, `q`, `selected`). The
plan is cached, so paging does not recompute it. `POST …/plans/dry-run` plans a raw export body
that is NOT stored (the `plan` command: it writes nothing).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, cast

import anyio.to_thread
from fastapi import APIRouter, Query, Request

from edt_tui.engine.plan import Plan
from edt_tui.engine.selection import Selection
from edt_tui.errors import BadInputError
from edt_tui.gc_pause import cyclic_gc_paused
from edt_tui.pronote.errors import ExportError, LimitExceededError
from edt_tui.service.api.deps import MAX_NAME, EstablishmentDep, text_query
from edt_tui.service.api.problems import Problem, not_found, too_large_export
from edt_tui.service.api.routes_exports import (
    TOO_MANY_UPLOADS,
    UPLOAD_BODY,
    _body,
    upload_slot,
)
from edt_tui.service.api.routes_jobs import bad_input, parse_reference_time
from edt_tui.service.exports import UaiMismatchError, UndecryptableError
from edt_tui.service.imports import ImportServices, imports_of
from edt_tui.service.planning import PlanOptions, PlanRequest, parse_selection_document
from edt_tui.service.store import MAX_OFFSET, MAX_PAGE
from edt_tui.wire import (
    STEPS,
    JobIn,
    Page,
    PlanContract,
    PlanCourseDetail,
    PlanStepPage,
    PlanSteps,
    PlanSummary,
)
from edt_tui.wire.plans import Step, StepItem

router = APIRouter(prefix="/api/v1/establishments/{uai}/plans", tags=["plans"])

View = Literal["summary", "steps", "contract"]
PlanDocument = PlanSummary | PlanSteps | PlanContract
"""What `view` asks for: counts only, every step list, or the CLI contract's document."""
_SEARCHED = ("label", "name", "export_label", "export_name", "ent_name", "last_name",
             "first_name", "key", "subject", "detail")


def render(plan_id: str | None, plan: Plan, view: View) -> PlanDocument:
    if view == "contract":
        with cyclic_gc_paused():
            return PlanContract.of(plan)
    if view == "steps":
        with cyclic_gc_paused():
            return PlanSteps.of(plan, plan_id)
    return PlanSummary.of(plan, plan_id)


def _problem_for(exc: Exception) -> Problem:
    if isinstance(exc, UaiMismatchError):
        return Problem(
            422, "uai-mismatch", "Export of another establishment", str(exc),
            export_uai=exc.export_uai, uai=exc.uai,
        )
    if isinstance(exc, UndecryptableError):
        return Problem(
            422, "undecryptable", "Export cannot be decrypted", str(exc), envelope=exc.envelope
        )
    if isinstance(exc, LimitExceededError):
        return too_large_export(exc)
    if isinstance(exc, ExportError):
        return Problem(422, "bad-export", "Not a readable export", str(exc))
    assert isinstance(exc, BadInputError)
    return bad_input(exc)


def _request(services: ImportServices, uai: str, timezone: str, body: JobIn) -> PlanRequest:
    if body.selection_version is not None:
        found = services.store.get_selection(uai, body.selection_version)
        if found is None:
            raise not_found(f"selection version {body.selection_version}")
        selection, options = parse_selection_document(found[1])
    else:
        selection = Selection.default()
        if body.selection is not None:
            selection = parse_selection_document(body.selection)[0]
        options = PlanOptions(body.add_unknown_subjects, body.activate_unmatched_classes)
    return PlanRequest(
        uai, body.export_sha256, selection, options,
        parse_reference_time(body.reference_time, services.clock(), timezone),
    )


@router.post("")
async def create_plan(
    establishment: EstablishmentDep, request: Request, body: JobIn,
    view: Annotated[View, Query(description="summary | steps (every list) | contract")] = "summary",
) -> PlanDocument:
    """Plan a stored export with a selection (body, saved version, or default); writes nothing."""
    services = imports_of(request)
    try:
        plan_request = _request(services, establishment.uai, establishment.timezone, body)
        plan_id, plan = await anyio.to_thread.run_sync(services.planner.plan, plan_request)
        return await anyio.to_thread.run_sync(render, plan_id, plan, view)
    except (BadInputError, ExportError) as exc:
        raise _problem_for(exc) from None


@router.post("/dry-run", responses={429: TOO_MANY_UPLOADS}, openapi_extra=UPLOAD_BODY)
async def dry_run(
    establishment: EstablishmentDep, request: Request,
    reference_time: Annotated[datetime | None, Query(description="T (default now)")] = None,
    add_unknown_subjects: bool = False, activate_unmatched_classes: bool = False,
    view: Annotated[View, Query()] = "contract",
    file_name: Annotated[
        str | None, text_query("original file name", max_length=MAX_NAME)
    ] = None,
) -> PlanDocument:
    """Plan a raw export body with the default selection; the export is not stored."""
    services = imports_of(request)
    options = PlanOptions(add_unknown_subjects, activate_unmatched_classes)
    when = parse_reference_time(reference_time, services.clock(), establishment.timezone)

    def compute(data: bytes, name: str) -> PlanDocument:
        export = services.intake.read(data, name)
        plan = services.planner.compute(
            establishment.uai, export, Selection.default(), options, when
        )
        return render(None, plan, view)

    try:
        async with upload_slot(request):
            data, name = await _body(request, file_name)
            return await anyio.to_thread.run_sync(compute, data, name)
    except (BadInputError, ExportError) as exc:
        raise _problem_for(exc) from None


def _matches(item: StepItem, q: str) -> bool:
    needle = q.casefold()
    return any(needle in str(getattr(item, f, None) or "").casefold() for f in _SEARCHED)


@router.get("/{plan_id}/courses/{key:path}")
async def plan_course(
    establishment: EstablishmentDep, request: Request, plan_id: str, key: str
) -> PlanCourseDetail:
    """One course of the cached plan in full: teachers and students by name (the unreconciled
    flagged), rooms, the number of future events and the first ones."""
    services = imports_of(request)
    plan = await anyio.to_thread.run_sync(services.planner.get, establishment.uai, plan_id)
    if plan is None:
        raise not_found(f"plan {plan_id}")
    detail = PlanCourseDetail.of(plan, key)
    if detail is None:
        raise not_found(f"course {key}")
    return detail


@router.get("/{plan_id}/{step}")
async def plan_step(
    establishment: EstablishmentDep, request: Request, plan_id: str, step: str,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    status: Annotated[
        str | None, text_query("item status (recognised, new…)", max_length=40)
    ] = None,
    selected: Annotated[bool | None, Query(description="courses: selected or not")] = None,
    q: Annotated[str | None, text_query("text in names/labels")] = None,
) -> PlanStepPage:
    """One page of a step's list, with statuses and suggestions, from the cached plan."""
    if step not in STEPS:
        raise not_found(f"plan step {step}")
    services = imports_of(request)
    steps = await anyio.to_thread.run_sync(services.planner.steps, establishment.uai, plan_id)
    if steps is None:
        raise not_found(f"plan {plan_id}")
    items: tuple[StepItem, ...] = getattr(steps, step)
    if status is not None:
        items = tuple(i for i in items if getattr(i, "status", None) == status)
    if selected is not None:
        items = tuple(i for i in items if bool(getattr(i, "selected", False)) is selected)
    if q:
        items = tuple(i for i in items if _matches(i, q))
    page = Page[StepItem].slice(items, offset, limit)
    return PlanStepPage(plan_id=plan_id, step=cast(Step, step), **dict(page))
