"""The store's behaviour tests (tests/service/test_store.py) on every backend, and what each
backend must do alike: refuse a newer schema, serialize writers, keep export bytes."""

from __future__ import annotations

import multiprocessing
import threading
from typing import Any

import pytest

from edt_tui.engine.model import Profile, UserSource
from edt_tui.service.records import ExportRecord, UserRecord
from edt_tui.storage.database import SchemaTooNewError, StoreClosedError
from edt_tui.storage.errors import INTEGRITY_ERRORS
from edt_tui.storage.sql_store import SqlStore, open_store
from edt_tui.storage.sqlite_migrations import SCHEMA_VERSION
from tests.service.conftest import UAI_A, UAI_B, YEAR, course_actions, seed
from tests.service.test_store import (  # collected here again, on this directory's fixtures
    test_a_failing_action_rolls_back_the_whole_batch,
    test_actions_are_idempotent_and_updates_deletes_apply,
    test_courses_hierarchy_and_manual_courses,
    test_ent_state_round_trips_what_the_engine_expects,
    test_selections_are_versioned,
    test_upserts_keep_one_row_per_key_and_update_fields,
    test_user_filters_and_pagination,
    test_users_of_an_unknown_establishment_write_nothing,
)

__all__ = [
    "test_a_failing_action_rolls_back_the_whole_batch",
    "test_actions_are_idempotent_and_updates_deletes_apply",
    "test_courses_hierarchy_and_manual_courses",
    "test_ent_state_round_trips_what_the_engine_expects",
    "test_selections_are_versioned",
    "test_upserts_keep_one_row_per_key_and_update_fields",
    "test_user_filters_and_pagination",
    "test_users_of_an_unknown_establishment_write_nothing",
]


def test_the_backend_is_the_urls(store: SqlStore, database_url: str) -> None:
    assert store.database.backend == database_url.partition(":")[0]
    assert store.schema_version() == SCHEMA_VERSION


def test_refuses_a_database_from_a_newer_version(database_url: str) -> None:
    store = open_store(database_url)
    with store.transaction() as conn:
        conn.execute("UPDATE schema_version SET version = 999")
    store.close()
    with pytest.raises(SchemaTooNewError, match="schema version 999 is newer") as refused:
        open_store(database_url)
    assert refused.value.exit_code == 2
    assert "upgrade edt-tui" in str(refused.value)


def _insert_job(conn: Any, job_id: str, uai: str, status: str) -> None:
    conn.execute(
        "INSERT INTO import_jobs (id, uai, type, status, created_at, seq) "
        "VALUES (?, ?, 'manual', ?, '2026-09-01T06:00:00.000000+00:00', ?)",
        (job_id, uai, status, int(job_id[1:])),
    )


def test_at_most_one_running_job_per_establishment(seeded: SqlStore) -> None:
    with seeded.transaction() as conn:
        _insert_job(conn, "j1", UAI_A, "running")
        _insert_job(conn, "j2", UAI_A, "queued")
        _insert_job(conn, "j3", UAI_B, "running")  # another establishment: allowed
        _insert_job(conn, "j4", UAI_A, "done")
    with pytest.raises(INTEGRITY_ERRORS), seeded.transaction() as conn:
        conn.execute("UPDATE import_jobs SET status = 'running' WHERE id = 'j2'")
    with seeded.transaction() as conn:  # the first one finished: the next may run
        conn.execute("UPDATE import_jobs SET status = 'done' WHERE id = 'j1'")
        conn.execute("UPDATE import_jobs SET status = 'running' WHERE id = 'j2'")
    with seeded.snapshot() as conn:
        rows = conn.execute(
            "SELECT id FROM import_jobs WHERE status = 'running' ORDER BY id"
        ).fetchall()
    assert [r["id"] for r in rows] == ["j2", "j3"]


def test_a_failed_transaction_keeps_its_exception_and_writes_nothing(store: SqlStore) -> None:
    class Boom(Exception):
        pass

    seed(store)
    with pytest.raises(Boom), store.transaction() as conn:
        conn.execute("DELETE FROM idpn_links")
        raise Boom
    assert store.get_user(UAI_A, "a-s1").idpn == "IDPN0000000000A1"  # type: ignore[union-attr]


def test_rows_answer_by_name_and_by_index(seeded: SqlStore) -> None:
    with seeded.snapshot() as conn:
        row = conn.execute(
            "SELECT uai, name FROM establishments WHERE uai = ? AND name LIKE '%Alpha'", (UAI_A,)
        ).fetchone()
    assert (row["uai"], row[1], tuple(row)) == (UAI_A, "Lycée Alpha", (UAI_A, "Lycée Alpha"))


def test_export_bytes_round_trip(seeded: SqlStore) -> None:
    from datetime import UTC, datetime

    data = bytes(range(256)) * 4  # every byte value: a blob, not text
    record = ExportRecord("ab" * 32, UAI_A, "e.xml", "id", len(data),
                          datetime(2026, 9, 1, tzinfo=UTC), {"k": 1})
    assert seeded.save_export(record, data) == record
    assert seeded.save_export(record, data) == record  # idempotent
    assert seeded.export_bytes(UAI_A, record.sha256) == data
    with pytest.raises(Exception, match="no export"):
        seeded.export_bytes(UAI_B, record.sha256)


def test_concurrent_selections_get_distinct_versions(seeded: SqlStore) -> None:
    """Version = max + 1, read then written: writers of one establishment take turns."""
    versions: list[int] = []
    start = threading.Barrier(6)

    def save(i: int) -> None:
        start.wait(10)
        versions.append(seeded.save_selection(UAI_A, {"n": i}))

    threads = [threading.Thread(target=save, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(versions) == [1, 2, 3, 4, 5, 6]


def _writer(url: str, prefix: str, count: int, start: Any) -> None:
    store = open_store(url)
    start.wait(30)  # both processes write at the same time, not one after the other
    for i in range(count):
        store.upsert_users([UserRecord(UAI_A, f"{prefix}{i}", Profile.STUDENT, prefix, str(i),
                                       None, None, UserSource.CSV)])
        store.apply_actions(UAI_A, course_actions(UAI_A, f"{prefix}{i}", "3A", [], "a-t1", 1))
    store.close()


def test_two_processes_write_concurrently(seeded: SqlStore, database_url: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(2)
    procs = [ctx.Process(target=_writer, args=(database_url, p, 20, start)) for p in ("x", "y")]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    assert [proc.exitcode for proc in procs] == [0, 0]
    assert seeded.list_users(UAI_A, profile=Profile.STUDENT).total == 5 + 40
    assert seeded.list_courses(UAI_A).total == 1 + 40
    assert len(seeded.ent_state(UAI_A, YEAR).events) == 3 + 40


def test_a_read_inside_a_write_sees_that_write(seeded: SqlStore) -> None:
    """The job modules call store methods inside their own transaction: same connection."""
    with seeded.transaction() as conn:
        conn.execute("UPDATE establishments SET name = 'Renamed' WHERE uai = ?", (UAI_A,))
        assert seeded.get_establishment(UAI_A).name == "Renamed"  # type: ignore[union-attr]
    assert seeded.get_establishment(UAI_B).name == "Collège Bêta"  # type: ignore[union-attr]


def test_a_closed_store_says_so(database_url: str) -> None:
    store = open_store(database_url)
    store.close()
    assert store.closed
    with pytest.raises(StoreClosedError), store.transaction():
        pass
    with pytest.raises(StoreClosedError):
        store.get_establishment(UAI_A)
