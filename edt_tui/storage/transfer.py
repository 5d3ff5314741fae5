"""Copy a whole ENT from one database to another, verified: `edt-tui ent migrate --to URL`.

The target must be empty (its schema is created by opening it). Every table is copied in the
order of its foreign keys, in ONE transaction of the target; before committing, each table of the
target is read back and compared with the source — row count and a checksum of the rows — and
export bytes are checked against their SHA-256. Any difference rolls everything back: the target
is either a verified copy or still empty.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from edt_tui.service.store import StoreError
from edt_tui.storage.database import Connection, Database

TABLES: tuple[tuple[str, tuple[str, str] | None], ...] = (
    ("establishments", None),
    ("directory_users", None),
    ("idpn_links", None),
    ("subjects", None),
    ("classes", None),
    ("exports", None),
    ("selections", None),
    ("plan_requests", None),
    ("import_jobs", ("undoes", "id")),
    ("job_actions", None),
    ("pushes", None),
    ("api_tokens", None),
    ("courses", None),
    ("hierarchy_nodes", ("parent_key", "key")),
    ("memberships", None),
    ("events", None),
)
"""Every table of the ENT, parents before children; (column, referenced column) when a table
refers to itself (an undo job to the job it undoes, a hierarchy node to its parent)."""

BLOBS = "export bytes"
_CHUNK = 5_000
Progress = Callable[[str], None]


class MigrationRefusedError(StoreError):
    """The target cannot receive the copy (not empty, another schema); nothing was written."""

    exit_code = 2


@dataclass(frozen=True)
class TableCopy:
    table: str
    rows: int
    checksum: str
    """SHA-256 of the rows, independent of their order (see `_Digest`)."""


class _Digest:
    """A checksum of a set of rows: the sum, modulo 2^256, of each row's SHA-256. Order does not
    matter (the two backends return rows in different orders) and every row counts."""

    def __init__(self) -> None:
        self.total = 0
        self.rows = 0

    def add(self, values: Iterable[Any]) -> None:
        text = json.dumps([_plain(v) for v in values], ensure_ascii=False, separators=(",", ":"))
        self.total = (self.total + int.from_bytes(hashlib.sha256(text.encode()).digest())) % 2**256
        self.rows += 1

    def hexdigest(self) -> str:
        return self.total.to_bytes(32).hex()


def _plain(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return {"bytes": bytes(value).hex()}
    return value


def _rows(conn: Connection, table: str, columns: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    cursor = conn.execute(f"SELECT {', '.join(columns)} FROM {table}")
    while batch := cursor.fetchmany(_CHUNK):
        for row in batch:
            yield tuple(row[i] for i in range(len(columns)))


def _digested(rows: Iterable[tuple[Any, ...]], digest: _Digest) -> Iterator[tuple[Any, ...]]:
    for row in rows:
        digest.add(row)
        yield row


def _parents_first(
    rows: list[tuple[Any, ...]], columns: Sequence[str], link: tuple[str, str]
) -> list[tuple[Any, ...]]:
    """Rows of a self-referring table ordered so that a referenced row is inserted first."""
    ref, key = columns.index(link[0]), columns.index(link[1])
    by_key = {row[key]: row for row in rows}
    done: set[Any] = set()
    ordered: list[tuple[Any, ...]] = []
    for first in rows:
        chain = []
        row: tuple[Any, ...] | None = first
        while row is not None and row[key] not in done:
            chain.append(row)
            done.add(row[key])
            row = by_key.get(row[ref])
        ordered.extend(reversed(chain))
    return ordered


def _columns(source: Database, target: Database) -> dict[str, list[str]]:
    """The columns to copy per table; refuses schemas that differ (different edt-tui versions)."""
    with source.snapshot() as conn:
        ours = source.table_columns(conn)
    with target.snapshot() as conn:
        theirs = target.table_columns(conn)
    unknown = sorted(set(ours) - {t for t, _ in TABLES} - {"schema_version"} - source.own_tables)
    if unknown:
        raise MigrationRefusedError(
            f"{source.display}: table(s) {', '.join(unknown)} unknown to this edt-tui",
            hint="migrate with the edt-tui version that wrote this database",
        )
    columns = {}
    for table, _ in TABLES:
        if sorted(ours.get(table, [])) != sorted(theirs.get(table, [])):
            raise MigrationRefusedError(
                f"{target.display}: table {table} does not have the columns of {source.display}",
                hint="both databases must be at the same schema version (open both with this "
                "edt-tui)",
            )
        columns[table] = ours[table]
    return columns


def _refuse_unless_empty(target: Database, conn: Connection) -> None:
    held = []
    for table in [t for t, _ in TABLES] + sorted(target.own_tables):
        count = int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
        if count:
            held.append(f"{table}: {count}")
    if held:
        raise MigrationRefusedError(
            f"{target.display} is not empty ({', '.join(held)}); nothing was written",
            hint="migrate into a new, empty database (e.g. `createdb edt_tui`)",
        )


def copy_database(
    source: Database, target: Database, *, progress: Progress = lambda _: None
) -> list[TableCopy]:
    """Copy every table and every export's bytes of `source` into the empty `target`, verify
    counts and checksums, commit. Raises `MigrationRefusedError` (nothing written) on a non-empty
    or different target, `StoreError` when the read-back differs (rolled back)."""
    if source.display == target.display:
        raise MigrationRefusedError(
            f"the target is the ENT being copied ({source.display})",
            hint="give a new, empty database",
        )
    columns = _columns(source, target)
    report: list[TableCopy] = []
    with source.snapshot() as read, target.transaction() as write:
        _refuse_unless_empty(target, write)
        shas: list[str] = []
        for table, link in TABLES:
            names = columns[table]
            digest = _Digest()
            rows: Iterable[tuple[Any, ...]] = _rows(read, table, names)
            if link is not None:
                rows = _parents_first(list(rows), names, link)
            target.insert_rows(write, table, names, _digested(rows, digest))
            target.after_copy(write, table)
            if table == "exports":
                shas = [r[0] for r in read.execute("SELECT sha256 FROM exports").fetchall()]
            check = _Digest()
            for row in _rows(write, table, names):
                check.add(row)
            if (check.rows, check.hexdigest()) != (digest.rows, digest.hexdigest()):
                raise StoreError(
                    f"{target.display}: table {table} reads back {check.rows} row(s) that differ "
                    f"from the {digest.rows} of {source.display}; rolled back, nothing written",
                    hint="check the target's encoding and version, then run `ent migrate` again",
                )
            report.append(TableCopy(table, digest.rows, digest.hexdigest()))
            progress(f"{table}: {digest.rows} row(s), checksum {digest.hexdigest()[:16]}")
        report.append(_copy_blobs(source, target, write, shas))
        progress(f"{BLOBS}: {report[-1].rows} export(s), each matching its SHA-256")
    return report


def _copy_blobs(
    source: Database, target: Database, write: Connection, shas: Sequence[str]
) -> TableCopy:
    """Each export's bytes, checked against its SHA-256 on both sides."""
    reader, writer = source.export_blobs(), target.export_blobs()
    digest = _Digest()
    for sha in shas:
        data = reader.get(sha)
        if hashlib.sha256(data).hexdigest() != sha:
            raise StoreError(
                f"{source.display}: the bytes of export {sha} do not match their SHA-256; "
                "nothing was written",
                hint="restore the exports directory from a backup, or delete that export",
            )
        writer.put_in(write, sha, data)
        if hashlib.sha256(writer.get_in(write, sha)).hexdigest() != sha:
            raise StoreError(f"{target.display}: export {sha} reads back different; rolled back")
        digest.add((sha,))
    return TableCopy(BLOBS, digest.rows, digest.hexdigest())
