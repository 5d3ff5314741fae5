"""People steps: `R` links everyone without an account to their recommended suggestion, once
the admin confirmed, and only where the service recommended one."""

from __future__ import annotations

from edt_tui.engine.selection import PersonChoice
from edt_tui.tui.screens.confirm import Confirm

from .screen_text import screen_lines
from .test_snapshots import reach_step, wizard_at
from .test_wizard import table


async def test_accepting_the_recommended_suggestions_links_them_after_a_confirmation() -> None:
    app, backend = wizard_at("teachers")
    async with app.run_test(size=(100, 30)) as pilot:
        await reach_step(app, backend, pilot, "teachers")
        model = table(app).model
        waiting = [p for p in model.all_rows() if p.recommended and not p.sync_id]
        assert waiting, "the fake plan has unreconciled teachers with a recommendation"
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        assert f"Lier {len(waiting)} personne(s)" in app.screen.question
        await pilot.press("n")  # no: nothing changes
        await pilot.pause()
        assert all(not model.is_active(p.key) for p in waiting)
        await pilot.press("R", "o")
        await pilot.pause()
        assert all(model.is_active(p.key) for p in waiting)
        people = app.wizard.session.decisions().people  # type: ignore[union-attr]
        for person in waiting:
            decision = people[person.key]
            assert decision.choice is PersonChoice.LINK
            assert decision.sync_id == person.recommended
        await pilot.press("R")  # nobody left to link
        await pilot.pause()
        assert not isinstance(app.screen, Confirm)


async def test_students_show_their_class_and_birth_date_in_french() -> None:
    """Homonyms are told apart by their class; dates read JJ/MM/AAAA as everywhere."""
    app, backend = wizard_at("students")
    async with app.run_test(size=(120, 40)) as pilot:
        await reach_step(app, backend, pilot, "students")
        first = table(app).model.all_rows()[0]
        shown = "\n".join(screen_lines(app))
        assert "Classe" in shown and first.classes in shown
        born = first.birth_date  # ISO in the plan
        assert f"{born[8:10]}/{born[5:7]}/{born[:4]}" in shown and born not in shown
