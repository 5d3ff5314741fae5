"""Establishments, their directory of users and the users' IDPN links."""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterable, Sequence
from datetime import date

from edt_tui.engine.model import DirectoryUser, Profile, UserSource
from edt_tui.engine.normalize import norm
from edt_tui.service.records import (
    AccountMove,
    Establishment,
    Page,
    UserRecord,
)
from edt_tui.service.store import (
    DEFAULT_PAGE,
    AccountElsewhereError,
    StoreError,
    UnknownEstablishmentError,
)
from edt_tui.storage.clock import parse_stamp
from edt_tui.storage.database import Connection, Row
from edt_tui.storage.repository import Repository, like, upper_like

IN_CHUNK = 500
"""Values per `IN (…)` list: far below every backend's bound-parameter limit."""
_PROFILES = {p.value: p for p in Profile}
_SOURCES = {s.value: s for s in UserSource}


def require_establishments(conn: Connection, uais: Iterable[str]) -> None:
    for uai in sorted(set(uais)):
        if conn.execute("SELECT 1 FROM establishments WHERE uai = ?", (uai,)).fetchone() is None:
            raise UnknownEstablishmentError(uai)


def _search_text(user: UserRecord) -> str:
    last, first = norm(user.last_name), norm(user.first_name)
    return "|".join((last + first, first + last, norm(user.sync_id), norm(user.cas_login)))


def _establishment(row: Row) -> Establishment:
    return Establishment(
        uai=row["uai"], name=row["name"], timezone=row["timezone"],
        daily_quota=row["daily_quota"], push_secret=row["push_secret"],
        freeze_minutes=row["freeze_minutes"], max_deletion_percent=row["max_deletion_percent"],
    )


def _user(row: Row) -> UserRecord:
    # Positional access: the students list converts 100 rows per page, by name is slower.
    (uai, sync_id, profile, last, first, birth, cas, source, idpn, method, validated_by,
     linked_at) = tuple(row)
    return UserRecord(
        uai, sync_id, _PROFILES[profile], last, first,
        date.fromisoformat(birth) if birth else None, cas, _SOURCES[source], idpn, method,
        validated_by, parse_stamp(linked_at),
    )


_USER_SQL = """SELECT u.uai, u.sync_id, u.profile, u.last_name, u.first_name, u.birth_date,
        u.cas_login, u.source, l.idpn, l.method, l.validated_by, l.linked_at
    FROM directory_users u LEFT JOIN idpn_links l ON l.uai = u.uai AND l.sync_id = u.sync_id"""


class DirectoryRepository(Repository):
    """Establishments (settings, push secret), users by sync id, IDPN links."""

    # -- establishments -------------------------------------------------------------------
    def upsert_establishments(self, rows: Sequence[Establishment]) -> None:
        with self.db.transaction() as conn:
            self.write_establishments(conn, rows, self.now())

    @staticmethod
    def write_establishments(conn: Connection, rows: Sequence[Establishment], now: str) -> None:
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

    def get_establishment(self, uai: str) -> Establishment | None:
        with self.db.snapshot() as conn:
            row = conn.execute("SELECT * FROM establishments WHERE uai = ?", (uai,)).fetchone()
        return _establishment(row) if row else None

    def update_establishment(
        self, uai: str, *, timezone: str | None = None, daily_quota: int | None = None,
        rotate_push_secret: bool = False, freeze_minutes: int | None = None,
        max_deletion_percent: int | None = None,
    ) -> Establishment | None:
        with self.db.transaction() as conn:
            self.db.lock_establishment(conn, uai)  # read, then write what was read
            row = conn.execute("SELECT * FROM establishments WHERE uai = ?", (uai,)).fetchone()
            if row is None:
                return None
            current = _establishment(row)
            conn.execute(
                "UPDATE establishments SET timezone = ?, daily_quota = ?, push_secret = ?, "
                "freeze_minutes = ?, max_deletion_percent = ?, updated_at = ? WHERE uai = ?",
                (timezone or current.timezone,
                 current.daily_quota if daily_quota is None else daily_quota,
                 secrets.token_urlsafe(24) if rotate_push_secret else current.push_secret,
                 current.freeze_minutes if freeze_minutes is None else freeze_minutes,
                 current.max_deletion_percent if max_deletion_percent is None
                 else max_deletion_percent,
                 self.now(), uai),
            )
        return self.get_establishment(uai)

    def list_establishments(
        self, *, only: Collection[str] | None = None, q: str | None = None,
        offset: int = 0, limit: int = DEFAULT_PAGE,
    ) -> Page[Establishment]:
        where: list[str] = ["1 = 1"]
        params: list[str] = []
        if only is not None:
            where.append(f"uai IN ({', '.join('?' * len(only))})" if only else "1 = 0")
            params.extend(only)
        if q:
            where.append("(UPPER(uai) LIKE ? OR UPPER(name) LIKE ?)")
            params.extend((upper_like(q), upper_like(q)))
        return self.select_page(
            "SELECT * FROM establishments", " AND ".join(where), params, "uai", offset, limit,
            _establishment,
        )

    # -- users ----------------------------------------------------------------------------
    def upsert_users(self, rows: Sequence[UserRecord]) -> None:
        with self.db.transaction() as conn:
            self.write_users(conn, rows, self.now(), move_accounts=False)

    def write_users(
        self, conn: Connection, rows: Sequence[UserRecord], now: str, *, move_accounts: bool,
    ) -> tuple[AccountMove, ...]:
        """`sync_id` is the table's key: one establishment's row never changes hands unasked."""
        uais = {u.uai for u in rows}
        require_establishments(conn, uais)
        # The move check reads, then writes: concurrent loads of the same sync ids must not
        # both pass it (one writer at a time on SQLite; a lock per establishment elsewhere).
        for uai in sorted(uais):
            self.db.lock_establishment(conn, uai)
        moves = self._account_moves(conn, rows)
        if moves and not move_accounts:
            raise AccountElsewhereError(moves)
        for uai in sorted({m.from_uai for m in moves} - uais):
            self.db.lock_establishment(conn, uai)
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
    def _account_moves(conn: Connection, rows: Sequence[UserRecord]) -> tuple[AccountMove, ...]:
        """Rows whose sync id is stored under another establishment, in row order."""
        wanted = {u.sync_id: u.uai for u in rows}
        ids = list(wanted)
        held: dict[str, str] = {}
        for start in range(0, len(ids), IN_CHUNK):
            chunk = ids[start : start + IN_CHUNK]
            held.update(
                (row[0], row[1]) for row in conn.execute(
                    f"SELECT sync_id, uai FROM directory_users "
                    f"WHERE sync_id IN ({', '.join('?' * len(chunk))})", chunk,
                ).fetchall()
            )
        return tuple(
            AccountMove(sync_id, held[sync_id], uai)
            for sync_id, uai in wanted.items()
            if sync_id in held and held[sync_id] != uai
        )

    def get_user(self, uai: str, sync_id: str) -> UserRecord | None:
        with self.db.snapshot() as conn:
            row = conn.execute(
                f"{_USER_SQL} WHERE u.uai = ? AND u.sync_id = ?", (uai, sync_id)
            ).fetchone()
        return _user(row) if row else None

    def list_users(
        self, uai: str, *, q: str | None = None, profile: Profile | None = None,
        source: UserSource | None = None, reconciled: bool | None = None,
        offset: int = 0, limit: int = DEFAULT_PAGE,
    ) -> Page[UserRecord]:
        where, params = ["u.uai = ?"], [uai]
        if q and norm(q):
            where.append("u.search_text LIKE ?")
            params.append(like(q))
        if profile is not None:
            where.append("u.profile = ?")
            params.append(profile.value)
        if source is not None:
            where.append("u.source = ?")
            params.append(source.value)
        if reconciled is not None:
            where.append("l.idpn IS NOT NULL" if reconciled else "l.idpn IS NULL")
        return self.select_page(
            _USER_SQL, " AND ".join(where), params,
            "u.last_name, u.first_name, u.sync_id", offset, limit, _user,
            count_from=None if reconciled is not None else "FROM directory_users u",
        )

    def directory(self, uai: str) -> tuple[DirectoryUser, ...]:
        with self.db.snapshot() as conn:
            rows = conn.execute(
                f"{_USER_SQL} WHERE u.uai = ? ORDER BY u.sync_id", (uai,)
            ).fetchall()
        return tuple(
            DirectoryUser(
                sync_id=u.sync_id, profile=u.profile, last_name=u.last_name,
                first_name=u.first_name, birth_date=u.birth_date, cas_login=u.cas_login,
                source=u.source, idpn=u.idpn,
            )
            for u in map(_user, rows)
        )

    # -- IDPN links -----------------------------------------------------------------------
    def link_idpn(
        self, uai: str, sync_id: str, idpn: str, *, method: str, validated_by: str | None
    ) -> None:
        with self.db.transaction() as conn:
            self.db.lock_establishment(conn, uai)  # an account move of that user waits
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
                (uai, sync_id, idpn, method, validated_by, self.now()),
            )
