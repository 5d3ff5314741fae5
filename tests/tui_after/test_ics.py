"""The hand-written iCalendar writer, checked by parsing back with `icalendar`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from hypothesis import given
from hypothesis import strategies as st

from edt_tui.tui.ics import CalendarEvent, course_calendar, event_uid, fold

PARIS = ZoneInfo("Europe/Paris")
STAMP = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def event(start: datetime, title: str, rooms: tuple[str, ...] = ("201",)) -> CalendarEvent:
    key = f"0490856P:2026-2027:X:class:3A|{start.isoformat()}"
    return CalendarEvent(key, start, start.replace(hour=start.hour + 1), title, rooms, STAMP)


@given(st.text(min_size=0, max_size=300))
def test_fold_keeps_lines_within_75_octets_and_unfolds_back(text: str) -> None:
    line = "SUMMARY:" + text.replace("\r", "").replace("\n", "")
    folded = fold(line)
    pieces = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in pieces)
    assert pieces[0] + "".join(p[1:] for p in pieces[1:]) == line
    assert all(p.startswith(" ") for p in pieces[1:])


def test_calendar_parses_back_with_paris_times_across_dst_and_escaped_text() -> None:
    winter = datetime(2026, 12, 1, 8, 0, tzinfo=PARIS)
    summer = datetime(2027, 6, 1, 8, 0, tzinfo=PARIS)
    title = "LATIN, grec; « Langues et cultures de l'Antiquité » — groupe 3EF\\LATIN " * 2
    text = course_calendar(
        title, [event(summer, title, ("B12", "Salle, 2")), event(winter, title)], PARIS
    )
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    calendar = icalendar.Calendar.from_ical(text)
    vevents = list(calendar.walk("VEVENT"))
    assert [v["DTSTART"].dt for v in vevents] == [winter, summer]
    assert [v["DTSTART"].dt.utcoffset().total_seconds() for v in vevents] == [3600, 7200]
    assert all(str(v["SUMMARY"]) == title for v in vevents)
    assert str(vevents[1]["LOCATION"]) == "B12, Salle, 2"
    assert str(vevents[0]["UID"]) == event_uid(event(winter, title).key)


def test_uids_depend_on_the_event_key_only() -> None:
    start = datetime(2026, 12, 1, 8, 0, tzinfo=PARIS)
    a, b = event(start, "A"), event(start, "B renamed", ("999",))
    assert event_uid(a.key) == event_uid(b.key)
    assert event_uid(a.key) != event_uid(event(start.replace(hour=9), "A").key)


def test_the_time_zone_block_gives_the_zones_offsets_all_year_in_any_establishments_zone() -> None:
    """Paris (summer time), Saint-Pierre-et-Miquelon (North American summer time), La Réunion
    and Nouméa (none): the VTIMEZONE written, read back by `icalendar` as a tzinfo, gives the
    zone database's offset at every hour of the school year; times are local to the zone."""
    for name in ("Europe/Paris", "America/Miquelon", "Indian/Reunion", "Pacific/Noumea"):
        zone = ZoneInfo(name)
        first = datetime(2026, 9, 1, 8, 0, tzinfo=zone)
        last = datetime(2027, 7, 2, 16, 0, tzinfo=zone)
        text = course_calendar("Maths", [event(first, "Maths"), event(last, "Maths")], zone)
        calendar = icalendar.Calendar.from_ical(text)
        [block] = calendar.walk("VTIMEZONE")
        assert str(block["TZID"]) == name
        written = block.to_tz()
        moment = first.astimezone(UTC)
        while moment < last:
            assert moment.astimezone(written).utcoffset() == moment.astimezone(zone).utcoffset()
            moment += timedelta(hours=1)
        vevents = list(calendar.walk("VEVENT"))
        assert [v["DTSTART"].params["TZID"] for v in vevents] == [name, name]
        assert [v["DTSTART"].dt for v in vevents] == [first, last]
        assert f"DTSTART;TZID={name}:20260901T080000\r\n" in text


def test_a_calendar_without_events_has_no_time_zone_block() -> None:
    text = course_calendar("Vide", [], PARIS)
    assert "BEGIN:VTIMEZONE" not in text and text.endswith("END:VCALENDAR\r\n")
    assert icalendar.Calendar.from_ical(text).walk("VEVENT") == []
