"""`EdtTuiApp`: the keyboard-first import wizard (seed §3), one screen per step.

The app owns navigation (`go(step)`), the help screen, the command palette and the resume
dialog. Every screen reads and writes wizard state through `self.wizard` (`tui/wizard.py`) and
talks to the ENT service only through the `WizardBackend` it was given.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, cast

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.screen import Screen

from edt_tui.session.store import SessionStore
from edt_tui.tui.backend import ExportCheck, LastImport, WizardBackend
from edt_tui.tui.idle_gc import IdleCollector
from edt_tui.tui.key_hints import with_keys
from edt_tui.tui.keys import RoutedApp
from edt_tui.tui.palette import Command, CommandsProvider
from edt_tui.tui.paths import styles_dir
from edt_tui.tui.screens.base import StepScreen
from edt_tui.tui.screens.help import Helped
from edt_tui.tui.screens.resume import NEW, ResumeModal
from edt_tui.tui.screens.table_step import TableStepScreen
from edt_tui.tui.steps import STEPS, step, title
from edt_tui.tui.terminal import terminal_hung_up
from edt_tui.tui.wizard import Wizard


class WizardCommands(CommandsProvider):
    """`area: verb` commands: `go: courses`, `subjects: add all new`, `courses: deactivate all`…"""

    def commands(self) -> list[Command]:
        app = self.app
        assert isinstance(app, EdtTuiApp)
        commands: list[Command] = []
        if app.wizard.export is not None:
            for each in STEPS[1:]:
                commands.append(
                    (f"go: {each.id}", partial(app.go, each.id), f"Aller à l'étape {each.title}")
                )
        screen = self.screen  # the screen the palette was opened on
        if isinstance(screen, TableStepScreen) and screen.model is not None:
            area = screen.step.id
            commands += [
                (
                    f"{area}: activate all",
                    partial(screen.activate_where, lambda r: True, True),
                    "Tout activer",
                ),
                (
                    f"{area}: deactivate all",
                    partial(screen.activate_where, lambda r: True, False),
                    "Tout désactiver",
                ),
            ]
            if area == "subjects":
                commands.append(
                    (
                        "subjects: add all new",
                        partial(screen.activate_where, lambda r: not r.known, True),
                        "Ajouter au référentiel toutes les matières nouvelles",
                    )
                )
        commands.append(("app: help", app.action_help, "Aide de l'écran"))
        commands += app.after_launch_commands()
        return commands


class EdtTuiApp(RoutedApp[None]):
    CSS_PATH = str(styles_dir() / "app.tcss")
    TITLE = "edt-tui · Import EDT"
    COMMANDS = RoutedApp.COMMANDS | {WizardCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Aide", id="app.help", tooltip="Touches de cet écran"),
        Binding(
            "ctrl+q",
            "quit",
            "Quitter",
            show=False,  # in the help of every screen: the footer keeps 80 columns for the step
            id="app.quit",
            tooltip="Quitter (la session est conservée)",
            priority=True,  # modal screens too: they hide the app's other bindings
        ),
        Binding(
            "ctrl+p",
            "command_palette",
            "Palette",
            show=False,
            id="app.palette",
            tooltip="Palette de commandes",
            priority=True,
        ),
    ]

    def __init__(
        self,
        backend: WizardBackend,
        *,
        store: SessionStore | None = None,
        uai: str | None = None,
        start_dir: Path | None = None,
        offer_resume: bool = True,
        keymap: Mapping[str, str] | None = None,
    ) -> None:
        """`keymap`: binding id → key(s), checked (`tui/keymap.py`); hints follow it."""
        super().__init__()
        self.animation_level = "none"
        self.user_keymap: Mapping[str, str] = dict(keymap or {})
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
        self.wizard = Wizard(store or SessionStore(), backend)
        self.preferred_uai = uai
        self.timezones: dict[str, str] = {}
        """Each establishment's time zone by UAI, as the service listed or gave it."""
        self.start_dir = start_dir or Path.cwd()
        self._offer_resume = offer_resume
        self.idle_gc = IdleCollector(self)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent) and not event.is_forwarded:
            self.idle_gc.activity()
        await super().on_event(event)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's built-in palette entries, in French (the TUI's language)."""
        yield SystemCommand("Thème", "Changer le thème de couleurs", self.action_change_theme)
        yield SystemCommand("Quitter", "Quitter (la session est conservée)", self.action_quit)
        yield SystemCommand(
            "Capture d'écran",
            "Enregistrer une capture SVG de l'écran",
            lambda: self.set_timer(0.1, self.deliver_screenshot),
        )

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(cast("App[object]", self)):
            self.push_screen(
                CommandPalette(placeholder="Rechercher une commande…", id="--command-palette")
            )

    def action_help_quit(self) -> None:
        """`ctrl+c` does not quit a Textual app: say which key does, in French."""
        self.notify(
            with_keys(self, "{app.quit} pour quitter (la session est conservée)"),
            title="Quitter ?",
        )

    def on_mount(self) -> None:
        self.idle_gc.start()
        stdin = sys.__stdin__
        if not self.is_headless and stdin is not None and stdin.isatty():
            self.set_interval(1.0, self._quit_if_terminal_gone, name="hang-up watch")
        self.go("establishment")
        if not self._offer_resume:
            return
        sessions = self.wizard.store.list(uai=self.preferred_uai, unfinished=True)
        if sessions:
            self.push_screen(ResumeModal(sessions[:20]), self._resume_chosen)

    def _quit_if_terminal_gone(self) -> None:
        stdin = sys.__stdin__
        if stdin is not None and terminal_hung_up(stdin.fileno()):
            self.exit(return_code=129)  # as a SIGHUP would; every decision is already saved

    def _resume_chosen(self, choice: str | None) -> None:
        if not choice or choice == NEW:
            return
        session = self.wizard.store.get(choice)
        self.wizard.resume(session)
        self.go(session.step if session.step != "establishment" else "export")
        self.notify(f"Import repris à l'étape {title(session.step)}")

    def go(self, step_id: str) -> None:
        """Show the step's screen: a fresh instance, except the table steps, kept alive.

        Re-creating a table step costs ~250 ms of widget mounting and styling; a kept one
        redraws at once and rebuilds its table only when the plan changed (`on_screen_resume`).
        """
        entry = step(step_id)
        factory = entry.screen_class()
        screen: StepScreen
        if issubclass(factory, TableStepScreen):
            name = f"step:{step_id}"
            if not self.is_screen_installed(name):
                self.install_screen(factory(entry), name)
            screen = cast(StepScreen, self.get_screen(name))
            if screen in self.screen_stack and screen is not self.screen:
                screen = factory(entry)  # under a pushed screen (history…): a fresh one on top
        else:
            screen = factory(entry)
        if isinstance(self.screen, StepScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def action_help(self) -> None:
        """`app.help` on every screen: the wizard's steps and the screens after launch."""
        screen = self.screen
        if isinstance(screen, Helped):
            screen.show_help()

    def open_in_wizard(
        self, uai: str, export: ExportCheck, last: LastImport | None, *, timezone: str
    ) -> None:
        """A new wizard session on a stored export, at its Résumé, from the decisions of the
        last manual import `last` — the ones an automatic import re-applies (from the history:
        an automatic import refused until an admin confirms relinks or a mass deletion)."""
        while not isinstance(self.screen, StepScreen) and len(self.screen_stack) > 2:
            self.pop_screen()
        self.wizard.start(uai, last, timezone=timezone)
        self.wizard.set_export(export)
        self.go("summary")

    def open_history(self) -> None:
        """« Historique des imports » (screens/history.py)."""
        from edt_tui.tui.screens.history import HistoryScreen

        self.push_screen(HistoryScreen())

    def after_launch_commands(self) -> list[Command]:
        """`history: open`, `accounts: open`, `verification: open`, `hierarchy: open`…"""
        from edt_tui.tui.screens.after_base import after_launch_targets

        return [
            (f"{name}: open", partial(self._open_screen, kind), kind.TITLE_TEXT)
            for name, kind in after_launch_targets()
        ]

    def _open_screen(self, factory: Callable[[], Screen[Any]]) -> None:
        self.push_screen(factory())

    async def on_unmount(self) -> None:
        self.idle_gc.stop()
        await self.wizard.backend.aclose()
