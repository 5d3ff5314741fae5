"""A PostgreSQL database of its own for one test: created on the test server, always dropped.

The server is `EDT_TUI_TEST_DATABASE_URL`, else postgresql://postgres@127.0.0.1:5432/postgres (a
maintenance database the test may create databases from). With no server answering, PostgreSQL
tests are skipped with the reason — except under `CI=true`, where they fail: CI never silently
skips the real thing.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
PREFIX = "edt_tui_test_"


def server_url() -> str:
    return os.environ.get("EDT_TUI_TEST_DATABASE_URL") or DEFAULT_SERVER


@functools.cache
def unavailable_reason() -> str | None:
    """Why no PostgreSQL server answers (None when one does); asked once per run."""
    import psycopg

    try:
        with psycopg.connect(server_url(), connect_timeout=3, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        from edt_tui.storage.url import redact

        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return f"no PostgreSQL server at {redact(server_url())} ({redact(first)})"
    return None


def require_server() -> None:
    """Skip (fail under CI=true) when no PostgreSQL server answers."""
    reason = unavailable_reason()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI must run the PostgreSQL tests (EDT_TUI_TEST_DATABASE_URL)")
    pytest.skip(f"{reason}; set EDT_TUI_TEST_DATABASE_URL to run the PostgreSQL tests")


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextmanager
def fresh_database() -> Iterator[str]:
    """The URL of a new, empty, uniquely named database; dropped on exit, even on failure."""
    import psycopg
    from psycopg import sql

    require_server()
    name = f"{PREFIX}{os.getpid()}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url(), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _with_database(server_url(), name)
    finally:
        with psycopg.connect(server_url(), autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
