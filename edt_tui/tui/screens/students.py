"""Step 9 (seed §3.10): the export's students, their class and birth date, and ENT accounts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from edt_tui.dates import french_date
from edt_tui.tui.backend import WizardPlan
from edt_tui.tui.screens.people import PeopleStepScreen
from edt_tui.tui.selection_model import Column


class StudentsScreen(PeopleStepScreen):
    EMPTY = "Aucun élève dans cet export : {step.next} pour continuer."

    def rows(self, plan: WizardPlan) -> Sequence[Any]:
        return plan.students

    def columns(self) -> Sequence[Column[Any]]:
        return self.people_columns(
            [
                Column("classes", "Classe", lambda p: p.classes),  # homonyms apart
                Column("born", "Né(e) le", lambda p: french_date(p.birth_date), width=10),
            ]
        )
