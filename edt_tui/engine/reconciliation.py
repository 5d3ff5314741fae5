"""Reconciling export people with ENT accounts (import-rules §7).

Rules in order, the first that finds any candidate decides: IDPN link, CAS login, identity.
One ENT account serves one person at most. Admin decisions (`Selection.people`) come last: refuse
a match, link to a chosen account, confirm a relink after PRONOTE ids were regenerated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from edt_tui.engine.model import DirectoryUser, Profile, UserSource
from edt_tui.engine.normalize import norm
from edt_tui.engine.selection import PersonChoice, Selection, person_key
from edt_tui.engine.suggestions import CLEAR_MARGIN, Suggestion, SuggestionIndex
from edt_tui.reasons import Reason, ReasonCode, english, reason


class MatchRule(StrEnum):
    IDPN = "idpn"
    CAS = "cas"
    IDENTITY = "identity"
    MANUAL = "manual"
    """Linked by the admin (a validated suggestion)."""


class PersonStatus(StrEnum):
    RECONCILED = "reconciled"
    UNRECONCILED = "unreconciled"
    AMBIGUOUS = "ambiguous"
    REFUSED = "refused"
    RELINK_REQUIRED = "relink_required"


@dataclass(frozen=True, slots=True)
class PersonRow:
    """One teacher or student of the export and what became of them."""

    key: str
    """Selection key: IDPN, else `<profile>:<export ident>`."""
    profile: Profile
    ident: str
    last_name: str
    first_name: str
    birth_date: date | None
    idpn: str | None
    status: PersonStatus
    sync_id: str | None = None
    """The ENT account: matched (reconciled), proposed (relink_required) or refused."""
    rule: MatchRule | None = None
    candidates: tuple[str, ...] = ()
    """Every account the deciding rule found (several when ambiguous)."""
    suggestions: tuple[Suggestion, ...] = ()
    reasons: tuple[Reason, ...] = ()
    """Why this status: the rule's verdict, then the admin's decision when it could not apply
    (a chosen account that is not a candidate)."""
    classes: str = ""
    """A student's class names on D, as the export names them (empty for teachers)."""
    previous_idpn: str | None = None
    """The IDPN the account already carries when it differs from `idpn` (PRONOTE ids
    regenerated): set while the relink is pending and once the admin confirmed it."""

    @property
    def detail(self) -> str:
        """The reasons in English (logs, the API's `detail`)."""
        return "; ".join(english(r) for r in self.reasons)

    @property
    def reconciled(self) -> bool:
        return self.status is PersonStatus.RECONCILED

    @property
    def relink_pending(self) -> bool:
        """Matched by identity to an account carrying another IDPN, not yet confirmed: what the
        account has in the ENT is kept as it is (neither removed nor extended)."""
        return self.status is PersonStatus.RELINK_REQUIRED and self.sync_id is not None

    @property
    def recommended(self) -> Suggestion | None:
        """The best suggestion when it clearly beats the runner-up."""
        if self.suggestions and self.suggestions[0].margin >= CLEAR_MARGIN:
            return self.suggestions[0]
        return None


@dataclass(frozen=True, slots=True)
class PersonInput:
    """What the export says about a person, whatever their type (Professeur or Eleve)."""

    ident: str
    last_name: str
    first_name: str
    birth_date: date | None
    idpn: str | None
    idcas: str | None
    classes: str = ""
    """A student's class names on D (`3A` or `3A, 3 ULIS`): tells homonyms apart."""


def _identity(profile: Profile, last: str, first: str, birth: date | None) -> tuple[object, ...]:
    names = (norm(last), norm(first))
    return (*names, birth) if profile is Profile.STUDENT else names


def reconcile(
    profile: Profile,
    people: Sequence[PersonInput],
    directory: Sequence[DirectoryUser],
    selection: Selection,
) -> Mapping[str, PersonRow]:
    """Rows by export ident, in export order."""
    sources = (UserSource.AAF, UserSource.CSV)
    candidates = [u for u in directory if u.profile is profile and u.source in sources]
    by_sync = {u.sync_id: u for u in candidates}
    by_idpn: dict[str, list[str]] = defaultdict(list)
    by_cas: dict[str, list[str]] = defaultdict(list)
    by_identity: dict[tuple[object, ...], list[str]] = defaultdict(list)
    for user in candidates:
        if user.idpn:
            by_idpn[user.idpn].append(user.sync_id)
        if user.cas_login and user.cas_login.strip():
            by_cas[user.cas_login.strip()].append(user.sync_id)
        if profile is not Profile.STUDENT or user.birth_date is not None:
            key = _identity(profile, user.last_name, user.first_name, user.birth_date)
            by_identity[key].append(user.sync_id)

    rows: dict[str, PersonRow] = {}
    for person in people:
        row = _automatic(profile, person, by_sync, by_idpn, by_cas, by_identity)
        rows[person.ident] = _apply_decision(row, selection, by_sync)
    rows = _one_account_one_person(rows)
    return _with_suggestions(profile, rows, candidates)


def _automatic(
    profile: Profile,
    person: PersonInput,
    by_sync: Mapping[str, DirectoryUser],
    by_idpn: Mapping[str, list[str]],
    by_cas: Mapping[str, list[str]],
    by_identity: Mapping[tuple[object, ...], list[str]],
) -> PersonRow:
    base = PersonRow(
        key=person_key(profile, person.ident, person.idpn),
        profile=profile,
        ident=person.ident,
        last_name=person.last_name,
        first_name=person.first_name,
        birth_date=person.birth_date,
        idpn=person.idpn,
        status=PersonStatus.UNRECONCILED,
        reasons=(reason(ReasonCode.NO_ACCOUNT),),
        classes=person.classes,
    )
    found: list[str] = []
    rule: MatchRule | None = None
    if person.idpn and by_idpn.get(person.idpn):
        found, rule = by_idpn[person.idpn], MatchRule.IDPN
    elif person.idcas and person.idcas.strip() and by_cas.get(person.idcas.strip()):
        found, rule = by_cas[person.idcas.strip()], MatchRule.CAS
    elif profile is not Profile.STUDENT or person.birth_date is not None:
        key = _identity(profile, person.last_name, person.first_name, person.birth_date)
        if by_identity.get(key):
            found, rule = by_identity[key], MatchRule.IDENTITY
    if rule is None:
        return base
    if len(found) > 1:
        return replace(
            base,
            status=PersonStatus.AMBIGUOUS,
            rule=rule,
            candidates=tuple(sorted(found)),
            reasons=(reason(ReasonCode.AMBIGUOUS_MATCH, count=len(found), rule=rule.value),),
        )
    sync_id = found[0]
    account_idpn = by_sync[sync_id].idpn
    if rule is MatchRule.IDENTITY and account_idpn and person.idpn and account_idpn != person.idpn:
        return replace(
            base,
            status=PersonStatus.RELINK_REQUIRED,
            sync_id=sync_id,
            rule=rule,
            candidates=(sync_id,),
            previous_idpn=account_idpn,
            reasons=(reason(ReasonCode.OTHER_PRONOTE_ID, idpn=account_idpn),),
        )
    return replace(
        base,
        status=PersonStatus.RECONCILED,
        sync_id=sync_id,
        rule=rule,
        candidates=(sync_id,),
        reasons=(reason(ReasonCode.MATCHED, rule=rule.value),),
    )


def _apply_decision(
    row: PersonRow, selection: Selection, by_sync: Mapping[str, DirectoryUser]
) -> PersonRow:
    decision = selection.people.get(row.key)
    if decision is None or decision.choice is PersonChoice.VALIDATE:
        return row
    if decision.choice is PersonChoice.REFUSE:
        return replace(
            row, status=PersonStatus.REFUSED, reasons=(reason(ReasonCode.MATCH_REFUSED),)
        )
    if decision.choice is PersonChoice.LINK:
        if decision.sync_id in by_sync:
            return replace(
                row,
                status=PersonStatus.RECONCILED,
                sync_id=decision.sync_id,
                rule=MatchRule.MANUAL,
                reasons=(reason(ReasonCode.LINKED_BY_ADMIN),),
            )
        refused = reason(ReasonCode.CHOSEN_NOT_CANDIDATE, sync_id=str(decision.sync_id))
        return replace(row, reasons=(*row.reasons, refused))
    # CONFIRM_RELINK
    if row.status is PersonStatus.RELINK_REQUIRED and decision.sync_id in (None, row.sync_id):
        return replace(
            row, status=PersonStatus.RECONCILED, reasons=(reason(ReasonCode.RELINK_CONFIRMED),)
        )
    return row


def _one_account_one_person(rows: dict[str, PersonRow]) -> dict[str, PersonRow]:
    """Two people claiming one account are both unreconciled, unless one was linked by hand."""
    claims: dict[str, list[str]] = defaultdict(list)
    for ident, row in rows.items():
        if row.sync_id and row.status in (PersonStatus.RECONCILED, PersonStatus.RELINK_REQUIRED):
            claims[row.sync_id].append(ident)
    result = dict(rows)
    for sync_id, idents in claims.items():
        if len(idents) < 2:
            continue
        manual = [i for i in idents if rows[i].rule is MatchRule.MANUAL]
        losers = [i for i in idents if i not in manual] if len(manual) == 1 else idents
        for ident in losers:
            result[ident] = replace(
                rows[ident],
                status=PersonStatus.UNRECONCILED,
                sync_id=None,
                reasons=(reason(ReasonCode.ACCOUNT_CLAIMED, sync_id=sync_id, count=len(idents)),),
            )
    return result


def _with_suggestions(
    profile: Profile, rows: dict[str, PersonRow], candidates: Sequence[DirectoryUser]
) -> dict[str, PersonRow]:
    pending = [i for i, r in rows.items() if r.status is not PersonStatus.RECONCILED]
    if not pending:
        return rows
    taken = frozenset(r.sync_id for r in rows.values() if r.reconciled and r.sync_id)
    index = SuggestionIndex(candidates)
    for ident in pending:
        row = rows[ident]
        suggestions = index.suggest(
            row.last_name,
            row.first_name,
            row.birth_date,
            use_birth_date=profile is Profile.STUDENT,
            excluded=taken,
        )
        rows[ident] = replace(row, suggestions=suggestions)
    return rows
