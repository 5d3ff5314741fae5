"""The import-session store: one TinyDB document per wizard run, saved at every decision.

An SSH connection can drop at any keypress, so each decision is written as it is made and the
wizard resumes at the same step. Two terminals may share the data directory: every read-modify-
write holds an exclusive `fcntl.flock` on `sessions.json.lock`, and the file is replaced
atomically (temp file, fsync, `os.replace`) so a crash never leaves half a JSON document.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tinydb import Query, TinyDB
from tinydb.storages import Storage

from edt_tui.config import data_dir
from edt_tui.engine.selection import Selection
from edt_tui.errors import BadInputError, EdtTuiError

STEPS: tuple[str, ...] = (
    "establishment",
    "export",
    "summary",
    "subjects",
    "classes",
    "groups",
    "courses",
    "teachers",
    "students",
    "launch",
)
"""Wizard steps in order; a session's `step` is one of them."""


class AtomicJSONStorage(Storage):
    """TinyDB storage that never leaves a torn file: write a sibling temp file, fsync, rename."""

    def __init__(self, path: str | Path) -> None:
        self._path = Path(path)

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            text = self._path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        if not text.strip():
            return None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise EdtTuiError(
                f"the session store {self._path} is not valid JSON ({exc})",
                hint="move it aside; edt-tui will start a new one",
            ) from exc
        return data if isinstance(data, dict) else None

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".sessions-", suffix=".tmp", dir=self._path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, ensure_ascii=False, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self._path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def close(self) -> None:
        return None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class ImportSession:
    """One wizard run, as stored."""

    id: str
    uai: str
    step: str
    created_at: str
    updated_at: str
    export: Mapping[str, Any] = field(default_factory=dict)
    """`sha256`, `file_name`, `import_id` and the §3.4 summary once an export is picked."""
    selection: Mapping[str, Any] = field(default_factory=dict)
    """`Selection.to_dict()` of the engine: every decision of the admin."""
    job_id: str | None = None
    queue_position: int | None = None

    @property
    def finished(self) -> bool:
        """Launched sessions are done with; the others can be resumed."""
        return self.job_id is not None

    def decisions(self) -> Selection:
        return Selection.from_dict(self.selection) if self.selection else Selection.default()

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> ImportSession:
        return cls(
            id=doc["id"],
            uai=doc["uai"],
            step=doc.get("step", STEPS[0]),
            created_at=doc["created_at"],
            updated_at=doc["updated_at"],
            export=dict(doc.get("export") or {}),
            selection=dict(doc.get("selection") or {}),
            job_id=doc.get("job_id"),
            queue_position=doc.get("queue_position"),
        )


class SessionStore:
    """Sessions under `data_dir()/sessions.json`; every method is one locked transaction."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / "sessions.json"
        self._lock_path = self.path.with_name(self.path.name + ".lock")

    @contextmanager
    def _locked(self) -> Iterator[TinyDB]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock_path.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            db = TinyDB(self.path, storage=AtomicJSONStorage)
            try:
                yield db
            finally:
                db.close()
                fcntl.flock(lock, fcntl.LOCK_UN)

    def create(self, uai: str) -> ImportSession:
        now = _now()
        doc = {
            "id": uuid.uuid4().hex[:12],
            "uai": uai,
            "step": STEPS[1],
            "created_at": now,
            "updated_at": now,
            "export": {},
            "selection": Selection.default().to_dict(),
            "job_id": None,
            "queue_position": None,
        }
        with self._locked() as db:
            db.insert(doc)
        return ImportSession.from_document(doc)

    def get(self, session_id: str) -> ImportSession:
        with self._locked() as db:
            doc = db.get(Query().id == session_id)
        if doc is None:
            raise BadInputError(
                f"no import session {session_id!r} in {self.path}",
                hint="list them with the TUI's resume dialog or `edt-tui session list`",
            )
        return ImportSession.from_document(doc)

    def list(self, *, uai: str | None = None, unfinished: bool = False) -> list[ImportSession]:
        """Newest first."""
        with self._locked() as db:
            docs = db.all()
        sessions = [ImportSession.from_document(d) for d in docs]
        sessions = [
            s
            for s in sessions
            if (uai is None or s.uai == uai) and not (unfinished and s.finished)
        ]
        return sorted(sessions, key=lambda s: (s.updated_at, s.id), reverse=True)

    def _update(
        self, session_id: str, change: Callable[[dict[str, Any]], None]
    ) -> ImportSession:
        with self._locked() as db:
            doc = db.get(Query().id == session_id)
            if doc is None:
                raise BadInputError(f"no import session {session_id!r} in {self.path}")
            new = dict(doc)
            change(new)
            new["updated_at"] = _now()
            db.update(new, Query().id == session_id)
        return ImportSession.from_document(new)

    def set_step(self, session_id: str, step: str) -> ImportSession:
        if step not in STEPS:
            raise ValueError(f"unknown step {step!r}")
        return self._update(session_id, lambda d: d.update(step=step))

    def set_export(self, session_id: str, export: Mapping[str, Any]) -> ImportSession:
        return self._update(session_id, lambda d: d.update(export=dict(export)))

    def update_selection(
        self, session_id: str, edit: Callable[[Selection], Selection]
    ) -> ImportSession:
        """Apply one decision (or a bulk of them) to the stored selection, under the lock."""

        def change(doc: dict[str, Any]) -> None:
            current = doc.get("selection") or {}
            selection = Selection.from_dict(current) if current else Selection.default()
            doc["selection"] = edit(selection).to_dict()

        return self._update(session_id, change)

    def mark_launched(
        self, session_id: str, job_id: str, queue_position: int | None
    ) -> ImportSession:
        return self._update(
            session_id,
            lambda d: d.update(step="launch", job_id=job_id, queue_position=queue_position),
        )

    def delete(self, session_id: str) -> None:
        with self._locked() as db:
            db.remove(Query().id == session_id)
