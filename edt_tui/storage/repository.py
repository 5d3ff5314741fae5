"""What every repository shares: its database, the clock, and one paged query."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from edt_tui.engine.normalize import norm
from edt_tui.service.records import Page
from edt_tui.service.store import MAX_OFFSET, MAX_PAGE
from edt_tui.storage.clock import Clock, stamp, utcnow
from edt_tui.storage.database import Database


def clamp(offset: int, limit: int) -> tuple[int, int]:
    return max(0, min(offset, MAX_OFFSET)), max(1, min(limit, MAX_PAGE))


def like(q: str) -> str:
    """A `LIKE` pattern for a normalized search."""
    return f"%{norm(q)}%"


def upper_like(q: str) -> str:
    return f"%{q.upper()}%"


class Repository:
    """One aggregate's SQL over a `Database`; writes are one transaction each."""

    def __init__(self, db: Database, *, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock

    def now(self) -> str:
        return stamp(self.clock())

    def select_page(
        self, sql: str, where: str, params: Sequence[Any], order: str, offset: int, limit: int,
        convert: Callable[[Any], Any], count_from: str | None = None,
    ) -> Page[Any]:
        """One page and the total, from one snapshot. `count_from` (a FROM clause) lets the
        count skip joins the filters do not need."""
        offset, limit = clamp(offset, limit)
        counted = f"SELECT COUNT(*) {count_from}" if count_from else f"SELECT COUNT(*) FROM ({sql}"
        counted += f" WHERE {where}" + ("" if count_from else ") AS t")
        with self.db.snapshot() as conn:
            count = int(conn.execute(counted, params).fetchone()[0])
            rows = conn.execute(
                f"{sql} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
                (*params, limit, offset),
            ).fetchall()
        return Page(tuple(convert(r) for r in rows), count, offset, limit)
