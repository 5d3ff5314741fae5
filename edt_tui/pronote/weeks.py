"""Week masks → weeks → dates → timezone-aware local datetimes (format doc §4).

Bit i of a mask (bit 0 unused) means week i, which starts on `DatePremierJourSemaine1 + 7·(i−1)`.
Masks already exclude holidays: nothing is subtracted here except the session's cancelled weeks.
Times come from the slot labels of the time grid and are local to the establishment's zone.

Daylight-saving rule (deterministic, documented in the README): a local time that does not exist
(spring-forward gap) is moved forward by the gap (02:30 → 03:30); an ambiguous local time
(fall-back hour) is the first occurrence (summer time, `fold=0`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from edt_tui.pronote.model import SchoolYear, Session, TimeGrid

FIRST_WEEK = 1
LAST_WEEK = 53
"""Weeks a mask can address; bit 0 and bits past 53 are ignored."""
_WEEK_BITS = ((1 << (LAST_WEEK + 1)) - 1) & ~1


def parse_mask(text: str) -> int:
    """A `Semaines` attribute: decimal, surrounding spaces allowed; ValueError if invalid."""
    stripped = text.strip()
    if not stripped.isdigit() or not stripped.isascii():
        raise ValueError(f"week mask {text!r} is not a non-negative decimal integer")
    return int(stripped)


def usable_mask(mask: int) -> int:
    """The mask restricted to weeks 1..53."""
    return mask & _WEEK_BITS


def weeks_in(mask: int) -> tuple[int, ...]:
    """Week numbers (1..53, ascending) whose bit is set."""
    mask = usable_mask(mask)
    return tuple(week for week in range(FIRST_WEEK, LAST_WEEK + 1) if mask >> week & 1)


def week_monday(school_year: SchoolYear, week: int) -> date:
    """First day of week `week` (1-based)."""
    return school_year.week1_monday + timedelta(days=7 * (week - 1))


def occurrence_date(school_year: SchoolYear, week: int, day: int) -> date:
    """Date of weekday `day` (1 = Monday) in week `week`."""
    return school_year.week1_monday + timedelta(days=7 * (week - 1) + (day - 1))


def occurrence_dates(
    school_year: SchoolYear, day: int, mask: int, cancelled_mask: int = 0
) -> tuple[date, ...]:
    """Dates of a weekly session: weeks of `mask` not cancelled, inside the school year.

    Dates before `DateDebut` or after `DateFin` (bits beyond the year) are dropped.
    """
    if not 1 <= day <= 7:
        return ()
    dates = (
        occurrence_date(school_year, week, day)
        for week in weeks_in(mask & ~cancelled_mask)
    )
    return tuple(d for d in dates if school_year.start <= d <= school_year.end)


def local_datetime(day: date, at: time, zone: ZoneInfo) -> datetime:
    """An aware datetime for a wall-clock time, resolving DST gaps/overlaps as documented."""
    naive = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def slot_span(grid: TimeGrid | None, start_slot: int, slot_count: int) -> tuple[time, time] | None:
    """Start label of the first slot and end label of the last one; None if either is missing."""
    if grid is None or slot_count < 1:
        return None
    first = grid.slots.get(start_slot)
    last = grid.slots.get(start_slot + slot_count - 1)
    if first is None or last is None:
        return None
    return first.start, last.end


def session_mask(session: Session) -> int:
    """Weeks in which a session takes place: union of its items' masks minus cancelled weeks."""
    mask = 0
    for item in session.items:
        mask |= item.weeks
    return usable_mask(mask & ~session.cancelled_weeks)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One dated lesson of a weekly session."""

    week: int
    start: datetime
    end: datetime


def occurrences(
    school_year: SchoolYear,
    grid: TimeGrid | None,
    *,
    day: int,
    start_slot: int,
    slot_count: int,
    mask: int,
    zone: ZoneInfo,
    cancelled_mask: int = 0,
) -> tuple[Occurrence, ...] | None:
    """Every occurrence of a session pattern; None when its slot range is not in the grid."""
    span = slot_span(grid, start_slot, slot_count)
    if span is None:
        return None
    if not 1 <= day <= 7:
        return ()
    begin, finish = span
    result = []
    for week in weeks_in(mask & ~cancelled_mask):
        day_date = occurrence_date(school_year, week, day)
        if school_year.start <= day_date <= school_year.end:
            result.append(
                Occurrence(
                    week,
                    local_datetime(day_date, begin, zone),
                    local_datetime(day_date, finish, zone),
                )
            )
    return tuple(result)


def session_occurrences(
    session: Session, school_year: SchoolYear, grid: TimeGrid | None, zone: ZoneInfo
) -> tuple[Occurrence, ...] | None:
    """Occurrences of a whole session (all its items); None = slot range missing from the grid."""
    return occurrences(
        school_year,
        grid,
        day=session.day,
        start_slot=session.start_slot,
        slot_count=session.slot_count,
        mask=session_mask(session),
        zone=zone,
    )
