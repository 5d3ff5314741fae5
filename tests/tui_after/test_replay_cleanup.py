"""A real `edt-tui session open` on a pseudo-terminal, killed: its replay directory goes too.

The replay restores a customer's personal data into a temporary directory. Closing the terminal
(SIGHUP, as a dropped SSH session or a killed tmux does) or `kill` (SIGTERM) must remove it and
leave no process behind.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from edt_tui.session.scratch import PREFIX, sweep_orphans

from .conftest import KEY
from .test_bundle import cli, customer_session

ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")
STARTUP_LIMIT = 120.0
"""An upper bound only (the loop ends as soon as the replay is on screen)."""


def _controlling_terminal() -> None:
    """In the child, after setsid: the pty becomes its terminal (so closing it hangs it up)."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def read_until(fd: int, text: bytes, limit: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + limit
    while text not in ANSI.sub(b"", seen):
        left = deadline - time.monotonic()
        assert left > 0, f"{text!r} never shown: {ANSI.sub(b'', seen)[-400:]!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:  # the child closed the terminal: show what it wrote
                shown = ANSI.sub(b"", seen)[-2000:].decode(errors="replace")
                raise AssertionError(shown) from None
    return seen


@pytest.mark.parametrize("kill", ["hang_up_terminal", "sigterm"])
async def test_killing_a_replay_removes_its_directory_and_leaves_no_process(
    kill: str, demo_home: Callable[[str], Path], tmp_path: Path
) -> None:
    session_id, _ = await customer_session(demo_home("loaded"))
    bundle = tmp_path / "bundle.zip"
    assert await cli("session", "export", session_id, "--out", str(bundle), "--key", str(KEY)) == 0
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {
        **os.environ, "TMPDIR": str(scratch), "EDT_TUI_HOME": str(tmp_path / "helpdesk"),
        "TERM": "xterm-256color", "TEXTUAL_ANIMATIONS": "none",
    }
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "edt_tui", "session", "open", str(bundle), "--key", str(KEY)],
        stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
        preexec_fn=_controlling_terminal, close_fds=True,
    )
    os.close(slave)
    try:
        read_until(master, b"lecture seule", STARTUP_LIMIT)
        replays = list(scratch.glob(f"{PREFIX}*"))
        assert len(replays) == 1 and (replays[0] / "ent.sqlite3").exists()
        if kill == "hang_up_terminal":
            os.close(master)
            expected = signal.SIGHUP
        else:
            proc.send_signal(signal.SIGTERM)
            expected = signal.SIGTERM
        assert proc.wait(timeout=60) == -expected
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if kill != "hang_up_terminal":
            os.close(master)
    assert list(scratch.iterdir()) == []
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)  # nothing left in the replay's process group


def test_a_replay_killed_with_sigkill_is_swept_by_the_next_one(tmp_path: Path) -> None:
    no_such_pid = int(Path("/proc/sys/kernel/pid_max").read_text()) + 1  # never a live process
    orphan = tmp_path / f"{PREFIX}{no_such_pid}-abc"
    orphan.mkdir()
    (orphan / "ent.sqlite3").write_bytes(b"personal data")
    alive = tmp_path / f"{PREFIX}{os.getpid()}-def"
    alive.mkdir()
    assert sweep_orphans(tmp_path) == [orphan]
    assert not orphan.exists() and alive.exists()
