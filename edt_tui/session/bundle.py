"""Helpdesk bundles: one zip file that reproduces a customer's import session anywhere.

`session.json` holds the session (decisions, step, export summary), the reference time T, the
service version, the ENT snapshot (directory with IDPN links, referential, ENT objects of the
school year), the plan the customer saw (the wizard's step lists and §3.11 counts) and, once the
import was launched, its job: history entry, recap, action counts and failed actions with their
reasons. For a launched import the snapshot is the ENT as it was just BEFORE the job (the service
walks the ENT back through the jobs' actions, `service/before_job.py`), so the replay plans what
the customer planned. `export.xml` holds the export file's bytes as uploaded. The bundle carries
personal data: it is written readable by its owner only (0600).
"""

from __future__ import annotations

import base64
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edt_tui.errors import BadInputError
from edt_tui.files import atomic_file
from edt_tui.session.store import ImportSession

if TYPE_CHECKING:
    from edt_tui.client.client import EntClient

BUNDLE_FORMAT = 2
MANIFEST = "session.json"
EXPORT = "export.xml"


@dataclass(frozen=True, slots=True)
class Bundle:
    session: Mapping[str, Any]
    """The session document as the store keeps it."""
    reference_time: str
    service_version: str
    snapshot: Mapping[str, Any]
    plan: Mapping[str, Any]
    """The step lists (`PlanSteps` as JSON) of the customer's selection at `reference_time` on
    the snapshot."""
    export_summary: Mapping[str, Any]
    export_bytes: bytes
    created_at: str
    job: Mapping[str, Any] | None = None
    """The launched import (`service.helpdesk.job_record`), None before launch."""

    @property
    def customer_actions(self) -> Mapping[str, int]:
        """Actions per type of the customer: the job's own when it ran, else the plan's."""
        if self.job is not None:
            return self.job["actions"]  # type: ignore[no-any-return]
        return self.plan.get("actions") or {}  # type: ignore[no-any-return]

    @property
    def uai(self) -> str:
        return str(self.session["uai"])

    @property
    def import_session(self) -> ImportSession:
        return ImportSession.from_document(self.session)


def session_document(session: ImportSession) -> dict[str, Any]:
    return {
        "id": session.id, "uai": session.uai, "step": session.step,
        "created_at": session.created_at, "updated_at": session.updated_at,
        "export": dict(session.export), "selection": dict(session.selection),
        "job_id": session.job_id, "queue_position": session.queue_position,
        "decisions_from": dict(session.decisions_from) if session.decisions_from else None,
        "timezone": session.timezone,
    }


async def collect(ent: EntClient, session: ImportSession, *, now: datetime) -> Bundle:
    """Everything the bundle needs, from the service the session was made against."""
    from edt_tui.client.helpdesk import snapshot

    sha = str(session.export.get("sha256") or "")
    if not sha:
        raise BadInputError(
            f"session {session.id} has no export yet: nothing to reproduce",
            hint="export a session that reached the summary step",
        )
    reference = now.astimezone(UTC).isoformat()
    year = session.export.get("school_year")
    job = None
    if session.job_id:
        found = await snapshot(
            ent, session.uai, school_year=year, export_sha256=sha, job_id=session.job_id
        )
        data = found.model_dump(mode="json")
        job = data.pop("job")
        plan = data.pop("plan")
        reference = str(job["reference_time"] or reference)
    else:
        found = await snapshot(ent, session.uai, school_year=year, export_sha256=sha)
        data = found.model_dump(mode="json")
        del data["job"], data["plan"]
        steps = await ent.create_plan(
            session.uai, sha, session.selection or None, reference_time=reference, view="steps"
        )
        plan = steps.model_dump(mode="json")
    plan.pop("plan_id", None)
    export = data.pop("export")
    return Bundle(
        session=session_document(session), reference_time=reference,
        service_version=str(data.pop("service_version", "")), snapshot=data, plan=plan,
        export_summary=export["summary"], export_bytes=base64.b64decode(export["content_b64"]),
        created_at=now.astimezone(UTC).isoformat(), job=job,
    )


def write_bundle(path: Path, bundle: Bundle) -> None:
    """One zip, mode 0600 from its creation (personal data), written whole or not at all
    (`edt_tui.files.atomic_file`: no half-written bundle on failure)."""
    manifest = {
        "format": BUNDLE_FORMAT, "created_at": bundle.created_at,
        "service_version": bundle.service_version, "reference_time": bundle.reference_time,
        "session": bundle.session, "export_summary": bundle.export_summary,
        "snapshot": bundle.snapshot, "plan": bundle.plan, "job": bundle.job,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path) as raw, zipfile.ZipFile(
        raw, "w", compression=zipfile.ZIP_DEFLATED
    ) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, sort_keys=True))
        archive.writestr(EXPORT, bundle.export_bytes)


def read_bundle(path: Path) -> Bundle:
    """A bundle written by `write_bundle`; `BadInputError` for anything else."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
            data = archive.read(EXPORT)
    except FileNotFoundError:
        raise BadInputError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInputError(
            f"{path} is not an edt-tui session bundle ({exc})",
            hint="create one with `edt-tui session export ID --out FILE`",
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
        raise BadInputError(
            f"{path}: unsupported bundle format {manifest.get('format')!r} "
            f"(this edt-tui reads format {BUNDLE_FORMAT})",
            hint="export the session again with this version of edt-tui",
        )
    try:
        return Bundle(
            session=manifest["session"], reference_time=str(manifest["reference_time"]),
            service_version=str(manifest.get("service_version") or ""),
            snapshot=manifest["snapshot"], plan=manifest["plan"],
            export_summary=manifest["export_summary"], export_bytes=data,
            created_at=str(manifest.get("created_at") or ""), job=manifest.get("job"),
        )
    except KeyError as exc:
        raise BadInputError(f"{path}: the bundle lacks {exc}") from None


def restore_bundle(bundle: Bundle, data_dir: Path) -> None:
    """The bundle's ENT side and export into a new, empty service data directory."""
    from edt_tui.assembly import restore_snapshot

    restore_snapshot(
        data_dir, bundle.uai, bundle.snapshot, export_summary=bundle.export_summary,
        export_bytes=bundle.export_bytes, job=bundle.job,
    )
