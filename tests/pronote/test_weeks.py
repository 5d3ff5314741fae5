"""Week masks → dates → aware local datetimes, including both DST switches of a school year."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edt_tui.pronote.model import ItemKind, SchoolYear, Session, SessionItem, Slot, TimeGrid
from edt_tui.pronote.weeks import (
    local_datetime,
    occurrence_date,
    occurrence_dates,
    occurrences,
    parse_mask,
    session_mask,
    session_occurrences,
    slot_span,
    weeks_in,
)

PARIS = ZoneInfo("Europe/Paris")
YEAR = SchoolYear(date(2026, 9, 1), date(2027, 7, 3), date(2026, 8, 31))
GRID = TimeGrid(
    slots_per_day=3,
    slot_minutes=60,
    working_days=(1, 2, 3, 4, 5),
    slots={
        0: Slot(0, time(8, 0), time(8, 55)),
        1: Slot(1, time(9, 0), time(9, 55)),
        2: Slot(2, time(10, 10), time(11, 5)),
    },
)


def _mask(*weeks: int) -> int:
    return sum(1 << week for week in weeks)


def test_format_doc_example() -> None:
    expected = [*range(1, 8), *range(10, 17), *range(19, 26), *range(28, 34), *range(36, 45)]
    assert list(weeks_in(35132630760702)) == expected


def test_mask_zero_bit0_and_bits_beyond_53() -> None:
    assert weeks_in(0) == ()
    assert weeks_in(1) == ()
    assert weeks_in(_mask(3) | 1 << 54 | 1 << 60) == (3,)
    assert weeks_in(_mask(53)) == (53,)


@pytest.mark.parametrize("text", ["  12 ", "12", "\t12\n"])
def test_mask_with_surrounding_spaces(text: str) -> None:
    assert parse_mask(text) == 12


@pytest.mark.parametrize("text", ["", "-4", "1e3", "0x10", "12 3", "١٢"])
def test_invalid_mask_is_reported(text: str) -> None:
    with pytest.raises(ValueError, match="week mask"):
        parse_mask(text)


def test_week_and_day_to_date() -> None:
    assert occurrence_date(YEAR, 1, 1) == date(2026, 8, 31)
    assert occurrence_date(YEAR, 1, 2) == date(2026, 9, 1)
    assert occurrence_date(YEAR, 10, 5) == date(2026, 8, 31) + timedelta(days=63 + 4)


def test_occurrence_dates_clip_to_the_year_and_drop_cancelled_weeks() -> None:
    # Monday of week 1 (31 Aug) is before DateDebut; week 53 is after DateFin.
    dates = occurrence_dates(YEAR, 1, _mask(1, 2, 3, 53), cancelled_mask=_mask(3))
    assert dates == (date(2026, 9, 7),)
    assert occurrence_dates(YEAR, 8, _mask(2)) == ()


def test_slot_span_uses_labels_and_reports_missing_slots() -> None:
    assert slot_span(GRID, 0, 3) == (time(8, 0), time(11, 5))
    assert slot_span(GRID, 1, 3) is None  # past the last Place
    assert slot_span(GRID, 0, 0) is None
    assert slot_span(None, 0, 1) is None
    assert occurrences(YEAR, GRID, day=1, start_slot=2, slot_count=2, mask=6, zone=PARIS) is None


def test_occurrences_across_autumn_and_spring_switches() -> None:
    # 2026-10-25 and 2027-03-28 are the DST Sundays; weeks 8/9 and 30/31 straddle them.
    found = occurrences(
        YEAR, GRID, day=1, start_slot=0, slot_count=2, mask=_mask(8, 9, 30, 31), zone=PARIS
    )
    assert found is not None
    assert [o.start.date() for o in found] == [
        date(2026, 10, 19), date(2026, 10, 26), date(2027, 3, 22), date(2027, 3, 29),
    ]  # fmt: skip
    assert [o.start.utcoffset() for o in found] == [
        timedelta(hours=2), timedelta(hours=1), timedelta(hours=1), timedelta(hours=2),
    ]  # fmt: skip
    assert all(o.start.time() == time(8, 0) and o.end.time() == time(9, 55) for o in found)


def test_nonexistent_time_moves_forward_ambiguous_time_takes_first() -> None:
    gap = local_datetime(date(2027, 3, 28), time(2, 30), PARIS)
    assert (gap.hour, gap.minute, gap.utcoffset()) == (3, 30, timedelta(hours=2))
    overlap = local_datetime(date(2026, 10, 25), time(2, 30), PARIS)
    assert (overlap.hour, overlap.utcoffset()) == (2, timedelta(hours=2))
    assert overlap.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_session_mask_is_union_minus_cancelled() -> None:
    items = (
        SessionItem(ItemKind.TEACHER, "1", _mask(2, 3)),
        SessionItem(ItemKind.ROOM, "1", _mask(4)),
    )
    session = Session(1, 3, 2, 0, 1, "1", items, cancelled_weeks=_mask(3))
    assert session_mask(session) == _mask(2, 4)
    found = session_occurrences(session, YEAR, GRID, PARIS)
    assert found is not None and [o.week for o in found] == [2, 4]
    assert Session(2, None, 2, 0, 1, "1").items == ()
    assert session_occurrences(Session(2, None, 2, 0, 1, "1"), YEAR, GRID, PARIS) == ()


@given(
    day=st.dates(min_value=date(2026, 9, 1), max_value=date(2027, 7, 3)),
    at=st.times(),
)
def test_local_datetime_keeps_wall_clock_except_in_the_gap(day: date, at: time) -> None:
    result = local_datetime(day, at, PARIS)
    assert result.tzinfo is not None
    assert result.utcoffset() in (timedelta(hours=1), timedelta(hours=2))
    round_trip = result.astimezone(UTC).astimezone(PARIS)
    assert round_trip.replace(tzinfo=None) == result.replace(tzinfo=None)
    naive = datetime.combine(day, at)
    if result.replace(tzinfo=None) != naive:
        # Only the spring-forward hour moves, and by exactly one hour.
        assert (day, at.hour) == (date(2027, 3, 28), 2)
        assert result.replace(tzinfo=None) - naive == timedelta(hours=1)


@given(
    weeks=st.sets(st.integers(min_value=0, max_value=60), max_size=20),
    cancelled=st.sets(st.integers(min_value=0, max_value=60), max_size=5),
    day=st.integers(min_value=1, max_value=5),
    start_slot=st.integers(min_value=0, max_value=2),
)
def test_occurrences_are_the_mask_weeks_at_local_slot_times(
    weeks: set[int], cancelled: set[int], day: int, start_slot: int
) -> None:
    mask, cancel = sum(1 << w for w in weeks), sum(1 << w for w in cancelled)
    found = occurrences(
        YEAR, GRID, day=day, start_slot=start_slot, slot_count=1, mask=mask, zone=PARIS,
        cancelled_mask=cancel,
    )  # fmt: skip
    assert found is not None
    expected_weeks = sorted(
        w
        for w in weeks - cancelled
        if 1 <= w <= 53 and YEAR.start <= occurrence_date(YEAR, w, day) <= YEAR.end
    )
    assert [o.week for o in found] == expected_weeks
    for occ in found:
        assert occ.start.date() == occurrence_date(YEAR, occ.week, day)
        assert occ.start.time() == GRID.slots[start_slot].start
        assert occ.end.time() == GRID.slots[start_slot].end
        assert occ.end > occ.start
        summer = occ.start.date() < date(2026, 10, 25) or occ.start.date() >= date(2027, 3, 28)
        assert occ.start.utcoffset() == timedelta(hours=2 if summer else 1)
