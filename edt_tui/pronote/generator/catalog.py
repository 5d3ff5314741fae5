"""What a French collège or lycée teaches, as PRONOTE labels and codes, and how many hours.

Subject labels and codes follow real exports (upper case, abbreviated, `&`, local codes with
spaces) and the seed's screenshots (§3.5, §3.8). A level's plan says which subjects are taught
to the whole class, which to half classes (swapped pairs, or alternating A/B weeks), and which
through option blocks cutting across classes (LV2, Latin, spécialités).
"""

from __future__ import annotations

from dataclasses import dataclass

SUBJECTS: tuple[tuple[str, str], ...] = (
    # (code, label): the seed's local subjects first, in the seed's order, then national ones.
    ("ACCM2", "ACCUEIL CM2"),
    ("ACTED", "ACTIVITES EDUCATIVES"),
    ("AEADL", "AE-AID DEVOIR LECON"),
    ("AEPAC", "AE-PRATIQ ART CULTUR"),
    ("AP", "AID ACCOM TRAV PERSO"),
    ("AIDES", "AIDE ESPAGNOL"),
    ("ALPHA", "ALPHABETISATION"),
    ("BILAN", "BILAN CLASSE"),
    ("CSEGP", "CONCERTATION SEGPA"),
    ("ELOQ", "CONCOURS ELOQUENCE"),
    ("CSCIE", "CONCRETATION SCIENCES"),
    ("DEVC", "DEVOIRS COMMUNS"),
    ("DEVF", "DEVOIRS FAITS"),
    ("EDART", "EDUCATION ARTISTIQUE"),
    ("EDMED", "EDUCATION MEDIA"),
    ("EMC", "ENS. MORAL & CIVIQUE"),
    ("EVAL NUM", "Evaluation Numérique"),
    ("FRANC", "FRANCAIS"),
    ("MATHS", "MATHEMATIQUES"),
    ("AGL1", "ANGLAIS LV1"),
    ("ALL2", "ALLEMAND LV2"),
    ("ESP2", "ESPAGNOL LV2"),
    ("ITA2", "ITALIEN LV2"),
    ("HIGEO", "HISTOIRE-GEOGRAPHIE"),
    ("SVT", "SCIENCES VIE & TERRE"),
    ("PH-CH", "PHYSIQUE-CHIMIE"),
    ("TECHN", "TECHNOLOGIE"),
    ("A-PLA", "ARTS PLASTIQUES"),
    ("EDMUS", "EDUCATION MUSICALE"),
    ("EPS", "ED.PHYSIQUE & SPORT."),
    ("LCALA", "LCA LATIN"),
    ("ACULI", "ACC ULIS"),
    ("VIECL", "VIE DE CLASSE"),
    ("SES", "SC. ECONO.& SOCIALES"),
    ("SNT", "SC. NUMERIQ. TECHNOL."),
    ("ENSSC", "ENSEIGN.SCIENTIFIQUE"),
    ("PHILO", "PHILOSOPHIE"),
    ("ORIENT", "ACCOMP. ORIENTATION"),
    ("HGGSP", "HIST.GEO.GEOPOL.S.P."),
    ("HLP", "HUMAN.LITTER.PHILO."),
    ("LLCER", "LLC ANGLAIS MONDE CONT"),
    ("NSI", "NUMERIQUE SC.INFORM."),
    ("SI", "SCIENCES INGENIEUR"),
    ("MATHC", "MATHS COMPLEMENTAIRES"),
    ("MATHX", "MATHS EXPERTES"),
)

COLLEGE_ONLY = frozenset({"TECHN", "EDMUS"})
LYCEE_ONLY = frozenset(
    {"ITA2", "SES", "SNT", "ENSSC", "PHILO", "ORIENT", "HGGSP", "HLP", "LLCER", "NSI", "SI"}
    | {"MATHC", "MATHX"}
)

ROOM_KINDS: dict[str, str] = {
    "SVT": "LABO SVT",
    "PH-CH": "LABO PC",
    "TECHN": "SALLE TECHNO",
    "EPS": "GYMNASE",
    "EDMUS": "SALLE MUSIQUE",
    "A-PLA": "SALLE ARTS",
    "SNT": "SALLE INFO",
    "NSI": "SALLE INFO",
    "SI": "SALLE INFO",
    "EDMED": "CDI",
}
"""Specialised rooms by subject code; other subjects go to numbered classrooms."""


@dataclass(frozen=True, slots=True)
class Block:
    """Option groups across a cluster of classes, taught at the same time (a "barrette").

    Every student of the cluster takes exactly one option, or none when `optional`.
    """

    name: str
    options: tuple[str, ...]
    cluster: int
    sessions: int
    length: int = 1
    optional: bool = False


@dataclass(frozen=True, slots=True)
class LevelPlan:
    level: str
    birth_age: int
    """Age reached during the calendar year the school year starts."""
    whole: tuple[tuple[str, int, int], ...]
    """(subject code, sessions a week, slots per session) for the whole class."""
    pairs: tuple[tuple[str, str], ...] = ()
    """Half classes swapped over two slots: G1 has the first subject while G2 has the second."""
    alternating: tuple[str, ...] = ()
    """Half classes in one slot, G1 in A weeks and G2 in B weeks."""
    blocks: tuple[Block, ...] = ()


COLLEGE: tuple[LevelPlan, ...] = (
    LevelPlan(
        "6",
        11,
        whole=(
            ("FRANC", 4, 1), ("MATHS", 4, 1), ("AGL1", 2, 1), ("HIGEO", 3, 1), ("SVT", 1, 1),
            ("A-PLA", 1, 1), ("EDMUS", 1, 1), ("EPS", 2, 2), ("DEVF", 1, 1), ("VIECL", 1, 1),
        ),
        pairs=(("TECHN", "PH-CH"),),
        alternating=("EMC",),
    ),
    LevelPlan(
        "5",
        12,
        whole=(
            ("FRANC", 4, 1), ("MATHS", 3, 1), ("AGL1", 3, 1), ("HIGEO", 3, 1), ("SVT", 1, 1),
            ("PH-CH", 1, 1), ("A-PLA", 1, 1), ("EDMUS", 1, 1), ("EPS", 1, 2), ("VIECL", 1, 1),
        ),
        pairs=(("TECHN", "SVT"),),
        alternating=("EMC",),
        blocks=(
            Block("LV2", ("ALL2", "ESP2"), cluster=2, sessions=2),
            Block("LATIN", ("LCALA",), cluster=2, sessions=1, optional=True),
        ),
    ),
    LevelPlan(
        "4",
        13,
        whole=(
            ("FRANC", 4, 1), ("MATHS", 3, 1), ("AGL1", 3, 1), ("HIGEO", 3, 1), ("SVT", 1, 1),
            ("A-PLA", 1, 1), ("EDMUS", 1, 1), ("EPS", 1, 2), ("VIECL", 1, 1),
        ),
        pairs=(("TECHN", "PH-CH"),),
        alternating=("EMC", "EDMED"),
        blocks=(
            Block("LV2", ("ALL2", "ESP2"), cluster=2, sessions=2),
            Block("LATIN", ("LCALA",), cluster=2, sessions=2, optional=True),
        ),
    ),
    LevelPlan(
        "3",
        14,
        whole=(
            ("FRANC", 4, 1), ("MATHS", 4, 1), ("AGL1", 3, 1), ("HIGEO", 3, 1), ("SVT", 1, 1),
            ("A-PLA", 1, 1), ("EDMUS", 1, 1), ("EPS", 1, 2), ("VIECL", 1, 1),
        ),
        pairs=(("TECHN", "PH-CH"),),
        alternating=("EMC", "DEVC"),
        blocks=(
            Block("LV2", ("ALL2", "ESP2"), cluster=2, sessions=2),
            Block("LATIN", ("LCALA",), cluster=2, sessions=2, optional=True),
        ),
    ),
)

_LYCEE_HALVES_ALT = (
    *("AP", "ORIENT", "EMC", "HIGEO", "EDMED", "DEVC", "BILAN", "AEADL"),
    *("EVAL NUM", "EDART", "AEPAC", "ELOQ", "CSCIE"),
)

LYCEE: tuple[LevelPlan, ...] = (
    LevelPlan(
        "2NDE",
        15,
        whole=(
            ("FRANC", 2, 1), ("MATHS", 2, 1), ("HIGEO", 2, 1), ("AGL1", 2, 1), ("SES", 1, 1),
            ("EPS", 1, 2), ("VIECL", 1, 1),
        ),
        pairs=(("PH-CH", "SVT"), ("SNT", "MATHS"), ("FRANC", "AGL1"), ("SES", "PH-CH")),
        alternating=_LYCEE_HALVES_ALT,
        blocks=(
            Block("LV2", ("ALL2", "ESP2", "ITA2"), cluster=3, sessions=2),
            Block("LATIN", ("LCALA",), cluster=4, sessions=1, optional=True),
        ),
    ),
    LevelPlan(
        "1G",
        16,
        whole=(
            ("FRANC", 2, 1), ("HIGEO", 2, 1), ("AGL1", 1, 1), ("ENSSC", 1, 1), ("EPS", 1, 2),
            ("VIECL", 1, 1),
        ),
        pairs=(("AGL1", "ENSSC"), ("FRANC", "HIGEO"), ("MATHS", "EMC"), ("ESP2", "ALL2")),
        alternating=_LYCEE_HALVES_ALT,
        blocks=(
            Block("SPE A", ("MATHS", "SES", "HGGSP", "HLP"), cluster=4, sessions=2),
            Block("SPE B", ("PH-CH", "SVT", "LLCER", "NSI"), cluster=4, sessions=2),
            Block("SPE C", ("MATHS", "SI", "A-PLA", "PH-CH"), cluster=4, sessions=2),
        ),
    ),
    LevelPlan(
        "TG",
        17,
        whole=(("PHILO", 2, 1), ("HIGEO", 2, 1), ("AGL1", 1, 1), ("EPS", 1, 2), ("VIECL", 1, 1)),
        pairs=(("AGL1", "ENSSC"), ("PHILO", "HIGEO"), ("MATHC", "EMC"), ("ESP2", "ALL2")),
        alternating=_LYCEE_HALVES_ALT,
        blocks=(
            Block("SPE A", ("MATHS", "SES", "HGGSP", "HLP"), cluster=4, sessions=3),
            Block("SPE B", ("PH-CH", "SVT", "LLCER", "NSI"), cluster=4, sessions=3),
            Block("OPT", ("MATHX", "MATHC"), cluster=4, sessions=1, optional=True),
        ),
    ),
)

LYCEE_THRESHOLD = 1200
"""From this many students on, the generator builds a lycée instead of a collège."""


def plan_for(students: int) -> tuple[tuple[LevelPlan, ...], int, bool]:
    """(level plans, students per class, is a lycée) for an establishment of this size."""
    if students >= LYCEE_THRESHOLD:
        return LYCEE, 30, True
    return COLLEGE, 25, False
