"""`edt-tui undo` as a user runs it (embedded service, EDT_TUI_HOME)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from edt_tui.cli import main
from tests.execution.conftest import DEMO, DEMO_EXPORT, DEMO_KEY, DEMO_UAI, T0
from tests.execution.demo_variants import Variant

T_B = "2026-12-05T08:00:00+01:00"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_undo_refused_for_an_older_import_then_the_newest_undone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ent", "load", str(DEMO / "ent")]) == 0
    capsys.readouterr()
    changed = tmp_path / "changed.xml"
    changed.write_bytes(Variant(sessions=689, drop_every=5, room_every=3).plain())
    ids = []
    for export, at in ((DEMO_EXPORT, T0), (changed, T_B)):
        code, out, err = run(capsys, "import", str(export), "--uai", DEMO_UAI, "--key",
                             str(DEMO_KEY), "--at", at, "--wait", "--allow-mass-deletion")
        assert code == 0, err
        ids.append(out.split()[1])
    first, second = ids

    code, out, err = run(capsys, "undo", first[:8], "--uai", DEMO_UAI)
    assert code == 2 and out == ""
    assert f"cannot undo job {first[:8]}: undo the import of " in err
    assert re.search(r"undo the import of \d\d/\d\d/2026 \d\d:\d\d first", err)

    code, out, err = run(capsys, "undo", second, "--uai", DEMO_UAI, "--at", T_B, "--wait")
    assert code == 0, err
    assert re.search(r"^job [0-9a-f]{32} queued .*: undo of the import of \d\d/\d\d/2026", out)
    assert "Status: done (Fait)" in out
    assert re.search(r"^event creation +[1-9]\d* +0$", out, re.MULTILINE)  # deleted ones back

    code, out, _ = run(capsys, "history", "--uai", DEMO_UAI)
    assert code == 0 and " undo " in out and "undo of the import of " in out
    code, _, err = run(capsys, "undo", second, "--uai", DEMO_UAI)
    assert code == 2 and "already undone" in err
    code, _, err = run(capsys, "undo", first, "--uai", DEMO_UAI, "--at", "tomorrow")
    assert code == 2 and "--at" in err


def test_undo_names_its_argument_in_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ent", "load", str(DEMO / "ent")]) == 0
    capsys.readouterr()
    code, _, err = run(capsys, "undo", "ab", "--uai", DEMO_UAI)
    assert code == 2 and "JOB 'ab' is too short" in err
    code, _, err = run(capsys, "undo", "abcd", "--uai", "0000000X")
    assert code == 2 and "unknown establishment 0000000X" in err
