"""Applying a batch of actions to the ENT tables fast: one bulk write per run of same-type
actions (`Database.upsert_rows` and its siblings: an `executemany` on SQLite, one statement per
run on PostgreSQL, where every statement is a round trip).

The plan is sorted by action type, so a batch is a few long runs. Each run goes in one bulk write
under a SAVEPOINT; if any row fails (a course missing, a broken
value), the run is rolled back to the savepoint and replayed action by action through the store's
own `apply_one`, each under its own SAVEPOINT (PostgreSQL aborts the whole transaction on a failed
statement otherwise), so that exactly the failing actions are recorded as errors. Only an
action's own fault (a constraint, a missing value) is its error: any other database error (a full
disk, an I/O error — after which SQLite has rolled the whole transaction back) fails the batch.
The SQL is the store's upsert/delete by key (the same columns and rows), so the outcome is the same
as the store's `apply_actions`.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from itertools import groupby
from typing import Any

from edt_tui.engine.model import Action, ActionType
from edt_tui.service.job_records import Numbered
from edt_tui.service.records import INTEGRATION_AUTHOR
from edt_tui.service.store import StoreError
from edt_tui.storage.database import Connection, Database
from edt_tui.storage.ent_objects import (
    COURSE_COLUMNS,
    COURSE_UPDATES,
    EVENT_COLUMNS,
    EVENT_UPDATES,
    MEMBERSHIP_COLUMNS,
    NODE_COLUMNS,
    course_row,
    event_row,
    membership_row,
    node_rows,
)
from edt_tui.storage.errors import INTEGRITY_ERRORS

OF_JOB = "job_ref = (SELECT ref FROM import_jobs WHERE id = ?)"
"""The `job_actions` of the job whose id is the parameter: actions refer to their job by its
integer `ref` (4 bytes, not the 32-character id, on each of a lycée's 130,000 actions)."""

TYPE_CODES: dict[ActionType, int] = {
    ActionType.CREATE_COURSE: 0, ActionType.CREATE_HIERARCHY_NODE: 1,
    ActionType.CREATE_MEMBERSHIP: 2, ActionType.DELETE_MEMBERSHIP: 3, ActionType.CREATE_EVENT: 4,
    ActionType.UPDATE_EVENT: 5, ActionType.DELETE_EVENT: 6, ActionType.DELETE_HIERARCHY_NODE: 7,
    ActionType.DELETE_COURSE: 8,
}
"""`job_actions.type` is a one-byte code, not the type's name (12–21 bytes on each action);
fixed numbers: they are stored (schema version 13)."""
TYPES: dict[int, ActionType] = {code: kind for kind, code in TYPE_CODES.items()}


def codes(*kinds: ActionType) -> str:
    """`kinds` as the SQL list of their codes, for `type IN (…)`."""
    return ", ".join(str(TYPE_CODES[k]) for k in kinds)

ApplyOne = Callable[[Any, str, Action, str], None]
"""The store's `apply_one(conn, uai, action, now)`: one action, inside the caller's transaction."""
_RUN_FAULTS: tuple[type[Exception], ...] = (*INTEGRITY_ERRORS, ValueError)
_OWN_FAULTS: tuple[type[Exception], ...] = (*_RUN_FAULTS, StoreError)
"""An action's own fault (a constraint, a missing value): recorded as its error."""

def _values(run: Sequence[Numbered], field: str) -> list[Any]:
    values = [getattr(action, field) for _, action in run]
    if any(v is None for v in values):
        raise ValueError(f"a {run[0][1].type} action carries no {field}")
    return values


def _bulk(
    db: Database, conn: Connection, uai: str, kind: ActionType, run: Sequence[Numbered],
    now: str, new: bool,
) -> None:
    """One run; `new`: none of its objects existed when the batch began (plain inserts: on
    PostgreSQL a `COPY`, no conflict handling per row; one that appeared since makes the run
    fail and be replayed action by action, as any fault does)."""

    def upsert(table: str, columns: Sequence[str], rows: list[Any],
               update: Sequence[str] = ()) -> None:
        if new:
            db.insert_rows(conn, table, columns, rows)
        else:
            db.upsert_rows(conn, table, columns, rows, key="key", update=update)

    if kind is ActionType.CREATE_COURSE:
        upsert("courses", COURSE_COLUMNS,
               [course_row(uai, c, INTEGRATION_AUTHOR, now) for c in _values(run, "course")],
               COURSE_UPDATES)
    elif kind is ActionType.CREATE_HIERARCHY_NODE:
        courses = _values(run, "course")
        pairs = [node_rows(uai, a.key, c) for (_, a), c in zip(run, courses, strict=True)]
        roots = {root[0]: root for root, _ in pairs}
        db.upsert_rows(conn, "hierarchy_nodes", NODE_COLUMNS, list(roots.values()), key="key")
        db.upsert_rows(conn, "hierarchy_nodes", NODE_COLUMNS, [node for _, node in pairs],
                       key="key", update=("title",))
    elif kind in (ActionType.CREATE_EVENT, ActionType.UPDATE_EVENT):
        upsert("events", EVENT_COLUMNS, [event_row(e, now) for e in _values(run, "event")],
               EVENT_UPDATES)
    elif kind is ActionType.DELETE_EVENT:
        db.delete_rows(conn, "events", "key", [a.key for _, a in run])
    else:
        memberships = _values(run, "membership")
        if kind is ActionType.CREATE_MEMBERSHIP:
            upsert("memberships", MEMBERSHIP_COLUMNS,
                   [membership_row(m, now) for m in memberships])
        else:
            db.delete_rows(conn, "memberships", "key", [a.key for _, a in run])
        db.update_rows(conn, "courses", ("updated_at",), ("key",),
                       [(now, key) for key in sorted({m.course_key for m in memberships})])


BULK = frozenset({
    ActionType.CREATE_COURSE, ActionType.CREATE_HIERARCHY_NODE, ActionType.CREATE_MEMBERSHIP,
    ActionType.DELETE_MEMBERSHIP, ActionType.CREATE_EVENT, ActionType.UPDATE_EVENT,
    ActionType.DELETE_EVENT,
})


def apply_numbered(
    db: Database, conn: Connection, apply_one: ApplyOne, uai: str, batch: Sequence[Numbered],
    now: str, absent: Container[int] = (),
) -> list[tuple[int, str]]:
    """Apply `batch` inside the caller's transaction; (seq, reason) of the failed actions.
    `absent`: the seqs whose object did not exist when the batch began (`undo_journal.capture`
    says so)."""
    errors: list[tuple[int, str]] = []
    kind_of: Callable[[Numbered], ActionType] = lambda item: item[1].type  # noqa: E731
    for kind, group in groupby(batch, key=kind_of):
        run = list(group)
        if kind in BULK:
            conn.execute("SAVEPOINT bulk_run")
            try:
                _bulk(db, conn, uai, kind, run, now, all(seq in absent for seq, _ in run))
            except _RUN_FAULTS:
                conn.execute("ROLLBACK TO bulk_run")
            else:
                conn.execute("RELEASE bulk_run")
                continue
            conn.execute("RELEASE bulk_run")
        for seq, action in run:
            conn.execute("SAVEPOINT one_action")
            try:
                apply_one(conn, uai, action, now)
            except _OWN_FAULTS as exc:
                conn.execute("ROLLBACK TO one_action")
                errors.append((seq, f"{type(exc).__name__}: {exc}"[:500]))
            conn.execute("RELEASE one_action")
    return errors
