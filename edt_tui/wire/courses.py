"""The ENT objects imports own (§4.3 verification): courses, memberships, events, hierarchy."""

from __future__ import annotations

from datetime import datetime

from edt_tui.wire.base import Wire


class Course(Wire):
    key: str
    uai: str
    school_year: str
    label: str
    subject: str
    audience_kind: str
    audience_name: str
    origin: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    last_visit_at: datetime | None
    participants: int


class Membership(Wire):
    key: str
    course_key: str
    user: str
    role: str
    created_at: datetime


class Event(Wire):
    key: str
    course_key: str
    start: datetime
    end: datetime
    title: str
    rooms: tuple[str, ...]
    teachers: tuple[str, ...]
    updated_at: datetime


class HierarchyNode(Wire):
    key: str
    uai: str
    school_year: str
    title: str
    parent_key: str | None
    course_key: str | None
