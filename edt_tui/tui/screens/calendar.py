"""A course's calendar (seed §4.3): its events week by week, printable as an `.ics` file."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from edt_tui.client.models import Course, Event
from edt_tui.tui.calendar_grid import (
    calendar_events,
    events_in_week,
    first_week,
    ics_name,
    local_day,
    monday_of,
    week_grid,
    week_title,
)
from edt_tui.tui.formatting import resolve_path
from edt_tui.tui.ics import course_calendar
from edt_tui.tui.screens.after_base import AfterLaunchScreen, write_export
from edt_tui.tui.screens.prompt import PromptModal
from edt_tui.tui.selection_model import french_int


class ExportIcsMixin:
    """`i` (« Imprimer les événements du calendrier »): the course's events to an `.ics` file."""

    last_ics: Path | None = None
    """The last file written (shown in the notification, read by tests)."""

    def ask_ics(self: Any, course: Course) -> None:
        default = self.edt_app.start_dir / ics_name(course.label)
        self.app.push_screen(
            PromptModal(f"Exporter le calendrier de {course.label} (.ics) vers :", str(default)),
            lambda answer: self.write_ics(course, answer) if answer else None,
        )

    @work(exclusive=True, group="ics", exit_on_error=False)
    async def write_ics(self: Any, course: Course, answer: str) -> None:
        ent = await self.ent()
        await self.uai()  # learns the establishment's time zone
        events = [e async for e in ent.iterate(ent.list_events, course.uai, course.key)]
        path = resolve_path(answer, self.edt_app.start_dir)
        calendar = course_calendar(course.label, calendar_events(events), self.zone)
        if not write_export(self, path, calendar.encode()):
            return
        self.last_ics = path
        self.notify(f"{french_int(len(events))} évènement(s) exporté(s) dans {path}", timeout=5)



class EventsLoaded(Message):
    def __init__(self, events: Sequence[Event]) -> None:
        super().__init__()
        self.events = tuple(events)


class CalendarScreen(ExportIcsMixin, AfterLaunchScreen):
    TITLE_TEXT = "Calendrier du cours"
    HELP: ClassVar[str] = (
        "Les évènements du cours créés par l'import, semaine par semaine (lundi à vendredi). "
        "{calendar.previous} / {calendar.next} : semaine précédente / suivante ; "
        "{calendar.today} : semaine en cours ; {calendar.ics} : exporter les évènements du cours "
        "au format iCalendar (.ics)."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "p,left", "week(-1)", "Sem. préc.", id="calendar.previous", tooltip="Semaine précédente"
        ),
        Binding("n,right", "week(1)", "Sem. suiv.", id="calendar.next", tooltip="Semaine suivante"),
        Binding("t", "today", "Cette semaine", id="calendar.today", tooltip="Cette semaine"),
        Binding(
            "i",
            "ics",
            "Imprimer",
            id="calendar.ics",
            tooltip="Exporter les évènements du cours (iCalendar)",
        ),
    ]

    def __init__(self, course: Course, uai: str | None = None, **kw: Any) -> None:
        super().__init__(uai or course.uai, **kw)
        self.course = course
        self.events: tuple[Event, ...] = ()
        self.monday: date | None = None

    def body(self) -> ComposeResult:
        yield Static(Text(self.course.label, style="bold"), id="calendar-title", classes="info")
        with VerticalScroll(id="calendar-scroll"):
            yield Static("Chargement des évènements…", id="calendar-grid")

    def on_mount(self) -> None:
        super().on_mount()
        self.load()

    @work(exclusive=True, group="events", exit_on_error=False)
    async def load(self) -> None:
        ent = await self.ent()
        await self.uai()  # learns the establishment's time zone
        events = [e async for e in ent.iterate(ent.list_events, self.course.uai, self.course.key)]
        self.post_message(EventsLoaded(events))

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.show_error("calendar-grid", event.worker.error)

    @on(EventsLoaded)
    def _loaded(self, event: EventsLoaded) -> None:
        self.events = event.events
        self.monday = first_week(self.events, self.clock(), self.zone)
        self.render_week()

    def render_week(self) -> None:
        if self.monday is None:
            return
        in_week = events_in_week(self.events, self.monday, self.zone)
        title = week_title(self.course.label, self.monday, len(in_week), len(self.events))
        self.query_one("#calendar-title", Static).update(title)
        grid = self.query_one("#calendar-grid", Static)
        grid.update(
            week_grid(in_week, self.monday, self.zone)
            if in_week
            else Text(
                self.hint(
                    "Aucun évènement cette semaine ({calendar.previous} / {calendar.next} pour "
                    "changer de semaine)."
                ),
                style="dim",
            )
        )

    def action_week(self, delta: int) -> None:
        if self.monday is not None:
            self.monday += timedelta(weeks=delta)
            self.render_week()

    def action_today(self) -> None:
        self.monday = monday_of(local_day(self.clock(), self.zone))
        self.render_week()

    def action_ics(self) -> None:
        self.ask_ics(self.course)
