"""Bad inputs to `build_plan` are refused with a clear message (exit 2 through the CLI)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from edt_tui.engine.plan import build_plan
from edt_tui.engine.selection import Selection
from edt_tui.errors import BadInputError

from .builders import EMPTY_ENT, T, TimetableBuilder, plan_for


def test_export_of_another_establishment_is_refused_with_both_codes() -> None:
    tt = TimetableBuilder(uai="0123456A").build()
    with pytest.raises(BadInputError, match=r"0123456A.*0490856P") as caught:
        plan_for(tt)
    assert caught.value.exit_code == 2


def test_export_without_school_year_is_refused() -> None:
    tt = replace(TimetableBuilder().build(), school_year=None)
    with pytest.raises(BadInputError, match="AnneeScolaire"):
        plan_for(tt)


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(BadInputError, match="Mars/Olympus"):
        build_plan(
            TimetableBuilder().build(),
            uai="0490856P",
            timezone="Mars/Olympus",
            reference_time=T,
            directory=(),
            referential_subjects=(),
            referential_classes=(),
            ent_state=EMPTY_ENT,
            selection=Selection.default(),
        )


def test_export_without_time_grid_reports_missing_slots_but_keeps_courses() -> None:
    builder = TimetableBuilder().subject("1", "FRANCAIS").school_class("c1", "3A")
    tt = replace(builder.session("1", classes=["c1"]).build(), time_grid=None)
    plan = plan_for(tt)
    assert [c.label for c in plan.courses] == ["FRANCAIS - 3 A"]
    assert plan.courses[0].events == ()
    assert [i.reason.value for i in plan.ignored_sessions] == ["missing_slot"]
