"""The guards in the service, on the committed demo: PRONOTE ids regenerated (zero actions, push
refused, relinks confirmed by a manual import), mass deletions (push refused, manual import
confirmed or 409, CLI exit 2), the freeze window from the establishment's settings."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from edt_tui.cli import main
from edt_tui.engine.selection import PersonChoice, PersonDecision, Selection
from edt_tui.pronote.model import frozen_map
from edt_tui.pronote.reader import read_export
from edt_tui.pronote.writer import write_timetable
from edt_tui.service.planning import PlanOptions, PlanRequest
from tests.execution.conftest import DEMO, DEMO_EXPORT, DEMO_KEY, DEMO_PLAIN, DEMO_UAI, T0, Env

LATER = "2026-12-01T08:00:00+01:00"
ZERO = {"courses_created": 0, "events_created": 0, "events_updated": 0, "events_deleted": 0,
        "memberships_created": 0, "memberships_deleted": 0}


def _new_idpn(idpn: str | None) -> str | None:
    return hashlib.sha256(f"v2:{idpn}".encode()).hexdigest()[:16].upper() if idpn else None


def regenerated_demo() -> bytes:
    """The demo's plain export with every IDPN rewritten (a PRONOTE version switch)."""
    t = read_export(DEMO_PLAIN).timetable
    return write_timetable(replace(
        t,
        teachers=frozen_map({k: replace(v, idpn=_new_idpn(v.idpn)) for k, v in t.teachers.items()}),
        students=frozen_map({
            k: replace(v, idpn=_new_idpn(v.idpn),
                       guardians=tuple(replace(g, idpn=_new_idpn(g.idpn)) for g in v.guardians))
            for k, v in t.students.items()
        }),
        staff=frozen_map({k: replace(v, idpn=_new_idpn(v.idpn)) for k, v in t.staff.items()}),
    ))


def shrunk_demo(keep: int) -> bytes:
    """The demo with only its first `keep` sessions (a half-empty export)."""
    t = read_export(DEMO_PLAIN).timetable
    return write_timetable(replace(t, sessions=t.sessions[:keep]))


async def _first_import(demo: Env) -> None:
    job = await demo.enqueue(await demo.upload(DEMO_EXPORT.read_bytes()), reference_time=T0)
    await demo.run_all()
    assert (await demo.job(job["id"]))["status"] == "done"


async def _plan(demo: Env, sha: str, view: str = "summary", **body: Any) -> dict[str, Any]:
    answer = await demo.http.post(
        f"{demo.est()}/plans", params={"view": view},
        json={"export_sha256": sha, "reference_time": LATER, **body},
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _push_url(demo: Env) -> str:
    establishment = demo.store.get_establishment(DEMO_UAI)
    assert establishment is not None
    return f"/push/{DEMO_UAI}/{establishment.push_secret}"


async def test_regenerated_ids_plan_nothing_refuse_the_push_and_relink_on_confirmation(
    demo: Env,
) -> None:
    await _first_import(demo)
    year = "2026-2027"
    before = demo.store.ent_state(DEMO_UAI, year)
    sha = await demo.upload(regenerated_demo())

    summary = await _plan(demo, sha)
    assert summary["summary"] == ZERO and sum(summary["actions"].values()) == 0
    pending = {k: summary["people"][k]["relink_pending"] for k in ("teachers", "students")}
    assert pending["teachers"] > 0 and pending["students"] > 0
    steps = await _plan(demo, sha, view="steps")
    relinks = [p for k in ("teachers", "students") for p in steps[k] if p["relink_pending"]]
    assert len(relinks) == pending["teachers"] + pending["students"]
    for person in relinks:
        assert person["status"] == "relink_required" and person["sync_id"]
        assert person["idpn"] == _new_idpn(person["previous_idpn"])
        assert person["reasons"] == [
            {"code": "other_pronote_id", "params": {"idpn": person["previous_idpn"]}}
        ]
    page = await demo.http.get(f"{demo.est()}/plans/{steps['plan_id']}/teachers",
                               params={"status": "relink_required"})
    assert page.json()["total"] == pending["teachers"]
    assert {p["reasons"][0]["code"] for p in page.json()["items"]} == {"other_pronote_id"}

    # PRONOTE pushes the regenerated file: refused once planned, nothing applied.
    demo.clock.now = datetime.fromisoformat(LATER)
    pushed = await demo.http.post(_push_url(demo), content=regenerated_demo())
    assert pushed.status_code == 202, pushed.text
    await demo.run_all()
    job = await demo.job(pushed.json()["job_id"])
    assert (job["status"], job["type"], job["reason_code"]) == ("refused", "automatic",
                                                               "relink_pending")
    assert job["reason_params"] == pending
    assert job["why"] == {"code": "relink_pending", "params": pending}
    assert job["reason"] == (
        "Identifiants PRONOTE régénérés : un import manuel est nécessaire pour confirmer "
        f"{pending['teachers']} enseignants et {pending['students']} élèves"
    )
    assert job["export_sha256"] == sha and demo.store.get_export(DEMO_UAI, sha) is not None
    assert job["tasks_done"] == 0
    assert demo.store.ent_state(DEMO_UAI, year) == before

    # The admin confirms every relink in the wizard: links stored, still nothing else.
    selection = Selection.default()
    for person in relinks:
        selection = selection.with_person(
            person["key"], PersonDecision(PersonChoice.CONFIRM_RELINK, person["sync_id"])
        )
    confirmed = await demo.enqueue(sha, selection=selection.to_dict(), reference_time=LATER)
    await demo.run_all()
    done = await demo.job(confirmed["id"])
    assert done["status"] == "done" and done["summary"] == ZERO and done["tasks_done"] == 0
    assert demo.store.ent_state(DEMO_UAI, year) == before
    for person in relinks:
        user = demo.store.get_user(DEMO_UAI, person["sync_id"])
        assert user is not None and user.idpn == person["idpn"]
    again = await _plan(demo, sha)
    assert again["summary"] == ZERO
    assert again["people"]["teachers"]["relink_pending"] == 0


async def _push_job(demo: Env, data: bytes) -> dict[str, Any]:
    pushed = await demo.http.post(_push_url(demo), content=data)
    assert pushed.status_code == 202, pushed.text
    await demo.run_all()
    return await demo.job(pushed.json()["job_id"])


async def test_mass_deletion_push_is_refused_and_a_manual_import_needs_confirmation(
    demo: Env,
) -> None:
    await _first_import(demo)
    before = demo.store.ent_state(DEMO_UAI, "2026-2027")
    demo.clock.now = datetime.fromisoformat(LATER)
    job = await _push_job(demo, shrunk_demo(5))
    assert (job["status"], job["reason_code"]) == ("refused", "mass_deletion")
    guard = job["reason_params"]
    assert guard["mass_deletion"] and guard["threshold_percent"] == 20
    assert guard["memberships"]["deleted"] * 100 > 20 * guard["memberships"]["total"]
    assert 0 < len(guard["top_courses"]) <= 10
    assert str(guard["memberships"]["deleted"]) in job["reason"].replace("\u202f", "")
    assert job["reason"].startswith("Suppression massive refusée")
    assert job["why"]["code"] == "mass_deletion"
    assert job["why"]["params"]["memberships_deleted"] == guard["memberships"]["deleted"]
    assert job["why"]["params"]["threshold_percent"] == 20
    assert demo.store.ent_state(DEMO_UAI, "2026-2027") == before

    sha = await demo.upload(shrunk_demo(5))
    refused = await demo.http.post(f"{demo.est()}/jobs",
                                   json={"export_sha256": sha, "reference_time": LATER})
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["type"] == "/problems/mass-deletion"
    assert problem["guard"]["memberships"] == guard["memberships"]
    assert f"{guard['memberships']['deleted']} of {guard['memberships']['total']}" in (
        problem["detail"])
    checked = PlanRequest(DEMO_UAI, sha, Selection.default(), PlanOptions(),
                          datetime.fromisoformat(LATER))
    assert demo.store.plan_requests.load(DEMO_UAI, checked.plan_id) is None  # nothing shared
    assert demo.store.get_selection(DEMO_UAI) is not None  # the first import's only
    versions_before = demo.store.get_selection(DEMO_UAI)

    allowed = await demo.enqueue(sha, reference_time=LATER, allow_mass_deletion=True)
    assert demo.store.get_selection(DEMO_UAI) != versions_before
    await demo.run_all()
    done = await demo.job(allowed["id"])
    assert done["status"] == "done" and done["allow_mass_deletion"] is True
    assert done["summary"]["memberships_deleted"] == guard["memberships"]["deleted"]


async def test_a_raised_threshold_lets_the_same_push_through(demo: Env) -> None:
    await _first_import(demo)
    demo.store.update_establishment(DEMO_UAI, max_deletion_percent=100)
    demo.clock.now = datetime.fromisoformat(LATER)
    job = await _push_job(demo, shrunk_demo(5))
    assert job["status"] == "done" and job["reason_code"] is None


async def test_freeze_window_from_the_settings_reaches_the_plan(demo: Env) -> None:
    sha = await demo.upload(DEMO_EXPORT.read_bytes())
    patched = await demo.http.patch(f"{demo.est()}/settings", json={"freeze_minutes": 7 * 1440})
    assert patched.status_code == 200
    plan = await _plan(demo, sha)
    assert plan["frozen_until"] == "2026-12-08T08:00:00+01:00"
    contract = await _plan(demo, sha, view="contract")
    starts = [e["start"] for c in contract["courses"] for e in c["events"]]
    assert any(s < plan["frozen_until"] for s in starts)  # desired, but frozen:
    unfrozen = await demo.http.patch(f"{demo.est()}/settings", json={"freeze_minutes": 0})
    assert unfrozen.status_code == 200
    assert (await _plan(demo, sha))["summary"]["events_created"] == len(starts)
    assert plan["summary"]["events_created"] == sum(s >= plan["frozen_until"] for s in starts)


def test_cli_import_exits_2_on_a_mass_deletion_unless_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ent", "load", str(DEMO / "ent")]) == 0
    assert main(["import", str(DEMO_EXPORT), "--uai", DEMO_UAI, "--key", str(DEMO_KEY),
                 "--at", T0, "--wait"]) == 0
    shrunk = tmp_path / "shrunk.xml"
    shrunk.write_bytes(shrunk_demo(5))
    capsys.readouterr()
    assert main(["plan", str(shrunk), "--uai", DEMO_UAI, "--at", LATER]) == 0
    assert "MASS DELETION" in capsys.readouterr().out
    code = main(["import", str(shrunk), "--uai", DEMO_UAI, "--at", LATER, "--wait"])
    err = capsys.readouterr().err
    assert code == 2 and "memberships" in err and "--allow-mass-deletion" in err
    assert main(["import", str(shrunk), "--uai", DEMO_UAI, "--at", LATER, "--wait",
                 "--allow-mass-deletion"]) == 0
    capsys.readouterr()
    assert main(["history", "--uai", DEMO_UAI, "--json"]) == 0
    assert [e["status"] for e in json.loads(capsys.readouterr().out)] == ["done", "done"]


def test_cli_history_words_a_refused_push_in_english() -> None:
    from edt_tui.commands._wording import reason_text

    text = reason_text({"reason_code": "relink_pending", "status": "refused",
                        "reason_params": {"teachers": 31, "students": 426},
                        "why": {"code": "relink_pending",
                                "params": {"teachers": 31, "students": 426}},
                        "reason": "Identifiants PRONOTE régénérés : …"})
    assert text.startswith("PRONOTE ids regenerated: a manual import must confirm the relink "
                           "of 31 teacher(s) and 426 student(s)")
    assert "Identifiants PRONOTE régénérés" in text
