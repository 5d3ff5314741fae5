"""What a database error means for the service, whatever the backend raised it.

The service decides what to do with a failure (record an action as failed, stop a job as
resumable); only storage knows the drivers' exception classes and error codes.
"""

from __future__ import annotations

import errno
import sqlite3
from enum import StrEnum

import psycopg
from psycopg import errors as pg_errors


class StorageFault(StrEnum):
    DISK_FULL = "disk_full"
    """No space left for the database; nothing half-written."""
    UNAVAILABLE = "unavailable"
    """The database could not be written (I/O error, read-only, locked too long, connection
    lost)."""


INTEGRITY_ERRORS: tuple[type[Exception], ...] = (sqlite3.IntegrityError, psycopg.IntegrityError)
"""A row refused by a constraint (a missing course, a broken value): the statement's own fault."""

_FULL_SQLITE = {sqlite3.SQLITE_FULL}
_UNAVAILABLE_SQLITE = {
    sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_CORRUPT,
    sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_PROTOCOL,
}
_FULL_ERRNO = {errno.ENOSPC, errno.EDQUOT}
_UNAVAILABLE_ERRNO = {errno.EIO, errno.EROFS}


def _sqlite_primary(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None  # extended codes → primary


def fault_of(exc: BaseException) -> StorageFault | None:
    """`DISK_FULL` or `UNAVAILABLE` when `exc` is the machine's fault, else None."""
    if isinstance(exc, sqlite3.Error):
        code = _sqlite_primary(exc)
        if code in _FULL_SQLITE:
            return StorageFault.DISK_FULL
        if code in _UNAVAILABLE_SQLITE:
            return StorageFault.UNAVAILABLE
    if isinstance(exc, pg_errors.DiskFull):
        return StorageFault.DISK_FULL
    if isinstance(exc, (psycopg.OperationalError, pg_errors.ReadOnlySqlTransaction)):
        return StorageFault.UNAVAILABLE
    if isinstance(exc, OSError):
        if exc.errno in _FULL_ERRNO:
            return StorageFault.DISK_FULL
        if exc.errno in _UNAVAILABLE_ERRNO:
            return StorageFault.UNAVAILABLE
    return None
