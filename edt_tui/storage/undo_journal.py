"""The undo journal: what each applied action replaced, and what undo and before-state read.

What each applied action replaced is recorded in the transaction that applies it. An undo
restores the ENT as it was before an import; the action says what came after, so before a
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

The reads of `edt_tui.service.undo` (may this import be undone, what did it apply) and of
`edt_tui.service.before_job` (every later job's applied actions, newest first) are here too; the
rules stay in those modules.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from edt_tui.engine.model import Action, ActionType, EventState
from edt_tui.service import action_codec
from edt_tui.service.job_records import JobRef, Numbered
from edt_tui.service.vocabulary import JobType
from edt_tui.storage.action_batches import OF_JOB, TYPE_CODES, TYPES, codes
from edt_tui.storage.clock import parse_stamp
from edt_tui.storage.database import Connection, Database, Row
from edt_tui.storage.ent_objects import root_node_key

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
_RESTORED = (ActionType.CREATE_EVENT, ActionType.UPDATE_EVENT, ActionType.CREATE_MEMBERSHIP)
"""What an undo does to give back what the import replaced (see `finish_undo`)."""
_REPLACED = (ActionType.UPDATE_EVENT, ActionType.DELETE_EVENT, ActionType.CREATE_EVENT,
             ActionType.DELETE_MEMBERSHIP)
"""The import's actions whose prior holds an `updated_at` / `created_at` to give back."""

_SELECT: dict[str, str] = {
    "courses": "SELECT key, label FROM courses WHERE key IN ({})",
    "hierarchy_nodes": "SELECT key, title FROM hierarchy_nodes WHERE key IN ({})",
    "memberships": "SELECT key, created_at FROM memberships WHERE key IN ({})",
    "events": "SELECT key, end_at, title, rooms_json, teachers_json, updated_at FROM events "
    "WHERE key IN ({})",
}


def _existing(db: Database, conn: Connection, table: str, keys: Sequence[str]) -> dict[str, Any]:
    return {row[0]: tuple(row) for row in db.select_in(conn, _SELECT[table], keys)}


def _event_prior(row: tuple[Any, ...]) -> str:
    _, end, title, rooms_json, teachers_json, updated = row
    # rooms_json and teachers_json are JSON already: spliced in, not decoded and re-encoded.
    return f"[{_encode(end)},{_encode(title)},{rooms_json},{teachers_json},{_encode(updated)}]"


def capture(
    db: Database, conn: Connection, uai: str, batch: Sequence[Numbered], *, deletes: bool = True
) -> dict[int, str]:
    """The prior of the actions of `batch` (by seq), read before the batch is applied; with
    `deletes=False` (an undo: never undone, and what it deletes is in its payload) only of those
    that create or update."""
    if not deletes:
        batch = [(seq, a) for seq, a in batch if a.type not in DELETES]
    by_table: dict[str, list[str]] = {}
    for _, action in batch:
        by_table.setdefault(_TABLE[action.type], []).append(action.key)
    existing = {table: _existing(db, conn, table, keys) for table, keys in by_table.items()}
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
                roots[root] = bool(_existing(db, conn, "hierarchy_nodes", [root]))
            priors[seq] = "" if roots[root] else "[null,0]"
    return priors


def record(
    db: Database, conn: Connection, job_id: str, batch: Sequence[Numbered],
    priors: Mapping[int, str], failed: Mapping[int, str], *, deletes: bool = True,
) -> None:
    """Each outcome of the applied `batch` (`failed`: the reason by seq) and, beside it, its
    prior from `capture` (same `deletes`); a failed action keeps none.

    One range `UPDATE` says "success, nothing existed" for the whole batch, then only the
    exceptions (an existing object, a failure) are written row by row (`update_rows`: one
    statement on PostgreSQL) — a first import has none."""
    skipped = () if deletes else sorted(TYPE_CODES[t] for t in DELETES)
    prior = f"CASE WHEN type IN ({', '.join('?' * len(skipped))}) THEN prior ELSE '' END" \
        if skipped else "''"
    conn.execute(
        f"""UPDATE job_actions SET status = 'success', prior = {prior} WHERE {OF_JOB}
               AND status = 'pending' AND seq BETWEEN ? AND ?""",
        (*skipped, job_id, batch[0][0], batch[-1][0]),
    )
    exceptions = [seq for seq, _ in batch if seq in failed or priors.get(seq)]
    if not exceptions:
        return
    ref = conn.execute("SELECT ref FROM import_jobs WHERE id = ?", (job_id,)).fetchone()[0]
    db.update_rows(
        conn, "job_actions", ("status", "error", "prior"), ("job_ref", "seq"),
        [("error", failed[seq], None, ref, seq) if seq in failed
         else ("success", None, priors[seq], ref, seq) for seq in exceptions],
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
    conn: Connection, job_id: str, uai: str, links: Iterable[tuple[str, str]]
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


def restore_links(conn: Connection, uai: str, links_before: str | None) -> int:
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


# -- what undo and before-state read -------------------------------------------------------
@dataclass(frozen=True, slots=True)
class UndoFacts:
    """What decides whether an import can be undone now (the rules: `service.undo.check`)."""

    target_type: JobType | None
    """The import's type; None when the establishment has no such job."""
    target_seq: int | None
    busy: JobRef | None
    """The oldest unfinished job of the establishment (queued, running, resumable), if any."""
    undone_by: JobRef | None
    """The done undo of that import, if any."""
    newest: tuple[JobRef, int] | None
    """The newest finished import not undone yet, and its place in the queue."""
    unrecorded: bool
    """One of its applied actions has no recorded prior (applied before priors were kept)."""


def _ref(row: Row | None) -> JobRef | None:
    if row is None:
        return None
    created_at = parse_stamp(row["created_at"])
    assert created_at is not None
    return JobRef(row["id"], created_at)


_UNDOABLE = """j.type IN ('manual', 'automatic') AND j.status IN ('done', 'error')
    AND j.outcome IS NULL
    AND NOT EXISTS (SELECT 1 FROM import_jobs u WHERE u.undoes = j.id AND u.status = 'done')"""
"""A finished import not undone yet (one that ended in error may have applied a part)."""


def undo_facts(
    conn: Connection, uai: str, job_id: str, *, resumable: Sequence[str],
    undo_id: str | None = None,
) -> UndoFacts:
    """The facts about undoing `uai`'s job `job_id`; `resumable`: the failure codes that leave
    a job to resume (busy); `undo_id`: the undo asking (it is not in its own way)."""
    target = conn.execute(
        "SELECT type, seq FROM import_jobs WHERE id = ? AND uai = ?", (job_id, uai)
    ).fetchone()
    others = "" if undo_id is None else " AND id <> ?"
    failed = (
        f" OR (status = 'error' AND reason_code IN ({', '.join('?' * len(resumable))}))"
        if resumable else ""
    )
    busy = conn.execute(
        f"""SELECT id, created_at FROM import_jobs WHERE uai = ?{others}
               AND (status IN ('queued', 'running', 'interrupted'){failed})
            ORDER BY seq LIMIT 1""",
        (uai, *([] if undo_id is None else [undo_id]), *resumable),
    ).fetchone()
    undone = conn.execute(
        """SELECT id, created_at FROM import_jobs WHERE undoes = ? AND status = 'done'
           ORDER BY seq LIMIT 1""", (job_id,),
    ).fetchone()
    newest = conn.execute(
        f"""SELECT j.id, j.created_at, j.seq FROM import_jobs j
            WHERE j.uai = ? AND {_UNDOABLE} ORDER BY j.seq DESC LIMIT 1""", (uai,),
    ).fetchone()
    unrecorded = conn.execute(
        f"""SELECT 1 FROM job_actions WHERE {OF_JOB} AND status = 'success' AND prior IS NULL
           LIMIT 1""", (job_id,),
    ).fetchone()
    newest_ref = _ref(newest)
    return UndoFacts(
        target_type=JobType(target["type"]) if target else None,
        target_seq=int(target["seq"]) if target else None,
        busy=_ref(busy), undone_by=_ref(undone),
        newest=(newest_ref, int(newest["seq"])) if newest_ref else None,
        unrecorded=unrecorded is not None,
    )


@dataclass(frozen=True, slots=True)
class Applied:
    """An applied action and the value it replaced (`prior`, see the module doc)."""

    action: Action
    prior: str | None
    previous: str | None = None
    """`previous_json` of an update planned before priors were kept."""


class UndoJournal:
    """The journal's reads over `db`, and the undo's final writes."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def facts(
        self, uai: str, job_id: str, *, resumable: Sequence[str], undo_id: str | None = None,
    ) -> UndoFacts:
        with self.db.snapshot() as conn:
            return undo_facts(conn, uai, job_id, resumable=resumable, undo_id=undo_id)

    def applied(self, job_id: str) -> list[Applied]:
        """The successful actions of `job_id` in execution order."""
        with self.db.snapshot() as conn:
            rows = conn.execute(
                f"""SELECT type, key, payload_json, prior FROM job_actions
                   WHERE {OF_JOB} AND status = 'success' ORDER BY seq""", (job_id,),
            ).fetchall()
        return [Applied(action_codec.decode(TYPES[k], key, p), prior)
                for k, key, p, prior in rows]

    def keys_by_course(self, table: str, courses: Sequence[str]) -> dict[str, set[str]]:
        """The keys of the `events` or `memberships` of each course now."""
        if table not in ("events", "memberships"):
            raise ValueError(f"no course keys in {table}")
        found: dict[str, set[str]] = {c: set() for c in courses}
        with self.db.snapshot() as conn:
            for start in range(0, len(courses), _CHUNK):
                chunk = courses[start:start + _CHUNK]
                rows = conn.execute(
                    f"SELECT course_key, key FROM {table} WHERE course_key IN "
                    f"({', '.join('?' * len(chunk))})", chunk,
                ).fetchall()
                for course_key, key in rows:
                    found[course_key].add(key)
        return found

    def child_nodes(self, parent: str) -> set[str]:
        with self.db.snapshot() as conn:
            rows = conn.execute(
                "SELECT key FROM hierarchy_nodes WHERE parent_key = ?", (parent,)
            ).fetchall()
        return {r[0] for r in rows}

    def finish_undo(self, uai: str, undo_id: str, undone_id: str) -> None:
        """Once the undo `undo_id` of `undone_id` is applied: the IDPN links the import replaced
        put back, and the events and memberships it restored given back their own
        `updated_at` / `created_at`. One transaction, idempotent."""
        with self.db.transaction() as conn:
            links = conn.execute(
                "SELECT links_before_json FROM import_jobs WHERE id = ?", (undone_id,)
            ).fetchone()
            restored = {
                key for (key,) in conn.execute(
                    f"""SELECT key FROM job_actions WHERE {OF_JOB} AND status = 'success'
                           AND type IN ({codes(*_RESTORED)})""",
                    (undo_id,),
                ).fetchall()
            }
            events: list[tuple[str, str]] = []
            members: list[tuple[str, str]] = []
            rows = conn.execute(
                f"""SELECT type, key, prior FROM job_actions WHERE {OF_JOB} AND status = 'success'
                       AND prior <> '' AND type IN ({codes(*_REPLACED)})""", (undone_id,),
            ).fetchall()
            for kind, key, prior in rows:
                if key in restored:
                    if TYPES[kind] is ActionType.DELETE_MEMBERSHIP:
                        members.append((json.loads(prior), key))
                    else:
                        events.append((json.loads(prior)[4], key))
            restore_links(conn, uai, links[0] if links else None)
            conn.executemany("UPDATE events SET updated_at = ? WHERE key = ?", events)
            conn.executemany("UPDATE memberships SET created_at = ? WHERE key = ?", members)

    def rewind(
        self, uai: str, seq: int, visit: Callable[[Applied], None]
    ) -> list[tuple[str, str, str | None, str | None]]:
        """Every job of `uai` from the newest down to the one at `seq`, in one snapshot: each
        applied action given to `visit` (newest first, job after job, one row at a time), and
        the jobs as (id, status, links_before_json, people_json), newest first."""
        with self.db.snapshot() as conn:
            later = [tuple(r) for r in conn.execute(
                """SELECT id, status, links_before_json, people_json FROM import_jobs
                   WHERE uai = ? AND seq >= ? ORDER BY seq DESC""",
                (uai, seq),
            ).fetchall()]
            for job_id, *_ in later:
                rows = conn.execute(
                    f"""SELECT type, key, payload_json, previous_json, prior FROM job_actions
                       WHERE {OF_JOB} AND status = 'success' ORDER BY seq DESC""",
                    (job_id,),
                )
                for kind, key, payload, previous, prior in rows:
                    visit(Applied(action_codec.decode(TYPES[kind], key, payload), prior,
                                  previous))
        return later  # type: ignore[return-value]
