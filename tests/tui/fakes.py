"""A recording `WizardBackend` with fixed, deterministic data (for Pilot tests, snapshots, bench).

It applies the session's selection to its fixed lists the way the service does (statuses,
available/selected courses, people decisions) so that screens can be driven end to end, and it
records every call so tests assert on what "the service" received.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from edt_tui.engine.selection import PersonChoice, Selection, SubjectChoice
from edt_tui.reasons import ReasonCode, reason
from edt_tui.tui.backend import (
    NO_DELETION,
    CourseDetail,
    CourseLine,
    DeletionGuard,
    Enqueued,
    EstablishmentInfo,
    ExportCheck,
    IgnoredSessionLine,
    ItemLine,
    LastImport,
    MassDeletionRefused,
    PersonLine,
    SuggestionLine,
    WizardPlan,
)

UAI = "0490856P"


@dataclass(frozen=True)
class FakeCourse:
    line: CourseLine
    subject_key: str
    audience_key: str


@dataclass
class Data:
    subjects: list[ItemLine]
    classes: list[ItemLine]
    groups: list[ItemLine]
    courses: list[FakeCourse]
    teachers: list[PersonLine]
    students: list[PersonLine]


SUBJECT_NAMES = [
    "ACCUEIL CM2",
    "ACTIVITES EDUCATIVES",
    "ALLEMAND LV2",
    "ANGLAIS LV1",
    "EDUCATION MUSICALE",
    "FRANCAIS",
    "HISTOIRE-GEOGRAPHIE",
    "LCA LATIN",
    "MATHEMATIQUES",
    "PHYSIQUE-CHIMIE",
    "SVT",
    "TECHNOLOGIE",
    "DEVOIRS FAITS",
    "ENS. MORAL & CIVIQUE",
    "[red]ROUGE[/red] MATIERE",
]
FIRST = ["Sabrina", "Julie", "Karim", "Yannick", "Manon", "Lucas", "Clément", "Romane", "Nina"]
LAST = ["ALVAREZ", "BACHELET", "BROWN", "DALLAOUI", "DEJEAN", "ALLARD", "ALVES", "AMIOT"]


def _norm(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def build_data(
    *, students: int = 60, classes: int = 16, groups: int = 15, relinks: int = 0
) -> Data:
    """`relinks`: that many teachers and students (the first ones reconciled) whose ENT account
    carries another IDPN (PRONOTE ids regenerated), pending the admin's confirmation."""
    subjects = [
        ItemLine(
            _norm(name),
            str(i + 1),
            name,
            name if i < 10 else None,
            "recognised" if i < 10 else "new",
        )
        for i, name in enumerate(SUBJECT_NAMES)
    ]
    class_names = [f"{level} {letter}" for level in (3, 4, 5, 6) for letter in "ABCDEF"]
    class_names = (class_names * (classes // len(class_names) + 1))[:classes]
    class_names = [n if i < 24 else f"{n}{i}" for i, n in enumerate(class_names)]
    class_lines = [
        ItemLine(_norm(n), str(i + 1), n, n if i % 7 else None, "recognised" if i % 7 else "new")
        for i, n in enumerate(class_names)
    ]
    group_lines = [
        ItemLine(_norm(f"G{i:02}LATIN"), str(i + 1), f"G{i:02}LATIN", f"G{i:02}LATIN", "recognised")
        for i in range(groups)
    ]
    courses: list[FakeCourse] = []
    for s_index, subject in enumerate(subjects[:12]):
        for c_index, school_class in enumerate(class_lines):
            if (s_index + c_index) % 3:
                continue
            label = f"{subject.export_label} - {school_class.export_label}"
            line = CourseLine(
                f"{UAI}:2026-2027:{subject.key}:class:{school_class.key}",
                label,
                "class",
                True,
                True,
                1 + c_index % 2,
                20 + c_index % 9,
                30 + s_index,
            )
            courses.append(FakeCourse(line, subject.key, school_class.key))
    for g_index, group in enumerate(group_lines):
        label = f"LCA LATIN - {group.export_label}"
        line = CourseLine(
            f"{UAI}:2026-2027:LCALATIN:group:{group.key}",
            label,
            "group",
            True,
            True,
            1,
            12 + g_index % 5,
            34,
        )
        courses.append(FakeCourse(line, "LCALATIN", group.key))

    def person(i: int, profile: str, count: int) -> PersonLine:
        first, last = FIRST[i % len(FIRST)], f"{LAST[i % len(LAST)]}{i // len(LAST) or ''}"
        idpn = f"{profile[0].upper()}{i:05}PN"
        born = None if profile == "teacher" else f"{2010 + i % 5}-0{1 + i % 9}-1{i % 10}"
        unreconciled = i % 11 == 3
        suggestions: tuple[SuggestionLine, ...] = ()
        if unreconciled:
            suggestions = (
                SuggestionLine(
                    f"{profile}-{i}-close",
                    last,
                    first[:-1] + "e",
                    born,
                    0.93,
                    ("last_name:exact", "first_name:close", "birth_date:exact"),
                ),
                SuggestionLine(
                    f"{profile}-{i}-far",
                    last + "X",
                    first,
                    born,
                    0.81,
                    ("last_name:close", "first_name:exact"),
                ),
            )
        return PersonLine(
            key=idpn,
            ident=str(i + 1),
            last_name=last,
            first_name=first,
            birth_date=born,
            idpn=idpn,
            status="unreconciled" if unreconciled else "reconciled",
            sync_id=None if unreconciled else f"{profile}-{i}",
            detail="no ENT account found (IDPN, CAS, identity)" if unreconciled else "matched",
            reasons=(
                reason(ReasonCode.NO_ACCOUNT) if unreconciled
                else reason(ReasonCode.MATCHED, rule="idpn"),
            ),
            suggestions=suggestions,
            recommended=suggestions[0].sync_id if suggestions else None,  # clearly the best
            classes=f"3{'AB'[i % 2]}" if profile == "student" else "",
        )

    def regenerated(rows: list[PersonLine]) -> list[PersonLine]:
        chosen = [p.key for p in rows if p.status == "reconciled"][:relinks]
        return [
            replace(
                p, status="relink_required", relink_pending=True,
                previous_idpn=f"OLD{p.idpn}", detail="account carries another PRONOTE id",
                reasons=(reason(ReasonCode.OTHER_PRONOTE_ID, idpn=f"OLD{p.idpn}"),),
            )
            if p.key in chosen
            else p
            for p in rows
        ]

    return Data(
        subjects=subjects,
        classes=class_lines,
        groups=group_lines,
        courses=courses,
        teachers=regenerated([person(i, "teacher", 12) for i in range(12)]),
        students=regenerated([person(i, "student", students) for i in range(students)]),
    )


def _item_status(line: ItemLine, decided: bool | None) -> str:
    if decided is None:
        return line.status
    if decided:
        return "recognised" if line.known else "added"
    return "deactivated" if line.known else "new"


@dataclass
class FakeBackend:
    data: Data = field(default_factory=build_data)
    establishments_list: Sequence[EstablishmentInfo] = (
        EstablishmentInfo(UAI, "COLLEGE INDEX EDUCATION"),
    )
    plan_calls: list[dict[str, Any]] = field(default_factory=list)
    uploads: list[tuple[str, Path]] = field(default_factory=list)
    launches: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    allowed_mass_deletion: list[bool] = field(default_factory=list)
    """`allow_mass_deletion` of each accepted launch."""
    closed: bool = False
    plan_gate: asyncio.Event | None = None
    """When set, plans wait for it (a slow service)."""
    last_import: LastImport | None = None
    """The establishment's last manual import, whose decisions a new session starts from."""
    guard: DeletionGuard = NO_DELETION
    """The mass-deletion verdict every plan carries; `launch` refuses a mass deletion unless
    confirmed, as the service does."""
    frozen_until: str | None = None
    freeze_minutes: int = 0

    async def establishments(self) -> Sequence[EstablishmentInfo]:
        await asyncio.sleep(0)
        return list(self.establishments_list)

    async def check_export(self, uai: str, path: Path) -> ExportCheck:
        self.uploads.append((uai, path))
        file_uai = path.stem.rsplit("_", 1)[-1]
        return ExportCheck(
            file_name=path.name,
            uai=file_uai,
            import_id="7c0c7fa9-1bca-49e5-a880-1ec06bb7077d",
            encrypted=True,
            key_present=True,
            sha256="ab" * 32,
            school_year="2026-2027",
            counts={"subjects": len(self.data.subjects), "students": len(self.data.students)},
        )

    def compute(self, selection: Mapping[str, Any]) -> WizardPlan:
        sel = Selection.from_dict(selection) if selection else Selection.default()
        subjects = []
        for s in self.data.subjects:
            choice = sel.subjects.get(s.key)
            decided = None if choice is None else choice is not SubjectChoice.INACTIVE
            subjects.append(replace(s, status=_item_status(s, decided)))
        classes = [
            replace(c, status=_item_status(c, sel.classes.get(c.key))) for c in self.data.classes
        ]
        groups = [
            replace(g, status=_item_status(g, sel.groups.get(g.key))) for g in self.data.groups
        ]
        active = {i.key for i in (*subjects, *classes, *groups) if i.active}
        courses = []
        for c in self.data.courses:
            available = c.subject_key in active and c.audience_key in active
            selected = available and c.line.key not in sel.deactivated_courses
            courses.append(replace(c.line, available=available, selected=selected))

        def people(rows: list[PersonLine]) -> tuple[PersonLine, ...]:
            result = []
            for p in rows:
                decision = sel.people.get(p.key)
                if decision is not None and decision.choice is PersonChoice.REFUSE:
                    p = replace(p, status="refused")
                elif decision is not None and decision.choice is PersonChoice.LINK:
                    p = replace(p, status="reconciled", sync_id=decision.sync_id)
                elif decision is not None and decision.choice is PersonChoice.CONFIRM_RELINK:
                    p = replace(p, status="reconciled", relink_pending=False)
                result.append(p)
            return tuple(result)

        chosen = [c for c in courses if c.selected]
        teachers, students = people(self.data.teachers), people(self.data.students)
        return WizardPlan(
            subjects=tuple(subjects),
            classes=tuple(classes),
            groups=tuple(groups),
            courses=tuple(courses),
            teachers=teachers,
            students=students,
            summary={
                "courses_created": len(chosen),
                "events_created": sum(c.events for c in chosen),
                "events_deleted": 0,
                "memberships_created": sum(c.teachers + c.students for c in chosen),
                "memberships_deleted": 0,
            },
            ignored_sessions=(
                IgnoredSessionLine(
                    "class_part_only", "LATIN", "3A groupe 1", 12, 340,
                    reason(ReasonCode.CLASS_PART_ONLY, session=12, line=340),
                ),
            ),
            relink_pending={
                "teachers": sum(p.relink_pending for p in teachers),
                "students": sum(p.relink_pending for p in students),
            },
            guard=self.guard,
            frozen_until=self.frozen_until,
            freeze_minutes=self.freeze_minutes,
        )

    async def plan(self, uai: str, export: ExportCheck, selection: Mapping[str, Any]) -> WizardPlan:
        self.plan_calls.append({"uai": uai, "sha256": export.sha256, "selection": selection})
        await asyncio.sleep(0)
        if self.plan_gate is not None:
            await self.plan_gate.wait()
        return self.compute(selection)

    async def launch(
        self, uai: str, export: ExportCheck, selection: Mapping[str, Any], *,
        allow_mass_deletion: bool = False,
    ) -> Enqueued:
        if self.guard.mass_deletion and not allow_mass_deletion:
            raise MassDeletionRefused(self.guard)
        self.launches.append((uai, export.sha256, dict(selection)))
        self.allowed_mass_deletion.append(allow_mass_deletion)
        return Enqueued("job-1", 2)

    async def course_detail(self, uai: str, plan: WizardPlan, key: str) -> CourseDetail:
        line = next(c for c in plan.courses if c.key == key)
        return CourseDetail(
            label=line.label,
            teachers=(("Anne ARNAUD", True), ("Paul INCONNU", False)),
            students=tuple((f"Élève {n}", True) for n in range(line.students)),
            rooms=("101",),
            future_events=line.events,
            first_events=(("2026-09-07T08:00:00+02:00", "2026-09-07T08:55:00+02:00", ("101",)),),
        )

    async def last_manual_import(self, uai: str) -> LastImport | None:
        await asyncio.sleep(0)
        return self.last_import

    async def aclose(self) -> None:
        self.closed = True
