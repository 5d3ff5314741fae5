"""Which planned jobs the service refuses before applying anything (import rules §9 as amended).

- An automatic import with pending relinks (PRONOTE ids regenerated): only a manual import can
  confirm them, so the push is refused; the stored export stays available for the wizard.
- A mass deletion (the plan's verdict against the establishment's threshold): refused for an
  automatic import, and for a manual one the admin did not explicitly confirm.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from edt_tui.engine.plan import Plan
from edt_tui.engine.report import guard_to_dict
from edt_tui.service.vocabulary import (
    RefusalCode,
    mass_deletion_reason,
    relink_pending_reason,
)


class Refused(Exception):
    """The job must not run: its code, parameters and French reason for the history."""

    def __init__(self, code: RefusalCode, params: Mapping[str, Any], reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.params = dict(params)
        self.reason = reason


def relink_refusal(plan: Plan) -> Refused | None:
    teachers, students = plan.teacher_count.relink_pending, plan.student_count.relink_pending
    if not teachers and not students:
        return None
    return Refused(
        RefusalCode.RELINK_PENDING, {"teachers": teachers, "students": students},
        relink_pending_reason(teachers, students),
    )


def mass_deletion_refusal(plan: Plan) -> Refused | None:
    if not plan.deletions.mass_deletion:
        return None
    guard = guard_to_dict(plan)
    return Refused(RefusalCode.MASS_DELETION, guard, mass_deletion_reason(guard))


def check_job(plan: Plan, *, automatic: bool, allow_mass_deletion: bool) -> None:
    """Raise `Refused` when the job's plan must not be applied (relinks first: they explain)."""
    refusal = relink_refusal(plan) if automatic else None
    if refusal is None and (automatic or not allow_mass_deletion):
        refusal = mass_deletion_refusal(plan)
    if refusal is not None:
        raise refusal
