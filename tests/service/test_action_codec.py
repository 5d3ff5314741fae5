"""Stored actions decode to what was planned, in the compact form and in the older one."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from edt_tui.engine.model import (
    Action,
    ActionType,
    AudienceKind,
    CourseState,
    EventState,
    MembershipState,
    Role,
)
from edt_tui.service import action_codec

PARIS = ZoneInfo("Europe/Paris")
COURSE = "0490856P:2026-2027:MATHS:class:1G1"


def _event(start: datetime, end: datetime) -> EventState:
    return EventState(COURSE, start, end, "MATHS - 1G1", ("303", "B12"), ("aaf-1",))


def _stored(action: Action) -> Action:
    return action_codec.decode(action.type.value, action.key, action_codec.encode(action))


def test_membership_and_event_keep_only_what_their_key_does_not_say() -> None:
    member = MembershipState(COURSE, "aaf-0000978", Role.STUDENT)
    event = _event(
        datetime.fromisoformat("2026-09-14T17:25:00+02:00"),
        datetime.fromisoformat("2026-09-14T18:20:00+02:00"),
    )
    joined = Action(ActionType.CREATE_MEMBERSHIP, member.key, membership=member)
    created = Action(ActionType.CREATE_EVENT, event.key, event=event)
    assert action_codec.encode(joined) == '{"m":0}'
    assert action_codec.encode(created) == '{"e":[55,"MATHS - 1G1",["303","B12"],["aaf-1"]]}'
    assert _stored(joined) == joined
    assert _stored(created) == created


def test_an_end_that_minutes_cannot_say_is_kept_whole() -> None:
    """A session across the autumn clock change: its end has another offset."""
    start = datetime(2026, 10, 25, 1, 30, tzinfo=PARIS)
    event = _event(start, datetime(2026, 10, 25, 3, 30, tzinfo=PARIS))
    action = Action(ActionType.UPDATE_EVENT, event.key, event=event)
    assert event.end.isoformat() in action_codec.encode(action)
    decoded = _stored(action).event
    assert decoded is not None
    assert (decoded.end.isoformat(), decoded.start.isoformat()) == (
        event.end.isoformat(), event.start.isoformat()
    )


def test_values_the_key_does_not_name_are_kept_whole() -> None:
    member = MembershipState(COURSE, "aaf-1", Role.TEACHER)
    event = _event(datetime(2026, 9, 1, 8, tzinfo=PARIS), datetime(2026, 9, 1, 9, tzinfo=PARIS))
    odd = [
        Action(ActionType.DELETE_MEMBERSHIP, "another|key", membership=member),
        Action(ActionType.DELETE_EVENT, "another-key", event=event),
    ]
    for action in odd:
        assert _stored(action) == action
        assert COURSE in action_codec.encode(action)


def test_payloads_written_before_the_compact_form_still_decode() -> None:
    member = action_codec.decode(
        "create_membership", f"{COURSE}|student|aaf-9", f'{{"m":["{COURSE}","aaf-9","student"]}}'
    )
    assert member.membership == MembershipState(COURSE, "aaf-9", Role.STUDENT)
    old_event = (
        f'{{"e":["{COURSE}","2026-09-14T17:25:00+02:00","2026-09-14T18:20:00+02:00",'
        '"MATHS - 1G1",["303"],["aaf-1"]]}'
    )
    event = action_codec.decode("create_event", f"{COURSE}|2026-09-14T17:25:00+02:00", old_event)
    assert event.event is not None and event.event.rooms == ("303",)
    course = CourseState(COURSE, "MATHS - 1G1", "MATHS", AudienceKind.CLASS, "1G1", "2026-2027")
    action = Action(ActionType.CREATE_COURSE, COURSE, course=course)
    assert _stored(action) == action


def test_a_compact_payload_under_a_key_that_names_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="names no membership"):
        action_codec.decode("create_membership", "no-bars", '{"m":0}')
    with pytest.raises(ValueError, match="names no event"):
        action_codec.decode("create_event", "no-bars", '{"e":[55,"t",[],[]]}')
