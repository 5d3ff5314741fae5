"""A write transaction on a full disk: the caller sees SQLite's own error, not a failed ROLLBACK
of a transaction SQLite had already rolled back, and the connection stays usable."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from edt_tui.service.job_failures import FailureCode, failure_of
from edt_tui.storage.sql_store import open_store
from edt_tui.storage.url import sqlite_url


def test_a_full_disk_surfaces_as_itself_and_leaves_no_transaction_open(tmp_path: Path) -> None:
    store = open_store(sqlite_url(tmp_path / "ent.sqlite3"))
    conn = store.database.connection()
    conn.execute("CREATE TABLE filler (x TEXT)")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full from here on
    with pytest.raises(sqlite3.OperationalError) as raised, store.transaction() as tx:
        tx.executemany("INSERT INTO filler VALUES (?)", [("x" * 1000,)] * 100)
    assert raised.value.sqlite_errorcode == sqlite3.SQLITE_FULL
    assert "rollback" not in str(raised.value)
    failure = failure_of(raised.value)
    assert failure.code is FailureCode.DISK_FULL and failure.reason.startswith("Disque plein")
    assert not conn.in_transaction

    conn.execute("PRAGMA max_page_count = 1073741823")  # space is back
    with store.transaction() as tx:
        tx.execute("INSERT INTO filler VALUES ('ok')")
    assert [tuple(r) for r in conn.execute("SELECT x FROM filler")] == [("ok",)]
    store.close()
