"""The CLI's English words for the import history (the TUI shows the French labels).

The CLI is in English; helpdesk staff still need the French label the admin sees in the TUI,
so a status reads `done (Fait)`: the contract code, then the TUI's label.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from edt_tui.engine.model import ActionType

ACTION_NAMES: dict[ActionType, str] = {
    ActionType.CREATE_COURSE: "course creation",
    ActionType.CREATE_HIERARCHY_NODE: "hierarchy node creation",
    ActionType.CREATE_MEMBERSHIP: "membership creation",
    ActionType.DELETE_MEMBERSHIP: "membership deletion",
    ActionType.CREATE_EVENT: "event creation",
    ActionType.UPDATE_EVENT: "event update",
    ActionType.DELETE_EVENT: "event deletion",
    ActionType.DELETE_HIERARCHY_NODE: "hierarchy node deletion",
    ActionType.DELETE_COURSE: "course deletion",
}
"""The recap's rows, in execution order (French twin: vocabulary.ACTION_LABELS)."""


def deletion_counts(guard: Mapping[str, Any]) -> str:
    """`12 of 40 memberships (30.0 %) and 0 of 100 future events (0.0 %), over the 20 % …`"""
    m, e = guard.get("memberships") or {}, guard.get("events") or {}
    return (
        f"{m.get('deleted', 0)} of {m.get('total', 0)} memberships ({m.get('percent', 0)} %) and "
        f"{e.get('deleted', 0)} of {e.get('total', 0)} future events ({e.get('percent', 0)} %) "
        f"deleted, over the establishment's {guard.get('threshold_percent', '?')} % threshold"
    )


def status_text(code: str, label: str) -> str:
    """`done (Fait)`: the contract word, then the TUI's French label when there is one."""
    return f"{code} ({label})" if label else code


def reason_text(job: Mapping[str, Any]) -> str:
    """A job's reason for the CLI: English (from its `why`, `reasons.ENGLISH`, when the service
    sent one this version knows), followed by the French text as recorded (what the TUI shows);
    otherwise the recorded text alone."""
    reason = str(job.get("reason") or "")
    english = _english_reason(job, reason)
    return f"{english} ({reason})" if english and reason else english or reason


def _english_reason(job: Mapping[str, Any], reason: str) -> str | None:
    from edt_tui.reasons import Reason, ReasonCode, english
    from edt_tui.service.jobs import RESUMED
    from edt_tui.service.vocabulary import FIRST_MANUAL_IMPORT_REQUIRED

    why = Reason.from_dict(job.get("why"))
    if why is not None:
        return english(why)
    # Below: a resumed job (no code stored), and the rows recorded by versions that stored
    # the French text alone (refused pushes, failures).
    if reason == RESUMED:
        return english(Reason(ReasonCode.RESUMED))
    if FIRST_MANUAL_IMPORT_REQUIRED in reason:
        return "push refused: a first manual import is needed"
    if reason.startswith("Envoi refusé"):
        return "push refused"
    if reason.startswith("Erreur interne"):
        return "internal error"
    return None


IGNORED_REASONS: dict[str, str] = {
    "class_part_only": "class part only (its class is not in the session)",
    "missing_slot": "slot missing from the timetable grid",
    "unknown_reference": "unknown reference in the export",
}
"""Why a session makes no course, as `history --job` says it."""
