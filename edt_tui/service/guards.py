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
from edt_tui.reasons import Reason, ReasonCode, french
from edt_tui.service.vocabulary import RefusalCode
from edt_tui.wire import Guard


class Refused(Exception):
    """The job must not run: its code, its stored parameters (a mass deletion's whole `guard`
    document) and its reason."""

    def __init__(self, code: RefusalCode, params: Mapping[str, Any], why: Reason) -> None:
        super().__init__(french(why))
        self.code = code
        self.params = dict(params)
        self.why = why

    @property
    def reason(self) -> str:
        """What the history records (French)."""
        return french(self.why)


def refusal_reason(code: RefusalCode, params: Mapping[str, Any]) -> Reason:
    """The reason of a refusal from its stored parameters (the counts, or the `guard`)."""
    if code is RefusalCode.RELINK_PENDING:
        return Reason(ReasonCode.RELINK_PENDING, {
            "teachers": int(params["teachers"]), "students": int(params["students"]),
        })
    m, e = params["memberships"], params["events"]
    return Reason(ReasonCode.MASS_DELETION, {
        "memberships_deleted": int(m["deleted"]), "memberships_total": int(m["total"]),
        "memberships_percent": str(m["percent"]), "events_deleted": int(e["deleted"]),
        "events_total": int(e["total"]), "events_percent": str(e["percent"]),
        "threshold_percent": int(params["threshold_percent"]),
    })


def relink_refusal(plan: Plan) -> Refused | None:
    teachers, students = plan.teacher_count.relink_pending, plan.student_count.relink_pending
    if not teachers and not students:
        return None
    params = {"teachers": teachers, "students": students}
    return Refused(
        RefusalCode.RELINK_PENDING, params, refusal_reason(RefusalCode.RELINK_PENDING, params)
    )


def mass_deletion_refusal(plan: Plan) -> Refused | None:
    if not plan.deletions.mass_deletion:
        return None
    guard = Guard.of(plan).model_dump(mode="json")
    return Refused(
        RefusalCode.MASS_DELETION, guard, refusal_reason(RefusalCode.MASS_DELETION, guard)
    )


def check_job(plan: Plan, *, automatic: bool, allow_mass_deletion: bool) -> None:
    """Raise `Refused` when the job's plan must not be applied (relinks first: they explain)."""
    refusal = relink_refusal(plan) if automatic else None
    if refusal is None and (automatic or not allow_mass_deletion):
        refusal = mass_deletion_refusal(plan)
    if refusal is not None:
        raise refusal
