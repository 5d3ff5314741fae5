from __future__ import annotations

import pytest

from edt_tui.cli import main


def test_version_prints_and_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert "edt-tui" in capsys.readouterr().out


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err



def test_output_cut_by_a_closed_pipe_ends_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    """`edt-tui inspect … | head`: the reader is gone; exit 141 without a traceback."""
    import os

    from tests.conftest import SAMPLES

    demo = SAMPLES / "demo"
    read_end, write_end = os.pipe()
    os.close(read_end)
    saved = os.dup(1)
    broken = os.fdopen(write_end, "w")
    monkeypatch.setattr("sys.stdout", broken)
    try:
        code = main(
            [
                "inspect",
                str(demo / "Edt_To_ITSLEARNING_0490856P.xml"),
                "--key",
                str(demo / "keys" / "partner-private-TEST-ONLY.pem"),
            ]
        )
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    assert code == 141
