"""The ENT objects an import writes: courses, their hierarchy nodes, memberships and events.

Every action is an idempotent upsert or delete by its deterministic key, so a batch replayed
after a crash leaves the same rows.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from datetime import UTC, datetime

from edt_tui.engine.model import (
    Action,
    ActionType,
    AudienceKind,
    CourseOrigin,
    CourseState,
    EntState,
    EventState,
    MembershipState,
    Role,
)
from edt_tui.service.records import (
    INTEGRATION_AUTHOR,
    CourseRecord,
    EventRecord,
    HierarchyNode,
    MembershipRecord,
    Page,
)
from edt_tui.service.store import DEFAULT_PAGE, StoreError
from edt_tui.storage.clock import parse_stamp, stamp
from edt_tui.storage.database import Connection, Row, upsert_sql
from edt_tui.storage.directory import require_establishments
from edt_tui.storage.repository import Repository, upper_like


@functools.lru_cache(maxsize=8192)
def _names(text: str) -> tuple[str, ...]:
    """Rooms/teachers of an event: few distinct values over ~10^5 events, decoded once each."""
    return tuple(json.loads(text))


def root_node_key(uai: str, school_year: str) -> str:
    return f"{uai}:{school_year}|root"


EVENT_COLUMNS = ("key", "course_key", "start_at", "end_at", "start_utc", "title", "rooms_json",
                 "teachers_json", "updated_at")
EVENT_UPDATES = ("end_at", "title", "rooms_json", "teachers_json", "updated_at")
UPSERT_EVENT = upsert_sql("events", EVENT_COLUMNS, "key", EVENT_UPDATES)
COURSE_COLUMNS = ("key", "uai", "school_year", "label", "subject", "audience_kind",
                  "audience_name", "origin", "created_by", "created_at", "updated_at",
                  "last_visit_at")
COURSE_UPDATES = ("label", "updated_at")
NODE_COLUMNS = ("key", "uai", "school_year", "title", "parent_key", "course_key")
MEMBERSHIP_COLUMNS = ("key", "course_key", "user_sync_id", "role", "created_at")
_dumps = json.JSONEncoder(ensure_ascii=True).encode


def event_row(e: EventState, now: str) -> tuple[str, ...]:
    """The `UPSERT_EVENT` parameters of an event: local start and end as PRONOTE gave them (with
    their offset), the UTC start in the one stored format (order and filters)."""
    return (e.key, e.course_key, e.start.isoformat(), e.end.isoformat(), stamp(e.start),
            e.title, _dumps(list(e.rooms)), _dumps(list(e.teachers)), now)


def _course_state(row: Row) -> CourseState:
    return CourseState(
        key=row["key"], label=row["label"], subject=row["subject"],
        audience_kind=AudienceKind(row["audience_kind"]),
        audience_name=row["audience_name"], school_year=row["school_year"],
        origin=CourseOrigin(row["origin"]),
    )


def _event_state(row: Row) -> EventState:
    return EventState(
        course_key=row["course_key"], start=datetime.fromisoformat(row["start_at"]),
        end=datetime.fromisoformat(row["end_at"]), title=row["title"],
        rooms=_names(row["rooms_json"]), teachers=_names(row["teachers_json"]),
    )


def _event(row: Row) -> EventRecord:
    state = _event_state(row)
    return EventRecord(
        key=row["key"], course_key=state.course_key, start=state.start, end=state.end,
        title=state.title, rooms=state.rooms, teachers=state.teachers,
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )


def _course(row: Row) -> CourseRecord:
    return CourseRecord(
        key=row["key"], uai=row["uai"], school_year=row["school_year"], label=row["label"],
        subject=row["subject"], audience_kind=AudienceKind(row["audience_kind"]),
        audience_name=row["audience_name"], origin=CourseOrigin(row["origin"]),
        created_by=row["created_by"], created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        last_visit_at=parse_stamp(row["last_visit_at"]), participants=row["participants"],
    )


def _membership(row: Row) -> MembershipRecord:
    return MembershipRecord(
        key=row["key"], course_key=row["course_key"], user=row["user_sync_id"],
        role=Role(row["role"]), created_at=datetime.fromisoformat(row["created_at"]),
    )


def _node(row: Row) -> HierarchyNode:
    return HierarchyNode(
        key=row["key"], uai=row["uai"], school_year=row["school_year"], title=row["title"],
        parent_key=row["parent_key"], course_key=row["course_key"],
    )


_COURSE_SQL = """SELECT c.*, (SELECT COUNT(*) FROM memberships m
    WHERE m.course_key = c.key) AS participants FROM courses c"""


class EntObjectRepository(Repository):
    def ent_state(self, uai: str, school_year: str) -> EntState:
        with self.db.snapshot() as conn:
            courses = conn.execute(
                "SELECT * FROM courses WHERE uai = ? AND school_year = ?", (uai, school_year)
            ).fetchall()
            memberships = conn.execute(
                """SELECT m.* FROM memberships m JOIN courses c ON c.key = m.course_key
                   WHERE c.uai = ? AND c.school_year = ?""", (uai, school_year),
            ).fetchall()
            events = conn.execute(
                """SELECT e.* FROM events e JOIN courses c ON c.key = e.course_key
                   WHERE c.uai = ? AND c.school_year = ?""", (uai, school_year),
            ).fetchall()
        return EntState(
            courses={r["key"]: _course_state(r) for r in courses},
            memberships=frozenset(
                MembershipState(r["course_key"], r["user_sync_id"], Role(r["role"]))
                for r in memberships
            ),
            events={r["key"]: _event_state(r) for r in events},
        )

    def apply_actions(self, uai: str, actions: Iterable[Action]) -> None:
        now = self.now()
        with self.db.transaction() as conn:
            for action in actions:
                self.apply_one(conn, uai, action, now)

    def apply_one(self, conn: Connection, uai: str, action: Action, now: str) -> None:
        """One action inside the caller's transaction (a batch of `action_batches`)."""
        kind = action.type
        if kind is ActionType.CREATE_COURSE and action.course is not None:
            upsert_course(conn, uai, action.course, INTEGRATION_AUTHOR, now)
        elif kind is ActionType.CREATE_HIERARCHY_NODE and action.course is not None:
            root, node = node_rows(uai, action.key, action.course)
            conn.execute(upsert_sql("hierarchy_nodes", NODE_COLUMNS, "key", ()), root)
            conn.execute(upsert_sql("hierarchy_nodes", NODE_COLUMNS, "key", ("title",)), node)
        elif kind is ActionType.CREATE_MEMBERSHIP and action.membership is not None:
            m = action.membership
            conn.execute(upsert_sql("memberships", MEMBERSHIP_COLUMNS, "key", ()),
                         membership_row(m, now))
            _touch(conn, m.course_key, now)
        elif kind is ActionType.DELETE_MEMBERSHIP:
            course_key = action.membership.course_key if action.membership else None
            conn.execute("DELETE FROM memberships WHERE key = ?", (action.key,))
            if course_key:
                _touch(conn, course_key, now)
        elif kind in (ActionType.CREATE_EVENT, ActionType.UPDATE_EVENT) and action.event:
            conn.execute(UPSERT_EVENT, event_row(action.event, now))
        elif kind is ActionType.DELETE_EVENT:
            conn.execute("DELETE FROM events WHERE key = ?", (action.key,))
        elif kind is ActionType.DELETE_HIERARCHY_NODE:
            conn.execute("DELETE FROM hierarchy_nodes WHERE key = ? AND uai = ?", (action.key, uai))
        elif kind is ActionType.DELETE_COURSE:
            # Its memberships, events and node go first (ACTION_ORDER): the foreign keys refuse
            # to leave them orphaned, and the action is then recorded as failed.
            conn.execute("DELETE FROM courses WHERE key = ? AND uai = ?", (action.key, uai))
        else:
            raise StoreError(f"action {kind} {action.key} carries no value to apply")

    def add_manual_course(
        self, uai: str, key: str, *, label: str, school_year: str, subject: str,
        audience_kind: str, audience_name: str, created_by: str,
    ) -> None:
        state = CourseState(
            key=key, label=label, subject=subject, audience_kind=AudienceKind(audience_kind),
            audience_name=audience_name, school_year=school_year, origin=CourseOrigin.MANUAL,
        )
        with self.db.transaction() as conn:
            require_establishments(conn, (uai,))
            upsert_course(conn, uai, state, created_by, self.now())

    def get_course(self, uai: str, key: str) -> CourseRecord | None:
        with self.db.snapshot() as conn:
            row = conn.execute(
                f"{_COURSE_SQL} WHERE c.uai = ? AND c.key = ?", (uai, key)
            ).fetchone()
        return _course(row) if row else None

    def list_courses(
        self, uai: str, *, school_year: str | None = None, q: str | None = None,
        origin: CourseOrigin | None = None, offset: int = 0, limit: int = DEFAULT_PAGE,
    ) -> Page[CourseRecord]:
        where, params = ["c.uai = ?"], [uai]
        if school_year:
            where.append("c.school_year = ?")
            params.append(school_year)
        if q:
            where.append("UPPER(c.label) LIKE ?")
            params.append(upper_like(q))
        if origin is not None:
            where.append("c.origin = ?")
            params.append(origin.value)
        return self.select_page(
            _COURSE_SQL, " AND ".join(where), params, "c.label, c.key", offset, limit, _course,
        )

    def list_memberships(
        self, uai: str, course_key: str, *, role: Role | None = None,
        offset: int = 0, limit: int = DEFAULT_PAGE,
    ) -> Page[MembershipRecord]:
        where, params = ["c.uai = ? AND m.course_key = ?"], [uai, course_key]
        if role is not None:
            where.append("m.role = ?")
            params.append(role.value)
        return self.select_page(
            "SELECT m.* FROM memberships m JOIN courses c ON c.key = m.course_key",
            " AND ".join(where), params, "m.role DESC, m.user_sync_id", offset, limit,
            _membership,
        )

    def list_events(
        self, uai: str, course_key: str, *, start_from: datetime | None = None,
        offset: int = 0, limit: int = DEFAULT_PAGE,
    ) -> Page[EventRecord]:
        where, params = ["c.uai = ? AND e.course_key = ?"], [uai, course_key]
        if start_from is not None:
            if start_from.tzinfo is None:
                start_from = start_from.replace(tzinfo=UTC)
            where.append("e.start_utc >= ?")
            params.append(stamp(start_from))
        return self.select_page(
            "SELECT e.* FROM events e JOIN courses c ON c.key = e.course_key",
            " AND ".join(where), params, "e.start_utc", offset, limit, _event,
        )

    def list_hierarchy(
        self, uai: str, *, parent_key: str | None = None, offset: int = 0,
        limit: int = DEFAULT_PAGE,
    ) -> Page[HierarchyNode]:
        where, params = "uai = ? AND parent_key IS NULL", [uai]
        if parent_key is not None:
            where, params = "uai = ? AND parent_key = ?", [uai, parent_key]
        return self.select_page(
            "SELECT * FROM hierarchy_nodes", where, params, "title, key", offset, limit, _node,
        )


def course_row(
    uai: str, course: CourseState, author: str, now: str
) -> tuple[str | None, ...]:
    """The `COURSE_COLUMNS` of a course created (or relabelled) now."""
    return (course.key, uai, course.school_year, course.label, course.subject,
            course.audience_kind.value, course.audience_name, course.origin.value, author,
            now, now, None)


def node_rows(
    uai: str, key: str, course: CourseState
) -> tuple[tuple[str | None, ...], tuple[str | None, ...]]:
    """The `NODE_COLUMNS` of a course's hierarchy node and of its year's root (inserted if
    missing, never updated)."""
    root = root_node_key(uai, course.school_year)
    return ((root, uai, course.school_year, course.hierarchy_parent, None, None),
            (key, uai, course.school_year, course.label, root, course.key))


def membership_row(m: MembershipState, now: str) -> tuple[str, ...]:
    return (m.key, m.course_key, m.user, m.role.value, now)


def upsert_course(
    conn: Connection, uai: str, course: CourseState, author: str, now: str
) -> None:
    conn.execute(upsert_sql("courses", COURSE_COLUMNS, "key", COURSE_UPDATES),
                 course_row(uai, course, author, now))


def _touch(conn: Connection, course_key: str, now: str) -> None:
    conn.execute("UPDATE courses SET updated_at = ? WHERE key = ?", (now, course_key))
