"""`Store` over any `Database`: the service's one store, composed of a repository per aggregate.

`open_store(url)` picks the backend from the database URL (docs/storage.md). The job modules
share the store's database through `transaction()` and `snapshot()`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from edt_tui.engine.model import (
    Action,
    CourseOrigin,
    DirectoryUser,
    EntState,
    Profile,
    ReferentialClass,
    ReferentialSubject,
    Role,
    UserSource,
)
from edt_tui.service.records import (
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
    UserRecord,
)
from edt_tui.service.store import DEFAULT_PAGE, Store
from edt_tui.storage.clock import Clock, utcnow
from edt_tui.storage.database import Connection, Database
from edt_tui.storage.directory import DirectoryRepository
from edt_tui.storage.ent_objects import EntObjectRepository
from edt_tui.storage.exports import ExportRepository
from edt_tui.storage.plan_requests import PlanRequestRepository
from edt_tui.storage.referential import ReferentialRepository
from edt_tui.storage.tokens import TokenRepository
from edt_tui.storage.url import parse_database_url


class SqlStore(Store):
    """The `Store` of a database, whatever its backend."""

    def __init__(self, database: Database, *, clock: Clock = utcnow) -> None:
        self.database = database
        self.directory_repo = DirectoryRepository(database, clock=clock)
        self.referential_repo = ReferentialRepository(database, clock=clock)
        self.exports = ExportRepository(database, database.export_blobs(), clock=clock)
        self.tokens = TokenRepository(database, clock=clock)
        self.ent = EntObjectRepository(database, clock=clock)
        self.plan_requests = PlanRequestRepository(database, clock=clock)

    # -- the database, for the repositories of the jobs side ------------------------------
    def transaction(self) -> AbstractContextManager[Connection]:
        return self.database.transaction()

    def snapshot(self) -> AbstractContextManager[Connection]:
        return self.database.snapshot()

    def apply_one(self, conn: Connection, uai: str, action: Action, now: str) -> None:
        self.ent.apply_one(conn, uai, action, now)

    @property
    def closed(self) -> bool:
        return self.database.closed

    def close(self) -> None:
        self.database.close()

    def schema_version(self) -> int:
        return self.database.schema_version()

    # -- establishments and directory -----------------------------------------------------
    def upsert_establishments(self, rows: Sequence[Establishment]) -> None:
        self.directory_repo.upsert_establishments(rows)

    def get_establishment(self, uai: str) -> Establishment | None:
        return self.directory_repo.get_establishment(uai)

    def update_establishment(
        self, uai: str, *, timezone: str | None = None, daily_quota: int | None = None,
        rotate_push_secret: bool = False, freeze_minutes: int | None = None,
        max_deletion_percent: int | None = None,
    ) -> Establishment | None:
        return self.directory_repo.update_establishment(
            uai, timezone=timezone, daily_quota=daily_quota,
            rotate_push_secret=rotate_push_secret, freeze_minutes=freeze_minutes,
            max_deletion_percent=max_deletion_percent,
        )

    def list_establishments(
        self, *, only: Collection[str] | None = None, q: str | None = None,
        offset: int = 0, limit: int = DEFAULT_PAGE,
    ) -> Page[Establishment]:
        return self.directory_repo.list_establishments(
            only=only, q=q, offset=offset, limit=limit
        )

    def upsert_users(self, rows: Sequence[UserRecord]) -> None:
        self.directory_repo.upsert_users(rows)

    def load_directory(
        self, load: DirectoryLoad, *, move_accounts: bool = False
    ) -> tuple[AccountMove, ...]:
        directory, referential = self.directory_repo, self.referential_repo
        now = directory.now()
        try:
            with self.database.transaction() as conn:
                directory.write_establishments(conn, load.establishments, now)
                moves = directory.write_users(conn, load.users, now, move_accounts=move_accounts)
                referential.write_subjects(conn, load.subjects)
                referential.write_classes(conn, load.classes)
        except self.database.driver_errors as exc:
            raise self.database.unavailable(exc, doing="loading the directory") from None
        return moves

    def get_user(self, uai: str, sync_id: str) -> UserRecord | None:
        return self.directory_repo.get_user(uai, sync_id)

    def list_users(
        self, uai: str, *, q: str | None = None, profile: Profile | None = None,
        source: UserSource | None = None, reconciled: bool | None = None,
        offset: int = 0, limit: int = DEFAULT_PAGE,
    ) -> Page[UserRecord]:
        return self.directory_repo.list_users(
            uai, q=q, profile=profile, source=source, reconciled=reconciled, offset=offset,
            limit=limit,
        )

    def directory(self, uai: str) -> tuple[DirectoryUser, ...]:
        return self.directory_repo.directory(uai)

    def link_idpn(
        self, uai: str, sync_id: str, idpn: str, *, method: str, validated_by: str | None
    ) -> None:
        self.directory_repo.link_idpn(
            uai, sync_id, idpn, method=method, validated_by=validated_by
        )

    # -- referential ----------------------------------------------------------------------
    def upsert_subjects(self, rows: Sequence[SubjectRecord]) -> None:
        self.referential_repo.upsert_subjects(rows)

    def get_subject(self, uai: str, name: str) -> SubjectRecord | None:
        return self.referential_repo.get_subject(uai, name)

    def list_subjects(
        self, uai: str, *, q: str | None = None, offset: int = 0, limit: int = DEFAULT_PAGE
    ) -> Page[SubjectRecord]:
        return self.referential_repo.list_subjects(uai, q=q, offset=offset, limit=limit)

    def upsert_classes(self, rows: Sequence[ClassRecord]) -> None:
        self.referential_repo.upsert_classes(rows)

    def get_class(self, uai: str, name: str) -> ClassRecord | None:
        return self.referential_repo.get_class(uai, name)

    def list_classes(
        self, uai: str, *, q: str | None = None, offset: int = 0, limit: int = DEFAULT_PAGE
    ) -> Page[ClassRecord]:
        return self.referential_repo.list_classes(uai, q=q, offset=offset, limit=limit)

    def referential(
        self, uai: str
    ) -> tuple[tuple[ReferentialSubject, ...], tuple[ReferentialClass, ...]]:
        return self.referential_repo.referential(uai)

    # -- exports and selections -----------------------------------------------------------
    def save_export(self, record: ExportRecord, data: bytes) -> ExportRecord:
        return self.exports.save_export(record, data)

    def get_export(self, uai: str, sha256: str) -> ExportRecord | None:
        return self.exports.get_export(uai, sha256)

    def export_bytes(self, uai: str, sha256: str) -> bytes:
        return self.exports.export_bytes(uai, sha256)

    def list_exports(
        self, uai: str, *, offset: int = 0, limit: int = DEFAULT_PAGE
    ) -> Page[ExportRecord]:
        return self.exports.list_exports(uai, offset=offset, limit=limit)

    def save_selection(self, uai: str, data: Mapping[str, Any]) -> int:
        return self.exports.save_selection(uai, data)

    def get_selection(
        self, uai: str, version: int | None = None
    ) -> tuple[int, Mapping[str, Any]] | None:
        return self.exports.get_selection(uai, version)

    # -- tokens ---------------------------------------------------------------------------
    def add_token(self, token_hash: str, principal: Principal) -> None:
        try:
            self.tokens.add_token(token_hash, principal)
        except self.database.driver_errors as exc:
            raise self.database.unavailable(exc, doing="storing a token") from None

    def principal_for(self, token_hash: str) -> Principal | None:
        return self.tokens.principal_for(token_hash)

    # -- ENT objects ----------------------------------------------------------------------
    def ent_state(self, uai: str, school_year: str) -> EntState:
        return self.ent.ent_state(uai, school_year)

    def apply_actions(self, uai: str, actions: Iterable[Action]) -> None:
        self.ent.apply_actions(uai, actions)

    def add_manual_course(
        self, uai: str, key: str, *, label: str, school_year: str, subject: str,
        audience_kind: str, audience_name: str, created_by: str,
    ) -> None:
        self.ent.add_manual_course(
            uai, key, label=label, school_year=school_year, subject=subject,
            audience_kind=audience_kind, audience_name=audience_name, created_by=created_by,
        )

    def get_course(self, uai: str, key: str) -> CourseRecord | None:
        return self.ent.get_course(uai, key)

    def list_courses(
        self, uai: str, *, school_year: str | None = None, q: str | None = None,
        origin: CourseOrigin | None = None, offset: int = 0, limit: int = DEFAULT_PAGE,
    ) -> Page[CourseRecord]:
        return self.ent.list_courses(
            uai, school_year=school_year, q=q, origin=origin, offset=offset, limit=limit
        )

    def list_memberships(
        self, uai: str, course_key: str, *, role: Role | None = None,
        offset: int = 0, limit: int = DEFAULT_PAGE,
    ) -> Page[MembershipRecord]:
        return self.ent.list_memberships(
            uai, course_key, role=role, offset=offset, limit=limit
        )

    def list_events(
        self, uai: str, course_key: str, *, start_from: datetime | None = None,
        offset: int = 0, limit: int = DEFAULT_PAGE,
    ) -> Page[EventRecord]:
        return self.ent.list_events(
            uai, course_key, start_from=start_from, offset=offset, limit=limit
        )

    def list_hierarchy(
        self, uai: str, *, parent_key: str | None = None, offset: int = 0,
        limit: int = DEFAULT_PAGE,
    ) -> Page[HierarchyNode]:
        return self.ent.list_hierarchy(uai, parent_key=parent_key, offset=offset, limit=limit)


def open_database(url: str | None = None) -> Database:
    """The database of `url`, else of EDT_TUI_DATABASE_URL, config.toml's `database_url`, or
    the data directory's SQLite file; opened and migrated."""
    from edt_tui.config import database_url

    text, where = database_url(url)
    parsed = parse_database_url(text, where=where)
    if parsed.backend == "postgresql":
        from edt_tui.storage.postgres import PostgresDatabase

        return PostgresDatabase(parsed.url)
    from edt_tui.storage.sqlite import SQLiteDatabase

    assert parsed.path is not None
    return SQLiteDatabase(parsed.path)


def open_store(url: str | None = None, *, clock: Clock = utcnow) -> SqlStore:
    """The service's store on `url` (see `open_database`)."""
    return SqlStore(open_database(url), clock=clock)

