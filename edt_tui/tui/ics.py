"""A course's events as an iCalendar file (RFC 5545), written by hand — no runtime dependency.

"Imprimer les événements du calendrier" (seed §4.3) becomes an `.ics` any calendar opens. Times
are local to Europe/Paris (a VTIMEZONE with its DST rules, `DTSTART;TZID=Europe/Paris`); UIDs
derive from the event key (course key + start), so exporting twice gives the same UIDs and a
calendar application updates events instead of duplicating them. Lines are folded at 75 octets
without splitting a UTF-8 character, and end with CRLF.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

TZID = "Europe/Paris"
PRODID = "-//edt-tui//Import EDT//FR"

VTIMEZONE: tuple[str, ...] = (
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)


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


def course_calendar(title: str, events: Iterable[CalendarEvent]) -> str:
    """The VCALENDAR text of one course (`title` names the calendar)."""
    zone = ZoneInfo(TZID)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{escape_text(title)}",
        f"X-WR-TIMEZONE:{TZID}",
        *VTIMEZONE,
    ]
    for event in sorted(events, key=lambda e: (e.start, e.key)):
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event_uid(event.key)}",
            f"DTSTAMP:{_utc(event.updated_at)}",
            f"DTSTART;TZID={TZID}:{_local(event.start, zone)}",
            f"DTEND;TZID={TZID}:{_local(event.end, zone)}",
            f"SUMMARY:{escape_text(event.title)}",
        ]
        if event.rooms:
            lines.append(f"LOCATION:{escape_text(', '.join(event.rooms))}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
