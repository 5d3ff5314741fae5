"""What each wizard plan was computed from, so any API server answers any plan id.

A plan is deterministic given its request and the ENT: the request (export, selection, options,
T — a JSON document the planner writes and reads) is stored, never the plan. Rows are keyed by
(UAI, plan id) and read only by both. Each write prunes: rows older than `KEPT_FOR`, and beyond
the `KEPT_PER_ESTABLISHMENT` newest of the establishment, are deleted, so the table stays small.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from edt_tui.storage.clock import stamp
from edt_tui.storage.repository import Repository

KEPT_FOR = timedelta(days=1)
"""A plan id older than this answers 404 (the wizard plans again with `POST …/plans`)."""
KEPT_PER_ESTABLISHMENT = 200
"""The newest plan requests kept per establishment, whatever their age."""


class PlanRequestRepository(Repository):
    def save(self, uai: str, plan_id: str, document: Mapping[str, Any]) -> None:
        """Store (or refresh the date of) the request of `plan_id`, then prune."""
        now = self.clock()
        try:
            with self.db.transaction() as conn:
                conn.execute(
                    """INSERT INTO plan_requests (uai, plan_id, request_json, created_at)
                       VALUES (?, ?, ?, ?) ON CONFLICT (uai, plan_id)
                       DO UPDATE SET created_at = excluded.created_at""",
                    (uai, plan_id, json.dumps(dict(document), sort_keys=True), stamp(now)),
                )
                conn.execute(
                    "DELETE FROM plan_requests WHERE created_at < ?", (stamp(now - KEPT_FOR),)
                )
                conn.execute(
                    """DELETE FROM plan_requests WHERE uai = ? AND created_at < (
                           SELECT created_at FROM plan_requests WHERE uai = ?
                           ORDER BY created_at DESC LIMIT 1 OFFSET ?)""",
                    (uai, uai, KEPT_PER_ESTABLISHMENT - 1),
                )
        except self.db.driver_errors as exc:
            raise self.db.unavailable(exc, doing="storing a plan request") from None

    def load(self, uai: str, plan_id: str) -> Mapping[str, Any] | None:
        """The request of `plan_id` in `uai` (None when unknown there, or pruned)."""
        with self.db.snapshot() as conn:
            row = conn.execute(
                "SELECT request_json FROM plan_requests WHERE uai = ? AND plan_id = ?",
                (uai, plan_id),
            ).fetchone()
        return json.loads(row["request_json"]) if row else None
