"""The `plan --json` document of the CLI contract (its fields, then the guards: `frozen_until`,
`freeze_minutes`, `guard`, `people.*.relink_pending`) and the wizard's step lists."""

from __future__ import annotations

from typing import Any

from edt_tui.engine.guards import Share
from edt_tui.engine.model import ActionType
from edt_tui.engine.plan import Plan
from edt_tui.engine.reconciliation import PersonRow

CONTRACT_ACTIONS: tuple[ActionType, ...] = (
    ActionType.CREATE_COURSE,
    ActionType.CREATE_MEMBERSHIP,
    ActionType.DELETE_MEMBERSHIP,
    ActionType.CREATE_EVENT,
    ActionType.UPDATE_EVENT,
    ActionType.DELETE_EVENT,
)
"""`create_hierarchy_node` is part of the plan (recap) but not of the contract's counts."""


def guard_to_dict(plan: Plan) -> dict[str, Any]:
    """The mass-deletion verdict: shares of what earlier imports created, threshold, top losses."""
    verdict = plan.deletions

    def share(s: Share) -> dict[str, Any]:
        return {"deleted": s.deleted, "total": s.total, "percent": s.percent}

    return {
        "mass_deletion": verdict.mass_deletion,
        "memberships": share(verdict.memberships),
        "events": share(verdict.events),
        "threshold_percent": verdict.threshold_percent,
        "top_courses": [
            {"key": c.key, "label": c.label, "memberships_deleted": c.memberships,
             "events_deleted": c.events}
            for c in verdict.top_courses
        ],
    }


def guards_to_dict(plan: Plan) -> dict[str, Any]:
    """What every plan document carries about the guards (contract, steps, summary)."""
    return {
        "frozen_until": plan.frozen_until.isoformat(),
        "freeze_minutes": plan.guards.freeze_minutes,
        "guard": guard_to_dict(plan),
    }


def _people(rows: tuple[PersonRow, ...]) -> dict[str, Any]:
    unreconciled = sorted(
        (r for r in rows if not r.reconciled), key=lambda r: (r.last_name, r.first_name, r.ident)
    )
    return {
        "reconciled": sum(1 for r in rows if r.reconciled),
        "relink_pending": sum(1 for r in rows if r.relink_pending),
        "unreconciled": [
            {
                "last_name": r.last_name,
                "first_name": r.first_name,
                "birth_date": r.birth_date.isoformat() if r.birth_date else None,
            }
            for r in unreconciled
        ],
    }


def plan_to_contract_json(plan: Plan) -> dict[str, Any]:
    counts = plan.action_counts
    return {
        "uai": plan.uai,
        "school_year": plan.school_year,
        "reference_time": plan.reference_time.isoformat(),
        "courses": [
            {
                "key": course.key,
                "label": course.label,
                "subject": course.state.subject,
                "audience": {
                    "kind": course.state.audience_kind.value,
                    "name": course.state.audience_name,
                },
                "teachers": sorted(course.teachers),
                "students": sorted(course.students),
                "events": [
                    {
                        "start": event.start.isoformat(),
                        "end": event.end.isoformat(),
                        "rooms": sorted(event.rooms),
                        "teachers": sorted(event.teachers),
                    }
                    for event in course.future_events(plan.reference_time)
                ],
            }
            for course in plan.selected_courses
        ],
        "ignored_sessions": [
            {"reason": i.reason.value, "subject": i.subject, "detail": i.detail,
             "why": i.why.to_dict()}
            for i in plan.ignored_sessions
        ],
        "people": {"teachers": _people(plan.teachers), "students": _people(plan.students)},
        "actions": {t.value: counts[t] for t in CONTRACT_ACTIONS},
        **guards_to_dict(plan),
    }


def ignored_sessions(plan: Plan) -> list[dict[str, Any]]:
    """The sessions that make no course, with why and where (wizard, job history)."""
    return [
        {
            "reason": i.reason.value,
            "subject": i.subject,
            "detail": i.detail,
            "why": i.why.to_dict(),
            "session": i.session,
            "line": i.line,
        }
        for i in plan.ignored_sessions
    ]


def _person(row: PersonRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "ident": row.ident,
        "idpn": row.idpn,
        "last_name": row.last_name,
        "first_name": row.first_name,
        "birth_date": row.birth_date.isoformat() if row.birth_date else None,
        "classes": row.classes,
        "status": row.status.value,
        "relink_pending": row.relink_pending,
        "previous_idpn": row.previous_idpn,
        "sync_id": row.sync_id,
        "rule": row.rule.value if row.rule else None,
        "candidates": list(row.candidates),
        "detail": row.detail,
        "reasons": [r.to_dict() for r in row.reasons],
        "recommended": row.recommended.sync_id if row.recommended else None,
        "suggestions": [
            {
                "sync_id": s.sync_id,
                "last_name": s.last_name,
                "first_name": s.first_name,
                "birth_date": s.birth_date.isoformat() if s.birth_date else None,
                "score": s.score,
                "margin": s.margin,
                "evidence": list(s.evidence),
            }
            for s in row.suggestions
        ],
    }


def plan_steps_to_dict(plan: Plan) -> dict[str, Any]:
    """The wizard's step lists (JSON-safe), for the service's dry-run endpoint and the TUI.

    Unlike the contract document, it lists every derived course (with why it is not selected)
    and every person with their reconciliation, candidates and ranked suggestions.
    """
    reference_time = plan.reference_time
    return {
        "uai": plan.uai,
        "school_year": plan.school_year,
        "reference_time": reference_time.isoformat(),
        "reference_date": plan.reference_date.isoformat(),
        "subjects": [
            {
                "ident": r.ident,
                "key": r.key,
                "code": r.code,
                "export_label": r.export_label,
                "ent_name": r.ent_name,
                "matched_by": r.matched_by,
                "status": r.status.value,
                "active": r.active,
                "label": r.label,
            }
            for r in plan.subjects
        ],
        "classes": [
            {
                "ident": r.ident,
                "key": r.key,
                "export_name": r.export_name,
                "ent_name": r.ent_name,
                "status": r.status.value,
                "active": r.active,
                "label": r.label,
            }
            for r in plan.classes
        ],
        "groups": [
            {
                "ident": r.ident,
                "key": r.key,
                "name": r.name,
                "status": r.status.value,
                "active": r.active,
            }
            for r in plan.groups
        ],
        "courses": [
            {
                "key": c.key,
                "label": c.label,
                "subject": c.state.subject,
                "audience": {"kind": c.state.audience_kind.value, "name": c.state.audience_name},
                "selected": c.selected,
                "subject_active": c.subject_active,
                "audience_active": c.audience_active,
                "deactivated": c.deactivated,
                "teachers": len(c.teachers),
                "students": len(c.students),
                "unreconciled_members": len(c.unreconciled_teachers) + len(c.unreconciled_students),
                "future_events": len(c.future_events(reference_time)),
                "sessions": list(c.sessions),
            }
            for c in plan.courses
        ],
        "teachers": [_person(r) for r in plan.teachers],
        "students": [_person(r) for r in plan.students],
        "ignored_sessions": ignored_sessions(plan),
        "summary": dict(plan.summary),
        "actions": {t.value: n for t, n in plan.action_counts.items()},
        "relink_pending": {
            "teachers": plan.teacher_count.relink_pending,
            "students": plan.student_count.relink_pending,
        },
        **guards_to_dict(plan),
    }


def course_detail(plan: Plan, key: str, *, first_events: int = 5) -> dict[str, Any] | None:
    """What the wizard shows on `enter` on a course: who is in it, its rooms, what comes next.

    People are named as the export names them (`Prénom NOM`), the unreconciled ones included
    and flagged, so an admin sees who will be missing from the ENT course.
    """
    course = next((c for c in plan.courses if c.key == key), None)
    if course is None:
        return None

    def people(
        rows: tuple[PersonRow, ...], ids: frozenset[str], idents: frozenset[str]
    ) -> list[dict[str, Any]]:
        named = [
            {"name": f"{r.first_name} {r.last_name}".strip(), "sync_id": r.sync_id,
             "reconciled": r.sync_id in ids}
            for r in rows
            if (r.reconciled and r.sync_id in ids) or (not r.reconciled and r.ident in idents)
        ]
        return sorted(named, key=lambda p: (not p["reconciled"], p["name"]))

    upcoming = course.future_events(plan.reference_time)
    return {
        "key": course.key,
        "label": course.label,
        "subject": course.state.subject,
        "audience": {"kind": course.state.audience_kind.value, "name": course.state.audience_name},
        "teachers": people(plan.teachers, course.teachers, course.unreconciled_teachers),
        "students": people(plan.students, course.students, course.unreconciled_students),
        "rooms": sorted({room for event in course.events for room in event.rooms}),
        "future_events": len(upcoming),
        "first_events": [
            {"start": e.start.isoformat(), "end": e.end.isoformat(), "rooms": list(e.rooms)}
            for e in upcoming[:first_events]
        ],
    }
