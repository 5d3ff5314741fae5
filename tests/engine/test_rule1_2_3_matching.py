"""Import rules §1 (norm), §2 (subjects), §3 (classes and groups)."""

from __future__ import annotations

from edt_tui.engine.matching import ItemStatus
from edt_tui.engine.model import ReferentialClass, ReferentialSubject
from edt_tui.engine.normalize import norm
from edt_tui.engine.selection import Selection, SubjectChoice

from .builders import TimetableBuilder, plan_for


def test_rule1_norm_drops_marks_spaces_punctuation_and_case() -> None:
    assert norm("3 A") == norm("3A") == "3A"
    assert norm("Français") == "FRANCAIS"
    assert norm("LE GALL") == norm("Le-Gall") == "LEGALL"
    assert norm("ENS. MORAL & CIVIQUE") == "ENSMORALCIVIQUE"
    assert norm("ﬁn") == "FIN"  # NFKD compatibility ligature
    assert norm(None) == norm("") == ""


def _subjects_plan(referential: list[ReferentialSubject], **kwargs: object):
    tt = (
        TimetableBuilder()
        .subject("1", "Français", "XX")
        .subject("2", "MATHS AVANCEES", "MATHS")
        .subject("3", "LATIN", "LAT")
        .build()
    )
    return plan_for(tt, subjects=referential, **kwargs)  # type: ignore[arg-type]


def test_rule2_subject_recognised_by_name_then_by_code_and_labelled_with_ent_name() -> None:
    plan = _subjects_plan(
        [ReferentialSubject("FRANCAIS"), ReferentialSubject("Mathématiques", "MATHS")]
    )
    rows = {r.ident: r for r in plan.subjects}
    assert rows["1"].status is ItemStatus.RECOGNISED and rows["1"].matched_by == "name"
    assert rows["1"].label == "FRANCAIS"
    assert rows["2"].status is ItemStatus.RECOGNISED and rows["2"].matched_by == "code"
    assert rows["2"].label == "Mathématiques"
    assert rows["3"].status is ItemStatus.NEW and not rows["3"].active
    assert rows["3"].label == "LATIN"


def test_rule2_name_match_wins_over_code_match_and_first_name_alphabetically() -> None:
    plan = _subjects_plan(
        [
            ReferentialSubject("ZZ OTHER", "XX"),
            ReferentialSubject("francais"),
            ReferentialSubject("FRANCAIS"),
        ]
    )
    row = next(r for r in plan.subjects if r.ident == "1")
    assert row.ent_name == "FRANCAIS"  # "FRANCAIS" < "francais"; name beats the code match
    assert row.matched_by == "name"


def test_rule2_unrecognised_subject_becomes_active_when_added() -> None:
    selection = Selection.default().with_subject("LATIN", SubjectChoice.ADDED)
    plan = _subjects_plan([], selection=selection)
    rows = {r.ident: r for r in plan.subjects}
    assert rows["3"].status is ItemStatus.ADDED and rows["3"].label == "LATIN"
    assert rows["1"].status is ItemStatus.NEW
    flagged = _subjects_plan([], add_unknown_subjects=True)
    assert all(r.status is ItemStatus.ADDED for r in flagged.subjects)


def test_rule2_recognised_subject_can_be_deactivated() -> None:
    selection = Selection.default().with_subject("FRANCAIS", SubjectChoice.INACTIVE)
    plan = _subjects_plan([ReferentialSubject("FRANCAIS")], selection=selection)
    row = next(r for r in plan.subjects if r.ident == "1")
    assert row.status is ItemStatus.DEACTIVATED and not row.active


def test_rule3_classes_match_by_norm_unmatched_start_inactive_and_can_be_activated() -> None:
    tt = TimetableBuilder().school_class("c1", "3A").school_class("c2", "6 Z").build()
    plan = plan_for(tt, classes=[ReferentialClass("3 A")])
    rows = {r.ident: r for r in plan.classes}
    assert rows["c1"].status is ItemStatus.RECOGNISED and rows["c1"].label == "3 A"
    assert rows["c2"].status is ItemStatus.NEW and not rows["c2"].active
    activated = plan_for(tt, classes=[], selection=Selection.default().with_class("6Z", True))
    assert {r.ident: r.status for r in activated.classes}["c2"] is ItemStatus.ADDED
    flagged = plan_for(tt, classes=[], activate_unmatched_classes=True)
    assert all(r.active and r.label == r.export_name for r in flagged.classes)
    off = plan_for(
        tt, classes=[ReferentialClass("3 A")], selection=Selection.default().with_class("3A", False)
    )
    assert {r.ident: r.status for r in off.classes}["c1"] is ItemStatus.DEACTIVATED


def test_rule3_every_group_is_listed_and_starts_active() -> None:
    tt = TimetableBuilder().group("g1", "3BDLATIN").group("g2", "4 D LAT").build()
    plan = plan_for(tt)
    assert [(g.name, g.active) for g in plan.groups] == [("3BDLATIN", True), ("4 D LAT", True)]
    off = plan_for(tt, selection=Selection.default().with_group("4DLAT", False))
    assert [g.active for g in off.groups] == [True, False]
