"""The committed demo establishment: `ent load` its CSVs, then upload its encrypted export."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from edt_tui.cli import main
from edt_tui.client import EntClient
from edt_tui.client.errors import UndecryptableError
from edt_tui.config import Settings
from edt_tui.pronote.reader import read_export
from tests.conftest import SAMPLES

DEMO = SAMPLES / "demo"
UAI = "0490856P"
EXPORT = DEMO / f"Edt_To_ITSLEARNING_{UAI}.xml"
KEY = DEMO / "keys" / "partner-private-TEST-ONLY.pem"

pytestmark = pytest.mark.skipif(not EXPORT.is_file(), reason="demo establishment not generated")


def _rows(name: str) -> list[dict[str, str]]:
    with (DEMO / "ent" / name).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


async def test_load_the_demo_then_upload_its_export(edt_home: Path) -> None:
    assert main(["ent", "load", str(DEMO / "ent")]) == 0
    assert main(["ent", "load", str(DEMO / "ent")]) == 0  # reloading upserts: same counts
    students = [r for r in _rows("users.csv") if r["profile"] == "student"]
    async with EntClient.embedded(settings=Settings(private_key=KEY)) as ent:
        listed = [u async for u in ent.iterate(ent.list_users, UAI, profile="student")]
        assert sorted(u.sync_id for u in listed) == sorted(r["sync_id"] for r in students)
        assert (await ent.list_subjects(UAI)).total == len(_rows("subjects.csv"))
        assert (await ent.list_classes(UAI)).total == len(_rows("classes.csv"))
        summary = await ent.upload_export(UAI, EXPORT)
        expected = read_export(EXPORT, private_key=KEY)
        assert summary.uai == UAI and summary.encrypted and summary.key_present
        assert summary.import_id == expected.import_id and summary.sha256 == expected.sha256
        assert summary.counts.students == len(expected.timetable.students)
        assert summary.counts.sessions == len(expected.timetable.sessions)
        assert summary.school_year == "2026-2027"
    async with EntClient.embedded(settings=Settings()) as keyless:
        with pytest.raises(UndecryptableError, match="key"):
            await keyless.upload_export(UAI, EXPORT)
