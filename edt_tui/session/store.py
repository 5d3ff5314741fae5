"""The import-session store: one TinyDB document per wizard run, saved at every decision.

An SSH connection can drop at any keypress, so each decision is written as it is made and the
wizard resumes at the same step. Two terminals may share the data directory: every read-modify-
write holds an exclusive `fcntl.flock` on `sessions.json.lock`, and the file is replaced
atomically (temp file, fsync, `os.replace`) so a crash never leaves half a JSON document.

A document damaged by hand or by another tool (missing key, wrong type) never crashes a listing:
`scan()` returns it apart, flagged, and `get()` refuses it by file and id, saying how to discard it.
"""

from __future__ import annotations

import fcntl
import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tinydb import Query, TinyDB
from tinydb.storages import Storage

from edt_tui.config import data_dir
from edt_tui.dates import DEFAULT_TIMEZONE, zone_named
from edt_tui.engine.selection import Selection
from edt_tui.errors import BadInputError, EdtTuiError
from edt_tui.files import write_atomic

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


_NOT_AN_OBJECT = "_not_an_object"
DISCARD_HINT = "discard it with `edt-tui session discard {ref}` (its decisions are lost)"


class SessionStoreError(EdtTuiError):
    """The session file cannot be read or written (rights, disk, not a session store)."""


def _unwritable(path: Path, exc: OSError) -> SessionStoreError:
    return SessionStoreError(
        f"cannot write the session store {path} ({exc.strerror or exc})",
        hint="make the data directory writable and free some space on its disk, or set "
        "EDT_TUI_HOME to a writable directory",
    )


class AtomicJSONStorage(Storage):
    """TinyDB storage that never leaves a torn file: write a sibling temp file, fsync, rename."""

    def __init__(self, path: str | Path) -> None:
        self._path = Path(path)

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            text = self._path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise SessionStoreError(
                f"cannot read the session store {self._path} ({exc})",
                hint=f"check the file; or move it aside ({self._path}.bad) and edt-tui will "
                "start a new one (its sessions are lost)",
            ) from None
        if not text.strip():
            return None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SessionStoreError(
                f"the session store {self._path} is not valid JSON ({exc})",
                hint=f"move it aside (e.g. to {self._path}.bad); edt-tui will start a new one "
                "(its sessions are lost)",
            ) from None
        if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
            raise SessionStoreError(
                f"{self._path} is not a session store (a JSON object of tables expected)",
                hint=f"move it aside (e.g. to {self._path}.bad); edt-tui will start a new one",
            )
        # A document that is not an object would crash TinyDB itself: it is kept, wrapped, so
        # that listings flag it and `session discard` can remove it.
        return {
            name: {k: d if isinstance(d, dict) else {_NOT_AN_OBJECT: d} for k, d in table.items()}
            for name, table in data.items()
        }

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        try:
            self._write(data)
        except OSError as exc:
            raise _unwritable(self._path, exc) from None

    def _write(self, data: dict[str, dict[str, Any]]) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self._path, json.dumps(data, ensure_ascii=False, sort_keys=True).encode())

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
    decisions_from: Mapping[str, Any] | None = None
    """`{job_id, finished_at}` of the manual import whose decisions the session started from."""
    timezone: str = DEFAULT_TIMEZONE
    """The establishment's time zone when the session was created: its times are shown in it
    (a document written before sessions kept it has none: Europe/Paris)."""

    @property
    def zone(self) -> ZoneInfo:
        return zone_named(self.timezone)

    @property
    def finished(self) -> bool:
        """Launched sessions are done with; the others can be resumed."""
        return self.job_id is not None

    def decisions(self) -> Selection:
        return Selection.from_dict(self.selection) if self.selection else Selection.default()

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> ImportSession:
        """The session a stored document holds; `ValueError` saying what is wrong with it."""
        if not isinstance(doc, Mapping) or _NOT_AN_OBJECT in doc:
            raise ValueError("not a JSON object")
        for key in ("id", "uai", "created_at", "updated_at"):
            if not isinstance(doc.get(key), str) or not doc[key]:
                raise ValueError(f"{key!r} missing or not a string")
        step = doc.get("step", STEPS[0])
        if step not in STEPS:
            raise ValueError(f"unknown step {str(step)[:40]!r}")
        for key in ("export", "selection"):
            if not isinstance(doc.get(key) or {}, Mapping):
                raise ValueError(f"{key!r} is not a JSON object")
        counts = (doc.get("export") or {}).get("counts") or {}
        if not isinstance(counts, Mapping) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in counts.values()
        ):
            raise ValueError("'export.counts' is not an object of numbers")
        if not isinstance(doc.get("job_id"), str | None):
            raise ValueError("'job_id' is not a string")
        position = doc.get("queue_position")
        if position is not None and (isinstance(position, bool) or not isinstance(position, int)):
            raise ValueError("'queue_position' is not a number")
        decisions_from = doc.get("decisions_from")
        if decisions_from is not None and not isinstance(decisions_from, Mapping):
            raise ValueError("'decisions_from' is not a JSON object")
        timezone = doc.get("timezone") or DEFAULT_TIMEZONE
        if not isinstance(timezone, str):
            raise ValueError("'timezone' is not a string")
        try:
            zone_named(timezone)
        except (KeyError, ValueError):
            raise ValueError(f"unknown time zone {timezone[:40]!r}") from None
        session = cls(
            id=doc["id"], uai=doc["uai"], step=step, created_at=doc["created_at"],
            updated_at=doc["updated_at"], export=dict(doc.get("export") or {}),
            selection=dict(doc.get("selection") or {}), job_id=doc.get("job_id"),
            queue_position=position, decisions_from=decisions_from, timezone=timezone,
        )
        session.decisions()  # a malformed selection raises ValueError here, not in a screen
        return session


@dataclass(frozen=True, slots=True)
class DamagedSession:
    """A stored document that is not a valid session: shown, never resumed."""

    ref: str
    """Its `id`, or `#<document number>` when it has no usable id."""
    uai: str
    reason: str


def _ref(doc: Mapping[str, Any]) -> str:
    ident = doc.get("id") if isinstance(doc, Mapping) else None
    if isinstance(ident, str) and ident and len(ident) <= 64:
        return ident
    return f"#{getattr(doc, 'doc_id', '?')}"


class DamagedSessionError(EdtTuiError):
    """One damaged session document, refused by file and id."""

    exit_code = 2

    def __init__(self, path: Path, damaged: DamagedSession) -> None:
        super().__init__(
            f"import session {damaged.ref} in {path} is damaged ({damaged.reason})",
            hint=DISCARD_HINT.format(ref=damaged.ref),
        )
        self.damaged = damaged


def _parse(doc: Mapping[str, Any]) -> ImportSession | DamagedSession:
    try:
        return ImportSession.from_document(doc)
    except ValueError as exc:
        uai = doc.get("uai") if isinstance(doc, Mapping) else None
        return DamagedSession(_ref(doc), uai if isinstance(uai, str) else "?", str(exc))


class SessionStore:
    """Sessions under `data_dir()/sessions.json`; every method is one locked transaction."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / "sessions.json"
        self._lock_path = self.path.with_name(self.path.name + ".lock")

    @contextmanager
    def _locked(self) -> Iterator[TinyDB]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            lock = self._lock_path.open("a")
        except OSError as exc:
            raise _unwritable(self.path, exc) from None
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            db = TinyDB(self.path, storage=AtomicJSONStorage)
            try:
                yield db
            finally:
                db.close()
                fcntl.flock(lock, fcntl.LOCK_UN)

    def create(
        self, uai: str, *, timezone: str = DEFAULT_TIMEZONE, selection: Selection | None = None,
        decisions_from: Mapping[str, Any] | None = None,
    ) -> ImportSession:
        """A new session of the establishment `uai` (in its time zone `timezone`), with the
        default decisions or those of an earlier import."""
        now = _now()
        doc = {
            "id": uuid.uuid4().hex[:12],
            "uai": uai,
            "step": STEPS[1],
            "created_at": now,
            "updated_at": now,
            "export": {},
            "selection": (selection or Selection.default()).to_dict(),
            "job_id": None,
            "queue_position": None,
            "decisions_from": dict(decisions_from) if decisions_from else None,
            "timezone": timezone,
        }
        with self._locked() as db:
            db.insert(doc)
        return ImportSession.from_document(doc)

    def _find(self, db: TinyDB, ref: str) -> Any:
        """The document whose `id` is `ref`, or `#N` (TinyDB's document number) for one whose
        id is unusable; None when there is none."""
        if ref.startswith("#") and ref[1:].isdecimal():
            return db.get(doc_id=int(ref[1:]))
        return db.get(lambda d: isinstance(d, Mapping) and d.get("id") == ref)

    def _session(self, doc: Any, ref: str) -> ImportSession:
        if doc is None:
            raise BadInputError(
                f"no import session {ref[:64]!r} in {self.path}",
                hint="list them with the TUI's resume dialog or `edt-tui session list`",
            )
        found = _parse(doc)
        if isinstance(found, DamagedSession):
            raise DamagedSessionError(self.path, found)
        return found

    def get(self, session_id: str) -> ImportSession:
        with self._locked() as db:
            doc = self._find(db, session_id)
        return self._session(doc, session_id)

    def scan(
        self, *, uai: str | None = None, unfinished: bool = False
    ) -> tuple[list[ImportSession], list[DamagedSession]]:
        """Valid sessions newest first, and the damaged documents apart (any establishment)."""
        with self._locked() as db:
            docs = db.all()
        sessions: list[ImportSession] = []
        damaged: list[DamagedSession] = []
        for doc in docs:
            found = _parse(doc)
            if isinstance(found, DamagedSession):
                damaged.append(found)
            elif (uai is None or found.uai == uai) and not (unfinished and found.finished):
                sessions.append(found)
        sessions.sort(key=lambda s: (s.updated_at, s.id), reverse=True)
        return sessions, damaged

    def list(self, *, uai: str | None = None, unfinished: bool = False) -> list[ImportSession]:
        """Newest first; damaged documents are left out (`scan()` returns them)."""
        return self.scan(uai=uai, unfinished=unfinished)[0]

    def discard(self, ref: str) -> None:
        """Remove one session, damaged or not (`ref`: its id, or `#N` from `session list`)."""
        with self._locked() as db:
            doc = self._find(db, ref)
            if doc is None:
                self._session(None, ref)
            db.remove(doc_ids=[doc.doc_id])

    def _update(
        self, session_id: str, change: Callable[[dict[str, Any]], None]
    ) -> ImportSession:
        with self._locked() as db:
            doc = self._find(db, session_id)
            self._session(doc, session_id)
            new = dict(doc)
            change(new)
            new["updated_at"] = _now()
            db.update(new, doc_ids=[doc.doc_id])
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

    def reset_selection(self, session_id: str) -> ImportSession:
        """Back to the default decisions (no earlier import's)."""
        return self._update(
            session_id,
            lambda d: d.update(selection=Selection.default().to_dict(), decisions_from=None),
        )

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
