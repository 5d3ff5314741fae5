"""Desired state vs what earlier imports left in the ENT → ordered, idempotent actions (§8)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from operator import attrgetter

from edt_tui.engine.desired import DesiredCourse
from edt_tui.engine.model import (
    ACTION_ORDER,
    Action,
    ActionType,
    CourseOrigin,
    EntState,
    EventState,
    MembershipState,
    Role,
)


def node_key(course_key: str) -> str:
    """Key of the course's hierarchy node action (under `Cours <year>`)."""
    return f"{course_key}|node"


_Member = tuple[str, bool]
"""(sync id, is teacher): compared as plain tuples — hashing enum members is slow at 10^5."""


def _membership_actions(
    course: DesiredCourse, have: Mapping[_Member, MembershipState], held: frozenset[str]
) -> list[Action]:
    wanted = {(user, True) for user in course.teachers} | {
        (user, False) for user in course.students
    }
    actions = []
    for user, is_teacher in wanted - have.keys():
        m = MembershipState(course.key, user, Role.TEACHER if is_teacher else Role.STUDENT)
        actions.append(Action(ActionType.CREATE_MEMBERSHIP, m.key, membership=m))
    for member in have.keys() - wanted:
        if member[0] in held:
            continue
        m = have[member]
        actions.append(Action(ActionType.DELETE_MEMBERSHIP, m.key, membership=m))
    return actions


@dataclass(frozen=True, slots=True)
class EntIndex:
    """What the ENT holds, by course: built once, read by the diff and by the guards."""

    memberships: Mapping[str, Mapping[_Member, MembershipState]]
    future: Mapping[str, Mapping[str, EventState]]
    """Events starting at or after the boundary (T, or the end of the freeze window), by key."""


def index_ent(ent: EntState, boundary: datetime) -> EntIndex:
    memberships: dict[str, dict[_Member, MembershipState]] = defaultdict(dict)
    for membership in ent.memberships:
        member = (membership.user, membership.role is Role.TEACHER)
        memberships[membership.course_key][member] = membership
    future: dict[str, dict[str, EventState]] = defaultdict(dict)
    for key, event in ent.events.items():
        if event.start >= boundary:
            future[event.course_key][key] = event
    return EntIndex(memberships, future)


def diff(
    courses: Iterable[DesiredCourse],
    ent: EntState,
    *,
    reference_time: datetime,
    key_prefix: str,
    held: frozenset[str] = frozenset(),
    index: EntIndex | None = None,
) -> tuple[Action, ...]:
    """Actions for selected courses and vanished ones (`key_prefix` = `<UAI>:<year>:`).

    Events starting before `reference_time` (T, or the end of the freeze window) are left alone.
    `held`: accounts whose relink is pending; their memberships and their place in existing
    events stay as they are (never deleted, never taken off an event). `index`: `index_ent(ent,
    reference_time)` when the caller already built it.
    """
    index = index or index_ent(ent, reference_time)
    memberships, future = index.memberships, index.future

    actions: list[Action] = []
    produced: set[str] = set()
    for course in courses:
        produced.add(course.key)
        existing = ent.courses.get(course.key)
        if existing is not None and existing.origin is CourseOrigin.MANUAL:
            continue
        if not course.selected:
            continue
        if existing is None:
            actions.append(Action(ActionType.CREATE_COURSE, course.key, course=course.state))
            actions.append(
                Action(ActionType.CREATE_HIERARCHY_NODE, node_key(course.key), course=course.state)
            )
        actions.extend(_membership_actions(course, memberships.get(course.key, {}), held))
        actions.extend(_event_actions(course, future.get(course.key, {}), reference_time, held))

    for key, state in ent.courses.items():
        if key in produced or state.origin is not CourseOrigin.INTEGRATION:
            continue
        if not key.startswith(key_prefix):
            continue
        actions.extend(
            Action(ActionType.DELETE_MEMBERSHIP, m.key, membership=m)
            for m in memberships.get(key, {}).values()
            if m.user not in held
        )
        actions.extend(
            Action(ActionType.DELETE_EVENT, k, event=e) for k, e in future.get(key, {}).items()
        )
    return order(actions)


def _event_actions(
    course: DesiredCourse, existing: Mapping[str, EventState], reference_time: datetime,
    held: frozenset[str],
) -> list[Action]:
    actions: list[Action] = []
    seen: set[str] = set()
    for event, key in zip(course.events, course.event_keys, strict=True):
        if event.start < reference_time:
            continue
        if not existing:
            actions.append(Action(ActionType.CREATE_EVENT, key, event=event))
            continue
        seen.add(key)
        old = existing.get(key)
        if old is None:
            actions.append(Action(ActionType.CREATE_EVENT, key, event=event))
            continue
        teachers = event.teachers
        if held and not held.isdisjoint(old.teachers):  # held teachers keep their place
            teachers = tuple(sorted(held.intersection(old.teachers).union(teachers)))
        if (old.end, old.rooms, old.teachers, old.title) != (
            event.end,
            event.rooms,
            teachers,
            event.title,
        ):
            if teachers is not event.teachers:
                event = replace(event, teachers=teachers)
            actions.append(Action(ActionType.UPDATE_EVENT, key, event=event))
    actions.extend(
        Action(ActionType.DELETE_EVENT, key, event=old)
        for key, old in existing.items()
        if key not in seen
    )
    return actions


def order(actions: Iterable[Action]) -> tuple[Action, ...]:
    """Dependency order (`ACTION_ORDER`), then by key: deterministic and resumable."""
    buckets: dict[ActionType, list[Action]] = {t: [] for t in ACTION_ORDER}
    for action in actions:
        buckets[action.type].append(action)
    by_key = attrgetter("key")
    return tuple(a for t in ACTION_ORDER for a in sorted(buckets[t], key=by_key))
