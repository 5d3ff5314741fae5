"""`enter` on an unreconciled person: the ENT accounts the service suggests, with their evidence."""

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

from edt_tui.tui.backend import PersonLine, SuggestionLine
from edt_tui.tui.key_hints import with_keys
from edt_tui.tui.screens.choice import CHOOSE, ListChoice
from edt_tui.tui.wording import reasons_text

EVIDENCE_WORDS = {
    "last_name:exact": "nom identique",
    "last_name:close": "nom proche",
    "first_name:exact": "prénom identique",
    "first_name:close": "prénom proche",
    "first_name:prefix": "prénom abrégé",
    "birth_date:exact": "même date de naissance",
    "birth_date:differs": "date de naissance différente",
}


def describe(suggestion: SuggestionLine) -> str:
    evidence = ", ".join(EVIDENCE_WORDS.get(e, e) for e in suggestion.evidence) or "—"
    born = f" né(e) le {suggestion.birth_date}" if suggestion.birth_date else ""
    return (
        f"{suggestion.first_name} {suggestion.last_name}{born} · {suggestion.sync_id} · "
        f"score {suggestion.score:.2f} · {evidence}"
    )


class SuggestionsModal(ListChoice, ModalScreen[str | None]):
    """Pick the ENT account of an unreconciled person (never applied automatically)."""

    AUTO_FOCUS = "OptionList"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Annuler", id="suggest.cancel", tooltip="Fermer"),
        CHOOSE,
    ]

    def __init__(self, person: PersonLine) -> None:
        super().__init__()
        self.person = person

    def compose(self) -> ComposeResult:
        person = self.person
        with Vertical(classes="dialog"):
            yield Static(
                Text(f"{person.display_name} (PRONOTE {person.idpn or '—'})", style="bold")
            )
            yield Static(
                Text(
                    reasons_text(person.reasons, person.detail)
                    or "Aucun compte ENT trouvé automatiquement."
                )
            )
            if person.suggestions:
                yield Static(
                    with_keys(
                        self.app,
                        "Comptes ENT proches ({list.choose} pour lier, {suggest.cancel} pour "
                        "annuler) :",
                    )
                )
                yield OptionList(
                    *[Option(Text(describe(s)), id=s.sync_id) for s in person.suggestions]
                )
            else:
                yield Static(
                    with_keys(
                        self.app,
                        "Aucune suggestion : vérifiez le compte dans l'annuaire de l'ENT "
                        "({suggest.cancel} pour fermer).",
                    )
                )

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
