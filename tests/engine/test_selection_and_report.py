"""The selection value (stored and re-applied) and the `plan --json` contract document."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edt_tui.engine.model import Profile
from edt_tui.engine.selection import (
    PersonChoice,
    PersonDecision,
    Selection,
    SubjectChoice,
    person_key,
)
from tests.engine.builders import contract_json

from .builders import TimetableBuilder, plan_for, user, weeks

keys = st.text(min_size=1, max_size=12)


@given(
    subjects=st.dictionaries(keys, st.sampled_from(SubjectChoice)),
    classes=st.dictionaries(keys, st.booleans()),
    groups=st.dictionaries(keys, st.booleans()),
    courses=st.frozensets(keys),
    people=st.dictionaries(
        keys,
        st.builds(PersonDecision, st.sampled_from(PersonChoice), st.none() | keys),
    ),
)
def test_selection_round_trips_through_json(
    subjects: dict, classes: dict, groups: dict, courses: frozenset, people: dict
) -> None:
    selection = Selection.default()
    for k, v in subjects.items():
        selection = selection.with_subject(k, v)
    for k, b in classes.items():
        selection = selection.with_class(k, b)
    for k, b in groups.items():
        selection = selection.with_group(k, b)
    for k in courses:
        selection = selection.with_course(k, False)
    for k, d in people.items():
        selection = selection.with_person(k, d)
    restored = Selection.from_dict(json.loads(json.dumps(selection.to_dict())))
    assert restored == selection
    assert dict(restored.subjects) == subjects and restored.deactivated_courses == courses


def test_selection_is_immutable_and_person_keys_prefer_the_idpn() -> None:
    base = Selection.default()
    changed = base.with_course("K", False)
    assert base.deactivated_courses == frozenset() and changed.deactivated_courses == {"K"}
    assert changed.with_course("K", True).deactivated_courses == frozenset()
    with pytest.raises(TypeError):
        changed.subjects["X"] = SubjectChoice.ACTIVE  # type: ignore[index]
    assert person_key(Profile.STUDENT, "12", "ABCDEF0123456789") == "ABCDEF0123456789"
    assert person_key(Profile.TEACHER, "12", None) == "teacher:12"
    forgotten = base.with_person("p", PersonDecision(PersonChoice.REFUSE)).with_person("p", None)
    assert forgotten.people == {}


def test_selection_from_dict_rejects_unknown_format_and_values() -> None:
    with pytest.raises(ValueError):
        Selection.from_dict({"format": 99})
    with pytest.raises(ValueError):
        Selection.from_dict({"format": 1, "subjects": {"X": "maybe"}})


def test_selection_of_a_manual_import_reapplies_on_a_newer_export() -> None:
    """Decisions are keyed by natural keys, so new idents in a newer export keep them."""
    old = TimetableBuilder().subject("1", "LATIN").school_class("c1", "3A").build()
    new = TimetableBuilder().subject("77", "Latin").school_class("c9", "3 A").build()
    selection = (
        Selection.default().with_subject("LATIN", SubjectChoice.ADDED).with_class("3A", False)
    )
    for tt in (old, new):
        plan = plan_for(tt, classes=[])
        assert plan.subjects[0].active is False
        plan = plan_for(tt, classes=[], selection=selection)
        assert plan.subjects[0].active and not plan.classes[0].active


def test_contract_json_has_exactly_the_contract_fields() -> None:
    tt = (
        TimetableBuilder()
        .subject("1", "FRANCAIS", "FRANC")
        .school_class("c1", "3A", parts=("p1",))
        .school_class("c2", "3B")
        .teacher("t1", "DUPONT", "JEAN")
        .teacher("t2", "ZORRO", "ZED")
        .room("r1", "B12")
        .room("r2", "A01")
        .student("s1", "ELEVE", "UN", date(2012, 5, 4), classes=["c1"])
        .student("s2", "ABSENT", "DEUX", None, classes=["c1"])
        .session("1", classes=[("c1", weeks(13, 14))], teachers=["t1"], rooms=["r1", "r2"])
        .session("1", classes=["c2"], slot=1)
        .session("1", parts=["p1"])
        .build()
    )
    directory = [
        user("u-t1", Profile.TEACHER, "DUPONT", "JEAN"),
        user("u-s1", Profile.STUDENT, "ELEVE", "UN", date(2012, 5, 4)),
    ]
    key_3b = "0490856P:2026-2027:FRANCAIS:class:3B"
    doc = contract_json(
        plan_for(tt, directory=directory, selection=Selection.default().with_course(key_3b, False))
    )
    json.dumps(doc)  # JSON-safe
    assert list(doc) == [
        "uai",
        "school_year",
        "reference_time",
        "courses",
        "ignored_sessions",
        "people",
        "actions",
        "frozen_until",
        "freeze_minutes",
        "guard",
    ]
    assert (doc["frozen_until"], doc["freeze_minutes"]) == ("2026-11-28T12:00:00+01:00", 0)
    assert doc["guard"]["mass_deletion"] is False
    assert (doc["uai"], doc["school_year"]) == ("0490856P", "2026-2027")
    assert doc["reference_time"] == "2026-11-28T12:00:00+01:00"
    [course] = doc["courses"]  # 3B is deactivated: selected courses only
    assert course == {
        "key": "0490856P:2026-2027:FRANCAIS:class:3A",
        "label": "FRANCAIS - 3 A",
        "subject": "FRANCAIS",
        "audience": {"kind": "class", "name": "3 A"},
        "teachers": ["u-t1"],
        "students": ["u-s1"],
        "events": [
            {
                "start": "2026-11-30T08:00:00+01:00",
                "end": "2026-11-30T08:55:00+01:00",
                "rooms": ["A01", "B12"],
                "teachers": ["u-t1"],
            }
        ],
    }
    assert [(i["reason"], i["subject"]) for i in doc["ignored_sessions"]] == [
        ("class_part_only", "FRANCAIS")
    ]
    assert doc["people"] == {
        "teachers": {
            "reconciled": 1,
            "relink_pending": 0,
            "unreconciled": [{"last_name": "ZORRO", "first_name": "ZED", "birth_date": None}],
        },
        "students": {
            "reconciled": 1,
            "relink_pending": 0,
            "unreconciled": [{"last_name": "ABSENT", "first_name": "DEUX", "birth_date": None}],
        },
    }
    assert doc["actions"] == {
        "create_course": 1,
        "create_membership": 2,
        "delete_membership": 0,
        "create_event": 1,
        "update_event": 0,
        "delete_event": 0,
    }


def test_steps_document_lists_every_course_and_person_with_reasons() -> None:
    from tests.engine.builders import steps_json

    tt = (
        TimetableBuilder()
        .subject("1", "FRANCAIS", "FRANC")
        .subject("2", "LATIN")
        .school_class("c1", "3A")
        .student("s1", "DALIAOUI", "YASMINE", date(2012, 5, 4), classes=["c1"])
        .session("1", classes=["c1"])
        .session("2", classes=["c1"])
        .build()
    )
    directory = [user("u1", Profile.STUDENT, "DALLAOUI", "YASMINE", date(2012, 5, 4))]
    doc = steps_json(plan_for(tt, directory=directory))
    json.dumps(doc)
    assert [(c["label"], c["selected"], c["subject_active"]) for c in doc["courses"]] == [
        ("FRANCAIS - 3 A", True, True),
        ("LATIN - 3 A", False, False),
    ]
    assert [s["status"] for s in doc["subjects"]] == ["recognised", "new"]
    [student] = doc["students"]
    assert student["status"] == "unreconciled" and student["recommended"] == "u1"
    assert student["idpn"] is None and student["key"] == "student:s1"  # no IDPN in the export
    assert student["suggestions"][0]["evidence"] == [
        "last_name:close",
        "first_name:exact",
        "birth_date:exact",
    ]
    assert doc["summary"]["courses_created"] == 1


def test_students_carry_their_class_on_the_reference_date() -> None:
    """Two homonyms are told apart by their class, read on D (a class left before D is gone)."""
    from edt_tui.service.planning import people_document
    from tests.engine.builders import contract_json, steps_json

    tt = (
        TimetableBuilder()
        .subject("1", "FRANCAIS")
        .school_class("c1", "3A")
        .school_class("c2", "3B")
        .school_class("c3", "4C")
        .student("s1", "MARTIN", "LEO", classes=["c1"])
        .student("s2", "MARTIN", "LEO", classes=[("c3", None, date(2000, 1, 1)), "c2"])
        .session("1", classes=["c1", "c2"])
        .build()
    )
    plan = plan_for(tt, directory=[])
    steps = steps_json(plan)
    assert [s["classes"] for s in steps["students"]] == ["3A", "3B"]
    contract = contract_json(plan)["people"]["students"]["unreconciled"]
    assert all("classes" not in p for p in contract)  # the contract's fields, exactly
    accounts = people_document(plan)["students"]["unreconciled"]  # the account check's list
    assert sorted(p["classes"] for p in accounts) == ["3A", "3B"]
    assert all(t["classes"] == "" for t in steps["teachers"])
