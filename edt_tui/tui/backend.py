"""What the wizard needs from the ENT import service, as a small Protocol and its value types.

The TUI never computes a plan: every list comes from the service (a dry-run plan for the uploaded
export and the session's selection). Screens depend on `WizardBackend` only, so tests can drive
them with fixed data and the real adapter (`edt_tui.tui.client_backend`) can follow the client.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from edt_tui.dates import DEFAULT_TIMEZONE
from edt_tui.reasons import Reason
from edt_tui.wire import PlanCourseDetail, PlanSteps
from edt_tui.wire.plans import Guard, PersonStep, Share, Why


@dataclass(frozen=True, slots=True)
class EstablishmentInfo:
    uai: str
    name: str
    timezone: str = DEFAULT_TIMEZONE
    """Its IANA time zone: every time of its screens is shown in it."""


@dataclass(frozen=True, slots=True)
class ExportCheck:
    """Seed §3.4: what the service says about the uploaded file."""

    file_name: str
    uai: str
    import_id: str
    encrypted: bool
    key_present: bool
    sha256: str
    school_year: str | None = None
    counts: Mapping[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    """The reader's warnings in English, as the CLI prints them."""
    warning_details: tuple[Mapping[str, Any], ...] = ()
    """The same by `code`, `case`, `line` and `params`: what the Résumé words in French (empty
    for an export stored, or a session saved, by an older version)."""
    refusal: str | None = None
    """The service's reason when it refused the file (e.g. another establishment's export)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "file_name": self.file_name,
            "uai": self.uai,
            "import_id": self.import_id,
            "encrypted": self.encrypted,
            "key_present": self.key_present,
            "sha256": self.sha256,
            "school_year": self.school_year,
            "counts": dict(self.counts),
            "warnings": list(self.warnings),
            "warning_details": [dict(w) for w in self.warning_details],
            "refusal": self.refusal,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ExportCheck:
        return cls(
            file_name=str(data.get("file_name") or ""),
            uai=str(data.get("uai") or ""),
            import_id=str(data.get("import_id") or ""),
            encrypted=bool(data.get("encrypted")),
            key_present=bool(data.get("key_present")),
            sha256=str(data.get("sha256") or ""),
            school_year=data.get("school_year"),
            counts={str(k): int(v) for k, v in (data.get("counts") or {}).items()},
            warnings=tuple(str(w) for w in data.get("warnings") or ()),
            warning_details=tuple(
                dict(w) for w in data.get("warning_details") or () if isinstance(w, Mapping)
            ),
            refusal=data.get("refusal"),
        )


@dataclass(frozen=True, slots=True)
class ItemLine:
    """A subject, class or group of the export and how the ENT sees it."""

    key: str
    """The selection key (`norm` of the export's name)."""
    ident: str
    export_label: str
    ent_name: str | None
    status: str
    """`recognised`, `new`, `added` or `deactivated` (engine `ItemStatus`)."""

    @property
    def known(self) -> bool:
        """Recognised in the ENT referential (green when active) rather than new (white)."""
        return self.ent_name is not None

    @property
    def active(self) -> bool:
        return self.status in ("recognised", "added")


@dataclass(frozen=True, slots=True)
class CourseLine:
    key: str
    label: str
    audience_kind: str
    """`class` or `group`."""
    selected: bool
    available: bool
    """Its subject and its class/group are active: only then can it be imported."""
    teachers: int = 0
    students: int = 0
    events: int = 0


@dataclass(frozen=True, slots=True)
class SuggestionLine:
    sync_id: str
    last_name: str
    first_name: str
    birth_date: str | None
    score: float
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PersonLine:
    key: str
    """Selection key: IDPN, else `<profile>:<export ident>`."""
    ident: str
    last_name: str
    first_name: str
    birth_date: str | None
    idpn: str | None
    status: str
    """`reconciled`, `unreconciled`, `ambiguous`, `refused` or `relink_required`."""
    sync_id: str | None
    detail: str = ""
    """Why this status, in English (shown when `reasons` is empty: a service that sent none)."""
    reasons: tuple[Reason, ...] = ()
    """Why this status, worded in French from the codes."""
    suggestions: tuple[SuggestionLine, ...] = ()
    recommended: str | None = None
    """The account of the suggestion that clearly beats the others (never applied unasked)."""
    classes: str = ""
    """A student's classes on the reference date: tells homonyms apart."""
    relink_pending: bool = False
    """Matched to an ENT account carrying another IDPN (PRONOTE ids regenerated): its ENT state
    is kept as it is until the admin confirms the relink (`a`)."""
    previous_idpn: str | None = None
    """The IDPN the ENT account carries (the « Ancien IDPN »), when it differs from `idpn`."""

    @property
    def display_name(self) -> str:
        """`Prénom NOM`, as the seed lists people."""
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True, slots=True)
class IgnoredSessionLine:
    """A session of the export that produces no course (§2), and why."""

    reason: str
    """`class_part_only`, `missing_slot` or `unknown_reference`."""
    subject: str | None
    detail: str
    session: int | None
    line: int | None
    why: Reason | None = None
    """The precise reason (None from a job recorded before reasons had codes)."""


@dataclass(frozen=True, slots=True)
class CourseDetail:
    """`enter` on a course: its people by name, rooms and first future events."""

    label: str
    teachers: tuple[tuple[str, bool], ...]
    """(name, reconciled) — the unreconciled will not be members in the ENT."""
    students: tuple[tuple[str, bool], ...]
    rooms: tuple[str, ...]
    future_events: int
    first_events: tuple[tuple[str, str, tuple[str, ...]], ...]
    """(start, end, rooms) as ISO 8601 local times."""


DeletionGuard = Guard
"""The service's mass-deletion verdict: what the import deletes out of what earlier imports
created, the establishment's threshold, and the courses losing the most."""
DeletionShare = Share
NO_DELETION = DeletionGuard(
    mass_deletion=False,
    memberships=DeletionShare(deleted=0, total=0, percent=0.0),
    events=DeletionShare(deleted=0, total=0, percent=0.0),
    threshold_percent=20,
    top_courses=(),
)
"""What a plan without a verdict shows (a test's fixed data)."""


class MassDeletionRefused(Exception):
    """The service refused a launch that deletes too much until the admin confirms it."""

    def __init__(self, guard: DeletionGuard) -> None:
        super().__init__("mass deletion not confirmed")
        self.guard = guard


@dataclass(frozen=True, slots=True)
class WizardPlan:
    """The per-step lists of a dry-run plan, and the §3.11 counts."""

    subjects: tuple[ItemLine, ...]
    classes: tuple[ItemLine, ...]
    groups: tuple[ItemLine, ...]
    courses: tuple[CourseLine, ...]
    teachers: tuple[PersonLine, ...]
    students: tuple[PersonLine, ...]
    summary: Mapping[str, int]
    """`courses_created`, `events_created`, `events_deleted`, `memberships_created`, …"""
    ignored_sessions: tuple[IgnoredSessionLine, ...] = ()
    plan_id: str | None = None
    """The service's id of this plan (course details are asked by it)."""
    relink_pending: Mapping[str, int] = field(default_factory=dict)
    """Relinks to confirm per profile (`teachers`, `students`): PRONOTE ids regenerated."""
    guard: DeletionGuard = NO_DELETION
    frozen_until: str | None = None
    """Events starting before this instant (ISO) are left as they are (freeze window)."""
    freeze_minutes: int = 0


@dataclass(frozen=True, slots=True)
class LastImport:
    """The establishment's last successful manual import: a new session starts from its
    decisions (refused people stay refused, deactivated courses stay deactivated)."""

    job_id: str
    finished_at: str
    selection: Mapping[str, Any]
    """`Selection.to_dict()`."""


@dataclass(frozen=True, slots=True)
class Enqueued:
    job_id: str
    queue_position: int | None


class WizardBackend(Protocol):
    """The service calls of the wizard (all async: screens call them from workers)."""

    async def establishments(self) -> Sequence[EstablishmentInfo]: ...

    async def check_export(self, uai: str, path: Path) -> ExportCheck:
        """Upload the file; the summary of §3.4 (a UAI mismatch is shown, not raised)."""
        ...

    async def plan(
        self, uai: str, export: ExportCheck, selection: Mapping[str, Any]
    ) -> WizardPlan: ...

    async def launch(
        self, uai: str, export: ExportCheck, selection: Mapping[str, Any], *,
        allow_mass_deletion: bool = False,
    ) -> Enqueued:
        """Enqueue the import; `MassDeletionRefused` unless `allow_mass_deletion` when it
        deletes more than the establishment's threshold."""
        ...

    async def course_detail(self, uai: str, plan: WizardPlan, key: str) -> CourseDetail: ...

    async def last_manual_import(self, uai: str) -> LastImport | None:
        """The last manual import that ran to its end, with its selection; None before any."""
        ...

    async def aclose(self) -> None: ...


def _reasons(sent: tuple[Why, ...]) -> tuple[Reason, ...]:
    """Every reason sent, or none when one is unknown here (then the English text is shown)."""
    found = [Reason.from_dict(why.model_dump()) for why in sent]
    known = tuple(r for r in found if r is not None)
    return known if len(known) == len(found) else ()


def _person(p: PersonStep) -> PersonLine:
    return PersonLine(
        key=p.key, ident=p.ident, last_name=p.last_name, first_name=p.first_name,
        birth_date=p.birth_date.isoformat() if p.birth_date else None, idpn=p.idpn,
        status=p.status, sync_id=p.sync_id, detail=p.detail, reasons=_reasons(p.reasons),
        recommended=p.recommended, classes=p.classes,
        suggestions=tuple(
            SuggestionLine(
                sync_id=s.sync_id, last_name=s.last_name, first_name=s.first_name,
                birth_date=s.birth_date.isoformat() if s.birth_date else None, score=s.score,
                evidence=s.evidence,
            )
            for s in p.suggestions
        ),
        relink_pending=p.relink_pending, previous_idpn=p.previous_idpn,
    )


def wizard_plan(steps: PlanSteps) -> WizardPlan:
    """The wizard's lines of the service's step lists."""
    return WizardPlan(
        subjects=tuple(
            ItemLine(r.key, r.ident, r.export_label, r.ent_name, r.status) for r in steps.subjects
        ),
        classes=tuple(
            ItemLine(r.key, r.ident, r.export_name, r.ent_name, r.status) for r in steps.classes
        ),
        groups=tuple(ItemLine(r.key, r.ident, r.name, r.name, r.status) for r in steps.groups),
        courses=tuple(
            CourseLine(
                key=c.key, label=c.label, audience_kind=c.audience.kind, selected=c.selected,
                available=c.subject_active and c.audience_active, teachers=c.teachers,
                students=c.students, events=c.future_events,
            )
            for c in steps.courses
        ),
        teachers=tuple(_person(p) for p in steps.teachers),
        students=tuple(_person(p) for p in steps.students),
        summary=dict(steps.summary),
        ignored_sessions=tuple(
            IgnoredSessionLine(
                i.reason, i.subject, i.detail, i.session, i.line,
                Reason.from_dict(i.why.model_dump()) if i.why else None,
            )
            for i in steps.ignored_sessions
        ),
        plan_id=steps.plan_id,
        relink_pending=steps.relink_pending.model_dump(),
        guard=steps.guard,
        frozen_until=steps.frozen_until.isoformat(),
        freeze_minutes=steps.freeze_minutes,
    )


def course_detail(detail: PlanCourseDetail) -> CourseDetail:
    """The wizard's view of one course of the plan."""
    return CourseDetail(
        label=detail.label,
        teachers=tuple((p.name, p.reconciled) for p in detail.teachers),
        students=tuple((p.name, p.reconciled) for p in detail.students),
        rooms=detail.rooms,
        future_events=detail.future_events,
        first_events=tuple(
            (e.start.isoformat(), e.end.isoformat(), e.rooms) for e in detail.first_events
        ),
    )

