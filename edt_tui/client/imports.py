"""The client's calls for plans, selections, jobs, history, push URL and account check.

A mixin of `EntClient` (it relies on `call` and `_est`), kept apart so that the import side of
the API and its client evolve together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from edt_tui.client.models import Page
from edt_tui.pronote.source import read_file


@dataclass(frozen=True, slots=True)
class ImportJob:
    """One history entry (`history --json` prints `raw` as is)."""

    id: str
    type: str
    status: str
    queue_position: int | None
    created_at: str
    finished_at: str | None
    recap: Mapping[str, Mapping[str, int]] | None
    reason: str | None
    status_label: str
    type_label: str
    progress: Mapping[str, int] | None
    raw: Mapping[str, Any] = field(repr=False, default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ImportJob:
        return cls(
            id=str(data["id"]), type=str(data["type"]), status=str(data["status"]),
            queue_position=data.get("queue_position"), created_at=str(data["created_at"]),
            finished_at=data.get("finished_at"), recap=data.get("recap"),
            reason=data.get("reason"), status_label=str(data.get("status_label") or ""),
            type_label=str(data.get("type_label") or ""), progress=data.get("progress"),
            raw=dict(data),
        )

    @property
    def finished(self) -> bool:
        return self.status in ("done", "error", "refused", "interrupted")

    @property
    def resumable(self) -> bool:
        """Interrupted, or stopped by the machine (a full disk): `resume_job` accepts it (a
        service older than `resumable` resumes interrupted jobs only)."""
        return bool(self.raw.get("resumable", self.status == "interrupted"))


class ImportCalls:
    """Mixed into `EntClient`."""

    async def call(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
        json: Any = None, content: bytes | None = None, headers: Mapping[str, str] | None = None,
    ) -> Any:  # pragma: no cover - provided by EntClient
        raise NotImplementedError

    def _est(self, uai: str) -> str:  # pragma: no cover
        raise NotImplementedError

    # -- plans ----------------------------------------------------------------------------
    async def create_plan(
        self, uai: str, export_sha256: str, selection: Mapping[str, Any] | None = None, *,
        selection_version: int | None = None, reference_time: str | None = None,
        add_unknown_subjects: bool = False, activate_unmatched_classes: bool = False,
        view: str = "summary",
    ) -> dict[str, Any]:
        body = {
            "export_sha256": export_sha256, "selection": dict(selection) if selection else None,
            "selection_version": selection_version, "reference_time": reference_time,
            "add_unknown_subjects": add_unknown_subjects,
            "activate_unmatched_classes": activate_unmatched_classes,
        }
        result: dict[str, Any] = await self.call(
            "POST", f"{self._est(uai)}/plans", params={"view": view}, json=body
        )
        return result

    async def plan_steps(
        self, uai: str, export_sha256: str, selection: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Every step list at once (`plan_steps_to_dict` + `plan_id`), as the wizard reads it."""
        return await self.create_plan(uai, export_sha256, selection, view="steps")

    async def plan_page(
        self, uai: str, plan_id: str, step: str, *, offset: int = 0, limit: int = 100,
        status: str | None = None, selected: bool | None = None, q: str | None = None,
    ) -> Page[dict[str, Any]]:
        data = await self.call(
            "GET", f"{self._est(uai)}/plans/{plan_id}/{step}",
            params={"offset": offset, "limit": limit, "status": status, "selected": selected,
                    "q": q},
        )
        return Page.from_json(data, dict)

    async def plan_course(self, uai: str, plan_id: str, key: str) -> dict[str, Any]:
        """One course of a plan in full (people by name, rooms, first events)."""
        data: dict[str, Any] = await self.call(
            "GET", f"{self._est(uai)}/plans/{plan_id}/courses/{quote(key, safe='')}"
        )
        return data

    async def dry_run(
        self, uai: str, source: Path | bytes, *, reference_time: str | None = None,
        add_unknown_subjects: bool = False, activate_unmatched_classes: bool = False,
        view: str = "contract",
    ) -> dict[str, Any]:
        """Plan a file with the default selection; the service does not keep it."""
        data = read_file(source) if isinstance(source, Path) else source
        result: dict[str, Any] = await self.call(
            "POST", f"{self._est(uai)}/plans/dry-run", content=data,
            headers={"Content-Type": "application/octet-stream"},
            params={"reference_time": reference_time, "view": view,
                    "add_unknown_subjects": add_unknown_subjects,
                    "activate_unmatched_classes": activate_unmatched_classes,
                    "file_name": source.name if isinstance(source, Path) else None},
        )
        return result

    # -- selections and jobs --------------------------------------------------------------
    async def save_selection(
        self, uai: str, selection: Mapping[str, Any] | None, *,
        add_unknown_subjects: bool = False, activate_unmatched_classes: bool = False,
    ) -> int:
        data = await self.call(
            "POST", f"{self._est(uai)}/selections",
            json={"selection": dict(selection) if selection else None,
                  "add_unknown_subjects": add_unknown_subjects,
                  "activate_unmatched_classes": activate_unmatched_classes},
        )
        return int(data["version"])

    async def get_selection(self, uai: str, version: int) -> dict[str, Any]:
        """A saved selection version (`Selection.to_dict()` plus its `options`)."""
        data = await self.call("GET", f"{self._est(uai)}/selections/{version}")
        return dict(data["selection"])

    async def enqueue_import(
        self, uai: str, export_sha256: str, selection: Mapping[str, Any] | None = None, *,
        selection_version: int | None = None, reference_time: str | None = None,
        add_unknown_subjects: bool = False, activate_unmatched_classes: bool = False,
        allow_mass_deletion: bool = False,
    ) -> ImportJob:
        """A manual import (202); `selection` is saved as a new version (unless a version).

        A mass deletion raises `MassDeletionError` (its `guard` has the counts) unless
        `allow_mass_deletion` — what the TUI sends once the admin typed SUPPRIMER.
        """
        body = {
            "export_sha256": export_sha256, "selection": dict(selection) if selection else None,
            "selection_version": selection_version, "reference_time": reference_time,
            "add_unknown_subjects": add_unknown_subjects,
            "activate_unmatched_classes": activate_unmatched_classes,
            "allow_mass_deletion": allow_mass_deletion,
        }
        return ImportJob.from_json(await self.call("POST", f"{self._est(uai)}/jobs", json=body))

    async def history(
        self, uai: str, *, status: str | None = None, type: str | None = None,
        id_prefix: str | None = None, offset: int = 0, limit: int = 100,
    ) -> Page[ImportJob]:
        data = await self.call(
            "GET", f"{self._est(uai)}/jobs",
            params={"status": status, "type": type, "id_prefix": id_prefix, "offset": offset,
                    "limit": limit},
        )
        return Page.from_json(data, ImportJob.from_json)

    async def get_job(self, uai: str, job_id: str) -> ImportJob:
        return ImportJob.from_json(await self.call("GET", f"{self._est(uai)}/jobs/{job_id}"))

    async def cancel_job(self, uai: str, job_id: str) -> ImportJob:
        data = await self.call("POST", f"{self._est(uai)}/jobs/{job_id}/cancel")
        return ImportJob.from_json(data)

    async def resume_job(self, uai: str, job_id: str) -> ImportJob:
        data = await self.call("POST", f"{self._est(uai)}/jobs/{job_id}/resume")
        return ImportJob.from_json(data)

    async def undo_import(
        self, uai: str, job_id: str, *, reference_time: str | None = None
    ) -> ImportJob:
        """Queue the undo of the import `job_id` (202); `ConflictError` (409) when refused, its
        `body` carrying `reason_code` and `reason_params`."""
        data = await self.call(
            "POST", f"{self._est(uai)}/jobs/{job_id}/undo",
            json={"reference_time": reference_time},
        )
        return ImportJob.from_json(data)

    async def job_actions(
        self, uai: str, job_id: str, *, status: str | None = "error", type: str | None = None,
        q: str | None = None, offset: int = 0, limit: int = 100,
    ) -> Page[dict[str, Any]]:
        data = await self.call(
            "GET", f"{self._est(uai)}/jobs/{job_id}/actions",
            params={"status": status, "type": type, "q": q, "offset": offset, "limit": limit},
        )
        return Page.from_json(data, dict)

    # -- account check --------------------------------------------------------------------
    async def accounts(self, uai: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.call("GET", f"{self._est(uai)}/accounts")
        return result

    async def unreconciled(
        self, uai: str, profile: str, *, q: str | None = None, offset: int = 0, limit: int = 100
    ) -> Page[dict[str, Any]]:
        data = await self.call(
            "GET", f"{self._est(uai)}/accounts/{profile}/unreconciled",
            params={"q": q, "offset": offset, "limit": limit},
        )
        return Page.from_json(data, dict)
