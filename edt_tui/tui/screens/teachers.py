"""Step 8 (seed §3.10): the export's teachers and their ENT accounts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from edt_tui.tui.backend import WizardPlan
from edt_tui.tui.screens.people import PeopleStepScreen


class TeachersScreen(PeopleStepScreen):
    EMPTY = "Aucun enseignant dans cet export : {step.next} pour continuer."

    def rows(self, plan: WizardPlan) -> Sequence[Any]:
        return plan.teachers
