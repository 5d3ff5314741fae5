"""Subjects and classes of each establishment, keyed by (uai, name)."""

from __future__ import annotations

from collections.abc import Sequence

from edt_tui.engine.model import ReferentialClass, ReferentialSubject
from edt_tui.service.records import ClassRecord, Page, SubjectRecord
from edt_tui.service.store import DEFAULT_PAGE
from edt_tui.storage.database import Connection, Row
from edt_tui.storage.directory import require_establishments
from edt_tui.storage.repository import Repository, upper_like


def _subject(row: Row) -> SubjectRecord:
    return SubjectRecord(uai=row["uai"], name=row["name"], code=row["code"])


def _class(row: Row) -> ClassRecord:
    return ClassRecord(row["uai"], row["name"])


class ReferentialRepository(Repository):
    def upsert_subjects(self, rows: Sequence[SubjectRecord]) -> None:
        with self.db.transaction() as conn:
            self.write_subjects(conn, rows)

    @staticmethod
    def write_subjects(conn: Connection, rows: Sequence[SubjectRecord]) -> None:
        """Keyed by (uai, name): one establishment's subject never touches another's."""
        require_establishments(conn, (s.uai for s in rows))
        conn.executemany(
            """INSERT INTO subjects (uai, name, code) VALUES (?, ?, ?)
               ON CONFLICT (uai, name) DO UPDATE SET code = excluded.code""",
            [(s.uai, s.name, s.code or None) for s in rows],
        )

    def get_subject(self, uai: str, name: str) -> SubjectRecord | None:
        with self.db.snapshot() as conn:
            row = conn.execute(
                "SELECT * FROM subjects WHERE uai = ? AND name = ?", (uai, name)
            ).fetchone()
        return _subject(row) if row else None

    def list_subjects(
        self, uai: str, *, q: str | None = None, offset: int = 0, limit: int = DEFAULT_PAGE
    ) -> Page[SubjectRecord]:
        where, params = "uai = ?", [uai]
        if q:
            where += " AND (UPPER(name) LIKE ? OR UPPER(code) LIKE ?)"
            params += [upper_like(q)] * 2
        return self.select_page(
            "SELECT * FROM subjects", where, params, "name", offset, limit, _subject
        )

    def upsert_classes(self, rows: Sequence[ClassRecord]) -> None:
        with self.db.transaction() as conn:
            self.write_classes(conn, rows)

    @staticmethod
    def write_classes(conn: Connection, rows: Sequence[ClassRecord]) -> None:
        """Keyed by (uai, name), like subjects."""
        require_establishments(conn, (c.uai for c in rows))
        conn.executemany(
            "INSERT INTO classes (uai, name) VALUES (?, ?) ON CONFLICT (uai, name) DO NOTHING",
            [(c.uai, c.name) for c in rows],
        )

    def get_class(self, uai: str, name: str) -> ClassRecord | None:
        with self.db.snapshot() as conn:
            row = conn.execute(
                "SELECT * FROM classes WHERE uai = ? AND name = ?", (uai, name)
            ).fetchone()
        return _class(row) if row else None

    def list_classes(
        self, uai: str, *, q: str | None = None, offset: int = 0, limit: int = DEFAULT_PAGE
    ) -> Page[ClassRecord]:
        where, params = "uai = ?", [uai]
        if q:
            where += " AND UPPER(name) LIKE ?"
            params.append(upper_like(q))
        return self.select_page(
            "SELECT * FROM classes", where, params, "name", offset, limit, _class
        )

    def referential(
        self, uai: str
    ) -> tuple[tuple[ReferentialSubject, ...], tuple[ReferentialClass, ...]]:
        with self.db.snapshot() as conn:
            subjects = conn.execute(
                "SELECT name, code FROM subjects WHERE uai = ? ORDER BY name", (uai,)
            ).fetchall()
            classes = conn.execute(
                "SELECT name FROM classes WHERE uai = ? ORDER BY name", (uai,)
            ).fetchall()
        return (
            tuple(ReferentialSubject(r["name"], r["code"]) for r in subjects),
            tuple(ReferentialClass(r["name"]) for r in classes),
        )
