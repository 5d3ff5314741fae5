"""What a failed open or write of the SQLite store means for the person running the command.

SQLite and the OS report a full disk, a read-only data directory or a missing parent as
`sqlite3.OperationalError` / `OSError` texts; this turns them into one `StoreError` saying what
failed, where, and what to do, so no command ever shows a traceback for them.
"""

from __future__ import annotations

import errno
import sqlite3
import tempfile
from pathlib import Path

from edt_tui.service.store import StoreError

_WRITABLE_HINT = "make that directory writable, or set EDT_TUI_HOME to a writable directory"


class StoreUnavailableError(StoreError):
    """The store could not be opened or written (disk, rights, lock): nothing was written."""


def _kind(exc: sqlite3.Error | OSError) -> str:
    if isinstance(exc, OSError):
        return {
            errno.ENOSPC: "full", errno.EDQUOT: "full", errno.EROFS: "read-only",
            errno.EACCES: "read-only", errno.EPERM: "read-only", errno.ENOTDIR: "missing",
            errno.ENOENT: "missing", errno.EEXIST: "missing",
        }.get(exc.errno or 0, "other")
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name == "SQLITE_FULL":
        return "full"
    if name.startswith("SQLITE_READONLY") or name == "SQLITE_PERM":
        return "read-only"
    if name.startswith("SQLITE_CANTOPEN"):
        return "missing"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return "locked"
    return "other"


def _probe(directory: Path) -> OSError | None:
    """Why nothing can be created in `directory` (SQLite only says "unable to open")."""
    try:
        with tempfile.TemporaryFile(dir=directory):
            return None
    except OSError as exc:
        return exc


def store_unavailable(
    path: Path, exc: sqlite3.Error | OSError, *, doing: str
) -> StoreUnavailableError:
    """The error to raise when `doing` (e.g. "opening the ENT store") failed on `path`."""
    if _kind(exc) in ("missing", "other"):
        exc = _probe(path.parent) or exc
    kind = _kind(exc)
    detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    if kind == "full":
        return StoreUnavailableError(
            f"{path}: the disk is full ({doing}); nothing of it was written",
            hint="free some space on that disk and run the command again",
        )
    if kind == "read-only":
        return StoreUnavailableError(
            f"{path}: the data directory is read-only ({doing}: {detail})", hint=_WRITABLE_HINT
        )
    if kind == "missing":
        return StoreUnavailableError(
            f"{path}: cannot open the data directory ({doing}: {detail})",
            hint="set EDT_TUI_HOME to a directory whose parent exists and is writable",
        )
    if kind == "locked":
        return StoreUnavailableError(
            f"{path}: the ENT store is locked by another process ({doing})",
            hint="wait for the other edt-tui command or service to finish, then run it again",
        )
    return StoreUnavailableError(
        f"{path}: cannot use the ENT store ({doing}: {detail})",
        hint="check the disk and the data directory (EDT_TUI_HOME), then run the command again",
    )
