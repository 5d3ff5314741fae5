"""The temporary data directory of a replay, removed however the process ends.

A replay restores a customer's directory and timetable (personal data) into a temporary
directory; it must not outlive the replay. Besides a normal exit (`finally`) and `sys.exit`
(`atexit`), a closed SSH session or a killed tmux sends SIGHUP and `kill` sends SIGTERM: the
default action of both ends the process without running either. So both are caught: the
directory is removed, then the signal is raised again with its default action, so the process
still ends at once and as the sender expects (no worker thread left running). A `kill -9` cannot
be caught: the directory's name carries the pid, and the next replay removes the directories of
processes that no longer exist.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

PREFIX = "edt-tui-replay-"
CAUGHT = (signal.SIGHUP, signal.SIGTERM)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_orphans(parent: Path) -> list[Path]:
    """Replay directories in `parent` left by processes that are gone (`kill -9`)."""
    removed = []
    for path in parent.glob(f"{PREFIX}*"):
        pid = path.name[len(PREFIX):].split("-", 1)[0]
        if pid.isdigit() and path.is_dir() and path.stat().st_uid == os.getuid() and not _alive(
            int(pid)
        ):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


@contextlib.contextmanager
def replay_directory(*, keep: bool = False) -> Iterator[Path]:
    """A new private (0700) directory, removed at exit, on SIGHUP/SIGTERM, unless `keep`."""
    sweep_orphans(Path(tempfile.gettempdir()))
    path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))

    def remove() -> None:
        if not keep:
            shutil.rmtree(path, ignore_errors=True)

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        remove()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    atexit.register(remove)
    # Only the main thread may set handlers (a command run from a thread, in tests, has none).
    main = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.signal(sig, on_signal) for sig in CAUGHT} if main else {}
    try:
        yield path
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        atexit.unregister(remove)
        remove()
