"""Fixed service answers for snapshots: same screens, no clock, no random secret."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from edt_tui.client.client import EntClient
from edt_tui.client.models import (
    Course,
    Establishment,
    EstablishmentSettings,
    Event,
    HierarchyNode,
    ImportJobDetail,
    Page,
)
from edt_tui.service.job_records import empty_recap
from edt_tui.service.vocabulary import ACTION_LABELS
from edt_tui.tui.backend import EstablishmentInfo
from edt_tui.wire import Accounts, JobAction, UnreconciledAccount

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
UAI = "0490856P"
NAME = "COLLEGE JEAN ROSTAND (49-CHOLET)"
PARIS = ZoneInfo("Europe/Paris")
LABELS = {t.value: label for t, label in ACTION_LABELS.items()}


def _page(items: Sequence[T], offset: int, limit: int) -> Page[T]:
    chunk = tuple(items[offset:offset + limit])
    after = offset + len(chunk)
    return Page(items=chunk, total=len(items), offset=offset, limit=limit,
                next=after if after < len(items) else None)


def _job(n: int, status: str, label: str, kind: str, **extra: Any) -> ImportJobDetail:
    recap = empty_recap()  # an import's rows, as the service gives them
    recap["create_course"] = {"success": 12 * n, "error": 0}
    recap["create_membership"] = {"success": 300 * n, "error": n - 1}
    recap["create_event"] = {"success": 900 * n, "error": 0}
    raw: dict[str, Any] = {
        "id": f"{n:08x}" + "0" * 24, "type": kind, "status": status,
        "queue_position": extra.get("queue_position"),
        "created_at": datetime(2026, 11, 20 + n, 10, 32, tzinfo=PARIS).isoformat(),
        "finished_at": None, "recap": recap, "reason": extra.get("reason"),
        "status_label": label, "type_label": "Manuel" if kind == "manual" else "Automatique",
        "progress": extra.get("progress"), "tasks_done": 1212 * n, "errors": n - 1,
        "pending": 0, "action_labels": LABELS, "reason_code": None,
        "resumable": status == "interrupted", "outcome": None, "started_at": None,
        "reference_time": None, "export_sha256": None, "selection_version": None,
        "summary": None, "undoes": None, "reason_params": None, "allow_mass_deletion": False,
        "new_entities": {}, "ignored_sessions": [], "ignored_total": 0,
    }
    return ImportJobDetail.model_validate(raw)


JOBS = [
    _job(6, "queued", "En attente", "automatic", queue_position=2),
    _job(5, "running", "En cours", "manual", progress={"done": 4321, "total": 22272}),
    _job(4, "refused", "Refusé", "automatic",
         reason="Envoi refusé : 4 imports automatiques déjà acceptés aujourd'hui"),
    _job(3, "interrupted", "Interrompu", "manual", progress={"done": 3000, "total": 3636}),
    _job(2, "done", "Fait", "automatic", progress={"done": 2424, "total": 2424}),
    _job(1, "done", "Fait", "manual", progress={"done": 1212, "total": 1212}),
]
CREATED = datetime(2026, 11, 21, 10, 33, tzinfo=PARIS)
COURSES = [
    Course(key=f"{UAI}:2026-2027:{s}:class:{c}", uai=UAI, school_year="2026-2027",
           label=f"{s} - {c}", subject=s, audience_kind="class", audience_name=c,
           origin="integration", created_by="Intégration", created_at=CREATED,
           updated_at=CREATED, last_visit_at=None if i % 3 else CREATED + timedelta(days=2),
           participants=20 + i)
    for i, (s, c) in enumerate(
        (s, c) for s in ("ANGLAIS LV1", "MATHEMATIQUES", "TECHNOLOGIE") for c in ("3A", "3B", "4A")
    )
]
MONDAY = datetime(2026, 11, 30, tzinfo=PARIS)
EVENTS = [
    Event(key=f"{COURSES[0].key}|{start.isoformat()}", course_key=COURSES[0].key,
          start=start, end=start + timedelta(minutes=55), title=COURSES[0].label, rooms=(room,),
          teachers=("aaf-1",), updated_at=CREATED)
    for week in range(2)
    for start, room in (
        (MONDAY + timedelta(weeks=week, hours=8), "201"),
        (MONDAY + timedelta(weeks=week, days=2, hours=10, minutes=5), "110"),
        (MONDAY + timedelta(weeks=week, days=4, hours=14), "Labo [1]"),
    )
]
PEOPLE = {
    "students": [
        {
            "last_name": "DUFOUR", "first_name": "Maïwenn", "birth_date": "2014-10-13",
            "classes": "6A",
        },
        {"last_name": "[red]MARTIN", "first_name": "Léo", "birth_date": None, "classes": "5B"},
    ],
    "teachers": [{"last_name": "FAUSTINE", "first_name": "", "birth_date": None, "classes": ""}],
}


class FakeEnt:
    """The `EntClient` calls of the after-launch screens, answered from the lists above."""

    iterate = staticmethod(EntClient.iterate)

    async def list_establishments(self, **kw: Any) -> Page[Establishment]:
        return _page([await self.get_establishment(UAI)], 0, 100)

    async def get_establishment(self, uai: str) -> Establishment:
        return Establishment(uai=UAI, name=NAME, timezone="Europe/Paris", daily_quota=4)

    async def history(self, uai: str, *, offset: int = 0, limit: int = 100, **kw: Any) -> Any:
        return _page(JOBS, offset, limit)

    async def get_job(self, uai: str, job_id: str) -> ImportJobDetail:
        return next(j for j in JOBS if j.id == job_id)

    async def job_actions(self, uai: str, job_id: str, *, offset: int = 0, limit: int = 100,
                          **kw: Any) -> Page[JobAction]:
        failed = [
            JobAction(seq=i, type="create_membership", label=LABELS["create_membership"],
                      key=f"{COURSES[i].key}|student|aaf-{i}", status="error",
                      error=f"utilisateur aaf-{i} supprimé de l'annuaire")
            for i in range(3)
        ]
        return _page(failed, offset, limit)

    async def accounts(self, uai: str) -> Accounts:
        return Accounts.model_validate({
            "job_id": JOBS[-1].id, "finished_at": JOBS[-1].created_at,
            "students": {"reconciled": 1163, "unreconciled": 2},
            "teachers": {"reconciled": 91, "unreconciled": 1},
        })

    async def unreconciled(self, uai: str, profile: str, *, offset: int = 0, limit: int = 100,
                           **kw: Any) -> Page[UnreconciledAccount]:
        people = [UnreconciledAccount.model_validate(p) for p in PEOPLE[profile]]
        return _page(people, offset, limit)

    async def list_courses(self, uai: str, *, offset: int = 0, limit: int = 100,
                           **kw: Any) -> Page[Course]:
        return _page(COURSES, offset, limit)

    async def list_events(self, uai: str, key: str, *, offset: int = 0, limit: int = 100,
                          **kw: Any) -> Page[Event]:
        return _page([e for e in EVENTS if e.course_key == key], offset, limit)

    async def list_hierarchy(self, uai: str, *, parent: str | None = None, offset: int = 0,
                             limit: int = 100) -> Page[HierarchyNode]:
        root = HierarchyNode(key=f"{UAI}:2026-2027|root", uai=UAI, school_year="2026-2027",
                             title="Cours 2026-2027", parent_key=None, course_key=None)
        if parent is None:
            return _page([root], offset, limit)
        nodes = [HierarchyNode(key=c.key, uai=UAI, school_year="2026-2027", title=c.label,
                               parent_key=root.key, course_key=c.key)
                 for c in COURSES]
        return _page(nodes, offset, limit)

    async def get_settings(self, uai: str) -> EstablishmentSettings:
        return EstablishmentSettings(
            uai=UAI, name=NAME, timezone="Europe/Paris", daily_quota=4,
            push_path=f"/push/{UAI}/SECRET", freeze_minutes=60, max_deletion_percent=20,
        )

    async def call_as(self, model: type[M], method: str, path: str, **kw: Any) -> M:
        assert path.endswith("/automatic")
        return model.model_validate({
            "uai": UAI, "push_path": f"/push/{UAI}/SECRET", "daily_quota": 4, "used_today": 2,
            "push_url": f"https://ent.example.fr/push/{UAI}/SECRET",
            "manual_import": {"job_id": JOBS[-1].id, "finished_at": JOBS[-1].created_at,
                              "selection_version": 3},
            "refusal": None,
            "pushes": [
                {"received_at": datetime(2026, 11, 28, 12, 0, tzinfo=PARIS).isoformat(),
                 "outcome": "refused", "outcome_label": "Refusé",
                 "reason": "Envoi refusé : fichier indéchiffrable", "job_id": None,
                 "attempts": None},
                {"received_at": datetime(2026, 11, 28, 8, 0, tzinfo=PARIS).isoformat(),
                 "outcome": "accepted", "outcome_label": "Accepté", "reason": None,
                 "job_id": JOBS[1].id, "attempts": None},
            ],
        })


class FakeBackend:
    """Enough of `WizardBackend` for the app to start, plus `client()`."""

    def __init__(self) -> None:
        self.ent = FakeEnt()

    async def client(self) -> FakeEnt:
        return self.ent

    async def establishments(self) -> Sequence[EstablishmentInfo]:
        return [EstablishmentInfo(UAI, NAME)]

    async def aclose(self) -> None:
        return None


def fixed_clock() -> Callable[[], datetime]:
    return lambda: datetime(2026, 11, 28, 9, 0, tzinfo=PARIS)
