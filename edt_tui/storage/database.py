"""What a repository sees of a database, whatever the backend.

SQL is written once, with `?` placeholders; each backend adapts it (PostgreSQL's driver wants
`%s`). Rows answer both `row["column"]` and `row[0]`. A connection is only ever used inside
`Database.transaction()` (one write transaction) or `Database.snapshot()` (one consistent read).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol


class Row(Protocol):
    def __getitem__(self, key: int | str, /) -> Any: ...

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


class Database(Protocol):
    """What a repository holds: one write transaction or one consistent read at a time.

    Both roll back on an exception and give the caller the original one."""

    def transaction(self) -> AbstractContextManager[Connection]: ...

    def snapshot(self) -> AbstractContextManager[Connection]: ...
