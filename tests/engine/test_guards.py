"""The import guards in the engine: freeze window (across DST changes), mass-deletion verdict at
its threshold, and PRONOTE id regeneration (a pending relink keeps what the account has)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from edt_tui.engine.apply import apply_actions
from edt_tui.engine.guards import GuardSettings
from edt_tui.engine.model import ActionType, EntState, Profile
from edt_tui.engine.plan import Plan
from edt_tui.engine.selection import PersonChoice, PersonDecision, Selection
from tests.engine.builders import contract_json, steps_json

from .builders import PARIS, TimetableBuilder, plan_for, user, weeks

FRANCAIS_3A = "0490856P:2026-2027:FRANCAIS:class:3A"


def _starts(plan: Plan, kind: ActionType) -> list[str]:
    return sorted(
        a.event.start.isoformat() for a in plan.actions if a.type is kind and a.event is not None
    )


@pytest.mark.parametrize(
    ("at", "week", "boundary", "created"),
    [
        # Autumn: Friday 16:00 CEST + 72 h = Monday 15:00 CET (an hour gained), not 16:00.
        (datetime(2026, 10, 23, 16, tzinfo=PARIS), 9, "2026-10-26T15:00:00+01:00",
         ["2026-10-26T15:00:00+01:00", "2026-10-26T16:00:00+01:00",
          "2026-10-26T17:00:00+01:00"]),
        # Spring: Friday 16:00 CET + 72 h = Monday 17:00 CEST (an hour lost), not 16:00.
        (datetime(2027, 3, 26, 16, tzinfo=PARIS), 31, "2027-03-29T17:00:00+02:00",
         ["2027-03-29T17:00:00+02:00"]),
    ],
    ids=["october", "march"],
)
def test_freeze_boundary_is_elapsed_time_across_a_dst_change(
    at: datetime, week: int, boundary: str, created: list[str]
) -> None:
    tt = TimetableBuilder().subject("1", "FRANCAIS").school_class("c1", "3A")
    for slot in (6, 7, 8, 9):  # Monday 14:00, 15:00, 16:00, 17:00
        tt.session("1", day=1, slot=slot, classes=[("c1", weeks(week))])
    plan = plan_for(tt.build(), at=at, guards=GuardSettings(freeze_minutes=72 * 60))
    assert plan.frozen_until.isoformat() == boundary
    assert contract_json(plan)["frozen_until"] == boundary
    assert _starts(plan, ActionType.CREATE_EVENT) == created


def test_events_inside_the_freeze_window_are_never_changed_or_deleted() -> None:
    def timetable(room: str, sessions: tuple[int, ...]) -> TimetableBuilder:
        tt = TimetableBuilder().subject("1", "FRANCAIS").school_class("c1", "3A").room("r", room)
        for day in sessions:
            tt.session("1", day=day, slot=0, classes=[("c1", weeks(14))], rooms=["r"])
        return tt

    first = plan_for(timetable("A01", (1, 2, 3, 4)).build())  # T: Saturday 28 November
    ent = apply_actions(EntState({}, frozenset(), {}), first.actions)
    # The next week: every room renamed, Thursday's session gone; T on Monday 30 at 07:00,
    # frozen for two days: Monday's and Tuesday's events stay as they are.
    later = plan_for(
        timetable("B02", (1, 2, 3)).build(), ent=ent, at=datetime(2026, 11, 30, 7, tzinfo=PARIS),
        guards=GuardSettings(freeze_minutes=2 * 24 * 60),
    )
    assert later.frozen_until.isoformat() == "2026-12-02T07:00:00+01:00"
    assert _starts(later, ActionType.UPDATE_EVENT) == ["2026-12-02T08:00:00+01:00"]
    assert _starts(later, ActionType.DELETE_EVENT) == ["2026-12-03T08:00:00+01:00"]
    unfrozen = plan_for(
        timetable("B02", (1, 2, 3)).build(), ent=ent, at=datetime(2026, 11, 30, 7, tzinfo=PARIS)
    )
    assert len(_starts(unfrozen, ActionType.UPDATE_EVENT)) == 3  # the rules as before


def _class_of(students: int, *, week_count: int = 10) -> TimetableBuilder:
    tt = TimetableBuilder().subject("1", "FRANCAIS").school_class("c1", "3A")
    tt.teacher("t1", "PROF", "UN")
    for n in range(students):
        tt.student(f"s{n}", f"ELEVE{n}", "X", date(2012, 1, 1), classes=["c1"])
    tt.session("1", day=1, slot=0, classes=[("c1", weeks(*range(14, 14 + week_count)))],
               teachers=["t1"])
    return tt


def _directory(students: int) -> list:
    return [user("u-t1", Profile.TEACHER, "PROF", "UN")] + [
        user(f"u-s{n}", Profile.STUDENT, f"ELEVE{n}", "X", date(2012, 1, 1))
        for n in range(students)
    ]


@pytest.mark.parametrize(
    ("threshold", "mass"), [(21, False), (20, False), (19, True)],
    ids=["under", "at", "over"],
)
def test_mass_deletion_verdict_at_its_threshold(threshold: int, mass: bool) -> None:
    directory = _directory(9)  # 1 teacher + 9 students = 10 memberships
    ent = apply_actions(
        EntState({}, frozenset(), {}), plan_for(_class_of(9).build(), directory=directory).actions
    )
    # Two students leave: 2 of 10 memberships (20 %) deleted.
    plan = plan_for(
        _class_of(7).build(), directory=directory, ent=ent,
        guards=GuardSettings(max_deletion_percent=threshold),
    )
    verdict = plan.deletions
    assert (verdict.memberships.deleted, verdict.memberships.total) == (2, 10)
    assert verdict.memberships.percent == 20.0 and verdict.events.deleted == 0
    assert verdict.mass_deletion is mass
    guard = contract_json(plan)["guard"]
    assert guard["mass_deletion"] is mass and guard["threshold_percent"] == threshold
    assert guard["memberships"] == {"deleted": 2, "total": 10, "percent": 20.0}
    assert guard["top_courses"] == [{"key": FRANCAIS_3A, "label": "FRANCAIS - 3 A",
                                     "memberships_deleted": 2, "events_deleted": 0}]


@pytest.mark.parametrize(("threshold", "mass"), [(21, False), (20, False), (19, True)])
def test_mass_deletion_of_future_events_at_its_threshold(threshold: int, mass: bool) -> None:
    directory = _directory(1)
    ent = apply_actions(
        EntState({}, frozenset(), {}), plan_for(_class_of(1).build(), directory=directory).actions
    )
    plan = plan_for(
        _class_of(1, week_count=8).build(), directory=directory, ent=ent,
        guards=GuardSettings(max_deletion_percent=threshold),
    )  # the last two of ten weekly events gone
    assert (plan.deletions.events.deleted, plan.deletions.events.total) == (2, 10)
    assert plan.deletions.mass_deletion is mass


def test_events_total_counts_only_what_the_freeze_window_leaves_deletable() -> None:
    directory = _directory(1)
    ent = apply_actions(
        EntState({}, frozenset(), {}), plan_for(_class_of(1).build(), directory=directory).actions
    )
    plan = plan_for(  # a week frozen: the first Monday (30 November) is not counted
        _class_of(1, week_count=8).build(), directory=directory, ent=ent,
        guards=GuardSettings(freeze_minutes=7 * 24 * 60),
    )
    assert (plan.deletions.events.deleted, plan.deletions.events.total) == (2, 9)


def _regenerated(idpn: str, *, room: str = "A01", teaches: bool = True) -> TimetableBuilder:
    tt = TimetableBuilder().subject("1", "FRANCAIS").school_class("c1", "3A").room("r", room)
    tt.teacher("t1", "DUPONT", "JEAN", idpn=idpn)
    tt.teacher("t2", "MARTIN", "ANNE", idpn="T2T2T2T2T2T2T2T2")
    tt.student("s1", "ELEVE", "UN", date(2012, 5, 4), classes=["c1"], idpn=f"S{idpn}")
    tt.session("1", day=1, slot=0, classes=[("c1", weeks(14, 15))], rooms=["r"],
               teachers=["t1", "t2"] if teaches else ["t2"])
    return tt


UNLINKED = [
    user("u-t1", Profile.TEACHER, "DUPONT", "JEAN"),
    user("u-t2", Profile.TEACHER, "MARTIN", "ANNE"),
    user("u-s1", Profile.STUDENT, "ELEVE", "UN", date(2012, 5, 4)),
]


def _linked(plan: Plan) -> list:
    """The directory as it is once `plan` ran: its IDPN links stored."""
    links = dict(plan.idpn_links)
    return [
        user("u-t1", Profile.TEACHER, "DUPONT", "JEAN", idpn=links.get("u-t1")),
        user("u-t2", Profile.TEACHER, "MARTIN", "ANNE", idpn=links.get("u-t2")),
        user("u-s1", Profile.STUDENT, "ELEVE", "UN", date(2012, 5, 4), idpn=links.get("u-s1")),
    ]


def test_regenerated_ids_keep_memberships_and_event_places_until_the_relink_is_confirmed() -> None:
    first = plan_for(_regenerated("OLD0OLD0OLD0OLD0").build(), directory=UNLINKED)
    ent = apply_actions(EntState({}, frozenset(), {}), first.actions)
    directory = _linked(first)
    assert {u.idpn for u in directory} == {"OLD0OLD0OLD0OLD0", "T2T2T2T2T2T2T2T2",
                                           "SOLD0OLD0OLD0OLD0"}
    later = datetime(2026, 12, 1, 12, tzinfo=PARIS)

    pending = plan_for(_regenerated("NEW0NEW0NEW0NEW0").build(), directory=directory, ent=ent,
                       at=later)
    assert pending.actions == ()
    assert (pending.teacher_count.relink_pending, pending.student_count.relink_pending) == (1, 1)
    people = contract_json(pending)["people"]
    assert (people["teachers"]["relink_pending"], people["students"]["relink_pending"]) == (1, 1)
    steps = steps_json(pending)
    [t1] = [p for p in steps["teachers"] if p["ident"] == "t1"]
    assert (t1["status"], t1["relink_pending"]) == ("relink_required", True)
    assert (t1["previous_idpn"], t1["idpn"], t1["sync_id"]) == (
        "OLD0OLD0OLD0OLD0", "NEW0NEW0NEW0NEW0", "u-t1")
    assert steps["relink_pending"] == {"teachers": 1, "students": 1}
    assert dict(pending.idpn_links).get("u-t1") is None  # nothing stored while pending

    # Another change to the event (its room) and t1 taken off it: t1 keeps their place.
    moved = plan_for(_regenerated("NEW0NEW0NEW0NEW0", room="B02", teaches=False).build(),
                     directory=directory, ent=ent, at=later)
    assert {a.type for a in moved.actions} == {ActionType.UPDATE_EVENT}
    assert all(a.event is not None and a.event.teachers == ("u-t1", "u-t2")
               and a.event.rooms == ("B02",) for a in moved.actions)

    confirmed = Selection.default()
    for key in ("NEW0NEW0NEW0NEW0", "SNEW0NEW0NEW0NEW0"):
        confirmed = confirmed.with_person(key, PersonDecision(PersonChoice.CONFIRM_RELINK))
    done = plan_for(_regenerated("NEW0NEW0NEW0NEW0").build(), directory=directory, ent=ent,
                    at=later, selection=confirmed)
    assert done.actions == ()
    assert dict(done.idpn_links)["u-t1"] == "NEW0NEW0NEW0NEW0"
    assert dict(done.idpn_links)["u-s1"] == "SNEW0NEW0NEW0NEW0"
    [t1] = [p for p in steps_json(done)["teachers"] if p["ident"] == "t1"]
    assert (t1["status"], t1["previous_idpn"]) == ("reconciled", "OLD0OLD0OLD0OLD0")


def test_a_pending_relink_never_deletes_the_accounts_memberships_of_a_vanished_course() -> None:
    first = plan_for(_regenerated("OLD0OLD0OLD0OLD0").build(), directory=UNLINKED)
    ent = apply_actions(EntState({}, frozenset(), {}), first.actions)
    gone = _regenerated("NEW0NEW0NEW0NEW0")
    gone.sessions.clear()
    plan = plan_for(gone.build(), directory=_linked(first), ent=ent)
    deleted = {a.membership.user for a in plan.actions
               if a.type is ActionType.DELETE_MEMBERSHIP and a.membership is not None}
    assert deleted == {"u-t2"}  # t1 and s1 wait for their relink
