"""A job as a helpdesk bundle carries it, read from one service and restored into another.

The job's history row (column by column, its counters with the frozen recap), its action
counts and its failed actions; restored into an empty store with its selection, so the replay
shows the same history entry.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from edt_tui.engine.model import ActionType
from edt_tui.storage.action_batches import OF_JOB, TYPE_CODES, TYPES
from edt_tui.storage.database import Database

JOB_COLUMNS = (
    "id", "type", "status", "created_at", "started_at", "finished_at", "reference_time",
    "export_sha256", "selection_version", "reason", "reason_code", "outcome", "seq",
)
"""The columns of `import_jobs` a bundle carries as they are (timestamps in the stored form)."""


class JobSnapshots:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, job_id: str) -> dict[str, Any] | None:
        """The job's columns, `counters`, `known`, `people`, `actions` (count per type) and
        `failed_actions` (`seq`, `type`, `key`, `error`, `payload`); None for no such job."""
        with self.db.snapshot() as conn:
            row = conn.execute(
                f"""SELECT {', '.join(JOB_COLUMNS)}, counters_json, known_json, people_json
                    FROM import_jobs WHERE id = ?""",
                (job_id,),
            ).fetchone()
            if row is None:
                return None
            counts = conn.execute(
                f"SELECT type, COUNT(*) FROM job_actions WHERE {OF_JOB} GROUP BY type", (job_id,)
            ).fetchall()
            failed = conn.execute(
                f"""SELECT seq, type, key, error, payload_json FROM job_actions
                   WHERE {OF_JOB} AND status = 'error' ORDER BY seq""",
                (job_id,),
            ).fetchall()
        record: dict[str, Any] = {name: row[name] for name in JOB_COLUMNS}
        record["counters"] = json.loads(row["counters_json"])
        record["known"] = json.loads(row["known_json"]) if row["known_json"] else None
        record["people"] = json.loads(row["people_json"]) if row["people_json"] else None
        record["actions"] = {TYPES[kind].value: int(count) for kind, count in counts}
        record["failed_actions"] = [
            {"seq": seq, "type": TYPES[kind].value, "key": key, "error": error,
             "payload": payload}
            for seq, kind, key, error, payload in failed
        ]
        return record

    def restore(self, uai: str, record: Mapping[str, Any]) -> None:
        """`record` (from `record`) into this store as a job of `uai`: its history row, its
        selection under the same version (`record["selection"]`), its failed actions."""
        with self.db.transaction() as conn:
            if record.get("selection") is not None and record.get("selection_version") is not None:
                conn.execute(
                    """INSERT INTO selections (uai, version, created_at, data_json)
                       VALUES (?, ?, ?, ?)""",
                    (uai, int(record["selection_version"]), str(record["created_at"]),
                     json.dumps(record["selection"])),
                )
            columns = (*JOB_COLUMNS, "uai", "counters_json", "known_json", "people_json", "ref")
            ref = self.db.next_in_sequence(conn, "import_jobs", "ref")
            conn.execute(
                f"INSERT INTO import_jobs ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})",
                (*(record.get(name) for name in JOB_COLUMNS), uai,
                 json.dumps(record["counters"]),
                 json.dumps(record["known"]) if record.get("known") is not None else None,
                 json.dumps(record["people"]) if record.get("people") is not None else None,
                 ref),
            )
            conn.executemany(
                """INSERT INTO job_actions (job_ref, seq, type, key, status, error, payload_json)
                   VALUES (?, ?, ?, ?, 'error', ?, ?)""",
                [(ref, a["seq"], TYPE_CODES[ActionType(a["type"])], a["key"], a["error"],
                  a["payload"]) for a in record.get("failed_actions") or ()],
            )
