"""The Cours step: `enter` shows a course in full, `i` the sessions that make no course."""

from __future__ import annotations

from edt_tui.tui.screens.course_detail import CourseDetailModal
from edt_tui.tui.screens.ignored_sessions import IgnoredSessionsModal

from .screen_text import screen_lines
from .test_snapshots import reach_step, wizard_at


async def test_enter_on_a_course_shows_its_people_rooms_and_first_events() -> None:
    app, backend = wizard_at("courses")
    async with app.run_test(size=(100, 30)) as pilot:
        await reach_step(app, backend, pilot, "courses")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, CourseDetailModal)
        text = "\n".join(screen_lines(app))
        first = next(c for c in app.wizard.plan.courses if c.available)  # type: ignore[union-attr]
        assert first.label in text
        assert "Anne ARNAUD" in text and "Paul INCONNU (sans compte)" in text
        assert "Salles : 101" in text and "07/09/2026 08:00" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, CourseDetailModal)


async def test_i_lists_the_ignored_sessions_in_french() -> None:
    app, backend = wizard_at("courses")
    async with app.run_test(size=(100, 30)) as pilot:
        await reach_step(app, backend, pilot, "courses")
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, IgnoredSessionsModal)
        text = "\n".join(screen_lines(app))
        assert "Séances ignorées : 1" in text
        assert "partie de classe seule" in text and "LATIN" in text and "ligne 340" in text
