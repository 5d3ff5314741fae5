"""The one storage interface of the ENT import service.

The API, the loaders and the worker only see `Store`; `SqlStore` (storage/sql_store.py)
implements it on SQLite or PostgreSQL (docs/storage.md). Every write method
is one transaction: it is applied entirely or not at all.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Mapping, Sequence
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
from edt_tui.errors import EdtTuiError
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

MAX_PAGE = 500
DEFAULT_PAGE = 100
MAX_OFFSET = 2**31 - 1
"""Beyond any real list; keeps offsets inside every backend's integer range."""


class StoreError(EdtTuiError):
    """The store refused a write (unknown establishment, broken reference)."""


class UnknownEstablishmentError(StoreError):
    exit_code = 2

    def __init__(self, uai: str) -> None:
        super().__init__(
            f"unknown establishment {uai}",
            hint="load it first with `edt-tui ent load DIR` (establishments.csv)",
        )
        self.uai = uai


class AccountElsewhereError(StoreError):
    """Sync ids already held by another establishment: an account never moves silently."""

    exit_code = 2

    def __init__(self, moves: Sequence[AccountMove]) -> None:
        first = moves[0]
        super().__init__(
            f"{len(moves)} account(s) belong to another establishment (e.g. {first.sync_id} "
            f"is in {first.from_uai}, not {first.to_uai}); nothing was written",
            hint="an account that changed school moves only with `ent load --move-accounts`",
        )
        self.moves = tuple(moves)


class TokenCollisionError(StoreError):
    """A token digest already stored: never re-scope an existing token."""


class Store(ABC):
    """Typed access to establishments, directory, referential, exports and ENT objects."""

    @abstractmethod
    def schema_version(self) -> int:
        """The applied schema version (health checks, support)."""

    # -- establishments -------------------------------------------------------------------
    @abstractmethod
    def upsert_establishments(self, rows: Sequence[Establishment]) -> None:
        """Insert or update name/time zone; a new establishment gets a fresh push secret."""

    @abstractmethod
    def get_establishment(self, uai: str) -> Establishment | None: ...

    @abstractmethod
    def update_establishment(
        self, uai: str, *, timezone: str | None = None, daily_quota: int | None = None,
        rotate_push_secret: bool = False, freeze_minutes: int | None = None,
        max_deletion_percent: int | None = None,
    ) -> Establishment | None:
        """Change settings (None = keep); a new push secret voids the old push URL at once."""

    @abstractmethod
    def list_establishments(
        self, *, only: Collection[str] | None = None, q: str | None = None,
        offset: int = 0, limit: int = DEFAULT_PAGE,
    ) -> Page[Establishment]:
        """`only` restricts to these UAIs (an establishment admin's scope)."""

    # -- directory ------------------------------------------------------------------------
    @abstractmethod
    def upsert_users(self, rows: Sequence[UserRecord]) -> None:
        """Upsert by sync id; raises `UnknownEstablishmentError` or, for a sync id held by
        another establishment, `AccountElsewhereError` (nothing written either way)."""

    @abstractmethod
    def load_directory(
        self, load: DirectoryLoad, *, move_accounts: bool = False
    ) -> tuple[AccountMove, ...]:
        """Upsert establishments, users, subjects and classes in one transaction, all or nothing.

        A sync id held by another establishment raises `AccountElsewhereError`, unless
        `move_accounts`: then the account moves, its IDPN link in the old establishment is
        dropped, and the moves are returned.
        """

    @abstractmethod
    def get_user(self, uai: str, sync_id: str) -> UserRecord | None: ...

    @abstractmethod
    def list_users(
        self, uai: str, *, q: str | None = None, profile: Profile | None = None,
        source: UserSource | None = None, reconciled: bool | None = None,
        offset: int = 0, limit: int = DEFAULT_PAGE,
    ) -> Page[UserRecord]:
        """Sorted by last name, first name, sync id; `q` matches names, sync id, CAS login."""

    @abstractmethod
    def directory(self, uai: str) -> tuple[DirectoryUser, ...]:
        """Every user of the establishment as the engine sees it (with its IDPN link)."""

    @abstractmethod
    def link_idpn(
        self, uai: str, sync_id: str, idpn: str, *, method: str, validated_by: str | None
    ) -> None:
        """Record (or replace) the PRONOTE id of a user for this establishment (§7); a user
        of another establishment (or none) raises `StoreError`."""

    # -- referential ----------------------------------------------------------------------
    @abstractmethod
    def upsert_subjects(self, rows: Sequence[SubjectRecord]) -> None: ...

    @abstractmethod
    def get_subject(self, uai: str, name: str) -> SubjectRecord | None: ...

    @abstractmethod
    def list_subjects(
        self, uai: str, *, q: str | None = None, offset: int = 0, limit: int = DEFAULT_PAGE
    ) -> Page[SubjectRecord]: ...

    @abstractmethod
    def upsert_classes(self, rows: Sequence[ClassRecord]) -> None: ...

    @abstractmethod
    def get_class(self, uai: str, name: str) -> ClassRecord | None: ...

    @abstractmethod
    def list_classes(
        self, uai: str, *, q: str | None = None, offset: int = 0, limit: int = DEFAULT_PAGE
    ) -> Page[ClassRecord]: ...

    @abstractmethod
    def referential(
        self, uai: str
    ) -> tuple[tuple[ReferentialSubject, ...], tuple[ReferentialClass, ...]]:
        """Subjects and classes of the establishment, as the engine matches them."""

    # -- exports and selections -----------------------------------------------------------
    @abstractmethod
    def save_export(self, record: ExportRecord, data: bytes) -> ExportRecord:
        """Keep the bytes by SHA-256 (idempotent: the first upload's record is returned)."""

    @abstractmethod
    def get_export(self, uai: str, sha256: str) -> ExportRecord | None: ...

    @abstractmethod
    def export_bytes(self, uai: str, sha256: str) -> bytes:
        """The stored file of `uai`'s export (StoreError for another establishment's)."""

    @abstractmethod
    def list_exports(
        self, uai: str, *, offset: int = 0, limit: int = DEFAULT_PAGE
    ) -> Page[ExportRecord]:
        """Newest first."""

    @abstractmethod
    def save_selection(self, uai: str, data: Mapping[str, Any]) -> int:
        """Store a new version of the establishment's selection (opaque JSON); its version."""

    @abstractmethod
    def get_selection(
        self, uai: str, version: int | None = None
    ) -> tuple[int, Mapping[str, Any]] | None:
        """The given version, or the latest one."""

    # -- tokens ---------------------------------------------------------------------------
    @abstractmethod
    def add_token(self, token_hash: str, principal: Principal) -> None:
        """Store a new token; an existing digest raises `TokenCollisionError` (never rescoped)."""

    @abstractmethod
    def principal_for(self, token_hash: str) -> Principal | None: ...

    # -- ENT objects ----------------------------------------------------------------------
    @abstractmethod
    def ent_state(self, uai: str, school_year: str) -> EntState:
        """Courses (any origin), memberships and events of the establishment and year."""

    @abstractmethod
    def apply_actions(self, uai: str, actions: Iterable[Action]) -> None:
        """Apply idempotent upserts/deletes by key, all in one transaction."""

    def apply_action(self, uai: str, action: Action) -> None:
        self.apply_actions(uai, (action,))

    @abstractmethod
    def add_manual_course(
        self, uai: str, key: str, *, label: str, school_year: str, subject: str,
        audience_kind: str, audience_name: str, created_by: str,
    ) -> None:
        """A course an admin created by hand: imports never touch it (`origin` manual)."""

    @abstractmethod
    def get_course(self, uai: str, key: str) -> CourseRecord | None: ...

    @abstractmethod
    def list_courses(
        self, uai: str, *, school_year: str | None = None, q: str | None = None,
        origin: CourseOrigin | None = None, offset: int = 0, limit: int = DEFAULT_PAGE,
    ) -> Page[CourseRecord]:
        """Sorted by label, with participants counted."""

    @abstractmethod
    def list_memberships(
        self, uai: str, course_key: str, *, role: Role | None = None,
        offset: int = 0, limit: int = DEFAULT_PAGE,
    ) -> Page[MembershipRecord]: ...

    @abstractmethod
    def list_events(
        self, uai: str, course_key: str, *, start_from: datetime | None = None,
        offset: int = 0, limit: int = DEFAULT_PAGE,
    ) -> Page[EventRecord]:
        """Chronological."""

    @abstractmethod
    def list_hierarchy(
        self, uai: str, *, parent_key: str | None = None, offset: int = 0,
        limit: int = DEFAULT_PAGE,
    ) -> Page[HierarchyNode]:
        """Roots (`Cours <year>`) when `parent_key` is None, else that node's children."""

    @abstractmethod
    def close(self) -> None: ...
