"""Dry-run plans: what an import would do, and the wizard's paginated step lists.

`POST …/plans` plans a stored export with a selection and returns the summary and a `plan_id`;
`GET …/plans/{plan_id}/{step}` pages one step's list (filters: `status`, `q`, `selected`). The
plan is cached, so paging does not recompute it. `POST …/plans/dry-run` plans a raw export body
that is NOT stored (the `plan` command: it writes nothing).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import APIRouter, Query, Request

from edt_tui.engine.plan import Plan
from edt_tui.engine.report import (
    course_detail,
    guards_to_dict,
    plan_steps_to_dict,
    plan_to_contract_json,
)
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
from edt_tui.service.api.routes_jobs import JobIn, bad_input, parse_reference_time
from edt_tui.service.exports import UaiMismatchError, UndecryptableError
from edt_tui.service.imports import ImportServices, imports_of
from edt_tui.service.planning import PlanOptions, PlanRequest, parse_selection_document
from edt_tui.service.store import MAX_OFFSET, MAX_PAGE

router = APIRouter(prefix="/api/v1/establishments/{uai}/plans", tags=["plans"])

STEPS = ("subjects", "classes", "groups", "courses", "teachers", "students", "ignored_sessions")
View = Literal["summary", "steps", "contract"]
_SEARCHED = ("label", "name", "export_label", "export_name", "ent_name", "last_name",
             "first_name", "key", "subject", "detail")


def plan_summary(plan_id: str | None, plan: Plan) -> dict[str, Any]:
    teachers, students = plan.teacher_count, plan.student_count
    return {
        "plan_id": plan_id,
        "uai": plan.uai,
        "school_year": plan.school_year,
        "reference_time": plan.reference_time.isoformat(),
        "summary": dict(plan.summary),
        "actions": {t.value: n for t, n in plan.action_counts.items()},
        "counts": {
            "subjects": len(plan.subjects), "classes": len(plan.classes),
            "groups": len(plan.groups), "courses": len(plan.courses),
            "selected_courses": len(plan.selected_courses), "teachers": len(plan.teachers),
            "students": len(plan.students), "ignored_sessions": len(plan.ignored_sessions),
        },
        "people": {
            "teachers": {"reconciled": teachers.reconciled, "unreconciled": teachers.unreconciled,
                         "relink_pending": teachers.relink_pending},
            "students": {"reconciled": students.reconciled, "unreconciled": students.unreconciled,
                         "relink_pending": students.relink_pending},
        },
        **guards_to_dict(plan),
    }


def render(plan_id: str | None, plan: Plan, view: View) -> dict[str, Any]:
    if view == "contract":
        return plan_to_contract_json(plan)
    if view == "steps":
        with cyclic_gc_paused():
            return {**plan_steps_to_dict(plan), "plan_id": plan_id}
    return plan_summary(plan_id, plan)


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
) -> dict[str, Any]:
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
) -> dict[str, Any]:
    """Plan a raw export body with the default selection; the export is not stored."""
    services = imports_of(request)
    options = PlanOptions(add_unknown_subjects, activate_unmatched_classes)
    when = parse_reference_time(reference_time, services.clock(), establishment.timezone)

    def compute(data: bytes, name: str) -> dict[str, Any]:
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


def _matches(item: dict[str, Any], q: str) -> bool:
    needle = q.casefold()
    return any(needle in str(item.get(f) or "").casefold() for f in _SEARCHED)


@router.get("/{plan_id}/courses/{key:path}")
async def plan_course(
    establishment: EstablishmentDep, request: Request, plan_id: str, key: str
) -> dict[str, Any]:
    """One course of the cached plan in full: teachers and students by name (the unreconciled
    flagged), rooms, the number of future events and the first ones."""
    services = imports_of(request)
    plan = await anyio.to_thread.run_sync(services.planner.get, establishment.uai, plan_id)
    if plan is None:
        raise not_found(f"plan {plan_id}")
    detail = course_detail(plan, key)
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
) -> dict[str, Any]:
    """One page of a step's list, with statuses and suggestions, from the cached plan."""
    if step not in STEPS:
        raise not_found(f"plan step {step}")
    services = imports_of(request)
    steps = await anyio.to_thread.run_sync(services.planner.steps, establishment.uai, plan_id)
    if steps is None:
        raise not_found(f"plan {plan_id}")
    items: list[dict[str, Any]] = steps[step]
    if status is not None:
        items = [i for i in items if i.get("status") == status]
    if selected is not None:
        items = [i for i in items if bool(i.get("selected")) is selected]
    if q:
        items = [i for i in items if _matches(i, q)]
    page = items[offset:offset + limit]
    after = offset + len(page)
    return {
        "plan_id": plan_id, "step": step, "items": page, "total": len(items), "offset": offset,
        "limit": limit, "next": after if page and after < len(items) else None,
    }
