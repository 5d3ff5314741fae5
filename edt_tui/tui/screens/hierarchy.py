"""The `Cours <année>` hierarchy (seed §4.3): every course the imports created, as a tree."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static, Tree
from textual.worker import Worker, WorkerState

from edt_tui.tui.screens.after_base import AfterLaunchScreen
from edt_tui.tui.screens.calendar import CalendarScreen
from edt_tui.tui.selection_model import french_int


class HierarchyLoaded(Message):
    def __init__(self, name: str, roots: Sequence[tuple[Any, Sequence[Any]]]) -> None:
        super().__init__()
        self.name = name
        self.roots = tuple(roots)


class HierarchyScreen(AfterLaunchScreen):
    TITLE_TEXT = "Hiérarchie des cours"
    HELP: ClassVar[str] = (
        "Chaque cours créé par l'import est un nœud de la hiérarchie « Cours <année> » de "
        "l'établissement (les touches de l'arbre sont ci-dessous). {hierarchy.calendar} : "
        "calendrier du cours sous le curseur."
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
