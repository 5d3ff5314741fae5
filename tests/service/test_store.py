"""The SQLite store on real files: migrations, upserts, ENT state, actions, two writers."""

from __future__ import annotations

import multiprocessing
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from edt_tui.engine.apply import apply_actions
from edt_tui.engine.model import (
    Action,
    ActionType,
    CourseOrigin,
    EntState,
    EventState,
    Profile,
    UserSource,
)
from edt_tui.service.records import Establishment, UserRecord
from edt_tui.service.store import StoreError, UnknownEstablishmentError
from edt_tui.storage.sql_store import SqlStore, open_store
from edt_tui.storage.sqlite_migrations import MIGRATIONS, SCHEMA_VERSION
from edt_tui.storage.url import sqlite_url
from tests.conftest import sqlite_only as database_url  # noqa: F401 (SQLite only)
from tests.service.conftest import UAI_A, UAI_B, YEAR, course_actions, seed


def test_migrates_an_empty_file_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "ent.sqlite3"
    store = open_store(sqlite_url(path))
    store.close()
    raw = sqlite3.connect(path)
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"establishments", "directory_users", "idpn_links", "subjects", "classes", "exports",
            "selections", "import_jobs", "job_actions", "pushes", "api_tokens", "courses",
            "hierarchy_nodes", "memberships", "events"} <= tables
    assert raw.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    raw.close()
    again = open_store(sqlite_url(path))  # reopening does not re-run migrations
    assert again.schema_version() == SCHEMA_VERSION
    again.close()


def test_database_and_exports_are_private_to_the_owner(seeded: SqlStore) -> None:
    from edt_tui.config import Settings
    from edt_tui.service.exports import ExportIntake
    from tests.service.exports_builder import plain_export

    record = ExportIntake(Settings()).accept(seeded, UAI_A, plain_export(UAI_A), "e.xml")
    exports_dir = seeded.exports.blobs.directory
    for path in (seeded.database.path, Path(f"{seeded.database.path}-wal"), exports_dir,
                 exports_dir / f"{record.sha256}.xml"):
        assert path.stat().st_mode & 0o077 == 0, path


def test_upgrades_a_database_left_at_version_1(tmp_path: Path) -> None:
    path = tmp_path / "ent.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    raw.execute("INSERT INTO schema_version (version) VALUES (1)")
    for statement in MIGRATIONS[0][1]:
        raw.execute(statement)
    raw.execute("INSERT INTO establishments VALUES ('0490856P', 'A', 'Europe/Paris', 's', 4, "
                "'2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')")
    raw.commit()
    raw.close()
    store = open_store(sqlite_url(path))
    assert store.schema_version() == SCHEMA_VERSION
    assert store.get_establishment(UAI_A) is not None  # data kept across upgrades
    plan = store.database.connection().execute(
        "EXPLAIN QUERY PLAN SELECT sync_id FROM directory_users WHERE uai = ? AND profile = ? "
        "ORDER BY last_name, first_name, sync_id", (UAI_A, "student")).fetchall()
    assert "TEMP B-TREE" not in " ".join(str(tuple(r)) for r in plan)
    store.close()


def test_upgrade_to_undo_keeps_jobs_and_their_actions(tmp_path: Path) -> None:
    """import_jobs is rebuilt (its type CHECK gains `undo`): every job and action survives, and
    the actions still reference their job."""
    path = tmp_path / "ent.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA foreign_keys = ON")
    raw.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    raw.execute("INSERT INTO schema_version (version) VALUES (6)")
    for _, migration in MIGRATIONS[:6]:
        for statement in migration:
            raw.execute(statement)
    raw.execute("INSERT INTO establishments VALUES ('0490856P', 'A', 'Europe/Paris', 's', 4, "
                "'2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')")
    raw.execute("INSERT INTO import_jobs (id, uai, type, status, created_at, seq, outcome, "
                "counters_json) VALUES ('j1', '0490856P', 'manual', 'done', "
                "'2026-01-02T00:00:00+00:00', 7, NULL, '{\"total\": 1}')")
    raw.execute("INSERT INTO job_actions (job_id, seq, type, key, status, payload_json) "
                "VALUES ('j1', 0, 'create_course', 'k', 'success', '{}')")
    raw.commit()
    raw.close()
    store = open_store(sqlite_url(path))
    conn = store.database.connection()
    jobs = conn.execute("SELECT id, seq, counters_json, undoes FROM import_jobs").fetchall()
    assert [tuple(r) for r in jobs] == [("j1", 7, '{"total": 1}', None)]
    actions = conn.execute("SELECT j.id, a.key, a.prior FROM job_actions a "
                           "JOIN import_jobs j ON j.ref = a.job_ref").fetchall()
    assert [tuple(r) for r in actions] == [("j1", "k", None)]  # applied before priors existed
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    indexes = {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'import_jobs'")}
    assert {"import_jobs_by_status", "import_jobs_by_uai", "import_jobs_by_seq"} <= indexes
    with store.transaction() as write:
        write.execute("INSERT INTO import_jobs (id, uai, type, status, created_at, undoes) "
                      "VALUES ('u1', '0490856P', 'undo', 'queued', 'x', 'j1')")
        with pytest.raises(sqlite3.IntegrityError):
            write.execute("INSERT INTO job_actions (job_ref, seq, type, key, status, "
                          "payload_json) VALUES (999, 0, 0, 'k', 'pending', '{}')")
    store.close()


def test_refuses_a_database_from_a_newer_version(tmp_path: Path) -> None:
    path = tmp_path / "ent.sqlite3"
    open_store(sqlite_url(path)).close()
    raw = sqlite3.connect(path)
    raw.execute("UPDATE schema_version SET version = 999")
    raw.commit()
    raw.close()
    with pytest.raises(StoreError, match="newer"):
        open_store(sqlite_url(path))


def test_upserts_keep_one_row_per_key_and_update_fields(store: SqlStore) -> None:
    store.upsert_establishments([Establishment(UAI_A, "Old name")])
    secret = store.get_establishment(UAI_A).push_secret  # type: ignore[union-attr]
    store.upsert_establishments([Establishment(UAI_A, "New name", timezone="Indian/Reunion")])
    got = store.get_establishment(UAI_A)
    assert got is not None and got.name == "New name" and got.timezone == "Indian/Reunion"
    assert got.push_secret == secret and len(secret) >= 24  # the secret survives reloads
    user = UserRecord(UAI_A, "u1", Profile.STUDENT, "Durand", "Zoé", date(2011, 5, 6), None,
                      UserSource.AAF)
    store.upsert_users([user])
    store.upsert_users([UserRecord(UAI_A, "u1", Profile.STUDENT, "Durand-Roy", "Zoé",
                                   date(2011, 5, 6), "zdurand", UserSource.CSV)])
    page = store.list_users(UAI_A)
    assert page.total == 1
    assert page.items[0].last_name == "Durand-Roy" and page.items[0].cas_login == "zdurand"


def test_users_of_an_unknown_establishment_write_nothing(store: SqlStore) -> None:
    store.upsert_establishments([Establishment(UAI_A, "A")])
    rows = [
        UserRecord(UAI_A, "ok", Profile.TEACHER, "X", "Y", None, None, UserSource.AAF),
        UserRecord("9999999Z", "bad", Profile.TEACHER, "X", "Y", None, None, UserSource.AAF),
    ]
    with pytest.raises(UnknownEstablishmentError, match="9999999Z"):
        store.upsert_users(rows)
    assert store.list_users(UAI_A).total == 0


def test_user_filters_and_pagination(seeded: SqlStore) -> None:
    students = seeded.list_users(UAI_A, profile=Profile.STUDENT, limit=2)
    assert students.total == 5 and len(students.items) == 2 and students.next == 2
    rest = seeded.list_users(UAI_A, profile=Profile.STUDENT, offset=4, limit=2)
    assert len(rest.items) == 1 and rest.next is None
    assert [u.sync_id for u in seeded.list_users(UAI_A, q="prenom3 eleve").items] == ["a-s3"]
    assert [u.sync_id for u in seeded.list_users(UAI_A, reconciled=True).items] == ["a-s1"]
    assert seeded.list_users(UAI_A, reconciled=False).total == 5
    assert seeded.list_users(UAI_A, source=UserSource.AAF).total == 1
    assert seeded.list_users(UAI_A, limit=10_000).limit == 500


def test_ent_state_round_trips_what_the_engine_expects(seeded: SqlStore) -> None:
    actions = course_actions(UAI_A, "Maths", "3A", ["a-s1", "a-s2"], "a-t1")
    expected = apply_actions(EntState({}, frozenset(), {}), actions)
    assert seeded.ent_state(UAI_A, YEAR) == expected
    assert seeded.ent_state(UAI_A, "2025-2026") == EntState({}, frozenset(), {})


def test_actions_are_idempotent_and_updates_deletes_apply(seeded: SqlStore) -> None:
    actions = course_actions(UAI_A, "Maths", "3A", ["a-s1", "a-s2"], "a-t1")
    before = seeded.ent_state(UAI_A, YEAR)
    seeded.apply_actions(UAI_A, actions)  # replay: nothing duplicated
    assert seeded.ent_state(UAI_A, YEAR) == before
    assert seeded.list_hierarchy(UAI_A).total == 1
    event = next(a.event for a in actions if a.event)
    moved = EventState(event.course_key, event.start, event.end + timedelta(minutes=30),
                       event.title, ("S202",), event.teachers)
    member = next(a.membership for a in actions if a.membership)
    change = [
        Action(ActionType.UPDATE_EVENT, moved.key, event=moved),
        Action(ActionType.DELETE_MEMBERSHIP, member.key, membership=member),
        Action(ActionType.DELETE_EVENT, actions[-1].key, event=actions[-1].event),
    ]
    seeded.apply_actions(UAI_A, change)
    assert seeded.ent_state(UAI_A, YEAR) == apply_actions(before, change)


def test_a_failing_action_rolls_back_the_whole_batch(seeded: SqlStore) -> None:
    before = seeded.ent_state(UAI_A, YEAR)
    good = course_actions(UAI_A, "Physique", "3A", ["a-s3"], "a-t1")
    with pytest.raises(StoreError):
        seeded.apply_actions(UAI_A, [*good, Action(ActionType.CREATE_EVENT, "broken")])
    assert seeded.ent_state(UAI_A, YEAR) == before


def test_courses_hierarchy_and_manual_courses(seeded: SqlStore) -> None:
    seeded.add_manual_course(
        UAI_A, f"{UAI_A}:{YEAR}:HANDMADE", label="Club théâtre", school_year=YEAR,
        subject="Théâtre", audience_kind="group", audience_name="Club", created_by="Mme X",
    )
    courses = seeded.list_courses(UAI_A)
    assert [c.label for c in courses.items] == ["Club théâtre", "Maths - 3A"]
    integration = seeded.list_courses(UAI_A, origin=CourseOrigin.INTEGRATION).items
    assert [(c.created_by, c.participants) for c in integration] == [("Intégration", 3)]
    state = seeded.ent_state(UAI_A, YEAR)
    assert state.courses[f"{UAI_A}:{YEAR}:HANDMADE"].origin is CourseOrigin.MANUAL
    roots = seeded.list_hierarchy(UAI_A).items
    assert [r.title for r in roots] == [f"Cours {YEAR}"]
    children = seeded.list_hierarchy(UAI_A, parent_key=roots[0].key).items
    assert [c.course_key for c in children] == [integration[0].key]
    events = seeded.list_events(UAI_A, integration[0].key, limit=2)
    assert events.total == 3 and events.items[0].start < events.items[1].start
    assert seeded.list_memberships(UAI_A, integration[0].key).total == 3
    assert seeded.list_memberships(UAI_B, integration[0].key).total == 0  # scoped by UAI


def test_selections_are_versioned(seeded: SqlStore) -> None:
    assert seeded.get_selection(UAI_A) is None
    assert seeded.save_selection(UAI_A, {"subjects": ["1"]}) == 1
    assert seeded.save_selection(UAI_A, {"subjects": ["1", "2"]}) == 2
    assert seeded.get_selection(UAI_A) == (2, {"subjects": ["1", "2"]})
    assert seeded.get_selection(UAI_A, 1) == (1, {"subjects": ["1"]})
    assert seeded.get_selection(UAI_B) is None


def _writer(path: str, prefix: str, count: int, start: Any) -> None:
    store = open_store(sqlite_url(Path(path)))
    start.wait(30)  # both processes write at the same time, not one after the other
    for i in range(count):
        store.upsert_users([UserRecord(UAI_A, f"{prefix}{i}", Profile.STUDENT, prefix, str(i),
                                       None, None, UserSource.CSV)])
        store.apply_actions(UAI_A, course_actions(UAI_A, f"{prefix}{i}", "3A", [], "a-t1", 1))
    store.close()


def test_two_processes_write_concurrently(tmp_path: Path) -> None:
    path = tmp_path / "ent.sqlite3"
    store = open_store(sqlite_url(path))
    seed(store)
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(2)
    procs = [ctx.Process(target=_writer, args=(str(path), p, 25, start)) for p in ("x", "y")]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    assert [proc.exitcode for proc in procs] == [0, 0]
    assert store.list_users(UAI_A, q="x").total >= 25
    assert store.list_users(UAI_A, profile=Profile.STUDENT).total == 5 + 50
    assert store.list_courses(UAI_A).total == 1 + 50
    assert len(store.ent_state(UAI_A, YEAR).events) == 3 + 50
    store.close()


def test_upgrade_to_9_indexes_running_jobs_and_gives_event_starts_microseconds(
    tmp_path: Path,
) -> None:
    """An event written before the one timestamp format is still found from its start."""
    path = tmp_path / "ent.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    raw.execute("INSERT INTO schema_version (version) VALUES (8)")
    for _, migration in MIGRATIONS[:8]:
        for statement in migration:
            raw.execute(statement)
    raw.execute("INSERT INTO establishments (uai, name, timezone, push_secret, created_at, "
                "updated_at) VALUES ('0490856P', 'A', 'Europe/Paris', 's', 'x', 'x')")
    raw.execute("INSERT INTO courses VALUES ('c', '0490856P', '2026-2027', 'Maths', 'MATHS', "
                "'class', '3A', 'integration', 'x', 'x', 'x', NULL)")
    raw.execute("INSERT INTO events VALUES ('c|e', 'c', '2026-11-30T08:00:00+01:00', "
                "'2026-11-30T09:00:00+01:00', '2026-11-30T07:00:00+00:00', 'Maths', '[]', "
                "'[]', '2026-09-01T00:00:00+00:00')")
    raw.commit()
    raw.close()
    store = open_store(sqlite_url(path))
    assert store.schema_version() == SCHEMA_VERSION  # 9 and every later version
    start = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    assert [e.key for e in store.list_events(UAI_A, "c", start_from=start).items] == ["c|e"]
    conn = store.database.connection()
    assert conn.execute("SELECT start_utc FROM events").fetchone()[0] == (
        "2026-11-30T07:00:00.000000+00:00"
    )
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "import_jobs_one_running" in indexes
    store.close()
