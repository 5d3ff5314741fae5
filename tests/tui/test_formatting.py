"""The after-launch screens' French wording of moments and unwritable paths, without an app."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from edt_tui.files import OutputPathError, check_output_path
from edt_tui.tui.formatting import path_error_text, resolve_path, when


def test_when_is_the_establishments_time_summer_and_winter() -> None:
    paris, cayenne = ZoneInfo("Europe/Paris"), ZoneInfo("America/Cayenne")
    assert when(datetime(2026, 7, 1, 8, 5, tzinfo=UTC), paris) == "01/07/2026 10:05"
    assert when("2026-12-01T08:05:00+00:00", paris) == "01/12/2026 09:05"
    assert when("2026-12-01T08:05:00+00:00", cayenne) == "01/12/2026 05:05"  # UTC−3, no DST
    assert when("2026-07-01T02:05:00+00:00", cayenne) == "30/06/2026 23:05"  # the day before
    assert when(None, paris) == ""


def test_path_errors_in_french_for_each_reason(tmp_path: Path) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    cases = {
        tmp_path: "est un dossier, pas un fichier",
        tmp_path / "missing" / "out.txt": "n'existe pas",
        a_file / "out.txt": "est un fichier, pas un dossier",
    }
    for path, words in cases.items():
        with pytest.raises(OutputPathError) as caught:
            check_output_path(path)
        message = path_error_text(caught.value, path)
        assert words in message and str(path) in message


def test_resolve_path_is_relative_to_the_start_directory(tmp_path: Path) -> None:
    assert resolve_path("out.ics", tmp_path) == tmp_path / "out.ics"
    assert resolve_path("/abs/out.ics", tmp_path) == Path("/abs/out.ics")
    assert resolve_path("~/out.ics", tmp_path) == Path.home() / "out.ics"
