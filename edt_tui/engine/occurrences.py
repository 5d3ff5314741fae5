"""Week masks → dated occurrences for the engine (format spec §4, import-rules §5).

The arithmetic itself lives in `edt_tui.pronote.weeks` (shared with the reader); this adds the
caches the engine needs for speed: a session's weeks are `mask & ~cancelled & in_year(day)` (three
bit operations, the in-year mask computed once per weekday), and (date, time) → aware datetime is
computed once per export.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from edt_tui.pronote.model import SchoolYear, TimeGrid
from edt_tui.pronote.weeks import (
    FIRST_WEEK,
    LAST_WEEK,
    local_datetime,
    occurrence_date,
    slot_span,
    usable_mask,
)

__all__ = ["Calendar", "Span", "occurrence_date", "weeks_of"]

Span = tuple[datetime, datetime, str]
"""start, end, start.isoformat() (formatted once: it is part of every event key)."""


@lru_cache(maxsize=4096)
def weeks_of(mask: int) -> tuple[int, ...]:
    """The week numbers (1..53) whose bit is set in `mask`, ascending (cached: masks repeat)."""
    mask = usable_mask(mask)
    weeks = []
    while mask:
        low = mask & -mask
        weeks.append(low.bit_length() - 1)
        mask ^= low
    return tuple(weeks)


@dataclass(slots=True)
class Calendar:
    """One establishment's school year, time grid and zone, with the per-export caches."""

    year: SchoolYear
    grid: TimeGrid | None
    zone: ZoneInfo
    _in_year: dict[int, int] = field(default_factory=dict)
    _moments: dict[tuple[date, time], datetime] = field(default_factory=dict)
    _spans: dict[tuple[int, time, time], dict[int, Span]] = field(default_factory=dict)

    def in_year_mask(self, day: int) -> int:
        """Weeks whose date for weekday `day` is in [DateDebut, DateFin] (0 if no weekday)."""
        mask = self._in_year.get(day)
        if mask is None:
            mask = 0
            if 1 <= day <= 7:
                for week in range(FIRST_WEEK, LAST_WEEK + 1):
                    if self.year.start <= occurrence_date(self.year, week, day) <= self.year.end:
                        mask |= 1 << week
            self._in_year[day] = mask
        return mask

    def session_weeks(self, mask: int, cancelled: int, day: int) -> int:
        """The occurrence weeks of an item with `mask` on a session: set, not cancelled, in year."""
        return usable_mask(mask & ~cancelled & self.in_year_mask(day))

    def slot_times(self, start_slot: int, slot_count: int) -> tuple[time, time] | None:
        """Start label of the first slot, end label of the last; None if either is missing."""
        return slot_span(self.grid, start_slot, slot_count)

    def moment(self, day: date, at: time) -> datetime:
        """Aware local datetime, cached: many sessions share the same (date, slot)."""
        key = (day, at)
        value = self._moments.get(key)
        if value is None:
            value = local_datetime(day, at, self.zone)
            self._moments[key] = value
        return value

    def spans(self, day: int, start: time, end: time) -> dict[int, Span]:
        """Week → (start, end, ISO start) of a lesson on weekday `day`, every in-year week (cached).

        Sessions sharing a weekday and slot range (hundreds of them) share this table.
        """
        key = (day, start, end)
        table = self._spans.get(key)
        if table is None:
            table = {}
            for week in weeks_of(self.in_year_mask(day)):
                on = occurrence_date(self.year, week, day)
                begin = self.moment(on, start)
                table[week] = (begin, self.moment(on, end), begin.isoformat())
            self._spans[key] = table
        return table
