"""The push log: every automatic push received, for the admin's "last pushes" (`pushes`)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from edt_tui.service.job_records import PushEntry
from edt_tui.storage.clock import parse_stamp, stamp
from edt_tui.storage.database import Database

MAX_UAI = 20
"""A pushed UAI is logged as received, cut to this length (unknown UAIs are logged too)."""



def _at(text: str) -> datetime:
    value = parse_stamp(text)
    assert value is not None  # received_at is NOT NULL
    return value


class PushLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(
        self, uai: str, outcome: str, now: datetime, *, reason: str | None = None,
        export_sha256: str | None = None, job_id: str | None = None,
    ) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                """INSERT INTO pushes (id, uai, received_at, outcome, reason, export_sha256,
                       job_id) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (uuid.uuid4().hex, uai[:MAX_UAI], stamp(now), outcome, reason, export_sha256,
                 job_id),
            )

    def count_refused_in_hour(self, uai: str, now: datetime, reason: str) -> None:
        """One refused push more on the line of `uai` and the hour of `now` (created with 1)."""
        hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        with self.db.transaction() as conn:
            conn.execute(
                """INSERT INTO pushes (id, uai, received_at, outcome, reason, attempts)
                   VALUES (?, ?, ?, 'refused', ?, 1)
                   ON CONFLICT (id) DO UPDATE SET attempts = pushes.attempts + 1,
                       received_at = excluded.received_at""",
                (f"wrong-secret:{uai}:{hour:%Y%m%dT%H}", uai, stamp(now), reason),
            )

    def recent(self, uai: str, limit: int) -> list[PushEntry]:
        """The last `limit` lines of `uai`, newest first."""
        with self.db.snapshot() as conn:
            rows = conn.execute(
                """SELECT received_at, outcome, reason, job_id, attempts FROM pushes
                   WHERE uai = ? ORDER BY received_at DESC LIMIT ?""",
                (uai, limit),
            ).fetchall()
        return [
            PushEntry(_at(r[0]), r[1], r[2], r[3], int(r[4]))
            for r in rows
        ]
