"""The course calendar's week grid, without an app: weeks and slots are those of the
establishment's time zone — Paris, or La Réunion's for an establishment there."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from rich.console import Console

from edt_tui.client.models import Event
from edt_tui.tui.calendar_grid import (
    events_in_week,
    first_week,
    ics_name,
    monday_of,
    week_grid,
    week_title,
)

NOW = datetime(2026, 9, 9, 10, 0, tzinfo=UTC)  # Wednesday
PARIS = ZoneInfo("Europe/Paris")
REUNION = ZoneInfo("Indian/Reunion")  # UTC+4 all year


def event(key: str, start: datetime, end: datetime, rooms: tuple[str, ...] = ()) -> Event:
    return Event(key=key, course_key="c1", start=start, end=end, title="Maths", rooms=rooms,
                 teachers=(), updated_at=start)


def rendered(events: list[Event], monday: date, zone: ZoneInfo = PARIS) -> str:
    console = Console(width=100, record=True, color_system=None)
    console.print(week_grid(events, monday, zone))
    return console.export_text()


def test_monday_of_any_day_of_the_week() -> None:
    assert monday_of(date(2026, 9, 7)) == date(2026, 9, 7)
    assert monday_of(date(2026, 9, 13)) == date(2026, 9, 7)


def test_first_week_is_the_next_event_then_the_last_then_this_week() -> None:
    past = event("a", datetime(2026, 9, 1, 8, tzinfo=UTC), datetime(2026, 9, 1, 9, tzinfo=UTC))
    later = event("b", datetime(2026, 10, 6, 8, tzinfo=UTC), datetime(2026, 10, 6, 9, tzinfo=UTC))
    assert first_week([past, later], NOW, PARIS) == date(2026, 10, 5)
    assert first_week([past], NOW, PARIS) == date(2026, 8, 31)
    assert first_week([], NOW, PARIS) == date(2026, 9, 7)


def test_the_week_is_a_paris_week() -> None:
    # Sunday 22:30 UTC is Monday 00:30 in Paris (summer time): in the week, in Monday's column
    late = event(
        "m", datetime(2026, 9, 6, 22, 30, tzinfo=UTC), datetime(2026, 9, 6, 23, 30, tzinfo=UTC)
    )
    assert events_in_week([late], date(2026, 9, 7), PARIS) == [late]
    assert events_in_week([late], date(2026, 8, 31), PARIS) == []
    text = rendered([late], date(2026, 9, 7))
    assert "00:30-01:30" in text
    assert "lun. 07/09" in text


def test_an_establishment_of_la_reunion_sees_its_own_weeks_and_slots() -> None:
    # Sunday 21:00 UTC: Sunday 23:00 in Paris (outside Mon–Fri), Monday 01:00 at La Réunion
    late = event(
        "r", datetime(2026, 9, 6, 21, 0, tzinfo=UTC), datetime(2026, 9, 6, 22, 0, tzinfo=UTC)
    )
    assert events_in_week([late], date(2026, 9, 7), REUNION) == [late]
    assert events_in_week([late], date(2026, 9, 7), PARIS) == []
    assert first_week([late], datetime(2026, 9, 1, tzinfo=UTC), REUNION) == date(2026, 9, 7)
    assert first_week([late], datetime(2026, 9, 1, tzinfo=UTC), PARIS) == date(2026, 8, 31)
    text = rendered([late], date(2026, 9, 7), REUNION)
    assert "01:00-02:00" in text and "23:00" not in text


def test_a_cell_lists_the_rooms_of_each_event_in_its_slot() -> None:
    start, end = datetime(2026, 9, 8, 6, tzinfo=UTC), datetime(2026, 9, 8, 7, tzinfo=UTC)
    text = rendered(
        [event("x", start, end, ("B12", "B13")), event("y", start, end)], date(2026, 9, 7)
    )
    assert "08:00-09:00" in text  # Paris time
    assert "■ B12, B13" in text
    assert "■ sans salle" in text


def test_week_title_says_the_week_and_the_counts() -> None:
    title = week_title("Maths 4A", date(2026, 9, 7), 3, 1200)
    assert title.plain == (
        "Maths 4A  ·  semaine du 07/09/2026 au 11/09/2026  ·  3 évènement(s) sur 1\u00a0200"
    )


def test_ics_name_keeps_letters_and_digits() -> None:
    assert ics_name("Maths 4A / groupe 2") == "Maths-4A-groupe-2.ics"
    assert ics_name("Éducation musicale") == "Éducation-musicale.ics"
    assert ics_name("///") == "cours.ics"
