"""Desired state vs what earlier imports left in the ENT → ordered, idempotent actions (§8)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
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


def _desired_memberships(course: DesiredCourse) -> set[MembershipState]:
    key = course.key
    return {MembershipState(key, user, Role.TEACHER) for user in course.teachers} | {
        MembershipState(key, user, Role.STUDENT) for user in course.students
    }


def diff(
    courses: Iterable[DesiredCourse],
    ent: EntState,
    *,
    reference_time: datetime,
    key_prefix: str,
) -> tuple[Action, ...]:
    """Actions for selected courses and vanished ones (`key_prefix` = `<UAI>:<year>:`)."""
    memberships: dict[str, set[MembershipState]] = defaultdict(set)
    for membership in ent.memberships:
        memberships[membership.course_key].add(membership)
    future: dict[str, dict[str, EventState]] = defaultdict(dict)
    for key, event in ent.events.items():
        if event.start >= reference_time:
            future[event.course_key][key] = event

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
        wanted = _desired_memberships(course)
        have = memberships.get(course.key, set())
        actions.extend(
            Action(ActionType.CREATE_MEMBERSHIP, m.key, membership=m) for m in wanted - have
        )
        actions.extend(
            Action(ActionType.DELETE_MEMBERSHIP, m.key, membership=m) for m in have - wanted
        )
        actions.extend(_event_actions(course, future.get(course.key, {}), reference_time))

    for key, state in ent.courses.items():
        if key in produced or state.origin is not CourseOrigin.INTEGRATION:
            continue
        if not key.startswith(key_prefix):
            continue
        actions.extend(
            Action(ActionType.DELETE_MEMBERSHIP, m.key, membership=m)
            for m in memberships.get(key, ())
        )
        actions.extend(
            Action(ActionType.DELETE_EVENT, k, event=e) for k, e in future.get(key, {}).items()
        )
    return order(actions)


def _event_actions(
    course: DesiredCourse, existing: Mapping[str, EventState], reference_time: datetime
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
        elif (old.end, old.rooms, old.teachers, old.title) != (
            event.end,
            event.rooms,
            event.teachers,
            event.title,
        ):
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
