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


@dataclass(frozen=True, slots=True)
class DeletionShare:
    deleted: int = 0
    total: int = 0
    percent: float = 0.0


@dataclass(frozen=True, slots=True)
class CourseLoss:
    label: str
    memberships: int
    events: int


@dataclass(frozen=True, slots=True)
class DeletionGuard:
    """The service's mass-deletion verdict: what the import deletes out of what earlier imports
    created, the establishment's threshold, and the courses losing the most."""

    mass_deletion: bool = False
    memberships: DeletionShare = DeletionShare()
    events: DeletionShare = DeletionShare()
    threshold_percent: int = 20
    top_courses: tuple[CourseLoss, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> DeletionGuard:
        if not data:
            return cls()

        def share(part: Any) -> DeletionShare:
            part = part or {}
            return DeletionShare(
                int(part.get("deleted") or 0), int(part.get("total") or 0),
                float(part.get("percent") or 0.0),
            )

        return cls(
            mass_deletion=bool(data.get("mass_deletion")),
            memberships=share(data.get("memberships")),
            events=share(data.get("events")),
            threshold_percent=int(data.get("threshold_percent") or 0),
            top_courses=tuple(
                CourseLoss(
                    str(c.get("label") or c.get("key") or ""),
                    int(c.get("memberships_deleted") or 0), int(c.get("events_deleted") or 0),
                )
                for c in data.get("top_courses") or ()
            ),
        )


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
    guard: DeletionGuard = DeletionGuard()
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


def _reasons(data: Any) -> tuple[Reason, ...]:
    """Every reason sent, or none when one is unknown here (then the English text is shown)."""
    found = [Reason.from_dict(d) for d in data or ()]
    known = tuple(r for r in found if r is not None)
    return known if len(known) == len(found) else ()


def _person(data: Mapping[str, Any]) -> PersonLine:
    return PersonLine(
        key=str(data["key"]),
        ident=str(data.get("ident") or ""),
        last_name=str(data.get("last_name") or ""),
        first_name=str(data.get("first_name") or ""),
        birth_date=data.get("birth_date"),
        idpn=data.get("idpn"),
        status=str(data["status"]),
        sync_id=data.get("sync_id"),
        detail=str(data.get("detail") or ""),
        reasons=_reasons(data.get("reasons")),
        recommended=data.get("recommended"),
        classes=str(data.get("classes") or ""),
        suggestions=tuple(
            SuggestionLine(
                sync_id=str(s["sync_id"]),
                last_name=str(s.get("last_name") or ""),
                first_name=str(s.get("first_name") or ""),
                birth_date=s.get("birth_date"),
                score=float(s.get("score") or 0.0),
                evidence=tuple(s.get("evidence") or ()),
            )
            for s in data.get("suggestions") or ()
        ),
        relink_pending=bool(data.get("relink_pending")),
        previous_idpn=data.get("previous_idpn"),
    )


def wizard_plan_from_json(data: Mapping[str, Any]) -> WizardPlan:
    """Read the engine's `plan_steps_to_dict` document, as the service's dry-run returns it."""
    subjects = tuple(
        ItemLine(
            str(r["key"]), str(r["ident"]), str(r["export_label"]), r.get("ent_name"), r["status"]
        )
        for r in data.get("subjects", ())
    )
    classes = tuple(
        ItemLine(
            str(r["key"]), str(r["ident"]), str(r["export_name"]), r.get("ent_name"), r["status"]
        )
        for r in data.get("classes", ())
    )
    groups = tuple(
        ItemLine(str(r["key"]), str(r["ident"]), str(r["name"]), str(r["name"]), r["status"])
        for r in data.get("groups", ())
    )
    courses = tuple(
        CourseLine(
            key=str(c["key"]),
            label=str(c["label"]),
            audience_kind=str((c.get("audience") or {}).get("kind", "class")),
            selected=bool(c.get("selected")),
            available=bool(c.get("subject_active")) and bool(c.get("audience_active")),
            teachers=int(c.get("teachers") or 0),
            students=int(c.get("students") or 0),
            events=int(c.get("future_events") or 0),
        )
        for c in data.get("courses", ())
    )
    return WizardPlan(
        subjects=subjects,
        classes=classes,
        groups=groups,
        courses=courses,
        teachers=tuple(_person(p) for p in data.get("teachers", ())),
        students=tuple(_person(p) for p in data.get("students", ())),
        summary={str(k): int(v) for k, v in (data.get("summary") or {}).items()},
        ignored_sessions=tuple(
            IgnoredSessionLine(
                str(i.get("reason") or ""), i.get("subject"), str(i.get("detail") or ""),
                i.get("session"), i.get("line"), Reason.from_dict(i.get("why")),
            )
            for i in data.get("ignored_sessions", ())
        ),
        plan_id=data.get("plan_id"),
        relink_pending={str(k): int(v) for k, v in (data.get("relink_pending") or {}).items()},
        guard=DeletionGuard.from_json(data.get("guard")),
        frozen_until=data.get("frozen_until"),
        freeze_minutes=int(data.get("freeze_minutes") or 0),
    )


def course_detail_from_json(data: Mapping[str, Any]) -> CourseDetail:
    """Read the service's `GET …/plans/{plan_id}/courses/{key}` document."""

    def people(rows: Any) -> tuple[tuple[str, bool], ...]:
        return tuple((str(p["name"]), bool(p.get("reconciled"))) for p in rows or ())

    return CourseDetail(
        label=str(data.get("label") or ""),
        teachers=people(data.get("teachers")),
        students=people(data.get("students")),
        rooms=tuple(str(r) for r in data.get("rooms") or ()),
        future_events=int(data.get("future_events") or 0),
        first_events=tuple(
            (str(e["start"]), str(e["end"]), tuple(str(r) for r in e.get("rooms") or ()))
            for e in data.get("first_events") or ()
        ),
    )
