"""Undo of an import: a job whose actions put back what the import's actions replaced.

From what each applied action recorded (the undo journal, `edt_tui.storage.undo_journal`), for
memberships and for the events that start at or after the undo's T (plus the establishment's
freeze window):

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
from collections.abc import Iterable, Mapping
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
from edt_tui.service.job_failures import RESUMABLE
from edt_tui.service.job_records import Job, JobRef
from edt_tui.service.jobs import JobStore
from edt_tui.service.vocabulary import JobType, UndoRefusal
from edt_tui.storage.ent_objects import root_node_key
from edt_tui.storage.undo_journal import Applied, UndoFacts, UndoJournal, event_before


class UndoRefusedError(EdtTuiError):
    """This job cannot be undone now: `code` says why, `params` the job in the way."""

    def __init__(self, code: UndoRefusal, params: Mapping[str, Any] | None = None) -> None:
        self.code = code
        self.params = dict(params or {})
        super().__init__(f"undo refused: {code.value}")


def _job_params(job: JobRef | None) -> dict[str, Any]:
    """The job in the way, its date as the history gives it."""
    if job is None:
        return {}
    return {"job_id": job.id, "created_at": job.created_at.isoformat()}


def check(facts: UndoFacts, job_id: str) -> None:
    """Raise `UndoRefusedError` unless `job_id` can be undone now, from `facts` (read by
    `UndoJournal.facts`, or in the transaction that queues the undo)."""
    if facts.target_type not in (JobType.MANUAL, JobType.AUTOMATIC):
        raise UndoRefusedError(UndoRefusal.NOT_AN_IMPORT)
    if facts.busy is not None:
        raise UndoRefusedError(UndoRefusal.BUSY, _job_params(facts.busy))
    if facts.undone_by is not None:
        raise UndoRefusedError(UndoRefusal.ALREADY_UNDONE, _job_params(facts.undone_by))
    if facts.newest is not None and facts.target_seq is not None and (
        facts.newest[1] > facts.target_seq
    ):
        raise UndoRefusedError(UndoRefusal.NEWER_IMPORT, _job_params(facts.newest[0]))
    if facts.newest is None or facts.newest[0].id != job_id:
        raise UndoRefusedError(UndoRefusal.NOT_AN_IMPORT)  # refused, no-op, still to run
    if facts.unrecorded:
        raise UndoRefusedError(UndoRefusal.NOT_RECORDED)


def enqueue(jobs: JobStore, uai: str, job_id: str, reference_time: datetime) -> Job:
    """A queued undo of `job_id` at T = `reference_time`; `UndoRefusedError` when refused."""
    return jobs.enqueue_undo(uai, job_id, reference_time, lambda facts: check(facts, job_id))


# -- the inverse actions -------------------------------------------------------------------
def inverse_actions(
    journal: UndoJournal, uai: str, applied: Iterable[Applied], boundary: datetime
) -> list[Action]:
    """The undo of an import's `applied` actions, in execution order (see the module doc)."""
    undo: list[Action] = []
    deleted_events: set[str] = set()
    deleted_members: set[str] = set()
    created_courses: dict[str, CourseState] = {}
    created_nodes: dict[str, str] = {}
    new_roots: set[str] = set()
    for step in applied:
        action, prior = step.action, step.prior
        key, t = action.key, action.type
        if action.event is not None:
            if action.event.start < boundary:
                continue
            if prior:
                back = ActionType.CREATE_EVENT if t is ActionType.DELETE_EVENT else (
                    ActionType.UPDATE_EVENT
                )
                undo.append(Action(back, key, event=event_before(action, prior)))
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
    undo.extend(_course_deletions(journal, created_courses, created_nodes, new_roots,
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
    journal: UndoJournal, created: Mapping[str, CourseState], nodes: Mapping[str, str],
    new_roots: set[str], deleted_events: set[str], deleted_members: set[str],
) -> Iterable[Action]:
    """The courses the import created that the undo leaves empty, their nodes, empty roots."""
    keys = sorted(created)
    events = journal.keys_by_course("events", keys)
    members = journal.keys_by_course("memberships", keys)
    gone = [k for k in keys if events[k] <= deleted_events and members[k] <= deleted_members]
    deleted_nodes = {nodes[k] for k in gone if k in nodes}
    for key in gone:
        yield Action(ActionType.DELETE_COURSE, key, course=created[key])
    for node in sorted(deleted_nodes):
        yield Action(ActionType.DELETE_HIERARCHY_NODE, node)
    for root in sorted(new_roots):
        if journal.child_nodes(root) <= deleted_nodes:
            yield Action(ActionType.DELETE_HIERARCHY_NODE, root)


# -- running an undo job -------------------------------------------------------------------
def prepare(jobs: JobStore, job: Job) -> list[Action]:
    """Check the undo is still allowed, compute its actions and store them (the job's plan)."""
    if job.undoes is None or job.reference_time is None:
        raise EdtTuiError(f"undo job {job.id} has no import to undo or no reference time")
    journal = UndoJournal(jobs.store.database)
    resumable = sorted(code.value for code in RESUMABLE)
    check(journal.facts(job.uai, job.undoes, resumable=resumable, undo_id=job.id), job.undoes)
    establishment = jobs.store.get_establishment(job.uai)
    freeze = establishment.freeze_minutes if establishment else 0
    boundary = frozen_until(job.reference_time, freeze)  # events before it stay as they are
    actions = inverse_actions(journal, job.uai, journal.applied(job.undoes), boundary)
    counts: dict[str, int] = {}
    for action in actions:
        counts[action.type.value] = counts.get(action.type.value, 0) + 1
    jobs.store_plan(job.id, actions, summary=counts, known={}, people={})
    return actions


def finish(jobs: JobStore, job: Job) -> None:
    """Once its actions are applied: the undone import's IDPN links put back, and the events
    and memberships the undo restored given back their own `updated_at` / `created_at`. One
    transaction, idempotent (a resumed undo runs it again)."""
    if job.undoes is None:
        raise EdtTuiError(f"undo job {job.id} has no import to undo")
    UndoJournal(jobs.store.database).finish_undo(job.uai, job.id, job.undoes)
