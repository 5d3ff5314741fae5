"""Import rules §4: which courses a session produces, their labels, keys and selection."""

from __future__ import annotations

from edt_tui.engine.courses import IgnoreReason
from edt_tui.engine.model import AudienceKind, ReferentialClass, ReferentialSubject
from edt_tui.engine.selection import Selection, SubjectChoice
from edt_tui.reasons import ReasonCode, reason

from .builders import UAI, TimetableBuilder, plan_for


def _base() -> TimetableBuilder:
    return (
        TimetableBuilder()
        .subject("1", "FRANCAIS", "FRANC")
        .subject("2", "LCA LATIN", "LCALA")
        .school_class("c1", "3A", parts=("p1",))
        .school_class("c2", "3B")
        .teacher("t1", "DUPONT", "JEAN")
        .room("r1", "101")
    )


def test_rule4_two_classes_attached_directly_give_two_courses() -> None:
    plan = plan_for(_base().session("1", classes=["c1", "c2"], teachers=["t1"]).build())
    assert sorted(c.key for c in plan.courses) == [
        f"{UAI}:2026-2027:FRANCAIS:class:3A",
        f"{UAI}:2026-2027:FRANCAIS:class:3B",
    ]
    assert sorted(c.label for c in plan.courses) == ["FRANCAIS - 3 A", "FRANCAIS - 3 B"]


def test_rule4_group_of_two_classes_gives_one_course() -> None:
    tt = _base().group("g1", "3AB LATIN", classes=["c1", "c2"]).session("2", groups=["g1"]).build()
    plan = plan_for(tt, add_unknown_subjects=True)
    assert [(c.key, c.label) for c in plan.courses] == [
        (f"{UAI}:2026-2027:LCALATIN:group:3ABLATIN", "LCA LATIN - 3AB LATIN")
    ]
    assert plan.courses[0].state.audience_kind is AudienceKind.GROUP


def test_rule4_class_and_group_on_one_session_give_a_course_each() -> None:
    tt = _base().group("g1", "3BDLATIN", classes=["c2"]).session("1", classes=["c1"], groups=["g1"])
    plan = plan_for(tt.build())
    assert sorted(c.label for c in plan.courses) == ["FRANCAIS - 3 A", "FRANCAIS - 3BDLATIN"]


def test_rule4_class_part_only_session_is_ignored_and_reported() -> None:
    tt = _base().student("s1", "A", "B", parts=["p1"]).session("1", parts=["p1"], teachers=["t1"])
    tt.session("1", students=["s1"])
    plan = plan_for(tt.build())
    assert plan.courses == ()
    reasons = [(i.reason, i.subject, i.session) for i in plan.ignored_sessions]
    assert reasons == [
        (IgnoreReason.CLASS_PART_ONLY, "FRANCAIS", 1),
        (IgnoreReason.CLASS_PART_ONLY, "FRANCAIS", 2),
    ]
    assert "#1" in plan.ignored_sessions[0].detail and "line 101" in plan.ignored_sessions[0].detail
    assert plan.ignored_sessions[0].why == reason(ReasonCode.CLASS_PART_ONLY, session=1, line=101)


def test_rule4_subject_only_session_is_ignored_silently() -> None:
    plan = plan_for(_base().session("1").session("1", teachers=["t1"], rooms=["r1"]).build())
    assert plan.courses == () and plan.ignored_sessions == ()


def test_rule4_unknown_reference_skips_the_item_only() -> None:
    tt = _base().session("1", classes=["c1", "c9"], teachers=["t1", "t9"], rooms=["r1", "r9"])
    plan = plan_for(tt.build())
    assert [c.label for c in plan.courses] == ["FRANCAIS - 3 A"]
    details = [i.detail for i in plan.ignored_sessions]
    assert all(i.reason is IgnoreReason.UNKNOWN_REFERENCE for i in plan.ignored_sessions)
    assert len(details) == 3
    assert any("'c9'" in d for d in details) and any("'t9'" in d for d in details)
    assert {(i.why.code, i.why.params["kind"], i.why.params["ident"])
            for i in plan.ignored_sessions} == {
        (ReasonCode.UNDECLARED_ITEM, "Classe", "c9"),
        (ReasonCode.UNDECLARED_ITEM, "Professeur", "t9"),
        (ReasonCode.UNDECLARED_ITEM, "Salle", "r9"),
    }
    event = plan.courses[0].events[0]
    assert event.rooms == ("101",)


def test_rule4_undeclared_subject_skips_the_session_and_is_reported() -> None:
    plan = plan_for(_base().session("99", classes=["c1"]).build())
    assert plan.courses == ()
    [ignored] = plan.ignored_sessions
    assert ignored.reason is IgnoreReason.UNKNOWN_REFERENCE and "'99'" in ignored.detail
    assert (ignored.why.code, ignored.why.params["ident"]) == (ReasonCode.UNDECLARED_SUBJECT, "99")


def test_rule4_two_export_subjects_with_the_same_label_are_one_course() -> None:
    tt = _base().subject("3", "Français", "FR2")
    tt.session("1", classes=["c1"], day=1).session("3", classes=["c1"], day=2)
    plan = plan_for(tt.build())
    [only] = plan.courses
    assert only.key == f"{UAI}:2026-2027:FRANCAIS:class:3A"
    assert {e.start.isoweekday() for e in only.events} == {1, 2}


def test_rule4_label_and_key_use_ent_names_when_matched_else_export_names() -> None:
    tt = _base().school_class("c3", "6 Z").session("1", classes=["c1", "c3"]).build()
    plan = plan_for(
        tt,
        subjects=[ReferentialSubject("Français", "FRANC")],
        classes=[ReferentialClass("3 A")],
        activate_unmatched_classes=True,
    )
    labels = sorted((c.label, c.state.subject, c.state.audience_name) for c in plan.courses)
    assert labels == [("Français - 3 A", "Français", "3 A"), ("Français - 6 Z", "Français", "6 Z")]
    assert sorted(c.key for c in plan.courses) == [
        f"{UAI}:2026-2027:FRANCAIS:class:3A",
        f"{UAI}:2026-2027:FRANCAIS:class:6Z",
    ]


def test_rule4_course_exists_even_without_future_occurrences() -> None:
    from .builders import weeks

    plan = plan_for(_base().session("1", classes=[("c1", weeks(1, 2))]).build())
    [only] = plan.courses
    assert only.events and only.future_events(plan.reference_time) == ()
    assert only.selected


def test_rule4_course_selected_only_when_subject_and_audience_active_and_not_deactivated() -> None:
    tt = _base().school_class("c3", "6 Z").session("1", classes=["c1", "c2", "c3"])
    tt.session("2", classes=["c1"])
    key_3b = f"{UAI}:2026-2027:FRANCAIS:class:3B"
    plan = plan_for(tt.build(), selection=Selection.default().with_course(key_3b, False))
    selected = {c.label: c.selected for c in plan.courses}
    assert selected == {
        "FRANCAIS - 3 A": True,
        "FRANCAIS - 3 B": False,  # deactivated in the course list
        "FRANCAIS - 6 Z": False,  # unmatched class
        "LCA LATIN - 3 A": False,  # unrecognised subject
    }
    off = plan_for(
        tt.build(), selection=Selection.default().with_subject("FRANCAIS", SubjectChoice.INACTIVE)
    )
    assert not any(c.selected for c in off.courses)


def test_rule4_sessions_are_reported_as_ignored_whatever_the_selection() -> None:
    tt = _base().session("1", parts=["p1"]).build()
    off = Selection.default().with_subject("FRANCAIS", SubjectChoice.INACTIVE)
    assert len(plan_for(tt, selection=off).ignored_sessions) == 1
