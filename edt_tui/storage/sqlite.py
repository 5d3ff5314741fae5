"""The embedded backend: one SQLite file in WAL mode (`sqlite:///ABS/PATH`).

One connection per thread (FastAPI runs sync endpoints in a thread pool); writes open with
`BEGIN IMMEDIATE`, so two processes queue on the write lock (`busy_timeout`) instead of failing on
a lock upgrade, and one writer at a time is what serializes read-then-write sequences (hence
`lock_establishment` is a no-op here). Export bytes live beside the database, one file per
SHA-256. The only module with PRAGMAs.

`close()` may run while another thread (an API request, a worker batch) still uses its
connection: each statement and fetch holds its connection's guard lock, which `close()` takes
before closing, and a closed database raises `StoreClosedError` — never a crash inside SQLite.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from edt_tui.service.store import StoreError
from edt_tui.storage.blobs import ExportFiles
from edt_tui.storage.database import (
    Connection,
    Database,
    ExportBlobs,
    StoreClosedError,
)
from edt_tui.storage.sqlite_errors import store_unavailable
from edt_tui.storage.sqlite_migrations import MIGRATIONS

BUSY_TIMEOUT_MS = 10_000


class _GuardedCursor(sqlite3.Cursor):
    """Fetches under the connection's guard: a concurrent `close()` waits for them."""

    connection: _GuardedConnection

    def fetchone(self) -> Any:
        with self.connection.guard():
            return super().fetchone()

    def fetchmany(self, size: int | None = 1) -> list[Any]:
        with self.connection.guard():
            return super().fetchmany(size)

    def fetchall(self) -> list[Any]:
        with self.connection.guard():
            return super().fetchall()


class _GuardedConnection(sqlite3.Connection):
    """A per-thread connection whose statements never overlap `close()` from another thread.

    SQLite itself is serialized, but closing a connection while another thread is inside a
    statement frees memory that thread still uses (a segfault, not an exception).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._guard_lock = threading.RLock()
        self.shut = False

    @contextmanager
    def guard(self) -> Iterator[None]:
        with self._guard_lock:
            if self.shut:
                raise StoreClosedError("the ENT store is closed (the service is stopping)")
            yield

    def cursor(self, factory: Any = _GuardedCursor) -> Any:  # type: ignore[override]
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> Any:  # type: ignore[override]
        with self.guard():
            return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> Any:  # type: ignore[override]
        with self.guard():
            return super().executemany(sql, parameters)

    def shut_down(self) -> None:
        """Close once no statement of the owner thread is running; later use raises."""
        with self._guard_lock:
            self.shut = True
            self.close()


class SQLiteDatabase(Database):
    """`path` is the database file, created (owner-only) and migrated on first use."""

    backend: ClassVar[str] = "sqlite"
    driver_errors = (sqlite3.Error, OSError)

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._connections: list[_GuardedConnection] = []
        self._lock = threading.Lock()
        self._closed = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():
                # Personal data, push secrets, token digests: owner only (SQLite gives its -wal
                # and -shm files the database file's permissions).
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
            self.migrate(MIGRATIONS)
        except (OSError, sqlite3.Error) as exc:
            self.close()
            raise store_unavailable(self.path, exc, doing="opening the ENT store") from None
        except StoreError:
            self.close()
            raise

    @property
    def display(self) -> str:
        return f"sqlite://{self.path.absolute()}"

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use, closed with the database)."""
        conn: _GuardedConnection | None = getattr(self._local, "conn", None)
        if conn is None or conn.shut:
            if self._closed:
                raise StoreClosedError(f"{self.path}: the ENT store is closed")
            conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False,
                timeout=BUSY_TIMEOUT_MS / 1000, factory=_GuardedConnection,
            )
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            with self._lock:
                if self._closed:
                    conn.close()
                    raise StoreClosedError(f"{self.path}: the ENT store is closed")
                self._connections.append(conn)
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            # SQLite may already have rolled back (disk full, I/O error): a second ROLLBACK
            # would replace the true reason with "no transaction is active".
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error, StoreError):
                    conn.execute("ROLLBACK")
            raise

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction; inside this thread's open transaction, that transaction (its own
        writes are what the caller must see)."""
        conn = self.connection()
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error, StoreError):
                    conn.execute("COMMIT")

    def lock_establishment(self, conn: Connection, uai: str) -> None:
        """Nothing to do: `BEGIN IMMEDIATE` already admits one writer at a time."""

    def after_copy(self, conn: Connection, table: str) -> None:
        """Nothing to do: the queue's next value is read from the rows (`next_in_sequence`)."""

    def table_columns(self, conn: Connection) -> dict[str, list[str]]:
        tables = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        ).fetchall()
        return {
            row[0]: [c[1] for c in conn.execute(f"PRAGMA table_info({row[0]})").fetchall()]
            for row in tables
        }

    def next_in_sequence(self, conn: Connection, table: str, column: str) -> int:
        """Max + 1, read by the one writer (`BEGIN IMMEDIATE`)."""
        row = conn.execute(f"SELECT COALESCE(MAX({column}), 0) + 1 FROM {table}").fetchone()
        return int(row[0])

    def _lock_migrations(self, conn: Connection) -> None:
        """Nothing to do: the migration's `BEGIN IMMEDIATE` excludes other writers."""

    def export_blobs(self) -> ExportBlobs:
        return ExportFiles(self.path.parent / "exports")

    def unavailable(self, exc: BaseException, *, doing: str) -> StoreError:
        if isinstance(exc, sqlite3.Error | OSError):
            return store_unavailable(self.path, exc, doing=doing)
        return StoreError(f"{self.path}: {doing} failed ({exc})")

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Every connection closed, each once its thread is out of its current statement."""
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.shut_down()
