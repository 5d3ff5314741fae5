"""Reference semantics of actions: what the ENT looks like once they are applied (pure)."""

from __future__ import annotations

from collections.abc import Iterable

from edt_tui.engine.model import Action, ActionType, EntState


def apply_actions(state: EntState, actions: Iterable[Action]) -> EntState:
    """Apply idempotent upserts/deletes by key; hierarchy nodes do not change `EntState`."""
    courses = dict(state.courses)
    memberships = set(state.memberships)
    events = dict(state.events)
    for action in actions:
        if action.type is ActionType.CREATE_COURSE and action.course is not None:
            courses[action.course.key] = action.course
        elif action.type is ActionType.CREATE_MEMBERSHIP and action.membership is not None:
            memberships.add(action.membership)
        elif action.type is ActionType.DELETE_MEMBERSHIP and action.membership is not None:
            memberships.discard(action.membership)
        elif (
            action.type in (ActionType.CREATE_EVENT, ActionType.UPDATE_EVENT)
            and action.event is not None
        ):
            events[action.event.key] = action.event
        elif action.type is ActionType.DELETE_EVENT:
            events.pop(action.key, None)
        elif action.type is ActionType.DELETE_COURSE:
            courses.pop(action.key, None)
    return EntState(courses=courses, memberships=frozenset(memberships), events=events)
