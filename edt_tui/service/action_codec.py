"""Actions as compact JSON, so a job's plan survives the process that computed it.

A job stores its actions before applying any (`job_actions.payload_json`): resuming after a crash
replays exactly those, never a plan recomputed against a half-updated ENT.

What the action's key already says is not repeated (a first import stores ~130,000 actions):
a membership whose key is `course|role|user` is `{"m":0}`; an event whose key is `course|start`
is `{"e":[end, title, rooms, teachers]}` with `end` as minutes after the start when that gives
the same time. Payloads written before that (`"m":[course, user, role]`, `"e"` of six values)
decode as they always did.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
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
        if _membership_of(action.key) == m:
            payload["m"] = 0
        else:
            payload["m"] = [m.course_key, m.user, m.role.value]
    if action.event is not None:
        e = action.event
        if _event_start(action.key) == (e.course_key, e.start.isoformat()):
            payload["e"] = [_end(e.start, e.end), e.title, list(e.rooms), list(e.teachers)]
        else:
            payload["e"] = [
                e.course_key, e.start.isoformat(), e.end.isoformat(), e.title, list(e.rooms),
                list(e.teachers),
            ]
    return _encode(payload)


def _membership_of(key: str) -> MembershipState | None:
    """The membership a key `course|role|user` names (None for another key)."""
    course_key, _, rest = key.partition("|")
    role, _, user = rest.partition("|")
    if role not in _ROLES or not user:
        return None
    return MembershipState(course_key, user, _ROLES[role])


def _event_start(key: str) -> tuple[str, str] | None:
    """(course key, start) of an event key `course|start` (None for another key)."""
    course_key, bar, start = key.partition("|")
    return (course_key, start) if bar and "|" not in start else None


def _end(start: datetime, end: datetime) -> int | str:
    """Minutes after the start when they give back the same end (offset included), counted as
    `decode` counts them: from the start as stored, a fixed offset (never a zone's wall time)."""
    stored = datetime.fromisoformat(start.isoformat())
    minutes, rest = divmod(end - stored, timedelta(minutes=1))
    if not rest and (stored + timedelta(minutes=minutes)).isoformat() == end.isoformat():
        return int(minutes)
    return end.isoformat()


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
        if data["m"] == 0:
            membership = _membership_of(key)
            if membership is None:
                raise ValueError(f"{kind} {key}: the key names no membership")
        else:
            course_key, user, role = data["m"]
            membership = MembershipState(course_key, user, _ROLES[role])
    if "e" in data:
        if len(data["e"]) == 4:
            named = _event_start(key)
            if named is None:
                raise ValueError(f"{kind} {key}: the key names no event")
            course_key, start_text = named
            end_value, title, rooms, teachers = data["e"]
        else:
            course_key, start_text, end_value, title, rooms, teachers = data["e"]
        start = datetime.fromisoformat(start_text)
        end = (
            start + timedelta(minutes=end_value) if isinstance(end_value, int)
            else datetime.fromisoformat(end_value)
        )
        event = EventState(course_key, start, end, title, tuple(rooms), tuple(teachers))
    return Action(_KINDS[kind], key, course=course, membership=membership, event=event)
