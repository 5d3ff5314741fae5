"""« Cours créés par intégration » (seed §4.3): the courses the imports created, filtered by
participants and visits; each opens its calendar, `h` the `Cours <année>` hierarchy."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from edt_tui.client.models import Course
from edt_tui.tui.course_list import course_columns, course_filter
from edt_tui.tui.screens.after_base import AfterLaunchScreen, BrowseTable, browse_model
from edt_tui.tui.screens.calendar import CalendarScreen, ExportIcsMixin
from edt_tui.tui.screens.hierarchy import HierarchyScreen
from edt_tui.tui.screens.prompt import PromptModal
from edt_tui.tui.selection_model import french_int
from edt_tui.tui.widgets.selection_table import SelectionTable


class CoursesLoaded(Message):
    def __init__(self, courses: Sequence[Course], organisation: str) -> None:
        super().__init__()
        self.courses = tuple(courses)
        self.organisation = organisation


class IntegratedCoursesScreen(ExportIcsMixin, AfterLaunchScreen):
    TITLE_TEXT = "Cours créés par intégration"
    HELP: ClassVar[str] = (
        "Les cours créés par l'import (Créé par : Intégration). {table.filter} : rechercher "
        "(intitulé) ; {integrated.below} : moins de N participants ; {integrated.idle} : non "
        "consultés depuis N jours ; {integrated.calendar} : calendrier du cours ; "
        "{integrated.ics} : exporter ses évènements (.ics) ; {integrated.hierarchy} : "
        "hiérarchie Cours <année>."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "m",
            "below",
            "Moins de N",
            id="integrated.below",
            tooltip="Cours de moins de N participants",
        ),
        Binding(
            "o",
            "idle",
            "Non consultés",
            id="integrated.idle",
            tooltip="Cours non visités depuis N jours",
        ),
        Binding(
            "i",
            "ics",
            "Imprimer",
            id="integrated.ics",
            tooltip="Exporter les évènements du cours (iCalendar)",
        ),
        Binding(
            "h",
            "hierarchy",
            "Hiérarchie",
            id="integrated.hierarchy",
            tooltip="La hiérarchie Cours <année>",
        ),
        Binding(
            "enter",
            "calendar",
            "Calendrier",
            show=False,
            id="integrated.calendar",
            tooltip="Le calendrier du cours",
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
            course_columns(self.organisation, self.zone),
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

    def action_calendar(self) -> None:
        """The key of `integrated.calendar` when remapped (`enter` reaches the table first)."""
        course = self.cursor_course
        if course is not None:
            self.open(CalendarScreen, course)

    def action_ics(self) -> None:
        course = self.cursor_course
        if course is not None:
            self.ask_ics(course)

    def action_hierarchy(self) -> None:
        self.open(HierarchyScreen)
