"""Property: on random small timetables the engine agrees with a naive reading of the rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edt_tui.engine.apply import apply_actions
from edt_tui.engine.model import (
    EntState,
    Profile,
    ReferentialClass,
    ReferentialSubject,
    UserSource,
)

from .builders import ALL_WEEKS, PARIS, UAI, TimetableBuilder, plan_for, user
from .oracle import oracle_courses

SUBJECTS = [
    ("1", "Français", "FRANC"),
    ("2", "MATHS", "MATHS"),
    ("3", "LATIN", "LAT"),
    ("4", "FRANCAIS", "FR2"),
]
REF_SUBJECTS = [
    ReferentialSubject("FRANCAIS", "FRANC"),
    ReferentialSubject("Mathématiques", "MATHS"),
]
CLASSES = [("c1", "3 A", ("p1",)), ("c2", "3B", ("p2",)), ("c3", "3A", ()), ("c4", "6Z", ())]
REF_CLASSES = [ReferentialClass("3A"), ReferentialClass("3 B")]
GROUPS = [("g1", "LAT 3AB", ("c1", "c2"), (), ()), ("g2", "ESP", (), ("p1", "p2"), ("s5",))]
TEACHERS = [
    ("t1", "LE GALL", "Hélène"),
    ("t2", "MARTIN", "PAUL"),
    ("t3", "DURAND", "ANNE"),
    ("t4", "MARTIN", "PAUL"),
]
STUDENTS = [(f"s{i}", f"ELEVE{i % 5}", "Zoé", date(2012, 1, 1 + i % 3)) for i in range(1, 9)]

week_masks = st.integers(min_value=0, max_value=(1 << 56) - 1)
short_masks = st.sets(st.integers(min_value=0, max_value=55), max_size=8).map(
    lambda ws: sum(1 << w for w in ws)
)
masks = st.one_of(week_masks, short_masks, st.just(ALL_WEEKS))
day_offsets = st.one_of(st.none(), st.integers(min_value=-60, max_value=300))


def _dated(idents: list[str], draw: st.DrawFn) -> list[tuple[str, date | None, date | None]]:
    out = []
    for ident in idents:
        a, b = draw(day_offsets), draw(day_offsets)
        start = date(2026, 9, 1) + timedelta(days=a) if a is not None else None
        end = date(2026, 9, 1) + timedelta(days=b) if b is not None else None
        out.append((ident, start, end))
    return out


@st.composite
def scenarios(draw: st.DrawFn) -> tuple:
    tt = TimetableBuilder()
    for ident, label, code in SUBJECTS:
        tt.subject(ident, label, code)
    for ident, name, parts in CLASSES:
        tt.school_class(ident, name, parts=parts)
    for ident, name, classes, parts, students in GROUPS:
        tt.group(ident, name, classes=classes, parts=parts, students=students)
    for ident, last, first in TEACHERS:
        tt.teacher(ident, last, first)
    tt.teacher("t5", "PETIT", "LUC", idcas="lpetit")
    tt.room("r1", "101").room("r2", "LABO")
    for ident, last, first, birth in STUDENTS:
        class_refs = draw(st.lists(st.sampled_from(["c1", "c2", "c3"]), max_size=2, unique=True))
        part_refs = draw(st.lists(st.sampled_from(["p1", "p2"]), max_size=1))
        tt.student(
            ident,
            last,
            first,
            birth,
            classes=_dated(class_refs, draw),
            parts=_dated(part_refs, draw),
        )
    item_ids = {
        "teachers": ["t1", "t5", "t2", "t3", "t4", "t9"],
        "classes": ["c1", "c2", "c3", "c4", "c9"],
        "groups": ["g1", "g2"],
        "parts": ["p1", "p2"],
        "rooms": ["r1", "r2", "r9"],
        "students": ["s1", "s2", "s9"],
    }
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        refs = {
            kind: [
                (i, draw(masks))
                for i in draw(st.lists(st.sampled_from(ids), max_size=2, unique=True))
            ]
            for kind, ids in item_ids.items()
        }
        tt.session(
            draw(st.sampled_from(["1", "2", "3", "4", "9"])),
            day=draw(st.integers(min_value=1, max_value=7)),
            slot=draw(st.integers(min_value=0, max_value=10)),
            count=draw(st.integers(min_value=1, max_value=3)),
            cancelled=draw(st.one_of(st.just(0), short_masks)),
            **refs,
        )
    directory = [
        user("u-t1", Profile.TEACHER, "Le Gall", "HELENE"),
        user("u-t2", Profile.TEACHER, "MARTIN", "Paul"),  # t2 and t4 share it: both unreconciled
        user("u-t3", Profile.TEACHER, "DURAND", "ANNE", source=UserSource.MANUAL),
        user("u-t5", Profile.TEACHER, "PETIT-DUPONT", "Lucien", cas="lpetit"),
    ] + [
        user(f"u-{ident}", Profile.STUDENT, last, first.upper(), birth)
        for ident, last, first, birth in STUDENTS
        if draw(st.booleans())
    ]
    at = datetime(2026, 9, 1, 8, tzinfo=PARIS) + timedelta(hours=draw(st.integers(0, 24 * 300)))
    return tt.build(), directory, at


@settings(max_examples=70, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_rules_4_to_7_engine_agrees_with_a_naive_reading(scenario: tuple) -> None:
    timetable, directory, at = scenario
    plan = plan_for(
        timetable, directory=directory, subjects=REF_SUBJECTS, classes=REF_CLASSES, at=at
    )
    expected = oracle_courses(
        timetable,
        uai=UAI,
        zone="Europe/Paris",
        reference_time=at,
        directory=directory,
        subjects=REF_SUBJECTS,
        classes=REF_CLASSES,
    )
    got = {
        c.key: {
            "label": c.label,
            "teachers": set(c.teachers),
            "students": set(c.students),
            "events": {e.start: (e.end, e.rooms, e.teachers) for e in c.future_events(at)},
        }
        for c in plan.selected_courses
    }
    assert got == expected
    assert plan.action_counts["create_course"] == len(expected)
    assert plan.action_counts["create_event"] == sum(len(c["events"]) for c in expected.values())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), scenarios())
def test_rule8_any_import_over_any_earlier_one_converges_and_keeps_the_past(
    before: tuple, after: tuple
) -> None:
    old_tt, old_directory, old_at = before
    new_tt, directory, at = after
    at = max(at, old_at)
    first = plan_for(
        old_tt, directory=old_directory, subjects=REF_SUBJECTS, classes=REF_CLASSES, at=old_at
    )
    ent = apply_actions(EntState({}, frozenset(), {}), first.actions)
    second = plan_for(
        new_tt, directory=directory, subjects=REF_SUBJECTS, classes=REF_CLASSES, ent=ent, at=at
    )
    final = apply_actions(ent, second.actions)
    again = plan_for(
        new_tt, directory=directory, subjects=REF_SUBJECTS, classes=REF_CLASSES, ent=final, at=at
    )
    assert again.actions == ()
    past = {k: e for k, e in ent.events.items() if e.start < at}
    assert {k: e for k, e in final.events.items() if e.start < at} == past
    wanted = {c.key: c for c in second.selected_courses}
    for key, course in wanted.items():
        future = {e.key: e for e in final.events.values() if e.course_key == key and e.start >= at}
        assert future == {e.key: e for e in course.future_events(at)}
        members = {(m.user, m.role.value) for m in final.memberships if m.course_key == key}
        assert members == {(u, "teacher") for u in course.teachers} | {
            (u, "student") for u in course.students
        }
    produced = {c.key for c in second.courses}
    for key in set(ent.courses) - produced:  # vanished: no future events, no members, kept
        assert key in final.courses
        assert not any(e.course_key == key and e.start >= at for e in final.events.values())
        assert not any(m.course_key == key for m in final.memberships)
