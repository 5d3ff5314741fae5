"""`Store` on one SQLite file in WAL mode: the embedded default.

One connection per thread (FastAPI runs sync endpoints in a thread pool); writes open with
`BEGIN IMMEDIATE` so that two processes queue on the write lock (`busy_timeout`) instead of failing
on a lock upgrade. Queries use portable SQL (`INSERT … ON CONFLICT … DO UPDATE`, `LIMIT/OFFSET`)
so a PostgreSQL backend can reuse them. Export bytes live beside the database, one file per SHA-256.

`close()` may run while another thread (an API request, a worker batch) still uses its
connection: each statement and fetch holds its connection's guard lock, which `close()` takes
before closing, and a closed store raises `StoreClosedError` — never a crash inside SQLite.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from edt_tui.engine.model import (
    Action,
    ActionType,
    AudienceKind,
    CourseOrigin,
    CourseState,
    DirectoryUser,
    EntState,
    EventState,
    MembershipState,
    Profile,
    ReferentialClass,
    ReferentialSubject,
    Role,
    UserSource,
)
from edt_tui.engine.normalize import norm
from edt_tui.service.migrations import MIGRATIONS
from edt_tui.service.records import (
    INTEGRATION_AUTHOR,
    AccountMove,
    ClassRecord,
    CourseRecord,
    DirectoryLoad,
    Establishment,
    EventRecord,
    ExportRecord,
    HierarchyNode,
    MembershipRecord,
    Page,
    Principal,
    SubjectRecord,
    TokenRole,
    UserRecord,
)
from edt_tui.service.sqlite_errors import store_unavailable
from edt_tui.service.store import (
    MAX_OFFSET,
    MAX_PAGE,
    AccountElsewhereError,
    Store,
    StoreError,
    TokenCollisionError,
    UnknownEstablishmentError,
)

BUSY_TIMEOUT_MS = 10_000
_IN_CHUNK = 500
"""Values per `IN (…)` list: far below SQLite's bound-parameter limit."""
_PROFILES = {p.value: p for p in Profile}
_SOURCES = {s.value: s for s in UserSource}
Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def _iso(value: datetime) -> str:
    return value.isoformat()


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _like(q: str) -> str:
    return f"%{norm(q)}%"


def _search_text(user: UserRecord) -> str:
    last, first = norm(user.last_name), norm(user.first_name)
    return "|".join((last + first, first + last, norm(user.sync_id), norm(user.cas_login)))


def _clamp(offset: int, limit: int) -> tuple[int, int]:
    return max(0, min(offset, MAX_OFFSET)), max(1, min(limit, MAX_PAGE))


@functools.lru_cache(maxsize=8192)
def _names(text: str) -> tuple[str, ...]:
    """Rooms/teachers of an event: few distinct values over ~10^5 events, decoded once each."""
    return tuple(json.loads(text))


def root_node_key(uai: str, school_year: str) -> str:
    return f"{uai}:{school_year}|root"


class StoreClosedError(StoreError):
    """The store was closed (service shutting down) while a thread still wanted it."""


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


class SQLiteStore(Store):
    """The embedded store: `path` is the database file, created and migrated on first use."""

    def __init__(self, path: Path, *, clock: Clock = utcnow) -> None:
        self.path = Path(path)
        self.exports_dir = self.path.parent / "exports"
        self._clock = clock
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
            self._migrate()
        except (OSError, sqlite3.Error) as exc:
            self.close()
            raise store_unavailable(self.path, exc, doing="opening the ENT store") from None

    # -- connections and transactions -----------------------------------------------------
    # Public for the modules that share this SQLite file and its connections: the job queue
    # (jobs.py), the batch executor (bulk_apply.py), the helpdesk routes. Another backend
    # would give them its own equivalents; the `Store` interface does not carry SQL.
    def connection(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use, closed with the store)."""
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
        """One write transaction (`BEGIN IMMEDIATE`), rolled back on any exception (a failed
        COMMIT included: nothing stays open); the caller always sees the original exception."""
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
        """A read transaction: several queries see the same state."""
        conn = self.connection()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

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

    def _migrate(self) -> None:
        with self.transaction() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = conn.execute("SELECT version FROM schema_version").fetchone()
            current = row[0] if row else 0
            if row is None:
                conn.execute("INSERT INTO schema_version (version) VALUES (0)")
            if current > len(MIGRATIONS):
                raise StoreError(
                    f"{self.path}: schema version {current} is newer than this edt-tui "
                    f"({len(MIGRATIONS)})",
                    hint="upgrade edt-tui, or point EDT_TUI_HOME at another directory",
                )
            for migration in MIGRATIONS[current:]:
                for statement in migration:
                    conn.execute(statement)
            conn.execute("UPDATE schema_version SET version = ?", (len(MIGRATIONS),))

    def schema_version(self) -> int:
        return int(self.connection().execute("SELECT version FROM schema_version").fetchone()[0])

    def select_page(
        self, sql: str, where: str, params: Sequence[Any], order: str, offset: int, limit: int,
        convert: Callable[[sqlite3.Row], Any], count_from: str | None = None,
    ) -> Page[Any]:
        """`count_from` (a FROM clause) lets the count skip joins the filters do not need."""
        offset, limit = _clamp(offset, limit)
        counted = f"SELECT COUNT(*) {count_from}" if count_from else f"SELECT COUNT(*) FROM ({sql}"
        counted += f" WHERE {where}" + ("" if count_from else ") AS t")
        with self.snapshot() as conn:
            total = conn.execute(counted, params)
            count = int(total.fetchone()[0])
            rows = conn.execute(
                f"{sql} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
                (*params, limit, offset),
            ).fetchall()
        return Page(tuple(convert(r) for r in rows), count, offset, limit)

    def _require_establishments(self, conn: sqlite3.Connection, uais: Iterable[str]) -> None:
        for uai in sorted(set(uais)):
            found = conn.execute("SELECT 1 FROM establishments WHERE uai = ?", (uai,))
            if found.fetchone() is None:
                raise UnknownEstablishmentError(uai)

    # -- establishments -------------------------------------------------------------------
    def upsert_establishments(self, rows: Sequence[Establishment]) -> None:
        with self.transaction() as conn:
            self._write_establishments(conn, rows, _iso(self._clock()))

    @staticmethod
    def _write_establishments(
        conn: sqlite3.Connection, rows: Sequence[Establishment], now: str
    ) -> None:
        conn.executemany(
            """INSERT INTO establishments
                   (uai, name, timezone, push_secret, daily_quota, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (uai) DO UPDATE SET
                   name = excluded.name, timezone = excluded.timezone,
                   updated_at = excluded.updated_at""",
            [
                (e.uai, e.name, e.timezone, e.push_secret or secrets.token_urlsafe(24),
                 e.daily_quota, now, now)
                for e in rows
            ],
        )

    @staticmethod
    def _establishment(row: sqlite3.Row) -> Establishment:
        return Establishment(
            uai=row["uai"], name=row["name"], timezone=row["timezone"],
            daily_quota=row["daily_quota"], push_secret=row["push_secret"],
            freeze_minutes=row["freeze_minutes"],
            max_deletion_percent=row["max_deletion_percent"],
        )

    def get_establishment(self, uai: str) -> Establishment | None:
        row = self.connection().execute(
            "SELECT * FROM establishments WHERE uai = ?", (uai,)
        ).fetchone()
        return self._establishment(row) if row else None

    def update_establishment(
        self, uai: str, *, timezone: str | None = None, daily_quota: int | None = None,
        rotate_push_secret: bool = False, freeze_minutes: int | None = None,
        max_deletion_percent: int | None = None,
    ) -> Establishment | None:
        with self.transaction() as conn:
            row = conn.execute("SELECT * FROM establishments WHERE uai = ?", (uai,)).fetchone()
            if row is None:
                return None
            current = self._establishment(row)
            conn.execute(
                "UPDATE establishments SET timezone = ?, daily_quota = ?, push_secret = ?, "
                "freeze_minutes = ?, max_deletion_percent = ?, updated_at = ? WHERE uai = ?",
                (timezone or current.timezone,
                 current.daily_quota if daily_quota is None else daily_quota,
                 secrets.token_urlsafe(24) if rotate_push_secret else current.push_secret,
                 current.freeze_minutes if freeze_minutes is None else freeze_minutes,
                 current.max_deletion_percent if max_deletion_percent is None
                 else max_deletion_percent,
                 _iso(self._clock()), uai),
            )
        return self.get_establishment(uai)

    def list_establishments(
        self, *, only: Collection[str] | None = None, q: str | None = None,
        offset: int = 0, limit: int = 100,
    ) -> Page[Establishment]:
        where: list[str] = ["1 = 1"]
        params: list[str] = []
        if only is not None:
            where.append(f"uai IN ({', '.join('?' * len(only))})" if only else "1 = 0")
            params.extend(only)
        if q:
            where.append("(UPPER(uai) LIKE ? OR UPPER(name) LIKE ?)")
            params.extend((f"%{q.upper()}%", f"%{q.upper()}%"))
        return self.select_page(
            "SELECT * FROM establishments", " AND ".join(where), params, "uai", offset, limit,
            self._establishment,
        )

    # -- directory ------------------------------------------------------------------------
    def upsert_users(self, rows: Sequence[UserRecord]) -> None:
        with self.transaction() as conn:
            self._write_users(conn, rows, _iso(self._clock()), move_accounts=False)

    def load_directory(
        self, load: DirectoryLoad, *, move_accounts: bool = False
    ) -> tuple[AccountMove, ...]:
        now = _iso(self._clock())
        try:
            with self.transaction() as conn:
                self._write_establishments(conn, load.establishments, now)
                moves = self._write_users(conn, load.users, now, move_accounts=move_accounts)
                self._write_subjects(conn, load.subjects)
                self._write_classes(conn, load.classes)
        except (OSError, sqlite3.Error) as exc:
            raise store_unavailable(self.path, exc, doing="loading the directory") from None
        return moves

    def _write_users(
        self, conn: sqlite3.Connection, rows: Sequence[UserRecord], now: str, *,
        move_accounts: bool,
    ) -> tuple[AccountMove, ...]:
        """`sync_id` is the table's key: one establishment's row never changes hands unasked."""
        self._require_establishments(conn, (u.uai for u in rows))
        moves = self._account_moves(conn, rows)
        if moves and not move_accounts:
            raise AccountElsewhereError(moves)
        # The IDPN was the old establishment's PRONOTE id for that person: it goes with it.
        conn.executemany(
            "DELETE FROM idpn_links WHERE uai = ? AND sync_id = ?",
            [(m.from_uai, m.sync_id) for m in moves],
        )
        conn.executemany(
            """INSERT INTO directory_users (sync_id, uai, profile, last_name, first_name,
                   birth_date, cas_login, source, search_text, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (sync_id) DO UPDATE SET
                   uai = excluded.uai, profile = excluded.profile,
                   last_name = excluded.last_name, first_name = excluded.first_name,
                   birth_date = excluded.birth_date, cas_login = excluded.cas_login,
                   source = excluded.source, search_text = excluded.search_text,
                   updated_at = excluded.updated_at""",
            [
                (u.sync_id, u.uai, u.profile.value, u.last_name, u.first_name,
                 u.birth_date.isoformat() if u.birth_date else None, u.cas_login,
                 u.source.value, _search_text(u), now)
                for u in rows
            ],
        )
        return moves

    @staticmethod
    def _account_moves(
        conn: sqlite3.Connection, rows: Sequence[UserRecord]
    ) -> tuple[AccountMove, ...]:
        """Rows whose sync id is stored under another establishment, in row order."""
        wanted = {u.sync_id: u.uai for u in rows}
        ids = list(wanted)
        held: dict[str, str] = {}
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = ids[start : start + _IN_CHUNK]
            held.update(conn.execute(
                f"SELECT sync_id, uai FROM directory_users "
                f"WHERE sync_id IN ({', '.join('?' * len(chunk))})", chunk,
            ).fetchall())
        return tuple(
            AccountMove(sync_id, held[sync_id], uai)
            for sync_id, uai in wanted.items()
            if sync_id in held and held[sync_id] != uai
        )

    _USER_SQL = """SELECT u.uai, u.sync_id, u.profile, u.last_name, u.first_name, u.birth_date,
            u.cas_login, u.source, l.idpn, l.method, l.validated_by, l.linked_at
        FROM directory_users u LEFT JOIN idpn_links l ON l.uai = u.uai AND l.sync_id = u.sync_id"""

    @staticmethod
    def _user(row: sqlite3.Row) -> UserRecord:
        # Positional access: the students list converts 100 rows per page, by name is slower.
        (uai, sync_id, profile, last, first, birth, cas, source, idpn, method, validated_by,
         linked_at) = tuple(row)
        return UserRecord(
            uai, sync_id, _PROFILES[profile], last, first,
            date.fromisoformat(birth) if birth else None, cas, _SOURCES[source], idpn, method,
            validated_by, _dt(linked_at),
        )

    def get_user(self, uai: str, sync_id: str) -> UserRecord | None:
        row = self.connection().execute(
            f"{self._USER_SQL} WHERE u.uai = ? AND u.sync_id = ?", (uai, sync_id)
        ).fetchone()
        return self._user(row) if row else None

    def list_users(
        self, uai: str, *, q: str | None = None, profile: Profile | None = None,
        source: UserSource | None = None, reconciled: bool | None = None,
        offset: int = 0, limit: int = 100,
    ) -> Page[UserRecord]:
        where, params = ["u.uai = ?"], [uai]
        if q and norm(q):
            where.append("u.search_text LIKE ?")
            params.append(_like(q))
        if profile is not None:
            where.append("u.profile = ?")
            params.append(profile.value)
        if source is not None:
            where.append("u.source = ?")
            params.append(source.value)
        if reconciled is not None:
            where.append("l.idpn IS NOT NULL" if reconciled else "l.idpn IS NULL")
        return self.select_page(
            self._USER_SQL, " AND ".join(where), params,
            "u.last_name, u.first_name, u.sync_id", offset, limit, self._user,
            count_from=None if reconciled is not None else "FROM directory_users u",
        )

    def directory(self, uai: str) -> tuple[DirectoryUser, ...]:
        rows = self.connection().execute(
            f"{self._USER_SQL} WHERE u.uai = ? ORDER BY u.sync_id", (uai,)
        ).fetchall()
        return tuple(
            DirectoryUser(
                sync_id=u.sync_id, profile=u.profile, last_name=u.last_name,
                first_name=u.first_name, birth_date=u.birth_date, cas_login=u.cas_login,
                source=u.source, idpn=u.idpn,
            )
            for u in map(self._user, rows)
        )

    def link_idpn(
        self, uai: str, sync_id: str, idpn: str, *, method: str, validated_by: str | None
    ) -> None:
        with self.transaction() as conn:
            held = conn.execute(
                "SELECT 1 FROM directory_users WHERE uai = ? AND sync_id = ?", (uai, sync_id)
            ).fetchone()
            if held is None:  # a link under A for an account of B would outlive any move
                raise StoreError(
                    f"no account {sync_id} in establishment {uai}: IDPN not linked",
                    hint="link only accounts of the establishment's own directory",
                )
            conn.execute(
                """INSERT INTO idpn_links (uai, sync_id, idpn, method, validated_by, linked_at)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT (uai, sync_id) DO UPDATE SET idpn = excluded.idpn,
                       method = excluded.method, validated_by = excluded.validated_by,
                       linked_at = excluded.linked_at""",
                (uai, sync_id, idpn, method, validated_by, _iso(self._clock())),
            )

    # -- referential ----------------------------------------------------------------------
    def upsert_subjects(self, rows: Sequence[SubjectRecord]) -> None:
        with self.transaction() as conn:
            self._write_subjects(conn, rows)

    def _write_subjects(self, conn: sqlite3.Connection, rows: Sequence[SubjectRecord]) -> None:
        """Keyed by (uai, name): one establishment's subject never touches another's."""
        self._require_establishments(conn, (s.uai for s in rows))
        conn.executemany(
            """INSERT INTO subjects (uai, name, code) VALUES (?, ?, ?)
               ON CONFLICT (uai, name) DO UPDATE SET code = excluded.code""",
            [(s.uai, s.name, s.code or None) for s in rows],
        )

    @staticmethod
    def _subject(row: sqlite3.Row) -> SubjectRecord:
        return SubjectRecord(uai=row["uai"], name=row["name"], code=row["code"])

    def get_subject(self, uai: str, name: str) -> SubjectRecord | None:
        row = self.connection().execute(
            "SELECT * FROM subjects WHERE uai = ? AND name = ?", (uai, name)
        ).fetchone()
        return self._subject(row) if row else None

    def list_subjects(
        self, uai: str, *, q: str | None = None, offset: int = 0, limit: int = 100
    ) -> Page[SubjectRecord]:
        where, params = "uai = ?", [uai]
        if q:
            where += " AND (UPPER(name) LIKE ? OR UPPER(code) LIKE ?)"
            params += [f"%{q.upper()}%"] * 2
        return self.select_page(
            "SELECT * FROM subjects", where, params, "name", offset, limit, self._subject
        )

    def upsert_classes(self, rows: Sequence[ClassRecord]) -> None:
        with self.transaction() as conn:
            self._write_classes(conn, rows)

    def _write_classes(self, conn: sqlite3.Connection, rows: Sequence[ClassRecord]) -> None:
        """Keyed by (uai, name), like subjects."""
        self._require_establishments(conn, (c.uai for c in rows))
        conn.executemany(
            "INSERT INTO classes (uai, name) VALUES (?, ?) ON CONFLICT (uai, name) DO NOTHING",
            [(c.uai, c.name) for c in rows],
        )

    def get_class(self, uai: str, name: str) -> ClassRecord | None:
        row = self.connection().execute(
            "SELECT * FROM classes WHERE uai = ? AND name = ?", (uai, name)
        ).fetchone()
        return ClassRecord(row["uai"], row["name"]) if row else None

    def list_classes(
        self, uai: str, *, q: str | None = None, offset: int = 0, limit: int = 100
    ) -> Page[ClassRecord]:
        where, params = "uai = ?", [uai]
        if q:
            where += " AND UPPER(name) LIKE ?"
            params.append(f"%{q.upper()}%")
        return self.select_page(
            "SELECT * FROM classes", where, params, "name", offset, limit,
            lambda r: ClassRecord(r["uai"], r["name"]),
        )

    def referential(
        self, uai: str
    ) -> tuple[tuple[ReferentialSubject, ...], tuple[ReferentialClass, ...]]:
        with self.snapshot() as conn:
            subjects = conn.execute(
                "SELECT name, code FROM subjects WHERE uai = ? ORDER BY name", (uai,)
            ).fetchall()
            classes = conn.execute(
                "SELECT name FROM classes WHERE uai = ? ORDER BY name", (uai,)
            ).fetchall()
        return (
            tuple(ReferentialSubject(r["name"], r["code"]) for r in subjects),
            tuple(ReferentialClass(r["name"]) for r in classes),
        )

    # -- exports and selections -----------------------------------------------------------
    def _export_path(self, sha256: str) -> Path:
        return self.exports_dir / f"{sha256}.xml"

    def save_export(self, record: ExportRecord, data: bytes) -> ExportRecord:
        path = self._export_path(record.sha256)
        if not path.exists():
            self.exports_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        with self.transaction() as conn:
            self._require_establishments(conn, (record.uai,))
            conn.execute(
                """INSERT INTO exports
                       (sha256, uai, file_name, import_id, size, uploaded_at, summary_json)
                   VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING""",
                (record.sha256, record.uai, record.file_name, record.import_id, record.size,
                 _iso(record.uploaded_at), json.dumps(dict(record.summary))),
            )
            row = conn.execute(
                "SELECT * FROM exports WHERE sha256 = ?", (record.sha256,)
            ).fetchone()
        return self._export(row)

    @staticmethod
    def _export(row: sqlite3.Row) -> ExportRecord:
        return ExportRecord(
            sha256=row["sha256"], uai=row["uai"], file_name=row["file_name"],
            import_id=row["import_id"], size=row["size"],
            uploaded_at=datetime.fromisoformat(row["uploaded_at"]),
            summary=json.loads(row["summary_json"]),
        )

    def get_export(self, uai: str, sha256: str) -> ExportRecord | None:
        row = self.connection().execute(
            "SELECT * FROM exports WHERE uai = ? AND sha256 = ?", (uai, sha256)
        ).fetchone()
        return self._export(row) if row else None

    def export_bytes(self, uai: str, sha256: str) -> bytes:
        if self.get_export(uai, sha256) is None:
            raise StoreError(f"no export {sha256} for establishment {uai}")
        return self._export_path(sha256).read_bytes()

    def list_exports(self, uai: str, *, offset: int = 0, limit: int = 100) -> Page[ExportRecord]:
        return self.select_page(
            "SELECT * FROM exports", "uai = ?", [uai], "uploaded_at DESC, sha256",
            offset, limit, self._export,
        )

    def save_selection(self, uai: str, data: Mapping[str, Any]) -> int:
        with self.transaction() as conn:
            self._require_establishments(conn, (uai,))
            row = conn.execute(
                "SELECT COALESCE(MAX(version), 0) FROM selections WHERE uai = ?", (uai,)
            ).fetchone()
            version = int(row[0]) + 1
            conn.execute(
                "INSERT INTO selections (uai, version, created_at, data_json) VALUES (?, ?, ?, ?)",
                (uai, version, _iso(self._clock()), json.dumps(dict(data))),
            )
        return version

    def get_selection(
        self, uai: str, version: int | None = None
    ) -> tuple[int, Mapping[str, Any]] | None:
        if version is not None and not 0 < version < 2**63:
            return None  # no such version (and out of SQLite's integer range)
        if version is None:
            row = self.connection().execute(
                "SELECT version, data_json FROM selections WHERE uai = ? "
                "ORDER BY version DESC LIMIT 1", (uai,),
            ).fetchone()
        else:
            row = self.connection().execute(
                "SELECT version, data_json FROM selections WHERE uai = ? AND version = ?",
                (uai, version),
            ).fetchone()
        return (int(row["version"]), json.loads(row["data_json"])) if row else None

    # -- tokens ---------------------------------------------------------------------------
    def add_token(self, token_hash: str, principal: Principal) -> None:
        try:
            self._add_token(token_hash, principal)
        except (OSError, sqlite3.Error) as exc:
            raise store_unavailable(self.path, exc, doing="storing a token") from None

    def _add_token(self, token_hash: str, principal: Principal) -> None:
        with self.transaction() as conn:
            if principal.uai is not None:
                self._require_establishments(conn, (principal.uai,))
            # No upsert: an existing digest keeps its role and establishment.
            added = conn.execute(
                "INSERT INTO api_tokens (token_hash, role, uai, label, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (token_hash) DO NOTHING",
                (token_hash, principal.role.value, principal.uai, principal.label,
                 _iso(self._clock())),
            )
            if added.rowcount != 1:
                raise TokenCollisionError(
                    "this token is already issued: it keeps its role and establishment",
                    hint="issue a new token (`edt-tui ent token create`)",
                )

    def principal_for(self, token_hash: str) -> Principal | None:
        row = self.connection().execute(
            "SELECT role, uai, label FROM api_tokens WHERE token_hash = ?", (token_hash,)
        ).fetchone()
        return Principal(TokenRole(row["role"]), row["uai"], row["label"]) if row else None

    # -- ENT objects ----------------------------------------------------------------------
    def ent_state(self, uai: str, school_year: str) -> EntState:
        with self.snapshot() as conn:
            courses = conn.execute(
                "SELECT * FROM courses WHERE uai = ? AND school_year = ?", (uai, school_year)
            ).fetchall()
            memberships = conn.execute(
                """SELECT m.* FROM memberships m JOIN courses c ON c.key = m.course_key
                   WHERE c.uai = ? AND c.school_year = ?""", (uai, school_year),
            ).fetchall()
            events = conn.execute(
                """SELECT e.* FROM events e JOIN courses c ON c.key = e.course_key
                   WHERE c.uai = ? AND c.school_year = ?""", (uai, school_year),
            ).fetchall()
        return EntState(
            courses={r["key"]: self._course_state(r) for r in courses},
            memberships=frozenset(
                MembershipState(r["course_key"], r["user_sync_id"], Role(r["role"]))
                for r in memberships
            ),
            events={r["key"]: self._event_state(r) for r in events},
        )

    @staticmethod
    def _course_state(row: sqlite3.Row) -> CourseState:
        return CourseState(
            key=row["key"], label=row["label"], subject=row["subject"],
            audience_kind=AudienceKind(row["audience_kind"]),
            audience_name=row["audience_name"], school_year=row["school_year"],
            origin=CourseOrigin(row["origin"]),
        )

    @staticmethod
    def _event_state(row: sqlite3.Row) -> EventState:
        return EventState(
            course_key=row["course_key"], start=datetime.fromisoformat(row["start_at"]),
            end=datetime.fromisoformat(row["end_at"]), title=row["title"],
            rooms=_names(row["rooms_json"]),
            teachers=_names(row["teachers_json"]),
        )

    def apply_actions(self, uai: str, actions: Iterable[Action]) -> None:
        now = _iso(self._clock())
        with self.transaction() as conn:
            for action in actions:
                self.apply_one(conn, uai, action, now)

    def apply_one(self, conn: sqlite3.Connection, uai: str, action: Action, now: str) -> None:
        """One action inside the caller's transaction (a batch of `bulk_apply`)."""
        kind = action.type
        if kind is ActionType.CREATE_COURSE and action.course is not None:
            self._upsert_course(conn, uai, action.course, INTEGRATION_AUTHOR, now)
        elif kind is ActionType.CREATE_HIERARCHY_NODE and action.course is not None:
            course = action.course
            root = root_node_key(uai, course.school_year)
            conn.execute(
                """INSERT INTO hierarchy_nodes (key, uai, school_year, title, parent_key,
                       course_key) VALUES (?, ?, ?, ?, NULL, NULL) ON CONFLICT (key) DO NOTHING""",
                (root, uai, course.school_year, course.hierarchy_parent),
            )
            conn.execute(
                """INSERT INTO hierarchy_nodes (key, uai, school_year, title, parent_key,
                       course_key) VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT (key) DO UPDATE SET title = excluded.title""",
                (action.key, uai, course.school_year, course.label, root, course.key),
            )
        elif kind is ActionType.CREATE_MEMBERSHIP and action.membership is not None:
            m = action.membership
            conn.execute(
                """INSERT INTO memberships (key, course_key, user_sync_id, role, created_at)
                   VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING""",
                (m.key, m.course_key, m.user, m.role.value, now),
            )
            self._touch(conn, m.course_key, now)
        elif kind is ActionType.DELETE_MEMBERSHIP:
            course_key = action.membership.course_key if action.membership else None
            conn.execute("DELETE FROM memberships WHERE key = ?", (action.key,))
            if course_key:
                self._touch(conn, course_key, now)
        elif kind in (ActionType.CREATE_EVENT, ActionType.UPDATE_EVENT) and action.event:
            e = action.event
            conn.execute(
                """INSERT INTO events (key, course_key, start_at, end_at, start_utc, title,
                       rooms_json, teachers_json, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (key) DO UPDATE SET end_at = excluded.end_at,
                       title = excluded.title, rooms_json = excluded.rooms_json,
                       teachers_json = excluded.teachers_json, updated_at = excluded.updated_at""",
                (e.key, e.course_key, _iso(e.start), _iso(e.end),
                 _iso(e.start.astimezone(UTC)), e.title, json.dumps(list(e.rooms)),
                 json.dumps(list(e.teachers)), now),
            )
        elif kind is ActionType.DELETE_EVENT:
            conn.execute("DELETE FROM events WHERE key = ?", (action.key,))
        elif kind is ActionType.DELETE_HIERARCHY_NODE:
            conn.execute("DELETE FROM hierarchy_nodes WHERE key = ? AND uai = ?", (action.key, uai))
        elif kind is ActionType.DELETE_COURSE:
            # Its memberships, events and node go first (ACTION_ORDER): the foreign keys refuse
            # to leave them orphaned, and the action is then recorded as failed.
            conn.execute("DELETE FROM courses WHERE key = ? AND uai = ?", (action.key, uai))
        else:
            raise StoreError(f"action {kind} {action.key} carries no value to apply")

    def _upsert_course(
        self, conn: sqlite3.Connection, uai: str, course: CourseState, author: str, now: str
    ) -> None:
        conn.execute(
            """INSERT INTO courses (key, uai, school_year, label, subject, audience_kind,
                   audience_name, origin, created_by, created_at, updated_at, last_visit_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
               ON CONFLICT (key) DO UPDATE SET label = excluded.label,
                   updated_at = excluded.updated_at""",
            (course.key, uai, course.school_year, course.label, course.subject,
             course.audience_kind.value, course.audience_name, course.origin.value, author,
             now, now),
        )

    @staticmethod
    def _touch(conn: sqlite3.Connection, course_key: str, now: str) -> None:
        conn.execute("UPDATE courses SET updated_at = ? WHERE key = ?", (now, course_key))

    def add_manual_course(
        self, uai: str, key: str, *, label: str, school_year: str, subject: str,
        audience_kind: str, audience_name: str, created_by: str,
    ) -> None:
        state = CourseState(
            key=key, label=label, subject=subject, audience_kind=AudienceKind(audience_kind),
            audience_name=audience_name, school_year=school_year, origin=CourseOrigin.MANUAL,
        )
        with self.transaction() as conn:
            self._require_establishments(conn, (uai,))
            self._upsert_course(conn, uai, state, created_by, _iso(self._clock()))

    _COURSE_SQL = """SELECT c.*, (SELECT COUNT(*) FROM memberships m
        WHERE m.course_key = c.key) AS participants FROM courses c"""

    @staticmethod
    def _course(row: sqlite3.Row) -> CourseRecord:
        return CourseRecord(
            key=row["key"], uai=row["uai"], school_year=row["school_year"], label=row["label"],
            subject=row["subject"], audience_kind=AudienceKind(row["audience_kind"]),
            audience_name=row["audience_name"], origin=CourseOrigin(row["origin"]),
            created_by=row["created_by"], created_at=datetime.fromisoformat(row["created_at"]),
            updated_at=datetime.fromisoformat(row["updated_at"]),
            last_visit_at=_dt(row["last_visit_at"]), participants=row["participants"],
        )

    def get_course(self, uai: str, key: str) -> CourseRecord | None:
        row = self.connection().execute(
            f"{self._COURSE_SQL} WHERE c.uai = ? AND c.key = ?", (uai, key)
        ).fetchone()
        return self._course(row) if row else None

    def list_courses(
        self, uai: str, *, school_year: str | None = None, q: str | None = None,
        origin: CourseOrigin | None = None, offset: int = 0, limit: int = 100,
    ) -> Page[CourseRecord]:
        where, params = ["c.uai = ?"], [uai]
        if school_year:
            where.append("c.school_year = ?")
            params.append(school_year)
        if q:
            where.append("UPPER(c.label) LIKE ?")
            params.append(f"%{q.upper()}%")
        if origin is not None:
            where.append("c.origin = ?")
            params.append(origin.value)
        return self.select_page(
            self._COURSE_SQL, " AND ".join(where), params, "c.label, c.key", offset, limit,
            self._course,
        )

    def list_memberships(
        self, uai: str, course_key: str, *, role: Role | None = None,
        offset: int = 0, limit: int = 100,
    ) -> Page[MembershipRecord]:
        where, params = ["c.uai = ? AND m.course_key = ?"], [uai, course_key]
        if role is not None:
            where.append("m.role = ?")
            params.append(role.value)
        return self.select_page(
            "SELECT m.* FROM memberships m JOIN courses c ON c.key = m.course_key",
            " AND ".join(where), params, "m.role DESC, m.user_sync_id", offset, limit,
            lambda r: MembershipRecord(
                key=r["key"], course_key=r["course_key"], user=r["user_sync_id"],
                role=Role(r["role"]), created_at=datetime.fromisoformat(r["created_at"]),
            ),
        )

    def list_events(
        self, uai: str, course_key: str, *, start_from: datetime | None = None,
        offset: int = 0, limit: int = 100,
    ) -> Page[EventRecord]:
        where, params = ["c.uai = ? AND e.course_key = ?"], [uai, course_key]
        if start_from is not None:
            if start_from.tzinfo is None:
                start_from = start_from.replace(tzinfo=UTC)
            where.append("e.start_utc >= ?")
            params.append(_iso(start_from.astimezone(UTC)))
        return self.select_page(
            "SELECT e.* FROM events e JOIN courses c ON c.key = e.course_key",
            " AND ".join(where), params, "e.start_utc", offset, limit, self._event,
        )

    @classmethod
    def _event(cls, row: sqlite3.Row) -> EventRecord:
        state = cls._event_state(row)
        return EventRecord(
            key=row["key"], course_key=state.course_key, start=state.start, end=state.end,
            title=state.title, rooms=state.rooms, teachers=state.teachers,
            updated_at=datetime.fromisoformat(row["updated_at"]),
        )

    def list_hierarchy(
        self, uai: str, *, parent_key: str | None = None, offset: int = 0, limit: int = 100,
    ) -> Page[HierarchyNode]:
        where, params = "uai = ? AND parent_key IS NULL", [uai]
        if parent_key is not None:
            where, params = "uai = ? AND parent_key = ?", [uai, parent_key]
        return self.select_page(
            "SELECT * FROM hierarchy_nodes", where, params, "title, key", offset, limit,
            lambda r: HierarchyNode(
                key=r["key"], uai=r["uai"], school_year=r["school_year"], title=r["title"],
                parent_key=r["parent_key"], course_key=r["course_key"],
            ),
        )


def open_store(data_dir: Path | None = None) -> SQLiteStore:
    """The embedded store at `<data dir>/ent.sqlite3` (EDT_TUI_HOME by default)."""
    if data_dir is None:
        from edt_tui.config import data_dir as default_dir

        data_dir = default_dir()
    return SQLiteStore(Path(data_dir) / "ent.sqlite3")
