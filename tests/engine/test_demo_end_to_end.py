"""The committed demo, end to end: reader → engine → contract JSON → apply → re-plan."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from edt_tui.engine.apply import apply_actions
from edt_tui.engine.model import (
    DirectoryUser,
    EntState,
    Profile,
    ReferentialClass,
    ReferentialSubject,
    UserSource,
)
from edt_tui.engine.plan import Plan, build_plan
from edt_tui.engine.selection import Selection
from tests.engine.builders import contract_json

DEMO = Path(__file__).resolve().parents[2] / "samples" / "demo"
UAI = "0490856P"
PLAIN = DEMO / f"Edt_To_ITSLEARNING_{UAI}.plain.xml"
ENCRYPTED = DEMO / f"Edt_To_ITSLEARNING_{UAI}.xml"
PRIVATE_KEY = DEMO / "keys" / "partner-private-TEST-ONLY.pem"

pytestmark = pytest.mark.skipif(
    not (PLAIN.exists() and (DEMO / "ent" / "users.csv").exists()),
    reason="the committed demo (samples/demo/) has not landed yet",
)


def _rows(name: str) -> list[dict[str, str]]:
    path = DEMO / "ent" / name
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row.get("uai", UAI) == UAI]


def _directory() -> list[DirectoryUser]:
    return [
        DirectoryUser(
            sync_id=row["sync_id"],
            profile=Profile(row["profile"]),
            last_name=row["last_name"],
            first_name=row["first_name"],
            birth_date=date.fromisoformat(row["birth_date"]) if row.get("birth_date") else None,
            cas_login=row.get("cas_login") or None,
            source=UserSource(row.get("source") or "AAF"),
        )
        for row in _rows("users.csv")
    ]


def _zone() -> str:
    zones = [row.get("timezone") or "Europe/Paris" for row in _rows("establishments.csv")]
    return zones[0] if zones else "Europe/Paris"


def _plan(path: Path, ent: EntState, directory: list[DirectoryUser]) -> Plan:
    from edt_tui.pronote.reader import read_export

    key = PRIVATE_KEY if path == ENCRYPTED else None
    export = read_export(path, private_key=key) if key else read_export(path)
    zone = _zone()
    return build_plan(
        export.timetable,
        uai=UAI,
        timezone=zone,
        reference_time=datetime(2026, 11, 28, 12, tzinfo=ZoneInfo(zone)),
        directory=directory,
        referential_subjects=[
            ReferentialSubject(r["name"], r.get("code") or None) for r in _rows("subjects.csv")
        ],
        referential_classes=[ReferentialClass(r["name"]) for r in _rows("classes.csv")],
        ent_state=ent,
        selection=Selection.default(),
    )


def test_demo_plans_consistently_and_replans_empty_after_import() -> None:
    directory = _directory()
    empty = EntState({}, frozenset(), {})
    plan = _plan(PLAIN, empty, directory)
    doc = contract_json(plan)
    json.dumps(doc)
    assert doc["uai"] == UAI and doc["school_year"] == "2026-2027"
    assert doc["courses"], "the demo should produce selected courses"
    accounts = {u.sync_id: u for u in directory}
    for course in doc["courses"]:
        assert course["key"].startswith(f"{UAI}:2026-2027:")
        assert course["label"] == f"{course['subject']} - {course['audience']['name']}"
        for sync_id in course["teachers"]:
            assert accounts[sync_id].profile is Profile.TEACHER
            assert accounts[sync_id].source is not UserSource.MANUAL
        for sync_id in course["students"]:
            assert accounts[sync_id].profile is Profile.STUDENT
        starts = [e["start"] for e in course["events"]]
        assert starts == sorted(starts)
        assert all(datetime.fromisoformat(s) >= plan.reference_time for s in starts)
    people = doc["people"]
    timetable_people = len(plan.teachers), len(plan.students)
    assert (
        people["teachers"]["reconciled"] + len(people["teachers"]["unreconciled"]),
        people["students"]["reconciled"] + len(people["students"]["unreconciled"]),
    ) == timetable_people
    assert doc["actions"]["create_course"] == len(doc["courses"])
    assert doc["actions"]["create_event"] == sum(len(c["events"]) for c in doc["courses"])

    imported = apply_actions(empty, plan.actions)
    assert _plan(PLAIN, imported, directory).actions == ()


@pytest.mark.skipif(
    not (ENCRYPTED.exists() and PRIVATE_KEY.exists()), reason="encrypted demo export missing"
)
def test_demo_encrypted_export_gives_the_same_plan_as_its_plain_twin() -> None:
    directory = _directory()
    empty = EntState({}, frozenset(), {})
    assert contract_json(_plan(ENCRYPTED, empty, directory)) == contract_json(
        _plan(PLAIN, empty, directory)
    )
