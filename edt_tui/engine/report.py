"""The `plan --json` document of the CLI contract, exactly its fields."""

from __future__ import annotations

from typing import Any

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


def _people(rows: tuple[PersonRow, ...]) -> dict[str, Any]:
    unreconciled = sorted(
        (r for r in rows if not r.reconciled), key=lambda r: (r.last_name, r.first_name, r.ident)
    )
    return {
        "reconciled": sum(1 for r in rows if r.reconciled),
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
            {"reason": i.reason.value, "subject": i.subject, "detail": i.detail}
            for i in plan.ignored_sessions
        ],
        "people": {"teachers": _people(plan.teachers), "students": _people(plan.students)},
        "actions": {t.value: counts[t] for t in CONTRACT_ACTIONS},
    }
