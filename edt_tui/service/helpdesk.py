"""What a helpdesk needs to reproduce an import elsewhere: a snapshot and its restore.

A plan depends on the export, the selection, the reference time and the ENT side: directory (with
the IDPN links of earlier imports), referential, and the courses, memberships and events already
there. `snapshot` captures that ENT side as JSON — as it is now, or as it was just before a job
(`before_job`) with that job's history entry, recap and failed actions (`job_record`); `restore`
writes it into an EMPTY store, so the same plan — same courses, members, unreconciled people, same
counts — and the same history entry come out of another machine's service.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

from edt_tui.engine.model import (
    IMPORT_ACTIONS,
    Action,
    ActionType,
    DirectoryUser,
    EntState,
    Profile,
    UserSource,
)
from edt_tui.errors import BadInputError
from edt_tui.service import action_codec
from edt_tui.service.before_job import Before
from edt_tui.service.job_records import Job
from edt_tui.service.jobs import JobStore
from edt_tui.service.records import (
    ClassRecord,
    Establishment,
    ExportRecord,
    SubjectRecord,
    UserRecord,
)
from edt_tui.service.store import MAX_PAGE, Store
from edt_tui.storage.job_snapshots import JobSnapshots
from edt_tui.storage.sql_store import SqlStore

SNAPSHOT_FORMAT = 2


def _all(fetch: Any, *args: Any, **kw: Any) -> Iterator[Any]:
    offset: int | None = 0
    while offset is not None:
        page = fetch(*args, offset=offset, limit=MAX_PAGE, **kw)
        yield from page.items
        offset = page.next


def _user(u: UserRecord, before: Before | None) -> dict[str, Any]:
    idpn, method, validated_by = u.idpn, u.link_method, u.link_validated_by
    if before is not None and u.sync_id in before.links:
        link = before.links[u.sync_id]
        idpn, method, validated_by = link if link else (None, None, None)
    return {
        "sync_id": u.sync_id, "profile": u.profile.value, "last_name": u.last_name,
        "first_name": u.first_name,
        "birth_date": u.birth_date.isoformat() if u.birth_date else None,
        "cas_login": u.cas_login, "source": u.source.value, "idpn": idpn,
        "link_method": method, "link_validated_by": validated_by,
    }


def directory_before(store: Store, uai: str, before: Before) -> tuple[DirectoryUser, ...]:
    """The directory with the IDPN links it had before the job (what the job's plan saw)."""
    users = []
    for user in store.directory(uai):
        if user.sync_id in before.links:
            link = before.links[user.sync_id]
            user = DirectoryUser(
                sync_id=user.sync_id, profile=user.profile, last_name=user.last_name,
                first_name=user.first_name, birth_date=user.birth_date,
                cas_login=user.cas_login, source=user.source, idpn=link[0] if link else None,
            )
        users.append(user)
    return tuple(users)


def ent_actions(state: EntState) -> list[list[str]]:
    """ENT objects as create actions `[type, key, payload]` (replayable)."""
    actions: list[Action] = []
    for course in sorted(state.courses.values(), key=lambda c: c.key):
        actions.append(Action(ActionType.CREATE_COURSE, course.key, course=course))
        actions.append(Action(ActionType.CREATE_HIERARCHY_NODE, course.key, course=course))
    for membership in sorted(state.memberships, key=lambda m: m.key):
        actions.append(
            Action(ActionType.CREATE_MEMBERSHIP, membership.key, membership=membership)
        )
    for key in sorted(state.events):
        actions.append(Action(ActionType.CREATE_EVENT, key, event=state.events[key]))
    return [[a.type.value, a.key, action_codec.encode(a)] for a in actions]


def snapshot(
    store: Store, uai: str, school_year: str | None, before: Before | None = None
) -> dict[str, Any]:
    """Directory, referential and (for `school_year`) the ENT objects of `uai`, as JSON: as
    they are now, or as they were `before` a job."""
    establishment = store.get_establishment(uai)
    if establishment is None:
        raise BadInputError(f"unknown establishment {uai}")
    return {
        "format": SNAPSHOT_FORMAT,
        "establishment": {
            "uai": establishment.uai, "name": establishment.name,
            "timezone": establishment.timezone, "daily_quota": establishment.daily_quota,
        },
        "users": [_user(u, before) for u in _all(store.list_users, uai)],
        "subjects": [{"name": s.name, "code": s.code} for s in _all(store.list_subjects, uai)],
        "classes": [c.name for c in _all(store.list_classes, uai)],
        "school_year": school_year,
        "ent_actions": (
            ent_actions(before.ent if before else store.ent_state(uai, school_year))
            if school_year else []
        ),
        "gaps": list(before.gaps) if before else [],
    }


def job_record(jobs: JobStore, job: Job) -> dict[str, Any]:
    """The job as its history row holds it, its selection, action counts and failed actions."""
    record = JobSnapshots(jobs.store.database).record(job.id)
    if record is None:
        raise BadInputError(f"no job {job.id}")
    found = (
        jobs.store.get_selection(job.uai, job.selection_version)
        if job.selection_version is not None else None
    )
    record["selection"] = dict(found[1]) if found else None
    record["actions"] = {t.value: 0 for t in IMPORT_ACTIONS} | record["actions"]
    return record


def restore(
    store: SqlStore, data: Mapping[str, Any], *, export: ExportRecord | None = None,
    export_bytes: bytes | None = None, job: Mapping[str, Any] | None = None,
) -> str:
    """Write a snapshot (and the export, and the job) into an empty store; the UAI."""
    if data.get("format") != SNAPSHOT_FORMAT:
        raise BadInputError(f"unsupported snapshot format {data.get('format')!r}")
    e = data["establishment"]
    uai = str(e["uai"])
    if store.get_establishment(uai) is not None:
        raise BadInputError(
            f"establishment {uai} already exists in this service",
            hint="replays restore into an empty data directory",
        )
    store.upsert_establishments(
        [Establishment(uai, e["name"], e["timezone"], int(e["daily_quota"]))]
    )
    users = data.get("users") or []
    store.upsert_users([
        UserRecord(
            uai=uai, sync_id=u["sync_id"], profile=Profile(u["profile"]),
            last_name=u["last_name"], first_name=u["first_name"],
            birth_date=date.fromisoformat(u["birth_date"]) if u.get("birth_date") else None,
            cas_login=u.get("cas_login"), source=UserSource(u["source"]),
        )
        for u in users
    ])
    for u in users:
        if u.get("idpn"):
            store.link_idpn(
                uai, u["sync_id"], u["idpn"], method=u.get("link_method") or "restored",
                validated_by=u.get("link_validated_by"),
            )
    store.upsert_subjects([SubjectRecord(uai, s["name"], s.get("code")) for s in data["subjects"]])
    store.upsert_classes([ClassRecord(uai, name) for name in data["classes"]])
    store.apply_actions(
        uai, [action_codec.decode(kind, key, payload) for kind, key, payload in
              data.get("ent_actions") or ()],
    )
    if export is not None and export_bytes is not None:
        store.save_export(export, export_bytes)
        if job is not None:
            JobSnapshots(store.database).restore(uai, job)
    return uai


def export_record(uai: str, summary: Mapping[str, Any], uploaded_at: datetime) -> ExportRecord:
    """The stored record of an export from the API's summary (`wire.ExportSummary`, as JSON)."""
    fields = {"sha256", "file_name", "size", "uploaded_at"}
    return ExportRecord(
        sha256=str(summary["sha256"]), uai=uai, file_name=str(summary["file_name"]),
        import_id=str(summary["import_id"]), size=int(summary["size"]), uploaded_at=uploaded_at,
        summary={k: v for k, v in summary.items() if k not in fields},
    )
