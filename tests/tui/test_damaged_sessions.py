"""A damaged session document never stops the TUI: the valid sessions are still offered."""

from __future__ import annotations

import json
from pathlib import Path

from edt_tui.session.store import SessionStore
from edt_tui.tui.app import EdtTuiApp
from edt_tui.tui.screens.resume import ResumeModal

from .fakes import UAI, FakeBackend


async def test_the_resume_dialog_offers_the_valid_sessions_beside_a_damaged_one(
    tmp_path: Path,
) -> None:
    store = SessionStore()
    good = store.create(UAI)
    data = json.loads(store.path.read_text("utf-8"))
    data["_default"]["2"] = {"id": "broken", "uai": UAI, "step": "classes"}  # no dates
    data["_default"]["3"] = "not a document"
    store.path.write_text(json.dumps(data), encoding="utf-8")

    app = EdtTuiApp(FakeBackend(), store=store, start_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ResumeModal)
        assert [s.id for s in app.screen.sessions] == [good.id]
