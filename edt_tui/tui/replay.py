"""`edt-tui session open`: a customer's session replayed READ-ONLY on a restored embedded service.

The wizard runs as usual (every step, every list), but its decisions are the customer's: any
activation is undone on the spot and not saved, and launching is refused. The title says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from textual import events, on

from edt_tui.client.client import EntClient
from edt_tui.engine.selection import Selection
from edt_tui.errors import EdtTuiError
from edt_tui.session.store import ImportSession, SessionStore
from edt_tui.tui.app import EdtTuiApp
from edt_tui.tui.backend import Enqueued, ExportCheck, WizardPlan, wizard_plan
from edt_tui.tui.client_backend import ClientBackend
from edt_tui.tui.widgets.selection_table import SelectionTable
from edt_tui.tui.wizard import Wizard

READ_ONLY = "Rejeu en lecture seule : les décisions ne sont pas modifiables"
NO_LAUNCH = "Rejeu en lecture seule : le lancement est désactivé"


class ReplayBackend(ClientBackend):
    """Plans at the bundle's reference time T (so they equal the customer's); never launches."""

    def __init__(self, factory: Callable[[], EntClient], reference_time: str) -> None:
        super().__init__(factory)
        self.reference_time = reference_time

    async def plan(self, uai: str, export: ExportCheck, selection: Mapping[str, Any]) -> WizardPlan:
        ent = await self.client()
        data = await ent.create_plan(
            uai,
            export.sha256,
            selection or None,
            reference_time=self.reference_time,
            view="steps",
        )
        return wizard_plan(data)

    async def launch(
        self, uai: str, export: ExportCheck, selection: Mapping[str, Any], *,
        allow_mass_deletion: bool = False,
    ) -> Enqueued:
        raise EdtTuiError(NO_LAUNCH)


@dataclass
class ReadOnlyWizard(Wizard):
    launch_refusal: str | None = NO_LAUNCH
    decisions_locked: str | None = READ_ONLY

    def decide(self, edit: Callable[[Selection], Selection]) -> None:
        """The customer's decisions stay as they were."""


class ReplayApp(EdtTuiApp):
    TITLE = "edt-tui · Rejeu helpdesk (lecture seule)"

    def __init__(
        self,
        backend: ReplayBackend,
        session: ImportSession,
        *,
        store: SessionStore,
        step: str | None = None,
        origin: str = "",
    ) -> None:
        super().__init__(backend, store=store, uai=session.uai, offer_resume=False)
        self.wizard = ReadOnlyWizard(store, backend)
        self.replayed = session
        self.start_step = step or session.step
        self.sub_title = origin

    def on_mount(self, event: events.Mount) -> None:  # type: ignore[override]
        event.prevent_default()  # not the wizard's start (establishment step, resume dialog)
        self.wizard.resume(self.replayed)
        step = self.start_step if self.start_step != "establishment" else "summary"
        self.go(step)
        self.notify(f"{READ_ONLY} ; le lancement est désactivé.", timeout=6)

    @on(SelectionTable.Changed)
    def _undo(self, event: SelectionTable.Changed) -> None:
        """An activation reached the app: put the rows back as the customer left them."""
        event.table.model.set_active(event.change.ids, not event.change.active)
        event.table.render_page()
        self.notify(READ_ONLY, severity="warning", timeout=3)
