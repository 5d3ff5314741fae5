"""The region backend: PostgreSQL through psycopg 3 and a connection pool (`postgresql://…`).

Several API servers and workers on several hosts share one database: transactions run at READ
COMMITTED, and the read-then-write sequences SQLite serialized with its single writer take a
transaction-scoped advisory lock per establishment (`lock_establishment`). Snapshots are
REPEATABLE READ, READ ONLY. Repositories write `?` placeholders; they become `%s` here (a literal
`%` is doubled), translated once per statement text. Export bytes are rows of `export_blobs`.
Every message carries the URL with its password masked.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import psycopg
import psycopg.errors
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from edt_tui.service.store import StoreError
from edt_tui.storage.blobs import ExportRows
from edt_tui.storage.database import (
    Database,
    ExportBlobs,
    StoreClosedError,
)
from edt_tui.storage.postgres_migrations import MIGRATIONS
from edt_tui.storage.url import redact

CONNECT_TIMEOUT_S = 5
POOL_MAX = 8
"""Connections per process: the API's thread pool and the worker rarely need more at once."""
_MIGRATION_LOCK = 0x6564_7474_7569  # "edttui": one key for "migrating", any 64-bit value
QUEUE_CHANNEL = "edt_tui_queue"
"""The channel a job made claimable is announced on (`NOTIFY`, delivered at commit)."""
IDLE_SECONDS = 30.0
"""An idle worker's wait when no notification comes: only a safety net (a lost connection)."""
_LISTEN_CHECK_S = 1.0
"""How often the listening thread looks whether it was asked to stop (no query is sent)."""
_RECONNECT_S = (1.0, 30.0)
"""First and longest delay before the listening connection is opened again."""
log = logging.getLogger("edt_tui.storage")


class DatabaseUnavailableError(StoreError):
    """The PostgreSQL server cannot be reached or refused us (nothing was written)."""


@functools.lru_cache(maxsize=4096)
def translate(sql: str, mark: str = "%s") -> str:
    """`?` placeholders → `mark` (`%s`; `%b` sends the parameters in binary), literal `%` →
    `%%`; `?` inside a quoted string stays."""
    out: list[str] = []
    quote = ""
    for char in sql:
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "?":
            out.append(mark)
            continue
        if char == "%":
            out.append("%%")
            continue
        out.append(char)
    return "".join(out)


@functools.lru_cache(maxsize=1024)
def _row_class(names: tuple[str, ...]) -> type[tuple[Any, ...]]:
    """A tuple answering `row["column"]` too, one class per column list (created once)."""
    index = {name: i for i, name in enumerate(names)}
    get = tuple.__getitem__

    class Row(tuple[Any, ...]):
        __slots__ = ()

        def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
            return get(self, index[key] if isinstance(key, str) else key)

        def keys(self) -> Sequence[str]:
            return names

    return Row


def _rows(cursor: Any) -> Any:
    """psycopg row factory: rows of the cursor's columns."""
    description = cursor.description
    if description is None:
        return tuple
    return _row_class(tuple(column.name for column in description))


class _Connection:
    """The `Connection` protocol over one pooled psycopg connection."""

    __slots__ = ("raw",)

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Any:
        cursor = self.raw.cursor(row_factory=_rows)
        cursor.execute(translate(sql), parameters)  # type: ignore[arg-type]
        return cursor

    def execute_binary(self, sql: str, parameters: Sequence[Any], /) -> Any:
        """`execute` with the parameters sent in binary: for arrays of thousands of values,
        a tenth of the client's time of the text format (no quoting to decide per value)."""
        cursor = self.raw.cursor(row_factory=_rows)
        cursor.execute(translate(sql, "%b"), parameters)  # type: ignore[arg-type]
        return cursor

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Any:
        cursor = self.raw.cursor(row_factory=_rows)
        cursor.executemany(translate(sql), parameters)  # type: ignore[arg-type]
        return cursor


def _configure(raw: psycopg.Connection[Any]) -> None:
    raw.autocommit = True  # BEGIN/COMMIT are ours (transaction, snapshot)


class PostgresDatabase(Database):
    """`url` is a libpq URL (`postgresql://user:password@host:port/dbname?…`)."""

    backend: ClassVar[str] = "postgresql"
    driver_errors = (psycopg.Error, PoolTimeout)
    skip_locked: ClassVar[str] = " FOR UPDATE SKIP LOCKED"
    idle_seconds: ClassVar[float] = IDLE_SECONDS

    def __init__(self, url: str, *, max_size: int = POOL_MAX) -> None:
        self._url = url
        self._display = redact(url)
        self._closed = False
        self._local = threading.local()
        self._watches: set[_QueueWatch] = set()
        self._column_types: dict[str, dict[str, str]] = {}
        self._probe()
        self._pool: ConnectionPool[Any] = ConnectionPool(
            url, min_size=1, max_size=max_size, open=False, configure=_configure,
            check=ConnectionPool.check_connection,  # a server restart costs no request
            kwargs={"connect_timeout": CONNECT_TIMEOUT_S}, name="edt-tui",
        )
        try:
            self._pool.open(wait=True, timeout=CONNECT_TIMEOUT_S * 2)
            self.migrate(MIGRATIONS)
        except BaseException as exc:
            self.close()
            if isinstance(exc, self.driver_errors):
                raise self.unavailable(exc, doing="opening the ENT store") from None
            raise

    def _probe(self) -> None:
        """One direct connection first: the pool only says "timeout", libpq says why."""
        try:
            with psycopg.connect(self._url, connect_timeout=CONNECT_TIMEOUT_S):
                pass
        except psycopg.Error as exc:
            raise self.unavailable(exc, doing="connecting") from None

    @property
    def display(self) -> str:
        return self._display

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        if self._closed:
            raise StoreClosedError(f"{self._display}: the ENT store is closed")
        try:
            with self._pool.connection() as raw:
                yield raw
        except PoolClosed:
            raise StoreClosedError(f"{self._display}: the ENT store is closed") from None

    @contextmanager
    def _in(self, begin: str) -> Iterator[_Connection]:
        with self._connection() as raw:
            raw.execute(begin)
            self._local.open = conn = _Connection(raw)
            try:
                yield conn
                raw.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(psycopg.Error):
                    raw.execute("ROLLBACK")
                raise
            finally:
                self._local.open = None

    def transaction(self) -> contextlib.AbstractContextManager[_Connection]:
        if getattr(self._local, "open", None) is not None:
            raise StoreError("a transaction is already open in this thread: nest nothing in it")
        return self._in("BEGIN ISOLATION LEVEL READ COMMITTED")

    @contextmanager
    def snapshot(self) -> Iterator[_Connection]:
        """A consistent read; inside this thread's open transaction, that transaction (its own
        writes are what the caller must see, and a second connection could exhaust the pool)."""
        open_ = getattr(self._local, "open", None)
        if open_ is not None:
            yield open_
            return
        with self._in("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY") as conn:
            yield conn

    own_tables: ClassVar[frozenset[str]] = frozenset({"export_blobs"})

    def table_columns(self, conn: Any) -> dict[str, list[str]]:
        columns: dict[str, list[str]] = {}
        for table, column in conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
        ).fetchall():
            columns.setdefault(table, []).append(column)
        return columns

    def after_copy(self, conn: Any, table: str) -> None:
        """Identity columns continue after the largest copied value."""
        for (column,) in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = ? AND is_identity = 'YES'", (table,),
        ).fetchall():
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence(?, ?), COALESCE(MAX({column}), 0) + 1, "
                f"false) FROM {table}", (table, column),
            )

    def lock_establishment(self, conn: Any, uai: str) -> None:
        key = int.from_bytes(hashlib.blake2b(uai.encode(), digest_size=8).digest(), "big",
                             signed=True)
        conn.execute("SELECT pg_advisory_xact_lock(?)", (key,))

    def next_in_sequence(self, conn: Any, table: str, column: str) -> int:
        """The column's identity sequence (`GENERATED … AS IDENTITY`): no two callers get the
        same value, with no lock held."""
        row = conn.execute("SELECT nextval(pg_get_serial_sequence(?, ?))", (table, column))
        return int(row.fetchone()[0])

    def insert_rows(
        self, conn: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]],
    ) -> None:
        """`COPY … FROM STDIN`: a tenth of `executemany`'s time for the plan's actions."""
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with conn.raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def notify_queue(self, conn: Any) -> None:
        conn.execute(f"NOTIFY {QUEUE_CHANNEL}")

    def watch_queue(self, wake: Callable[[], None]) -> Callable[[], None]:
        """A thread of its own on a dedicated connection (not the pool's: `LISTEN` holds it
        for as long as the worker lives) that calls `wake` on each notification."""
        watch = _QueueWatch(self._url, self._display, wake)
        self._watches.add(watch)

        def stop() -> None:
            self._watches.discard(watch)
            watch.stop(wait=False)

        return stop

    def _types(self, conn: Any, table: str) -> dict[str, str]:
        """The SQL type of each column of `table` (read once: the schema is migrated at open)."""
        types = self._column_types.get(table)
        if types is None:
            types = self._column_types[table] = {
                name: kind for name, kind in conn.execute(
                    """SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
                       WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped""",
                    (table,),
                ).fetchall()
            }
        return types

    def _unnest(self, conn: Any, table: str, columns: Sequence[str]) -> str:
        types = self._types(conn, table)
        return f"unnest({', '.join(f'?::{types[c]}[]' for c in columns)})"

    def upsert_rows(
        self, conn: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
        *, key: str, update: Sequence[str] = (),
    ) -> None:
        """One `INSERT … SELECT FROM unnest(one array per column) ON CONFLICT`: one round trip
        and one statement for the whole run instead of one per row."""
        if not rows:
            return
        action = (
            "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in update) if update
            else "DO NOTHING"
        )
        conn.execute_binary(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM "
            f"{self._unnest(conn, table, columns)} ON CONFLICT ({key}) {action}",
            [list(values) for values in zip(*rows, strict=True)],
        )

    def update_rows(
        self, conn: Any, table: str, columns: Sequence[str], keys: Sequence[str],
        rows: Sequence[Sequence[Any]],
    ) -> None:
        """One `UPDATE … FROM unnest(…)` for all the rows."""
        if not rows:
            return
        names = [*columns, *keys]
        sets = ", ".join(f"{c} = v.{c}" for c in columns)
        where = " AND ".join(f"t.{k} = v.{k}" for k in keys)
        conn.execute_binary(
            f"UPDATE {table} AS t SET {sets} FROM {self._unnest(conn, table, names)} "
            f"AS v ({', '.join(names)}) WHERE {where}",
            [list(values) for values in zip(*rows, strict=True)],
        )

    def delete_rows(self, conn: Any, table: str, key: str, values: Sequence[Any]) -> None:
        if values:
            types = self._types(conn, table)
            conn.execute_binary(f"DELETE FROM {table} WHERE {key} = ANY(?::{types[key]}[])",
                         (list(values),))

    def select_in(
        self, conn: Any, sql: str, values: Sequence[Any], *, chunk: int = 500,
    ) -> list[Any]:
        """One query whatever the number of values: `IN ({})` becomes `= ANY(?)`."""
        if not values:
            return []
        if "IN ({})" not in sql:
            raise ValueError(f"no 'IN ({{}})' to fill in {sql!r}")
        rows = conn.execute_binary(sql.replace("IN ({})", "= ANY(?)"), (list(values),))
        return list(rows.fetchall())

    def _lock_migrations(self, conn: Any) -> None:
        conn.execute("SELECT pg_advisory_xact_lock(?)", (_MIGRATION_LOCK,))

    def export_blobs(self) -> ExportBlobs:
        return ExportRows(self)

    def unavailable(self, exc: BaseException, *, doing: str) -> StoreError:
        text = str(exc).strip()
        detail = redact(text.splitlines()[0] if text else type(exc).__name__)
        password = _password(self._url)
        if password:
            detail = detail.replace(password, "***")
        if isinstance(exc, psycopg.errors.DiskFull):
            return DatabaseUnavailableError(
                f"{self._display}: the database server's disk is full ({doing}); nothing of it "
                "was written", hint="free some space on the database server, then run it again",
            )
        if isinstance(exc, psycopg.OperationalError | PoolTimeout):
            return DatabaseUnavailableError(
                f"{self._display}: cannot reach the PostgreSQL server ({doing}: {detail})",
                hint="check that the server runs and accepts this user and database (host, "
                "port, pg_hba.conf), or fix --database-url / EDT_TUI_DATABASE_URL",
            )
        return DatabaseUnavailableError(
            f"{self._display}: the PostgreSQL server refused {doing} ({detail})",
            hint="check the database's rights for this user, then run the command again",
        )

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """The pool closed: connections in use close when they come back."""
        self._closed = True
        for watch in list(getattr(self, "_watches", ())):
            watch.stop(wait=True)
        pool: ConnectionPool[Any] | None = getattr(self, "_pool", None)
        if pool is not None and not pool.closed:
            pool.close()


class _QueueWatch:
    """`LISTEN` on the queue's channel in a daemon thread; `wake` on every notification, and
    once after each (re)connection since notifications sent while not listening are lost."""

    def __init__(self, url: str, display: str, wake: Callable[[], None]) -> None:
        self._url = url
        self._display = display
        self._wake = wake
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="edt-tui-listen", daemon=True)
        self._thread.start()

    def stop(self, *, wait: bool) -> None:
        """Stop listening: at once, or within `_LISTEN_CHECK_S` (`wait` off, the caller is an
        event loop that must not block)."""
        self._stop.set()
        if wait and self._thread is not threading.current_thread():
            self._thread.join(_LISTEN_CHECK_S * 5)

    def _run(self) -> None:
        delay, longest = _RECONNECT_S
        while not self._stop.is_set():
            try:
                with psycopg.connect(
                    self._url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
                ) as conn:
                    conn.execute(f"LISTEN {QUEUE_CHANNEL}")
                    delay = _RECONNECT_S[0]
                    self._wake()
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=_LISTEN_CHECK_S):
                            self._wake()
            except psycopg.Error as exc:
                log.warning("%s: listening for queued jobs failed (%s), again in %.0f s",
                            self._display, redact(str(exc).strip().split("\n")[0]), delay)
                self._stop.wait(delay)
                delay = min(delay * 2, longest)


def _password(url: str) -> str | None:
    try:
        return psycopg.conninfo.conninfo_to_dict(url).get("password")  # type: ignore[return-value]
    except psycopg.Error:
        return None
