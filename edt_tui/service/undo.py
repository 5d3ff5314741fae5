"""Undo of an import: a job whose actions put back what the import's actions replaced.

From what each applied action recorded (`priors.py`), for memberships and for the events that
start at or after the undo's T (plus the establishment's freeze window):

- an event the import created is deleted; one it updated or deleted is restored as it was;
- a membership it created is deleted, one it deleted is re-created;
- a course it created is deleted with its hierarchy node when none of its events and members
  remain (every event was created by the import and is still ahead); the `Cours <year>` root
  goes too when the import created it and it is left empty;
- a course label or node title it changed is put back; the IDPN links it stored are restored.

Only the newest finished import of an establishment not undone yet can be undone (a newer one
first: an older one's priors describe a state the newer one changed). The
check runs when the undo is queued, in the transaction that queues it, and again when it starts.
An undo is an ordinary job: its actions are stored before any is applied, keyed like an import's,
so a crash resumes it without doing anything twice.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from edt_tui.engine.guards import frozen_until
from edt_tui.engine.model import (
    ACTION_ORDER,
    Action,
    ActionType,
    CourseState,
)
from edt_tui.errors import EdtTuiError
from edt_tui.service import action_codec, priors
from edt_tui.service.job_failures import RESUMABLE
from edt_tui.service.jobs import Job, JobStore
from edt_tui.service.sqlite_store import root_node_key
from edt_tui.service.vocabulary import UndoRefusal

_CHUNK = 500


class UndoRefusedError(EdtTuiError):
    """This job cannot be undone now: `code` says why, `params` the job in the way."""

    def __init__(self, code: UndoRefusal, params: Mapping[str, Any] | None = None) -> None:
        self.code = code
        self.params = dict(params or {})
        super().__init__(f"undo refused: {code.value}")


def _job_params(row: sqlite3.Row | None) -> dict[str, Any]:
    """The job in the way, its date as the history gives it."""
    if row is None:
        return {}
    created_at = datetime.fromisoformat(row["created_at"]).isoformat()
    return {"job_id": row["id"], "created_at": created_at}


_UNDOABLE = """j.type IN ('manual', 'automatic') AND j.status IN ('done', 'error')
    AND j.outcome IS NULL
    AND NOT EXISTS (SELECT 1 FROM import_jobs u WHERE u.undoes = j.id AND u.status = 'done')"""
"""A finished import not undone yet (one that ended in error may have applied a part)."""


def check(conn: sqlite3.Connection, uai: str, job_id: str, *, undo_id: str | None = None) -> None:
    """Raise `UndoRefusedError` unless `job_id` can be undone now; `undo_id`: the undo job
    running this check at its start (it is not in its own way)."""
    target = conn.execute(
        "SELECT id, type, status, outcome, seq FROM import_jobs WHERE id = ? AND uai = ?",
        (job_id, uai),
    ).fetchone()
    if target is None or target["type"] not in ("manual", "automatic"):
        raise UndoRefusedError(UndoRefusal.NOT_AN_IMPORT)
    resumable = sorted(code.value for code in RESUMABLE)
    busy = conn.execute(
        f"""SELECT id, created_at FROM import_jobs WHERE uai = ? AND id IS NOT ?
               AND (status IN ('queued', 'running', 'interrupted') OR (status = 'error'
                    AND reason_code IN ({', '.join('?' * len(resumable))})))
            ORDER BY seq LIMIT 1""",
        (uai, undo_id, *resumable),
    ).fetchone()
    if busy is not None:
        raise UndoRefusedError(UndoRefusal.BUSY, _job_params(busy))
    undone = conn.execute(
        """SELECT id, created_at FROM import_jobs WHERE undoes = ? AND status = 'done'
           ORDER BY seq LIMIT 1""", (job_id,),
    ).fetchone()
    if undone is not None:
        raise UndoRefusedError(UndoRefusal.ALREADY_UNDONE, _job_params(undone))
    newest = conn.execute(
        f"""SELECT j.id, j.created_at, j.seq FROM import_jobs j
            WHERE j.uai = ? AND {_UNDOABLE} ORDER BY j.seq DESC LIMIT 1""", (uai,),
    ).fetchone()
    if newest is not None and newest["seq"] > target["seq"]:
        raise UndoRefusedError(UndoRefusal.NEWER_IMPORT, _job_params(newest))
    if newest is None or newest["id"] != job_id:
        raise UndoRefusedError(UndoRefusal.NOT_AN_IMPORT)  # refused, no-op, still to run
    unrecorded = conn.execute(
        """SELECT 1 FROM job_actions WHERE job_id = ? AND status = 'success' AND prior IS NULL
           LIMIT 1""", (job_id,),
    ).fetchone()
    if unrecorded is not None:
        raise UndoRefusedError(UndoRefusal.NOT_RECORDED)


def enqueue(jobs: JobStore, uai: str, job_id: str, reference_time: datetime) -> Job:
    """A queued undo of `job_id` at T = `reference_time`; `UndoRefusedError` when refused."""
    return jobs.enqueue_undo(
        uai, job_id, reference_time, lambda conn: check(conn, uai, job_id)
    )


# -- the inverse actions -------------------------------------------------------------------
def _keys_by_course(
    conn: sqlite3.Connection, table: str, courses: Sequence[str]
) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {c: set() for c in courses}
    for start in range(0, len(courses), _CHUNK):
        chunk = courses[start:start + _CHUNK]
        rows = conn.execute(
            f"SELECT course_key, key FROM {table} WHERE course_key IN "
            f"({', '.join('?' * len(chunk))})", chunk,
        ).fetchall()
        for course_key, key in rows:
            found[course_key].add(key)
    return found


def inverse_actions(
    conn: sqlite3.Connection, uai: str, job_id: str, boundary: datetime
) -> list[Action]:
    """The undo of `job_id`'s applied actions, in execution order (see the module doc)."""
    undo: list[Action] = []
    deleted_events: set[str] = set()
    deleted_members: set[str] = set()
    created_courses: dict[str, CourseState] = {}
    created_nodes: dict[str, str] = {}
    new_roots: set[str] = set()
    rows = conn.execute(
        """SELECT type, key, payload_json, prior FROM job_actions
           WHERE job_id = ? AND status = 'success' ORDER BY seq""", (job_id,),
    )
    for kind, key, payload, prior in rows:
        action = action_codec.decode(kind, key, payload)
        t = action.type
        if action.event is not None:
            if action.event.start < boundary:
                continue
            if prior:
                back = ActionType.CREATE_EVENT if t is ActionType.DELETE_EVENT else (
                    ActionType.UPDATE_EVENT
                )
                undo.append(Action(back, key, event=priors.event_before(action, prior)))
            elif t is not ActionType.DELETE_EVENT:
                undo.append(Action(ActionType.DELETE_EVENT, key, event=action.event))
                deleted_events.add(key)
        elif action.membership is not None:
            if t is ActionType.CREATE_MEMBERSHIP and not prior:
                undo.append(Action(ActionType.DELETE_MEMBERSHIP, key, membership=action.membership))
                deleted_members.add(key)
            elif t is ActionType.DELETE_MEMBERSHIP and prior:
                undo.append(Action(ActionType.CREATE_MEMBERSHIP, key, membership=action.membership))
        elif action.course is not None:
            course = action.course
            if t is ActionType.CREATE_COURSE:
                if not prior:
                    created_courses[course.key] = course
                elif json.loads(prior)[0] != course.label:
                    old = _relabelled(course, json.loads(prior)[0])
                    undo.append(Action(ActionType.CREATE_COURSE, key, course=old))
            elif t is ActionType.CREATE_HIERARCHY_NODE:
                title = json.loads(prior)[0] if prior else None
                if title is None:
                    created_nodes[course.key] = key
                    if prior:
                        new_roots.add(root_node_key(uai, course.school_year))
                elif title != course.label:
                    undo.append(Action(
                        ActionType.CREATE_HIERARCHY_NODE, key, course=_relabelled(course, title)
                    ))
    undo.extend(_course_deletions(conn, created_courses, created_nodes, new_roots,
                                  deleted_events, deleted_members))
    rank = {t: i for i, t in enumerate(ACTION_ORDER)}
    # A `Cours <year>` root goes after the nodes under it (they reference it).
    return sorted(undo, key=lambda a: (rank[a.type], a.key in new_roots, a.key))


def _relabelled(course: CourseState, label: str) -> CourseState:
    return CourseState(
        course.key, label, course.subject, course.audience_kind, course.audience_name,
        course.school_year, course.origin,
    )


def _course_deletions(
    conn: sqlite3.Connection, created: Mapping[str, CourseState], nodes: Mapping[str, str],
    new_roots: set[str], deleted_events: set[str], deleted_members: set[str],
) -> Iterable[Action]:
    """The courses the import created that the undo leaves empty, their nodes, empty roots."""
    keys = sorted(created)
    events = _keys_by_course(conn, "events", keys)
    members = _keys_by_course(conn, "memberships", keys)
    gone = [k for k in keys if events[k] <= deleted_events and members[k] <= deleted_members]
    deleted_nodes = {nodes[k] for k in gone if k in nodes}
    for key in gone:
        yield Action(ActionType.DELETE_COURSE, key, course=created[key])
    for node in sorted(deleted_nodes):
        yield Action(ActionType.DELETE_HIERARCHY_NODE, node)
    for root in sorted(new_roots):
        children = conn.execute(
            "SELECT key FROM hierarchy_nodes WHERE parent_key = ?", (root,)
        ).fetchall()
        if {r[0] for r in children} <= deleted_nodes:
            yield Action(ActionType.DELETE_HIERARCHY_NODE, root)


# -- running an undo job -------------------------------------------------------------------
def prepare(jobs: JobStore, job: Job) -> list[Action]:
    """Check the undo is still allowed, compute its actions and store them (the job's plan)."""
    if job.undoes is None or job.reference_time is None:
        raise EdtTuiError(f"undo job {job.id} has no import to undo or no reference time")
    store = jobs.store
    conn = store.connection()
    check(conn, job.uai, job.undoes, undo_id=job.id)
    establishment = store.get_establishment(job.uai)
    freeze = establishment.freeze_minutes if establishment else 0
    boundary = frozen_until(job.reference_time, freeze)  # events before it stay as they are
    actions = inverse_actions(conn, job.uai, job.undoes, boundary)
    counts: dict[str, int] = {}
    for action in actions:
        counts[action.type.value] = counts.get(action.type.value, 0) + 1
    jobs.store_plan(job.id, actions, summary=counts, known={}, people={})
    return actions


def finish(jobs: JobStore, job: Job) -> None:
    """Once its actions are applied: the undone import's IDPN links put back, and the events
    and memberships the undo restored given back their own `updated_at` / `created_at`. One
    transaction, idempotent (a resumed undo runs it again)."""
    conn = jobs.store.connection()
    links = conn.execute(
        "SELECT links_before_json FROM import_jobs WHERE id = ?", (job.undoes,)
    ).fetchone()
    restored = {
        key for (key,) in conn.execute(
            """SELECT key FROM job_actions WHERE job_id = ? AND status = 'success'
                   AND type IN ('create_event', 'update_event', 'create_membership')""",
            (job.id,),
        ).fetchall()
    }
    events: list[tuple[str, str]] = []
    members: list[tuple[str, str]] = []
    rows = conn.execute(
        """SELECT type, key, prior FROM job_actions WHERE job_id = ? AND status = 'success'
               AND prior <> '' AND type IN ('update_event', 'delete_event', 'create_event',
               'delete_membership')""", (job.undoes,),
    )
    for kind, key, prior in rows:
        if key in restored:
            if kind == "delete_membership":
                members.append((json.loads(prior), key))
            else:
                events.append((json.loads(prior)[4], key))
    with jobs.store.transaction() as write:
        priors.restore_links(write, job.uai, links[0] if links else None)
        write.executemany("UPDATE events SET updated_at = ? WHERE key = ?", events)
        write.executemany("UPDATE memberships SET created_at = ? WHERE key = ?", members)
