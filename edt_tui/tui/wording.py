"""French wording of the engine's reconciliation details (the engine and the API speak English).

The engine explains each person's reconciliation in English for logs and JSON; the admin reads
French. Unknown details are shown as they are rather than hidden.
"""

from __future__ import annotations

import re
from collections.abc import Callable

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
