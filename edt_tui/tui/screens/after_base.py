"""What the after-launch screens share (seed §3.12, §4): the client, the establishment, help, keys.

History, recap, accounts, verification and automatic import are pushed on top of the wizard and
popped with escape. They read the ENT service through the wizard backend's `EntClient` (the same
embedded service or `--ent URL`), always from workers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.screen import Screen
from textual.widgets import Header, Static

from edt_tui.dates import zone_named
from edt_tui.errors import EdtTuiError
from edt_tui.files import OutputPathError, write_atomic
from edt_tui.tui.formatting import Clock, path_error_text, utcnow, when
from edt_tui.tui.key_hints import with_keys
from edt_tui.tui.palette import Command, CommandsProvider
from edt_tui.tui.screens.help import HelpScreen
from edt_tui.tui.selection_model import Column, SelectionModel, french_int
from edt_tui.tui.widgets.selection_table import SelectionTable
from edt_tui.tui.widgets.step_footer import StepFooter
from edt_tui.tui.wording import error_text

if TYPE_CHECKING:
    from edt_tui.client.client import EntClient
    from edt_tui.tui.app import EdtTuiApp


def write_export(screen: Screen[Any], path: Path, data: bytes) -> bool:
    """Write an export file whole (`edt_tui.files`), or say in French why not; True if written."""
    try:
        write_atomic(path, data)
    except OutputPathError as exc:
        message = path_error_text(exc, path)
        screen.notify(f"Export impossible : {message}", severity="error", timeout=8)
        return False
    except OSError as exc:
        screen.notify(
            f"Export impossible vers {path} : {exc.strerror or exc}", severity="error", timeout=8
        )
        return False
    return True


def after_launch_targets() -> list[tuple[str, type[AfterLaunchScreen]]]:
    """The after-launch screens by palette name (their French title is their `TITLE_TEXT`)."""
    from edt_tui.tui.screens.accounts import AccountsScreen
    from edt_tui.tui.screens.automatic import AutomaticScreen
    from edt_tui.tui.screens.hierarchy import HierarchyScreen
    from edt_tui.tui.screens.history import HistoryScreen
    from edt_tui.tui.screens.integrated_courses import IntegratedCoursesScreen

    return [
        ("history", HistoryScreen),
        ("accounts", AccountsScreen),
        ("verification", IntegratedCoursesScreen),
        ("hierarchy", HierarchyScreen),
        ("automatic", AutomaticScreen),
    ]


class AfterLaunchCommands(CommandsProvider):
    """`go: history`, `go: accounts`, `go: verification`, `go: automatic` from these screens."""

    def commands(self) -> list[Command]:
        screen = self.screen
        if not isinstance(screen, AfterLaunchScreen):
            return []
        return [
            (f"go: {name}", partial(screen.open, kind), kind.TITLE_TEXT)
            for name, kind in after_launch_targets()
        ]


class AfterLaunchScreen(Screen[None]):
    """Subclasses set `TITLE_TEXT`, `HELP` and compose their body in `body()`."""

    TITLE_TEXT: ClassVar[str] = ""
    HELP: ClassVar[str] = ""
    AUTO_FOCUS = None
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {
        AfterLaunchCommands
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Retour", id="after.back", tooltip="Revenir à l'écran précédent"),
    ]
    DEFAULT_CSS = """
    AfterLaunchScreen .title-line { height: 1; padding: 0 1; background: $boost; }
    AfterLaunchScreen .info { height: auto; padding: 0 1; }
    AfterLaunchScreen .error { height: auto; padding: 0 1; color: $error; }
    """

    def __init__(self, uai: str | None = None, *, clock: Clock | None = None) -> None:
        super().__init__()
        self._uai = uai or ""
        self.clock: Clock = clock or utcnow

    @property
    def edt_app(self) -> EdtTuiApp:
        from edt_tui.tui.app import EdtTuiApp

        return cast(EdtTuiApp, self.app)

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(Text(self.TITLE_TEXT, style="bold"), classes="title-line")
        yield from self.body()
        yield StepFooter()

    def hint(self, text: str) -> str:
        """`text` with each `{binding.id}` replaced by the key bound to it now."""
        return with_keys(self.app, text)

    def body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.sub_title = self.TITLE_TEXT + (f" · {self.known_uai}" if self.known_uai else "")

    @property
    def known_uai(self) -> str:
        app = self.edt_app
        return self._uai or app.wizard.uai or (app.preferred_uai or "")

    @property
    def zone(self) -> ZoneInfo:
        """The establishment's time zone, every time on this screen is shown in (learnt by
        `uai()`, which the screen's workers call before they load anything)."""
        app = self.edt_app
        name = app.timezones.get(self.known_uai)
        if name is None and self.known_uai == app.wizard.uai:
            return app.wizard.zone
        return zone_named(name)

    def when(self, value: str | datetime | None) -> str:
        """`28/11/2026 10:32` in the establishment's time zone; empty for None."""
        return when(value, self.zone)

    async def ent(self) -> EntClient:
        backend = self.edt_app.wizard.backend
        client = getattr(backend, "client", None)
        if client is None:
            raise EdtTuiError("this backend does not reach an ENT service")
        return cast("EntClient", await client())

    async def uai(self) -> str:
        """The establishment: given, the wizard's, `--uai`, or the only one the service has;
        its time zone is known once this has answered."""
        app = self.edt_app
        if not self.known_uai:
            ent = await self.ent()
            page = await ent.list_establishments(limit=2)
            if len(page.items) != 1:
                raise EdtTuiError("choisissez d'abord un établissement (étape Établissement)")
            self._uai = page.items[0].uai
            app.timezones[self._uai] = page.items[0].timezone
        uai = self.known_uai
        if uai not in app.timezones and not (app.wizard.session and uai == app.wizard.uai):
            ent = await self.ent()
            app.timezones[uai] = (await ent.get_establishment(uai)).timezone
        return uai

    def open(self, kind: Callable[..., AfterLaunchScreen], *args: Any) -> None:
        """Push another after-launch screen on the same establishment."""
        self.app.push_screen(kind(*args, uai=self._uai or None, clock=self.clock))

    def action_back(self) -> None:
        self.app.pop_screen()

    def show_help(self) -> None:
        """`?` (the app's `app.help`): this screen's help and the keys active here."""
        bindings = [active.binding for active in self.active_bindings.values()]
        self.app.push_screen(HelpScreen(self.TITLE_TEXT, self.HELP, bindings))

    def show_error(self, widget_id: str, error: BaseException | None) -> None:
        message = Text(f"✖ {error_text(error)}", style="bold red")
        self.query_one(f"#{widget_id}", Static).update(message)


class BrowseModel(SelectionModel[Any]):
    """A read-only list: nothing to activate, so the counts line says how many rows there are."""

    def counts_label(self) -> str:
        shown = self.visible_count
        total = len(self)
        if shown == total:
            return f"{french_int(total)} ligne(s)"
        return f"{french_int(shown)} / {french_int(total)} ligne(s)"


def browse_model(
    rows: list[Any], columns: list[Column[Any]], row_id: Callable[[Any], str], page_size: int = 25
) -> BrowseModel:
    return BrowseModel(
        rows,
        row_id=row_id,
        columns=columns,
        initial_active=lambda _: False,
        page_size=page_size,
    )


class BrowseTable(SelectionTable):
    """The wizard's paginated table (filter, sort, pages) without marks or activation."""

    READ_ONLY_ACTIONS = frozenset(
        {"activate", "activate_all", "mark", "mark_range", "mark_matching", "clear_marks"}
    )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action not in self.READ_ONLY_ACTIONS
