"""Why something happened, as a code and its parameters: what the engine and the service report.

The layers that decide (engine, service) say *why* with a `Reason`; the front ends word it in
their language from the code: the CLI in English (`ENGLISH`, which also writes the English text
fields the API and the CLI's JSON have always carried), the TUI in French (`FRENCH`, which also
writes the French `reason` the service records in the import history, so the history and the
TUI read the same). A sentence is never parsed back into a reason. On the wire a reason is
`{"code": …, "params": {…}}` (`to_dict` / `from_dict`).

A new reason: a member of `ReasonCode`, its parameters in `PARAMS`, its English template in
`ENGLISH`, its French one in `FRENCH` (`tests/test_reasons.py` fails on a missing one).
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
    # -- why an import job stopped (service: job_failures.py, guards.py, undo.py); the values
    # are stored in `import_jobs.reason_code`: never change one
    DISK_FULL = "disk_full"
    """No space left for the database: nothing half-written, resumable once space is back."""
    STORAGE = "storage"
    """The database could not be written: resumable."""
    INVALID = "invalid"
    """The job cannot be planned (export or selection gone, export unreadable)."""
    INTERNAL = "internal"
    """A bug: the service log has the traceback."""
    RELINK_PENDING = "relink_pending"
    """An automatic import found PRONOTE ids regenerated: only a manual import confirms them."""
    MASS_DELETION = "mass_deletion"
    """More deleted than the establishment's threshold, without the admin's confirmation."""
    UNDO_BUSY = "busy"
    """A job of the establishment is queued, running or to be resumed."""
    UNDO_NOT_AN_IMPORT = "not_an_import"
    UNDO_ALREADY_UNDONE = "already_undone"
    UNDO_NEWER_IMPORT = "newer_import"
    UNDO_NOT_RECORDED = "not_recorded"
    """Applied by a version that did not record what its actions replaced."""
    # -- why an automatic push was refused (service/push.py), stored like the above
    PUSH_WRONG_SECRET = "push_wrong_secret"
    PUSH_EMPTY = "push_empty"
    PUSH_UNDECRYPTABLE = "push_undecryptable"
    PUSH_TOO_LARGE = "push_too_large"
    PUSH_UNREADABLE = "push_unreadable"
    PUSH_OTHER_UAI = "push_other_uai"
    """The file is another establishment's (`file_uai`, empty when it names none)."""
    PUSH_FIRST_MANUAL_IMPORT = "push_first_manual_import"
    PUSH_QUOTA = "push_quota"
    # -- the other ends and turns of a job, told by its `outcome` or its status (service/jobs.py)
    IDENTICAL_PUSH = "identical_push"
    """An automatic push identical to the previous import: recorded, not run (outcome noop)."""
    SUPERSEDED = "superseded"
    CANCELLED = "cancelled"
    STOPPED = "stopped"
    """Its worker stopped renewing its lease and it is not resumed by itself (interrupted)."""
    RESUMED = "resumed"
    """Back in the queue after an interruption (the history's words only: no code stored)."""


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
    ReasonCode.DISK_FULL: (),
    ReasonCode.STORAGE: ("error",),
    ReasonCode.INVALID: ("error",),
    ReasonCode.INTERNAL: ("error",),
    ReasonCode.RELINK_PENDING: ("teachers", "students"),
    ReasonCode.MASS_DELETION: (
        "memberships_deleted", "memberships_total", "memberships_percent", "events_deleted",
        "events_total", "events_percent", "threshold_percent",
    ),
    ReasonCode.UNDO_BUSY: ("date",),
    ReasonCode.UNDO_NOT_AN_IMPORT: (),
    ReasonCode.UNDO_ALREADY_UNDONE: ("date",),
    ReasonCode.UNDO_NEWER_IMPORT: ("date",),
    ReasonCode.UNDO_NOT_RECORDED: (),
    ReasonCode.PUSH_WRONG_SECRET: (),
    ReasonCode.PUSH_EMPTY: (),
    ReasonCode.PUSH_UNDECRYPTABLE: ("error",),
    ReasonCode.PUSH_TOO_LARGE: ("error",),
    ReasonCode.PUSH_UNREADABLE: ("error",),
    ReasonCode.PUSH_OTHER_UAI: ("file_uai", "uai"),
    ReasonCode.PUSH_FIRST_MANUAL_IMPORT: (),
    ReasonCode.PUSH_QUOTA: ("quota",),
    ReasonCode.IDENTICAL_PUSH: (),
    ReasonCode.SUPERSEDED: (),
    ReasonCode.CANCELLED: (),
    ReasonCode.STOPPED: (),
    ReasonCode.RESUMED: (),
}
"""The parameters each code carries. `rule`: a `MatchRule` value; `kind`: the export's element
name (`Classe`, `PartieDeClasse`…); `line`: 0 when the export gave none; `error`: the technical
cause, for the helpdesk; `*_percent`: a decimal number as text (`12.5`); `date`: `JJ/MM/AAAA
HH:MM` in the establishment's time zone."""


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
    ReasonCode.DISK_FULL: (
        "disk full: free some space, then resume the import (nothing was half-written)"
    ),
    ReasonCode.STORAGE: (
        "the ENT database could not be written ({error}); fix it, then resume the import"
    ),
    ReasonCode.INVALID: "the import cannot be planned: {error}",
    ReasonCode.INTERNAL: "internal error ({error})",
    ReasonCode.RELINK_PENDING: (
        "PRONOTE ids regenerated: a manual import must confirm the relink of {teachers} "
        "teacher(s) and {students} student(s) (nothing applied)"
    ),
    ReasonCode.MASS_DELETION: (
        "mass deletion refused: {memberships_deleted} of {memberships_total} memberships "
        "({memberships_percent} %) and {events_deleted} of {events_total} future events "
        "({events_percent} %) deleted, over the establishment's {threshold_percent} % threshold "
        "(nothing applied)"
    ),
    ReasonCode.UNDO_BUSY: (
        "a job of this establishment is queued, running or to be resumed (created {date}): let it "
        "end first"
    ),
    ReasonCode.UNDO_NOT_AN_IMPORT: "only a finished import can be undone",
    ReasonCode.UNDO_ALREADY_UNDONE: "this import is already undone (undo of {date})",
    ReasonCode.UNDO_NEWER_IMPORT: (
        "undo the import of {date} first: only the newest import can be undone"
    ),
    ReasonCode.UNDO_NOT_RECORDED: (
        "this import was applied by an edt-tui version that did not record what its actions "
        "replaced: it cannot be undone"
    ),
    ReasonCode.PUSH_WRONG_SECRET: "push refused: wrong secret in the URL",
    ReasonCode.PUSH_EMPTY: "push refused: the request body is empty",
    ReasonCode.PUSH_UNDECRYPTABLE: "push refused: the file cannot be decrypted ({error})",
    ReasonCode.PUSH_TOO_LARGE: "push refused: the file is over the limits ({error})",
    ReasonCode.PUSH_UNREADABLE: "push refused: the file cannot be read ({error})",
    ReasonCode.PUSH_OTHER_UAI: (
        "push refused: the file is establishment {file_uai_or_none}'s, not {uai}'s"
    ),
    ReasonCode.PUSH_FIRST_MANUAL_IMPORT: "push refused: a first manual import is needed",
    ReasonCode.PUSH_QUOTA: "push refused: {quota} automatic imports already accepted today",
    ReasonCode.IDENTICAL_PUSH: "same file as the previous import: nothing to do",
    ReasonCode.SUPERSEDED: "replaced by a newer automatic push before it started",
    ReasonCode.CANCELLED: "cancelled by an admin",
    ReasonCode.STOPPED: "the import process stopped before the end",
    ReasonCode.RESUMED: "resumed after an interruption",
}
"""Each reason in English: the CLI's words, and the API's English text fields (`detail`).
`{…}` are the reason's `params`, plus the words `english_params` derives."""

ITEM_KINDS_EN: Mapping[str, str] = {
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
        words["item"] = ITEM_KINDS_EN.get(str(words["kind"]), str(words["kind"]))
    if "file_uai" in words:
        words["file_uai_or_none"] = words["file_uai"] or "(no UAI)"
    return words


def english(reason: Reason) -> str:
    """The reason in English."""
    return ENGLISH[reason.code].format(**english_params(reason))


RULES: Mapping[str, str] = {
    "idpn": "le lien PRONOTE (IDPN)",
    "cas": "l'identifiant CAS",
    "identity": "l'identité (nom, prénom, date de naissance)",
}
"""How a person was matched (`MatchRule` values), in French."""

ITEM_KINDS_FR: Mapping[str, str] = {
    "Classe": "classe",
    "Groupe": "groupe",
    "PartieDeClasse": "partie de classe",
    "Salle": "salle",
    "Professeur": "enseignant",
    "Eleve": "élève",
    "Personnel": "personnel",
    "Materiel": "matériel",
}
"""The export's element names (`UNDECLARED_ITEM`'s `kind`) in French."""

FRENCH: Mapping[ReasonCode, str] = {
    ReasonCode.NO_ACCOUNT: "Aucun compte ENT trouvé (lien PRONOTE, CAS, identité).",
    ReasonCode.AMBIGUOUS_MATCH: "Ambigu : {count} comptes ENT correspondent par {rule}.",
    ReasonCode.MATCHED: "Reconnu par {rule}.",
    ReasonCode.OTHER_PRONOTE_ID: (
        "Le compte porte un autre identifiant PRONOTE ({idpn}) : identifiants régénérés "
        "(changement de version de PRONOTE) ? Confirmez le nouveau lien."
    ),
    ReasonCode.MATCH_REFUSED: "Correspondance refusée par l'administrateur.",
    ReasonCode.LINKED_BY_ADMIN: "Lié par l'administrateur.",
    ReasonCode.CHOSEN_NOT_CANDIDATE: "Le compte choisi « {sync_id} » n'est pas un candidat.",
    ReasonCode.RELINK_CONFIRMED: "Nouveau lien confirmé par l'administrateur.",
    ReasonCode.ACCOUNT_CLAIMED: "Le compte ENT {sync_id} est revendiqué par {count} personnes.",
    ReasonCode.UNDECLARED_SUBJECT: (
        "{where} : matière {ident} déclarée nulle part ; séance ignorée, corrigez l'export dans "
        "PRONOTE/EDT"
    ),
    ReasonCode.NO_SUBJECT: (
        "{where} : sans matière ; séance ignorée, corrigez l'export dans PRONOTE/EDT"
    ),
    ReasonCode.UNDECLARED_ITEM: "{where} : {item} {ident} déclaré(e) nulle part, ignoré(e)",
    ReasonCode.CLASS_PART_ONLY: (
        "{where} : seulement des parties de classe ou des élèves, ni classe ni groupe ; "
        "rattachez un groupe dans PRONOTE/EDT"
    ),
    ReasonCode.MISSING_SLOT: (
        "{where} : créneaux {first} à {last} absents de la grille horaire ; pas d'évènement"
    ),
    ReasonCode.DISK_FULL: (
        "Disque plein : libérez de la place puis reprenez l'import (rien n'a été écrit à moitié)"
    ),
    ReasonCode.STORAGE: "Base de données indisponible : {error}",
    ReasonCode.INVALID: "Import impossible : {error}",
    ReasonCode.INTERNAL: "Erreur interne : {error}",
    ReasonCode.RELINK_PENDING: (
        "Identifiants PRONOTE régénérés : un import manuel est nécessaire pour confirmer "
        "{teachers_n} et {students_n}"
    ),
    ReasonCode.MASS_DELETION: (
        "Suppression massive refusée : {memberships_deleted} appartenances sur "
        "{memberships_total} ({memberships_percent}) et {events_deleted} évènements à venir sur "
        "{events_total} ({events_percent}) seraient supprimés, au-delà du seuil de "
        "{threshold_percent} %"
    ),
    ReasonCode.UNDO_BUSY: (
        "Un import est en attente, en cours ou à reprendre (créé le {date}) : attendez sa fin"
    ),
    ReasonCode.UNDO_NOT_AN_IMPORT: "Seul un import terminé peut être annulé",
    ReasonCode.UNDO_ALREADY_UNDONE: "Cet import a déjà été annulé (annulation du {date})",
    ReasonCode.UNDO_NEWER_IMPORT: "Annulez d'abord l'import du {date}",
    ReasonCode.UNDO_NOT_RECORDED: (
        "Cet import a été appliqué par une version d'edt-tui qui ne permettait pas de l'annuler"
    ),
    ReasonCode.PUSH_WRONG_SECRET: "Envoi refusé : secret de l'URL incorrect",
    ReasonCode.PUSH_EMPTY: "Envoi refusé : le corps de la requête est vide",
    ReasonCode.PUSH_UNDECRYPTABLE: "Envoi refusé : fichier indéchiffrable ({error})",
    ReasonCode.PUSH_TOO_LARGE: "Envoi refusé : fichier hors limites ({error})",
    ReasonCode.PUSH_UNREADABLE: "Envoi refusé : fichier illisible ({error})",
    ReasonCode.PUSH_OTHER_UAI: (
        "Envoi refusé : le fichier est celui de l'établissement {file_uai_or_none}, pas de {uai}"
    ),
    ReasonCode.PUSH_FIRST_MANUAL_IMPORT: "Envoi refusé : Un premier import manuel est nécessaire",
    ReasonCode.PUSH_QUOTA: (
        "Envoi refusé : {quota} imports automatiques déjà acceptés aujourd'hui"
    ),
    ReasonCode.IDENTICAL_PUSH: "Fichier identique au précédent : aucune action",
    ReasonCode.SUPERSEDED: "Remplacé par un envoi automatique plus récent",
    ReasonCode.CANCELLED: "Annulé par l'administrateur",
    ReasonCode.STOPPED: "Le processus d'import s'est arrêté en cours de route",
    ReasonCode.RESUMED: "Repris après une interruption",
}
"""Each reason in French: the TUI's words, and the `reason` the service records in the history.
`{…}` are the reason's `params`, plus the words `french_params` derives."""


def _n(value: Param) -> str:
    """A count with the French thousands separator (narrow no-break space)."""
    return f"{int(value):,}".replace(",", "\u202f")


def _pct(value: Param) -> str:
    """`12,5 %`."""
    return f"{float(value):g}".replace(".", ",") + " %"


def french_params(reason: Reason) -> dict[str, Param]:
    """`params`, plus the French words some templates need."""
    words: dict[str, Param] = dict(reason.params)
    if "rule" in words:
        words["rule"] = RULES.get(str(words["rule"]), str(words["rule"]))
    if "session" in words:
        line = words.get("line")
        words["where"] = f"Séance n° {words['session']}" + (f" (ligne {line})" if line else "")
    if "kind" in words:
        words["item"] = ITEM_KINDS_FR.get(str(words["kind"]), str(words["kind"]))
    if "file_uai" in words:
        words["file_uai_or_none"] = words["file_uai"] or "(sans UAI)"
    if reason.code is ReasonCode.RELINK_PENDING:
        for key, noun in (("teachers", "enseignant"), ("students", "élève")):
            count = int(words[key])
            words[f"{key}_n"] = f"{_n(count)} {noun}{'s' if count > 1 else ''}"
    if reason.code is ReasonCode.MASS_DELETION:
        for key in ("memberships", "events"):
            words[f"{key}_deleted"] = _n(words[f"{key}_deleted"])
            words[f"{key}_total"] = _n(words[f"{key}_total"])
            words[f"{key}_percent"] = _pct(words[f"{key}_percent"])
    return words


def french(reason: Reason) -> str:
    """The reason in French."""
    return FRENCH[reason.code].format(**french_params(reason))
