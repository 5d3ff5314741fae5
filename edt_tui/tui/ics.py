"""A course's events as an iCalendar file (RFC 5545), written by hand — no runtime dependency.

"Imprimer les événements du calendrier" (seed §4.3) becomes an `.ics` any calendar opens. Times
are local to the establishment's time zone (`DTSTART;TZID=Europe/Paris`, or `Indian/Reunion`…),
described by a VTIMEZONE made from the zone database over the span of the events — the offset at
the first event and each change until the last — so any zone is exact without writing its
rules by hand; UIDs derive from the event key (course key + start), so exporting twice gives
the same UIDs and a calendar application updates events instead of duplicating them. Lines are
folded at 75 octets without splitting a UTF-8 character, and end with CRLF.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

PRODID = "-//edt-tui//Import EDT//FR"
STEP = timedelta(hours=1)
"""How finely the zone's offset changes are looked for (then narrowed to the minute)."""


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """What the file needs of an ENT event (the client's `Event` has these fields)."""

    key: str
    start: datetime
    end: datetime
    title: str
    rooms: Sequence[str]
    updated_at: datetime


def event_uid(key: str) -> str:
    """Stable across exports: a digest of the event key (course key + start)."""
    return f"{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@edt-tui"


def escape_text(value: str) -> str:
    """TEXT values (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into 75-octet pieces joined by CRLF + space (§3.1)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    pieces: list[str] = []
    current: list[str] = []
    size, limit = 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, 74  # continuation lines start with a space
        current.append(char)
        size += width
    pieces.append("".join(current))
    return "\r\n ".join(pieces)


def _local(value: datetime, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%Y%m%dT%H%M%S")


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _offset(value: timedelta) -> str:
    """`+0200`, `-0300`, `+0530` (RFC 5545 utc-offset)."""
    minutes = int(value.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _offset_at(moment: datetime, zone: ZoneInfo) -> timedelta:
    return moment.astimezone(zone).utcoffset() or timedelta(0)


def _change_after(start: datetime, zone: ZoneInfo) -> datetime:
    """The first minute after `start` (within `STEP`) whose offset differs from `start`'s."""
    low, high = 0, int(STEP.total_seconds()) // 60
    before = _offset_at(start, zone)
    while high - low > 1:
        middle = (low + high) // 2
        if _offset_at(start + timedelta(minutes=middle), zone) == before:
            low = middle
        else:
            high = middle
    return start + timedelta(minutes=high)


def _observance(zone: ZoneInfo, at: datetime, before: timedelta) -> list[str]:
    """The observance starting at UTC instant `at` (the offset was `before` until then)."""
    local = at.astimezone(zone)
    kind = "DAYLIGHT" if local.dst() else "STANDARD"
    return [
        f"BEGIN:{kind}",
        f"TZOFFSETFROM:{_offset(before)}",
        f"TZOFFSETTO:{_offset(local.utcoffset() or timedelta(0))}",
        f"TZNAME:{local.tzname()}",
        f"DTSTART:{(at + before).strftime('%Y%m%dT%H%M%S')}",  # local time, in the old offset
        f"END:{kind}",
    ]


def vtimezone(zone: ZoneInfo, first: datetime, last: datetime) -> list[str]:
    """The VTIMEZONE of `zone` from `first` to `last`: its offset at `first`, then one
    observance per change (summer time…) found in the zone database, hour by hour."""
    moment = first.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    offset = _offset_at(moment, zone)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{zone.key}", *_observance(zone, moment, offset)]
    while moment <= last:
        if _offset_at(moment + STEP, zone) != offset:
            change = _change_after(moment, zone)
            lines += _observance(zone, change, offset)
            offset = _offset_at(change, zone)
        moment += STEP
    return [*lines, "END:VTIMEZONE"]


def course_calendar(title: str, events: Iterable[CalendarEvent], zone: ZoneInfo) -> str:
    """The VCALENDAR text of one course (`title` names the calendar), its times local to
    `zone`, the establishment's time zone."""
    ordered = sorted(events, key=lambda e: (e.start, e.key))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{escape_text(title)}",
        f"X-WR-TIMEZONE:{zone.key}",
    ]
    if ordered:
        lines += vtimezone(zone, ordered[0].start, max(e.end for e in ordered))
    for event in ordered:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event_uid(event.key)}",
            f"DTSTAMP:{_utc(event.updated_at)}",
            f"DTSTART;TZID={zone.key}:{_local(event.start, zone)}",
            f"DTEND;TZID={zone.key}:{_local(event.end, zone)}",
            f"SUMMARY:{escape_text(event.title)}",
        ]
        if event.rooms:
            lines.append(f"LOCATION:{escape_text(', '.join(event.rooms))}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
