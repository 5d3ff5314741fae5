"""Helpdesk bundles: export a session, restore it on an empty service: same plan, read-only."""

from __future__ import annotations

import argparse
import asyncio
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from edt_tui.cli import main
from edt_tui.commands.session import replay_app
from edt_tui.engine.selection import SubjectChoice
from edt_tui.session.bundle import read_bundle, restore_bundle
from edt_tui.session.store import SessionStore
from edt_tui.tui.backend import ExportCheck
from edt_tui.tui.screens.launch import LaunchScreen
from edt_tui.tui.screens.table_step import TableStepScreen

from .conftest import KEY, REFERENCE_TIME, UAI, embedded
from .helpers import settle


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
        steps = await ent.plan_steps(UAI, export.sha256)
        subject = steps["subjects"][0]["key"]
        session = store.update_selection(
            session.id, lambda s: s.with_subject(subject, SubjectChoice.INACTIVE)
        )
        store.set_step(session.id, "courses")
        plan = await ent.create_plan(
            UAI, export.sha256, session.selection, reference_time=REFERENCE_TIME, view="steps"
        )
    return session.id, plan


async def test_bundle_round_trip_gives_identical_plans_and_a_read_only_replay(
    demo_home: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
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
    assert report["identical_plan"] is True
    assert await cli("session", "open", str(bundle_path), "--check") == 2  # no key
    assert "--key" in capsys.readouterr().err

    # replay read-only in the TUI on an empty service restored from the bundle
    replay_home = tmp_path / "replay"
    restore_bundle(bundle, replay_home)
    args = argparse.Namespace(key=str(KEY), partner=None, step=None)
    app = replay_app(bundle, replay_home, args)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, TableStepScreen) and screen.STEP == "courses"
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
