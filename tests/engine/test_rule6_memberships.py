"""Import rules §6: teachers by occurrence weeks, students on reference date D."""

from __future__ import annotations

from datetime import date, datetime

from edt_tui.engine.model import Profile

from .builders import PARIS, TimetableBuilder, course, plan_for, user, weeks

DIRECTORY = [
    user("u-t1", Profile.TEACHER, "DUPONT", "JEAN"),
    user("u-t2", Profile.TEACHER, "REMPLACANT", "ALAIN"),
    *(user(f"u-s{i}", Profile.STUDENT, f"ELEVE{i}", "X", date(2012, 5, 4)) for i in range(1, 9)),
]


def _base() -> TimetableBuilder:
    tt = (
        TimetableBuilder()
        .subject("1", "FRANCAIS", "FRANC")
        .school_class("c1", "3A", parts=("p1",))
        .school_class("c2", "3B", parts=("p2",))
        .teacher("t1", "DUPONT", "JEAN")
        .teacher("t2", "REMPLACANT", "ALAIN")
    )
    return tt


def _student(tt: TimetableBuilder, n: int, **kwargs: object) -> TimetableBuilder:
    return tt.student(f"s{n}", f"ELEVE{n}", "X", **kwargs)  # type: ignore[arg-type]


def test_rule6_substitute_teacher_of_one_session_is_a_member() -> None:
    tt = _base().session(
        "1",
        classes=[("c1", weeks(10, 14, 15))],
        teachers=[("t1", weeks(10, 14)), ("t2", weeks(15))],
    )
    assert course(plan_for(tt.build(), directory=DIRECTORY), "class:3A").teachers == {
        "u-t1",
        "u-t2",
    }


def test_rule6_teacher_of_past_weeks_only_is_still_a_member() -> None:
    tt = _base().session(
        "1", classes=[("c1", weeks(3, 14))], teachers=[("t1", weeks(14)), ("t2", weeks(3))]
    )
    assert course(plan_for(tt.build(), directory=DIRECTORY), "class:3A").teachers == {
        "u-t1",
        "u-t2",
    }


def test_rule6_teacher_outside_every_occurrence_week_is_not_a_member() -> None:
    tt = _base().session(
        "1",
        classes=[("c1", weeks(14, 15, 16, 1))],
        teachers=[
            ("t1", weeks(15)),
            ("t2", weeks(17, 1)),
        ],  # week 17: class absent; Mon wk 1 < DateDebut
        cancelled=weeks(15),
    )
    plan = plan_for(tt.build(), directory=DIRECTORY)
    assert course(plan, "class:3A").teachers == frozenset()


def test_rule6_class_students_on_d_membership_ended_before_d_or_starting_after_d() -> None:
    tt = _base().session("1", classes=["c1"])
    _student(tt, 1, classes=["c1"])
    _student(tt, 2, classes=[("c1", date(2026, 9, 1), date(2026, 11, 27))])  # left the day before D
    _student(tt, 3, classes=[("c1", date(2026, 11, 29), None)])  # arrives the day after D
    _student(
        tt,
        4,
        classes=[("c1", date(2026, 9, 1), date(2026, 11, 28)), ("c2", date(2026, 11, 29), None)],
    )
    _student(tt, 5, classes=[("c2", None, date(2026, 11, 27)), ("c1", date(2026, 11, 28), None)])
    plan = plan_for(tt.build(), directory=DIRECTORY)
    assert plan.reference_date == date(2026, 11, 28)
    assert course(plan, "class:3A").students == {"u-s1", "u-s4", "u-s5"}


def test_rule6_reference_date_is_the_start_of_the_year_when_t_is_earlier() -> None:
    tt = _base().session("1", classes=["c1"])
    _student(tt, 1, classes=[("c1", date(2026, 9, 1), None)])
    _student(tt, 2, classes=[("c1", None, date(2026, 8, 31))])
    plan = plan_for(tt.build(), directory=DIRECTORY, at=datetime(2026, 8, 20, 9, tzinfo=PARIS))
    assert plan.reference_date == date(2026, 9, 1)
    assert course(plan, "class:3A").students == {"u-s1"}


def test_rule6_group_students_through_classes_parts_and_direct_students() -> None:
    tt = (
        _base()
        .group("g1", "3ABLAT", classes=["c1"], parts=["p2"], students=["s4"])
        .session("1", groups=["g1"])
    )
    _student(tt, 1, classes=["c1"])
    _student(tt, 2, classes=["c2"], parts=["p2"])
    _student(tt, 3, classes=["c2"])  # in 3B but not in the part
    _student(tt, 4, classes=["c2"])  # listed in the group
    _student(tt, 5, classes=["c2"], parts=[("p2", None, date(2026, 10, 1))])  # left the part
    assert course(plan_for(tt.build(), directory=DIRECTORY), "group:3ABLAT").students == {
        "u-s1",
        "u-s2",
        "u-s4",
    }


def test_rule6_ulis_part_attached_to_the_session_joins_the_class_course() -> None:
    tt = _base().school_class("c3", "ULIS", parts=("pu",))
    tt.session("1", classes=["c1"], parts=[("pu", 0)])  # whatever the part's own mask
    _student(tt, 1, classes=["c1"])
    _student(tt, 2, classes=["c3"], parts=["pu"])
    _student(tt, 3, classes=["c3"])
    assert course(plan_for(tt.build(), directory=DIRECTORY), "class:3A").students == {
        "u-s1",
        "u-s2",
    }


def test_rule6_students_attached_to_a_session_join_every_course_it_produces() -> None:
    tt = _base().session("1", classes=["c1", "c2"], students=[("s3", weeks(40))])
    _student(tt, 1, classes=["c1"])
    _student(tt, 2, classes=["c2"])
    _student(tt, 3)
    plan = plan_for(tt.build(), directory=DIRECTORY)
    assert course(plan, "class:3A").students == {"u-s1", "u-s3"}
    assert course(plan, "class:3B").students == {"u-s2", "u-s3"}


def test_rule6_only_reconciled_people_become_members() -> None:
    tt = _base().teacher("t9", "INCONNU", "ZOE").session("1", classes=["c1"], teachers=["t1", "t9"])
    _student(tt, 1, classes=["c1"])
    tt.student("s9", "NOBODY", "NEMO", classes=["c1"])
    plan = plan_for(tt.build(), directory=DIRECTORY)
    found = course(plan, "class:3A")
    assert found.teachers == {"u-t1"} and found.students == {"u-s1"}
    assert found.unreconciled_teachers == {"t9"} and found.unreconciled_students == {"s9"}
