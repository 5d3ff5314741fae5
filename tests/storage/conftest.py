"""The store and the demo service on each backend (`database_url`: a SQLite file, a PostgreSQL
database of the test)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from edt_tui.service.csv_loader import load_directory
from edt_tui.storage.jobs import JobRepository
from edt_tui.storage.sql_store import SqlStore, open_store
from tests.execution.conftest import DEMO, DEMO_KEY, Clock, Env, make_env
from tests.execution.conftest import clock as clock  # the fixture, here too
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


@pytest.fixture
async def demo(database_url: str, clock: Clock) -> AsyncIterator[Env]:
    """The committed demo establishment loaded in a fresh ENT, on each backend."""
    opened = open_store(database_url)
    load_directory(opened, DEMO / "ent")
    async for env in make_env(opened, clock, DEMO_KEY):
        yield env


@pytest.fixture
def stores(seeded_url: str) -> Iterator[tuple[SqlStore, SqlStore]]:
    """Two stores on one seeded database (the module's `seeded_url`): two workers' connections."""
    pair = (open_store(seeded_url), open_store(seeded_url))
    yield pair
    for store in pair:
        store.close()


def job_repository(store: SqlStore) -> JobRepository:
    return JobRepository(store.database, store.apply_one)
