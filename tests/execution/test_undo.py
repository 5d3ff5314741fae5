"""Undo of an import: the ENT back as it was, row by row; refused for an older import."""

from __future__ import annotations

import contextlib
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from edt_tui.service.jobs import RESUMED
from edt_tui.service.vocabulary import JobStatus
from edt_tui.storage.sql_store import SqlStore, open_store
from edt_tui.storage.url import sqlite_url
from tests.execution.conftest import DEMO_EXPORT, DEMO_KEY, DEMO_UAI, T0, Env, run_until_ended
from tests.execution.demo_variants import Variant

Tables = dict[str, dict[str, dict[str, Any]]]
T_A = datetime.fromisoformat(T0)
T_B = T_A + timedelta(days=7)
WORKER = Path(__file__).with_name("worker_process.py")
BATCH = 50
BIG_CHANGE = Variant(sessions=689, drop_every=7, room_every=5, teacher_every=11,
                     moved_students=(1, 2, 3, 40, 41))


def ent_tables(store: SqlStore) -> Tables:
    """Every row of the ENT tables an import writes, by key (courses' `updated_at` aside: it
    is the course's last change, and an undo is one)."""
    tables: Tables = {}
    with store.database.snapshot() as conn:
        for table, key in (("courses", "key"), ("hierarchy_nodes", "key"),
                           ("memberships", "key"), ("events", "key"),
                           ("idpn_links", "sync_id")):
            rows = [dict(zip(r.keys(), r, strict=True))
                    for r in conn.execute(f"SELECT * FROM {table}").fetchall()]
            if table == "courses":
                rows = [{k: v for k, v in r.items() if k != "updated_at"} for r in rows]
            tables[table] = {r[key]: r for r in rows}
    return tables


def differences(got: Tables, want: Tables) -> list[str]:
    """Readable differences, field by field (empty when equal)."""
    found = []
    for table in want:
        for key in sorted(got[table].keys() | want[table].keys()):
            a, b = got[table].get(key), want[table].get(key)
            if a != b:
                fields = sorted(k for k in (a or b or {}) if (a or {}).get(k) != (b or {}).get(k))
                found.append(f"{table} {key}: {fields}")
    return found


async def import_file(env: Env, data: bytes, at: datetime) -> dict[str, Any]:
    env.clock.now = at.astimezone(UTC)
    # Variants may delete much of the previous import: confirmed, undo is what is tested here.
    job = await env.enqueue(await env.upload(data), reference_time=at.isoformat(),
                            allow_mass_deletion=True)
    await env.run_all()
    done = await env.job(job["id"])
    assert done["status"] == "done" and done["errors"] == 0, done
    return done


async def undo(env: Env, job_id: str, at: datetime | None = None) -> Any:
    body = {"reference_time": at.isoformat()} if at else {}
    return await env.http.post(f"{env.est()}/jobs/{job_id}/undo", json=body)


async def undo_done(env: Env, job_id: str, at: datetime) -> dict[str, Any]:
    env.clock.now = at.astimezone(UTC)
    response = await undo(env, job_id, at)
    assert response.status_code == 202, response.text
    assert response.headers["location"].endswith(response.json()["id"])
    await env.run_all()
    done = await env.job(response.json()["id"])
    assert done["status"] == "done" and done["errors"] == 0, done
    return done


async def test_undo_after_a_reimport_restores_the_earlier_state_field_by_field(
    demo: Env,
) -> None:
    first = await import_file(demo, DEMO_EXPORT.read_bytes(), T_A)
    before = ent_tables(demo.store)
    second = await import_file(demo, BIG_CHANGE.plain(), T_B)
    recap = second["recap"]
    for kind in ("create_membership", "delete_membership", "update_event", "delete_event"):
        assert recap[kind]["success"] > 0, (kind, recap)
    assert differences(ent_tables(demo.store), before)  # the re-import changed the ENT

    undone = await undo_done(demo, second["id"], T_B)

    assert differences(ent_tables(demo.store), before) == []
    assert undone["type"] == "undo" and undone["type_label"] == "Annulation"
    assert undone["undoes"] == {"id": second["id"], "created_at": second["created_at"]}
    assert undone["recap"]["update_event"]["success"] == recap["update_event"]["success"]
    assert undone["recap"]["create_event"]["success"] == recap["delete_event"]["success"]
    assert undone["recap"]["delete_membership"]["success"] == (
        recap["create_membership"]["success"]
    )
    assert first["id"] != second["id"]


async def test_undo_of_a_first_import_empties_the_ent_and_its_links(demo: Env) -> None:
    before = ent_tables(demo.store)
    first = await import_file(demo, DEMO_EXPORT.read_bytes(), T_A)
    assert ent_tables(demo.store)["idpn_links"] and ent_tables(demo.store)["courses"]

    undone = await undo_done(demo, first["id"], T_A)

    assert differences(ent_tables(demo.store), before) == []
    assert undone["recap"]["delete_course"]["success"] == first["recap"]["create_course"][
        "success"]
    # The `Cours <year>` root the import created is gone too.
    assert undone["recap"]["delete_hierarchy_node"]["success"] == (
        first["recap"]["create_hierarchy_node"]["success"] + 1
    )


async def test_events_before_the_undos_t_are_left_as_they_are(demo: Env) -> None:
    first = await import_file(demo, DEMO_EXPORT.read_bytes(), T_A)
    at = T_A + timedelta(days=14)
    await undo_done(demo, first["id"], at)
    events = ent_tables(demo.store)["events"]
    assert events and all(datetime.fromisoformat(e["start_utc"]) < at for e in events.values())
    courses = ent_tables(demo.store)["courses"]
    # A course keeps existing while it has past events; its members are removed all the same.
    assert {e["course_key"] for e in events.values()} == set(courses)
    assert ent_tables(demo.store)["memberships"] == {}


async def test_only_the_newest_import_can_be_undone(demo: Env) -> None:
    first = await import_file(demo, DEMO_EXPORT.read_bytes(), T_A)
    second = await import_file(demo, BIG_CHANGE.plain(), T_B)
    state = ent_tables(demo.store)

    refused = await undo(demo, first["id"])
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    body = refused.json()
    assert body["reason_code"] == "newer_import"
    assert body["reason_params"] == {"job_id": second["id"], "created_at": second["created_at"]}
    assert body["reason"] == "Annulez d'abord l'import du 05/12/2026 08:00"
    assert body["detail"].startswith("undo the import of 05/12/2026 08:00 first")
    assert body["why"] == {"code": "newer_import", "params": {"date": "05/12/2026 08:00"}}
    assert ent_tables(demo.store) == state  # nothing queued, nothing changed
    assert (await demo.http.get(f"{demo.est()}/jobs", params={"type": "undo"})).json()[
        "total"] == 0

    queued = await undo(demo, second["id"], T_B)
    assert queued.status_code == 202
    again = await undo(demo, second["id"], T_B)
    assert again.status_code == 409 and again.json()["reason_code"] == "busy"
    await demo.run_all()
    again = await undo(demo, second["id"], T_B)
    assert again.status_code == 409 and again.json()["reason_code"] == "already_undone"
    # Once the newer import is undone, the older one is the newest: it can be undone.
    assert (await undo(demo, first["id"], T_B)).status_code == 202


async def test_an_undo_is_not_undone_and_unknown_jobs_are_404(demo: Env) -> None:
    first = await import_file(demo, DEMO_EXPORT.read_bytes(), T_A)
    undone = await undo_done(demo, first["id"], T_A)
    refused = await undo(demo, undone["id"])
    assert refused.status_code == 409 and refused.json()["reason_code"] == "not_an_import"
    missing = await undo(demo, "0" * 32)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


async def test_reimporting_the_undone_file_applies_it_again(demo: Env) -> None:
    await import_file(demo, DEMO_EXPORT.read_bytes(), T_A)
    second = await import_file(demo, BIG_CHANGE.plain(), T_B)
    after_second = ent_tables(demo.store)
    await undo_done(demo, second["id"], T_B)
    await import_file(demo, BIG_CHANGE.plain(), T_B)
    assert not [d for d in differences(ent_tables(demo.store), after_second)
                if not d.startswith(("events", "memberships"))]
    got, want = ent_tables(demo.store), after_second
    assert got["events"].keys() == want["events"].keys()
    assert got["memberships"].keys() == want["memberships"].keys()


def test_the_openapi_document_declares_the_refusals() -> None:
    from edt_tui.config import Settings
    from edt_tui.service.api.app import create_app

    document = create_app(None, settings=Settings()).openapi()  # type: ignore[arg-type]
    operation = document["paths"]["/api/v1/establishments/{uai}/jobs/{job_id}/undo"]["post"]
    assert "202" in operation["responses"]
    for status in ("404", "409", "422"):
        content = operation["responses"][status]["content"]
        assert "application/problem+json" in content, status


def _copy(store: SqlStore, to: Path) -> Path:
    """A consistent copy of the database (the SQLite backup API), exports directory aside."""
    with contextlib.closing(sqlite3.connect(store.database.path)) as source, \
            contextlib.closing(sqlite3.connect(to)) as target:
        source.backup(target)
    return to


def _run_worker(db: Path, *extra: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, str(WORKER), sqlite_url(db), str(DEMO_KEY), str(BATCH), "crashing-worker",
         *extra],
        capture_output=True, timeout=300, check=False,
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a file copy is the reference
async def test_an_undo_killed_mid_way_then_resumed_gives_the_same_state(
    demo: Env, tmp_path: Path
) -> None:
    await import_file(demo, DEMO_EXPORT.read_bytes(), T_A)
    second = await import_file(demo, BIG_CHANGE.plain(), T_B)
    demo.clock.now = T_B.astimezone(UTC)
    queued = await undo(demo, second["id"], T_B)
    assert queued.status_code == 202
    undo_id = queued.json()["id"]
    reference = _copy(demo.store, tmp_path / "reference.sqlite3")

    completed = _run_worker(reference)
    assert completed.returncode == 0, completed.stderr.decode()[-2000:]
    killed = _run_worker(demo.store.database.path, "3")  # SIGKILL right after its 3rd batch
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]
    crashed = demo.services.jobs.get(undo_id)  # read as is (the API would recover it first)
    assert crashed is not None and crashed.status is JobStatus.RUNNING
    recap, pending = demo.services.jobs.recap(undo_id)
    assert sum(v["success"] for v in recap.values()) == 3 * BATCH and pending > 0
    with contextlib.closing(sqlite3.connect(demo.store.database.path)) as conn:
        (lease_until,) = conn.execute(
            "SELECT lease_until FROM import_jobs WHERE id = ?", (undo_id,)
        ).fetchone()
    demo.clock.now = datetime.fromisoformat(lease_until) + timedelta(microseconds=1)

    await run_until_ended(demo.services.worker, undo_id)  # restarted: recovers, then resumes
    final = await demo.job(undo_id)
    assert final["status"] == "done" and final["reason"] == RESUMED, final
    assert final["errors"] == 0 and final["tasks_done"] == final["progress"]["total"]

    reference_store = open_store(sqlite_url(reference))
    try:
        assert differences(ent_tables(demo.store), ent_tables(reference_store)) == []
    finally:
        reference_store.close()


async def test_the_worker_checks_again_when_the_undo_starts(demo: Env) -> None:
    first = await import_file(demo, DEMO_EXPORT.read_bytes(), T_A)
    second = await import_file(demo, BIG_CHANGE.plain(), T_B)
    state = ent_tables(demo.store)
    # Queued without the check (as if a newer import had slipped in before it ran).
    job = demo.services.jobs.enqueue_undo(DEMO_UAI, first["id"], T_B, lambda conn: None)
    await demo.run_all()
    refused = await demo.job(job.id)
    assert refused["status"] == "refused" and refused["tasks_done"] == 0
    assert refused["reason"] == "Annulez d'abord l'import du 05/12/2026 08:00"
    assert (refused["reason_code"], refused["reason_params"]["job_id"]) == (
        "newer_import", second["id"]
    )
    assert refused["why"] == {"code": "newer_import", "params": {"date": "05/12/2026 08:00"}}
    assert ent_tables(demo.store) == state
    assert second["id"] != first["id"]


async def test_an_import_stopped_by_a_full_disk_is_not_undone_before_it_is_resumed(
    demo: Env,
) -> None:
    first = await import_file(demo, DEMO_EXPORT.read_bytes(), T_A)
    with demo.store.transaction() as conn:  # as the worker leaves a job the disk stopped
        conn.execute("UPDATE import_jobs SET status = 'error', reason_code = 'disk_full' "
                     "WHERE id = ?", (first["id"],))
    refused = await undo(demo, first["id"])
    assert refused.status_code == 409 and refused.json()["reason_code"] == "busy"
    assert refused.json()["reason_params"]["job_id"] == first["id"]


async def test_events_within_the_freeze_window_are_left_as_they_are(demo: Env) -> None:
    await import_file(demo, DEMO_EXPORT.read_bytes(), T_A)
    before = ent_tables(demo.store)
    second = await import_file(demo, BIG_CHANGE.plain(), T_B)
    after = ent_tables(demo.store)
    demo.store.update_establishment(DEMO_UAI, freeze_minutes=7 * 24 * 60)
    await undo_done(demo, second["id"], T_B)

    frozen_until = T_B + timedelta(days=7)
    got = ent_tables(demo.store)
    def split(events: dict[str, dict[str, Any]], ahead: bool) -> dict[str, dict[str, Any]]:
        return {k: e for k, e in events.items()
                if (datetime.fromisoformat(str(e["start_utc"])) >= frozen_until) is ahead}

    assert split(got["events"], True) == split(before["events"], True)
    assert split(got["events"], False) == split(after["events"], False)  # B's stay in the window
    assert split(after["events"], False) != split(before["events"], False)
    assert got["memberships"] == before["memberships"]
