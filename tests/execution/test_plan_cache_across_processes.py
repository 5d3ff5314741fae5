"""An API server without a worker (`serve --no-worker`) caches the wizard's plans; a job that an
`edt-tui worker` process ends changes the ENT under them. The server's planner sees it by the
establishment's newest ended job (one index read), not only by its own worker's end."""

from __future__ import annotations

from edt_tui.service.imports import ImportServices
from tests.execution.conftest import DEMO_EXPORT, DEMO_UAI, T0, Env, run_until_ended


async def test_a_job_ended_by_another_process_makes_the_cached_plan_stale(demo: Env) -> None:
    sha = await demo.upload(DEMO_EXPORT.read_bytes())
    request = {"export_sha256": sha, "reference_time": T0}
    before = (await demo.http.post(f"{demo.est()}/plans", json=request)).json()
    assert before["summary"]["events_created"] > 1000
    students = f"{demo.est()}/plans/{before['plan_id']}/students"

    async def rules() -> dict[str, str | None]:
        page = (await demo.http.get(students, params={"limit": 100})).json()["items"]
        return {s["key"]: s["rule"] for s in page if s["status"] == "reconciled"}

    by_identity = {k for k, rule in (await rules()).items() if rule == "identity"}
    assert by_identity  # matched by name and birth date until an import stores their IDPN

    # Another process's worker (its own planner and caches) runs the import.
    elsewhere = ImportServices(demo.store, demo.services.intake)
    job_id = (await demo.enqueue(sha, reference_time=T0))["id"]
    await run_until_ended(elsewhere.worker, job_id)
    assert (await demo.job(job_id))["status"] == "done"

    after = (await demo.http.post(f"{demo.est()}/plans", json=request)).json()
    assert after["plan_id"] == before["plan_id"]
    assert after["summary"]["events_created"] == after["summary"]["courses_created"] == 0
    now = await rules()  # the step list cached for the wizard is stale too
    assert "idpn" in {now[k] for k in by_identity}


async def test_a_plan_the_job_check_cached_is_shared_once_a_client_receives_its_id(
    demo: Env,
) -> None:
    """Enqueueing plans the request to check it (nothing stored: its id is not returned); the
    same request sent to `POST …/plans` next finds that plan cached and stores its request all
    the same, so another server's planner answers the id."""
    sha = await demo.upload(DEMO_EXPORT.read_bytes())
    request = {"export_sha256": sha, "reference_time": T0}
    await demo.enqueue(sha, reference_time=T0)
    made = (await demo.http.post(f"{demo.est()}/plans", json=request)).json()
    elsewhere = ImportServices(demo.store, demo.services.intake)
    steps = elsewhere.planner.steps(DEMO_UAI, made["plan_id"])
    assert steps is not None and steps.courses
    page = (await demo.http.get(f"{demo.est()}/plans/{made['plan_id']}/courses")).json()
    assert page["items"] == [c.model_dump(mode="json") for c in steps.courses[:100]]
