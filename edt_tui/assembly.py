"""The composition root of the ENT import service: the one place its parts are put together.

A running service is a store, settings (flags, environment, config.toml), the FastAPI app and
its background loops (the import worker). The embedded client (`EntClient.embedded`),
`edt-tui serve` and `worker`, the `ent load|token` commands, the TUI's start-up check and the
helpdesk replay all get them from here, so no caller opens the store its own way or forgets the
worker. Above the service and below the client in the layers (`docs/architecture.md`). It loads
FastAPI and the whole service: callers import it where they build a service, not at module level.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from edt_tui.config import Settings, load_settings
from edt_tui.service.api.app import Background, create_app
from edt_tui.service.helpdesk import export_record, restore
from edt_tui.service.imports import run_worker
from edt_tui.service.records import Principal, TokenRole
from edt_tui.storage.sql_store import SqlStore, open_store
from edt_tui.storage.transfer import Progress, TableCopy, copy_database
from edt_tui.storage.url import parse_database_url, sqlite_url


def background_tasks() -> Sequence[Background]:
    """The loops a service runs beside its API (the import worker): each is started by the
    app's lifespan and cancelled at shutdown. Register a new long-running loop here."""
    return (run_worker,)


def open_service_store(database_url: str | None = None) -> SqlStore:
    """The service's store at `database_url` (None: $EDT_TUI_DATABASE_URL, config.toml's
    `database_url`, else ent.sqlite3 in the data directory); the caller closes it."""
    return open_store(database_url)


def scratch_database_url(data_dir: Path) -> str:
    """The database of a scratch data directory (a helpdesk replay): a SQLite file there,
    whatever database the service itself is configured with."""
    return sqlite_url(data_dir / "ent.sqlite3")


def open_database(url: str | None) -> tuple[SqlStore, str]:
    """The store `url` names (`edt-tui worker --database-url`), and how to name it in the log
    (its password masked)."""
    store = open_service_store(url)
    return store, store.database.display


@contextmanager
def service_store(database_url: str | None = None) -> Iterator[SqlStore]:
    """`open_service_store`, closed when the block ends (commands that act on the store
    directly: `ent load`, `ent token create`)."""
    store = open_service_store(database_url)
    try:
        yield store
    finally:
        store.close()


def migrate_store(
    source_url: str | None, target_url: str, *, progress: Progress
) -> list[TableCopy]:
    """Copy the ENT at `source_url` (None: the configured one) into the empty database at
    `target_url` (its schema created on opening), verified table by table (`ent migrate`)."""
    parse_database_url(target_url, where="--to")
    with service_store(source_url) as source, service_store(target_url) as target:
        return copy_database(source.database, target.database, progress=progress)


def check_service_store(database_url: str | None = None) -> None:
    """Open and close the store: an unusable database (read-only directory, damaged file,
    unreachable server) raises its clear error here, before a screen is taken."""
    open_service_store(database_url).close()


def embedded_app(
    database_url: str | None = None, *, settings: Settings | None = None,
    partner: str | None = None, private_key: str | Path | None = None, worker: bool = False,
) -> FastAPI:
    """The service in-process on `database_url` (see `open_service_store`), acting as a
    platform admin (nothing listens on a port): what `EntClient.embedded` drives through
    `httpx.ASGITransport`.

    `settings` as given (tests), else loaded from `partner`/`private_key` (flags), the
    environment and config.toml. `worker=False` for commands that only read or enqueue: they
    leave queued jobs to the service that runs them.
    """
    return create_app(
        open_service_store(database_url),
        settings=settings or load_settings(partner=partner, private_key=private_key),
        trusted_principal=Principal(TokenRole.PLATFORM, label="embedded"),
        background=background_tasks() if worker else (), close_store=True,
    )


def served_app(
    settings: Settings, *, max_upload: int, worker: bool = True,
    database_url: str | None = None,
) -> FastAPI:
    """The service `edt-tui serve` runs: every request authenticated; with the import worker
    unless `worker=False` (`serve --no-worker`: `edt-tui worker` processes run the queue)."""
    return create_app(
        open_service_store(database_url), settings=settings,
        background=background_tasks() if worker else (), max_upload=max_upload, close_store=True,
    )


def restore_snapshot(
    data_dir: Path, uai: str, snapshot: Mapping[str, Any], *,
    export_summary: Mapping[str, Any], export_bytes: bytes, job: Mapping[str, Any] | None,
) -> None:
    """A helpdesk bundle's ENT side, export and job into the empty service of `data_dir` (a
    SQLite file there, whatever database the service itself uses)."""
    uploaded_at = datetime.fromisoformat(str(export_summary["uploaded_at"]))
    with service_store(scratch_database_url(data_dir)) as store:
        restore(
            store, snapshot, export=export_record(uai, export_summary, uploaded_at),
            export_bytes=export_bytes, job=job,
        )
