"""Where the bytes of uploaded exports live, by SHA-256: files beside a SQLite database (one host),
rows of `export_blobs` on PostgreSQL (every host of a region reads them)."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from edt_tui.service.store import StoreError
from edt_tui.storage.database import ExportBlobs

if TYPE_CHECKING:
    from edt_tui.storage.database import Connection, Database


class ExportFiles(ExportBlobs):
    """`<directory>/<sha256>.xml`, owner-only, written atomically (temporary file + rename)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, sha256: str) -> Path:
        return self.directory / f"{sha256}.xml"

    def put(self, sha256: str, data: bytes) -> None:
        path = self.path(sha256)
        if path.exists():
            return
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()


class ExportRows(ExportBlobs):
    """One `export_blobs` row per export, in the database itself."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def put(self, sha256: str, data: bytes) -> None:
        with self.database.transaction() as conn:
            self.put_in(conn, sha256, data)

    def put_in(self, conn: Connection, sha256: str, data: bytes) -> None:
        conn.execute(
            "INSERT INTO export_blobs (sha256, data) VALUES (?, ?) "
            "ON CONFLICT (sha256) DO NOTHING",
            (sha256, data),
        )

    def get(self, sha256: str) -> bytes:
        with self.database.snapshot() as conn:
            return self.get_in(conn, sha256)

    def get_in(self, conn: Connection, sha256: str) -> bytes:
        row = conn.execute("SELECT data FROM export_blobs WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            raise StoreError(
                f"{self.database.display}: the bytes of export {sha256} are missing",
                hint="upload the export again",
            )
        return bytes(row[0])
