"""Step 3 (seed §3.4): the file's establishment code, unique id, encryption and key."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from edt_tui.tui.screens.base import StepScreen
from edt_tui.tui.selection_model import french_int

COUNT_LABELS = {
    "subjects": "Matières",
    "classes": "Classes",
    "class_parts": "Parties de classe",
    "groups": "Groupes",
    "teachers": "Enseignants",
    "students": "Élèves",
    "rooms": "Salles",
    "sessions": "Séances",
}


def _yes_no(value: bool) -> str:
    return "oui" if value else "non"


class SummaryScreen(StepScreen):
    STEP = "summary"
    AUTO_FOCUS = None
    HELP: ClassVar[str] = (
        "Vérifiez que le fichier est bien celui de l'établissement choisi (code RNE/UAI). "
        "Un fichier d'un autre établissement est refusé : échap pour en choisir un autre."
    )

    def body(self) -> ComposeResult:
        yield Static(id="summary")
        yield Static(id="verdict")

    def on_mount(self) -> None:
        super().on_mount()
        export = self.wizard.export
        if export is None:
            self.query_one("#summary", Static).update("Aucun fichier choisi : échap pour revenir.")
            return
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        rows = [
            ("Importation du fichier", export.file_name),
            ("Code RNE du fichier", export.uai),
            ("Établissement cible", self.wizard.uai),
            ("Identifiant unique", export.import_id),
            ("Fichier encrypté", _yes_no(export.encrypted)),
            ("Clé itslearning présente", _yes_no(export.key_present)),
            ("Année scolaire", export.school_year or "?"),
        ]
        for label, value in rows:
            table.add_row(Text(label), Text(value))
        for name, count in export.counts.items():
            label = COUNT_LABELS.get(name, name)
            table.add_row(Text(f"  {label}"), Text(french_int(count)))
        self.query_one("#summary", Static).update(table)
        verdict = self.query_one("#verdict", Static)
        if self.refused:
            reason = export.refusal or (
                f"ce fichier est celui de l'établissement {export.uai}, pas de {self.wizard.uai}"
            )
            verdict.update(
                Text(f"✖ Refusé : {reason}. Échap pour choisir le bon fichier.", style="bold red")
            )
        else:
            warnings = "".join(f"\n⚠ {w}" for w in export.warnings)
            verdict.update(Text(f"✔ Fichier accepté. n : Suivant{warnings}", style="bold green"))

    @property
    def refused(self) -> bool:
        export = self.wizard.export
        if export is None or export.refusal:
            return True
        return export.uai.strip().upper() != self.wizard.uai.strip().upper()

    def can_leave(self) -> bool:
        if self.refused:
            self.notify("Fichier refusé : choisissez l'export de cet établissement.", timeout=3)
            return False
        return True
