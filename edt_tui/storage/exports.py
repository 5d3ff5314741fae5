"""Uploaded exports (their record; the bytes in the backend's `ExportBlobs`) and the versioned
selections of each establishment."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from edt_tui.service.records import ExportRecord, Page
from edt_tui.service.store import DEFAULT_PAGE, StoreError
from edt_tui.storage.clock import Clock, stamp, utcnow
from edt_tui.storage.database import Database, ExportBlobs, Row
from edt_tui.storage.directory import require_establishments
from edt_tui.storage.repository import Repository


def _export(row: Row) -> ExportRecord:
    return ExportRecord(
        sha256=row["sha256"], uai=row["uai"], file_name=row["file_name"],
        import_id=row["import_id"], size=row["size"],
        uploaded_at=datetime.fromisoformat(row["uploaded_at"]),
        summary=json.loads(row["summary_json"]),
    )


class ExportRepository(Repository):
    def __init__(
        self, db: Database, blobs: ExportBlobs, *, clock: Clock = utcnow
    ) -> None:
        super().__init__(db, clock=clock)
        self.blobs = blobs

    def save_export(self, record: ExportRecord, data: bytes) -> ExportRecord:
        # The bytes first: a record never names bytes that are not there.
        self.blobs.put(record.sha256, data)
        with self.db.transaction() as conn:
            require_establishments(conn, (record.uai,))
            conn.execute(
                """INSERT INTO exports
                       (sha256, uai, file_name, import_id, size, uploaded_at, summary_json)
                   VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING""",
                (record.sha256, record.uai, record.file_name, record.import_id, record.size,
                 stamp(record.uploaded_at), json.dumps(dict(record.summary))),
            )
            row = conn.execute(
                "SELECT * FROM exports WHERE sha256 = ?", (record.sha256,)
            ).fetchone()
        return _export(row)

    def get_export(self, uai: str, sha256: str) -> ExportRecord | None:
        with self.db.snapshot() as conn:
            row = conn.execute(
                "SELECT * FROM exports WHERE uai = ? AND sha256 = ?", (uai, sha256)
            ).fetchone()
        return _export(row) if row else None

    def export_bytes(self, uai: str, sha256: str) -> bytes:
        if self.get_export(uai, sha256) is None:
            raise StoreError(f"no export {sha256} for establishment {uai}")
        return self.blobs.get(sha256)

    def list_exports(
        self, uai: str, *, offset: int = 0, limit: int = DEFAULT_PAGE
    ) -> Page[ExportRecord]:
        return self.select_page(
            "SELECT * FROM exports", "uai = ?", [uai], "uploaded_at DESC, sha256",
            offset, limit, _export,
        )

    # -- selections -----------------------------------------------------------------------
    def save_selection(self, uai: str, data: Mapping[str, Any]) -> int:
        with self.db.transaction() as conn:
            require_establishments(conn, (uai,))
            self.db.lock_establishment(conn, uai)  # max + 1 by one writer at a time
            row = conn.execute(
                "SELECT COALESCE(MAX(version), 0) FROM selections WHERE uai = ?", (uai,)
            ).fetchone()
            version = int(row[0]) + 1
            conn.execute(
                "INSERT INTO selections (uai, version, created_at, data_json) VALUES (?, ?, ?, ?)",
                (uai, version, self.now(), json.dumps(dict(data))),
            )
        return version

    def get_selection(
        self, uai: str, version: int | None = None
    ) -> tuple[int, Mapping[str, Any]] | None:
        if version is not None and not 0 < version < 2**63:
            return None  # no such version (and out of every backend's integer range)
        with self.db.snapshot() as conn:
            if version is None:
                row = conn.execute(
                    "SELECT version, data_json FROM selections WHERE uai = ? "
                    "ORDER BY version DESC LIMIT 1", (uai,),
                ).fetchone()
            else:
                row = conn.execute(
                    "SELECT version, data_json FROM selections WHERE uai = ? AND version = ?",
                    (uai, version),
                ).fetchone()
        return (int(row["version"]), json.loads(row["data_json"])) if row else None
