"""One course's calendar as a week grid (Mon–Fri × time slots), and its `.ics` file name.

No Textual here (rich renders the grid): the calendar screen only keeps the week shown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from rich.table import Table
from rich.text import Text

from edt_tui.client.models import Event
from edt_tui.tui.ics import CalendarEvent
from edt_tui.tui.selection_model import french_int

WEEKDAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.")


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    """The day of `moment` in `zone`, the establishment's time zone (an event at 00:30 local
    time is on that day, not the previous one in UTC)."""
    return moment.astimezone(zone).date()


def first_week(events: Sequence[Event], now: datetime, zone: ZoneInfo) -> date:
    """The week of the first event from today on (else of the last one, else this week), in
    the days of `zone`."""
    today = local_day(now, zone)
    upcoming = [e.start for e in events if local_day(e.start, zone) >= today]
    if upcoming:
        return monday_of(local_day(min(upcoming), zone))
    if events:
        return monday_of(local_day(max(e.start for e in events), zone))
    return monday_of(today)


def events_in_week(events: Sequence[Event], monday: date, zone: ZoneInfo) -> list[Event]:
    """The events from `monday` to that week's Friday (days of `zone`)."""
    friday = monday + timedelta(days=4)
    return [e for e in events if monday <= local_day(e.start, zone) <= friday]


def week_title(label: str, monday: date, shown: int, total: int) -> Text:
    """`Maths 4A  ·  semaine du 07/09/2026 au 11/09/2026  ·  3 évènement(s) sur 120`."""
    friday = monday + timedelta(days=4)
    title = Text(label, style="bold")
    title.append(
        f"  ·  semaine du {monday:%d/%m/%Y} au {friday:%d/%m/%Y}  ·  "
        f"{shown} évènement(s) sur {french_int(total)}"
    )
    return title


def week_grid(events: Sequence[Event], monday: date, zone: ZoneInfo) -> Table:
    """Mon–Fri columns × the week's time slots, local to `zone` (the establishment's time
    zone); a cell shows the rooms of the event there."""
    days = [monday + timedelta(days=i) for i in range(5)]
    cells: dict[tuple[str, date], list[Event]] = {}
    for event in events:
        start = event.start.astimezone(zone)
        if start.date() in days:
            end = event.end.astimezone(zone)
            slot = f"{start:%H:%M}-{end:%H:%M}"
            cells.setdefault((slot, start.date()), []).append(event)
    table = Table(expand=True, show_lines=True, padding=(0, 1))
    table.add_column("Heure", no_wrap=True, width=11)
    for name, day in zip(WEEKDAYS, days, strict=True):
        table.add_column(f"{name} {day:%d/%m}", ratio=1)
    for slot in sorted({slot for slot, _ in cells}):
        row: list[Text] = [Text(slot, style="bold")]
        for day in days:
            found = cells.get((slot, day), [])
            row.append(
                Text(
                    "\n".join("■ " + (", ".join(e.rooms) or "sans salle") for e in found),
                    style="bold",
                )
            )
        table.add_row(*row)
    return table


def ics_name(label: str) -> str:
    """A file name from a course's title: `Maths-4A.ics` (`cours.ics` when nothing is left)."""
    slug = re.sub(r"[^\w]+", "-", label, flags=re.UNICODE).strip("-")
    return f"{slug or 'cours'}.ics"


def calendar_events(events: Sequence[Event]) -> list[CalendarEvent]:
    return [
        CalendarEvent(e.key, e.start, e.end, e.title, tuple(e.rooms), e.updated_at) for e in events
    ]
