"""Why something happened, as a code and its parameters: what the engine and the service report.

The layers that decide (engine, service) say *why* with a `Reason`; the front ends word it in
their language from the code: the CLI in English (`ENGLISH` below, which also writes the English
text fields the API and the CLI's JSON have always carried), the TUI in French
(`edt_tui/tui/wording.py`). A sentence is never parsed back into a reason. On the wire a reason is
`{"code": …, "params": {…}}` (`to_dict` / `from_dict`).

A new reason: a member of `ReasonCode`, its parameters in `PARAMS`, its English template in
`ENGLISH`, its French one in `tui/wording.py` (`tests/test_reasons.py` fails on a missing one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

Param = str | int


class ReasonCode(StrEnum):
    # -- reconciliation of a person (engine/reconciliation.py)
    NO_ACCOUNT = "no_account"
    """No ENT account found by IDPN, CAS login or identity."""
    AMBIGUOUS_MATCH = "ambiguous_match"
    MATCHED = "matched"
    OTHER_PRONOTE_ID = "other_pronote_id"
    """Matched by identity to an account carrying another IDPN: PRONOTE ids regenerated?"""
    MATCH_REFUSED = "match_refused"
    LINKED_BY_ADMIN = "linked_by_admin"
    CHOSEN_NOT_CANDIDATE = "chosen_not_candidate"
    """The account the admin chose is not one of the profile's accounts: the link is not made."""
    RELINK_CONFIRMED = "relink_confirmed"
    ACCOUNT_CLAIMED = "account_claimed"
    """Several people matched one account: none of them gets it."""
    # -- a session of the export that makes no course or no event (engine/courses.py)
    UNDECLARED_SUBJECT = "undeclared_subject"
    NO_SUBJECT = "no_subject"
    UNDECLARED_ITEM = "undeclared_item"
    """One item of the session (class, group, room, teacher…) is declared nowhere: skipped."""
    CLASS_PART_ONLY = "class_part_only"
    MISSING_SLOT = "missing_slot"


PARAMS: Mapping[ReasonCode, tuple[str, ...]] = {
    ReasonCode.NO_ACCOUNT: (),
    ReasonCode.AMBIGUOUS_MATCH: ("count", "rule"),
    ReasonCode.MATCHED: ("rule",),
    ReasonCode.OTHER_PRONOTE_ID: ("idpn",),
    ReasonCode.MATCH_REFUSED: (),
    ReasonCode.LINKED_BY_ADMIN: (),
    ReasonCode.CHOSEN_NOT_CANDIDATE: ("sync_id",),
    ReasonCode.RELINK_CONFIRMED: (),
    ReasonCode.ACCOUNT_CLAIMED: ("sync_id", "count"),
    ReasonCode.UNDECLARED_SUBJECT: ("session", "line", "ident"),
    ReasonCode.NO_SUBJECT: ("session", "line"),
    ReasonCode.UNDECLARED_ITEM: ("session", "line", "kind", "ident"),
    ReasonCode.CLASS_PART_ONLY: ("session", "line"),
    ReasonCode.MISSING_SLOT: ("session", "line", "first", "last"),
}
"""The parameters each code carries. `rule`: a `MatchRule` value; `kind`: the export's element
name (`Classe`, `PartieDeClasse`…); `line`: 0 when the export gave none."""


@dataclass(frozen=True, slots=True)
class Reason:
    """Why: a code and the values its wording quotes (only those `PARAMS` names)."""

    code: ReasonCode
    params: Mapping[str, Param] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        expected = PARAMS[self.code]
        if set(self.params) != set(expected):
            raise ValueError(
                f"reason {self.code.value} takes the parameters {', '.join(expected) or 'none'}, "
                f"not {', '.join(sorted(self.params)) or 'none'}"
            )
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def to_dict(self) -> dict[str, Any]:
        """`{"code": …, "params": {…}}`, as the API carries it."""
        return {"code": self.code.value, "params": dict(self.params)}

    @classmethod
    def from_dict(cls, data: Any) -> Reason | None:
        """The reason a service sent; None for a code this version does not know (a newer
        service) or a malformed value, so the caller shows its text field instead."""
        if not isinstance(data, Mapping) or not isinstance(data.get("params"), Mapping):
            return None
        try:
            code = ReasonCode(str(data.get("code")))
            params = {
                str(k): v for k, v in data["params"].items() if isinstance(v, (str, int))
            }
            return cls(code, params)
        except ValueError:
            return None


def reason(code: ReasonCode, **params: Param) -> Reason:
    """`Reason(code, params)` written as a call: `reason(ReasonCode.MATCHED, rule="cas")`."""
    return Reason(code, params)


ENGLISH: Mapping[ReasonCode, str] = {
    ReasonCode.NO_ACCOUNT: "no ENT account found (IDPN, CAS, identity)",
    ReasonCode.AMBIGUOUS_MATCH: "{count} ENT accounts match by {rule}",
    ReasonCode.MATCHED: "matched by {rule}",
    ReasonCode.OTHER_PRONOTE_ID: (
        "account carries another PRONOTE id ({idpn}): ids regenerated? confirm the relink"
    ),
    ReasonCode.MATCH_REFUSED: "match refused by the admin",
    ReasonCode.LINKED_BY_ADMIN: "linked by the admin",
    ReasonCode.CHOSEN_NOT_CANDIDATE: "chosen account {sync_id!r} is not a candidate",
    ReasonCode.RELINK_CONFIRMED: "relink confirmed by the admin",
    ReasonCode.ACCOUNT_CLAIMED: "ENT account {sync_id} is claimed by {count} people",
    ReasonCode.UNDECLARED_SUBJECT: (
        "{where}: undeclared subject {ident!r}; session skipped — fix the export in PRONOTE/EDT"
    ),
    ReasonCode.NO_SUBJECT: "{where}: no subject; session skipped — fix the export in PRONOTE/EDT",
    ReasonCode.UNDECLARED_ITEM: "{where}: undeclared {item} {ident!r} skipped",
    ReasonCode.CLASS_PART_ONLY: (
        "{where}: only class parts or students, no class or group — attach a group in PRONOTE/EDT"
    ),
    ReasonCode.MISSING_SLOT: (
        "{where}: slots {first}–{last} not in the time grid; no calendar event"
    ),
}
"""Each reason in English: the CLI's words, and the API's English text fields (`detail`).
`{…}` are the reason's `params`, plus the words `english_params` derives."""

ITEM_KINDS: Mapping[str, str] = {
    "Classe": "class",
    "Groupe": "group",
    "PartieDeClasse": "class part",
    "Salle": "room",
    "Professeur": "teacher",
    "Eleve": "student",
    "Personnel": "staff",
    "Materiel": "equipment",
}
"""The export's element names (`UNDECLARED_ITEM`'s `kind`) in English."""


def english_params(reason: Reason) -> dict[str, Param]:
    """`params`, plus the English words some templates need (`where`, `item`)."""
    words: dict[str, Param] = dict(reason.params)
    if "session" in words:
        line = words.get("line")
        words["where"] = f"session #{words['session']}" + (f", line {line}" if line else "")
    if "kind" in words:
        words["item"] = ITEM_KINDS.get(str(words["kind"]), str(words["kind"]))
    return words


def english(reason: Reason) -> str:
    """The reason in English."""
    return ENGLISH[reason.code].format(**english_params(reason))
