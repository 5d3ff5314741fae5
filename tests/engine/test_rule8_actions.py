"""Import rules §8: the action plan against what earlier imports left in the ENT."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta

from edt_tui.engine.apply import apply_actions
from edt_tui.engine.model import (
    ACTION_ORDER,
    ActionType,
    AudienceKind,
    CourseOrigin,
    CourseState,
    EntState,
    EventState,
    MembershipState,
    Profile,
    Role,
)
from edt_tui.engine.plan import Plan
from edt_tui.engine.selection import Selection

from .builders import PARIS, UAI, T, TimetableBuilder, plan_for, user, weeks

DIRECTORY = [
    user("u-t1", Profile.TEACHER, "DUPONT", "JEAN"),
    user("u-s1", Profile.STUDENT, "ELEVE", "UN", date(2012, 5, 4)),
    user("u-s2", Profile.STUDENT, "ELEVE", "DEUX", date(2012, 5, 4)),
]
KEY_3A = f"{UAI}:2026-2027:FRANCAIS:class:3A"
KEY_3B = f"{UAI}:2026-2027:FRANCAIS:class:3B"
FIVE_WEEKS = weeks(11, 12, 13, 14, 15)  # T falls in week 13


def _export(
    classes: tuple[str, ...] = ("c1", "c2"), room: str = "r1", left: date | None = None
) -> TimetableBuilder:
    tt = (
        TimetableBuilder()
        .subject("1", "FRANCAIS", "FRANC")
        .school_class("c1", "3A")
        .school_class("c2", "3B")
        .teacher("t1", "DUPONT", "JEAN")
        .room("r1", "101")
        .room("r2", "LABO")
        .student("s1", "ELEVE", "UN", classes=[("c1", None, left)])
        .student("s2", "ELEVE", "DEUX", classes=["c2"])
    )
    return tt.session(
        "1", day=1, classes=[(c, FIVE_WEEKS) for c in classes], teachers=["t1"], rooms=[room]
    )


def _counts(plan: Plan) -> dict[str, int]:
    counts = Counter(a.type.value for a in plan.actions)
    return dict(sorted(counts.items()))


def _imported(plan: Plan, ent: EntState | None = None) -> EntState:
    return apply_actions(ent or EntState({}, frozenset(), {}), plan.actions)


def test_rule8_first_import_creates_courses_nodes_memberships_and_future_events_in_order() -> None:
    plan = plan_for(_export().build(), directory=DIRECTORY)
    # weeks 14 and 15 are after T (Monday of week 13 is before); 2 courses.
    assert _counts(plan) == {
        "create_course": 2,
        "create_event": 4,
        "create_hierarchy_node": 2,
        "create_membership": 4,
    }
    ranks = [ACTION_ORDER.index(a.type) for a in plan.actions]
    assert ranks == sorted(ranks)
    node = next(a for a in plan.actions if a.type is ActionType.CREATE_HIERARCHY_NODE)
    assert node.course is not None and node.course.hierarchy_parent == "Cours 2026-2027"
    assert plan.summary["courses_created"] == 2 and plan.summary["events_created"] == 4


def test_rule8_replan_after_import_is_empty() -> None:
    tt = _export().build()
    first = plan_for(tt, directory=DIRECTORY)
    second = plan_for(tt, directory=DIRECTORY, ent=_imported(first))
    assert second.actions == ()
    later = plan_for(tt, directory=DIRECTORY, ent=_imported(first), at=T + timedelta(days=3))
    assert later.actions == ()  # time passing alone changes nothing


def test_rule8_changed_room_updates_future_events_only() -> None:
    ent = _imported(
        plan_for(_export().build(), directory=DIRECTORY, at=datetime(2026, 9, 1, tzinfo=PARIS))
    )
    plan = plan_for(_export(room="r2").build(), directory=DIRECTORY, ent=ent)
    assert _counts(plan) == {"update_event": 4}
    assert all(
        a.event is not None and a.event.start >= T and a.event.rooms == ("LABO",)
        for a in plan.actions
    )


def test_rule8_removed_week_deletes_the_future_event_and_never_a_past_one() -> None:
    ent = _imported(
        plan_for(_export().build(), directory=DIRECTORY, at=datetime(2026, 9, 1, tzinfo=PARIS))
    )
    tt = _export(classes=())
    tt.session(
        "1", day=1, classes=[("c1", weeks(14)), ("c2", weeks(14))], teachers=["t1"], rooms=["r1"]
    )
    plan = plan_for(tt.build(), directory=DIRECTORY, ent=ent)
    deleted = [
        a.event.start.date() for a in plan.actions if a.type is ActionType.DELETE_EVENT and a.event
    ]
    assert deleted == [date(2026, 12, 7), date(2026, 12, 7)]  # week 15; weeks 11-13 are past
    assert _counts(plan) == {"delete_event": 2}


def test_rule8_student_who_left_loses_the_membership() -> None:
    ent = _imported(plan_for(_export().build(), directory=DIRECTORY))
    plan = plan_for(_export(left=date(2026, 11, 20)).build(), directory=DIRECTORY, ent=ent)
    [action] = plan.actions
    assert action.type is ActionType.DELETE_MEMBERSHIP
    assert action.membership == MembershipState(KEY_3A, "u-s1", Role.STUDENT)


def test_rule8_vanished_course_loses_future_events_and_members_but_is_kept() -> None:
    ent = _imported(
        plan_for(_export().build(), directory=DIRECTORY, at=datetime(2026, 9, 1, tzinfo=PARIS))
    )
    plan = plan_for(_export(classes=("c1",)).build(), directory=DIRECTORY, ent=ent)
    assert _counts(plan) == {"delete_event": 2, "delete_membership": 2}
    assert {a.key.split("|")[0] for a in plan.actions} == {KEY_3B}
    after = apply_actions(ent, plan.actions)
    assert KEY_3B in after.courses
    assert [e.start.date() for e in after.events.values() if e.course_key == KEY_3B] == [
        date(2026, 11, 9),
        date(2026, 11, 16),
        date(2026, 11, 23),
    ]
    assert plan_for(_export(classes=("c1",)).build(), directory=DIRECTORY, ent=after).actions == ()


def test_rule8_deactivated_course_is_left_untouched() -> None:
    ent = _imported(plan_for(_export().build(), directory=DIRECTORY))
    selection = Selection.default().with_course(KEY_3B, False)
    plan = plan_for(
        _export(room="r2", left=date(2026, 11, 1)).build(),
        directory=DIRECTORY,
        ent=ent,
        selection=selection,
    )
    assert plan.actions and all(not a.key.startswith(KEY_3B) for a in plan.actions)
    fresh = plan_for(_export().build(), directory=DIRECTORY, selection=selection)
    assert all(not a.key.startswith(KEY_3B) for a in fresh.actions)


def test_rule8_manual_course_is_never_touched() -> None:
    manual = CourseState(
        KEY_3B,
        "FRANCAIS - 3 B",
        "FRANCAIS",
        AudienceKind.CLASS,
        "3 B",
        "2026-2027",
        CourseOrigin.MANUAL,
    )
    other = replace(manual, key=f"{UAI}:2026-2027:CLUB:group:ECHECS", label="Club échecs")
    event = EventState(other.key, T + timedelta(days=2), T + timedelta(days=2, hours=1), "Club")
    ent = EntState(
        courses={manual.key: manual, other.key: other},
        memberships=frozenset(
            {
                MembershipState(manual.key, "u-x", Role.STUDENT),
                MembershipState(other.key, "u-x", Role.STUDENT),
            }
        ),
        events={event.key: event},
    )
    plan = plan_for(_export().build(), directory=DIRECTORY, ent=ent)
    assert all(not a.key.startswith((KEY_3B, other.key)) for a in plan.actions)
    assert any(a.key.startswith(KEY_3A) for a in plan.actions)


def test_rule8_courses_of_another_school_year_are_not_cleaned_up() -> None:
    old = CourseState(
        f"{UAI}:2025-2026:FRANCAIS:class:3A",
        "FRANCAIS - 3 A",
        "FRANCAIS",
        AudienceKind.CLASS,
        "3 A",
        "2025-2026",
    )
    ent = EntState({old.key: old}, frozenset({MembershipState(old.key, "u-s1", Role.STUDENT)}), {})
    plan = plan_for(_export().build(), directory=DIRECTORY, ent=ent)
    assert all(not a.key.startswith(old.key) for a in plan.actions)


def test_rule8_interrupted_import_resumes_without_duplicates() -> None:
    tt = _export().build()
    first = plan_for(tt, directory=DIRECTORY)
    half = apply_actions(EntState({}, frozenset(), {}), first.actions[: len(first.actions) // 2])
    resumed = plan_for(tt, directory=DIRECTORY, ent=half)
    done = apply_actions(half, resumed.actions)
    assert done == _imported(first)
    # replaying the same actions twice changes nothing either (idempotent by key)
    assert apply_actions(done, first.actions) == done
