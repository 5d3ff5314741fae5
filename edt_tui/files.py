"""Files edt-tui writes for a person (exports, the session store, bundles): checked, then
written whole.

`check_output_path` says in one sentence why a path cannot take a file (a folder, a missing
folder, no permission) before anything is written; `write_atomic` (or `atomic_file`, to stream)
writes a temp file in the same folder, flushes it to disk and renames it over the target, so a
reader or a crash never sees half a file and a failure leaves nothing behind. The CLI prints the
English message (exit 2); the TUI words the same `OutputPathError.reason` in French
(`tui/formatting.py`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Literal

from edt_tui.errors import BadInputError

Reason = Literal["directory", "no_parent", "parent_not_directory", "not_writable"]

_MESSAGES: dict[Reason, tuple[str, str]] = {
    "directory": ("is a folder, not a file", "give a file name inside it"),
    "no_parent": ("cannot be created: its folder does not exist", "create the folder first"),
    "parent_not_directory": (
        "cannot be created: its parent is a file, not a folder",
        "choose a path inside a folder",
    ),
    "not_writable": (
        "cannot be written: permission denied",
        "choose a folder you may write to (e.g. your home folder)",
    ),
}


class OutputPathError(BadInputError):
    """A path a file cannot be written to; `reason` lets each interface word it."""

    def __init__(self, path: Path, reason: Reason) -> None:
        message, hint = _MESSAGES[reason]
        super().__init__(f"{path} {message}", hint=hint)
        self.path = path
        self.reason: Reason = reason


def check_output_path(path: Path) -> None:
    """Raise `OutputPathError` unless a file can be written at `path` (replacing a file is fine)."""
    if path.is_dir():
        raise OutputPathError(path, "directory")
    parent = path.parent
    if not parent.exists():
        raise OutputPathError(path, "no_parent")
    if not parent.is_dir():
        raise OutputPathError(path, "parent_not_directory")
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise OutputPathError(path, "not_writable")


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A file to write `path` through, all or nothing: a temp file beside it (0600: these files
    name people), flushed to disk and renamed over `path` when the block ends.

    Refuses what `check_output_path` refuses; an error in the block or on the way (disk full…)
    removes the temp file and propagates, leaving `path` as it was.
    """
    check_output_path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except PermissionError:
        raise OutputPathError(path, "not_writable") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes) -> None:
    """`data` at `path`, all or nothing (`atomic_file`)."""
    with atomic_file(path) as fh:
        fh.write(data)
