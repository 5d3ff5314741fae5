"""`inspect` and `plan` on what is not an export file, or an absurd `--at`: exit 2, one clear
line, never a traceback nor a wait."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from edt_tui.cli import main

DEMO = Path(__file__).resolve().parents[2] / "samples" / "demo"
PLAIN = DEMO / "Edt_To_ITSLEARNING_0490856P.plain.xml"


def _edt(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "edt_tui", *args], capture_output=True, text=True, timeout=120,
        env={**os.environ, "EDT_TUI_HOME": str(home)},
    )


@pytest.mark.parametrize("command", ["inspect", "plan"])
def test_fifo_device_and_directory_exit_2_at_once(tmp_path: Path, command: str) -> None:
    fifo = tmp_path / "export.xml"
    os.mkfifo(fifo)
    extra = ["--uai", "0490856P"] if command == "plan" else []
    for path, kind in ((fifo, "named pipe"), (Path("/dev/zero"), "character device"),
                       (tmp_path, "directory")):
        done = _edt(command, *extra, str(path), home=tmp_path / "home")
        assert done.returncode == 2, done.stderr
        assert kind in done.stderr and "no such file" not in done.stderr
        assert "Traceback" not in done.stderr


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+14:00"])
def test_plan_at_out_of_range_exits_2(
    capsys: pytest.CaptureFixture[str], moment: str
) -> None:
    assert main(["plan", "--uai", "0490856P", "--at", moment, str(PLAIN)]) == 2
    assert "outside 1900-2200" in capsys.readouterr().err


def test_inspect_over_a_limit_exits_2_with_a_short_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    big = tmp_path / "big.xml"
    big.write_bytes(PLAIN.read_bytes().replace(b"<Matieres>", b"<Notes>" + b"x" * 5000
                                               + b"</Notes><Matieres>", 1))
    assert main(["inspect", str(big)]) == 2
    err = capsys.readouterr().err
    assert "too long" in err and "limit: 4 KiB" in err and len(err) < 800
