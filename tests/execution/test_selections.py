"""Selections are versioned; plans and jobs use the one given (body, version, or default)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from edt_tui.engine.selection import Selection
from edt_tui.storage.sql_store import open_store
from tests.execution.conftest import Clock, Env, make_env
from tests.service.conftest import UAI_A, YEAR, seed
from tests.service.exports_builder import plain_export

MATHS = f"{UAI_A}:{YEAR}:MATHEMATIQUES:class:3A"


@pytest.fixture
async def env(database_url: str, clock: Clock) -> AsyncIterator[Env]:
    store = open_store(database_url)
    seed(store)
    async for env in make_env(store, clock, None):
        yield env


async def test_versions_and_plans_with_a_saved_selection(env: Env) -> None:
    est = env.est(UAI_A)
    assert (await env.http.get(f"{est}/selections/latest")).json()["version"] is None
    off = Selection.default().with_course(MATHS, False).to_dict()
    first = await env.http.post(f"{est}/selections", json={"selection": off})
    second = await env.http.post(f"{est}/selections", json={"add_unknown_subjects": True})
    assert (first.json()["version"], second.json()["version"]) == (1, 2)
    latest = (await env.http.get(f"{est}/selections/latest")).json()
    assert latest["version"] == 2 and latest["selection"]["options"]["add_unknown_subjects"]
    assert (await env.http.get(f"{est}/selections/1")).json()["selection"][
        "deactivated_courses"] == [MATHS]

    sha = await env.upload(plain_export(UAI_A), UAI_A)
    with_off = (await env.http.post(
        f"{est}/plans", json={"export_sha256": sha, "selection_version": 1}
    )).json()
    default = (await env.http.post(f"{est}/plans", json={"export_sha256": sha})).json()
    assert with_off["counts"]["selected_courses"] == default["counts"]["selected_courses"] - 1
    assert with_off["plan_id"] != default["plan_id"]
    steps = (await env.http.post(
        f"{est}/plans", params={"view": "steps"}, json={"export_sha256": sha, "selection": off}
    )).json()
    [course] = [c for c in steps["courses"] if c["key"] == MATHS]
    assert course["deactivated"] and not course["selected"]


async def test_malformed_selection_and_unknown_export_are_refused(env: Env) -> None:
    est = env.est(UAI_A)
    bad = await env.http.post(f"{est}/selections", json={"selection": {"format": 99}})
    assert bad.status_code == 422 and "format" in bad.json()["detail"]
    assert (await env.http.get(f"{est}/selections/latest")).json()["version"] is None
    unknown = await env.http.post(f"{est}/jobs", json={"export_sha256": "0" * 64})
    assert unknown.status_code == 404
    missing = await env.http.post(f"{est}/plans", json={"export_sha256": "0" * 64})
    assert missing.status_code == 422


async def test_a_course_of_a_plan_in_full(env: Env) -> None:
    """`enter` on a course in the wizard: people by name, rooms, the first future events."""
    est = env.est(UAI_A)
    sha = await env.upload(plain_export(UAI_A), UAI_A)
    start = {"export_sha256": sha, "reference_time": f"{YEAR[:4]}-09-01T00:00:00+02:00"}
    plan_id = (await env.http.post(f"{est}/plans", json=start)).json()["plan_id"]
    answer = await env.http.get(f"{est}/plans/{plan_id}/courses/{MATHS}")
    assert answer.status_code == 200, answer.text
    course = answer.json()
    steps = (await env.http.post(f"{est}/plans", params={"view": "steps"}, json=start)).json()
    [listed] = [c for c in steps["courses"] if c["key"] == MATHS]
    assert course["future_events"] > 0
    assert course["label"] == listed["label"]
    assert len([t for t in course["teachers"] if t["reconciled"]]) == listed["teachers"]
    assert len([s for s in course["students"] if s["reconciled"]]) == listed["students"]
    assert course["future_events"] == listed["future_events"]
    assert len(course["first_events"]) == min(5, course["future_events"])
    starts = [e["start"] for e in course["first_events"]]
    assert starts == sorted(starts)
    assert course["rooms"] and all(isinstance(r, str) for r in course["rooms"])
    missing = await env.http.get(f"{est}/plans/{plan_id}/courses/{UAI_A}:{YEAR}:NOPE:class:3A")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
