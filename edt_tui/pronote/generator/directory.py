"""The ENT side of a sample establishment: directory and referential CSVs (docs/directory.md).

Real ENTs never mirror PRONOTE exactly, and the importer's matching rules exist because of it
(import-rules §2, §3, §7). The generated directory is mostly right, with the imperfections seen
in schools: people missing, a typo in a name (`DALIAOUI` / `DALLAOUI`), an account created by
hand (source MANUAL) for an export teacher, CAS logins of people who already logged in to
PRONOTE through the ENT (one of them under another name), a few students with another birth
date, last year's pupils still present, subjects matching by name, by code only, or not at all,
and classes matching by normalised name (`3 A` / `3A`) except one.
"""

from __future__ import annotations

import csv
import io
import random
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from edt_tui.pronote.generator.names import pick_person
from edt_tui.pronote.model import Timetable

USER_COLUMNS = ("uai", "profile", "sync_id", "last_name", "first_name", "birth_date", "cas_login",
                "source")
ESTABLISHMENT_COLUMNS = ("uai", "name", "timezone")
SUBJECT_COLUMNS = ("uai", "name", "code")
CLASS_COLUMNS = ("uai", "name")

UNKNOWN_TO_ENT = frozenset(
    {"CSCIE", "DEVC", "DEVF", "EDART", "EDMED", "EMC", "EVAL NUM"}
)
"""Export subjects the ENT referential lacks (white in seed §3.5)."""

ENT_NAMES_BY_CODE: dict[str, str] = {
    "TECHN": "TECHNO",
    "EPS": "EPS",
    "SVT": "SVT",
    "A-PLA": "ARTS PLA",
    "PHILO": "PHILO",
}
"""ENT subjects named differently from the export: recognised through their code only."""

ENT_ONLY_SUBJECTS: tuple[tuple[str, str], ...] = (
    ("CHINOIS LV2", "CHI2"),
    ("OPTION FOOTBALL", ""),
    ("Français", "FRANC"),
)
"""Referential entries absent from the export (the accented twin shows a name match wins)."""

ENT_ONLY_CLASSES: tuple[str, ...] = ("SEGPA 3", "UPE2A")

STAFF: tuple[tuple[str, str], ...] = (
    ("PAVAGEAU", "Marie-Hélène"),
    ("N'GUESSAN", "Aïcha"),
    ("LE BRIS", "Loïc"),
)


@dataclass(frozen=True, slots=True)
class EntDirectory:
    """Rows of the four CSV files, in file order (dicts keyed by the contract's columns)."""

    establishments: tuple[dict[str, str], ...]
    users: tuple[dict[str, str], ...]
    subjects: tuple[dict[str, str], ...]
    classes: tuple[dict[str, str], ...]

    def csv_files(self) -> dict[str, bytes]:
        """File name → UTF-8 CSV bytes (header row, comma-separated, `\\n` line ends)."""
        tables = (
            ("establishments.csv", ESTABLISHMENT_COLUMNS, self.establishments),
            ("users.csv", USER_COLUMNS, self.users),
            ("subjects.csv", SUBJECT_COLUMNS, self.subjects),
            ("classes.csv", CLASS_COLUMNS, self.classes),
        )
        files = {}
        for name, columns, rows in tables:
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            files[name] = buffer.getvalue().encode("utf-8")
        return files


def write_directory(directory: EntDirectory, folder: Path) -> list[Path]:
    """Write the CSV files into `folder` (created if needed); returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in directory.csv_files().items():
        path = folder / name
        path.write_bytes(content)
        paths.append(path)
    return paths


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def typo(name: str) -> str:
    """A plausible keying error: `DALIAOUI` → `DALLAOUI` (an I read as an L), else a doubled
    consonant dropped or a letter doubled."""
    if "I" in name[1:]:
        index = name.index("I", 1)
        return name[:index] + "L" + name[index + 1 :]
    for index in range(1, len(name)):
        if name[index] == name[index - 1] and name[index].isalpha():
            return name[:index] + name[index + 1 :]
    return name[:2] + name[1] + name[2:]


class _Ids:
    """Sync ids per source, as the AAF feed, the CSV import and hand creation issue them."""

    def __init__(self) -> None:
        self.counters = {"AAF": 0, "CSV": 0, "MANUAL": 0}

    def next(self, source: str) -> str:
        self.counters[source] += 1
        number = self.counters[source]
        prefix = {"AAF": "aaf-", "CSV": "csv-", "MANUAL": "manual-"}[source]
        return f"{prefix}{number:07d}"


def build_directory(
    timetable: Timetable, *, seed: int, establishment_name: str, timezone: str = "Europe/Paris"
) -> EntDirectory:
    """The ENT directory and referential that go with `timetable` (deterministic per seed)."""
    uai = timetable.uai or ""
    rng = random.Random(f"edt-tui directory {seed} {uai}")
    ids = _Ids()
    users: list[dict[str, str]] = []

    def user(
        profile: str,
        last: str,
        first: str,
        *,
        birth: date | None = None,
        cas: str | None = None,
        source: str = "AAF",
    ) -> None:
        users.append(
            {
                "uai": uai,
                "profile": profile,
                "sync_id": ids.next(source),
                "last_name": last,
                "first_name": first,
                "birth_date": birth.isoformat() if birth else "",
                "cas_login": cas or "",
                "source": source,
            }
        )

    teachers = list(timetable.teachers.values())
    special = rng.sample(range(len(teachers)), min(len(teachers), 5))
    missing = set(special[:2])
    manual_only = special[2] if len(special) > 2 else None
    renamed_with_cas = next(
        (i for i in special[3:] if teachers[i].idcas), special[3] if len(special) > 3 else None
    )
    typo_index = next(
        (i for i, t in enumerate(teachers) if t.last_name == "DALIAOUI"),
        special[4] if len(special) > 4 else None,
    )
    for index, teacher in enumerate(teachers):
        if index in missing:
            continue
        last, first = teacher.last_name, teacher.first_name
        cas = teacher.idcas if teacher.idcas and rng.random() < 0.7 else None
        if index == manual_only:
            user("teacher", last, first, source="MANUAL")
            continue
        if index == renamed_with_cas and teacher.idcas:
            # Married name in the ENT: only the CAS login can link this account.
            last, cas = f"{pick_person(rng)[0]}-{last}", teacher.idcas
        if index == typo_index:  # and no CAS login: only a fuzzy suggestion can link it
            last, cas = typo(last), None
        if rng.random() < 0.2:
            first = _strip_accents(first)
        user("teacher", last, first, cas=cas)

    students = list(timetable.students.values())
    picks = rng.sample(range(len(students)), min(len(students), 3 + len(students) // 40))
    shifted_birth = set(picks[:3])
    absent = set(picks[3:])
    typo_student = next((i for i in range(len(students)) if i not in picks), None)
    for index, student in enumerate(students):
        if index in absent:
            continue
        birth = student.birth_date
        if index in shifted_birth and birth is not None:
            birth = birth + timedelta(days=rng.choice((-31, -1, 1, 365)))
        first = student.first_name
        if index == typo_student:
            first = typo(first.upper()).capitalize()
        cas = student.idcas if student.idcas and rng.random() < 0.8 else None
        source = "CSV" if rng.random() < 0.1 else "AAF"
        user("student", student.last_name, first, birth=birth, cas=cas, source=source)
    year = timetable.school_year.start.year if timetable.school_year else 2000
    for _ in range(3):  # last year's pupils, still fed by the academic directory
        last, first, _female = pick_person(rng)
        user("student", last, first, birth=date(year - 15, rng.randint(1, 12), rng.randint(1, 28)))
    for last, first in STAFF:
        user("staff", last, first)
    for member in timetable.staff.values():  # newer exports list staff too
        user("staff", member.last_name, member.first_name, cas=member.idcas)

    subjects: list[dict[str, str]] = []
    for subject in timetable.subjects.values():
        if subject.code in UNKNOWN_TO_ENT:
            continue
        name = ENT_NAMES_BY_CODE.get(subject.code, subject.label)
        subjects.append({"uai": uai, "name": name, "code": subject.code})
    subjects += [{"uai": uai, "name": name, "code": code} for name, code in ENT_ONLY_SUBJECTS]

    classes: list[dict[str, str]] = []
    names = [c.name for c in timetable.classes.values()]
    unmatched = names[len(names) // 4 - 1] if len(names) > 4 else None
    for name in names:
        if name == unmatched:
            continue
        if " " in name:
            ent_name = name.replace(" ", "")
        elif name[-1].isalpha() and name[:-1].isdigit():
            ent_name = f"{name[:-1]} {name[-1]}"
        else:
            ent_name = name
        classes.append({"uai": uai, "name": ent_name})
    classes += [{"uai": uai, "name": name} for name in ENT_ONLY_CLASSES]

    return EntDirectory(
        establishments=({"uai": uai, "name": establishment_name, "timezone": timezone},),
        users=tuple(users),
        subjects=tuple(subjects),
        classes=tuple(classes),
    )
