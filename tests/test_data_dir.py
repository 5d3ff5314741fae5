"""Every store command on an unusable data directory: one clear message, exit 1, no traceback.

The tests run as root, which ignores permission bits, so `chmod` proves nothing here. Two ways
that fail for root too:
- `EDT_TUI_HOME` under a regular file: the directory cannot exist (ENOTDIR), always available;
- a real read-only file system: the populated home is bind-mounted read-only inside a private
  user and mount namespace (`unshare -rm`), which changes nothing outside the child process.
  Skipped, with the reason, where the kernel or the container forbids such namespaces.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from edt_tui.cli import main

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "samples" / "demo"
EXPORT = str(DEMO / "Edt_To_ITSLEARNING_0490856P.xml")
KEY = str(DEMO / "keys" / "partner-private-TEST-ONLY.pem")
UAI = "0490856P"

COMMANDS: list[list[str]] = [
    ["ent", "load", str(DEMO / "ent")],
    ["ent", "token", "create", "--uai", UAI],
    ["ent", "establishments"],
    ["import", EXPORT, "--uai", UAI, "--key", KEY],
    ["plan", EXPORT, "--uai", UAI, "--key", KEY],
    ["history", "--uai", UAI],
    ["session", "list"],
    ["accounts", "--uai", UAI],
    [],  # the TUI: refused before it takes the screen
]
IDS = [" ".join(c[:2]) or "tui" for c in COMMANDS]


@pytest.fixture
def no_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    """Should the TUI ever get past its data-directory check, fail instead of drawing."""
    from edt_tui.tui.app import EdtTuiApp

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the TUI started on an unusable data directory")

    monkeypatch.setattr(EdtTuiApp, "run", refuse)


@pytest.mark.parametrize("argv", COMMANDS, ids=IDS)
def test_a_data_directory_under_a_regular_file_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    argv: list[str], no_screen: None,
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")
    home = blocker / "edt-home"
    monkeypatch.setenv("EDT_TUI_HOME", str(home))
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert str(home) in err and "EDT_TUI_HOME" in err and "Traceback" not in err
    assert err.startswith("edt-tui: ") and len(err.splitlines()) == 2  # what, then what to do


PROBE = """
import contextlib, io, json, sys
from edt_tui.cli import main
from edt_tui.tui.app import EdtTuiApp
EdtTuiApp.run = lambda *a, **k: sys.exit("the TUI started on a read-only data directory")
results = []
for argv in json.loads(sys.argv[1]):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(argv)
        except BaseException as exc:  # a traceback in real life
            code = repr(exc)
    results.append([code, err.getvalue()])
print(json.dumps(results))
"""

RO_SHELL = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'


def read_only_namespace_available(tmp_path: Path) -> str | None:
    """None when `unshare -rm` can bind-mount read-only here, else why not."""
    if shutil.which("unshare") is None:
        return "no unshare command"
    probe = tmp_path / "probe"
    probe.mkdir()
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", RO_SHELL, "sh", str(probe), "sh", "-c",
         f"! touch {probe}/x"],
        capture_output=True, text=True, timeout=60,
    )
    if done.returncode != 0 or (probe / "x").exists():
        return f"user+mount namespaces unavailable: {done.stderr.strip()[:200]}"
    return None


def test_a_read_only_data_directory_is_one_clear_error_for_every_command(
    tmp_path: Path, edt_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reason = read_only_namespace_available(tmp_path)
    if reason:
        pytest.skip(reason)
    assert main(["ent", "load", str(DEMO / "ent")]) == 0  # a populated home, as in real life
    capsys.readouterr()
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", RO_SHELL, "sh", str(edt_home),
         sys.executable, "-c", PROBE, json.dumps(COMMANDS)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    for argv, (code, err) in zip(IDS, json.loads(done.stdout), strict=True):
        assert code == 1, (argv, code, err)
        assert "read-only" in err.lower() and str(edt_home) in err, (argv, err)
        assert "EDT_TUI_HOME" in err and "Traceback" not in err, (argv, err)
