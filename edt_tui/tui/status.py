"""Status cells that read without colour: a symbol AND a French word, colour only as a bonus.

Over SSH many terminals have 16 colours or `NO_COLOR`; green/white/red of the seed must still be
told apart, hence `✔ Activé`, `+ Ajouté`, `○ Nouveau`, `✖ Désactivé`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text


@dataclass(frozen=True, slots=True)
class StatusLook:
    symbol: str
    word: str
    style: str

    def text(self) -> Text:
        return Text(f"{self.symbol} {self.word}", style=self.style)


ACTIVE = StatusLook("✔", "Activé", "bold green")
ADDED = StatusLook("+", "Ajouté", "bold green")
NEW = StatusLook("○", "Nouveau", "")
DEACTIVATED = StatusLook("✖", "Désactivé", "bold red")
VALIDATED = StatusLook("✔", "Validé", "bold green")
LINKED = StatusLook("+", "Lié", "bold green")
REFUSED = StatusLook("✖", "Refusé", "bold red")
UNRECONCILED = StatusLook("✖", "Non réconcilié", "bold red")
TO_RELINK = StatusLook("⇄", "À relier", "bold yellow")
"""PRONOTE ids regenerated: the ENT account is known, the new IDPN waits for the admin."""


def item_status(known: bool, active: bool) -> StatusLook:
    """Subjects, classes, groups, courses: known to the ENT (green/red) or new (white/green)."""
    if known:
        return ACTIVE if active else DEACTIVATED
    return ADDED if active else NEW


def person_status(
    has_account: bool, linked: bool, active: bool, relink_pending: bool = False
) -> StatusLook:
    """Teachers and students: validated, linked by hand, refused, unreconciled (red), or a
    relink to confirm (until the admin validates it)."""
    if relink_pending and not active:
        return TO_RELINK
    if not has_account and not linked:
        return UNRECONCILED
    if not active:
        return REFUSED
    return LINKED if linked else VALIDATED
