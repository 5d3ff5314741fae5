"""Service fixtures: a real SQLite file with two establishments, tokens, an in-process API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from edt_tui.config import Settings
from edt_tui.engine.model import (
    Action,
    ActionType,
    AudienceKind,
    CourseState,
    EventState,
    MembershipState,
    Profile,
    Role,
    UserSource,
)
from edt_tui.service.api.app import create_app
from edt_tui.service.auth import issue_token
from edt_tui.service.records import (
    ClassRecord,
    Establishment,
    SubjectRecord,
    TokenRole,
    UserRecord,
)
from edt_tui.storage.sql_store import SqlStore, open_store

UAI_A = "0490856P"
UAI_B = "0490001A"
YEAR = "2026-2027"
PARIS = ZoneInfo("Europe/Paris")


def course_actions(uai: str, subject: str, audience: str, students: list[str], teacher: str,
                   weeks: int = 3) -> list[Action]:
    """What an import would do for one course: course, node, memberships, weekly events."""
    key = f"{uai}:{YEAR}:{subject.upper()}:class:{audience.upper()}"
    course = CourseState(key, f"{subject} - {audience}", subject, AudienceKind.CLASS, audience,
                         YEAR)
    actions = [
        Action(ActionType.CREATE_COURSE, key, course=course),
        Action(ActionType.CREATE_HIERARCHY_NODE, f"{key}|node", course=course),
    ]
    members = [MembershipState(key, teacher, Role.TEACHER)] + [
        MembershipState(key, s, Role.STUDENT) for s in students
    ]
    actions += [Action(ActionType.CREATE_MEMBERSHIP, m.key, membership=m) for m in members]
    first = datetime(2026, 11, 30, 8, 0, tzinfo=PARIS)
    for week in range(weeks):
        start = first + timedelta(days=7 * week)
        event = EventState(key, start, start + timedelta(hours=1), course.label, ("S101",),
                           (teacher,))
        actions.append(Action(ActionType.CREATE_EVENT, event.key, event=event))
    return actions


def seed(store: SqlStore) -> None:
    store.upsert_establishments([
        Establishment(UAI_A, "Lycée Alpha"), Establishment(UAI_B, "Collège Bêta"),
    ])
    users = []
    for uai, prefix, count in ((UAI_A, "a", 5), (UAI_B, "b", 3)):
        users.append(UserRecord(uai, f"{prefix}-t1", Profile.TEACHER, "PROF", "Paul", None,
                                f"{prefix}.prof", UserSource.AAF))
        users += [
            UserRecord(uai, f"{prefix}-s{i}", Profile.STUDENT, f"ELEVE{i}", f"Prénom{i}",
                       date(2012, 1, i), None, UserSource.CSV)
            for i in range(1, count + 1)
        ]
        store.upsert_subjects([SubjectRecord(uai, "MATHEMATIQUES", "MATHS")])
        store.upsert_classes([ClassRecord(uai, "3A")])
    store.upsert_users(users)
    store.apply_actions(UAI_A, course_actions(UAI_A, "Maths", "3A", ["a-s1", "a-s2"], "a-t1"))
    store.apply_actions(UAI_B, course_actions(UAI_B, "Maths", "3A", ["b-s1"], "b-t1"))
    store.link_idpn(UAI_A, "a-s1", "IDPN0000000000A1", method="identity", validated_by="admin")


@pytest.fixture
def store(database_url: str) -> Iterator[SqlStore]:
    """An empty ENT on each backend (`database_url`); a module of pure HTTP validation takes
    SQLite only (`tests.conftest.sqlite_only`)."""
    s = open_store(database_url)
    yield s
    s.close()


@pytest.fixture
def seeded(store: SqlStore) -> SqlStore:
    seed(store)
    return store


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def key_file(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> Path:
    path = tmp_path / "partner-private.pem"
    path.write_bytes(rsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ))
    path.chmod(0o600)
    return path


@dataclass
class Api:
    http: httpx.AsyncClient
    store: SqlStore
    token_a: str
    token_b: str
    platform: str

    def auth(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def api(seeded: SqlStore, key_file: Path) -> AsyncIterator[Api]:
    app = create_app(seeded, settings=Settings(private_key=key_file), max_upload=64 * 1024)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield Api(
            http, seeded, issue_token(seeded, TokenRole.ADMIN, UAI_A),
            issue_token(seeded, TokenRole.ADMIN, UAI_B),
            issue_token(seeded, TokenRole.PLATFORM, None),
        )
