"""The store on each backend (`database_url`: SQLite file, PostgreSQL database of the test)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from edt_tui.storage.sql_store import SqlStore, open_store
from tests.service.conftest import seed


@pytest.fixture
def store(database_url: str) -> Iterator[SqlStore]:
    opened = open_store(database_url)
    yield opened
    opened.close()


@pytest.fixture
def seeded(store: SqlStore) -> SqlStore:
    seed(store)
    return store
