"""Helpdesk bundles: export a session, restore it on an empty service: same plan, read-only."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import io
import json
import sqlite3
import stat
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Static

from edt_tui.cli import main
from edt_tui.client.imports import ImportJob
from edt_tui.engine.selection import SubjectChoice
from edt_tui.session.bundle import Bundle, read_bundle, restore_bundle, write_bundle
from edt_tui.session.store import SessionStore
from edt_tui.tui import start
from edt_tui.tui.app import EdtTuiApp
from edt_tui.tui.backend import ExportCheck
from edt_tui.tui.screens.history import HistoryScreen, HistoryTable
from edt_tui.tui.screens.launch import LaunchScreen
from edt_tui.tui.screens.recap import RecapScreen
from edt_tui.tui.screens.summary import SummaryScreen
from edt_tui.tui.screens.table_step import TableStepScreen
from edt_tui.tui.selection_model import french_int
from edt_tui.tui.start import replay_app

from .conftest import KEY, REFERENCE_TIME, UAI, embedded, wait_finished
from .helpers import client, settle


async def cli(*argv: str) -> int:
    """The CLI runs its own event loop: call it from a thread."""
    return await asyncio.to_thread(main, list(argv))


async def customer_session(home: Path) -> tuple[str, dict[str, object]]:
    """A session on the demo with one subject deactivated, and the customer's own plan."""
    async with embedded(home) as ent:
        export = (await ent.list_exports(UAI)).items[0]
        store = SessionStore()
        session = store.create(UAI)
        check = ExportCheck(
            file_name=export.file_name, uai=UAI, import_id=export.import_id, encrypted=True,
            key_present=True, sha256=export.sha256, school_year=export.school_year,
        )
        store.set_export(session.id, check.to_dict())
        steps = (await ent.plan_steps(UAI, export.sha256)).model_dump(mode="json")
        subject = steps["subjects"][0]["key"]
        session = store.update_selection(
            session.id, lambda s: s.with_subject(subject, SubjectChoice.INACTIVE)
        )
        store.set_step(session.id, "courses")
        plan = await ent.create_plan(
            UAI, export.sha256, session.selection, reference_time=REFERENCE_TIME, view="steps"
        )
    return session.id, plan.model_dump(mode="json")


async def test_bundle_round_trip_gives_identical_plans_and_a_read_only_replay(
    demo_home: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = demo_home("loaded")
    session_id, customer_plan = await customer_session(home)
    bundle_path = tmp_path / "support" / "bundle.zip"
    key = str(KEY)
    assert await cli("session", "export", session_id, "--out", str(bundle_path), "--key", key) == 0
    assert await cli("session", "export", session_id, "--out", str(bundle_path)) == 2  # exists
    capsys.readouterr()

    with zipfile.ZipFile(bundle_path) as archive:
        assert sorted(archive.namelist()) == ["export.xml", "session.json"]
    bundle = read_bundle(bundle_path)
    assert bundle.uai == UAI and bundle.session["id"] == session_id
    assert bundle.snapshot["establishment"]["uai"] == UAI and bundle.service_version
    async with embedded(home) as ent:
        directory = (await ent.list_users(UAI, limit=1)).total
    assert len(bundle.snapshot["users"]) == directory > 0

    assert await cli("session", "open", str(bundle_path), "--check", "--key", key) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["identical_plan"] is True and report["job"] is None
    assert await cli("session", "open", str(bundle_path), "--check") == 2  # no key
    assert "--key" in capsys.readouterr().err

    # without --check, the entry point hands the restored bundle to the TUI's replay
    opened: list[tuple[str, bool]] = []

    def run_replay(restored: Bundle, home: Path, args: argparse.Namespace) -> int:
        opened.append((restored.uai, any(home.iterdir())))
        return 0

    monkeypatch.setattr(start, "run_replay", run_replay)
    assert await cli("session", "open", str(bundle_path), "--key", key) == 0
    assert opened == [(UAI, True)]

    # replay read-only in the TUI on an empty service restored from the bundle
    replay_home = tmp_path / "replay"
    restore_bundle(bundle, replay_home)
    args = argparse.Namespace(key=str(KEY), partner=None, step=None)
    app = replay_app(bundle, replay_home, args)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, TableStepScreen) and screen.step.id == "courses"
        model = screen.model
        assert model is not None
        courses = customer_plan["courses"]
        assert isinstance(courses, list)
        available = [c for c in courses if c["subject_active"] and c["audience_active"]]
        assert sorted(model.row_id_at(i) for i in range(model.visible_count)) == sorted(
            c["key"] for c in available
        )
        assert model.active_count == sum(1 for c in available if c["selected"])
        before = model.active_count
        await pilot.press("D")
        await settle(app, pilot)
        assert model.active_count == before  # undone: decisions are the customer's
        assert app.wizard.session is not None
        assert app.wizard.session.selection == bundle.session["selection"]

        app.go("students")
        await settle(app, pilot)
        students = app.screen
        assert isinstance(students, TableStepScreen) and students.model is not None
        unreconciled = [
            p for p in customer_plan["students"] if p["status"] == "unreconciled"  # type: ignore[union-attr]
        ]
        people = students.model
        rows = [people.row(people.row_id_at(i)) for i in range(people.visible_count)]
        shown = [r for r in rows if r.status == "unreconciled"]
        assert sorted(r.key for r in shown) == sorted(p["key"] for p in unreconciled)

        app.go("launch")
        await settle(app, pilot)
        assert isinstance(app.screen, LaunchScreen)
        await pilot.press("l")
        await settle(app, pilot)
        outcome = str(app.screen.query_one("#outcome").render())
        assert "lecture seule" in outcome
        assert "lecture seule" in app.title


def test_bad_bundles_and_sessions_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    assert main(["session", "open", str(junk), "--check"]) == 2
    assert "not an edt-tui session bundle" in capsys.readouterr().err
    assert main(["session", "export", "nope", "--out", str(tmp_path / "b.zip")]) == 2
    assert not (tmp_path / "b.zip").exists()
    assert main(["session", "list"]) == 0
    assert "no import session" in capsys.readouterr().out


LOCKED = "compte verrouillé dans l'ENT"


def lock_account(home: Path, sync_id: str) -> None:
    """Every membership of `sync_id` fails in the ENT (a real SQLite trigger on the real file)."""
    quoted = LOCKED.replace("'", "''")
    conn = sqlite3.connect(home / "ent.sqlite3")
    try:
        conn.execute(
            f"""CREATE TRIGGER locked_account BEFORE INSERT ON memberships
                WHEN NEW.user_sync_id = '{sync_id}'
                BEGIN SELECT RAISE(ABORT, '{quoted}'); END"""
        )
        conn.commit()
    finally:
        conn.close()


async def launched_customer_session(home: Path) -> tuple[str, ImportJob]:
    """The demo imported with one subject off and one student's account locked, then imported
    again with the default selection (a later job the bundle must walk back)."""
    async with embedded(home) as ent:
        export = (await ent.list_exports(UAI)).items[0]
        steps = (await ent.plan_steps(UAI, export.sha256)).model_dump(mode="json")
        student = next(p["sync_id"] for p in steps["students"] if p["status"] == "reconciled")
        lock_account(home, student)
        store = SessionStore()
        session = store.create(UAI)
        check = ExportCheck(
            file_name=export.file_name, uai=UAI, import_id=export.import_id, encrypted=True,
            key_present=True, sha256=export.sha256, school_year=export.school_year,
        )
        store.set_export(session.id, check.to_dict())
        subject = steps["subjects"][0]["key"]
        session = store.update_selection(
            session.id, lambda s: s.with_subject(subject, SubjectChoice.INACTIVE)
        )
        job = await ent.enqueue_import(
            UAI, export.sha256, session.selection, reference_time=REFERENCE_TIME
        )
        await wait_finished(ent, job.id)
        store.mark_launched(session.id, job.id, None)
        later = await ent.enqueue_import(UAI, export.sha256, reference_time=REFERENCE_TIME)
        await wait_finished(ent, later.id)
        return session.id, await ent.get_job(UAI, job.id)


def screen_text(app: EdtTuiApp, selector: str) -> str:
    """What a Static shows, as plain text (rich tables included)."""
    console = Console(width=120, record=True, file=io.StringIO())
    console.print(app.screen.query_one(selector, Static).content)
    return console.export_text()


async def test_a_bundle_of_an_import_with_failed_actions_replays_what_the_customer_saw(
    demo_home: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = demo_home("loaded")
    session_id, job = await launched_customer_session(home)
    assert job.status == "done" and job.recap is not None
    failed = sum(v.error for v in job.recap.values())
    assert failed > 0
    summary = job.summary
    assert summary is not None and summary["courses_created"] > 0

    bundle_path = tmp_path / "bundle.zip"
    assert await cli("session", "export", session_id, "--out", str(bundle_path), "--key",
                     str(KEY)) == 0
    assert "personal data" in capsys.readouterr().err
    assert stat.S_IMODE(bundle_path.stat().st_mode) == 0o600

    bundle = read_bundle(bundle_path)
    assert bundle.job is not None and bundle.job["id"] == job.id
    assert datetime.fromisoformat(bundle.reference_time) == job.reference_time
    assert bundle.job["counters"]["recap"] == job.model_dump()["recap"]
    assert len(bundle.job["failed_actions"]) == failed
    assert all(LOCKED in a["error"] for a in bundle.job["failed_actions"])
    # the plan the customer saw: the job's own §3.11 numbers and action counts
    assert bundle.plan["summary"] == summary
    assert bundle.plan["actions"] == bundle.customer_actions
    assert sum(bundle.customer_actions.values()) == (job.progress.total if job.progress else -1)
    assert bundle.snapshot["gaps"] == []

    # on a fresh machine: nothing of the customer's service or sessions
    fresh = tmp_path / "helpdesk-home"
    monkeypatch.setenv("EDT_TUI_HOME", str(fresh))
    assert await cli("session", "open", str(bundle_path), "--check", "--key", str(KEY)) == 0
    report = json.loads(capsys.readouterr().out)
    assert report == {
        "session": session_id, "uai": UAI, "job": job.id, "identical_plan": True, "steps": {},
        "actions": {}, "rebuild_gaps": [],
    }

    replay_home = tmp_path / "replay"
    restore_bundle(bundle, replay_home)
    app = replay_app(bundle, replay_home, argparse.Namespace(key=str(KEY), partner=None,
                                                             step="courses"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, TableStepScreen) and screen.model is not None
        courses = [c for c in bundle.plan["courses"] if c["subject_active"]
                   and c["audience_active"]]
        assert screen.model.visible_count == len(courses)
        assert screen.model.active_count == sum(1 for c in courses if c["selected"])

        app.go("launch")
        await settle(app, pilot)
        assert isinstance(app.screen, LaunchScreen)
        assert app.wizard.plan is not None and dict(app.wizard.plan.summary) == summary
        counts = screen_text(app, "#counts")
        assert french_int(summary["courses_created"]) in counts
        assert french_int(summary["memberships_created"]) in counts
        outcome = screen_text(app, "#outcome")
        assert job.id in outcome and "lancé par le client" in outcome

        await pilot.press("h")
        await settle(app, pilot)
        history = app.screen
        assert isinstance(history, HistoryScreen)
        table = history.query_one(HistoryTable)
        assert table.row_count == 1
        assert "Fait" in str(table.get_cell(job.id, "status"))

        await pilot.press("enter")
        await settle(app, pilot)
        recap = app.screen
        assert isinstance(recap, RecapScreen) and recap.job is not None
        assert recap.job.recap == job.recap
        assert len(recap.failed) == failed
        assert {a.error for a in recap.failed} == {
            a["error"] for a in bundle.job["failed_actions"]
        }

        # the verification screens: the ENT as it was before the job (nothing imported yet)
        ent = await client(app)
        assert (await ent.list_courses(UAI, origin="integration")).total == 0

        # the customer's decisions cannot be reset either
        app.go("summary")
        await settle(app, pilot)
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert app.wizard.session is not None
        assert app.wizard.session.selection == bundle.session["selection"]


async def test_check_says_where_the_replay_differs_from_the_customer(
    demo_home: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    home = demo_home("loaded")
    session_id, job = await launched_customer_session(home)
    bundle_path = tmp_path / "bundle.zip"
    assert await cli("session", "export", session_id, "--out", str(bundle_path), "--key",
                     str(KEY)) == 0
    bundle = read_bundle(bundle_path)
    # the helpdesk's copy lost a teacher of the directory: its plan is not the customer's
    teacher = next(p["sync_id"] for p in bundle.plan["teachers"] if p["status"] == "reconciled")
    users = [u for u in bundle.snapshot["users"] if u["sync_id"] != teacher]
    altered = tmp_path / "altered.zip"
    write_bundle(altered, dataclasses.replace(bundle, snapshot={**bundle.snapshot,
                                                                "users": users}))
    capsys.readouterr()
    assert await cli("session", "open", str(altered), "--check", "--key", str(KEY)) == 1
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert report["identical_plan"] is False and report["job"] == job.id
    assert report["steps"]["teachers"]["changed"] >= 1
    assert "create_membership" in report["actions"]
    counts = report["actions"]["create_membership"]
    assert counts["customer"] == bundle.customer_actions["create_membership"] > counts["replay"]
    assert "step teachers:" in err and "actions create_membership: customer" in err
