"""A new wizard session starts from the decisions of the establishment's last manual import."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static

from edt_tui.client import EntClient
from edt_tui.dates import DEFAULT_ZONE
from edt_tui.engine.selection import PersonChoice, PersonDecision, Selection
from edt_tui.session.store import ImportSession
from edt_tui.storage.url import sqlite_url
from edt_tui.tui.app import EdtTuiApp
from edt_tui.tui.backend import ExportCheck
from edt_tui.tui.formatting import when
from edt_tui.tui.screens.confirm import Confirm
from edt_tui.tui.screens.export_file import ExportFileScreen
from edt_tui.tui.screens.summary import SummaryScreen
from edt_tui.tui.screens.table_step import TableStepScreen

from .conftest import REFERENCE_TIME, UAI, embedded, settings, wait_finished


async def settle(app: EdtTuiApp, pilot: Pilot[None]) -> None:
    """`helpers.settle`, less the file step's directory-tree loader: it runs until its screen
    goes, and then ends cancelled."""
    for _ in range(3):
        workers = [w for w in app.workers if w.name != "_loader"]
        if workers:  # an empty list means "all of them" to Textual
            await app.workers.wait_for_complete(workers)
        await pilot.pause()


def shown(app: EdtTuiApp, selector: str) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(app.screen.query_one(selector, Static).content)
    return console.export_text()


async def choose_the_establishment(app: EdtTuiApp, pilot: Pilot[None]) -> ImportSession:
    """`entrée` on the demo's only establishment, until the file step shows (its directory
    tree keeps a worker running, so `settle` cannot be used there)."""
    await pilot.press("enter")
    for _ in range(1000):
        if isinstance(app.screen, ExportFileScreen) and app.wizard.session is not None:
            return app.wizard.session
        await pilot.pause(0.01)
    raise AssertionError(f"still on {app.screen!r}")


async def step_model(app: EdtTuiApp, pilot: Pilot[None], step: str) -> TableStepScreen:
    app.go(step)
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, TableStepScreen) and screen.model is not None
    return screen


async def test_a_new_session_starts_from_the_last_manual_import_and_ctrl_r_resets_it(
    demo_home: Callable[[str], Path], make_app: Callable[[Path], EdtTuiApp]
) -> None:
    home = demo_home("loaded")
    async with embedded(home) as ent:
        export = (await ent.list_exports(UAI)).items[0]
        steps = (await ent.plan_steps(UAI, export.sha256)).model_dump(mode="json")
        student = next(p for p in steps["students"] if p["status"] == "reconciled")
        course = next(c for c in steps["courses"] if c["selected"])
        customer = (
            Selection.default()
            .with_person(student["key"], PersonDecision(PersonChoice.REFUSE))
            .with_course(course["key"], False)
        )
        manual = await ent.enqueue_import(
            UAI, export.sha256, customer.to_dict(), reference_time=REFERENCE_TIME
        )
        await wait_finished(ent, manual.id)
        done = (await ent.get_job(UAI, manual.id)).finished_at
        assert done is not None
        finished_at = done.isoformat()
    # a newer manual import that never ran (cancelled while queued): not where decisions come from
    async with EntClient.embedded(sqlite_url(home / "ent.sqlite3"), settings=settings()) as idle:
        newer = await idle.enqueue_import(UAI, export.sha256, Selection.default().to_dict())
        await idle.cancel_job(UAI, newer.id)

    app = make_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        session = await choose_the_establishment(app, pilot)
        assert session.selection == customer.to_dict()
        assert session.decisions_from == {"job_id": manual.id, "finished_at": finished_at}

        app.wizard.set_export(ExportCheck(
            file_name=export.file_name, uai=UAI, import_id=export.import_id, encrypted=True,
            key_present=True, sha256=export.sha256, school_year=export.school_year,
        ))
        app.go("summary")
        await settle(app, pilot)
        assert isinstance(app.screen, SummaryScreen)
        origin = f"Décisions reprises de l'import du {when(finished_at, DEFAULT_ZONE)}"
        assert origin in shown(app, "#origin")

        students = await step_model(app, pilot, "students")
        assert students.model is not None
        assert students.model.row(student["key"]).status == "refused"
        courses = await step_model(app, pilot, "courses")
        assert courses.model is not None and not courses.model.is_active(course["key"])

        app.go("summary")
        await settle(app, pilot)
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        await settle(app, pilot)
        assert app.wizard.session is not None
        assert app.wizard.session.selection == customer.to_dict()

        await pilot.press("ctrl+r")
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        assert isinstance(app.screen, SummaryScreen)
        session = app.wizard.session
        assert session is not None and session.decisions_from is None
        assert session.selection == Selection.default().to_dict()
        assert "Décisions par défaut" in shown(app, "#origin")

        students = await step_model(app, pilot, "students")
        assert students.model is not None
        assert students.model.row(student["key"]).status == "reconciled"
        courses = await step_model(app, pilot, "courses")
        assert courses.model is not None and courses.model.is_active(course["key"])


async def test_without_a_manual_import_a_session_starts_from_the_defaults(
    demo_home: Callable[[str], Path], make_app: Callable[[Path], EdtTuiApp]
) -> None:
    app = make_app(demo_home("loaded"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        session = await choose_the_establishment(app, pilot)
        assert session.decisions_from is None
        assert session.selection == Selection.default().to_dict()
