"""The second confirmation of an import that deletes too much: the counts, the courses losing
the most, and the word SUPPRIMER typed by hand (any other answer cancels)."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from edt_tui.tui.backend import DeletionGuard, DeletionShare
from edt_tui.tui.key_hints import with_keys
from edt_tui.tui.keys import TextField, Typing
from edt_tui.tui.selection_model import french_int

CONFIRM_WORD = "SUPPRIMER"


def french_percent(value: float) -> str:
    """`97,6 %` (one decimal, French comma)."""
    rounded = round(value, 1)
    shown = str(int(rounded)) if rounded.is_integer() else f"{rounded:.1f}".replace(".", ",")
    return f"{shown} %"


def share_text(share: DeletionShare, what: str) -> str:
    """`4 195 appartenances supprimées sur 4 300 (97,6 %)`."""
    return (
        f"{french_int(share.deleted)} {what} sur {french_int(share.total)} "
        f"({french_percent(share.percent)})"
    )


def guard_line(guard: DeletionGuard) -> Text:
    """The one-line warning the launch step shows before `l`."""
    return Text(
        f"⚠ Suppression massive : {share_text(guard.memberships, 'appartenances supprimées')}, "
        f"{share_text(guard.events, 'évènements à venir supprimés')} — seuil "
        f"{guard.threshold_percent} %. Le lancement demandera de taper {CONFIRM_WORD}.",
        style="bold red",
    )


def losses_table(guard: DeletionGuard) -> Table | Text:
    if not guard.top_courses:
        return Text("")
    table = Table(box=None, padding=(0, 1), show_edge=False)
    table.add_column("Cours qui perdent le plus", overflow="ellipsis", no_wrap=True, ratio=1)
    table.add_column("Appart.", justify="right", no_wrap=True)
    table.add_column("Évèn.", justify="right", no_wrap=True)
    for course in guard.top_courses[:10]:
        table.add_row(
            Text(course.label), french_int(course.memberships_deleted),
            french_int(course.events_deleted),
        )
    return table


class ConfirmMassDeletion(Typing, ModalScreen[bool]):
    """True only when the admin typed SUPPRIMER; escape or any other text cancels.

    The word typed right after the dialog opens is kept whole, at any speed (`Typing`)."""

    AUTO_FOCUS = None
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(False)", "Annuler", id="mass.cancel", tooltip="Ne pas lancer"),
        Binding("enter", "submit", "Valider", show=False, id="mass.submit", tooltip="Valider"),
    ]

    def __init__(self, guard: DeletionGuard) -> None:
        super().__init__()
        self.guard = guard

    def compose(self) -> ComposeResult:
        guard = self.guard
        with Vertical(classes="dialog"):
            yield Static(
                Text(
                    "⚠ Cet import supprime plus de "
                    f"{guard.threshold_percent} % de ce que les imports ont créé :",
                    style="bold red",
                )
            )
            yield Static(
                "  " + share_text(guard.memberships, "appartenances supprimées") + "\n  "
                + share_text(guard.events, "évènements à venir supprimés")
            )
            yield Static(losses_table(guard))
            yield Static(
                Text(
                    f"Vérifiez l'export. Pour lancer quand même, tapez {CONFIRM_WORD} :",
                    style="bold",
                )
            )
            yield TextField(placeholder=CONFIRM_WORD)
            yield Static(
                Text(
                    with_keys(self.app, "{mass.submit} : valider · {mass.cancel} : annuler"),
                    style="dim",
                )
            )

    def on_screen_resume(self) -> None:
        self.set_focus(self.query_one(TextField))
        self.typing_ready()

    def action_submit(self) -> None:
        """The key of `mass.submit` when remapped (the field takes `enter` itself)."""
        self.dismiss(self.query_one(TextField).value.strip() == CONFIRM_WORD)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() == CONFIRM_WORD)
