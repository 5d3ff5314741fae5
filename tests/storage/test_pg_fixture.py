"""tests/pg.py: the PostgreSQL database of a test is dropped even when the test fails, and no
server means a skip with the reason — a failure under CI=true."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import pg


def _databases() -> set[str]:
    import psycopg

    with psycopg.connect(pg.server_url(), autocommit=True) as conn:
        rows = conn.execute("SELECT datname FROM pg_database").fetchall()
    return {r[0] for r in rows}


def test_the_database_is_dropped_even_when_the_test_fails() -> None:
    pg.require_server()
    with pytest.raises(RuntimeError, match="the test failed"), pg.fresh_database() as url:
        name = url.rsplit("/", 1)[1]
        assert name.startswith(pg.PREFIX) and name in _databases()
        raise RuntimeError("the test failed")
    assert name not in _databases()


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("EDT_TUI_TEST_DATABASE_URL", "postgresql://edt:pw@127.0.0.1:1/none")
    pg.unavailable_reason.cache_clear()
    yield
    pg.unavailable_reason.cache_clear()


@pytest.mark.usefixtures("no_server")
def test_no_server_skips_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no PostgreSQL server at postgresql://edt:"
                       r"\*\*\*@127.0.0.1:1/none") as skipped:
        pg.require_server()
    assert "EDT_TUI_TEST_DATABASE_URL" in str(skipped.value) and ":pw@" not in str(skipped.value)


@pytest.mark.usefixtures("no_server")
def test_no_server_under_ci_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run the PostgreSQL tests"):
        pg.require_server()
