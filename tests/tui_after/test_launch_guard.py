"""The wizard's backend on a REAL service: a half-empty export is a mass deletion — the plan
carries the verdict the launch step shows, the launch is refused (`MassDeletionRefused` with the
counts) and goes through once confirmed (`allow_mass_deletion`, what typing SUPPRIMER sends)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from edt_tui.tui.backend import MassDeletionRefused
from edt_tui.tui.client_backend import ClientBackend, export_check
from tests.execution.test_guards import shrunk_demo

from .conftest import UAI, embedded


async def test_a_mass_deletion_is_refused_until_confirmed(
    demo_home: Callable[[str], Path],
) -> None:
    backend = ClientBackend(lambda: embedded(demo_home("imported")))
    try:
        ent = await backend.client()
        export = export_check(
            await ent.upload_export(UAI, shrunk_demo(5), file_name="half-empty.xml")
        )
        plan = await backend.plan(UAI, export, {})
        guard = plan.guard
        assert guard.mass_deletion and guard.threshold_percent == 20
        assert guard.memberships.deleted * 100 > 20 * guard.memberships.total
        assert 0 < len(guard.top_courses) <= 10 and guard.top_courses[0].label

        with pytest.raises(MassDeletionRefused) as refused:
            await backend.launch(UAI, export, {})
        assert refused.value.guard == guard
        assert [j.type for j in (await ent.history(UAI)).items] == ["manual"]  # nothing queued

        enqueued = await backend.launch(UAI, export, {}, allow_mass_deletion=True)
        job = await ent.get_job(UAI, enqueued.job_id)
        assert job.allow_mass_deletion is True
    finally:
        await backend.aclose()
