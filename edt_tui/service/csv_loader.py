"""`edt-tui ent load DIR`: the ENT directory and referential from the contract's CSV files.

Every file present is parsed and validated before anything is written, so a bad row (reported
with file and line) leaves the store untouched; then each file is upserted in one transaction.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from edt_tui.engine.model import Profile, UserSource
from edt_tui.errors import BadInputError
from edt_tui.service.records import (
    DEFAULT_TIMEZONE,
    ClassRecord,
    Establishment,
    SubjectRecord,
    UserRecord,
)
from edt_tui.service.store import Store

UAI_PATTERN = re.compile(r"^[0-9]{7}[A-Z]$")

COLUMNS: dict[str, tuple[str, ...]] = {
    "establishments.csv": ("uai", "name"),
    "users.csv": ("uai", "profile", "sync_id", "last_name", "first_name", "birth_date",
                  "cas_login", "source"),
    "subjects.csv": ("uai", "name"),
    "classes.csv": ("uai", "name"),
}
"""Required columns per file; `timezone` (establishments) and `code` (subjects) are optional."""


class CsvRowError(BadInputError):
    def __init__(self, path: Path, line: int, message: str, *, hint: str | None = None) -> None:
        super().__init__(
            f"{path}, line {line}: {message}",
            hint=hint or "fix the row and load again; nothing of this directory was loaded",
        )
        self.path = path
        self.line = line


@dataclass(frozen=True, slots=True)
class LoadReport:
    """How many rows each file upserted (files absent from the directory are not listed)."""

    counts: dict[str, int] = field(default_factory=dict)


Row = dict[str, str]


def _rows(path: Path) -> list[tuple[int, Row]]:
    """(line number, row) for each non-empty data row; header and encoding checked."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CsvRowError(
            path, line, "not UTF-8 text", hint="save the file as UTF-8 (with or without BOM)"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise CsvRowError(path, 1, "empty file: a header row is required")
    names = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS[path.name] if c not in names]
    if missing:
        raise CsvRowError(
            path, 1, f"missing column(s) {', '.join(missing)}",
            hint=f"the header must contain: {','.join(COLUMNS[path.name])}",
        )
    rows: list[tuple[int, Row]] = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(names):
                raise CsvRowError(
                    path, reader.line_num, f"{len(values)} fields, the header has {len(names)}"
                )
            cells = {n: v.strip() for n, v in zip(names, values, strict=True)}
            rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise CsvRowError(path, reader.line_num, f"unreadable CSV ({exc})") from None
    return rows


def _required(path: Path, line: int, row: Row, column: str) -> str:
    value = row.get(column, "")
    if not value:
        raise CsvRowError(path, line, f"empty {column}")
    return value


def _uai(path: Path, line: int, row: Row, known: set[str] | None) -> str:
    uai = _required(path, line, row, "uai").upper()
    if not UAI_PATTERN.match(uai):
        raise CsvRowError(path, line, f"bad UAI {uai!r}: expected 7 digits and a letter")
    if known is not None and uai not in known:
        raise CsvRowError(
            path, line, f"unknown establishment {uai}",
            hint="add it to establishments.csv (or load that file first); nothing was loaded",
        )
    return uai


def _establishment(path: Path, line: int, row: Row, _known: set[str] | None) -> Establishment:
    uai = _uai(path, line, row, None)
    tz = row.get("timezone") or DEFAULT_TIMEZONE
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise CsvRowError(path, line, f"unknown time zone {tz!r} (e.g. Europe/Paris)") from None
    return Establishment(uai=uai, name=_required(path, line, row, "name"), timezone=tz)


def _choice(path: Path, line: int, value: str, column: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise CsvRowError(path, line, f"bad {column} {value!r}: one of {'|'.join(allowed)}")
    return value


def _user(path: Path, line: int, row: Row, known: set[str] | None) -> UserRecord:
    uai = _uai(path, line, row, known)
    profile = _choice(path, line, row["profile"].lower(), "profile", [p.value for p in Profile])
    source = _choice(path, line, row["source"].upper(), "source", [s.value for s in UserSource])
    birth: date | None = None
    if row["birth_date"]:
        try:
            birth = date.fromisoformat(row["birth_date"])
        except ValueError:
            raise CsvRowError(
                path, line, f"bad birth_date {row['birth_date']!r}: expected YYYY-MM-DD or empty"
            ) from None
        if len(row["birth_date"]) != 10:
            raise CsvRowError(path, line, f"bad birth_date {row['birth_date']!r}: YYYY-MM-DD")
    return UserRecord(
        uai=uai, sync_id=_required(path, line, row, "sync_id"), profile=Profile(profile),
        last_name=_required(path, line, row, "last_name"),
        first_name=_required(path, line, row, "first_name"), birth_date=birth,
        cas_login=row["cas_login"] or None, source=UserSource(source),
    )


def _subject(path: Path, line: int, row: Row, known: set[str] | None) -> SubjectRecord:
    return SubjectRecord(
        uai=_uai(path, line, row, known), name=_required(path, line, row, "name"),
        code=row.get("code") or None,
    )


def _class(path: Path, line: int, row: Row, known: set[str] | None) -> ClassRecord:
    return ClassRecord(uai=_uai(path, line, row, known), name=_required(path, line, row, "name"))


Parser = Callable[[Path, int, Row, "set[str] | None"], Any]

PARSERS: dict[str, tuple[Parser, Callable[[Any], object]]] = {
    "establishments.csv": (_establishment, lambda r: r.uai),
    "users.csv": (_user, lambda r: r.sync_id),
    "subjects.csv": (_subject, lambda r: (r.uai, r.name)),
    "classes.csv": (_class, lambda r: (r.uai, r.name)),
}
"""Parser and key per file, in load order (establishments first: the others refer to them)."""


def parse_directory(directory: Path, known_uais: set[str]) -> dict[str, list[Any]]:
    """Validate every contract file in `directory`; records per file name, in file order."""
    if not directory.is_dir():
        raise BadInputError(
            f"{directory}: not a directory",
            hint="give the directory holding establishments.csv, users.csv, subjects.csv…",
        )
    present = [name for name in PARSERS if (directory / name).is_file()]
    if not present:
        raise BadInputError(
            f"{directory}: none of {', '.join(PARSERS)} found",
            hint="see docs/cli-contract.md (`ent load`) for the file names and columns",
        )
    known = set(known_uais)
    parsed: dict[str, list[Any]] = {}
    for name in present:
        path = directory / name
        parse, key_of = PARSERS[name]
        records: list[Any] = []
        first_line: dict[object, int] = {}
        for line, row in _rows(path):
            record = parse(path, line, row, None if name == "establishments.csv" else known)
            key = key_of(record)
            if key in first_line:
                raise CsvRowError(
                    path, line, f"duplicate key {key!r} (first on line {first_line[key]})"
                )
            first_line[key] = line
            records.append(record)
        if name == "establishments.csv":
            known |= {r.uai for r in records}
        parsed[name] = records
    return parsed


def load_directory(store: Store, directory: Path) -> LoadReport:
    """Validate all files, then upsert each in one transaction (establishments first)."""
    known = {e.uai for e in _all_establishments(store)}
    parsed = parse_directory(directory, known)
    writers: dict[str, Callable[[list[Any]], None]] = {
        "establishments.csv": store.upsert_establishments,
        "users.csv": store.upsert_users,
        "subjects.csv": store.upsert_subjects,
        "classes.csv": store.upsert_classes,
    }
    for name, records in parsed.items():
        writers[name](records)
    return LoadReport({name: len(records) for name, records in parsed.items()})


def _all_establishments(store: Store) -> list[Establishment]:
    found: list[Establishment] = []
    offset: int | None = 0
    while offset is not None:
        page = store.list_establishments(offset=offset, limit=500)
        found.extend(page.items)
        offset = page.next
    return found
