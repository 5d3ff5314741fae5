"""`WizardBackend` over the async `EntClient` (embedded service, or `--ent URL`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from edt_tui.client.client import EntClient
from edt_tui.client.errors import MassDeletionError, UaiMismatchError
from edt_tui.client.models import ExportSummary
from edt_tui.engine.selection import Selection
from edt_tui.errors import EdtTuiError
from edt_tui.gc_pause import cyclic_gc_paused
from edt_tui.tui.backend import (
    NO_DELETION,
    CourseDetail,
    Enqueued,
    EstablishmentInfo,
    ExportCheck,
    LastImport,
    MassDeletionRefused,
    WizardPlan,
    course_detail,
    wizard_plan,
)


def export_check(summary: ExportSummary) -> ExportCheck:
    """The wizard's view of a stored export (uploaded now, or kept with a job)."""
    return ExportCheck(
        file_name=summary.file_name,
        uai=summary.uai or "",
        import_id=summary.import_id,
        encrypted=summary.encrypted,
        key_present=summary.key_present,
        sha256=summary.sha256,
        school_year=summary.school_year,
        counts=summary.counts.model_dump(),
        warnings=tuple(summary.warnings),
        warning_details=tuple(w.model_dump() for w in summary.warning_details),
    )


class ClientBackend:
    """Opens the client lazily inside the app's event loop (the embedded service needs it)."""

    def __init__(self, factory: Callable[[], EntClient]) -> None:
        self._factory = factory
        self._client: EntClient | None = None

    async def client(self) -> EntClient:
        if self._client is None:
            client = self._factory()
            await client.__aenter__()
            self._client = client
        return self._client

    async def establishments(self) -> Sequence[EstablishmentInfo]:
        ent = await self.client()
        return [
            EstablishmentInfo(e.uai, e.name, e.timezone)
            async for e in ent.iterate(ent.list_establishments)
        ]

    async def check_export(self, uai: str, path: Path) -> ExportCheck:
        ent = await self.client()
        try:
            summary = await ent.upload_export(uai, path)
        except UaiMismatchError as exc:  # shown on the Résumé as the file is, then refused
            found = exc.problem.summary
            return ExportCheck(
                file_name=path.name,
                uai=exc.problem.export_uai or "?",
                import_id=found.import_id if found else "",
                encrypted=bool(found and found.encrypted),
                key_present=bool(found and found.key_present),
                sha256="",
                school_year=found.school_year if found else None,
                counts=found.counts.model_dump() if found else {},
            )
        return export_check(summary)

    async def plan(self, uai: str, export: ExportCheck, selection: Mapping[str, Any]) -> WizardPlan:
        ent = await self.client()
        steps = await ent.plan_steps(uai, export.sha256, selection or None)
        with cyclic_gc_paused():
            return wizard_plan(steps)

    async def launch(
        self, uai: str, export: ExportCheck, selection: Mapping[str, Any], *,
        allow_mass_deletion: bool = False,
    ) -> Enqueued:
        ent = await self.client()
        try:
            job = await ent.enqueue_import(
                uai, export.sha256, selection or None, allow_mass_deletion=allow_mass_deletion
            )
        except MassDeletionError as exc:
            raise MassDeletionRefused(exc.problem.guard or NO_DELETION) from exc
        return Enqueued(job.id, job.queue_position)

    async def course_detail(self, uai: str, plan: WizardPlan, key: str) -> CourseDetail:
        if plan.plan_id is None:
            raise EdtTuiError("le plan n'a pas d'identifiant : rechargez l'étape")
        ent = await self.client()
        return course_detail(await ent.plan_course(uai, plan.plan_id, key))

    async def last_manual_import(self, uai: str) -> LastImport | None:
        ent = await self.client()
        jobs = await ent.history(uai, status="done", type="manual", limit=1)
        job = jobs.items[0] if jobs.items else None
        if job is None or job.selection_version is None or job.finished_at is None:
            return None
        document = await ent.get_selection(uai, job.selection_version)
        return LastImport(
            job.id, job.finished_at.isoformat(), Selection.from_dict(document).to_dict()
        )

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def backend_from_args(args: argparse.Namespace) -> ClientBackend:
    """The embedded service by default, `--ent URL --token …` otherwise."""
    from edt_tui.client.factory import client_from_args

    return ClientBackend(lambda: client_from_args(args))
