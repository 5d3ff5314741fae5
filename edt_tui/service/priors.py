"""What each applied action replaced, recorded in the transaction that applies it.

An undo restores the ENT as it was before an import; the action says what came after, so before a
batch is applied the rows it is about to overwrite or delete are read, and stored beside the
actions once the batch is applied (`job_actions.prior`, same transaction). Only what the key and
the action's payload do not already say is kept:

- `''`: the object did not exist (an undo deletes what the action created);
- course `["label"]`; hierarchy node `["title", 1]`, or `[null, 0]` when neither the node nor its
  `Cours <year>` root existed (the import created the root too);
- membership: its `created_at` (a JSON string);
- event: `[end_at, title, rooms, teachers, updated_at]` (its course and start are in its key);
- NULL: nothing recorded (pending or failed, or applied before priors were kept).

The IDPN links a job stores are recorded in `import_jobs.links_before_json` when it finishes:
only the links whose IDPN changes (the others are not rewritten), `{sync_id: [idpn, method,
validated_by, linked_at] | null}` (null: the person had no link).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from edt_tui.engine.model import Action, ActionType, EventState
from edt_tui.service.sqlite_store import root_node_key

Numbered = tuple[int, Action]
_CHUNK = 500
"""Keys per `IN (…)` query (well under SQLite's bound on parameters)."""
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

_TABLE: dict[ActionType, str] = {
    ActionType.CREATE_COURSE: "courses",
    ActionType.DELETE_COURSE: "courses",
    ActionType.CREATE_HIERARCHY_NODE: "hierarchy_nodes",
    ActionType.DELETE_HIERARCHY_NODE: "hierarchy_nodes",
    ActionType.CREATE_MEMBERSHIP: "memberships",
    ActionType.DELETE_MEMBERSHIP: "memberships",
    ActionType.CREATE_EVENT: "events",
    ActionType.UPDATE_EVENT: "events",
    ActionType.DELETE_EVENT: "events",
}
DELETES = frozenset(t for t in ActionType if t.value.startswith("delete"))

_SELECT: dict[str, str] = {
    "courses": "SELECT key, label FROM courses WHERE key IN ({})",
    "hierarchy_nodes": "SELECT key, title FROM hierarchy_nodes WHERE key IN ({})",
    "memberships": "SELECT key, created_at FROM memberships WHERE key IN ({})",
    "events": "SELECT key, end_at, title, rooms_json, teachers_json, updated_at FROM events "
    "WHERE key IN ({})",
}


def _existing(conn: sqlite3.Connection, table: str, keys: Sequence[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start:start + _CHUNK]
        rows = conn.execute(_SELECT[table].format(", ".join("?" * len(chunk))), chunk)
        found.update((row[0], tuple(row)) for row in rows.fetchall())
    return found


def _event_prior(row: tuple[Any, ...]) -> str:
    _, end, title, rooms_json, teachers_json, updated = row
    # rooms_json and teachers_json are JSON already: spliced in, not decoded and re-encoded.
    return f"[{_encode(end)},{_encode(title)},{rooms_json},{teachers_json},{_encode(updated)}]"


def capture(
    conn: sqlite3.Connection, uai: str, batch: Sequence[Numbered], *, deletes: bool = True
) -> dict[int, str]:
    """The prior of the actions of `batch` (by seq), read before the batch is applied; with
    `deletes=False` (an undo: never undone, and what it deletes is in its payload) only of those
    that create or update."""
    if not deletes:
        batch = [(seq, a) for seq, a in batch if a.type not in DELETES]
    by_table: dict[str, list[str]] = {}
    for _, action in batch:
        by_table.setdefault(_TABLE[action.type], []).append(action.key)
    existing = {table: _existing(conn, table, keys) for table, keys in by_table.items()}
    roots: dict[str, bool] = {}
    priors: dict[int, str] = {}
    for seq, action in batch:
        table = _TABLE[action.type]
        row = existing[table].get(action.key)
        if table == "events":
            priors[seq] = _event_prior(row) if row else ""
        elif table == "memberships":
            priors[seq] = _encode(row[1]) if row else ""
        elif table == "courses":
            priors[seq] = _encode([row[1]]) if row else ""
        elif row:
            priors[seq] = _encode([row[1], 1])
        else:
            year = action.course.school_year if action.course else ""
            root = root_node_key(uai, year)
            if root not in roots:
                roots[root] = bool(_existing(conn, "hierarchy_nodes", [root]))
            priors[seq] = "" if roots[root] else "[null,0]"
    return priors


def record(
    conn: sqlite3.Connection, job_id: str, batch: Sequence[Numbered], priors: Mapping[int, str],
    failed: Iterable[int], *, deletes: bool = True,
) -> None:
    """Store `priors` (from `capture`, same `deletes`) beside the batch's still-pending actions;
    a failed action keeps none."""
    only = "" if deletes else " AND type NOT LIKE 'delete%'"
    conn.execute(
        f"""UPDATE job_actions SET prior = '' WHERE job_id = ? AND status = 'pending'
               AND seq BETWEEN ? AND ?{only}""",
        (job_id, batch[0][0], batch[-1][0]),
    )
    conn.executemany(
        "UPDATE job_actions SET prior = ? WHERE job_id = ? AND seq = ?",
        [(prior, job_id, seq) for seq, prior in priors.items() if prior],
    )
    conn.executemany(
        "UPDATE job_actions SET prior = NULL WHERE job_id = ? AND seq = ?",
        [(job_id, seq) for seq in failed],
    )


def event_before(action: Action, prior: str) -> EventState:
    """The event an action replaced: its course and start from the action, the rest recorded."""
    assert action.event is not None
    end, title, rooms, teachers, _updated = json.loads(prior)
    return EventState(
        action.event.course_key, action.event.start, datetime.fromisoformat(end), title,
        tuple(rooms), tuple(teachers),
    )


def record_links(
    conn: sqlite3.Connection, job_id: str, uai: str, links: Iterable[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Record the links about to change and return them (those whose IDPN is new for that
    person; links to people outside the establishment's directory are not stored at all)."""
    wanted = dict(links)
    current: dict[str, list[Any]] = {}
    known: set[str] = set()
    keys = sorted(wanted)
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start:start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        known.update(r[0] for r in conn.execute(
            f"SELECT sync_id FROM directory_users WHERE uai = ? AND sync_id IN ({marks})",
            (uai, *chunk),
        ).fetchall())
        current.update((r[0], list(r)[1:]) for r in conn.execute(
            f"""SELECT sync_id, idpn, method, validated_by, linked_at FROM idpn_links
                WHERE uai = ? AND sync_id IN ({marks})""", (uai, *chunk),
        ).fetchall())
    changed = [(s, i) for s, i in sorted(wanted.items())
               if s in known and (s not in current or current[s][0] != i)]
    before = {s: current.get(s) for s, _ in changed}
    conn.execute(
        "UPDATE import_jobs SET links_before_json = ? WHERE id = ?", (_encode(before), job_id)
    )
    return changed


def restore_links(conn: sqlite3.Connection, uai: str, links_before: str | None) -> int:
    """Put back the links a job replaced (idempotent); the number of links restored. A record
    without `linked_at` (kept before undo existed) restores the link with its current date."""
    before: dict[str, list[Any] | None] = json.loads(links_before) if links_before else {}
    conn.executemany(
        "DELETE FROM idpn_links WHERE uai = ? AND sync_id = ?",
        [(uai, sync_id) for sync_id, link in before.items() if link is None],
    )
    conn.executemany(
        """INSERT INTO idpn_links (uai, sync_id, idpn, method, validated_by, linked_at)
           SELECT ?, ?, ?, ?, ?, COALESCE(?, (SELECT linked_at FROM idpn_links
                                               WHERE uai = ? AND sync_id = ?))
           ON CONFLICT (uai, sync_id) DO UPDATE SET
               idpn = excluded.idpn, method = excluded.method,
               validated_by = excluded.validated_by, linked_at = excluded.linked_at""",
        [(uai, sync_id, *link[:3], link[3] if len(link) > 3 else None, uai, sync_id)
         for sync_id, link in before.items() if link is not None],
    )
    return len(before)
