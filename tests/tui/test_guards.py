"""The import guards in the wizard: relinks after PRONOTE ids were regenerated (Résumé line,
« ⇄ À relier » rows with the old IDPN, confirmed in bulk), and the typed SUPPRIMER that a mass
deletion needs before it is launched."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Static

from edt_tui.engine.selection import PersonChoice
from edt_tui.session.store import SessionStore
from edt_tui.tui.app import EdtTuiApp
from edt_tui.tui.backend import DeletionGuard, DeletionShare
from edt_tui.tui.screens.launch import LaunchScreen
from edt_tui.tui.screens.mass_deletion import ConfirmMassDeletion
from edt_tui.wire.plans import CourseLoss

from .burst import burst
from .fakes import FakeBackend, build_data
from .screen_text import screen_lines
from .test_snapshots import reach_step
from .test_wizard import settle, table

MASS = DeletionGuard(
    mass_deletion=True,
    memberships=DeletionShare(deleted=4195, total=4300, percent=97.6),
    events=DeletionShare(deleted=120, total=5375, percent=2.2),
    threshold_percent=20,
    top_courses=tuple(
        CourseLoss(key=f"k{i}", label=f"MATHEMATIQUES - 3{letter}", memberships_deleted=30 - i,
                   events_deleted=0)
        for i, letter in enumerate("ABCDEFGHIJ")
    ),
)


def app_with(backend: FakeBackend) -> EdtTuiApp:
    return EdtTuiApp(backend, store=SessionStore(), start_dir=Path("."), offer_resume=False)


def text_of(app: EdtTuiApp) -> str:
    return "\n".join(screen_lines(app))


async def test_summary_says_pronote_ids_were_regenerated() -> None:
    backend = FakeBackend(build_data(relinks=3))
    app = app_with(backend)
    async with app.run_test(size=(120, 40)) as pilot:
        await reach_step(app, backend, pilot, "summary")
        await settle(app, pilot)
        line = app.screen.query_one("#relinks", Static)
        assert line.display
        assert (
            "Identifiants PRONOTE régénérés pour 3 enseignants et 3 élèves — changement de "
            "version de PRONOTE ?" in text_of(app)
        )
        plans = len(backend.plan_calls)
        await pilot.press("n")
        await settle(app, pilot)
        assert len(backend.plan_calls) == plans  # the next step reuses the Résumé's plan


async def test_summary_without_relinks_says_nothing() -> None:
    backend = FakeBackend()
    app = app_with(backend)
    async with app.run_test(size=(120, 40)) as pilot:
        await reach_step(app, backend, pilot, "summary")
        await settle(app, pilot)
        assert not app.screen.query_one("#relinks", Static).display
        assert "régénérés" not in text_of(app)


async def test_relinks_filtered_shown_with_old_idpn_and_confirmed_in_bulk() -> None:
    backend = FakeBackend(build_data(relinks=3))
    app = app_with(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await reach_step(app, backend, pilot, "teachers")
        pending = [p for p in backend.data.teachers if p.relink_pending]
        assert len(pending) == 3
        await pilot.press("/", *"relier", "enter")
        await pilot.pause()
        model = table(app).model
        assert model.visible_count == 3
        screen = text_of(app)
        assert "Ancien IDPN" in screen and "⇄ À relier" in screen
        first = pending[0]
        row = next(line for line in screen.splitlines() if first.last_name in line)
        assert "⇄ À relier" in row
        assert first.idpn in row and f"OLD{first.idpn}" in row  # old and new side by side

        await pilot.press("*", "a")
        await settle(app, pilot)
        people = app.wizard.selection().people
        for person in pending:
            decision = people[person.key]
            assert decision.choice is PersonChoice.CONFIRM_RELINK
            assert decision.sync_id == person.sync_id
        assert len(people) == 3  # nobody else decided
        assert "✔ Validé" in text_of(app)


async def launch_screen(backend: FakeBackend, pilot: Pilot[None], app: EdtTuiApp) -> None:
    await reach_step(app, backend, pilot, "launch")
    assert isinstance(app.screen, LaunchScreen)


async def test_mass_deletion_needs_the_typed_word() -> None:
    backend = FakeBackend(guard=MASS)
    app = app_with(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await launch_screen(backend, pilot, app)
        assert "Suppression massive" in text_of(app)

        await pilot.press("l", "o")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmMassDeletion)
        shown = text_of(app)
        assert "4 195 appartenances supprimées sur 4 300 (97,6 %)" in shown
        assert "MATHEMATIQUES - 3A" in shown and "MATHEMATIQUES - 3J" in shown
        app.screen.query_one(Input).value = "supprimer"  # not the word: cancels
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, LaunchScreen)
        assert not backend.launches
        assert "non confirmée" in text_of(app)

        await pilot.press("l", "o")
        await pilot.pause()
        app.screen.query_one(Input).value = "SUPPRIMER"
        await pilot.press("enter")
        await settle(app, pilot)
        assert len(backend.launches) == 1 and backend.allowed_mass_deletion == [True]


async def test_a_mass_deletion_found_at_launch_asks_too() -> None:
    """The ENT changed since the plan: the service refuses, the screen asks, then re-sends."""
    backend = FakeBackend()
    app = app_with(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await launch_screen(backend, pilot, app)
        assert "Suppression massive" not in text_of(app)
        backend.guard = MASS
        await pilot.press("l", "o")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmMassDeletion)
        assert not backend.launches
        app.screen.query_one(Input).value = "SUPPRIMER"
        await pilot.press("enter")
        await settle(app, pilot)
        assert backend.allowed_mass_deletion == [True]


async def test_no_guard_launches_without_the_word_and_the_freeze_is_shown() -> None:
    backend = FakeBackend(frozen_until="2026-12-07T08:00:00+01:00", freeze_minutes=10080)
    app = app_with(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await launch_screen(backend, pilot, app)
        shown = " ".join(text_of(app).split())
        assert "Fenêtre de gel (10 080 min)" in shown and "avant le 07/12/2026 08:00" in shown
        await pilot.press("l", "o")
        await settle(app, pilot)
        assert backend.allowed_mass_deletion == [False]


async def test_students_at_80_columns_keep_both_idpns_beside_the_name() -> None:
    backend = FakeBackend(build_data(relinks=2))
    app = app_with(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await reach_step(app, backend, pilot, "students")
        first = next(p for p in backend.data.students if p.relink_pending)
        row = next(line for line in screen_lines(app) if first.last_name in line)
        assert "⇄ À relier" in row and first.idpn in row and f"OLD{first.idpn}" in row


async def test_the_word_typed_in_one_burst_after_launching_is_kept_whole() -> None:
    """`l`, `o` then SUPPRIMER and enter in one burst (a paste, grouped SSH keystrokes): the
    dialog gets every letter, none runs as a key of the screen behind it."""
    backend = FakeBackend(guard=MASS)
    app = app_with(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await launch_screen(backend, pilot, app)
        burst(app, "l", "o", *"SUPPRIMER", "enter")
        await settle(app, pilot)
        await settle(app, pilot)
        assert len(backend.launches) == 1 and backend.allowed_mass_deletion == [True]
