"""The dialogs of the history's actions on one import: what to do with an automatic import the
guards refused (open its file in the wizard, or its recap), and the confirmation of an undo."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from edt_tui.client.imports import ImportJob
from edt_tui.tui.key_hints import with_keys
from edt_tui.tui.screens.choice import CHOOSE, ListChoice
from edt_tui.tui.wording import job_reason

GUARD_REASONS = frozenset({"relink_pending", "mass_deletion"})
"""Refusals an admin settles in the wizard (confirm the relinks, or the mass deletion)."""
OPEN_IN_WIZARD = "wizard"
SHOW_RECAP = "recap"


def opens_in_wizard(job: ImportJob) -> bool:
    """A refused import whose stored file the wizard can take up."""
    return (
        job.status == "refused"
        and job.reason_code in GUARD_REASONS
        and bool(job.export_sha256)
    )


def undoable(job: ImportJob) -> bool:
    """A finished import (the service also checks that it is the newest one)."""
    return job.type in ("manual", "automatic") and job.status == "done"


class RefusedJobChoices(ListChoice, ModalScreen[str | None]):
    """`enter` on a refused automatic import: take its file up in the wizard, or its recap."""

    AUTO_FOCUS = "OptionList"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Annuler", id="refused.cancel", tooltip="Fermer"),
        CHOOSE,
    ]

    def __init__(self, job: ImportJob) -> None:
        super().__init__()
        self.job = job

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(job_reason(self.job) or "Import refusé", style="bold"))
            yield OptionList(
                Option(
                    "Ouvrir dans l'assistant (le fichier reçu, à l'étape Résumé)",
                    id=OPEN_IN_WIZARD,
                ),
                Option("Récapitulatif", id=SHOW_RECAP),
            )
            yield Static(
                Text(with_keys(self.app, "{list.choose} : choisir · {refused.cancel} : fermer"),
                     style="dim")
            )

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)


UNDO_EXPLANATION = (
    "Les évènements à venir et les appartenances reviennent à leur état d'avant cet import (les "
    "cours qu'il a créés et dont tout est encore à venir sont supprimés). Il pourra être "
    "ré-appliqué en important à nouveau son fichier."
)
"""What an undo does, said before the admin confirms it."""

