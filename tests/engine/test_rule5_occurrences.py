"""Import rules §5: occurrences and calendar events, including the DST switches."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from edt_tui.engine.courses import IgnoreReason
from edt_tui.engine.model import Profile

from .builders import PARIS, YEAR, TimetableBuilder, plan_for, user, weeks


def _base() -> TimetableBuilder:
    return (
        TimetableBuilder()
        .subject("1", "FRANCAIS", "FRANC")
        .school_class("c1", "3A")
        .teacher("t1", "DUPONT", "JEAN")
        .teacher("t2", "MARTIN", "PAUL")
        .room("r1", "101")
        .room("r2", "LABO")
    )


TEACHERS = [
    user("u1", Profile.TEACHER, "DUPONT", "JEAN"),
    user("u2", Profile.TEACHER, "MARTIN", "PAUL"),
]


def test_rule5_occurrence_date_is_week1_monday_plus_weeks_plus_day_with_grid_labels() -> None:
    plan = plan_for(
        _base().session("1", day=3, slot=1, count=2, classes=[("c1", weeks(2))]).build()
    )
    [event] = plan.courses[0].events
    assert event.start == datetime(2026, 9, 9, 9, 0, tzinfo=PARIS)
    assert event.end == datetime(2026, 9, 9, 10, 55, tzinfo=PARIS)
    assert event.title == "FRANCAIS - 3 A"


def test_rule5_cancelled_week_gives_no_event() -> None:
    tt = _base().session("1", classes=[("c1", weeks(14, 15, 16))], cancelled=weeks(15)).build()
    starts = [e.start.date() for e in plan_for(tt).courses[0].events]
    assert starts == [date(2026, 11, 30), date(2026, 12, 14)]


def test_rule5_dates_outside_the_school_year_are_dropped_and_bit0_is_unused() -> None:
    # Monday of week 1 (31 Aug) is before DateDebut; Monday of week 45 (5 Jul) after DateFin.
    tt = _base().session("1", day=1, classes=[("c1", weeks(0, 1, 2, 45))]).build()
    assert [e.start.date() for e in plan_for(tt).courses[0].events] == [date(2026, 9, 7)]
    tuesday = _base().session("1", day=2, classes=[("c1", weeks(1))]).build()
    assert [e.start.date() for e in plan_for(tuesday).courses[0].events] == [date(2026, 9, 1)]


def test_rule5_missing_slot_reported_once_course_and_memberships_stand() -> None:
    tt = _base().session("1", slot=9, count=3, classes=["c1"], teachers=["t1"]).build()
    plan = plan_for(tt, directory=TEACHERS)
    [course] = plan.courses
    assert course.events == () and course.teachers == frozenset({"u1"})
    assert [i.reason for i in plan.ignored_sessions] == [IgnoreReason.MISSING_SLOT]


def test_rule5_event_before_t_not_created() -> None:
    # T = Saturday 28 Nov 12:00; Jour 6 is outside JoursOuvres but kept.
    tt = _base().session("1", day=6, slot=2, classes=[("c1", weeks(13))])
    tt.session("1", day=6, slot=5, classes=[("c1", weeks(13))])
    plan = plan_for(tt.build())
    course = plan.courses[0]
    assert [e.start.time() for e in course.events] == [time(10), time(13)]
    assert [e.start.time() for e in course.future_events(plan.reference_time)] == [time(13)]
    created = [a.event.start.time() for a in plan.actions if a.event is not None]
    assert created == [time(13)]


def test_rule5_same_course_same_start_is_one_event_longest_end_union_of_rooms_teachers() -> None:
    tt = _base().session(
        "1", slot=1, count=1, classes=[("c1", weeks(14))], rooms=["r1"], teachers=["t1"]
    )
    tt.session("1", slot=1, count=2, classes=[("c1", weeks(14))], rooms=["r2"], teachers=["t2"])
    [event] = plan_for(tt.build(), directory=TEACHERS).courses[0].events
    assert event.end.time() == time(10, 55)
    assert event.rooms == ("101", "LABO") and event.teachers == ("u1", "u2")


def test_rule5_rooms_and_teachers_are_those_active_that_week() -> None:
    tt = _base().session(
        "1",
        classes=[("c1", weeks(14, 15))],
        rooms=[("r1", weeks(14)), ("r2", weeks(15))],
        teachers=[("t1", weeks(14)), ("t2", weeks(15))],
    )
    events = plan_for(tt.build(), directory=TEACHERS).courses[0].events
    assert [(e.rooms, e.teachers) for e in events] == [(("101",), ("u1",)), (("LABO",), ("u2",))]


def test_rule5_events_carry_only_reconciled_teachers() -> None:
    tt = _base().session("1", classes=[("c1", weeks(14))], teachers=["t1", "t2"]).build()
    [event] = plan_for(tt, directory=TEACHERS[:1]).courses[0].events
    assert event.teachers == ("u1",)


def test_rule5_dst_end_of_october_and_end_of_march_keep_wall_clock_times() -> None:
    # Week 8: Mon 19 Oct … Fri 23 Oct (CEST); week 9 starts Mon 26 Oct (CET, switch on 25 Oct).
    # Week 30: Fri 26 Mar 2027 (CET); week 31 starts Mon 29 Mar (CEST, switch on 28 Mar).
    tt = _base().session("1", day=5, classes=[("c1", weeks(8, 30))])
    tt.session("1", day=1, classes=[("c1", weeks(9, 31))])
    events = plan_for(tt.build(), at=datetime(2026, 9, 1, tzinfo=PARIS)).courses[0].events
    offsets = [(e.start.date().isoformat(), e.start.isoformat()[-6:]) for e in events]
    assert offsets == [
        ("2026-10-23", "+02:00"),
        ("2026-10-26", "+01:00"),
        ("2027-03-26", "+01:00"),
        ("2027-03-29", "+02:00"),
    ]
    assert all(e.start.time() == time(8) for e in events)


@settings(max_examples=60, deadline=None)
@given(
    mask=st.integers(min_value=0, max_value=(1 << 55) - 1),
    cancelled=st.integers(min_value=0, max_value=(1 << 55) - 1),
    day=st.integers(min_value=1, max_value=7),
    slot=st.integers(min_value=0, max_value=8),
    count=st.integers(min_value=1, max_value=2),
)
def test_rule5_property_occurrences_follow_the_mask_across_dst(
    mask: int, cancelled: int, day: int, slot: int, count: int
) -> None:
    tt = _base().session(
        "1", day=day, slot=slot, count=count, classes=[("c1", mask)], cancelled=cancelled
    )
    plan = plan_for(tt.build(), at=datetime(2026, 1, 1, tzinfo=PARIS))
    events = plan.courses[0].events
    expected = []
    for week in range(1, 54):
        if mask >> week & 1 and not cancelled >> week & 1:
            day_date = YEAR.week1_monday + timedelta(days=7 * (week - 1) + day - 1)
            if YEAR.start <= day_date <= YEAR.end:
                expected.append(day_date)
    assert [e.start.date() for e in events] == expected
    for event in events:
        assert event.start.time() == time(8 + slot)
        assert event.end.time() == time(8 + slot + count - 1, 55)
        # Real elapsed time is the wall-clock length: no lesson spans a DST switch.
        elapsed = event.end.astimezone(UTC) - event.start.astimezone(UTC)
        assert elapsed == timedelta(minutes=55 + 60 * (count - 1))
        summer = date(2027, 3, 28) <= event.start.date() or event.start.date() < date(2026, 10, 25)
        assert event.start.utcoffset() == timedelta(hours=2 if summer else 1)
