"""What a repository sees of a database, whatever the backend.

SQL is written once, with `?` placeholders; each backend adapts it (PostgreSQL's driver wants
`%s`). Rows answer both `row["column"]` and `row[0]`. A connection is only ever used inside
`Database.transaction()` (one write transaction) or `Database.snapshot()` (one consistent read).
`Database` is what each backend implements (storage/sqlite.py, storage/postgres.py; see
docs/storage.md).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, ClassVar, Protocol

from edt_tui.service.store import StoreError


class Row(Protocol):
    def __getitem__(self, key: int | str, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...

    def keys(self) -> Sequence[str]: ...


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchmany(self, size: int = ..., /) -> list[Any]: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Any: ...


class Connection(Protocol):
    """One connection inside one transaction."""

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Cursor: ...


class Database(ABC):
    """One database, whatever the backend: transactions, snapshots and the dialect helpers.

    Repositories write portable SQL against `Connection` and ask the database for the few things
    backends do differently (serializing writers, where export bytes live, which driver errors
    mean "unavailable").
    """

    backend: ClassVar[str]
    """"sqlite" or "postgresql": the scheme of the database URL."""
    driver_errors: tuple[type[Exception], ...]
    """Every error the driver raises (disk, network, lock…)."""

    @property
    @abstractmethod
    def display(self) -> str:
        """The database URL for messages and logs, its password masked."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Connection]:
        """One write transaction, committed at the end, rolled back on any exception (a failed
        COMMIT included); the caller always sees the original exception."""

    @abstractmethod
    def snapshot(self) -> AbstractContextManager[Connection]:
        """One consistent read: several queries see the same state."""

    @abstractmethod
    def lock_establishment(self, conn: Connection, uai: str) -> None:
        """Serialize, until the end of `conn`'s transaction, the writers of one establishment
        (read-then-write sequences: selection versions, account moves, queue checks)."""

    @abstractmethod
    def next_in_sequence(self, conn: Connection, table: str, column: str) -> int:
        """The next value of an ever-increasing `column` (the queue order), unique even when
        several hosts insert at once."""

    skip_locked: ClassVar[str] = ""
    """Appended to a `SELECT` that picks one row to take (the queue's claim): rows another
    transaction holds are passed over instead of waited for. Nothing on SQLite (one writer)."""

    idle_seconds: ClassVar[float] = 1.0
    """How long an idle worker waits before looking at the queue again: SQLite has no way to
    tell another process that a job was queued, so a worker there polls every second."""

    def notify_queue(self, conn: Connection) -> None:
        """Inside the writing transaction: the queue changed (a job became claimable), idle
        workers of other processes should look — told at commit. Nothing on SQLite."""
        return None

    def watch_queue(self, wake: Callable[[], None]) -> Callable[[], None] | None:
        """Call `wake` (from another thread) whenever `notify_queue` was committed, by any
        process; a function that stops watching, or None where the backend cannot tell."""
        return None

    def insert_rows(
        self, conn: Connection, table: str, columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
    ) -> None:
        """Plain inserts of many rows (no conflict expected): one `executemany` here, the
        fastest bulk path where a backend has one."""
        marks = ", ".join("?" * len(columns))
        conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def upsert_rows(
        self, conn: Connection, table: str, columns: Sequence[str],
        rows: Sequence[Sequence[Any]], *, key: str, update: Sequence[str] = (),
    ) -> None:
        """`upsert_sql(…)` for many rows: one `executemany` here (in-process, already cheap);
        one statement where a backend pays a round trip per row."""
        conn.executemany(upsert_sql(table, columns, key, update), rows)

    def update_rows(
        self, conn: Connection, table: str, columns: Sequence[str], keys: Sequence[str],
        rows: Sequence[Sequence[Any]],
    ) -> None:
        """`UPDATE table SET columns… WHERE keys…` for many rows, each `(*columns, *keys)`
        (a key given twice: either row may win)."""
        sets = ", ".join(f"{c} = ?" for c in columns)
        where = " AND ".join(f"{k} = ?" for k in keys)
        conn.executemany(f"UPDATE {table} SET {sets} WHERE {where}", rows)

    def delete_rows(self, conn: Connection, table: str, key: str, values: Sequence[Any]) -> None:
        """`DELETE FROM table WHERE key = ?` for each of `values`."""
        conn.executemany(f"DELETE FROM {table} WHERE {key} = ?", [(v,) for v in values])

    def select_in(
        self, conn: Connection, sql: str, values: Sequence[Any], *, chunk: int = 500,
    ) -> list[Row]:
        """The rows of `sql`, whose `IN ({})` is given `values` (chunks here, well under
        SQLite's bound on parameters)."""
        rows: list[Row] = []
        for start in range(0, len(values), chunk):
            part = values[start:start + chunk]
            rows.extend(conn.execute(sql.format(", ".join("?" * len(part))), part).fetchall())
        return rows

    own_tables: ClassVar[frozenset[str]] = frozenset()
    """Tables only this backend has (PostgreSQL keeps export bytes in `export_blobs`)."""

    @abstractmethod
    def table_columns(self, conn: Connection) -> dict[str, list[str]]:
        """Every table of the ENT (system tables aside) and its columns in order: what
        `ent migrate` compares and copies."""

    @abstractmethod
    def after_copy(self, conn: Connection, table: str) -> None:
        """After rows were copied in with their own sequence values: the backend's sequences
        continue after them."""

    @abstractmethod
    def export_blobs(self) -> ExportBlobs:
        """Where this backend keeps the bytes of uploaded exports."""

    @abstractmethod
    def unavailable(self, exc: BaseException, *, doing: str) -> StoreError:
        """The error to show for a driver error `exc` raised while `doing` something: what
        failed, where (`display`), what to do."""

    @property
    @abstractmethod
    def closed(self) -> bool: ...

    @abstractmethod
    def close(self) -> None:
        """Every connection closed; a later use raises `StoreClosedError`."""

    def schema_version(self) -> int:
        with self.snapshot() as conn:
            return int(conn.execute("SELECT version FROM schema_version").fetchone()[0])

    def migrate(self, steps: Sequence[Migration]) -> int:
        """Apply the steps this database lacks, in one transaction; the version reached.

        A database newer than the code is refused: an older edt-tui must not write a schema it
        does not know.
        """
        latest = steps[-1][0]
        with self.transaction() as conn:
            self._lock_migrations(conn)
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = conn.execute("SELECT version FROM schema_version").fetchone()
            current = int(row[0]) if row else 0
            if row is None:
                conn.execute("INSERT INTO schema_version (version) VALUES (0)")
            if current > latest:
                raise SchemaTooNewError(self.display, current, latest)
            for version, statements in steps:
                if version > current:
                    for statement in statements:
                        conn.execute(statement)
            conn.execute("UPDATE schema_version SET version = ?", (latest,))
        return latest

    @abstractmethod
    def _lock_migrations(self, conn: Connection) -> None:
        """Several processes starting at once migrate one after the other."""


def upsert_sql(table: str, columns: Sequence[str], key: str, update: Sequence[str]) -> str:
    """`INSERT … ON CONFLICT (key) DO UPDATE SET` each of `update` (`DO NOTHING` without)."""
    action = (
        "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in update) if update
        else "DO NOTHING"
    )
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            f" ON CONFLICT ({key}) {action}")


Migration = tuple[int, Sequence[str]]
"""(version reached, statements): the step applied when the database is below that version."""


class StoreClosedError(StoreError):
    """The store was closed (service shutting down) while a thread still wanted it."""


class SchemaTooNewError(StoreError):
    exit_code = 2

    def __init__(self, where: str, found: int, known: int) -> None:
        super().__init__(
            f"{where}: schema version {found} is newer than this edt-tui ({known})",
            hint="upgrade edt-tui, or point --database-url / EDT_TUI_DATABASE_URL at another "
            "database",
        )
        self.found = found
        self.known = known


class ExportBlobs(ABC):
    """The bytes of uploaded exports, by SHA-256 (write once, read many)."""

    @abstractmethod
    def put(self, sha256: str, data: bytes) -> None:
        """Keep `data` (idempotent: the same digest is the same bytes)."""

    @abstractmethod
    def get(self, sha256: str) -> bytes: ...

    def put_in(self, conn: Connection, sha256: str, data: bytes) -> None:
        """`put` inside the caller's transaction where the bytes are rows of the database."""
        self.put(sha256, data)

    def get_in(self, conn: Connection, sha256: str) -> bytes:
        return self.get(sha256)
