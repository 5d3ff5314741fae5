"""Shared fixtures: every test gets its own data directory (EDT_TUI_HOME)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"


@pytest.fixture(autouse=True)
def edt_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "edt-home"
    home.mkdir()
    monkeypatch.setenv("EDT_TUI_HOME", str(home))
    monkeypatch.delenv("EDT_TUI_PARTNER", raising=False)
    monkeypatch.delenv("EDT_TUI_KEY", raising=False)
    monkeypatch.delenv("EDT_TUI_TOKEN", raising=False)
    monkeypatch.delenv("EDT_TUI_JOB_LEASE_SECONDS", raising=False)
    return home
