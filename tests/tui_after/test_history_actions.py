"""The history's actions on a REAL demo import: an automatic import refused because PRONOTE
regenerated its ids is opened in the wizard at the Résumé (its stored file, the relinks said and
confirmed), and `u` undoes the newest import after a confirmation (a second undo is refused)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from edt_tui.engine.selection import PersonChoice
from edt_tui.tui.app import EdtTuiApp
from edt_tui.tui.screens.confirm import Confirm
from edt_tui.tui.screens.history import HistoryScreen, HistoryTable
from edt_tui.tui.screens.history_actions import RefusedJobChoices
from edt_tui.tui.screens.summary import SummaryScreen
from edt_tui.tui.screens.teachers import TeachersScreen
from tests.execution.test_guards import regenerated_demo
from tests.tui.screen_text import screen_lines

from .conftest import UAI, wait_finished
from .helpers import client, settle


def shown(app: EdtTuiApp) -> str:
    return " ".join(" ".join(screen_lines(app)).split())


async def open_history(app: EdtTuiApp, pilot: Pilot[None]) -> HistoryScreen:
    history = HistoryScreen()
    app.push_screen(history)
    while not history.polls:
        await pilot.pause(0.05)
    return history


async def test_a_push_refused_for_regenerated_ids_opens_in_the_wizard(
    demo_home: Callable[[str], Path], make_app: Callable[[Path], EdtTuiApp]
) -> None:
    app = make_app(demo_home("imported"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        ent = await client(app)
        settings = await ent.get_settings(UAI)
        pushed = await ent.call("POST", settings.push_path, content=regenerated_demo())
        await wait_finished(ent, pushed["job_id"])
        refused = await ent.get_job(UAI, pushed["job_id"])
        assert (refused.status, refused.reason_code) == ("refused", "relink_pending")
        pending = refused.reason_params or {}

        history = await open_history(app, pilot)
        assert history.cursor_job_id == refused.id  # the newest first
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RefusedJobChoices)
        assert "Ouvrir dans l'assistant" in shown(app)
        await pilot.press("enter")  # the first choice
        await settle(app, pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert app.wizard.export is not None
        assert app.wizard.export.sha256 == refused.export_sha256
        assert (
            f"Identifiants PRONOTE régénérés pour {pending['teachers']} enseignants et "
            f"{pending['students']} élèves — changement de version de PRONOTE ?"
        ) in shown(app)

        await pilot.press("n")
        await settle(app, pilot)
        app.go("teachers")
        await settle(app, pilot)
        assert isinstance(app.screen, TeachersScreen)
        await pilot.press("/", *"relier", "enter", "*", "a")
        await settle(app, pilot)
        confirmed = [
            key for key, d in app.wizard.selection().people.items()
            if d.choice is PersonChoice.CONFIRM_RELINK
        ]
        assert len(confirmed) == pending["teachers"]


async def test_u_undoes_the_newest_import_after_a_confirmation(
    demo_home: Callable[[str], Path], make_app: Callable[[Path], EdtTuiApp]
) -> None:
    app = make_app(demo_home("imported"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        ent = await client(app)
        (imported,) = (await ent.history(UAI)).items
        history = await open_history(app, pilot)
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")  # nothing asked of the service
        await pilot.pause()
        assert [j.id for j in (await ent.history(UAI)).items] == [imported.id]

        await pilot.press("u")
        await pilot.pause()
        await pilot.press("o")
        await settle(app, pilot)
        jobs = (await ent.history(UAI)).items
        undo = next(j for j in jobs if j.type == "undo")
        assert undo.undoes is not None and undo.undoes.id == imported.id
        await wait_finished(ent, undo.id)
        assert (await ent.get_job(UAI, undo.id)).status == "done"

        table = history.query_one(HistoryTable)
        while undo.id not in history.jobs:
            await pilot.pause(0.05)
        table.move_cursor(row=table.get_row_index(imported.id), animate=False)
        await pilot.press("u")
        await pilot.pause()
        await pilot.press("o")
        await settle(app, pilot)
        messages = [n.message for n in app._notifications]
        refusal = "Annulation refusée : Cet import a déjà été annulé"
        assert any(m.startswith(refusal) for m in messages), messages
