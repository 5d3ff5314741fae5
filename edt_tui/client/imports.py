"""The client's calls for plans, selections, jobs, history, push URL and account check.

A mixin of `EntClient` (it relies on `call_as` and `_est`), kept apart so that the import side
of the API and its client evolve together.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar, overload
from urllib.parse import quote

from pydantic import BaseModel

from edt_tui.pronote.source import read_file
from edt_tui.wire import (
    Accounts,
    ImportJob,
    ImportJobDetail,
    JobAction,
    Page,
    PlanContract,
    PlanCourseDetail,
    PlanSteps,
    PlanSummary,
    SelectionSaved,
    SelectionVersion,
    UnreconciledAccount,
)
from edt_tui.wire.plans import (
    ClassStep,
    CourseStep,
    GroupStep,
    IgnoredSession,
    PersonStep,
    Step,
    StepItem,
    SubjectStep,
)

M = TypeVar("M", bound=BaseModel)
View = Literal["summary", "steps", "contract"]
PlanDocument = PlanSummary | PlanSteps | PlanContract
_VIEWS: dict[str, type[PlanDocument]] = {
    "summary": PlanSummary, "steps": PlanSteps, "contract": PlanContract,
}
_STEP_ITEMS: dict[str, type[StepItem]] = {
    "subjects": SubjectStep, "classes": ClassStep, "groups": GroupStep, "courses": CourseStep,
    "teachers": PersonStep, "students": PersonStep, "ignored_sessions": IgnoredSession,
}


class ImportCalls:
    """Mixed into `EntClient`."""

    async def call_as(
        self, model: type[M], method: str, path: str, *,
        params: Mapping[str, Any] | None = None, json: Any = None, content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> M:  # pragma: no cover - provided by EntClient
        raise NotImplementedError

    def _est(self, uai: str) -> str:  # pragma: no cover
        raise NotImplementedError

    # -- plans ----------------------------------------------------------------------------
    @overload
    async def create_plan(
        self, uai: str, export_sha256: str, selection: Mapping[str, Any] | None = None, *,
        selection_version: int | None = None, reference_time: str | None = None,
        add_unknown_subjects: bool = False, activate_unmatched_classes: bool = False,
        view: Literal["summary"] = "summary",
    ) -> PlanSummary: ...
    @overload
    async def create_plan(
        self, uai: str, export_sha256: str, selection: Mapping[str, Any] | None = None, *,
        selection_version: int | None = None, reference_time: str | None = None,
        add_unknown_subjects: bool = False, activate_unmatched_classes: bool = False,
        view: Literal["steps"],
    ) -> PlanSteps: ...
    @overload
    async def create_plan(
        self, uai: str, export_sha256: str, selection: Mapping[str, Any] | None = None, *,
        selection_version: int | None = None, reference_time: str | None = None,
        add_unknown_subjects: bool = False, activate_unmatched_classes: bool = False,
        view: Literal["contract"],
    ) -> PlanContract: ...
    async def create_plan(
        self, uai: str, export_sha256: str, selection: Mapping[str, Any] | None = None, *,
        selection_version: int | None = None, reference_time: str | None = None,
        add_unknown_subjects: bool = False, activate_unmatched_classes: bool = False,
        view: View = "summary",
    ) -> PlanDocument:
        body = {
            "export_sha256": export_sha256, "selection": dict(selection) if selection else None,
            "selection_version": selection_version, "reference_time": reference_time,
            "add_unknown_subjects": add_unknown_subjects,
            "activate_unmatched_classes": activate_unmatched_classes,
        }
        return await self.call_as(
            _VIEWS[view], "POST", f"{self._est(uai)}/plans", params={"view": view}, json=body
        )

    async def plan_steps(
        self, uai: str, export_sha256: str, selection: Mapping[str, Any] | None = None
    ) -> PlanSteps:
        """Every step list at once (with the `plan_id`), as the wizard reads it."""
        return await self.create_plan(uai, export_sha256, selection, view="steps")

    async def plan_page(
        self, uai: str, plan_id: str, step: Step, *, offset: int = 0, limit: int = 100,
        status: str | None = None, selected: bool | None = None, q: str | None = None,
    ) -> Page[StepItem]:
        model: type[Page[Any]] = Page[_STEP_ITEMS[step]]  # type: ignore[valid-type]
        page: Page[StepItem] = await self.call_as(
            model, "GET", f"{self._est(uai)}/plans/{plan_id}/{step}",
            params={"offset": offset, "limit": limit, "status": status, "selected": selected,
                    "q": q},
        )
        return page

    async def plan_course(self, uai: str, plan_id: str, key: str) -> PlanCourseDetail:
        """One course of a plan in full (people by name, rooms, first events)."""
        return await self.call_as(
            PlanCourseDetail, "GET",
            f"{self._est(uai)}/plans/{plan_id}/courses/{quote(key, safe='')}",
        )

    @overload
    async def dry_run(
        self, uai: str, source: Path | bytes, *, reference_time: str | None = None,
        add_unknown_subjects: bool = False, activate_unmatched_classes: bool = False,
        view: Literal["contract"] = "contract",
    ) -> PlanContract: ...
    @overload
    async def dry_run(
        self, uai: str, source: Path | bytes, *, reference_time: str | None = None,
        add_unknown_subjects: bool = False, activate_unmatched_classes: bool = False,
        view: Literal["summary"],
    ) -> PlanSummary: ...
    @overload
    async def dry_run(
        self, uai: str, source: Path | bytes, *, reference_time: str | None = None,
        add_unknown_subjects: bool = False, activate_unmatched_classes: bool = False,
        view: Literal["steps"],
    ) -> PlanSteps: ...
    async def dry_run(
        self, uai: str, source: Path | bytes, *, reference_time: str | None = None,
        add_unknown_subjects: bool = False, activate_unmatched_classes: bool = False,
        view: View = "contract",
    ) -> PlanDocument:
        """Plan a file with the default selection; the service does not keep it."""
        data = read_file(source) if isinstance(source, Path) else source
        return await self.call_as(
            _VIEWS[view], "POST", f"{self._est(uai)}/plans/dry-run", content=data,
            headers={"Content-Type": "application/octet-stream"},
            params={"reference_time": reference_time, "view": view,
                    "add_unknown_subjects": add_unknown_subjects,
                    "activate_unmatched_classes": activate_unmatched_classes,
                    "file_name": source.name if isinstance(source, Path) else None},
        )

    # -- selections and jobs --------------------------------------------------------------
    async def save_selection(
        self, uai: str, selection: Mapping[str, Any] | None, *,
        add_unknown_subjects: bool = False, activate_unmatched_classes: bool = False,
    ) -> int:
        saved = await self.call_as(
            SelectionSaved, "POST", f"{self._est(uai)}/selections",
            json={"selection": dict(selection) if selection else None,
                  "add_unknown_subjects": add_unknown_subjects,
                  "activate_unmatched_classes": activate_unmatched_classes},
        )
        return saved.version

    async def get_selection(self, uai: str, version: int) -> dict[str, Any]:
        """A saved selection version (`Selection.to_dict()` plus its `options`)."""
        found = await self.call_as(
            SelectionVersion, "GET", f"{self._est(uai)}/selections/{version}"
        )
        return dict(found.selection or {})

    async def enqueue_import(
        self, uai: str, export_sha256: str, selection: Mapping[str, Any] | None = None, *,
        selection_version: int | None = None, reference_time: str | None = None,
        add_unknown_subjects: bool = False, activate_unmatched_classes: bool = False,
        allow_mass_deletion: bool = False,
    ) -> ImportJobDetail:
        """A manual import (202); `selection` is saved as a new version (unless a version).

        A mass deletion raises `MassDeletionError` (its `problem.guard` has the counts) unless
        `allow_mass_deletion` — what the TUI sends once the admin typed SUPPRIMER.
        """
        body = {
            "export_sha256": export_sha256, "selection": dict(selection) if selection else None,
            "selection_version": selection_version, "reference_time": reference_time,
            "add_unknown_subjects": add_unknown_subjects,
            "activate_unmatched_classes": activate_unmatched_classes,
            "allow_mass_deletion": allow_mass_deletion,
        }
        return await self.call_as(ImportJobDetail, "POST", f"{self._est(uai)}/jobs", json=body)

    async def history(
        self, uai: str, *, status: str | None = None, type: str | None = None,
        id_prefix: str | None = None, offset: int = 0, limit: int = 100,
    ) -> Page[ImportJob]:
        return await self.call_as(
            Page[ImportJob], "GET", f"{self._est(uai)}/jobs",
            params={"status": status, "type": type, "id_prefix": id_prefix, "offset": offset,
                    "limit": limit},
        )

    async def get_job(self, uai: str, job_id: str) -> ImportJobDetail:
        return await self.call_as(ImportJobDetail, "GET", f"{self._est(uai)}/jobs/{job_id}")

    async def cancel_job(self, uai: str, job_id: str) -> ImportJobDetail:
        return await self.call_as(
            ImportJobDetail, "POST", f"{self._est(uai)}/jobs/{job_id}/cancel"
        )

    async def resume_job(self, uai: str, job_id: str) -> ImportJobDetail:
        return await self.call_as(
            ImportJobDetail, "POST", f"{self._est(uai)}/jobs/{job_id}/resume"
        )

    async def undo_import(
        self, uai: str, job_id: str, *, reference_time: str | None = None
    ) -> ImportJobDetail:
        """Queue the undo of the import `job_id` (202); `ConflictError` (409) when refused, its
        `body` carrying `reason_code` and `reason_params`."""
        return await self.call_as(
            ImportJobDetail, "POST", f"{self._est(uai)}/jobs/{job_id}/undo",
            json={"reference_time": reference_time},
        )

    async def job_actions(
        self, uai: str, job_id: str, *, status: str | None = "error", type: str | None = None,
        q: str | None = None, offset: int = 0, limit: int = 100,
    ) -> Page[JobAction]:
        return await self.call_as(
            Page[JobAction], "GET", f"{self._est(uai)}/jobs/{job_id}/actions",
            params={"status": status, "type": type, "q": q, "offset": offset, "limit": limit},
        )

    # -- account check --------------------------------------------------------------------
    async def accounts(self, uai: str) -> Accounts:
        return await self.call_as(Accounts, "GET", f"{self._est(uai)}/accounts")

    async def unreconciled(
        self, uai: str, profile: str, *, q: str | None = None, offset: int = 0, limit: int = 100
    ) -> Page[UnreconciledAccount]:
        return await self.call_as(
            Page[UnreconciledAccount], "GET", f"{self._est(uai)}/accounts/{profile}/unreconciled",
            params={"q": q, "offset": offset, "limit": limit},
        )
