"""Only `edt_tui/storage/` talks to a database: no other module imports a driver or holds SQL.

The service keeps the rules and calls repositories with domain values; a statement written
elsewhere would escape the PostgreSQL backend (and its review). Tests may use sqlite3 to inspect.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import edt_tui

PACKAGE = Path(edt_tui.__file__).parent
STORAGE = PACKAGE / "storage"
DRIVERS = frozenset({"sqlite3", "psycopg", "psycopg_pool"})
ALLOWED: frozenset[str] = frozenset()
"""Modules still being moved into edt_tui/storage/ (the SQLite store and its migrations were the
last, `edt_tui/service/sqlite_store.py` and `edt_tui/service/migrations.py`): the list must stay
empty; nothing is added to it."""
_SQL = re.compile(
    r"""^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|PRAGMA|SAVEPOINT|RELEASE|VACUUM|
              ATTACH|WITH|WHERE|VALUES|ORDER\s+BY|GROUP\s+BY|ON\s+CONFLICT)\s+\S
      | ^\s*(BEGIN|COMMIT|ROLLBACK|END)(\s+\w+)*\s*;?\s*$
      | \b\w+(\.\w+)?\s*(=|<>|<|>|<=|>=|\s+IN\s*\(|\s+LIKE)\s*\?""",
    re.VERBOSE,
)
"""A statement's first keyword (uppercase, as this code base writes SQL) followed by more, a bare
transaction statement, or a placeholder; not an HTTP verb alone nor an iCalendar `BEGIN:`."""


def _leaks(source: str) -> list[str]:
    """Driver imports and SQL string literals of one module, as `line: what` findings."""
    found: list[str] = []
    tree = ast.parse(source)
    parts = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    for node in ast.walk(tree):
        if id(node) in parts:
            continue  # a piece of an f-string: read with the whole string
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module]
        found += [f"{node.lineno}: imports {n}" for n in names if n.split(".")[0] in DRIVERS]
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant)
                           and isinstance(v.value, str))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if _SQL.search(text):
            found.append(f"{node.lineno}: SQL {text.strip()[:60]!r}")
    return found


def test_no_driver_and_no_sql_outside_storage() -> None:
    leaks = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE.parent).as_posix()
        if path.is_relative_to(STORAGE) or name in ALLOWED:
            continue
        found = _leaks(path.read_text(encoding="utf-8"))
        if found:
            leaks[name] = found
    assert leaks == {}, "move these into a repository of edt_tui/storage/: " + repr(leaks)


def test_the_allow_list_only_names_files_that_still_leak() -> None:
    """A moved file leaves the list (which must stay empty)."""
    for name in ALLOWED:
        path = PACKAGE.parent / name
        assert path.exists() and _leaks(path.read_text(encoding="utf-8")), name


def test_the_detector_sees_each_kind_of_leak() -> None:
    source = '''
import sqlite3
from psycopg import errors
import psycopg_pool.pool
Q = "SELECT 1"
def f(table, conn):
    conn.execute(f"""
        UPDATE {table} SET a = 1""")
    conn.execute("BEGIN IMMEDIATE")
    return "j.status = ?", "upsert values", "Delete the job?", "DELETE", "BEGIN:VEVENT"
'''
    found = _leaks(source)
    assert [f.split(":")[1].split()[0] for f in found] == [
        "imports", "imports", "imports", "SQL", "SQL", "SQL", "SQL",
    ], found
