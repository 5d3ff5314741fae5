"""Week masks → dated occurrences (format spec §4, import-rules §5).

Written in the engine (the reader's `pronote/weeks.py` had not landed when this was built). Week
masks are handled as integers: the weeks of a session are `mask & ~cancelled & in_year(day)`, so
each session's weeks are computed once with three bit operations.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from edt_tui.pronote.model import SchoolYear, TimeGrid

FIRST_WEEK = 1
LAST_WEEK = 53
ALL_WEEKS = ((1 << (LAST_WEEK + 1)) - 1) & ~1
"""Bits 1..53: bit 0 is unused and bits beyond week 53 are ignored (rules §5)."""


def weeks_of(mask: int) -> Iterator[int]:
    """The week numbers whose bit is set in `mask`, ascending."""
    mask &= ALL_WEEKS
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def occurrence_date(year: SchoolYear, week: int, day: int) -> date:
    """Week-1 Monday + 7(week−1) + (day−1) days."""
    return year.week1_monday + timedelta(days=7 * (week - 1) + (day - 1))


@dataclass(slots=True)
class Calendar:
    """One establishment's school year, time grid and zone, with the per-export caches."""

    year: SchoolYear
    grid: TimeGrid | None
    zone: ZoneInfo
    _in_year: dict[int, int] = field(default_factory=dict)
    _moments: dict[tuple[date, time], datetime] = field(default_factory=dict)

    def in_year_mask(self, day: int) -> int:
        """Weeks whose date for weekday `day` falls within [DateDebut, DateFin]."""
        mask = self._in_year.get(day)
        if mask is None:
            mask = 0
            for week in range(FIRST_WEEK, LAST_WEEK + 1):
                if self.year.start <= occurrence_date(self.year, week, day) <= self.year.end:
                    mask |= 1 << week
            self._in_year[day] = mask
        return mask

    def session_weeks(self, mask: int, cancelled: int, day: int) -> int:
        """The occurrence weeks of an item with `mask` on a session: set, not cancelled, in year."""
        return mask & ~cancelled & self.in_year_mask(day) & ALL_WEEKS

    def slot_times(self, start_slot: int, slot_count: int) -> tuple[time, time] | None:
        """Start label of the first slot, end label of the last; None if either is missing."""
        if self.grid is None or slot_count < 1:
            return None
        first = self.grid.slots.get(start_slot)
        last = self.grid.slots.get(start_slot + slot_count - 1)
        if first is None or last is None:
            return None
        return first.start, last.end

    def moment(self, day: date, at: time) -> datetime:
        """Aware local datetime, cached: many sessions share the same (date, slot)."""
        key = (day, at)
        value = self._moments.get(key)
        if value is None:
            value = datetime.combine(day, at, tzinfo=self.zone)
            self._moments[key] = value
        return value
