"""The wizard's steps, in order: the one list the app, the breadcrumb, the help, the command
palette and the resume dialog read.

Each step has its id (the word saved in the session store, `session.store.STEPS`), its French
title, its screen class and its help text. The screen class is named by import path and loaded
when the step is first shown, so this module imports no screen (the screens import it).

A help text names keys by binding id — `{table.activate}` — never by key: the help screen shows
the key bound now (`tui/key_hints.py`), so a key remapped in `config.toml` reads right.
To add a step: its id in `session.store.STEPS` (the order is checked by a test), one `Step` here
at the same place, and its screen, a `StepScreen` in a module of its own under `tui/screens/`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from edt_tui.tui.screens.base import StepScreen


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    title: str
    """French, as the breadcrumb, the palette (`go: …`) and the resume dialog show it."""
    screen: str
    """`module:Class` of its screen, a `StepScreen` subclass."""
    help: str
    """What the step is for and its keys (`{binding.id}` placeholders), shown by `?`."""

    def screen_class(self) -> type[StepScreen]:
        module, _, name = self.screen.partition(":")
        found: type[StepScreen] = getattr(importlib.import_module(module), name)
        return found


_SCREENS = "edt_tui.tui.screens"

ITEM_HELP = (
    "Vert (✔) : reconnu dans l'ENT et importé. Blanc (○) : inconnu de l'ENT, pas importé tant "
    "que vous ne l'ajoutez pas ({table.activate}). Rouge (✖) : désactivé, ses cours ne seront "
    "pas créés. Marquez des lignes ({table.mark}, {table.range} pour une plage, "
    "{table.mark_matching} pour tout ce que montre le filtre) puis {table.activate} / "
    "{table.deactivate} pour les activer / désactiver ; {table.activate_all} / "
    "{table.deactivate_all} : tout activer / tout désactiver."
)


def _people_help(who: str) -> str:
    return (
        f"Sélection des {who}. ✔ Validé : compte ENT reconnu. ✖ Refusé : association "
        "refusée. ✖ Non réconcilié (rouge) : aucun compte, son emploi du temps ne sera pas "
        "importé — {people.suggest} pour voir les comptes proches et en lier un (+ Lié) ; "
        "{table.filter}aucun les filtre. ⇄ À relier : PRONOTE a régénéré ses identifiants, le "
        "compte ENT porte l'ancien IDPN (colonne Ancien IDPN) et ses cours restent tels quels "
        "tant que le lien n'est pas confirmé — {table.filter}relier les filtre, "
        "{table.mark_matching} les marque, {table.activate} les confirme. "
        "{table.activate} : valider, {table.deactivate} : refuser (lignes marquées ou ligne "
        "courante). {people.recommended} : lier d'un coup chaque personne sans compte à son "
        "compte recommandé (la suggestion nettement la meilleure), après confirmation."
    )


STEPS: tuple[Step, ...] = (
    Step(
        "establishment",
        "Établissement",
        f"{_SCREENS}.establishment:EstablishmentScreen",
        "Choisissez l'établissement cible de l'import ({list.choose} sur sa ligne). "
        "Un administrateur d'un seul établissement le trouve déjà sélectionné.",
    ),
    Step(
        "export",
        "Fichier",
        f"{_SCREENS}.export_file:ExportFileScreen",
        "Tapez le chemin du fichier .xml exporté par PRONOTE/EDT puis {export.send}, ou passez "
        "({export.switch}) dans l'arborescence et choisissez le fichier. Un seul fichier à la "
        "fois ; "
        "il est envoyé au service ENT qui vérifie la clé de chiffrement.",
    ),
    Step(
        "summary",
        "Résumé",
        f"{_SCREENS}.summary:SummaryScreen",
        "Vérifiez que le fichier est bien celui de l'établissement choisi (code RNE/UAI). "
        "Un fichier d'un autre établissement est refusé : {step.back} pour en choisir un autre. "
        "Les décisions sont reprises du dernier import manuel ; {summary.reset} : revenir aux "
        "décisions par défaut (après confirmation). "
        "Si PRONOTE a régénéré ses identifiants (changement de version), une ligne le dit : "
        "confirmez ces liens aux étapes Enseignants et Élèves ({table.filter}relier, "
        "{table.mark_matching} puis {table.activate}).",
    ),
    Step(
        "subjects",
        "Matières",
        f"{_SCREENS}.subjects:SubjectsScreen",
        "Sélection des matières. " + ITEM_HELP,
    ),
    Step(
        "classes",
        "Classes",
        f"{_SCREENS}.classes:ClassesScreen",
        "Sélection des classes. " + ITEM_HELP,
    ),
    Step(
        "groups",
        "Groupes",
        f"{_SCREENS}.groups:GroupsScreen",
        "Sélection des groupes : tous sont proposés. Désactivez ({table.deactivate}) ceux dont "
        "vous ne voulez pas les cours. " + ITEM_HELP,
    ),
    Step(
        "courses",
        "Cours",
        f"{_SCREENS}.courses:CoursesScreen",
        "Sélection des cours : l'association des matières, classes et groupes activés produit "
        "les cours à créer dans l'ENT (vert). Désactivez ({table.deactivate}) ceux à ne pas "
        "synchroniser (rouge). {courses.detail} : le cours en détail (enseignants, élèves, salles, "
        "prochains évènements) ; {courses.ignored} : les séances de l'export qui ne produisent "
        "aucun cours, et pourquoi.",
    ),
    Step(
        "teachers",
        "Enseignants",
        f"{_SCREENS}.teachers:TeachersScreen",
        _people_help("enseignants"),
    ),
    Step(
        "students",
        "Élèves",
        f"{_SCREENS}.students:StudentsScreen",
        _people_help("élèves"),
    ),
    Step(
        "launch",
        "Lancement",
        f"{_SCREENS}.launch:LaunchScreen",
        "Résumé de l'import : ce que l'ENT va créer et supprimer. {launch.go} : lancer l'import "
        "(après confirmation, il est mis en liste d'attente du service) ; {launch.history} : "
        "historique des imports. Un import qui supprime plus que le seuil de l'établissement "
        "(suppression massive) montre les cours qui perdent le plus et demande de taper "
        "SUPPRIMER.",
    ),
)

BY_ID: Mapping[str, Step] = {step.id: step for step in STEPS}


def step(step_id: str) -> Step:
    """The step `step_id` (a `KeyError` names an id no step has)."""
    return BY_ID[step_id]


def title(step_id: str) -> str:
    """The step's French title; an unknown id (a damaged session) as it is."""
    found = BY_ID.get(step_id)
    return found.title if found else step_id


def next_step(step_id: str) -> Step:
    index = STEPS.index(BY_ID[step_id])
    return STEPS[min(index + 1, len(STEPS) - 1)]


def previous_step(step_id: str) -> Step:
    return STEPS[max(STEPS.index(BY_ID[step_id]) - 1, 0)]
