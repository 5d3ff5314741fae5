"""The ENT of one establishment and school year as it was just before a job ran, rebuilt.

A helpdesk replays a customer's import against the ENT the job saw. Rather than a full copy of
the ENT at every enqueue (megabytes per job, for every daily automatic import), the ENT now is
walked back: every job of the establishment from the newest down to that one has its successful
actions undone, newest first. Creates are removed, deletes put back (their payload is the deleted
value), updates restored from the value they replaced (`job_actions.prior`, recorded when the
action was applied; `previous_json` for jobs planned before it existed), and the IDPN links a job
stored replaced by those it overwrote (`import_jobs.links_before_json`). Failed and
pending actions changed nothing and are skipped. What is not rebuilt: directory and referential
changes made outside imports (CSV loads), and ENT objects changed by hand after the job.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from edt_tui.engine.model import ActionType, EntState, EventState, MembershipState
from edt_tui.service import action_codec
from edt_tui.service.job_records import Job
from edt_tui.service.jobs import JobStore
from edt_tui.storage.undo_journal import Applied, UndoJournal, event_before

Link = tuple[str, str, str | None]
"""`(idpn, method, validated_by)`."""


@dataclass(frozen=True, slots=True)
class Before:
    ent: EntState
    links: Mapping[str, Link | None]
    """The IDPN links that differ from now (None: the account had no link)."""
    gaps: tuple[str, ...] = field(default=())
    """What could not be rebuilt exactly (jobs recorded before their replaced values were)."""


class _Rewind:
    def __init__(self, ent: EntState, prefix: str) -> None:
        self.prefix = prefix
        self.courses = dict(ent.courses)
        self.memberships: dict[str, MembershipState] = {m.key: m for m in ent.memberships}
        self.events: dict[str, EventState] = dict(ent.events)
        self.missing_previous = 0

    def undo(self, applied: Applied) -> None:
        action, previous, prior = applied.action, applied.previous, applied.prior
        kind = action.type
        course_key = (
            action.course.key if action.course else
            action.membership.course_key if action.membership else
            action.event.course_key if action.event else ""
        )
        if not course_key.startswith(self.prefix):
            return  # another school year: not part of this state
        if kind is ActionType.CREATE_COURSE:
            self.courses.pop(action.key, None)
        elif kind is ActionType.DELETE_COURSE and action.course is not None:
            self.courses[action.key] = action.course  # an undo deleted it
        elif kind is ActionType.CREATE_MEMBERSHIP:
            self.memberships.pop(action.key, None)
        elif kind is ActionType.DELETE_MEMBERSHIP and action.membership is not None:
            self.memberships[action.key] = action.membership
        elif kind is ActionType.CREATE_EVENT:
            self.events.pop(action.key, None)
        elif kind is ActionType.DELETE_EVENT and action.event is not None:
            self.events[action.key] = action.event
        elif kind is ActionType.UPDATE_EVENT and prior is not None:
            if prior:
                self.events[action.key] = event_before(action, prior)
            else:
                self.events.pop(action.key, None)  # the update created it
        elif kind is ActionType.UPDATE_EVENT:
            if previous is None:
                self.missing_previous += 1
                return
            old = action_codec.decode(kind.value, action.key, previous).event
            if old is not None:
                self.events[action.key] = old

    def state(self) -> EntState:
        return EntState(
            courses=self.courses, memberships=frozenset(self.memberships.values()),
            events=self.events,
        )


def state_before(jobs: JobStore, job: Job, school_year: str) -> Before:
    """The ENT (`school_year`) and IDPN links of `job.uai` just before `job` ran."""
    store = jobs.store
    rewind = _Rewind(store.ent_state(job.uai, school_year), f"{job.uai}:{school_year}:")
    links: dict[str, Link | None] = {}
    gaps: list[str] = []
    for job_id, status, links_json, people_json in UndoJournal(store.database).rewind(
        job.uai, job.seq, rewind.undo
    ):
        if links_json:
            for sync_id, link in json.loads(links_json).items():
                links[sync_id] = tuple(link[:3]) if link else None  # type: ignore[assignment]
        elif status == "done" and json.loads(people_json or "{}").get("idpn_links"):
            gaps.append(f"IDPN links stored by job {job_id} (their earlier values were not kept)")
    if rewind.missing_previous:
        gaps.append(f"{rewind.missing_previous} updated events (earlier values not kept)")
    return Before(rewind.state(), links, tuple(gaps))
