"""`edt-tui ent load DIR`: the ENT directory and referential from the contract's CSV files.

Every file present is read within bounds (csv_rows.py) and validated before anything is written,
so a bad row (reported with file and line) leaves the store untouched; then the whole directory
is written in one transaction: all of it, or nothing (a full disk included).

A sync id already held by another establishment is refused row by row unless the caller asks
to move accounts (`--move-accounts`): an account never changes establishment silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from edt_tui.engine.model import Profile, UserSource
from edt_tui.errors import BadInputError
from edt_tui.service.csv_rows import CsvRowError, Row, read_rows, shown
from edt_tui.service.records import (
    DEFAULT_TIMEZONE,
    AccountMove,
    ClassRecord,
    DirectoryLoad,
    Establishment,
    SubjectRecord,
    UserRecord,
)
from edt_tui.service.store import AccountElsewhereError, Store

UAI_PATTERN = re.compile(r"^[0-9]{7}[A-Z]$")

COLUMNS: dict[str, tuple[str, ...]] = {
    "establishments.csv": ("uai", "name"),
    "users.csv": ("uai", "profile", "sync_id", "last_name", "first_name", "birth_date",
                  "cas_login", "source"),
    "subjects.csv": ("uai", "name"),
    "classes.csv": ("uai", "name"),
}
"""Required columns per file; `timezone` (establishments) and `code` (subjects) are optional."""

SHOWN_CONFLICTS = 20
"""Rows listed when sync ids belong to another establishment (the count says how many more)."""


@dataclass(frozen=True, slots=True)
class LoadReport:
    """How many rows each file upserted (files absent from the directory are not listed), and
    the accounts moved from another establishment (only with `move_accounts`)."""

    counts: dict[str, int] = field(default_factory=dict)
    moves: tuple[AccountMove, ...] = ()


def _required(path: Path, line: int, row: Row, column: str) -> str:
    value = row.get(column, "")
    if not value:
        raise CsvRowError(path, line, f"empty {column}")
    return value


def _uai(path: Path, line: int, row: Row, known: set[str] | None) -> str:
    uai = _required(path, line, row, "uai").upper()
    if not UAI_PATTERN.match(uai):
        raise CsvRowError(path, line, f"bad UAI {shown(uai)}: expected 7 digits and a letter")
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
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise CsvRowError(
            path, line, f"unknown time zone {shown(tz)} (e.g. Europe/Paris)"
        ) from None
    return Establishment(uai=uai, name=_required(path, line, row, "name"), timezone=tz)


def _choice(path: Path, line: int, value: str, column: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise CsvRowError(path, line, f"bad {column} {shown(value)}: one of {'|'.join(allowed)}")
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
                path, line,
                f"bad birth_date {shown(row['birth_date'])}: expected YYYY-MM-DD or empty",
            ) from None
        if len(row["birth_date"]) != 10:
            raise CsvRowError(
                path, line, f"bad birth_date {shown(row['birth_date'])}: YYYY-MM-DD"
            )
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

PARSERS: dict[str, tuple[Parser, Callable[[Any], tuple[str, ...]]]] = {
    "establishments.csv": (_establishment, lambda r: (r.uai,)),
    "users.csv": (_user, lambda r: (r.sync_id,)),
    "subjects.csv": (_subject, lambda r: (r.uai, r.name)),
    "classes.csv": (_class, lambda r: (r.uai, r.name)),
}
"""Parser and key per file, in load order (establishments first: the others refer to them)."""


@dataclass(frozen=True, slots=True)
class ParsedDirectory:
    """Every record of a directory, validated, and where each user row came from."""

    load: DirectoryLoad
    counts: dict[str, int]
    users_path: Path
    user_lines: dict[str, int]
    """Line of each sync id in users.csv, to report a refused row."""


def _present(directory: Path) -> list[str]:
    """Contract file names present in `directory`; one that is not a regular file is refused."""
    if not directory.is_dir():
        raise BadInputError(
            f"{directory}: not a directory",
            hint="give the directory holding establishments.csv, users.csv, subjects.csv…",
        )
    present = [name for name in PARSERS if (directory / name).exists()]
    if not present:
        raise BadInputError(
            f"{directory}: none of {', '.join(PARSERS)} found",
            hint="see docs/directory.md for the file names and columns",
        )
    return present


def parse_directory(directory: Path, known_uais: set[str]) -> ParsedDirectory:
    """Validate every contract file in `directory`; nothing is written."""
    known = set(known_uais)
    parsed: dict[str, list[Any]] = {name: [] for name in PARSERS}
    counts: dict[str, int] = {}
    user_lines: dict[str, int] = {}
    for name in _present(directory):
        path = directory / name
        parse, key_of = PARSERS[name]
        records = parsed[name]
        first_line: dict[tuple[str, ...], int] = {}
        for line, row in read_rows(path, COLUMNS[name]):
            record = parse(path, line, row, None if name == "establishments.csv" else known)
            key = key_of(record)
            if key in first_line:
                raise CsvRowError(
                    path, line, f"duplicate key {', '.join(map(shown, key))} "
                    f"(first on line {first_line[key]})",
                )
            first_line[key] = line
            records.append(record)
        if name == "establishments.csv":
            known |= {r.uai for r in records}
        if name == "users.csv":
            user_lines = {key[0]: line for key, line in first_line.items()}
        counts[name] = len(records)
    load = DirectoryLoad(
        establishments=tuple(parsed["establishments.csv"]), users=tuple(parsed["users.csv"]),
        subjects=tuple(parsed["subjects.csv"]), classes=tuple(parsed["classes.csv"]),
    )
    return ParsedDirectory(load, counts, directory / "users.csv", user_lines)


class AccountConflictError(BadInputError):
    """users.csv rows whose sync id another establishment holds, each with file and line."""

    def __init__(self, parsed: ParsedDirectory, moves: Sequence[AccountMove]) -> None:
        lines = sorted(((parsed.user_lines[m.sync_id], m) for m in moves), key=lambda p: p[0])
        headline = f"{len(lines)} row(s) hold a sync id another establishment has:"
        shown_rows = [headline] + [
            f"{parsed.users_path}, line {line}: sync_id {shown(m.sync_id)} belongs to "
            f"establishment {m.from_uai}; this row puts it in {m.to_uai}"
            for line, m in lines[:SHOWN_CONFLICTS]
        ]
        more = len(lines) - SHOWN_CONFLICTS
        if more > 0:
            shown_rows.append(f"… and {more} more row(s) like these")
        super().__init__(
            "\n".join(shown_rows),
            hint="nothing was loaded. If these accounts really changed establishment, load "
            "again with `edt-tui ent load --move-accounts DIR`; otherwise fix their sync_id",
        )
        self.moves = tuple(m for _, m in lines)


def load_directory(store: Store, directory: Path, *, move_accounts: bool = False) -> LoadReport:
    """Validate all files, then write the whole directory in one transaction."""
    known = {e.uai for e in _all_establishments(store)}
    parsed = parse_directory(directory, known)
    try:
        moves = store.load_directory(parsed.load, move_accounts=move_accounts)
    except AccountElsewhereError as exc:
        raise AccountConflictError(parsed, exc.moves) from None
    return LoadReport(parsed.counts, moves)


def _all_establishments(store: Store) -> list[Establishment]:
    found: list[Establishment] = []
    offset: int | None = 0
    while offset is not None:
        page = store.list_establishments(offset=offset, limit=500)
        found.extend(page.items)
        offset = page.next
    return found
