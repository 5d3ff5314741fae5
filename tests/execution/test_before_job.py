"""The ENT before a job, rebuilt from the ENT now by walking back every later job's actions."""

from __future__ import annotations

from edt_tui.engine.model import EntState
from edt_tui.service.before_job import Before, state_before
from edt_tui.service.job_records import Job
from tests.execution.conftest import DEMO_EXPORT, DEMO_PLAIN, DEMO_UAI, T0, Env
from tests.execution.test_push_future_only import renamed_rooms

YEAR = "2026-2027"


def links(env: Env) -> dict[str, str | None]:
    return {u.sync_id: u.idpn for u in env.store.directory(DEMO_UAI)}


def links_before(env: Env, before: Before) -> dict[str, str | None]:
    now = links(env)
    for sync_id, link in before.links.items():
        now[sync_id] = link[0] if link else None
    return now


def job(env: Env, job_id: str) -> Job:
    found = env.services.jobs.get(job_id, DEMO_UAI)
    assert found is not None
    return found


async def test_the_ent_before_each_job_is_rebuilt_exactly_through_later_updates(
    demo: Env,
) -> None:
    empty, unlinked = demo.store.ent_state(DEMO_UAI, YEAR), links(demo)
    assert empty == EntState({}, frozenset(), {})
    first = await demo.enqueue(await demo.upload(DEMO_EXPORT.read_bytes()), reference_time=T0)
    await demo.run_all()
    after_first, linked = demo.store.ent_state(DEMO_UAI, YEAR), links(demo)
    assert linked != unlinked

    # the same timetable, every room renamed: the second job updates every event with a room
    renamed = await demo.upload(renamed_rooms(DEMO_PLAIN.read_bytes()))
    second = await demo.enqueue(renamed, reference_time=T0)
    await demo.run_all()
    recap = (await demo.job(second["id"]))["recap"]
    assert recap["update_event"]["success"] > 0
    assert demo.store.ent_state(DEMO_UAI, YEAR) != after_first

    before_second = state_before(demo.services.jobs, job(demo, second["id"]), YEAR)
    assert before_second.ent == after_first and before_second.gaps == ()
    assert links_before(demo, before_second) == linked

    before_first = state_before(demo.services.jobs, job(demo, first["id"]), YEAR)
    assert before_first.ent == empty and before_first.gaps == ()
    assert links_before(demo, before_first) == unlinked


async def test_the_snapshot_before_a_job_is_looked_up_by_establishment_and_id(
    demo: Env,
) -> None:
    first = await demo.enqueue(await demo.upload(DEMO_EXPORT.read_bytes()), reference_time=T0)
    await demo.run_all()
    url = f"{demo.est()}/helpdesk/snapshot"
    found = await demo.http.get(url, params={"job_id": first["id"], "school_year": YEAR})
    assert found.status_code == 200, found.text
    data = found.json()
    assert data["job"]["id"] == first["id"] and data["ent_actions"] == []
    assert data["plan"]["summary"] == (await demo.job(first["id"]))["summary"]

    unknown = await demo.http.get(url, params={"job_id": "f" * 32, "school_year": YEAR})
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")
    no_year = await demo.http.get(url, params={"job_id": first["id"]})
    assert no_year.status_code == 422
