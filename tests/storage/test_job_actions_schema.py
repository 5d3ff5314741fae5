"""What the job actions keep on disk: the pending actions' index is partial, on SQLite the table
is clustered on its primary key (version 10), actions refer to their job by an integer (version
12) and store their type as a code (version 13); every job and action survives each upgrade, on
both backends."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from edt_tui.engine.model import ActionType
from edt_tui.storage import postgres_migrations, sqlite_migrations
from edt_tui.storage.action_batches import TYPE_CODES
from edt_tui.storage.jobs import JobRepository
from edt_tui.storage.sql_store import SqlStore, open_database, open_store
from edt_tui.storage.sqlite_migrations import MIGRATIONS
from edt_tui.storage.url import sqlite_url

ACTIONS = [
    ("j1", 0, "create_course", "k0", "success", None, '{"c":[]}', None, ""),
    ("j1", 1, "create_membership", "k1", "error", "IntegrityError: no course", '{"m":0}', None,
     None),
    ("j1", 2, "update_event", "k2", "pending", None, '{"e":[55,"t",[],[]]}', "{}", None),
]


def _stored(rows: list[tuple]) -> list[tuple]:
    """`rows` as version 13 stores them: the type as its code."""
    return [(r[0], r[1], TYPE_CODES[ActionType(r[2])], *r[3:]) for r in rows]


def _indexes(store: SqlStore) -> dict[str, str]:
    """The indexes of job_actions and their definitions, from the backend's catalog."""
    with store.database.snapshot() as conn:
        if store.database.backend == "sqlite":
            rows = conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'job_actions'"
            ).fetchall()
        else:
            rows = conn.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'job_actions'"
            ).fetchall()
    return {r[0]: r[1] or "" for r in rows}


def test_only_pending_actions_are_indexed_beside_the_key(database_url: str) -> None:
    store = open_store(database_url)
    try:
        indexes = _indexes(store)
    finally:
        store.close()
    assert "job_actions_by_status" not in indexes
    assert "pending" in indexes["job_actions_pending"]


def test_upgrade_from_version_9_keeps_every_action(tmp_path: Path) -> None:
    path = tmp_path / "ent.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA foreign_keys = ON")
    raw.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    raw.execute("INSERT INTO schema_version (version) VALUES (9)")
    for _, migration in MIGRATIONS[:9]:
        for statement in migration:
            raw.execute(statement)
    raw.execute("INSERT INTO establishments (uai, name, timezone, push_secret, daily_quota, "
                "created_at, updated_at) VALUES ('0490856P', 'A', 'Europe/Paris', 's', 4, "
                "'2026-01-01T00:00:00.000000+00:00', '2026-01-01T00:00:00.000000+00:00')")
    raw.execute("INSERT INTO import_jobs (id, uai, type, status, created_at, seq) VALUES "
                "('j1', '0490856P', 'manual', 'running', '2026-01-02T00:00:00.000000+00:00', 1)")
    raw.executemany("INSERT INTO job_actions (job_id, seq, type, key, status, error, "
                    "payload_json, previous_json, prior) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    ACTIONS)
    raw.commit()
    raw.close()

    open_store(sqlite_url(path)).close()

    raw = sqlite3.connect(path)
    try:
        assert raw.execute("SELECT version FROM schema_version").fetchall() == [
            (sqlite_migrations.SCHEMA_VERSION,)
        ]
        kept = raw.execute(
            "SELECT j.id, a.seq, a.type, a.key, a.status, a.error, a.payload_json, "
            "a.previous_json, a.prior FROM job_actions a JOIN import_jobs j ON j.ref = a.job_ref "
            "ORDER BY j.id, a.seq"
        ).fetchall()
        table = raw.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'job_actions'"
        ).fetchone()[0]
        raw.execute("PRAGMA foreign_keys = ON")
        orphans = raw.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        raw.close()
    assert kept == _stored(ACTIONS)
    assert "WITHOUT ROWID" in table
    assert orphans == []


def test_upgrade_to_integer_job_references_keeps_every_action(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database at version 10 (job actions keyed by the job's text id, types by name), with
    two jobs, reaches the latest version: each action points at its own job's integer `ref`, its
    type is its code, nothing lost, and the jobs added afterwards get the next numbers."""
    backend = "sqlite" if database_url.startswith("sqlite") else "postgres"
    steps = {"sqlite": sqlite_migrations.MIGRATIONS, "postgres": postgres_migrations.MIGRATIONS}
    monkeypatch.setattr(
        f"edt_tui.storage.{backend}.MIGRATIONS", [s for s in steps[backend] if s[0] <= 10]
    )
    old = open_database(database_url)
    with old.transaction() as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchone()[0] == 10
        conn.execute("INSERT INTO establishments (uai, name, timezone, push_secret, daily_quota, "
                     "created_at, updated_at) VALUES ('0490856P', 'A', 'Europe/Paris', 's', 4, "
                     "'2026-01-01T00:00:00.000000+00:00', '2026-01-01T00:00:00.000000+00:00')")
        for job_id, seq in (("j1", 1), ("j2", 2)):
            conn.execute("INSERT INTO import_jobs (id, uai, type, status, created_at, seq) "
                         "VALUES (?, '0490856P', 'manual', 'done', "
                         "'2026-01-02T00:00:00.000000+00:00', ?)", (job_id, seq))
        conn.executemany(
            "INSERT INTO job_actions (job_id, seq, type, key, status, error, payload_json, "
            "previous_json, prior) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [*ACTIONS, ("j2", 0, "create_course", "k9", "success", None, '{"c":[]}', None, "")],
        )
    old.close()
    monkeypatch.undo()

    store = open_store(database_url)
    try:
        with store.database.snapshot() as conn:
            version = conn.execute("SELECT version FROM schema_version").fetchone()[0]
            kept = [tuple(r) for r in conn.execute(
                "SELECT j.id, a.seq, a.type, a.key, a.status, a.error, a.payload_json, "
                "a.previous_json, a.prior FROM job_actions a JOIN import_jobs j "
                "ON j.ref = a.job_ref ORDER BY j.id, a.seq"
            ).fetchall()]
            refs = [r[0] for r in conn.execute("SELECT ref FROM import_jobs ORDER BY id")]
        recap, pending = JobRepository(store.database, store.apply_one).recap("j1")
        with store.database.transaction() as conn:
            new_ref = store.database.next_in_sequence(conn, "import_jobs", "ref")
    finally:
        store.close()
    assert version == steps[backend][-1][0]
    assert kept == _stored([*ACTIONS, ("j2", 0, "create_course", "k9", "success", None,
                                       '{"c":[]}', None, "")])
    assert len(set(refs)) == 2 and new_ref > max(refs)
    assert pending == 1 and recap["create_course"] == {"success": 1, "error": 0}
