"""Step 1 (seed §3.3): choose the establishment; pre-selected when the admin has only one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from edt_tui.tui.backend import EstablishmentInfo
from edt_tui.tui.key_hints import with_keys
from edt_tui.tui.screens.base import StepScreen
from edt_tui.tui.screens.choice import CHOOSE, ListChoice
from edt_tui.tui.wording import error_text


class EstablishmentScreen(ListChoice, StepScreen):
    AUTO_FOCUS = "OptionList"
    BINDINGS: ClassVar[list[BindingType]] = [CHOOSE]

    class Loaded(Message):
        def __init__(self, establishments: Sequence[EstablishmentInfo]) -> None:
            super().__init__()
            self.establishments = establishments

    def body(self) -> ComposeResult:
        yield Static("Chargement des établissements…", id="status", classes="hint")
        yield OptionList(id="establishments")

    def on_mount(self) -> None:
        super().on_mount()
        self.load()

    @work(exclusive=True, group="establishments", exit_on_error=False)
    async def load(self) -> None:
        self.post_message(self.Loaded(await self.wizard.backend.establishments()))

    def on_worker_state_changed(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.worker.error is not None:
            self.query_one("#status", Static).update(
                f"Liste des établissements indisponible : {error_text(event.worker.error)}. "
                + with_keys(self.app, "{app.quit} pour quitter")
                + ", ou relancez edt-tui avec --ent URL."
            )

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        status = self.query_one("#status", Static)
        if not event.establishments:
            status.update(
                "Aucun établissement dans l'ENT. Chargez l'annuaire avec "
                "`edt-tui ent load DOSSIER`, puis relancez edt-tui."
            )
            return
        status.update(
            with_keys(self.app, "Établissement cible de l'import ({list.choose} pour choisir) :")
        )
        wanted = self.edt_app.preferred_uai
        for info in event.establishments:
            self.edt_app.timezones[info.uai] = info.timezone
            options.add_option(Option(f"{info.uai}  {info.name}", id=info.uai))
        uais = [e.uai for e in event.establishments]
        if wanted in uais:
            options.highlighted = uais.index(wanted)
        elif len(uais) == 1:
            options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.query_one("#status", Static).update("Reprise des décisions du dernier import…")
            self.start_session(event.option.id)

    @work(exclusive=True, group="start", exit_on_error=False)
    async def start_session(self, uai: str) -> None:
        """The new session starts from the last manual import's decisions (asked first)."""
        last = await self.wizard.backend.last_manual_import(uai)
        self.wizard.start(uai, last, timezone=self.edt_app.timezones[uai])
        self.edt_app.go("export")

    def action_next(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            options.action_select()

    def action_back(self) -> None:
        self.app.exit()
