"""Engine and reader agree: a handmade timetable written to XML and read back plans the same."""

from __future__ import annotations

from datetime import date

import pytest

from edt_tui.engine.model import Profile
from tests.engine.builders import contract_json

from .builders import TimetableBuilder, plan_for, user, weeks

writer = pytest.importorskip("edt_tui.pronote.writer", reason="pronote.writer not landed yet")


def test_plan_survives_a_write_read_round_trip_of_the_export() -> None:
    from edt_tui.pronote.reader import read_export

    tt = (
        TimetableBuilder()
        .subject("1", "FRANÇAIS", "FRANC")
        .subject("2", "LCA LATIN", "LCALA")
        .school_class("c1", "3 A", parts=("p1",))
        .school_class("c2", "3B")
        .group("g1", "3AB LAT", classes=["c1"], parts=["p1"])
        .teacher("t1", "LE GALL", "HÉLÈNE", idpn="ABCDEF0123456789")
        .teacher("t2", "MARTIN", "PAUL", idcas="pmartin")
        .room("r1", "101")
        .room("r2", "LABO")
        .student("s1", "N'DIAYE", "Noël", date(2012, 5, 4), classes=["c1"], parts=["p1"])
        .student("s2", "DURAND", "Zoé", date(2012, 1, 2), classes=[("c2", None, date(2026, 12, 1))])
        .session(
            "1",
            day=2,
            slot=1,
            count=2,
            classes=["c1", "c2"],
            teachers=[("t1", weeks(*range(1, 20))), ("t2", weeks(*range(20, 45)))],
            rooms=["r1"],
            cancelled=weeks(15),
        )
        .session("2", day=4, groups=["g1"], rooms=[("r2", weeks(14, 16))], teachers=["t1"])
        .session("1", parts=["p1"])
        .build()
    )
    directory = [
        user("u-t1", Profile.TEACHER, "Le Gall", "Hélène"),
        user("u-t2", Profile.TEACHER, "X", "Y", cas="pmartin"),
        user("u-s1", Profile.STUDENT, "NDIAYE", "NOEL", date(2012, 5, 4)),
        user("u-s2", Profile.STUDENT, "DURAND", "ZOE", date(2012, 1, 2)),
    ]
    read_back = read_export(writer.write_timetable(tt)).timetable
    direct = contract_json(plan_for(tt, directory=directory, add_unknown_subjects=True))
    through = contract_json(
        plan_for(read_back, directory=directory, add_unknown_subjects=True)
    )
    assert direct["courses"] and direct["courses"][0]["events"]
    for field in ("courses", "people", "actions"):
        assert through[field] == direct[field]
    assert [i["reason"] for i in through["ignored_sessions"]] == ["class_part_only"]
    assert [i["why"]["code"] for i in through["ignored_sessions"]] == ["class_part_only"]
