"""Accounts, verification (courses, hierarchy, calendar, .ics) and automatic import on a REAL
imported demo: what the screens show and write equals what the service holds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest

from edt_tui.client.errors import ServiceError
from edt_tui.tui.app import EdtTuiApp
from edt_tui.tui.screens.accounts import AccountsScreen
from edt_tui.tui.screens.automatic import AutomaticScreen
from edt_tui.tui.screens.calendar import CalendarScreen
from edt_tui.tui.screens.hierarchy import HierarchyScreen
from edt_tui.tui.screens.integrated_courses import IntegratedCoursesScreen
from edt_tui.tui.screens.prompt import PromptModal

from .conftest import UAI
from .helpers import client, open_screen, settle

FROZEN = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


async def test_accounts_counts_and_export_file(
    demo_home: Callable[[str], Path], make_app: Callable[[Path], EdtTuiApp], tmp_path: Path
) -> None:
    app = make_app(demo_home("imported"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = AccountsScreen()
        await open_screen(app, pilot, screen)
        ent = await client(app)
        counts = await ent.accounts(UAI)
        text = str(screen.query_one("#accounts-counts").render())
        students, teachers_count = counts.students, counts.teachers
        assert students is not None and teachers_count is not None
        assert (
            f"Nombre d'apprenants réconciliés : {students.reconciled} / "
            f"Apprenants non réconciliés : {students.unreconciled}"
        ) in text
        assert f"Enseignants non réconciliés : {teachers_count.unreconciled}" in text

        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, PromptModal)
        target = tmp_path / "out" / "eleves.txt"
        target.parent.mkdir()
        await pilot.press("ctrl+u", *str(target), "enter")
        await settle(app, pilot)
        unreconciled = [p async for p in ent.iterate(ent.unreconciled, UAI, "students")]
        expected = [
            f"{p.last_name}\t{p.first_name}\t"
            + (p.birth_date.strftime("%d/%m/%Y") if p.birth_date else "")
            for p in unreconciled
        ]
        assert target.read_text(encoding="utf-8").splitlines() == expected
        assert len(expected) == students.unreconciled > 0

        await pilot.press("t", "x")
        await pilot.pause()
        teachers_file = tmp_path / "profs.txt"
        await pilot.press("ctrl+u", *str(teachers_file), "enter")
        await settle(app, pilot)
        teachers = [p async for p in ent.iterate(ent.unreconciled, UAI, "teachers")]
        assert teachers_file.read_text(encoding="utf-8").splitlines() == [
            f"{p.last_name}\t{p.first_name}" for p in teachers
        ]


async def test_courses_filters_hierarchy_calendar_and_ics(
    demo_home: Callable[[str], Path], make_app: Callable[[Path], EdtTuiApp], tmp_path: Path
) -> None:
    app = make_app(demo_home("imported"))
    async with app.run_test(size=(120, 40)) as pilot:
        courses = IntegratedCoursesScreen(clock=lambda: FROZEN)
        await open_screen(app, pilot, courses)
        ent = await client(app)
        listed = [c async for c in ent.iterate(ent.list_courses, UAI, origin="integration")]
        assert courses.table is not None and len(courses.table.model) == len(listed) > 0

        await pilot.press("m", *"10", "enter")
        await settle(app, pilot)
        small = {c.key for c in listed if c.participants < 10}
        model = courses.table.model
        assert {model.row_id_at(i) for i in range(model.visible_count)} == small

        hierarchy = HierarchyScreen()
        await open_screen(app, pilot, hierarchy)
        tree = hierarchy.query_one("#hierarchy")
        roots = list(tree.root.children)  # type: ignore[attr-defined]
        assert [str(r.label) for r in roots] == ["Cours 2026-2027"]
        assert sorted(str(n.label) for n in roots[0].children) == sorted(c.label for c in listed)
        await pilot.press("escape")
        await settle(app, pilot)

        course = next(c for c in listed if c.participants >= 10)
        calendar = CalendarScreen(course, clock=lambda: FROZEN)
        await open_screen(app, pilot, calendar)
        events = [e async for e in ent.iterate(ent.list_events, UAI, course.key)]
        first_day = min(e.start for e in events).date()
        monday = first_day - timedelta(days=first_day.weekday())
        assert calendar.monday == monday
        in_week = [e for e in events if monday <= e.start.date() <= monday + timedelta(days=4)]
        title = str(calendar.query_one("#calendar-title").render())
        assert f"{len(in_week)} évènement(s) sur {len(events)}" in title

        exported: list[Path] = []
        for name in ("one.ics", "two.ics"):
            await pilot.press("i")
            await pilot.pause()
            await pilot.press("ctrl+u", *str(tmp_path / name), "enter")
            await settle(app, pilot)
            exported.append(tmp_path / name)
        raw = exported[0].read_bytes()
        assert raw.endswith(b"END:VCALENDAR\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
        parsed = [icalendar.Calendar.from_ical(p.read_bytes()) for p in exported]
        vevents = [list(c.walk("VEVENT")) for c in parsed]
        assert len(vevents[0]) == len(events)
        assert [str(v["UID"]) for v in vevents[0]] == [str(v["UID"]) for v in vevents[1]]
        assert len({str(v["UID"]) for v in vevents[0]}) == len(events)
        assert [str(t["TZID"]) for t in parsed[0].walk("VTIMEZONE")] == ["Europe/Paris"]
        first = vevents[0][0]
        assert first["DTSTART"].params["TZID"] == "Europe/Paris"
        assert first["DTSTART"].dt == min(e.start for e in events)
        assert str(first["SUMMARY"]) == events[0].title
        assert str(first["LOCATION"]) == ", ".join(events[0].rooms)


async def test_automatic_screen_shows_url_quota_and_refused_push(
    demo_home: Callable[[str], Path], make_app: Callable[[Path], EdtTuiApp]
) -> None:
    app = make_app(demo_home("imported"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        ent = await client(app)
        settings = await ent.get_settings(UAI)
        with pytest.raises(ServiceError):
            await ent.call("POST", settings.push_path, content=b"not an export")
        screen = AutomaticScreen()
        await open_screen(app, pilot, screen)
        status = str(screen.query_one("#automatic-status").render())
        assert settings.push_path in status
        assert "aujourd'hui : 0 / 4" in status
        assert screen.status is not None
        pushes = screen.status.pushes
        assert [(p.outcome_label, "illisible" in (p.reason or "")) for p in pushes] == [
            ("Refusé", True)
        ]
        await pilot.press("c")
        assert app.clipboard.endswith(settings.push_path)


async def test_automatic_screen_changes_the_import_guards(
    demo_home: Callable[[str], Path], make_app: Callable[[Path], EdtTuiApp]
) -> None:
    app = make_app(demo_home("imported"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = AutomaticScreen()
        await open_screen(app, pilot, screen)
        ent = await client(app)
        guards = str(screen.query_one("#automatic-guards").render())
        assert "Fenêtre de gel : 0 min" in guards
        assert "Suppression massive au-delà de : 20 %" in guards

        for key, answer, words in (
            ("g", "abc", "« abc » n'est pas un nombre entier"),
            ("g", "-5", "-5 est hors limites"),
            ("s", "101", "101 est hors limites (de 0 à 100)"),
        ):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, PromptModal)
            await pilot.press("ctrl+u", *answer, "enter")
            await settle(app, pilot)
            assert any(words in n.message for n in app._notifications), words
            assert "rien n'a été changé" in list(app._notifications)[-1].message
        unchanged = await ent.get_settings(UAI)
        assert (unchanged.freeze_minutes, unchanged.max_deletion_percent) == (0, 20)

        await pilot.press("g")
        await pilot.pause()
        await pilot.press("ctrl+u", *"90", "enter")
        await settle(app, pilot)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("ctrl+u", *"35", "enter")
        await settle(app, pilot)
        saved = await ent.get_settings(UAI)
        assert (saved.freeze_minutes, saved.max_deletion_percent) == (90, 35)
        guards = str(screen.query_one("#automatic-guards").render())
        assert "Fenêtre de gel : 90 min" in guards
        assert "Suppression massive au-delà de : 35 %" in guards


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("directory", "est un dossier, pas un fichier"),
        ("no_parent", "n'existe pas. Créez-le"),
        ("parent_not_directory", "est un fichier, pas un dossier"),
    ],
)
async def test_accounts_export_to_a_bad_path_says_why_in_french(
    demo_home: Callable[[str], Path],
    make_app: Callable[[Path], EdtTuiApp],
    tmp_path: Path,
    case: str,
    words: str,
) -> None:
    (tmp_path / "file.txt").write_text("x")
    target = {
        "directory": tmp_path,
        "no_parent": tmp_path / "missing" / "liste.txt",
        "parent_not_directory": tmp_path / "file.txt" / "liste.txt",
    }[case]
    app = make_app(demo_home("imported"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = AccountsScreen()
        await open_screen(app, pilot, screen)
        before = sorted(tmp_path.rglob("*"))
        await pilot.press("x")
        await pilot.press("ctrl+u", *str(target), "enter")
        await settle(app, pilot)
        messages = [n.message for n in app._notifications]
        assert any(m.startswith(f"Export impossible : {target}") and words in m for m in messages)
        assert screen.last_export is None and sorted(tmp_path.rglob("*")) == before
