"""Database URLs: `sqlite:///ABS/PATH` (embedded) or `postgresql://…` (a region's server).

Passwords never reach a message or a log: `redact` masks them wherever a URL is shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from edt_tui.service.store import StoreError

BACKENDS = ("sqlite", "postgresql")
_SECRET_PARAM = re.compile(r"(?i)(password=)[^&\s]*")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^:/@\s]*):[^@\s/]*@")


class BadDatabaseUrlError(StoreError):
    exit_code = 2

    def __init__(self, shown: str, where: str, why: str) -> None:
        super().__init__(
            f"{where}: bad database URL {shown!r}: {why}",
            hint="use sqlite:///ABSOLUTE/PATH/ent.sqlite3 or "
            "postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME (docs/storage.md)",
        )


@dataclass(frozen=True, slots=True)
class DatabaseUrl:
    backend: str
    url: str
    path: Path | None = None
    """The database file (SQLite)."""

    @property
    def display(self) -> str:
        return redact(self.url)


def redact(text: str) -> str:
    """`text` with the password of any URL (`scheme://user:password@`) or `password=`
    parameter masked."""
    return _SECRET_PARAM.sub(r"\1***", _USERINFO.sub(r"\1:***@", text))


def sqlite_url(path: Path) -> str:
    return f"sqlite://{Path(path).absolute()}"


def parse_database_url(url: str, *, where: str = "database URL") -> DatabaseUrl:
    """The backend and location of `url`; `BadDatabaseUrlError` (exit 2) saying why not."""
    shown = redact(url)
    scheme = url.partition(":")[0].lower()
    if scheme == "sqlite":
        if not url.startswith("sqlite:///"):
            raise BadDatabaseUrlError(
                shown, where, "a SQLite URL is sqlite:/// followed by an absolute path"
            )
        rest = url[len("sqlite://"):]
        if "?" in rest or "#" in rest:
            raise BadDatabaseUrlError(shown, where, "a SQLite URL takes no options")
        path = Path("/" + rest.lstrip("/"))  # sqlite:////abs/path (SQLAlchemy's way) too
        if rest.endswith("/") or path == Path("/"):
            raise BadDatabaseUrlError(shown, where, "the path names a directory, not a file")
        return DatabaseUrl("sqlite", url, path)
    if scheme in ("postgresql", "postgres"):
        try:
            port = urlsplit(url).port
        except ValueError as exc:
            raise BadDatabaseUrlError(shown, where, redact(str(exc))) from None
        if port == 0:
            raise BadDatabaseUrlError(shown, where, "port 0 is not a server's port")
        import psycopg  # only when PostgreSQL is asked for

        try:
            psycopg.conninfo.conninfo_to_dict(url)
        except psycopg.Error as exc:
            raise BadDatabaseUrlError(shown, where, redact(str(exc).strip())) from None
        return DatabaseUrl("postgresql", url)
    raise BadDatabaseUrlError(
        shown, where, f"unknown scheme {scheme!r} (known: {', '.join(BACKENDS)})"
    )
