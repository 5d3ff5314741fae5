"""Bounded reading of one directory CSV file: bytes → (line, row) pairs, or a per-row refusal.

The bounds are far above any real directory (a whole region's establishments in one file) and
far below what would cost the loader memory or time: a hostile or broken file is refused at the
first line that crosses one, before any record is built.
"""

from __future__ import annotations

import csv
import io
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from edt_tui.errors import BadInputError

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Bytes per file: ~500,000 users of 130 bytes."""
MAX_ROWS = 500_000
"""Data rows per file."""
MAX_FIELD_CHARS = 1_024
"""Characters per field (names, logins and codes are far shorter)."""
MAX_COLUMNS = 64
"""Columns of the header (the contract has at most eight)."""
_SHOWN_CHARS = 40
"""How much of a refused value an error message repeats."""

Row = dict[str, str]


class CsvRowError(BadInputError):
    """A refused row: `path`, `line` (1-based, as an editor shows it) and why."""

    def __init__(self, path: Path, line: int, message: str, *, hint: str | None = None) -> None:
        super().__init__(
            f"{path}, line {line}: {message}",
            hint=hint or "fix the row and load again; nothing of this directory was loaded",
        )
        self.path = path
        self.line = line


def shown(value: str) -> str:
    """A value quoted for a message, cut short: an error never echoes a whole hostile field."""
    if len(value) <= _SHOWN_CHARS:
        return repr(value)
    return f"{value[:_SHOWN_CHARS]!r}… ({len(value)} characters)"


def read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing anything but a regular file of at most `MAX_FILE_BYTES`."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise BadInputError(
                f"{path}: not a regular file", hint="give a plain CSV file under that name"
            )
        with path.open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise BadInputError(
            f"{path}: cannot read ({exc.strerror or exc})", hint="check the file and its rights"
        ) from None
    if len(raw) > MAX_FILE_BYTES:
        raise CsvRowError(
            path, raw[:MAX_FILE_BYTES].count(b"\n") + 1,
            f"the file is larger than {MAX_FILE_BYTES:,} bytes",
            hint="split it (one establishment per directory); nothing was loaded",
        )
    return raw


def _text(path: Path, raw: bytes) -> str:
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise CsvRowError(
            path, raw[:nul].count(b"\n") + 1, "NUL byte: not a text file",
            hint="export the file again as UTF-8 CSV; nothing was loaded",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvRowError(
            path, raw[: exc.start].count(b"\n") + 1, "not UTF-8 text",
            hint="save the file as UTF-8 (with or without BOM); nothing was loaded",
        ) from None


def _header(path: Path, header: list[str] | None, required: Sequence[str]) -> list[str]:
    if header is None:
        raise CsvRowError(path, 1, "empty file: a header row is required")
    if len(header) > MAX_COLUMNS:
        raise CsvRowError(path, 1, f"{len(header)} columns, at most {MAX_COLUMNS}")
    names = [h.strip().lower() for h in header]
    for name in names:
        if len(name) > MAX_FIELD_CHARS:
            raise CsvRowError(path, 1, f"a column name is longer than {MAX_FIELD_CHARS} chars")
    duplicates = sorted({n for n in names if n and names.count(n) > 1})
    if duplicates:
        raise CsvRowError(path, 1, f"duplicate column(s) {', '.join(map(shown, duplicates))}")
    missing = [c for c in required if c not in names]
    if missing:
        raise CsvRowError(
            path, 1, f"missing column(s) {', '.join(missing)}",
            hint=f"the header must contain: {','.join(required)}",
        )
    return names


def read_rows(path: Path, required: Sequence[str]) -> list[tuple[int, Row]]:
    """(line number, row) for each non-empty data row, every bound checked on the way."""
    text = _text(path, read_bytes(path))
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, Row]] = []
    try:
        names = _header(path, next(reader, None), required)
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(names):
                raise CsvRowError(
                    path, reader.line_num, f"{len(values)} fields, the header has {len(names)}"
                )
            if len(rows) == MAX_ROWS:
                raise CsvRowError(
                    path, reader.line_num, f"more than {MAX_ROWS} rows",
                    hint="split the file (one establishment per directory); nothing was loaded",
                )
            for name, value in zip(names, values, strict=True):
                if len(value) > MAX_FIELD_CHARS:
                    raise CsvRowError(
                        path, reader.line_num,
                        f"field {shown(name)} is {len(value)} characters long, "
                        f"at most {MAX_FIELD_CHARS}",
                    )
            rows.append(
                (reader.line_num, {n: v.strip() for n, v in zip(names, values, strict=True)})
            )
    except csv.Error as exc:
        reason = (
            f"a field is longer than {MAX_FIELD_CHARS} characters"
            if "field larger than field limit" in str(exc) else f"unreadable CSV ({exc})"
        )
        raise CsvRowError(path, reader.line_num, reason) from None
    return rows
