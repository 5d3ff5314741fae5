"""A push after a manual import changes the calendar from the push's time on, never before."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tests.execution.conftest import DEMO_EXPORT, DEMO_PLAIN, DEMO_UAI, T0, Env


def renamed_rooms(plain: bytes) -> bytes:
    """Every room of the export renamed: every event that has a room would change."""
    return re.sub(rb'(<Salle Ident="\d+" Nom=")', rb"\1NEW ", plain)


async def test_a_push_updates_future_events_only(demo: Env) -> None:
    sha = await demo.upload(DEMO_EXPORT.read_bytes())
    manual = await demo.enqueue(sha, reference_time=T0)
    await demo.run_all()
    assert (await demo.job(manual["id"]))["status"] == "done"
    year = "2026-2027"
    before = demo.store.ent_state(DEMO_UAI, year)

    pushed_at = datetime(2026, 12, 10, 11, 0, tzinfo=UTC)
    demo.clock.now = pushed_at
    establishment = demo.store.get_establishment(DEMO_UAI)
    assert establishment is not None
    response = await demo.http.put(
        f"/push/{DEMO_UAI}/{establishment.push_secret}",
        content=renamed_rooms(DEMO_PLAIN.read_bytes()),
    )
    assert response.status_code == 202, response.text
    await demo.run_all()
    job = await demo.job(response.json()["job_id"])
    assert job["status"] == "done" and job["reference_time"] == pushed_at.isoformat()
    after = demo.store.ent_state(DEMO_UAI, year)

    assert after.events.keys() == before.events.keys()
    past = [k for k, e in before.events.items() if e.start < pushed_at]
    future = [k for k, e in before.events.items() if e.start >= pushed_at and e.rooms]
    assert past and future
    assert all(after.events[k] == before.events[k] for k in past)
    assert all(
        all(r.startswith("NEW ") for r in after.events[k].rooms) for k in future
    )
    assert job["recap"]["update_event"] == {"success": len(future), "error": 0}
    assert sum(v["success"] for v in job["recap"].values()) == len(future)
    assert after.memberships == before.memberships
