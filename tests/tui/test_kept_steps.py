"""Table steps are kept alive between visits, and rebuilt only when the plan moved on."""

from __future__ import annotations

from pathlib import Path

from edt_tui.session.store import SessionStore
from edt_tui.tui.app import EdtTuiApp
from edt_tui.tui.screens.table_step import TableStepScreen

from .fakes import FakeBackend
from .test_wizard import export_file, open_export, settle, step, table


async def test_revisiting_a_step_reuses_its_table_until_a_decision(tmp_path: Path) -> None:
    backend = FakeBackend()
    store = SessionStore()
    app = EdtTuiApp(backend, store=store, start_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_export(app, pilot, export_file(tmp_path))
        app.go("courses")
        await settle(app, pilot)
        courses, shown = app.screen, table(app)
        calls = len(backend.plan_calls)

        await pilot.press("n")
        await settle(app, pilot)
        assert step(app) == "teachers"
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is courses and table(app) is shown  # nothing recomputed or rebuilt
        assert len(backend.plan_calls) == calls
        assert store.get(app.wizard.session.id).step == "courses"  # type: ignore[union-attr]

        await pilot.press("d")  # a decision: the plan no longer matches the selection
        first = shown.model.all_rows()[0]
        await pilot.press("n")
        await settle(app, pilot)
        assert len(backend.plan_calls) == calls + 1
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is courses and isinstance(courses, TableStepScreen)
        rebuilt = table(app)
        assert rebuilt is not shown
        assert not rebuilt.model.is_active(str(first.key))
        assert backend.plan_calls[-1]["selection"]["deactivated_courses"] == [first.key]
