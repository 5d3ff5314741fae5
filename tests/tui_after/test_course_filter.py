"""The verification filters: fewer than N participants, not visited for N days (never = idle)."""

from __future__ import annotations

from datetime import timedelta

from edt_tui.tui.course_list import course_filter

from .fakes import COURSES, CREATED


def test_participants_below_and_idle_days_combine() -> None:
    now = CREATED + timedelta(days=10)
    below = course_filter(COURSES, below=23, idle_days=None, now=now)
    assert [c.participants for c in below] == [20, 21, 22]
    # three courses were visited 8 days ago, the others never
    idle = course_filter(COURSES, below=None, idle_days=7, now=now)
    assert {c.key for c in idle} == {c.key for c in COURSES}
    recent = course_filter(COURSES, below=None, idle_days=9, now=now)
    assert all(c.last_visit_at is None for c in recent) and len(recent) == 6
    both = course_filter(COURSES, below=23, idle_days=9, now=now)
    assert [c.participants for c in both] == [21, 22]
