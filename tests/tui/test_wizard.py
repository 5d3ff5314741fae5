"""The whole wizard driven by keys on a recording backend: decisions saved, launch, resume."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DirectoryTree, Input
from textual.worker import WorkerCancelled

from edt_tui.engine.selection import PersonChoice, SubjectChoice
from edt_tui.session.store import SessionStore
from edt_tui.tui.app import EdtTuiApp
from edt_tui.tui.screens.base import StepScreen
from edt_tui.tui.screens.help import HelpScreen
from edt_tui.tui.screens.launch import LaunchScreen
from edt_tui.tui.screens.resume import ResumeModal
from edt_tui.tui.screens.table_step import TableStepScreen
from edt_tui.tui.widgets.selection_table import SelectionTable

from .burst import burst
from .fakes import UAI, FakeBackend


def export_file(folder: Path, uai: str = UAI) -> Path:
    path = folder / f"Edt_To_ITSLEARNING_{uai}.xml"
    path.write_text("<xml/>", encoding="utf-8")
    return path


async def settle(app: EdtTuiApp, pilot: Pilot[None]) -> None:
    """Await our workers (not DirectoryTree's loader, which waits for folders forever)."""
    for _ in range(2):
        ours = [w for w in app.workers if not isinstance(w.node, DirectoryTree)]
        if ours:  # an empty list would mean "every worker"
            with contextlib.suppress(WorkerCancelled):
                await app.workers.wait_for_complete(ours)
        await pilot.pause()
    screen = app.screen
    if isinstance(screen, (TableStepScreen, LaunchScreen)):  # the plan's handler mounts async
        for _ in range(200):
            loading = screen.query("#loading")
            table_ready = not isinstance(screen, TableStepScreen) or (
                screen.selection_table is not None or screen.model is None
            )
            if not (loading and loading.first().display) and table_ready:
                break
            await pilot.pause()


def step(app: EdtTuiApp) -> str:
    screen = app.screen
    assert isinstance(screen, StepScreen), screen
    return screen.step.id


def table(app: EdtTuiApp) -> SelectionTable:
    screen = app.screen
    assert isinstance(screen, TableStepScreen)
    found = screen.selection_table
    assert found is not None
    return found


async def open_export(
    app: EdtTuiApp, pilot: Pilot[None], path: Path, *, settled: bool = True
) -> None:
    """Up to the Résumé; `settled=False` does not wait for the plan it starts (a gated one)."""
    await settle(app, pilot)
    assert step(app) == "establishment"
    await pilot.press("enter")  # the only establishment is pre-selected
    await settle(app, pilot)
    assert step(app) == "export"
    app.screen.query_one("#path", Input).value = str(path)  # typing it costs seconds
    await pilot.press("enter")
    if settled:
        await settle(app, pilot)
        return
    for _ in range(200):
        if step(app) == "summary":
            break
        await pilot.pause()


async def test_walk_every_step_and_launch(tmp_path: Path) -> None:
    backend = FakeBackend()
    store = SessionStore()
    app = EdtTuiApp(backend, store=store, start_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_export(app, pilot, export_file(tmp_path))
        assert step(app) == "summary"
        assert backend.uploads == [(UAI, tmp_path / f"Edt_To_ITSLEARNING_{UAI}.xml")]

        await pilot.press("n")
        await settle(app, pilot)
        assert step(app) == "subjects"
        await pilot.press("/", *"latin", "enter", "*", "d")
        await settle(app, pilot)
        session = store.get(app.wizard.session.id)  # type: ignore[union-attr]
        assert session.decisions().subjects == {"LCALATIN": SubjectChoice.INACTIVE}
        assert session.step == "subjects"

        await pilot.press("n")
        await settle(app, pilot)
        assert step(app) == "classes"
        await pilot.press("A")  # new classes activated (added)
        await pilot.press("n")
        await settle(app, pilot)
        await pilot.press("space", "d")  # deactivate the marked first group
        await pilot.press("n")
        await settle(app, pilot)
        assert step(app) == "courses"
        labels = [row.label for row in table(app).model.all_rows()]
        assert labels and not any(label.startswith("LCA LATIN") for label in labels)
        assert backend.plan_calls[-1]["selection"]["groups"] == {"G00LATIN": False}

        await pilot.press("d")  # deactivate the course under the cursor
        first_course = table(app).model.all_rows()[0]
        await pilot.press("n")
        await settle(app, pilot)
        assert step(app) == "teachers"
        await pilot.press("j", "j", "j", "enter")  # teacher 3 is unreconciled
        await pilot.pause()
        await pilot.press("enter")  # link the first suggestion
        await pilot.pause()
        people = store.get(app.wizard.session.id).decisions().people  # type: ignore[union-attr]
        linked = people["T00003PN"]
        assert linked.choice is PersonChoice.LINK and linked.sync_id == "teacher-3-close"

        await pilot.press("n")
        await settle(app, pilot)
        assert step(app) == "students"
        await pilot.press("n")
        await settle(app, pilot)
        assert step(app) == "launch"
        await pilot.press("l")
        await pilot.pause()
        assert not backend.launches  # nothing is sent before the confirmation
        await pilot.press("o")
        await settle(app, pilot)

    assert len(backend.launches) == 1
    uai, sha, selection = backend.launches[0]
    assert uai == UAI and sha == "ab" * 32
    assert selection["subjects"] == {"LCALATIN": "inactive"}
    assert selection["deactivated_courses"] == [first_course.key]
    assert selection["people"]["T00003PN"] == {"choice": "link", "sync_id": "teacher-3-close"}
    assert store.get(app.wizard.session.id).job_id == "job-1"  # type: ignore[union-attr]
    assert store.list(unfinished=True) == []
    assert backend.closed


async def test_export_of_another_establishment_is_refused(tmp_path: Path) -> None:
    app = EdtTuiApp(FakeBackend(), store=SessionStore(), start_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_export(app, pilot, export_file(tmp_path, "0350001A"))
        assert step(app) == "summary"
        verdict = str(app.screen.query_one("#verdict").render())
        assert "Refusé" in verdict and "0350001A" in verdict
        await pilot.press("n")
        await pilot.pause()
        assert step(app) == "summary"  # cannot go on


async def test_next_waits_for_the_steps_rows(tmp_path: Path) -> None:
    backend = FakeBackend(plan_gate=asyncio.Event())
    app = EdtTuiApp(backend, store=SessionStore(), start_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_export(app, pilot, export_file(tmp_path), settled=False)
        await pilot.press("n")
        await pilot.pause()
        assert step(app) == "subjects" and backend.plan_calls  # the service is computing
        assert len(backend.plan_calls) == 1  # the one the Résumé started, not a second
        await pilot.press("n", "n")
        await pilot.pause()
        assert step(app) == "subjects"  # not skipped unseen
        assert any("en cours de calcul" in n.message for n in app._notifications)
        assert backend.plan_gate is not None
        backend.plan_gate.set()
        await settle(app, pilot)
        assert len(table(app).model) > 0
        await pilot.press("n")
        await settle(app, pilot)
        assert step(app) == "classes"


async def test_quit_mid_way_then_resume_at_the_same_step(tmp_path: Path) -> None:
    store = SessionStore()
    first = EdtTuiApp(FakeBackend(), store=store, start_dir=tmp_path)
    async with first.run_test(size=(100, 30)) as pilot:
        await open_export(first, pilot, export_file(tmp_path))
        await pilot.press("n")
        await settle(first, pilot)
        await pilot.press("n")
        await settle(first, pilot)
        assert step(first) == "classes"
        await pilot.press("D")  # every class deactivated, saved at once
        await settle(first, pilot)
    # the SSH connection dropped: nothing else was saved on exit

    backend = FakeBackend()
    again = EdtTuiApp(backend, store=store, start_dir=tmp_path)
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(again, pilot)
        assert isinstance(again.screen, ResumeModal)
        await pilot.press("enter")
        await settle(again, pilot)
        assert step(again) == "classes"
        model = table(again).model
        assert model.active_count == 0  # the service was asked with the saved decisions
        assert all(v is False for v in backend.plan_calls[-1]["selection"]["classes"].values())


async def test_help_screen_and_command_palette(tmp_path: Path) -> None:
    store = SessionStore()
    app = EdtTuiApp(FakeBackend(), store=store, start_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_export(app, pilot, export_file(tmp_path))
        await pilot.press("n")
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen) and help_screen.title_text == "Matières"
        rows = {(key, description) for key, description, _ in help_screen.rows}
        assert {("A", "Tout activer"), ("asterisk", "Tout filtré"), ("n", "Suivant")} <= rows
        await pilot.press("escape")
        await pilot.pause()
        assert step(app) == "subjects"

        # the command palette: `subjects: add all new` adds every subject unknown to the ENT
        new = [r.key for r in table(app).model.all_rows() if not r.known]
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"add all new")
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot)
        subjects = store.get(app.wizard.session.id).decisions().subjects  # type: ignore[union-attr]
        assert new and {k: subjects.get(k) for k in new} == {k: SubjectChoice.ADDED for k in new}


async def test_a_burst_after_slash_filters_and_escape_only_closes_the_filter(
    tmp_path: Path,
) -> None:
    store = SessionStore()
    app = EdtTuiApp(FakeBackend(), store=store, start_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_export(app, pilot, export_file(tmp_path))
        await pilot.press("n")
        await settle(app, pilot)
        assert step(app) == "subjects"
        size = table(app).model.page_size
        burst(app, "/", "d", "u", "p", "escape", "d")  # as `tmux send-keys '/dup' Escape d`
        await pilot.pause()
        assert step(app) == "subjects"  # escape closed the filter only
        assert table(app).model.filter_text == "dup" and table(app).model.page_size == size
        session = store.get(app.wizard.session.id)  # type: ignore[union-attr]
        assert session.decisions().subjects == {}  # `d` with no row shown: nothing
        burst(app, "escape")
        await pilot.pause()
        assert step(app) == "summary"


async def test_text_typed_right_after_ctrl_u_in_the_path_field_is_kept(tmp_path: Path) -> None:
    app = EdtTuiApp(FakeBackend(), store=SessionStore(), start_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")  # the only establishment
        await settle(app, pilot)
        assert step(app) == "export"
        burst(app, *"old", "ctrl+u", *"new", "backspace", "w", "ctrl+w", *"path")
        await pilot.pause()
        assert app.screen.query_one("#path", Input).value == "path"
