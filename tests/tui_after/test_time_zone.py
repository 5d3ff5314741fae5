"""An establishment of a French overseas académie reads its own local times on every screen:
the REAL imported demo, its establishment moved to America/Cayenne (UTC−3, no summer time)
before the TUI starts. Expected times are computed here with `zoneinfo`, apart from the app."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
from rich.console import Console
from textual.widgets import Static

from edt_tui.tui.app import EdtTuiApp
from edt_tui.tui.backend import ExportCheck
from edt_tui.tui.screens.calendar import CalendarScreen
from edt_tui.tui.screens.history import HistoryScreen, HistoryTable
from edt_tui.tui.screens.recap import RecapScreen
from edt_tui.tui.screens.summary import SummaryScreen

from .conftest import UAI, embedded
from .helpers import client, open_screen, settle
from .test_last_import import choose_the_establishment

CAYENNE = "America/Cayenne"
FROZEN = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def local(moment: str | datetime, zone: str) -> str:
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value.astimezone(ZoneInfo(zone)).strftime("%d/%m/%Y %H:%M")


def text_of(app: EdtTuiApp, selector: str) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(app.screen.query_one(selector, Static).content)
    return console.export_text()


async def test_wizard_history_recap_and_calendar_show_the_establishments_local_times(
    demo_home: Callable[[str], Path], make_app: Callable[[Path], EdtTuiApp], tmp_path: Path
) -> None:
    home = demo_home("imported")
    async with embedded(home) as ent:
        await ent.update_settings(UAI, timezone=CAYENNE)
    app = make_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        session = await choose_the_establishment(app, pilot)
        assert session.timezone == CAYENNE  # recorded at creation, for `session list`
        assert app.wizard.store.get(session.id).timezone == CAYENNE
        ent = await client(app)
        [job] = (await ent.history(UAI)).items
        assert local(job.created_at, CAYENNE) != local(job.created_at, "Europe/Paris")

        export = (await ent.list_exports(UAI)).items[0]
        app.wizard.set_export(ExportCheck(
            file_name=export.file_name, uai=UAI, import_id=export.import_id, encrypted=True,
            key_present=True, sha256=export.sha256, school_year=export.school_year,
        ))
        app.go("summary")  # the file step's tree worker is cancelled: no `settle` here
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        finished_at = job.finished_at
        assert finished_at is not None
        assert f"de l'import du {local(finished_at, CAYENNE)}" in text_of(app, "#origin")

        history = HistoryScreen()
        app.push_screen(history)
        while not history.polls:
            await pilot.pause(0.05)
        cell = history.query_one(HistoryTable).get_cell(job.id, "date")
        assert str(cell) == local(job.created_at, CAYENNE)

        recap = RecapScreen(job.id)
        await open_screen(app, pilot, recap)
        assert f"Date d'import : {local(job.created_at, CAYENNE)}" in text_of(app, "#recap-head")

        courses = [c async for c in ent.iterate(ent.list_courses, UAI, origin="integration")]
        course = max(courses, key=lambda c: c.participants)
        calendar = CalendarScreen(course, clock=lambda: FROZEN)
        await open_screen(app, pilot, calendar)
        zone = ZoneInfo(CAYENNE)
        events = [e async for e in ent.iterate(ent.list_events, UAI, course.key)]
        today = FROZEN.astimezone(zone).date()
        first = min(e.start.astimezone(zone) for e in events if e.start.astimezone(zone).date()
                    >= today)
        monday = first.date() - timedelta(days=first.weekday())
        assert calendar.monday == monday
        slots = {
            f"{e.start.astimezone(zone):%H:%M}-{e.end.astimezone(zone):%H:%M}"
            for e in events
            if monday <= e.start.astimezone(zone).date() <= monday + timedelta(days=4)
        }
        grid = text_of(app, "#calendar-grid")
        assert set(re.findall(r"\d\d:\d\d-\d\d:\d\d", grid)) == slots

        # Its `.ics` says the same local times, in the establishment's zone.
        await pilot.press("i")
        await pilot.pause()
        target = tmp_path / "cours.ics"
        await pilot.press("ctrl+u", *str(target), "enter")
        await settle(app, pilot)
        calendar_file = icalendar.Calendar.from_ical(target.read_bytes())
        assert [str(t["TZID"]) for t in calendar_file.walk("VTIMEZONE")] == [CAYENNE]
        starts = [v["DTSTART"] for v in calendar_file.walk("VEVENT")]
        assert {s.params["TZID"] for s in starts} == {CAYENNE}
        assert sorted(s.dt for s in starts) == sorted(e.start for e in events)
        assert f"DTSTART;TZID={CAYENNE}:{first:%Y%m%dT%H%M%S}" in target.read_text("utf-8")
