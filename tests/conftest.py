"""Shared fixtures: every test gets its own data directory (EDT_TUI_HOME); `database_url` runs
a test on each storage backend."""

from __future__ import annotations

from collections.abc import Iterator
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
    monkeypatch.delenv("EDT_TUI_DATABASE_URL", raising=False)
    return home


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database on each backend: a SQLite file of the test's own, or a
    PostgreSQL database created for the test and dropped after it (tests/pg.py)."""
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path / 'db' / 'ent.sqlite3'}"
        return
    from tests.pg import fresh_database

    with fresh_database() as url:
        yield url


@pytest.fixture
def sqlite_only(tmp_path: Path) -> str:
    """`database_url` for a module that needs SQLite alone (its file, its errors) or tests only
    HTTP validation, where a second backend adds time and no finding: such a module imports it
    as `database_url` (docs/storage.md, "Tests", lists them)."""
    return f"sqlite://{tmp_path / 'db' / 'ent.sqlite3'}"
