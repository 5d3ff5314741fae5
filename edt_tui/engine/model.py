"""Engine vocabulary: what the ENT already holds, what an import wants, and the actions between.

These frozen values are the contract between the engine (pure), the ENT import service (which
stores and applies them) and the clients (which display them). Keys are deterministic strings so
that every action is an idempotent upsert or delete (import-rules §8).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Profile(StrEnum):
    STUDENT = "student"
    TEACHER = "teacher"
    STAFF = "staff"


class UserSource(StrEnum):
    """How the user entered the ENT: only AAF and CSV users are reconciliation candidates (§7)."""

    AAF = "AAF"
    CSV = "CSV"
    MANUAL = "MANUAL"


class AudienceKind(StrEnum):
    CLASS = "class"
    GROUP = "group"


class Role(StrEnum):
    TEACHER = "teacher"
    STUDENT = "student"


class CourseOrigin(StrEnum):
    INTEGRATION = "integration"
    """Created by an import ("Créé par : Intégration")."""
    MANUAL = "manual"
    """Created by hand in the ENT: never touched by imports."""


@dataclass(frozen=True, slots=True)
class DirectoryUser:
    """An ENT account of the establishment, as the directory (AAF/CSV) provides it."""

    sync_id: str
    profile: Profile
    last_name: str
    first_name: str
    birth_date: date | None = None
    cas_login: str | None = None
    source: UserSource = UserSource.AAF
    idpn: str | None = None
    """PRONOTE id linked to this user for this establishment by a previous import."""


@dataclass(frozen=True, slots=True)
class ReferentialSubject:
    name: str
    code: str | None = None


@dataclass(frozen=True, slots=True)
class ReferentialClass:
    name: str


@dataclass(frozen=True, slots=True)
class CourseState:
    """A course as the ENT holds it (or as an import wants it)."""

    key: str
    """`<UAI>:<school year>:<norm(subject)>:<class|group>:<norm(audience)>` (rules §4)."""
    label: str
    subject: str
    audience_kind: AudienceKind
    audience_name: str
    school_year: str
    origin: CourseOrigin = CourseOrigin.INTEGRATION

    @property
    def hierarchy_parent(self) -> str:
        """The node under which this course's hierarchy node lives (§4.3)."""
        return f"Cours {self.school_year}"


@dataclass(frozen=True, slots=True)
class MembershipState:
    course_key: str
    user: str
    """ENT sync id."""
    role: Role

    @property
    def key(self) -> str:
        return self.course_key + "|" + self.role + "|" + self.user


@dataclass(frozen=True, slots=True)
class EventState:
    course_key: str
    start: datetime
    """Timezone-aware local time."""
    end: datetime
    title: str
    rooms: tuple[str, ...] = ()
    """Room names, sorted."""
    teachers: tuple[str, ...] = ()
    """Teacher sync ids, sorted."""

    @property
    def key(self) -> str:
        return f"{self.course_key}|{self.start.isoformat()}"


@dataclass(frozen=True, slots=True)
class EntState:
    """What earlier imports (and admins) left in the ENT for one establishment and school year."""

    courses: Mapping[str, CourseState]
    memberships: frozenset[MembershipState]
    events: Mapping[str, EventState]
    """By event key."""


class ActionType(StrEnum):
    CREATE_COURSE = "create_course"
    CREATE_HIERARCHY_NODE = "create_hierarchy_node"
    CREATE_MEMBERSHIP = "create_membership"
    DELETE_MEMBERSHIP = "delete_membership"
    CREATE_EVENT = "create_event"
    UPDATE_EVENT = "update_event"
    DELETE_EVENT = "delete_event"
    DELETE_HIERARCHY_NODE = "delete_hierarchy_node"
    """Only an undo deletes: a course an import created, once its events and members are gone."""
    DELETE_COURSE = "delete_course"


ACTION_ORDER: tuple[ActionType, ...] = tuple(ActionType)
"""Dependency order for execution: courses and nodes, then memberships, then events, then the
deletion of nodes and courses (which need their memberships and events gone first)."""

IMPORT_ACTIONS: tuple[ActionType, ...] = ACTION_ORDER[:7]
"""What a plan can contain (an import never deletes a course)."""


@dataclass(frozen=True, slots=True)
class Action:
    """One idempotent change; exactly one of course/membership/event is set."""

    type: ActionType
    key: str
    course: CourseState | None = None
    membership: MembershipState | None = None
    event: EventState | None = None
