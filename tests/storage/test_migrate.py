"""`ent migrate --to postgresql://…`: a used SQLite ENT copied whole, verified, or nothing written.

The copy is compared with the source by reading both databases directly (sqlite3, psycopg), not
through the command's own checksums; then the target serves as the ENT: a re-import plans
nothing and the queue continues after the copied jobs.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from edt_tui.cli import main
from edt_tui.storage.postgres import PostgresDatabase
from edt_tui.storage.sql_store import open_store
from edt_tui.storage.url import sqlite_url
from tests.execution.conftest import DEMO, DEMO_EXPORT, DEMO_KEY, DEMO_UAI, T0
from tests.pg import fresh_database

TABLES = ("establishments", "directory_users", "idpn_links", "subjects", "classes", "exports",
          "selections", "plan_requests", "import_jobs", "job_actions", "pushes", "api_tokens",
          "courses", "hierarchy_nodes", "memberships", "events")


@pytest.fixture
def used_ent(edt_home: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The embedded SQLite ENT after a directory load, a token, an import that ran and a plan
    of the wizard (its stored request)."""
    assert main(["ent", "load", str(DEMO / "ent")]) == 0
    assert main(["ent", "token", "create", "--uai", DEMO_UAI, "--label", "pronote"]) == 0
    assert main(["import", str(DEMO_EXPORT), "--uai", DEMO_UAI, "--key", str(DEMO_KEY),
                 "--at", T0, "--wait"]) == 0
    capsys.readouterr()
    path = edt_home / "ent.sqlite3"
    store = open_store(sqlite_url(path))
    try:
        store.plan_requests.save(DEMO_UAI, "0123456789abcdef01234567", {"format": 1})
    finally:
        store.close()
    return path


@pytest.fixture
def target() -> Iterator[str]:
    with fresh_database() as url:
        yield url


def _norm(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


def sqlite_rows(path: Path, table: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        names = [c[1] for c in conn.execute(f"PRAGMA table_info({table})")]
        rows = conn.execute(f"SELECT {', '.join(names)} FROM {table}").fetchall()
    return sorted((tuple(_norm(v) for v in r) for r in rows), key=repr)


def pg_rows(url: str, table: str, names: list[str]) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(f"SELECT {', '.join(names)} FROM {table}").fetchall()
    return sorted((tuple(_norm(v) for v in r) for r in rows), key=repr)


def columns(path: Path, table: str) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [c[1] for c in conn.execute(f"PRAGMA table_info({table})")]


def pg_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]  # type: ignore[index]
                for t in (*TABLES, "export_blobs")}


def test_a_used_ent_is_copied_whole_and_serves_from_postgresql(
    used_ent: Path, target: str, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert main(["ent", "migrate", "--to", target]) == 0
    out = capsys.readouterr().out
    assert "verified: 17 tables" in out

    for table in TABLES:
        source = sqlite_rows(used_ent, table)
        assert pg_rows(target, table, columns(used_ent, table)) == source, table
        assert f"\n{table} " in out
    assert len(sqlite_rows(used_ent, "events")) > 1000  # a real import, not an empty ENT
    assert sqlite_rows(used_ent, "plan_requests")  # the wizard's plan
    with psycopg.connect(target) as conn:
        [(sha, data)] = conn.execute("SELECT sha256, data FROM export_blobs").fetchall()
    assert (used_ent.parent / "exports" / f"{sha}.xml").read_bytes() == bytes(data)

    # The target is the ENT now: the same export plans nothing, a new job queues after the rest.
    monkeypatch.setenv("EDT_TUI_DATABASE_URL", target)
    assert main(["plan", str(DEMO_EXPORT), "--uai", DEMO_UAI, "--key", str(DEMO_KEY),
                 "--at", T0, "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert set(plan["actions"].values()) == {0}
    assert main(["import", str(DEMO_EXPORT), "--uai", DEMO_UAI, "--key", str(DEMO_KEY),
                 "--at", T0]) == 0
    capsys.readouterr()
    with psycopg.connect(target) as conn:
        seqs = [r[0] for r in conn.execute("SELECT seq FROM import_jobs ORDER BY created_at")]
    assert len(seqs) == 2 and seqs[1] > seqs[0]


def test_a_target_holding_data_is_refused_untouched(
    used_ent: Path, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ent", "migrate", "--to", target]) == 0
    before = pg_counts(target)
    capsys.readouterr()
    assert main(["ent", "migrate", "--to", target]) == 2
    err = capsys.readouterr().err
    assert "is not empty (establishments: 1" in err and "nothing was written" in err
    assert "Traceback" not in err
    assert pg_counts(target) == before


def test_a_copy_that_reads_back_different_is_rolled_back(
    used_ent: Path, target: str, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A row lost on the way (here: the last event, dropped by a faulty bulk insert) is caught
    by the read-back before commit; the target stays empty."""
    real = PostgresDatabase.insert_rows

    def lossy(self: PostgresDatabase, conn: Any, table: str, names: Any, rows: Any) -> None:
        kept = list(rows)
        real(self, conn, table, names, kept[:-1] if table == "events" else kept)

    monkeypatch.setattr(PostgresDatabase, "insert_rows", lossy)
    assert main(["ent", "migrate", "--to", target]) != 0
    err = capsys.readouterr().err
    assert "table events reads back" in err and "nothing written" in err
    assert set(pg_counts(target).values()) == {0}


def test_the_ent_itself_and_a_bad_url_are_refused(
    used_ent: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ent", "migrate", "--to", f"sqlite://{used_ent}"]) == 2
    assert "the target is the ENT being copied" in capsys.readouterr().err
    assert main(["ent", "migrate", "--to", "mysql://x@y/z"]) == 2
    err = capsys.readouterr().err
    assert "--to" in err and "Traceback" not in err
    store = open_store(f"sqlite://{used_ent}")
    try:
        assert store.get_establishment(DEMO_UAI) is not None
    finally:
        store.close()
