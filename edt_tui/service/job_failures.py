"""Why a job failed, as a stable code and the French reason the history shows.

A failing import must say the truth: a full disk is « Disque plein », not the SQL error that
happened to surface last. The code is what the API, the CLI (English wording) and `resume`
rely on; the reason is what the TUI shows.
"""

from __future__ import annotations

import errno
import sqlite3
from dataclasses import dataclass
from enum import StrEnum

from edt_tui.errors import EdtTuiError
from edt_tui.pronote.errors import ExportError


class FailureCode(StrEnum):
    DISK_FULL = "disk_full"
    """No space left for the database: nothing half-written, resumable once space is back."""
    STORAGE = "storage"
    """The database could not be written (I/O error, read-only, locked too long): resumable."""
    INVALID = "invalid"
    """The job cannot be planned (export or selection gone, export unreadable)."""
    INTERNAL = "internal"
    """A bug: the service log has the traceback."""


RESUMABLE = frozenset({FailureCode.DISK_FULL, FailureCode.STORAGE})
"""Failures of the machine, not of the job: once fixed, resuming gives the uninterrupted result."""

_FULL_SQLITE = {sqlite3.SQLITE_FULL}
_FULL_ERRNO = {errno.ENOSPC, errno.EDQUOT}
_STORAGE_ERRNO = {errno.EIO, errno.EROFS}
_STORAGE_SQLITE = {
    sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_CORRUPT,
    sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_PROTOCOL,
}


@dataclass(frozen=True, slots=True)
class Failure:
    code: FailureCode
    reason: str


def _primary(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None  # extended codes → primary


def storage_failure(exc: BaseException) -> FailureCode | None:
    """`DISK_FULL` or `STORAGE` when `exc` is the machine's fault, else None."""
    if isinstance(exc, sqlite3.Error):
        code = _primary(exc)
        if code in _FULL_SQLITE:
            return FailureCode.DISK_FULL
        if code in _STORAGE_SQLITE:
            return FailureCode.STORAGE
    if isinstance(exc, OSError):
        if exc.errno in _FULL_ERRNO:
            return FailureCode.DISK_FULL
        if exc.errno in _STORAGE_ERRNO:
            return FailureCode.STORAGE
    return None


def failure_of(exc: BaseException) -> Failure:
    """The code and French reason of the exception that stopped a job."""
    storage = storage_failure(exc)
    if storage is FailureCode.DISK_FULL:
        return Failure(storage, "Disque plein : libérez de la place puis reprenez l'import "
                                "(rien n'a été écrit à moitié)")
    if storage is FailureCode.STORAGE:
        return Failure(storage, f"Base de données indisponible : {exc}"[:500])
    if isinstance(exc, (EdtTuiError, ExportError)):
        return Failure(FailureCode.INVALID, str(exc)[:500])
    return Failure(FailureCode.INTERNAL, f"Erreur interne : {type(exc).__name__}: {exc}"[:500])
