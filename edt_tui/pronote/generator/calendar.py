"""The French school year: term dates, zone B holidays, public holidays → PRONOTE week masks.

PRONOTE masks already leave out holidays and public holidays falling on the session's weekday
(format doc §4), so the generator must do the same. Holidays of the years we know are taken from
the official zone B calendar (Nantes academy, UAI 049…); other years follow the usual pattern
(two weeks around All Saints' and Christmas, winter and spring breaks six weeks apart).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from edt_tui.pronote.model import SchoolYear

Break = tuple[date, date]
"""A school break: first day without school (the Saturday) and the day classes resume."""

_ZONE_B: dict[int, tuple[date, tuple[Break, ...], date]] = {
    # school year start: (rentrée, breaks, first day of the summer holidays)
    2024: (
        date(2024, 9, 2),
        (
            (date(2024, 10, 19), date(2024, 11, 4)),
            (date(2024, 12, 21), date(2025, 1, 6)),
            (date(2025, 2, 8), date(2025, 2, 24)),
            (date(2025, 4, 5), date(2025, 4, 22)),
        ),
        date(2025, 7, 5),
    ),
    2025: (
        date(2025, 9, 1),
        (
            (date(2025, 10, 18), date(2025, 11, 3)),
            (date(2025, 12, 20), date(2026, 1, 5)),
            (date(2026, 2, 14), date(2026, 3, 2)),
            (date(2026, 4, 11), date(2026, 4, 27)),
        ),
        date(2026, 7, 4),
    ),
    2026: (
        date(2026, 9, 1),
        (
            (date(2026, 10, 17), date(2026, 11, 2)),
            (date(2026, 12, 19), date(2027, 1, 4)),
            (date(2027, 2, 20), date(2027, 3, 8)),
            (date(2027, 4, 17), date(2027, 5, 3)),
        ),
        date(2027, 7, 3),
    ),
}


def easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _next_weekday(day: date, weekday: int) -> date:
    """The first date on or after `day` falling on `weekday` (0 = Monday)."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _pattern_year(year: int) -> tuple[date, tuple[Break, ...], date]:
    """Rentrée, breaks and summer start for a year without an official table."""
    sept1 = date(year, 9, 1)
    rentree = sept1 if sept1.weekday() <= 3 else _next_weekday(sept1, 0)
    toussaint_back = _next_weekday(date(year, 11, 2), 0)
    noel_back = _next_weekday(date(year + 1, 1, 2), 0)
    winter_start = noel_back + timedelta(days=40)
    winter_back = winter_start + timedelta(days=16)
    spring_start = winter_back + timedelta(days=40)
    spring_back = spring_start + timedelta(days=16)
    breaks = (
        (toussaint_back - timedelta(days=16), toussaint_back),
        (noel_back - timedelta(days=16), noel_back),
        (winter_start, winter_back),
        (spring_start, spring_back),
    )
    return rentree, breaks, _next_weekday(date(year + 1, 7, 1), 5)


def public_holidays(year: int) -> frozenset[date]:
    """Public holidays inside the school year starting in `year`, plus the Ascension bridge."""
    spring = year + 1
    sunday = easter(spring)
    ascension = sunday + timedelta(days=39)
    return frozenset(
        {
            date(year, 11, 1),
            date(year, 11, 11),
            date(year, 12, 25),
            date(spring, 1, 1),
            sunday + timedelta(days=1),  # lundi de Pâques
            date(spring, 5, 1),
            date(spring, 5, 8),
            ascension,
            ascension + timedelta(days=1),  # pont de l'Ascension
            sunday + timedelta(days=50),  # lundi de Pentecôte
        }
    )


@dataclass(frozen=True, slots=True)
class SchoolCalendar:
    """One school year's dates and which days have lessons."""

    year: SchoolYear
    breaks: tuple[Break, ...]
    holidays: frozenset[date]

    @property
    def last_week(self) -> int:
        return (self.year.end - self.year.week1_monday).days // 7 + 1

    def week_of(self, day: date) -> int:
        return (day - self.year.week1_monday).days // 7 + 1

    def monday_of(self, week: int) -> date:
        return self.year.week1_monday + timedelta(days=7 * (week - 1))

    def is_school_day(self, day: date) -> bool:
        if not self.year.start <= day <= self.year.end or day.weekday() >= 5:
            return False
        if day in self.holidays:
            return False
        return not any(first <= day < back for first, back in self.breaks)

    def day_mask(self, weekday: int) -> int:
        """Mask of the weeks where weekday `weekday` (1 = Monday) has lessons."""
        mask = 0
        for week in range(1, self.last_week + 1):
            if self.is_school_day(self.monday_of(week) + timedelta(days=weekday - 1)):
                mask |= 1 << week
        return mask

    def weeks_between(self, first: date, last: date) -> int:
        """Mask of the weeks that overlap [first, last]."""
        mask = 0
        for week in range(max(1, self.week_of(first)), min(self.last_week, self.week_of(last)) + 1):
            mask |= 1 << week
        return mask


def school_calendar(year: int) -> SchoolCalendar:
    """The zone B calendar of the school year that starts in September of `year`."""
    rentree, breaks, summer = _ZONE_B.get(year) or _pattern_year(year)
    end = summer
    week1_monday = rentree - timedelta(days=rentree.weekday())
    return SchoolCalendar(
        year=SchoolYear(start=rentree, end=end, week1_monday=week1_monday),
        breaks=breaks,
        holidays=public_holidays(year),
    )


def school_year_in_progress(today: date) -> int:
    """The starting year of the school year `today` belongs to (August counts as the next one)."""
    return today.year if today.month >= 8 else today.year - 1
