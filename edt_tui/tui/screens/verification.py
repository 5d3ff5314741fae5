"""« Vérification de l'import dans l'ENT » (seed §4.3): the courses created by integration, the
`Cours <année>` hierarchy, and one course's calendar as a week grid, printable as an `.ics` file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static, Tree
from textual.worker import Worker, WorkerState

from edt_tui.client.models import Course, Event
from edt_tui.tui.ics import CalendarEvent, course_calendar
from edt_tui.tui.screens.after_base import (
    DISPLAY_ZONE,
    AfterLaunchScreen,
    BrowseTable,
    PromptModal,
    browse_model,
    resolve_path,
    when,
    write_export,
)
from edt_tui.tui.selection_model import Column, french_int
from edt_tui.tui.widgets.selection_table import SelectionTable

WEEKDAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.")


DATE: dict[str, Any] = {"width": 16, "min_width": 10}
"""A date column: `JJ/MM/AAAA HH:MM`, shrunk to the day before it is left out."""


def course_columns(organisation: str) -> list[Column[Course]]:
    return [
        Column("label", "Intitulé", lambda c: c.label, min_width=36),
        Column("org", "Organisation", lambda c: organisation, width=14, min_width=8),
        Column("by", "Créé par", lambda c: c.created_by, width=11),
        Column("participants", "Part.", lambda c: f"{c.participants:>4}", width=5),
        Column("visit", "Dernière visite", lambda c: when(c.last_visit_at), **DATE),
        Column("updated", "Dernière mise à jour", lambda c: when(c.updated_at), **DATE),
        Column("created", "Créé le", lambda c: when(c.created_at), **DATE),
    ]


def course_filter(
    courses: Sequence[Course], *, below: int | None, idle_days: int | None, now: datetime
) -> list[Course]:
    """ "Moins de N participants" and "non consultés depuis N jours" (never visited counts)."""
    kept = list(courses)
    if below is not None:
        kept = [c for c in kept if c.participants < below]
    if idle_days is not None:
        limit = now - timedelta(days=idle_days)
        kept = [c for c in kept if c.last_visit_at is None or c.last_visit_at < limit]
    return kept


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def first_week(events: Sequence[Event], now: datetime) -> date:
    """The week of the first event from today on (else of the last one, else this week)."""
    today = now.astimezone(DISPLAY_ZONE).date()
    upcoming = [e.start for e in events if e.start.astimezone(DISPLAY_ZONE).date() >= today]
    if upcoming:
        return monday_of(min(upcoming).astimezone(DISPLAY_ZONE).date())
    if events:
        return monday_of(max(e.start for e in events).astimezone(DISPLAY_ZONE).date())
    return monday_of(today)


def week_grid(events: Sequence[Event], monday: date) -> Table:
    """Mon–Fri columns × the week's time slots; a cell shows the rooms of the event there."""
    days = [monday + timedelta(days=i) for i in range(5)]
    cells: dict[tuple[str, date], list[Event]] = {}
    for event in events:
        start = event.start.astimezone(DISPLAY_ZONE)
        if start.date() in days:
            end = event.end.astimezone(DISPLAY_ZONE)
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
    slug = re.sub(r"[^\w]+", "-", label, flags=re.UNICODE).strip("-")
    return f"{slug or 'cours'}.ics"


def calendar_events(events: Sequence[Event]) -> list[CalendarEvent]:
    return [
        CalendarEvent(e.key, e.start, e.end, e.title, tuple(e.rooms), e.updated_at) for e in events
    ]


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
        events = [e async for e in ent.iterate(ent.list_events, course.uai, course.key)]
        path = resolve_path(answer, self.edt_app.start_dir)
        calendar = course_calendar(course.label, calendar_events(events))
        if not write_export(self, path, calendar.encode()):
            return
        self.last_ics = path
        self.notify(f"{french_int(len(events))} évènement(s) exporté(s) dans {path}", timeout=5)


class CoursesLoaded(Message):
    def __init__(self, courses: Sequence[Course], organisation: str) -> None:
        super().__init__()
        self.courses = tuple(courses)
        self.organisation = organisation


class CoursesScreen(ExportIcsMixin, AfterLaunchScreen):
    TITLE_TEXT = "Cours créés par intégration"
    HELP: ClassVar[str] = (
        "Les cours créés par l'import (Créé par : Intégration). / : rechercher (intitulé) ; "
        "m : moins de N participants ; o : non consultés depuis N jours ; entrée : calendrier "
        "du cours ; i : exporter ses évènements (.ics) ; h : hiérarchie Cours <année>."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "m",
            "below",
            "Moins de N",
            id="courses.below",
            tooltip="Cours de moins de N participants",
        ),
        Binding(
            "o",
            "idle",
            "Non consultés",
            id="courses.idle",
            tooltip="Cours non visités depuis N jours",
        ),
        Binding(
            "i",
            "ics",
            "Imprimer",
            id="courses.ics",
            tooltip="Exporter les évènements du cours (iCalendar)",
        ),
        Binding(
            "h",
            "hierarchy",
            "Hiérarchie",
            id="courses.hierarchy",
            tooltip="La hiérarchie Cours <année>",
        ),
    ]

    def __init__(self, uai: str | None = None, **kw: Any) -> None:
        super().__init__(uai, **kw)
        self.courses: tuple[Course, ...] = ()
        self.organisation = ""
        self.below: int | None = None
        self.idle_days: int | None = None

    def body(self) -> ComposeResult:
        yield Static("Chargement des cours…", id="courses-info", classes="info")

    def on_mount(self) -> None:
        super().on_mount()
        self.load()

    @work(exclusive=True, group="courses", exit_on_error=False)
    async def load(self) -> None:
        ent = await self.ent()
        uai = await self.uai()
        establishment = await ent.get_establishment(uai)
        courses = [c async for c in ent.iterate(ent.list_courses, uai, origin="integration")]
        self.post_message(CoursesLoaded(courses, establishment.name))

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.show_error("courses-info", event.worker.error)

    @on(CoursesLoaded)
    async def _loaded(self, event: CoursesLoaded) -> None:
        self.courses, self.organisation = event.courses, event.organisation
        await self.show_courses()

    async def show_courses(self) -> None:
        kept = course_filter(
            self.courses, below=self.below, idle_days=self.idle_days, now=self.clock()
        )
        info = Text(f"{french_int(len(self.courses))} cours créés par intégration")
        if self.below is not None:
            info.append(f" · moins de {self.below} participants")
        if self.idle_days is not None:
            info.append(f" · non consultés depuis {self.idle_days} jours")
        if len(kept) != len(self.courses):
            info.append(f" : {french_int(len(kept))}", style="bold")
        self.query_one("#courses-info", Static).update(info)
        previous = self.table
        for old in self.query(BrowseTable):
            await old.remove()
        model = browse_model(
            kept,
            course_columns(self.organisation),
            row_id=lambda c: c.key,
            page_size=previous.model.page_size if previous else 25,
        )
        table = BrowseTable(
            model,
            status=lambda _i, _r, _a: Text("Intégration"),
            status_title="Modèle",
            id="courses",
        )
        await self.mount(table)
        table.focus_table()

    @property
    def table(self) -> BrowseTable | None:
        tables = self.query(BrowseTable)
        return tables.first() if tables else None

    @property
    def cursor_course(self) -> Course | None:
        table = self.table
        row_id = table.cursor_row_id if table else None
        return table.model.row(row_id) if table and row_id else None

    def _ask_number(self, question: str, apply: Any) -> None:
        def answered(answer: str | None) -> None:
            if answer is None:
                return
            if answer and not answer.isdigit():
                self.notify(f"« {answer} » n'est pas un nombre.", severity="error", timeout=3)
                return
            apply(int(answer) if answer else None)
            self.run_worker(self.show_courses(), exclusive=True, group="show")

        self.app.push_screen(PromptModal(question, placeholder="vide : sans ce filtre"), answered)

    def action_below(self) -> None:
        self._ask_number(
            "Cours avec moins de combien de participants ?", lambda n: setattr(self, "below", n)
        )

    def action_idle(self) -> None:
        self._ask_number(
            "Cours non consultés depuis combien de jours ?", lambda n: setattr(self, "idle_days", n)
        )

    @on(SelectionTable.RowChosen)
    def _chosen(self, event: SelectionTable.RowChosen) -> None:
        table = self.table
        if table is not None:
            self.open(CalendarScreen, table.model.row(event.row_id))

    def action_ics(self) -> None:
        course = self.cursor_course
        if course is not None:
            self.ask_ics(course)

    def action_hierarchy(self) -> None:
        self.open(HierarchyScreen)


class HierarchyLoaded(Message):
    def __init__(self, name: str, roots: Sequence[tuple[Any, Sequence[Any]]]) -> None:
        super().__init__()
        self.name = name
        self.roots = tuple(roots)


class HierarchyScreen(AfterLaunchScreen):
    TITLE_TEXT = "Hiérarchie des cours"
    HELP: ClassVar[str] = (
        "Chaque cours créé par l'import est un nœud de la hiérarchie « Cours <année> » de "
        "l'établissement. entrée : déplier / replier ; c : calendrier du cours sous le curseur."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "c",
            "calendar",
            "Calendrier",
            id="hierarchy.calendar",
            tooltip="Calendrier du cours",
        ),
    ]

    def body(self) -> ComposeResult:
        yield Static("Chargement de la hiérarchie…", id="hierarchy-info", classes="info")
        yield Tree("Etablissement", id="hierarchy")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(Tree).focus()
        self.load()

    @work(exclusive=True, group="hierarchy", exit_on_error=False)
    async def load(self) -> None:
        ent = await self.ent()
        uai = await self.uai()
        establishment = await ent.get_establishment(uai)
        roots = [r async for r in ent.iterate(ent.list_hierarchy, uai)]
        found = []
        for root in roots:
            children = [c async for c in ent.iterate(ent.list_hierarchy, uai, parent=root.key)]
            found.append((root, children))
        self.post_message(HierarchyLoaded(establishment.name, found))

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.show_error("hierarchy-info", event.worker.error)

    @on(HierarchyLoaded)
    def _loaded(self, event: HierarchyLoaded) -> None:
        tree: Tree[Any] = self.query_one(Tree)
        tree.clear()
        tree.root.set_label(Text(event.name or "Etablissement"))
        count = 0
        for root, children in event.roots:
            branch = tree.root.add(Text(root.title), data=root, expand=True)
            for child in sorted(children, key=lambda n: n.title):
                branch.add_leaf(Text(child.title), data=child)
                count += 1
        tree.root.expand()
        self.query_one("#hierarchy-info", Static).update(
            f"{french_int(count)} cours dans la hiérarchie"
            if count
            else "Aucun cours dans la hiérarchie : aucun import terminé."
        )

    def action_calendar(self) -> None:
        node = self.query_one(Tree).cursor_node
        data = node.data if node else None
        if data is None or not getattr(data, "course_key", None):
            self.notify("Placez le curseur sur un cours.", timeout=2)
            return
        self.open_course(data.course_key)

    @work(exclusive=True, group="open", exit_on_error=False)
    async def open_course(self, course_key: str) -> None:
        ent = await self.ent()
        course = await ent.get_course(await self.uai(), course_key)
        self.open(CalendarScreen, course)


class EventsLoaded(Message):
    def __init__(self, events: Sequence[Event]) -> None:
        super().__init__()
        self.events = tuple(events)


class CalendarScreen(ExportIcsMixin, AfterLaunchScreen):
    TITLE_TEXT = "Calendrier du cours"
    HELP: ClassVar[str] = (
        "Les évènements du cours créés par l'import, semaine par semaine (lundi à vendredi). "
        "p / n : semaine précédente / suivante ; t : semaine en cours ; i : exporter les "
        "évènements du cours au format iCalendar (.ics)."
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
        events = [e async for e in ent.iterate(ent.list_events, self.course.uai, self.course.key)]
        self.post_message(EventsLoaded(events))

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.show_error("calendar-grid", event.worker.error)

    @on(EventsLoaded)
    def _loaded(self, event: EventsLoaded) -> None:
        self.events = event.events
        self.monday = first_week(self.events, self.clock())
        self.render_week()

    def render_week(self) -> None:
        if self.monday is None:
            return
        friday = self.monday + timedelta(days=4)
        in_week = [
            e
            for e in self.events
            if self.monday <= e.start.astimezone(DISPLAY_ZONE).date() <= friday
        ]
        title = Text(self.course.label, style="bold")
        title.append(
            f"  ·  semaine du {self.monday:%d/%m/%Y} au {friday:%d/%m/%Y}  ·  "
            f"{len(in_week)} évènement(s) sur {french_int(len(self.events))}"
        )
        self.query_one("#calendar-title", Static).update(title)
        grid = self.query_one("#calendar-grid", Static)
        grid.update(
            week_grid(in_week, self.monday)
            if in_week
            else Text("Aucun évènement cette semaine (p / n pour changer de semaine).", style="dim")
        )

    def action_week(self, delta: int) -> None:
        if self.monday is not None:
            self.monday += timedelta(weeks=delta)
            self.render_week()

    def action_today(self) -> None:
        self.monday = monday_of(self.clock().astimezone(DISPLAY_ZONE).date())
        self.render_week()

    def action_ics(self) -> None:
        self.ask_ics(self.course)
