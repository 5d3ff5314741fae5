"""Applying a batch of actions to the ENT tables fast: one `executemany` per run of same-type
actions.

The plan is sorted by action type, so a batch is a few long runs. Each run of memberships or
events goes in one statement under a SAVEPOINT; if any row fails (a course missing, a broken
value), the run is rolled back to the savepoint and replayed action by action through the store's
own `apply_one`, each under its own SAVEPOINT (PostgreSQL aborts the whole transaction on a failed
statement otherwise), so that exactly the failing actions are recorded as errors. Only an
action's own fault (a constraint, a missing value) is its error: any other database error (a full
disk, an I/O error — after which SQLite has rolled the whole transaction back) fails the batch.
Courses and hierarchy nodes (a few thousand at most) always go action by action. The SQL is the
store's upsert/delete by key, so the outcome is the same as the store's `apply_actions`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import groupby
from typing import Any

from edt_tui.engine.model import Action, ActionType
from edt_tui.service.job_records import Numbered
from edt_tui.service.store import StoreError
from edt_tui.storage.database import Connection
from edt_tui.storage.ent_objects import UPSERT_EVENT, event_row
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

def _event_rows(run: Sequence[Numbered], now: str) -> Iterator[tuple[Any, ...]]:
    for _, action in run:
        if action.event is None:
            raise ValueError(f"{action.type} {action.key} carries no event")
        yield event_row(action.event, now)


def _bulk(conn: Connection, kind: ActionType, run: Sequence[Numbered], now: str) -> None:
    if kind in (ActionType.CREATE_EVENT, ActionType.UPDATE_EVENT):
        conn.executemany(UPSERT_EVENT, _event_rows(run, now))
    elif kind is ActionType.DELETE_EVENT:
        conn.executemany("DELETE FROM events WHERE key = ?", [(a.key,) for _, a in run])
    else:
        memberships = [a.membership for _, a in run]
        if any(m is None for m in memberships):
            raise ValueError(f"a {kind} action carries no membership")
        if kind is ActionType.CREATE_MEMBERSHIP:
            conn.executemany(
                """INSERT INTO memberships (key, course_key, user_sync_id, role, created_at)
                   VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING""",
                [(m.key, m.course_key, m.user, m.role.value, now) for m in memberships if m],
            )
        else:
            conn.executemany(
                "DELETE FROM memberships WHERE key = ?", [(a.key,) for _, a in run]
            )
        conn.executemany(
            "UPDATE courses SET updated_at = ? WHERE key = ?",
            [(now, key) for key in sorted({m.course_key for m in memberships if m})],
        )


BULK = frozenset({
    ActionType.CREATE_MEMBERSHIP, ActionType.DELETE_MEMBERSHIP, ActionType.CREATE_EVENT,
    ActionType.UPDATE_EVENT, ActionType.DELETE_EVENT,
})


def apply_numbered(
    conn: Connection, apply_one: ApplyOne, uai: str, batch: Sequence[Numbered], now: str,
) -> list[tuple[int, str]]:
    """Apply `batch` inside the caller's transaction; (seq, reason) of the failed actions."""
    errors: list[tuple[int, str]] = []
    kind_of: Callable[[Numbered], ActionType] = lambda item: item[1].type  # noqa: E731
    for kind, group in groupby(batch, key=kind_of):
        run = list(group)
        if kind in BULK:
            conn.execute("SAVEPOINT bulk_run")
            try:
                _bulk(conn, kind, run, now)
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
