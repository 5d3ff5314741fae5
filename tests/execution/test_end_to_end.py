"""The committed demo, imported for real through the API: recap = plan, state = reference."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from datetime import datetime

from edt_tui.engine.apply import apply_actions
from edt_tui.engine.model import IMPORT_ACTIONS, ActionType, EntState
from edt_tui.engine.plan import Plan
from edt_tui.engine.selection import Selection
from edt_tui.service.jobs import Job
from edt_tui.service.planning import PlanOptions
from edt_tui.service.vocabulary import STATUS_LABELS, JobStatus
from tests.execution.conftest import (
    DEMO_EXPORT,
    DEMO_UAI,
    T0,
    WAIT_SECONDS,
    Env,
    run_until_ended,
    wait_for_flag,
)

EMPTY = EntState(courses={}, memberships=frozenset(), events={})


def reference_plan(env: Env, sha: str) -> Plan:
    """The engine's plan computed directly (not through the API or the worker)."""
    export = env.services.planner.export(DEMO_UAI, sha)
    return env.services.planner.compute(
        DEMO_UAI, export, Selection.default(), PlanOptions(), datetime.fromisoformat(T0)
    )


async def test_manual_import_recap_equals_the_plan_and_again_is_empty(demo: Env) -> None:
    sha = await demo.upload(DEMO_EXPORT.read_bytes())
    planned = (await demo.http.post(
        f"{demo.est()}/plans", json={"export_sha256": sha, "reference_time": T0}
    )).json()
    expected = reference_plan(demo, sha)
    counts = Counter(a.type for a in expected.actions)
    assert planned["actions"] == {t.value: counts.get(t, 0) for t in IMPORT_ACTIONS}
    assert counts[ActionType.CREATE_EVENT] > 1000

    queued = await demo.enqueue(sha, reference_time=T0)
    assert queued["status"] == "queued" and queued["queue_position"] == 1
    # The API keeps answering while the worker's thread is in the middle of the job: held
    # there (before its second batch) until the API has answered.
    worker = demo.services.worker
    held, go = threading.Event(), threading.Event()

    def hold(job: Job, applied: int) -> None:
        if applied == 1:
            held.set()
            assert go.wait(WAIT_SECONDS)

    worker.before_batch = hold
    ended = asyncio.create_task(run_until_ended(worker, queued["id"]))
    try:
        await wait_for_flag(held, "the worker's second batch")
        assert (await demo.http.get("/api/v1/health")).status_code == 200
        assert (await demo.job(queued["id"]))["status"] == "running"
    finally:
        go.set()
        await ended
        worker.before_batch = None
    job = await demo.job(queued["id"])
    assert job["status"] == "done" and job["status_label"] == STATUS_LABELS[JobStatus.DONE]
    assert job["recap"] == {
        t.value: {"success": counts.get(t, 0), "error": 0} for t in IMPORT_ACTIONS
    }
    assert job["tasks_done"] == len(expected.actions) == job["progress"]["total"]
    assert job["queue_position"] is None and job["finished_at"] is not None

    state = demo.store.ent_state(DEMO_UAI, expected.school_year)
    reference = apply_actions(EMPTY, expected.actions)
    assert state.courses == reference.courses
    assert state.memberships == reference.memberships
    assert state.events == reference.events
    nodes = demo.store.list_hierarchy(DEMO_UAI)
    assert nodes.total == 1
    root_children = demo.store.list_hierarchy(DEMO_UAI, parent_key=nodes.items[0].key, limit=1)
    assert root_children.total == counts[ActionType.CREATE_COURSE]

    linked = {u.sync_id: u.idpn for u in demo.store.directory(DEMO_UAI) if u.idpn}
    assert linked == dict(expected.idpn_links) and linked

    again = await demo.enqueue(sha, reference_time=T0)
    await demo.run_all()
    second = await demo.job(again["id"])
    assert second["status"] == "done" and second["tasks_done"] == 0
    assert second["summary"] == dict.fromkeys(expected.summary, 0)

    history = (await demo.http.get(f"{demo.est()}/jobs")).json()
    assert [j["id"] for j in history["items"]] == [again["id"], queued["id"]]


async def test_account_check_after_an_import(demo: Env) -> None:
    sha = await demo.upload(DEMO_EXPORT.read_bytes())
    before = (await demo.http.get(f"{demo.est()}/accounts")).json()
    assert before["job_id"] is None
    await demo.enqueue(sha, reference_time=T0)
    await demo.run_all()
    expected = reference_plan(demo, sha)

    accounts = (await demo.http.get(f"{demo.est()}/accounts")).json()
    assert accounts["students"] == {
        "reconciled": expected.student_count.reconciled,
        "unreconciled": expected.student_count.unreconciled,
    }
    assert accounts["teachers"]["reconciled"] == expected.teacher_count.reconciled
    unreconciled = [s for s in expected.students if not s.reconciled]
    page = (await demo.http.get(
        f"{demo.est()}/accounts/students/unreconciled", params={"limit": 5}
    )).json()
    assert page["total"] == len(unreconciled) and len(page["items"]) == min(5, len(unreconciled))
    text = (await demo.http.get(f"{demo.est()}/accounts/students/unreconciled.txt")).text
    lines = text.splitlines()
    assert len(lines) == len(unreconciled)
    someone = unreconciled[0]
    assert any(
        line.split("\t")[:2] == [someone.last_name, someone.first_name] for line in lines
    )
    born = [line.split("\t")[2] for line in lines]
    assert all(b == "" or datetime.strptime(b, "%d/%m/%Y") for b in born)


async def test_plan_steps_are_paginated_and_filtered_from_one_computation(demo: Env) -> None:
    sha = await demo.upload(DEMO_EXPORT.read_bytes())
    summary = (await demo.http.post(
        f"{demo.est()}/plans", json={"export_sha256": sha, "reference_time": T0}
    )).json()
    plan_id = summary["plan_id"]
    calls = []
    original = demo.services.planner.compute
    demo.services.planner.compute = lambda *a, **k: calls.append(1) or original(*a, **k)  # type: ignore[method-assign]
    seen = []
    offset: int | None = 0
    while offset is not None:
        page = (await demo.http.get(
            f"{demo.est()}/plans/{plan_id}/students", params={"offset": offset, "limit": 100}
        )).json()
        seen += page["items"]
        offset = page["next"]
    assert len(seen) == summary["counts"]["students"] == len({s["key"] for s in seen})
    red = (await demo.http.get(
        f"{demo.est()}/plans/{plan_id}/students", params={"status": "unreconciled"}
    )).json()
    assert red["total"] == summary["people"]["students"]["unreconciled"]
    assert all(s["status"] == "unreconciled" for s in red["items"])
    selected = (await demo.http.get(
        f"{demo.est()}/plans/{plan_id}/courses", params={"selected": True, "limit": 1}
    )).json()
    assert selected["total"] == summary["counts"]["selected_courses"]
    assert calls == []
    missing = await demo.http.get(f"{demo.est()}/plans/{plan_id}/nothing")
    assert missing.status_code == 404
