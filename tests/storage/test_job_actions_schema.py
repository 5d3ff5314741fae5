"""Version 10: what the job actions keep on disk — the pending actions' index is partial, and on
SQLite the table is clustered on its primary key; every job and action survives the upgrade."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from edt_tui.storage.sql_store import SqlStore, open_store
from edt_tui.storage.sqlite_migrations import MIGRATIONS, SCHEMA_VERSION
from edt_tui.storage.url import sqlite_url

ACTIONS = [
    ("j1", 0, "create_course", "k0", "success", None, '{"c":[]}', None, ""),
    ("j1", 1, "create_membership", "k1", "error", "IntegrityError: no course", '{"m":0}', None,
     None),
    ("j1", 2, "update_event", "k2", "pending", None, '{"e":[55,"t",[],[]]}', "{}", None),
]


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
        assert raw.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
        kept = raw.execute("SELECT job_id, seq, type, key, status, error, payload_json, "
                           "previous_json, prior FROM job_actions ORDER BY job_id, seq").fetchall()
        table = raw.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'job_actions'"
        ).fetchone()[0]
        raw.execute("PRAGMA foreign_keys = ON")
        orphans = raw.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        raw.close()
    assert kept == ACTIONS
    assert "WITHOUT ROWID" in table
    assert orphans == []
