"""The wizard on the committed demo establishment, against the real embedded ENT service."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from edt_tui.client.client import EntClient
from edt_tui.service.csv_loader import load_directory
from edt_tui.session.store import SessionStore
from edt_tui.storage.sql_store import open_store
from edt_tui.storage.url import sqlite_url
from edt_tui.tui.app import EdtTuiApp
from edt_tui.tui.client_backend import ClientBackend

from .screen_text import screen_lines
from .test_wizard import settle, step, table

DEMO = Path(__file__).resolve().parents[2] / "samples" / "demo"
EXPORT = DEMO / "Edt_To_ITSLEARNING_0490856P.xml"
KEY = DEMO / "keys" / "partner-private-TEST-ONLY.pem"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not EXPORT.is_file(), reason="samples/demo not generated"),
]


@pytest.fixture
def demo_service(edt_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EDT_TUI_KEY", str(KEY))
    store = open_store(sqlite_url(edt_home / "ent.sqlite3"))
    try:
        load_directory(store, DEMO / "ent")
    finally:
        store.close()
    return edt_home


async def test_demo_decisions_reach_the_service(demo_service: Path) -> None:
    app = EdtTuiApp(
        ClientBackend(EntClient.embedded), store=SessionStore(), start_dir=DEMO, offer_resume=False
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        app.screen.query_one("#path").value = str(EXPORT)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(app, pilot)
        assert step(app) == "summary"
        export = app.wizard.export
        assert export is not None and export.encrypted and export.key_present
        assert export.uai == "0490856P"

        await pilot.press("n")
        await settle(app, pilot)
        model = table(app).model
        before = model.active_count
        first = model.all_rows()[0]
        assert model.is_active(first.key)  # the plan recognised it
        await pilot.press("d")
        await pilot.pause()
        assert model.active_count == before - 1

        for expected in ("classes", "groups", "courses", "teachers", "students", "launch"):
            await pilot.press("n")
            await settle(app, pilot)
            assert step(app) == expected
        await pilot.press("l", "o")
        await settle(app, pilot)
        job_id = app.wizard.session.job_id  # type: ignore[union-attr]
        assert job_id

    async with EntClient.embedded() as ent:
        saved = await ent.call("GET", "/api/v1/establishments/0490856P/selections/latest")
        jobs = (await ent.history("0490856P")).items
    assert saved["selection"]["subjects"] == {first.key: "inactive"}
    assert [job.id for job in jobs] == [job_id]
    assert jobs[0].type == "manual"


async def test_a_file_of_another_establishment_shows_what_it_is_then_is_refused(
    demo_service: Path,
) -> None:
    """The demo's encrypted export opened for another establishment: the Résumé shows it as
    `inspect` would (encrypted, key present), refuses it in French, and `n` stays blocked."""
    other = demo_service / "other"
    other.mkdir()
    (other / "establishments.csv").write_text(
        "uai,name,timezone\n0440001A,LYCEE AUTRE,Europe/Paris\n", encoding="utf-8"
    )
    store = open_store(sqlite_url(demo_service / "ent.sqlite3"))
    try:
        load_directory(store, other)
    finally:
        store.close()
    app = EdtTuiApp(
        ClientBackend(EntClient.embedded), store=SessionStore(), uai="0440001A", start_dir=DEMO,
        offer_resume=False,
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        app.wizard.start("0440001A")
        app.go("export")
        await settle(app, pilot)
        app.screen.query_one("#path").value = str(EXPORT)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(app, pilot)
        assert step(app) == "summary"
        export = app.wizard.export
        assert export is not None and export.encrypted and export.key_present
        assert export.uai == "0490856P" and export.import_id and export.counts["students"] > 0
        text = "\n".join(screen_lines(app))
        assert "Fichier encrypté          oui" in text
        assert "Clé itslearning présente  oui" in text
        assert "ce fichier est celui de l'établissement 0490856P, pas de 0440001A" in text
        assert "this export" not in text
        await pilot.press("n")
        await settle(app, pilot)
        assert step(app) == "summary"


async def test_the_readers_warnings_read_in_french_on_the_resume(
    demo_service: Path, tmp_path: Path
) -> None:
    """The demo's export with a section this reader does not know: the service keeps the
    warning by code and values, the Résumé words it in French (the CLI keeps the English)."""
    plain = (DEMO / "Edt_To_ITSLEARNING_0490856P.plain.xml").read_bytes()
    odd = tmp_path / "odd.xml"
    odd.write_bytes(plain.replace(b"</ExportEmploiDuTemps>", b"<Absences/></ExportEmploiDuTemps>"))
    line = plain[: plain.index(b"</ExportEmploiDuTemps>")].count(b"\n") + 1
    app = EdtTuiApp(
        ClientBackend(EntClient.embedded), store=SessionStore(), start_dir=tmp_path,
        offer_resume=False,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        app.screen.query_one("#path").value = str(odd)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(app, pilot)
        assert step(app) == "summary"
        export = app.wizard.export
        assert export is not None
        assert export.warnings == (
            f"line {line}: unknown section <Absences> skipped with everything inside it",
        )
        verdict = str(app.screen.query_one("#verdict", Static).content)
        assert (
            f"⚠ ligne {line} : section inconnue <Absences> ignorée avec tout son contenu"
            in verdict
        )
        assert "unknown section" not in verdict
        resumed = app.wizard.store.get(app.wizard.session.id)  # type: ignore[union-attr]
        assert resumed.export["warning_details"][0]["code"] == "unknown_section"
