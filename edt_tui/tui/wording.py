"""French wording of what the engine and the service say in English: reconciliation details
and errors.

The engine explains each person's reconciliation in English for logs and JSON; the admin reads
French. Unknown details are shown as they are rather than hidden.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from edt_tui.client import errors
from edt_tui.client.errors import ServiceError

RULES = {
    "idpn": "le lien PRONOTE (IDPN)",
    "cas": "l'identifiant CAS",
    "identity": "l'identité (nom, prénom, date de naissance)",
}


def _rule(name: str) -> str:
    return RULES.get(name, name)


_PATTERNS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (
        re.compile(r"no ENT account found \(IDPN, CAS, identity\)"),
        lambda m: "Aucun compte ENT trouvé (lien PRONOTE, CAS, identité).",
    ),
    (
        re.compile(r"(\d+) ENT accounts match by (\w+)"),
        lambda m: f"Ambigu : {m[1]} comptes ENT correspondent par {_rule(m[2])}.",
    ),
    (
        re.compile(
            r"account carries another PRONOTE id \((.*)\): ids regenerated\? confirm the relink"
        ),
        lambda m: (
            f"Le compte porte un autre identifiant PRONOTE ({m[1]}) : identifiants régénérés "
            "(changement de version de PRONOTE) ? Confirmez le nouveau lien."
        ),
    ),
    (re.compile(r"matched by (\w+)"), lambda m: f"Reconnu par {_rule(m[1])}."),
    (
        re.compile(r"match refused by the admin"),
        lambda m: "Correspondance refusée par l'administrateur.",
    ),
    (re.compile(r"linked by the admin"), lambda m: "Lié par l'administrateur."),
    (
        re.compile(r"relink confirmed by the admin"),
        lambda m: "Nouveau lien confirmé par l'administrateur.",
    ),
    (
        re.compile(r"ENT account (\S+) is claimed by (\d+) people"),
        lambda m: f"Le compte ENT {m[1]} est revendiqué par {m[2]} personnes.",
    ),
)
_NOT_A_CANDIDATE = re.compile(r"(.*); chosen account '(.*)' is not a candidate")


def reconciliation_detail(detail: str) -> str:
    """The French sentence for one engine detail; the detail itself when it is not known."""
    refused = _NOT_A_CANDIDATE.fullmatch(detail)
    if refused:
        return (
            f"{reconciliation_detail(refused[1])} Le compte choisi « {refused[2]} » n'est pas "
            "un candidat."
        )
    for pattern, french in _PATTERNS:
        match = pattern.fullmatch(detail)
        if match:
            return french(match)
    return detail



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
