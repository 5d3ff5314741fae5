"""Actions as compact JSON, so a job's plan survives the process that computed it.

A job stores its actions before applying any (`job_actions.payload_json`): resuming after a crash
replays exactly those, never a plan recomputed against a half-updated ENT.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from edt_tui.engine.model import (
    Action,
    ActionType,
    AudienceKind,
    CourseOrigin,
    CourseState,
    EventState,
    MembershipState,
    Role,
)

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
"""One encoder for all (`json.dumps` with options builds a new one per call)."""


def encode(action: Action) -> str:
    payload: dict[str, Any] = {}
    if action.course is not None:
        c = action.course
        payload["c"] = [
            c.key, c.label, c.subject, c.audience_kind.value, c.audience_name, c.school_year,
            c.origin.value,
        ]
    if action.membership is not None:
        m = action.membership
        payload["m"] = [m.course_key, m.user, m.role.value]
    if action.event is not None:
        e = action.event
        payload["e"] = [
            e.course_key, e.start.isoformat(), e.end.isoformat(), e.title, list(e.rooms),
            list(e.teachers),
        ]
    return _encode(payload)


_KINDS = {t.value: t for t in ActionType}
_AUDIENCES = {a.value: a for a in AudienceKind}
_ORIGINS = {o.value: o for o in CourseOrigin}
_ROLES = {r.value: r for r in Role}
"""Enum members by value: a dict lookup, where calling the enum costs microseconds per action."""


def decode(kind: str, key: str, payload: str) -> Action:
    data = json.loads(payload)
    course = membership = event = None
    if "c" in data:
        k, label, subject, audience_kind, audience_name, year, origin = data["c"]
        course = CourseState(
            k, label, subject, _AUDIENCES[audience_kind], audience_name, year, _ORIGINS[origin],
        )
    if "m" in data:
        course_key, user, role = data["m"]
        membership = MembershipState(course_key, user, _ROLES[role])
    if "e" in data:
        course_key, start, end, title, rooms, teachers = data["e"]
        event = EventState(
            course_key, datetime.fromisoformat(start), datetime.fromisoformat(end), title,
            tuple(rooms), tuple(teachers),
        )
    return Action(_KINDS[kind], key, course=course, membership=membership, event=event)
