"""Import rules §7: reconciling export people with ENT accounts, and fuzzy suggestions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from edt_tui.engine.model import Profile, UserSource
from edt_tui.engine.plan import Plan
from edt_tui.engine.reconciliation import MatchRule, PersonRow, PersonStatus
from edt_tui.engine.selection import PersonChoice, PersonDecision, Selection
from edt_tui.reasons import ReasonCode, reason

from .builders import TimetableBuilder, plan_for, user

BIRTH = date(2012, 5, 4)


def _teachers(*rows: tuple[str, str, str, dict[str, str]]) -> TimetableBuilder:
    tt = TimetableBuilder()
    for ident, last, first, extra in rows:
        tt.teacher(ident, last, first, **extra)
    return tt


def _row(plan: Plan, ident: str) -> PersonRow:
    return next(r for r in (*plan.teachers, *plan.students) if r.ident == ident)


def test_rule7_manual_ent_user_is_never_a_candidate() -> None:
    tt = _teachers(("t1", "DUPONT", "JEAN", {"idcas": "jdupont"})).build()
    directory = [
        user("m1", Profile.TEACHER, "DUPONT", "JEAN", cas="jdupont", source=UserSource.MANUAL),
        user("s1", Profile.STUDENT, "DUPONT", "JEAN", BIRTH),
    ]
    row = _row(plan_for(tt, directory=directory), "t1")
    assert row.status is PersonStatus.UNRECONCILED and row.sync_id is None


def test_rule7_csv_users_are_candidates_like_aaf_users() -> None:
    tt = _teachers(("t1", "DUPONT", "JEAN", {})).build()
    directory = [user("c1", Profile.TEACHER, "DUPONT", "JEAN", source=UserSource.CSV)]
    assert _row(plan_for(tt, directory=directory), "t1").sync_id == "c1"


def test_rule7_pronote_link_matches_first() -> None:
    tt = _teachers(("t1", "DUPONT", "JEAN", {"idpn": "ABCDEF0123456789"})).build()
    directory = [
        user("a", Profile.TEACHER, "DUPONT", "JEAN"),
        user("b", Profile.TEACHER, "DURAND", "MARIE", idpn="ABCDEF0123456789"),
    ]
    row = _row(plan_for(tt, directory=directory), "t1")
    assert (row.status, row.sync_id, row.rule) == (PersonStatus.RECONCILED, "b", MatchRule.IDPN)


def test_rule7_cas_match() -> None:
    tt = TimetableBuilder().student("s1", "MARTIN", "LEA", BIRTH, idcas="lea.martin").build()
    directory = [
        user("x", Profile.STUDENT, "MARTINE", "LEAH", date(2011, 1, 1), cas="lea.martin"),
        user("y", Profile.STUDENT, "MARTIN", "LEA", BIRTH),
    ]
    row = _row(plan_for(tt, directory=directory), "s1")
    assert (row.status, row.sync_id, row.rule) == (PersonStatus.RECONCILED, "x", MatchRule.CAS)


def test_rule7_identity_match_with_accents_spaces_and_case() -> None:
    tt = (
        TimetableBuilder()
        .teacher("t1", "LE GALL", "Hélène")
        .student("s1", "N'DIAYE", "Jean-Noël", BIRTH)
        .build()
    )
    directory = [
        user("ut", Profile.TEACHER, "Le Gall", "HELENE"),
        user("us", Profile.STUDENT, "NDIAYE", "jean noel", BIRTH),
        user("other", Profile.STUDENT, "NDIAYE", "jean noel", date(2012, 5, 5)),
    ]
    plan = plan_for(tt, directory=directory)
    assert (_row(plan, "t1").sync_id, _row(plan, "t1").rule) == ("ut", MatchRule.IDENTITY)
    assert (_row(plan, "s1").sync_id, _row(plan, "s1").rule) == ("us", MatchRule.IDENTITY)


def test_rule7_student_without_birth_date_cannot_match_by_identity() -> None:
    tt = TimetableBuilder().student("s1", "MARTIN", "LEA", None).build()
    directory = [user("y", Profile.STUDENT, "MARTIN", "LEA", BIRTH)]
    assert _row(plan_for(tt, directory=directory), "s1").status is PersonStatus.UNRECONCILED
    tt2 = TimetableBuilder().student("s1", "MARTIN", "LEA", BIRTH).build()
    no_birth = [user("y", Profile.STUDENT, "MARTIN", "LEA", None)]
    assert _row(plan_for(tt2, directory=no_birth), "s1").status is PersonStatus.UNRECONCILED


def test_rule7_ambiguous_identity_reconciles_nobody_and_no_later_rule_is_tried() -> None:
    tt = _teachers(("t1", "MARTIN", "PAUL", {"idcas": "pmartin"})).build()
    directory = [
        user("a", Profile.TEACHER, "MARTIN", "PAUL", cas="pmartin"),
        user("b", Profile.TEACHER, "MARTIN", "PAUL", cas="pmartin"),
        user("c", Profile.TEACHER, "MARTIN", "PAUL"),
    ]
    row = _row(plan_for(tt, directory=directory), "t1")
    assert row.status is PersonStatus.AMBIGUOUS and row.rule is MatchRule.CAS
    assert row.candidates == ("a", "b") and row.sync_id is None
    assert row.reasons == (reason(ReasonCode.AMBIGUOUS_MATCH, count=2, rule="cas"),)
    assert row.detail == "2 ENT accounts match by cas"


def test_rule7_one_account_claimed_by_two_people_leaves_both_unreconciled() -> None:
    tt = _teachers(
        ("t1", "MARTIN", "PAUL", {}),
        ("t2", "MARTIN", "P", {"idcas": "pm"}),
        ("t3", "DURAND", "ANNE", {}),
    ).build()
    directory = [
        user("a", Profile.TEACHER, "MARTIN", "PAUL", cas="pm"),
        user("d", Profile.TEACHER, "DURAND", "ANNE"),
    ]
    plan = plan_for(tt, directory=directory)
    assert [_row(plan, i).status for i in ("t1", "t2", "t3")] == [
        PersonStatus.UNRECONCILED,
        PersonStatus.UNRECONCILED,
        PersonStatus.RECONCILED,
    ]
    assert plan.teacher_count.reconciled == 1 and plan.teacher_count.unreconciled == 2
    claimed = reason(ReasonCode.ACCOUNT_CLAIMED, sync_id="a", count=2)
    assert _row(plan, "t1").reasons == _row(plan, "t2").reasons == (claimed,)


def test_rule7_pronote_id_regenerated_requires_a_confirmed_relink() -> None:
    tt = _teachers(("t1", "DUPONT", "JEAN", {"idpn": "NEWNEWNEWNEW0001"})).build()
    directory = [user("a", Profile.TEACHER, "DUPONT", "JEAN", idpn="OLDOLDOLDOLD0001")]
    row = _row(plan_for(tt, directory=directory), "t1")
    assert row.status is PersonStatus.RELINK_REQUIRED and row.sync_id == "a"
    assert not row.reconciled and "OLDOLDOLDOLD0001" in row.detail
    assert row.reasons == (reason(ReasonCode.OTHER_PRONOTE_ID, idpn="OLDOLDOLDOLD0001"),)
    confirmed = Selection.default().with_person(
        "NEWNEWNEWNEW0001", PersonDecision(PersonChoice.CONFIRM_RELINK)
    )
    row = _row(plan_for(tt, directory=directory, selection=confirmed), "t1")
    assert row.status is PersonStatus.RECONCILED and row.sync_id == "a"
    assert row.reasons == (reason(ReasonCode.RELINK_CONFIRMED),)


def test_rule7_admin_refuses_a_match() -> None:
    tt = _teachers(("t1", "DUPONT", "JEAN", {})).build()
    directory = [user("a", Profile.TEACHER, "DUPONT", "JEAN")]
    refused = Selection.default().with_person("teacher:t1", PersonDecision(PersonChoice.REFUSE))
    row = _row(plan_for(tt, directory=directory, selection=refused), "t1")
    assert row.status is PersonStatus.REFUSED and not row.reconciled
    assert row.reasons == (reason(ReasonCode.MATCH_REFUSED),)


def test_rule7_fuzzy_suggestions_are_ranked_with_evidence_and_never_applied() -> None:
    tt = TimetableBuilder().student("s1", "DALIAOUI", "YASMINE", BIRTH).build()
    directory = [
        user("good", Profile.STUDENT, "DALLAOUI", "Yasmine", BIRTH),
        user("meh", Profile.STUDENT, "DALLAOUA", "YASMINA", BIRTH),
        user("far", Profile.STUDENT, "BERNARD", "LUC", BIRTH),
        user("other-day", Profile.STUDENT, "DALIAOUI", "YASMINE", date(2012, 5, 5)),
    ]
    row = _row(plan_for(tt, directory=directory), "s1")
    assert row.status is PersonStatus.UNRECONCILED and row.sync_id is None
    assert [s.sync_id for s in row.suggestions] == ["good", "meh"]  # birth date blocks the rest
    best = row.suggestions[0]
    assert best.score > row.suggestions[1].score
    assert "first_name:exact" in best.evidence and "last_name:close" in best.evidence
    assert "birth_date:exact" in best.evidence
    assert row.recommended == best and best.margin > 0
    linked = Selection.default().with_person(
        row.key, PersonDecision(PersonChoice.LINK, best.sync_id)
    )
    row = _row(plan_for(tt, directory=directory, selection=linked), "s1")
    assert (row.status, row.sync_id, row.rule) == (
        PersonStatus.RECONCILED,
        "good",
        MatchRule.MANUAL,
    )
    assert row.reasons == (reason(ReasonCode.LINKED_BY_ADMIN),)
    elsewhere = Selection.default().with_person(
        row.key, PersonDecision(PersonChoice.LINK, "far-away")
    )
    row = _row(plan_for(tt, directory=directory, selection=elsewhere), "s1")
    assert row.status is PersonStatus.UNRECONCILED
    assert row.reasons == (
        reason(ReasonCode.NO_ACCOUNT), reason(ReasonCode.CHOSEN_NOT_CANDIDATE, sync_id="far-away")
    )
    assert row.detail == (
        "no ENT account found (IDPN, CAS, identity); chosen account 'far-away' is not a candidate"
    )


def test_rule7_suggestions_exclude_accounts_held_by_reconciled_people() -> None:
    tt = _teachers(("t1", "DUPONT", "JEAN", {}), ("t2", "DUPONT", "JEANNE", {})).build()
    directory = [user("a", Profile.TEACHER, "DUPONT", "JEAN")]
    plan = plan_for(tt, directory=directory)
    assert _row(plan, "t1").reconciled and _row(plan, "t2").suggestions == ()


def test_rule7_counts_cover_everyone_in_the_export_not_only_course_members() -> None:
    tt = _teachers(("t1", "DUPONT", "JEAN", {}), ("t2", "X", "Y", {}))
    tt.student("s1", "A", "B", BIRTH).student("s2", "C", "D", BIRTH)
    directory = [
        user("a", Profile.TEACHER, "DUPONT", "JEAN"),
        user("b", Profile.STUDENT, "A", "B", BIRTH),
    ]
    plan = plan_for(tt.build(), directory=directory)
    assert plan.courses == ()
    assert (plan.teacher_count.reconciled, plan.teacher_count.unreconciled) == (1, 1)
    assert (plan.student_count.reconciled, plan.student_count.unreconciled) == (1, 1)


def test_rule7_truncated_teacher_first_name_is_a_suggestion_not_a_match() -> None:
    tt = _teachers(("t1", "LEFEBVRE", "MARIE-CHRI", {})).build()
    directory = [
        user("a", Profile.TEACHER, "Lefebvre", "Marie-Christine"),
        user("b", Profile.TEACHER, "LEFEVRE", "MARC"),
    ]
    row = _row(plan_for(tt, directory=directory), "t1")
    assert row.status is PersonStatus.UNRECONCILED
    assert [s.sync_id for s in row.suggestions] == ["a", "b"]
    assert row.suggestions[0].evidence == ("last_name:exact", "first_name:prefix")
    assert row.recommended is not None and row.recommended.sync_id == "a"


def test_rule7_idpn_is_stored_after_import_and_links_the_next_one() -> None:
    tt = _teachers(("t1", "DUPONT", "JEAN", {"idpn": "ABCDEF0123456789"})).build()
    directory = [user("a", Profile.TEACHER, "DUPONT", "JEAN")]
    plan = plan_for(tt, directory=directory)
    assert plan.idpn_links == (("a", "ABCDEF0123456789"),)
    stored = [replace(u, idpn=dict(plan.idpn_links).get(u.sync_id, u.idpn)) for u in directory]
    renamed = _teachers(("t1", "DUPONT-MOREAU", "JEAN", {"idpn": "ABCDEF0123456789"})).build()
    row = _row(plan_for(renamed, directory=stored), "t1")
    assert (row.status, row.rule, row.sync_id) == (PersonStatus.RECONCILED, MatchRule.IDPN, "a")


def test_rule7_student_with_a_mistyped_birth_date_gets_a_name_only_suggestion() -> None:
    tt = TimetableBuilder().student("s1", "ROYER", "Ilyès", BIRTH).build()
    directory = [
        user("good", Profile.STUDENT, "ROYER", "ILYES", date(2012, 5, 5)),
        user("weak", Profile.STUDENT, "ROYET", "ILIAS", date(2011, 1, 1)),
    ]
    row = _row(plan_for(tt, directory=directory), "s1")
    assert row.status is PersonStatus.UNRECONCILED  # identity needs the same birth date
    assert [s.sync_id for s in row.suggestions] == ["good"]
    assert row.suggestions[0].evidence == (
        "last_name:exact",
        "first_name:exact",
        "birth_date:differs",
    )
