"""French wording of what the engine, the reader and the service report: the reasons (people's
reconciliation, ignored sessions, why a job stopped), the export's warnings and errors.

Reasons come as a code and its parameters (`edt_tui.reasons.Reason`) and are worded from those
(`reasons.FRENCH`, one template per `ReasonCode`, which the service also records as the history's
French `reason`), never from an English sentence. The reader's warnings likewise come with a
code, a case and the values they quote (`ExportWarning`). What a newer service sends that this
version does not know is shown as the service wrote it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from edt_tui.client import errors
from edt_tui.client.errors import ServiceError
from edt_tui.client.imports import ImportJob
from edt_tui.reasons import Reason, french
from edt_tui.tui.backend import ExportCheck


def job_reason(job: ImportJob) -> str:
    """Why a job ended so, in French: from its `why` when the service sent one this version
    knows, else its `reason` as recorded (pushes, resumes, older entries)."""
    why = Reason.from_dict(job.why.model_dump()) if job.why else None
    return french(why) if why else job.reason or ""


def reasons_text(reasons: Iterable[Reason], fallback: str = "") -> str:
    """Several reasons in French, one sentence each; `fallback` (the service's English text)
    when there are none (a service that sent none this version knows)."""
    return " ".join(french(r) for r in reasons) or fallback


WARNING_KINDS = {
    "subject": "de la matière (Matiere)",
    "teacher": "de l'enseignant (Professeur)",
    "staff": "du personnel (Personnel)",
    "class": "de la classe (Classe)",
    "class_part": "de la partie de classe (PartieDeClasse)",
    "group": "du groupe (Groupe)",
    "room": "de la salle (Salle)",
    "equipment": "du matériel (Materiel)",
    "student": "de l'élève (Eleve)",
}
"""What a dangling reference points to, in French (the export's element name kept)."""

WARNING_USERS = {
    "session": "la séance n° {user_ident}",
    "class": "la classe {user_ident}",
    "group": "le groupe {user_ident}",
    "student": "l'élève {user_ident}",
}
"""Who refers to it."""

MISSING_SECTIONS = {"AnneeScolaire": "l'année scolaire", "GrilleHoraire": "la grille horaire"}

EXPORT_WARNINGS: Mapping[tuple[str, str], str] = {
    ("unknown_section", ""): "section inconnue <{element}> ignorée avec tout son contenu",
    ("unknown_element", ""): "élément inconnu <{element}> dans <{section}> ignoré",
    ("duplicate_ident", ""): (
        "l'identifiant {ident} de <{element}> est déclaré deux fois : la première déclaration "
        "est gardée"
    ),
    ("missing_section", ""): (
        "<{element}> ({section}) absente : les séances ne peuvent pas être datées"
    ),
    ("dangling_reference", ""): (
        "l'identifiant {ident} {kind}, utilisé par {user}{others}, n'est déclaré nulle part"
    ),
    ("outside_working_days", ""): (
        "la séance n° {session} a lieu le jour {day}, qui n'est pas un jour ouvré de la grille "
        "horaire"
    ),
    ("too_many_warnings", ""): (
        "{count} avertissement(s) de plus non listé(s) (seuls les {kept} premiers sont gardés)"
    ),
    ("uai_mismatch", ""): (
        "l'enveloppe annonce l'UAI {envelope_uai} mais l'emploi du temps dit {timetable_uai} "
        "(celui de l'emploi du temps est retenu)"
    ),
    ("bad_value", "no_ident"): "élément <{element}> sans Ident ignoré",
    ("bad_value", "bad_date"): (
        "{attribute}=« {value} » sur <{element}> n'est pas une date (valeur ignorée)"
    ),
    ("bad_value", "no_weeks"): (
        "<{element} Ident={ident}> sans masque de semaines ({attribute}) : jamais de séance"
    ),
    ("bad_value", "bad_weeks"): (
        "{attribute}=« {value} » sur <{element}> n'est pas un masque de semaines : jamais de "
        "séance"
    ),
    ("bad_value", "bad_school_year"): (
        "<AnneeScolaire> : DateDebut, DateFin ou DatePremierJourSemaine1 absente ou invalide, "
        "aucune séance ne peut être datée"
    ),
    ("bad_value", "school_year_out_of_range"): (
        "<AnneeScolaire> : une date en {year}, hors de {first}-{last}, aucune séance ne peut être "
        "datée"
    ),
    ("bad_value", "bad_day"): "élément <Jour>{value}</Jour> ignoré",
    ("bad_value", "bad_slot"): "élément <Place> sans Numero ou horaire valide ignoré",
    ("bad_value", "bad_session"): (
        "la séance n° {session} a un Jour, NumeroPlaceDebut ou NombrePlaces absent ou invalide : "
        "elle est ignorée"
    ),
    ("bad_value", "second_subject"): (
        "la séance n° {session} a une seconde <Matiere> (Ident {ident}), ignorée"
    ),
    ("bad_value", "no_subject"): "la séance n° {session} n'a pas de <Matiere>",
}
"""Each reader warning (code, case) in French; `{…}` are its `params`."""


def _warning_params(code: str, params: Mapping[str, str]) -> dict[str, str]:
    """`params`, plus the French words some templates need."""
    words = dict(params)
    if code == "dangling_reference":
        words["kind"] = WARNING_KINDS.get(params["kind"], params["kind"])
        user = WARNING_USERS.get(params["user"], params["user"] + " {user_ident}")
        words["user"] = user.format(user_ident=params["user_ident"])
        others = int(params.get("others") or 0)
        words["others"] = f" et {others} autre(s) endroit(s)" if others else ""
    elif code == "missing_section":
        words["section"] = MISSING_SECTIONS.get(params["element"], params["element"])
    return words


def export_warning_text(warning: Mapping[str, Any]) -> str:
    """One reader warning (`ExportWarning.to_dict()`) in French, with its line; its English
    message when the code is unknown here (a newer reader) or a value is missing."""
    code, case = str(warning.get("code") or ""), str(warning.get("case") or "")
    template = EXPORT_WARNINGS.get((code, case))
    params = warning.get("params")
    try:
        if template is None or not isinstance(params, Mapping):
            raise KeyError(code)
        sentence = template.format(**_warning_params(code, params))
    except (KeyError, ValueError):
        sentence = str(warning.get("message") or code)
    line = warning.get("line")
    return f"ligne {line} : {sentence}" if line else sentence[:1].upper() + sentence[1:]


def export_warnings(export: ExportCheck) -> list[str]:
    """The export's warnings as the Résumé shows them: in French from their details, or as the
    service wrote them for an export or a session saved before warnings had details."""
    if export.warning_details:
        return [export_warning_text(w) for w in export.warning_details]
    return list(export.warnings)


SERVICE_ERRORS: tuple[tuple[type[ServiceError], str, bool], ...] = (
    (errors.ServiceUnreachableError, "le service ENT ne répond pas : vérifiez qu'il tourne et "
     "l'adresse donnée par --ent", False),
    (errors.UnauthorizedError, "jeton d'accès absent ou refusé : donnez-le avec --token ou "
     "$EDT_TUI_TOKEN (un administrateur le crée avec « edt-tui ent token create »)", False),
    (errors.ForbiddenError, "ce jeton d'accès ne permet pas cette opération", False),
    (errors.NotFoundError, "introuvable pour cet établissement sur le service ENT", False),
    (errors.RateLimitedError, "le service ENT est occupé : réessayez dans un moment", False),
    (errors.TooLargeError, "fichier trop volumineux pour le service ENT", True),
    (errors.UaiMismatchError, "ce fichier est celui d'un autre établissement", False),
    (errors.UndecryptableError, "fichier chiffré illisible avec la clé du service ENT (clé du "
     "partenaire absente du fichier, ou autre clé)", True),
    (errors.BadExportError, "fichier d'export illisible", True),
    (errors.ValidationProblemError, "demande refusée par le service ENT", True),
    (errors.ConflictError, "le service ENT refuse : l'état de l'import ne le permet pas", True),
    (errors.ServiceError, "le service ENT a répondu par une erreur", True),
)
"""(error, French sentence, whether the service's technical detail follows): most specific
first. The detail (file, line, element) stays as the service wrote it, for the helpdesk."""


def error_text(error: BaseException | None) -> str:
    """An error as the admin reads it, in French."""
    if error is None:
        return ""
    for kind, sentence, with_detail in SERVICE_ERRORS:
        if isinstance(error, kind):
            detail = error.detail if with_detail else None
            return f"{sentence} (détail : {detail})" if detail else sentence
    if isinstance(error, OSError):
        where = f" : {error.filename}" if error.filename else ""
        return f"accès au fichier impossible ({error.strerror or error}){where}"
    return str(error)
