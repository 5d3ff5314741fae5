"""The wizard's state between screens: the session being edited, its export and latest plan.

No Textual here. Every decision goes through `decide`, which writes it to the session store at
once, so a dropped SSH connection loses nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from edt_tui.dates import DEFAULT_TIMEZONE, DEFAULT_ZONE
from edt_tui.engine.selection import Selection
from edt_tui.session.store import ImportSession, SessionStore
from edt_tui.tui.backend import ExportCheck, LastImport, WizardBackend, WizardPlan


def _retrieved(task: asyncio.Task[WizardPlan]) -> None:
    """Mark a failure seen: the screen that waited may have left, the next one asks again."""
    if not task.cancelled():
        task.exception()


@dataclass
class Wizard:
    store: SessionStore
    backend: WizardBackend
    session: ImportSession | None = None
    plan: WizardPlan | None = None
    _plan_selection: Mapping[str, Any] | None = None
    launch_refusal: str | None = None
    """Why this wizard may not launch (a read-only helpdesk replay), else None."""
    decisions_locked: str | None = None
    """Why its decisions may not change (a read-only helpdesk replay), else None."""
    _computing: tuple[dict[str, Any], asyncio.Task[WizardPlan]] | None = field(
        default=None, repr=False
    )

    @property
    def uai(self) -> str:
        return self.session.uai if self.session else ""

    @property
    def zone(self) -> ZoneInfo:
        """The session's establishment's time zone, every time of the wizard is shown in."""
        return self.session.zone if self.session else DEFAULT_ZONE

    @property
    def export(self) -> ExportCheck | None:
        if self.session is None or not self.session.export:
            return None
        return ExportCheck.from_dict(self.session.export)

    def start(
        self, uai: str, last: LastImport | None = None, *, timezone: str = DEFAULT_TIMEZONE
    ) -> ImportSession:
        """A new session of the establishment `uai` (its time zone `timezone`): from the
        decisions of the last manual import `last`, if any."""
        if last is None:
            self.session = self.store.create(uai, timezone=timezone)
        else:
            self.session = self.store.create(
                uai, timezone=timezone, selection=Selection.from_dict(last.selection),
                decisions_from={"job_id": last.job_id, "finished_at": last.finished_at},
            )
        self.plan, self._plan_selection, self._computing = None, None, None
        return self.session

    def reset_decisions(self) -> None:
        """Every decision back to the defaults (the earlier import's are dropped)."""
        self.session = self.store.reset_selection(self._require().id)

    def resume(self, session: ImportSession) -> None:
        self.session = session
        self.plan, self._plan_selection, self._computing = None, None, None

    def _require(self) -> ImportSession:
        if self.session is None:
            raise RuntimeError("no import session started")
        return self.session

    def set_export(self, export: ExportCheck) -> None:
        self.session = self.store.set_export(self._require().id, export.to_dict())
        self.plan, self._plan_selection, self._computing = None, None, None

    def set_step(self, step: str) -> None:
        session = self._require()
        if session.step != step:
            self.session = self.store.set_step(session.id, step)

    def selection(self) -> Selection:
        return self._require().decisions()

    def decide(self, edit: Callable[[Selection], Selection]) -> None:
        """Apply and persist one decision (or one bulk action)."""
        self.session = self.store.update_selection(self._require().id, edit)

    def plan_is_current(self) -> bool:
        return self.plan is not None and self._plan_selection == dict(self._require().selection)

    def remember_plan(self, plan: WizardPlan, selection: Mapping[str, Any]) -> None:
        self.plan, self._plan_selection = plan, dict(selection)

    async def current_plan(self) -> WizardPlan:
        """The plan for the session's selection: the one held, the one being computed (the
        Résumé starts it, the next step waits for the same answer), or a new request."""
        if self.plan_is_current() and self.plan is not None:
            return self.plan
        export = self.export
        if export is None:
            raise RuntimeError("no export file chosen yet")
        selection = dict(self._require().selection)
        if self._computing is None or self._computing[0] != selection:
            task = asyncio.ensure_future(self.backend.plan(self.uai, export, selection))
            task.add_done_callback(_retrieved)
            self._computing = (selection, task)
        selection, task = self._computing
        try:
            plan = await asyncio.shield(task)  # a screen leaving does not cancel it for others
        finally:
            if task.done() and self._computing is not None and self._computing[1] is task:
                self._computing = None
        self.remember_plan(plan, selection)
        return plan

    def launched(self, job_id: str, queue_position: int | None) -> None:
        self.session = self.store.mark_launched(self._require().id, job_id, queue_position)
