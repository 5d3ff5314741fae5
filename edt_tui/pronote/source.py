"""Reading an export file from disk: regular files only, never more than the size limit.

A path may name a directory, a named pipe (opening it would wait for a writer forever) or a
device (`/dev/zero` never ends); each gets its own message, and nothing but a regular file is
read. The size is checked before reading and again while reading (a file may grow).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from edt_tui.pronote.errors import ExportError, LimitExceededError
from edt_tui.pronote.limits import LIMITS, ReaderLimits, size_text

_CHUNK = 1 << 20
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_HINT = "give the path of the export file itself (Edt_To_<ENT>_<UAI>.xml)"


def _not_regular(mode: int, name: str) -> ExportError:
    kind = next((label for test, label in _KINDS if test(mode)), "not a regular file")
    return ExportError(f"this is {kind}, not an export file", source=name, hint=_HINT)


def too_large(size: int, limits: ReaderLimits, name: str) -> LimitExceededError:
    return LimitExceededError(
        f"the file is larger than {size_text(limits.file_bytes)}"
        + (f" ({size_text(size)})" if size > limits.file_bytes else ""),
        size_text(limits.file_bytes),
        name="file_bytes",
        source=name,
    )


def _open_error(exc: OSError, name: str) -> ExportError:
    if isinstance(exc, FileNotFoundError):
        return ExportError("file not found", source=name, hint=_HINT)
    if isinstance(exc, PermissionError):
        return ExportError(
            "permission denied", source=name, hint="make the file readable by this user"
        )
    return ExportError(
        f"cannot read the file ({exc.strerror or exc.__class__.__name__})", source=name
    )


def check_regular_file(path: Path, name: str | None = None) -> None:
    """Raise `ExportError` unless `path` is a regular file (a stat: never opens, never blocks)."""
    shown = name or str(path)
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise _open_error(exc, shown) from None
    if not stat.S_ISREG(mode):
        raise _not_regular(mode, shown)


def read_file(path: Path, *, limits: ReaderLimits = LIMITS, name: str | None = None) -> bytes:
    """The bytes of a regular file of at most `limits.file_bytes`; `ExportError` otherwise."""
    shown = name or str(path)
    try:
        # Non-blocking: opening a FIFO must not wait for a writer; regular files ignore it.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise _open_error(exc, shown) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(info.st_mode, shown)
        if info.st_size > limits.file_bytes:
            raise too_large(info.st_size, limits, shown)
        # One read for the whole file (no copy), more only if it grew since the fstat.
        chunks: list[bytes] = []
        size, wanted = 0, info.st_size + 1
        while size <= limits.file_bytes:
            chunk = os.read(fd, min(max(wanted, _CHUNK), limits.file_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            wanted = _CHUNK
    except OSError as exc:
        raise _open_error(exc, shown) from None
    finally:
        os.close(fd)
    if size > limits.file_bytes:
        raise too_large(size, limits, shown)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)
