"""Plans as the service sends them: the summary, the wizard's step lists, the CLI contract's
`plan --json` document, one course in full and the mass-deletion verdict.

Each model builds itself from the engine's `Plan` (`of`): the shape and the conversion live
here only. `PlanContract` is the `plan --json` document of the CLI contract (its fields, then
the guards: `frozen_until`, `freeze_minutes`, `guard`, `people.*.relink_pending`).
"""

from __future__ import annotations

from datetime import date
from typing import Literal, get_args

from pydantic import Field

from edt_tui.engine.courses import IgnoredSession as EngineIgnoredSession
from edt_tui.engine.guards import Share as EngineShare
from edt_tui.engine.model import ActionType
from edt_tui.engine.plan import Plan
from edt_tui.engine.reconciliation import PersonRow
from edt_tui.reasons import Reason
from edt_tui.wire.base import Page, Timestamp, Wire

CONTRACT_ACTIONS: tuple[ActionType, ...] = (
    ActionType.CREATE_COURSE,
    ActionType.CREATE_MEMBERSHIP,
    ActionType.DELETE_MEMBERSHIP,
    ActionType.CREATE_EVENT,
    ActionType.UPDATE_EVENT,
    ActionType.DELETE_EVENT,
)
"""`create_hierarchy_node` is part of the plan (recap) but not of the contract's counts."""

Step = Literal[
    "subjects", "classes", "groups", "courses", "teachers", "students", "ignored_sessions"
]
STEPS: tuple[Step, ...] = get_args(Step)
"""The step lists `GET …/plans/{plan_id}/{step}` pages."""


# -- the guards ------------------------------------------------------------------------------
class Share(Wire):
    deleted: int
    total: int
    percent: float = Field(description="of `total`, one decimal (0 when nothing is deleted)")

    @classmethod
    def of(cls, share: EngineShare) -> Share:
        return cls(deleted=share.deleted, total=share.total, percent=share.percent)


class CourseLoss(Wire):
    key: str
    label: str
    memberships_deleted: int
    events_deleted: int


class Guard(Wire):
    """The mass-deletion verdict: shares of what earlier imports created, threshold, top
    losses."""

    mass_deletion: bool
    memberships: Share
    events: Share
    threshold_percent: int
    top_courses: tuple[CourseLoss, ...]

    @classmethod
    def of(cls, plan: Plan) -> Guard:
        verdict = plan.deletions
        return cls(
            mass_deletion=verdict.mass_deletion,
            memberships=Share.of(verdict.memberships),
            events=Share.of(verdict.events),
            threshold_percent=verdict.threshold_percent,
            top_courses=tuple(
                CourseLoss(key=c.key, label=c.label, memberships_deleted=c.memberships,
                           events_deleted=c.events)
                for c in verdict.top_courses
            ),
        )


# -- shared parts ----------------------------------------------------------------------------
class Why(Wire):
    """A reason as a code and its parameters (`edt_tui.reasons`): each front end words it."""

    code: str
    params: dict[str, str | int]

    @classmethod
    def of(cls, reason: Reason) -> Why:
        return cls(code=reason.code.value, params=dict(reason.params))


class Audience(Wire):
    kind: str = Field(description="`class` or `group`")
    name: str


class IgnoredSession(Wire):
    """A session that makes no course, with why and where (wizard, job history)."""

    reason: str = Field(description="`class_part_only`, `missing_slot` or `unknown_reference`")
    subject: str | None
    detail: str
    why: Why | None = Field(
        default=None, description="the precise reason (null for a job recorded before reasons "
        "had codes)",
    )
    session: int | None = None
    line: int | None = None

    @classmethod
    def of(cls, i: EngineIgnoredSession) -> IgnoredSession:
        return cls(reason=i.reason.value, subject=i.subject, detail=i.detail, why=Why.of(i.why),
                   session=i.session, line=i.line)

    @classmethod
    def all_of(cls, plan: Plan) -> tuple[IgnoredSession, ...]:
        return tuple(cls.of(i) for i in plan.ignored_sessions)


# -- the CLI contract (`plan --json`) --------------------------------------------------------
class ContractEvent(Wire):
    start: Timestamp
    end: Timestamp
    rooms: tuple[str, ...]
    teachers: tuple[str, ...]


class ContractCourse(Wire):
    key: str
    label: str
    subject: str
    audience: Audience
    teachers: tuple[str, ...]
    students: tuple[str, ...]
    events: tuple[ContractEvent, ...] = Field(description="its events from T on")


class ContractIgnoredSession(Wire):
    reason: str
    subject: str | None
    detail: str
    why: Why


class UnreconciledPerson(Wire):
    last_name: str
    first_name: str
    birth_date: date | None


class ContractPeople(Wire):
    reconciled: int
    relink_pending: int
    unreconciled: tuple[UnreconciledPerson, ...]

    @classmethod
    def of(cls, rows: tuple[PersonRow, ...]) -> ContractPeople:
        unreconciled = sorted(
            (r for r in rows if not r.reconciled),
            key=lambda r: (r.last_name, r.first_name, r.ident),
        )
        return cls(
            reconciled=sum(1 for r in rows if r.reconciled),
            relink_pending=sum(1 for r in rows if r.relink_pending),
            unreconciled=tuple(
                UnreconciledPerson(last_name=r.last_name, first_name=r.first_name,
                                   birth_date=r.birth_date)
                for r in unreconciled
            ),
        )


class ContractPeopleByProfile(Wire):
    teachers: ContractPeople
    students: ContractPeople


class PlanContract(Wire):
    """`plan --json`: the selected courses with their members and future events, the people
    left unreconciled, the action counts and the guards."""

    uai: str
    school_year: str
    reference_time: Timestamp
    courses: tuple[ContractCourse, ...]
    ignored_sessions: tuple[ContractIgnoredSession, ...]
    people: ContractPeopleByProfile
    actions: dict[str, int] = Field(description="the contract's six action types")
    frozen_until: Timestamp
    freeze_minutes: int
    guard: Guard

    @classmethod
    def of(cls, plan: Plan) -> PlanContract:
        counts = plan.action_counts
        return cls(
            uai=plan.uai,
            school_year=plan.school_year,
            reference_time=plan.reference_time,
            courses=tuple(
                ContractCourse(
                    key=course.key, label=course.label, subject=course.state.subject,
                    audience=Audience(kind=course.state.audience_kind.value,
                                      name=course.state.audience_name),
                    teachers=tuple(sorted(course.teachers)),
                    students=tuple(sorted(course.students)),
                    events=tuple(
                        ContractEvent(start=e.start, end=e.end, rooms=tuple(sorted(e.rooms)),
                                      teachers=tuple(sorted(e.teachers)))
                        for e in course.future_events(plan.reference_time)
                    ),
                )
                for course in plan.selected_courses
            ),
            ignored_sessions=tuple(
                ContractIgnoredSession(reason=i.reason.value, subject=i.subject, detail=i.detail,
                                       why=Why.of(i.why))
                for i in plan.ignored_sessions
            ),
            people=ContractPeopleByProfile(
                teachers=ContractPeople.of(plan.teachers),
                students=ContractPeople.of(plan.students),
            ),
            actions={t.value: counts[t] for t in CONTRACT_ACTIONS},
            frozen_until=plan.frozen_until,
            freeze_minutes=plan.guards.freeze_minutes,
            guard=Guard.of(plan),
        )


# -- the wizard's step lists -----------------------------------------------------------------
class SubjectStep(Wire):
    ident: str
    key: str = Field(description="the selection key (`norm` of the export's label)")
    code: str
    export_label: str
    ent_name: str | None = Field(description="the ENT subject it was recognised as")
    matched_by: str | None = Field(description="`name` or `code` (null when new)")
    status: str = Field(description="`recognised`, `new`, `added` or `deactivated`")
    active: bool
    label: str


class ClassStep(Wire):
    ident: str
    key: str
    export_name: str
    ent_name: str | None
    status: str
    active: bool
    label: str


class GroupStep(Wire):
    ident: str
    key: str
    name: str
    status: str
    active: bool


class CourseStep(Wire):
    key: str
    label: str
    subject: str
    audience: Audience
    selected: bool
    subject_active: bool
    audience_active: bool
    deactivated: bool
    teachers: int
    students: int
    unreconciled_members: int
    future_events: int
    sessions: tuple[int, ...]


class Suggestion(Wire):
    sync_id: str
    last_name: str
    first_name: str
    birth_date: date | None
    score: float
    margin: float
    evidence: tuple[str, ...]


class PersonStep(Wire):
    key: str = Field(description="selection key: the IDPN, else `<profile>:<export ident>`")
    ident: str
    idpn: str | None
    last_name: str
    first_name: str
    birth_date: date | None
    classes: str = Field(description="a student's classes on the reference date")
    status: str = Field(
        description="`reconciled`, `unreconciled`, `ambiguous`, `refused` or `relink_required`"
    )
    relink_pending: bool
    previous_idpn: str | None
    sync_id: str | None
    rule: str | None
    candidates: tuple[str, ...]
    detail: str = Field(description="why this status, in English")
    reasons: tuple[Why, ...] = Field(description="why this status, as codes")
    recommended: str | None = Field(description="the suggestion that clearly beats the others")
    suggestions: tuple[Suggestion, ...]

    @classmethod
    def of(cls, row: PersonRow) -> PersonStep:
        return cls(
            key=row.key, ident=row.ident, idpn=row.idpn, last_name=row.last_name,
            first_name=row.first_name, birth_date=row.birth_date, classes=row.classes,
            status=row.status.value, relink_pending=row.relink_pending,
            previous_idpn=row.previous_idpn, sync_id=row.sync_id,
            rule=row.rule.value if row.rule else None, candidates=tuple(row.candidates),
            detail=row.detail, reasons=tuple(Why.of(r) for r in row.reasons),
            recommended=row.recommended.sync_id if row.recommended else None,
            suggestions=tuple(
                Suggestion(sync_id=s.sync_id, last_name=s.last_name, first_name=s.first_name,
                           birth_date=s.birth_date, score=s.score, margin=s.margin,
                           evidence=tuple(s.evidence))
                for s in row.suggestions
            ),
        )


class RelinkPending(Wire):
    teachers: int
    students: int


class PlanSteps(Wire):
    """Every step list of the wizard: unlike the contract it lists every derived course (with
    why it is not selected) and every person with their reconciliation and suggestions."""

    uai: str
    school_year: str
    reference_time: Timestamp
    reference_date: date
    subjects: tuple[SubjectStep, ...]
    classes: tuple[ClassStep, ...]
    groups: tuple[GroupStep, ...]
    courses: tuple[CourseStep, ...]
    teachers: tuple[PersonStep, ...]
    students: tuple[PersonStep, ...]
    ignored_sessions: tuple[IgnoredSession, ...]
    summary: dict[str, int] = Field(description="`courses_created`, `events_created`, …")
    actions: dict[str, int]
    relink_pending: RelinkPending
    frozen_until: Timestamp
    freeze_minutes: int
    guard: Guard
    plan_id: str | None = Field(
        default=None, description="the service's id of the plan (its lists and courses are "
        "asked by it); null in a helpdesk snapshot"
    )

    @classmethod
    def of(cls, plan: Plan, plan_id: str | None = None) -> PlanSteps:
        reference_time = plan.reference_time
        return cls(
            uai=plan.uai,
            school_year=plan.school_year,
            reference_time=reference_time,
            reference_date=plan.reference_date,
            subjects=tuple(
                SubjectStep(ident=r.ident, key=r.key, code=r.code, export_label=r.export_label,
                            ent_name=r.ent_name, matched_by=r.matched_by, status=r.status.value,
                            active=r.active, label=r.label)
                for r in plan.subjects
            ),
            classes=tuple(
                ClassStep(ident=r.ident, key=r.key, export_name=r.export_name,
                          ent_name=r.ent_name, status=r.status.value, active=r.active,
                          label=r.label)
                for r in plan.classes
            ),
            groups=tuple(
                GroupStep(ident=r.ident, key=r.key, name=r.name, status=r.status.value,
                          active=r.active)
                for r in plan.groups
            ),
            courses=tuple(
                CourseStep(
                    key=c.key, label=c.label, subject=c.state.subject,
                    audience=Audience(kind=c.state.audience_kind.value,
                                      name=c.state.audience_name),
                    selected=c.selected, subject_active=c.subject_active,
                    audience_active=c.audience_active, deactivated=c.deactivated,
                    teachers=len(c.teachers), students=len(c.students),
                    unreconciled_members=len(c.unreconciled_teachers)
                    + len(c.unreconciled_students),
                    future_events=len(c.future_events(reference_time)),
                    sessions=tuple(c.sessions),
                )
                for c in plan.courses
            ),
            teachers=tuple(PersonStep.of(r) for r in plan.teachers),
            students=tuple(PersonStep.of(r) for r in plan.students),
            ignored_sessions=IgnoredSession.all_of(plan),
            summary=dict(plan.summary),
            actions={t.value: n for t, n in plan.action_counts.items()},
            relink_pending=RelinkPending(teachers=plan.teacher_count.relink_pending,
                                         students=plan.student_count.relink_pending),
            frozen_until=plan.frozen_until,
            freeze_minutes=plan.guards.freeze_minutes,
            guard=Guard.of(plan),
            plan_id=plan_id,
        )


StepItem = SubjectStep | ClassStep | GroupStep | CourseStep | PersonStep | IgnoredSession


class PlanStepPage(Page[StepItem]):
    """One page of one step's list."""

    plan_id: str
    step: Step


# -- the summary and one course --------------------------------------------------------------
class PlanCounts(Wire):
    subjects: int
    classes: int
    groups: int
    courses: int
    selected_courses: int
    teachers: int
    students: int
    ignored_sessions: int


class PeopleCount(Wire):
    reconciled: int
    unreconciled: int
    relink_pending: int


class PeopleCounts(Wire):
    teachers: PeopleCount
    students: PeopleCount


class PlanSummary(Wire):
    """`POST …/plans` (view `summary`): counts only, and the id to page the lists by."""

    plan_id: str | None
    uai: str
    school_year: str
    reference_time: Timestamp
    summary: dict[str, int]
    actions: dict[str, int]
    counts: PlanCounts
    people: PeopleCounts
    frozen_until: Timestamp
    freeze_minutes: int
    guard: Guard

    @classmethod
    def of(cls, plan: Plan, plan_id: str | None) -> PlanSummary:
        teachers, students = plan.teacher_count, plan.student_count
        return cls(
            plan_id=plan_id, uai=plan.uai, school_year=plan.school_year,
            reference_time=plan.reference_time, summary=dict(plan.summary),
            actions={t.value: n for t, n in plan.action_counts.items()},
            counts=PlanCounts(
                subjects=len(plan.subjects), classes=len(plan.classes), groups=len(plan.groups),
                courses=len(plan.courses), selected_courses=len(plan.selected_courses),
                teachers=len(plan.teachers), students=len(plan.students),
                ignored_sessions=len(plan.ignored_sessions),
            ),
            people=PeopleCounts(
                teachers=PeopleCount(reconciled=teachers.reconciled,
                                     unreconciled=teachers.unreconciled,
                                     relink_pending=teachers.relink_pending),
                students=PeopleCount(reconciled=students.reconciled,
                                     unreconciled=students.unreconciled,
                                     relink_pending=students.relink_pending),
            ),
            frozen_until=plan.frozen_until, freeze_minutes=plan.guards.freeze_minutes,
            guard=Guard.of(plan),
        )


class NamedPerson(Wire):
    name: str = Field(description="`Prénom NOM`, as the export names them")
    sync_id: str | None
    reconciled: bool


class CourseEvent(Wire):
    start: Timestamp
    end: Timestamp
    rooms: tuple[str, ...]


class PlanCourseDetail(Wire):
    """What the wizard shows on `enter` on a course: who is in it, its rooms, what comes next.

    The unreconciled people are included and flagged: they will be missing from the ENT course.
    """

    key: str
    label: str
    subject: str
    audience: Audience
    teachers: tuple[NamedPerson, ...]
    students: tuple[NamedPerson, ...]
    rooms: tuple[str, ...]
    future_events: int
    first_events: tuple[CourseEvent, ...]

    @classmethod
    def of(cls, plan: Plan, key: str, *, first_events: int = 5) -> PlanCourseDetail | None:
        course = next((c for c in plan.courses if c.key == key), None)
        if course is None:
            return None

        def people(
            rows: tuple[PersonRow, ...], ids: frozenset[str], idents: frozenset[str]
        ) -> tuple[NamedPerson, ...]:
            named = [
                NamedPerson(name=f"{r.first_name} {r.last_name}".strip(), sync_id=r.sync_id,
                            reconciled=r.sync_id in ids)
                for r in rows
                if (r.reconciled and r.sync_id in ids)
                or (not r.reconciled and r.ident in idents)
            ]
            return tuple(sorted(named, key=lambda p: (not p.reconciled, p.name)))

        upcoming = course.future_events(plan.reference_time)
        return cls(
            key=course.key, label=course.label, subject=course.state.subject,
            audience=Audience(kind=course.state.audience_kind.value,
                              name=course.state.audience_name),
            teachers=people(plan.teachers, course.teachers, course.unreconciled_teachers),
            students=people(plan.students, course.students, course.unreconciled_students),
            rooms=tuple(sorted({room for event in course.events for room in event.rooms})),
            future_events=len(upcoming),
            first_events=tuple(
                CourseEvent(start=e.start, end=e.end, rooms=tuple(e.rooms))
                for e in upcoming[:first_events]
            ),
        )
