"""Fixed service answers for snapshots: same screens, no clock, no random secret."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from edt_tui.client.client import EntClient
from edt_tui.client.imports import ImportJob
from edt_tui.client.models import (
    Course,
    Establishment,
    EstablishmentSettings,
    Event,
    HierarchyNode,
    Page,
)
from edt_tui.service.job_records import empty_recap
from edt_tui.service.vocabulary import ACTION_LABELS
from edt_tui.tui.backend import EstablishmentInfo

T = TypeVar("T")
UAI = "0490856P"
NAME = "COLLEGE JEAN ROSTAND (49-CHOLET)"
PARIS = ZoneInfo("Europe/Paris")
LABELS = {t.value: label for t, label in ACTION_LABELS.items()}


def _page(items: Sequence[T], offset: int, limit: int) -> Page[T]:
    chunk = tuple(items[offset:offset + limit])
    after = offset + len(chunk)
    return Page(chunk, len(items), offset, limit, after if after < len(items) else None)


def _job(n: int, status: str, label: str, kind: str, **extra: Any) -> ImportJob:
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
        "pending": 0, "action_labels": LABELS,
    }
    return ImportJob.from_json(raw)


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
    Course(f"{UAI}:2026-2027:{s}:class:{c}", UAI, "2026-2027", f"{s} - {c}", s, "class", c,
           "integration", "Intégration", CREATED, CREATED,
           None if i % 3 else CREATED + timedelta(days=2), 20 + i)
    for i, (s, c) in enumerate(
        (s, c) for s in ("ANGLAIS LV1", "MATHEMATIQUES", "TECHNOLOGIE") for c in ("3A", "3B", "4A")
    )
]
MONDAY = datetime(2026, 11, 30, tzinfo=PARIS)
EVENTS = [
    Event(f"{COURSES[0].key}|{start.isoformat()}", COURSES[0].key, start,
          start + timedelta(minutes=55), COURSES[0].label, (room,), ("aaf-1",), CREATED)
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
    "teachers": [{"last_name": "FAUSTINE", "first_name": "", "birth_date": None}],
}


class FakeEnt:
    """The `EntClient` calls of the after-launch screens, answered from the lists above."""

    iterate = staticmethod(EntClient.iterate)

    async def list_establishments(self, **kw: Any) -> Page[Establishment]:
        return _page([Establishment(UAI, NAME, "Europe/Paris", 4)], 0, 100)

    async def get_establishment(self, uai: str) -> Establishment:
        return Establishment(UAI, NAME, "Europe/Paris", 4)

    async def history(self, uai: str, *, offset: int = 0, limit: int = 100, **kw: Any) -> Any:
        return _page(JOBS, offset, limit)

    async def get_job(self, uai: str, job_id: str) -> ImportJob:
        return next(j for j in JOBS if j.id == job_id)

    async def job_actions(self, uai: str, job_id: str, *, offset: int = 0, limit: int = 100,
                          **kw: Any) -> Page[dict[str, Any]]:
        failed = [
            {"seq": i, "type": "create_membership", "label": LABELS["create_membership"],
             "key": f"{COURSES[i].key}|student|aaf-{i}", "status": "error",
             "error": f"utilisateur aaf-{i} supprimé de l'annuaire"}
            for i in range(3)
        ]
        return _page(failed, offset, limit)

    async def accounts(self, uai: str) -> dict[str, Any]:
        return {
            "job_id": JOBS[-1].id, "finished_at": JOBS[-1].created_at,
            "students": {"reconciled": 1163, "unreconciled": 2},
            "teachers": {"reconciled": 91, "unreconciled": 1},
        }

    async def unreconciled(self, uai: str, profile: str, *, offset: int = 0, limit: int = 100,
                           **kw: Any) -> Page[dict[str, Any]]:
        return _page(PEOPLE[profile], offset, limit)

    async def list_courses(self, uai: str, *, offset: int = 0, limit: int = 100,
                           **kw: Any) -> Page[Course]:
        return _page(COURSES, offset, limit)

    async def list_events(self, uai: str, key: str, *, offset: int = 0, limit: int = 100,
                          **kw: Any) -> Page[Event]:
        return _page([e for e in EVENTS if e.course_key == key], offset, limit)

    async def list_hierarchy(self, uai: str, *, parent: str | None = None, offset: int = 0,
                             limit: int = 100) -> Page[HierarchyNode]:
        root = HierarchyNode(f"{UAI}:2026-2027|root", UAI, "2026-2027", "Cours 2026-2027",
                             None, None)
        if parent is None:
            return _page([root], offset, limit)
        nodes = [HierarchyNode(c.key, UAI, "2026-2027", c.label, root.key, c.key)
                 for c in COURSES]
        return _page(nodes, offset, limit)

    async def get_settings(self, uai: str) -> EstablishmentSettings:
        return EstablishmentSettings(
            UAI, NAME, "Europe/Paris", 4, f"/push/{UAI}/SECRET", freeze_minutes=60,
            max_deletion_percent=20,
        )

    async def call(self, method: str, path: str, **kw: Any) -> Any:
        assert path.endswith("/automatic")
        return {
            "uai": UAI, "push_path": f"/push/{UAI}/SECRET", "daily_quota": 4, "used_today": 2,
            "push_url": f"https://ent.example.fr/push/{UAI}/SECRET",
            "manual_import": {"job_id": JOBS[-1].id, "finished_at": JOBS[-1].created_at,
                              "selection_version": 3},
            "refusal": None,
            "pushes": [
                {"received_at": datetime(2026, 11, 28, 12, 0, tzinfo=PARIS).isoformat(),
                 "outcome": "refused", "outcome_label": "Refusé",
                 "reason": "Envoi refusé : fichier indéchiffrable", "job_id": None},
                {"received_at": datetime(2026, 11, 28, 8, 0, tzinfo=PARIS).isoformat(),
                 "outcome": "accepted", "outcome_label": "Accepté", "reason": None,
                 "job_id": JOBS[1].id},
            ],
        }


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
